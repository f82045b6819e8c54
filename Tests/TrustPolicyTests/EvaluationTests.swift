import Foundation
import Testing
import TrustPolicy

/// The policy every evaluation case runs against. Alice and CI are valid; Bob expired on
/// 2025-12-31; Carol is trusted only from 2027-01-01 ("now" is 2026-11-22). Mallory is not
/// trusted at all.
let evaluationPolicyYAML = """
version: 1.0
trustedDIDs:
  \(Fixtures.alice): {name: Alice, validFrom: "2024-01-01T00:00:00Z", expiresAt: null}
  \(Fixtures.bob): {name: Bob, validFrom: "2024-06-01T00:00:00Z", expiresAt: "2025-12-31T23:59:59Z"}
  \(Fixtures.carol): {name: Carol, validFrom: "2027-01-01T00:00:00Z"}
  \(Fixtures.ci): {name: CI}
policies:
  - name: production
    scope: "atcr.io/*/prod-*"
    require: {signature: true, trustedDIDs: [\(Fixtures.alice), \(Fixtures.bob), \(Fixtures.carol)], minSignatures: 1}
    action: enforce
  - name: two-person
    scope: "atcr.io/*/critical-*"
    require: {minSignatures: 2}
    action: enforce
  - name: dev
    scope: "atcr.io/*/dev-*"
    require: {signature: false}
    action: audit
  - name: staging
    scope: "atcr.io/*/staging-*"
    require: {trustedDIDs: [\(Fixtures.alice)]}
    action: audit
  - name: pinned
    scope: "atcr.io/*/pinned-*"
    require: {trustedDIDs: [\(Fixtures.alice)], digestPinned: true}
    action: enforce
  - name: org-prod
    scope: ["ghcr.io/org/**", "docker.io/org/*"]
    namespaces: ["prod-*"]
    require: {trustedDIDs: [\(Fixtures.ci)]}
    action: enforce
  - name: shared-enforce
    scope: "atcr.io/*/shared-*"
    require: {trustedDIDs: [\(Fixtures.alice)]}
    action: enforce
  - name: shared-audit
    scope: "atcr.io/*/shared-*"
    require: {trustedDIDs: [\(Fixtures.ci)]}
    action: audit
"""

/// Short names for evidence in the tables.
private let alice = Fixtures.alice, bob = Fixtures.bob, carol = Fixtures.carol, ci = Fixtures.ci, mallory = Fixtures.mallory
private func ok(_ did: String) -> SignatureEvidence { SignatureEvidence(did: did, status: .verified) }
private func bad(_ did: String, _ check: String = "check 19 (mst-walk): record absent") -> SignatureEvidence {
    SignatureEvidence(did: did, status: .failed(check))
}
private func skipped(_ did: String) -> SignatureEvidence { SignatureEvidence(did: did, status: .notChecked) }

struct EvaluationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var image: String
    var pinned = true
    var namespace: String? = "default"
    var signatures: [SignatureEvidence] = []
    var verificationError: String?
    var auditOnly = false
    var verdict: PolicyDecision.Verdict
    /// Each matching policy, in file order, and whether it passed.
    var results: [(String, Bool)]
    /// The first failing result's reason (exact), or a passing one's when nothing fails.
    var reason: String?

    var testDescription: String { name }
}

@Suite("Evaluation")
struct EvaluationTests {
    static let cases: [EvaluationCase] = [
        // enforce, minSignatures 1
        .init(name: "trusted, valid signer verified → allow", image: "atcr.io/alice/prod-api", signatures: [ok(alice)],
              verdict: .allow, results: [("production", true)], reason: "signed by \(alice)"),
        .init(name: "no signature → deny", image: "atcr.io/alice/prod-api",
              verdict: .deny, results: [("production", false)], reason: "no signature found"),
        .init(name: "only an untrusted signer → deny, naming it", image: "atcr.io/alice/prod-api", signatures: [skipped(mallory)],
              verdict: .deny, results: [("production", false)], reason: "no signature by a trusted DID (found: \(mallory))"),
        .init(name: "untrusted signer that verified still does not count", image: "atcr.io/alice/prod-api", signatures: [ok(mallory)],
              verdict: .deny, results: [("production", false)], reason: "no signature by a trusted DID (found: \(mallory))"),
        .init(name: "trusted signer failed a check → deny with the check", image: "atcr.io/alice/prod-api", signatures: [bad(alice)],
              verdict: .deny, results: [("production", false)],
              reason: "no valid signature by a trusted DID; signature by \(alice) failed: check 19 (mst-walk): record absent"),
        .init(name: "one failed and one verified artifact by the same DID → allow", image: "atcr.io/alice/prod-api",
              signatures: [bad(alice), ok(alice)], verdict: .allow, results: [("production", true)], reason: "signed by \(alice)"),
        .init(name: "expired trusted DID does not count", image: "atcr.io/alice/prod-api", signatures: [ok(bob)],
              verdict: .deny, results: [("production", false)],
              reason: "no valid signature by a trusted DID; signature by \(bob) does not count: trust expired at 2025-12-31T23:59:59Z"),
        .init(name: "not-yet-valid trusted DID does not count", image: "atcr.io/alice/prod-api", signatures: [ok(carol)],
              verdict: .deny, results: [("production", false)],
              reason: "no valid signature by a trusted DID; signature by \(carol) does not count: not trusted until 2027-01-01T00:00:00Z"),
        .init(name: "a DID trusted elsewhere but not by this policy does not count", image: "atcr.io/alice/prod-api", signatures: [ok(ci)],
              verdict: .deny, results: [("production", false)], reason: "no signature by a trusted DID (found: \(ci))"),
        // minSignatures 2 over every trusted DID (default list)
        .init(name: "two-person: one signer → deny", image: "atcr.io/alice/critical-db", signatures: [ok(alice), skipped(mallory)],
              verdict: .deny, results: [("two-person", false)],
              reason: "needs 2 signatures by trusted DIDs, has 1 (\(alice)); untrusted signers: \(mallory)"),
        .init(name: "two-person: the same DID twice counts once", image: "atcr.io/alice/critical-db", signatures: [ok(alice), ok(alice)],
              verdict: .deny, results: [("two-person", false)], reason: "needs 2 signatures by trusted DIDs, has 1 (\(alice))"),
        .init(name: "two-person: two distinct valid DIDs → allow", image: "atcr.io/alice/critical-db", signatures: [ok(ci), ok(alice)],
              verdict: .allow, results: [("two-person", true)], reason: "signed by 2 trusted DIDs (needs 2): \(alice), \(ci)"),
        .init(name: "two-person: an expired second signer does not count", image: "atcr.io/alice/critical-db", signatures: [ok(alice), ok(bob)],
              verdict: .deny, results: [("two-person", false)],
              reason: "needs 2 signatures by trusted DIDs, has 1 (\(alice)); signature by \(bob) does not count: trust expired at 2025-12-31T23:59:59Z"),
        .init(name: "two-person: no signatures", image: "atcr.io/alice/critical-db",
              verdict: .deny, results: [("two-person", false)], reason: "needs 2 signatures by trusted DIDs, found none"),
        // signature: false
        .init(name: "signature: false always passes, and is recorded", image: "atcr.io/alice/dev-api", signatures: [skipped(mallory)],
              verdict: .allow, results: [("dev", true)], reason: "signature not required"),
        .init(name: "signature: false passes even when verification failed", image: "atcr.io/alice/dev-api",
              verificationError: "registry unreachable", verdict: .allow, results: [("dev", true)], reason: "signature not required"),
        // audit
        .init(name: "failing audit policy → audit (admit with a finding)", image: "atcr.io/alice/staging-api",
              verdict: .audit, results: [("staging", false)], reason: "no signature found"),
        .init(name: "passing audit policy → allow", image: "atcr.io/alice/staging-api", signatures: [ok(alice)],
              verdict: .allow, results: [("staging", true)], reason: "signed by \(alice)"),
        // --audit-only
        .init(name: "auditOnly turns a failing enforce into audit", image: "atcr.io/alice/prod-api", auditOnly: true,
              verdict: .audit, results: [("production", false)], reason: "no signature found"),
        .init(name: "auditOnly with a passing policy → allow", image: "atcr.io/alice/prod-api", signatures: [ok(alice)], auditOnly: true,
              verdict: .allow, results: [("production", true)], reason: "signed by \(alice)"),
        // digestPinned
        .init(name: "digestPinned: a tag-only reference fails", image: "atcr.io/alice/pinned-api", pinned: false, signatures: [ok(alice)],
              verdict: .deny, results: [("pinned", false)],
              reason: "referenced by tag, but this policy requires a digest-pinned reference (image@sha256:…)"),
        .init(name: "digestPinned: a digest reference passes", image: "atcr.io/alice/pinned-api", pinned: true, signatures: [ok(alice)],
              verdict: .allow, results: [("pinned", true)], reason: "signed by \(alice)"),
        .init(name: "digestPinned is not required elsewhere", image: "atcr.io/alice/prod-api", pinned: false, signatures: [ok(alice)],
              verdict: .allow, results: [("production", true)], reason: "signed by \(alice)"),
        .init(name: "digestPinned and no signature: both reasons", image: "atcr.io/alice/pinned-api", pinned: false,
              verdict: .deny, results: [("pinned", false)],
              reason: "no signature found; referenced by tag, but this policy requires a digest-pinned reference (image@sha256:…)"),
        // image-level verification error
        .init(name: "verification error fails an enforce policy (fail closed)", image: "atcr.io/alice/prod-api", signatures: [ok(alice)],
              verificationError: "verification timed out", verdict: .deny, results: [("production", false)],
              reason: "could not verify: verification timed out"),
        .init(name: "verification error fails an audit policy → audit", image: "atcr.io/alice/staging-api",
              verificationError: "registry unreachable", verdict: .audit, results: [("staging", false)],
              reason: "could not verify: registry unreachable"),
        // namespaces
        .init(name: "namespace in the policy's list → evaluated", image: "ghcr.io/org/team/app", namespace: "prod-eu",
              verdict: .deny, results: [("org-prod", false)], reason: "no signature found"),
        .init(name: "namespace outside the list → no match → defaultAction", image: "ghcr.io/org/team/app", namespace: "dev",
              verdict: .allow, results: [], reason: "no policy matches ghcr.io/org/team/app; defaultAction is allow"),
        .init(name: "no namespace (CLI) → namespace filter ignored", image: "ghcr.io/org/team/app", namespace: nil, signatures: [ok(ci)],
              verdict: .allow, results: [("org-prod", true)], reason: "signed by \(ci)"),
        .init(name: "Docker Hub alias matches a docker.io scope", image: "index.docker.io/org/app", namespace: "prod-1",
              verdict: .deny, results: [("org-prod", false)], reason: "no signature found"),
        // every matching policy is evaluated
        .init(name: "two matching policies: enforce passes, audit fails → audit", image: "atcr.io/alice/shared-lib", signatures: [ok(alice)],
              verdict: .audit, results: [("shared-enforce", true), ("shared-audit", false)],
              reason: "no signature by a trusted DID (found: \(alice))"),
        .init(name: "two matching policies: enforce fails → deny", image: "atcr.io/alice/shared-lib", signatures: [ok(ci)],
              verdict: .deny, results: [("shared-enforce", false), ("shared-audit", true)],
              reason: "no signature by a trusted DID (found: \(ci))"),
        .init(name: "two matching policies: both pass → allow", image: "atcr.io/alice/shared-lib", signatures: [ok(ci), ok(alice)],
              verdict: .allow, results: [("shared-enforce", true), ("shared-audit", true)], reason: "signed by \(alice)"),
        // no match
        .init(name: "no matching policy → defaultAction allow", image: "docker.io/library/nginx",
              verdict: .allow, results: [], reason: "no policy matches docker.io/library/nginx; defaultAction is allow"),
    ]

    @Test("decides per docs/trust-policy.md", arguments: cases)
    func decides(_ testCase: EvaluationCase) throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let image = try #require(ImageName(testCase.image))
        let decision = policy.evaluate(EvaluationInput(
            image: image, pinnedByDigest: testCase.pinned, namespace: testCase.namespace, now: Fixtures.now,
            auditOnly: testCase.auditOnly, signatures: testCase.signatures, verificationError: testCase.verificationError))
        #expect(decision.verdict == testCase.verdict)
        #expect(decision.results.map(\.policy) == testCase.results.map(\.0))
        #expect(decision.results.map(\.passed) == testCase.results.map(\.1))
        if decision.results.isEmpty {
            #expect(decision.reason == testCase.reason)
        } else {
            let shown = decision.failures.first ?? decision.results[0]
            #expect(shown.reason == testCase.reason)
        }
    }

    @Test("auditOnly records both the configured and the effective action")
    func auditOnlyActions() throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let input = EvaluationInput(image: try #require(ImageName("atcr.io/a/prod-x")), pinnedByDigest: true,
                                    namespace: nil, now: Fixtures.now, auditOnly: true)
        let result = try #require(policy.evaluate(input).results.first)
        #expect(result.action == .audit)
        #expect(result.configuredAction == .enforce)
        let enforced = policy.evaluate(EvaluationInput(image: input.image, pinnedByDigest: true, namespace: nil, now: Fixtures.now))
        #expect(enforced.results.first?.action == .enforce)
    }

    @Test("the decision's reason names the image's violations; signers are the DIDs that counted")
    func summary() throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let decision = policy.evaluate(EvaluationInput(
            image: try #require(ImageName("atcr.io/alice/shared-lib")), pinnedByDigest: true, namespace: nil,
            now: Fixtures.now, signatures: [ok(alice), skipped(mallory)]))
        #expect(decision.reason == "violates policy shared-audit: no signature by a trusted DID (found: \(alice), \(mallory))")
        #expect(decision.signers == [alice])
        #expect(decision.matchedAnyPolicy)
        #expect(decision.failures.map(\.policy) == ["shared-audit"])
    }

    @Test("an artifact unusable before its signer could be read is reported with its failure")
    func unusableArtifact() throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let decision = policy.evaluate(EvaluationInput(
            image: try #require(ImageName("atcr.io/alice/prod-api")), pinnedByDigest: true, namespace: nil, now: Fixtures.now,
            signatures: [SignatureEvidence(did: "", status: .failed("artifact-invalid: subject.digest names another image"))]))
        #expect(decision.verdict == .deny)
        #expect(decision.reason.contains("signature artifact unusable: artifact-invalid: subject.digest names another image"), "\(decision.reason)")
        #expect(!decision.reason.contains("found: )"))
    }

    @Test("trust windows are judged at the input's now, not the load time")
    func nowIsAnInput() throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        func verdict(at now: String, _ signer: String) throws -> PolicyDecision.Verdict {
            policy.evaluate(EvaluationInput(image: try #require(ImageName("atcr.io/a/prod-x")), pinnedByDigest: true,
                                            namespace: nil, now: Fixtures.date(now), signatures: [ok(signer)])).verdict
        }
        #expect(try verdict(at: "2025-12-31T23:59:58Z", bob) == .allow)
        #expect(try verdict(at: "2025-12-31T23:59:59Z", bob) == .deny)  // expiresAt is exclusive
        #expect(try verdict(at: "2026-12-31T23:59:59Z", carol) == .deny)
        #expect(try verdict(at: "2027-01-01T00:00:00Z", carol) == .allow)  // validFrom is inclusive
        #expect(try verdict(at: "2023-12-31T23:59:59Z", alice) == .deny)
    }

    @Test("defaultAction decides unmatched images", arguments: [
        ("allow", false, PolicyDecision.Verdict.allow), ("audit", false, .audit), ("deny", false, .deny),
        ("deny", true, .audit),  // --audit-only never denies
    ])
    func defaultAction(_ action: String, _ auditOnly: Bool, _ expected: PolicyDecision.Verdict) throws {
        let yaml = "defaultAction: \(action)\n" + evaluationPolicyYAML
        let policy = try Fixtures.policy(yaml)
        let decision = policy.evaluate(EvaluationInput(
            image: try #require(ImageName("quay.io/someone/tool")), pinnedByDigest: false, namespace: "default",
            now: Fixtures.now, auditOnly: auditOnly))
        #expect(decision.verdict == expected)
        #expect(decision.results.isEmpty)
        #expect(decision.reason == "no policy matches quay.io/someone/tool; defaultAction is \(action)")
    }

    @Test("long lists of untrusted signers are shortened")
    func longLists() throws {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let strangers = (0..<5).map { "did:web:signer\($0).example.com" }
        let decision = policy.evaluate(EvaluationInput(
            image: try #require(ImageName("atcr.io/a/prod-x")), pinnedByDigest: true, namespace: nil, now: Fixtures.now,
            signatures: strangers.map(skipped)))
        #expect(decision.results.first?.reason
            == "no signature by a trusted DID (found: did:web:signer0.example.com, did:web:signer1.example.com, did:web:signer2.example.com and 2 more)")
    }
}
