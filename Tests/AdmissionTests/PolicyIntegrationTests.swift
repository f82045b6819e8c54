import ATProto
import Foundation
import Testing
import TrustPolicy
@testable import Admission

/// The path the server glue takes, with the real trust-policy evaluation standing in for the
/// verifier's evidence: parse → plan → evaluate each planned image → outcome.
@Suite("With real trust-policy decisions")
struct PolicyIntegrationTests {
    static let alice = Decisions.alice
    static let mallory = Decisions.mallory
    static let now = Date(timeIntervalSince1970: 1_795_309_323)
    static let digest = "sha256:" + String(repeating: "1", count: 64)

    static let yaml = """
        version: 1.0
        defaultAction: allow
        trustedDIDs:
          \(alice): {name: Alice, validFrom: "2024-01-01T00:00:00Z"}
        policies:
          - name: production-images
            scope: "atcr.io/*/prod-*"
            require: {signature: true, trustedDIDs: [\(alice)], minSignatures: 1}
            action: enforce
          - name: sidecars
            scope: "atcr.io/*/sidecar"
            require: {signature: true, trustedDIDs: [\(alice)]}
            action: audit
        """

    static func policy() throws -> TrustPolicy {
        let loaded = PolicyLoader.load(yaml: yaml, now: now)
        return try #require(loaded.policy, "\(loaded.errors)")
    }

    /// Evaluates a planned image the way the glue would, with the given evidence.
    static func decide(_ use: ImageUse, policy: TrustPolicy, namespace: String?, auditOnly: Bool = false,
                       signatures: [SignatureEvidence], failure: VerificationFailure? = nil) throws -> ImageDecision {
        // Just enough normalization for the fixtures' references (the verifier's job in the server).
        let nameEnd = use.image.firstIndex(where: { $0 == "@" }) ?? use.image.lastIndex(of: ":") ?? use.image.endIndex
        let bare = String(use.image[..<nameEnd])
        let name = try #require(ImageName(bare.contains("/") ? bare : "docker.io/library/\(bare)"))
        let decision = policy.evaluate(EvaluationInput(
            image: name, pinnedByDigest: use.image.contains("@"), namespace: namespace, now: now,
            auditOnly: auditOnly, signatures: signatures, verificationError: failure?.description))
        return ImageDecision(use: use, digest: digest, decision: decision, duration: .milliseconds(40),
                             verificationFailure: failure)
    }

    static func run(review: String, auditOnly: Bool = false, evidence: (ImageUse) -> ([SignatureEvidence], VerificationFailure?)) throws -> AdmissionOutcome {
        let request = try AdmissionReview.parseRequest(try Fixtures.reviewBytes(review))
        let plan = AdmissionPlan(request: request)
        let policy = try policy()
        let decisions = try plan.toVerify.map { use in
            let (signatures, failure) = evidence(use)
            return try decide(use, policy: policy, namespace: request.namespace, auditOnly: auditOnly,
                              signatures: signatures, failure: failure)
        }
        return AdmissionOutcome(request: request, plan: plan, decisions: decisions)
    }

    @Test("signed by a trusted DID: allowed, no findings")
    func signed() throws {
        let outcome = try Self.run(review: "deployment-create") { _ in ([SignatureEvidence(did: Self.alice, status: .verified)], nil) }
        #expect(outcome.response == .allow(uid: outcome.uid))
        #expect(outcome.auditEvents(at: Self.now).allSatisfy { $0.signers == [Self.alice] && $0.result == .allow })
    }

    @Test("signed only by an untrusted DID: the documented denial message")
    func untrustedSigner() throws {
        let outcome = try Self.run(review: "deployment-create") { _ in ([SignatureEvidence(did: Self.mallory, status: .notChecked)], nil) }
        #expect(outcome.response.allowed == false)
        #expect(outcome.response.status?.code == 403)
        #expect(outcome.response.status?.message
            == "atcr.io/alice/prod-api:v1 (\(Self.digest)) violates policy production-images: no signature by a trusted DID (found: \(Self.mallory))")
        // The sidecar fails its audit policy: a warning beside the denial.
        // (cut at 120 bytes: the reason loses its middle)
        #expect(outcome.response.warnings == ["atcr.io/alice/sidecar:v3 fails audit policy sidecars: no signature by a tru… (found: did:plc:zrenun7z5jqipq3zxoi7fdhj)"])
        #expect(outcome.response.warnings.first?.utf8.count == 120)
        let events = outcome.kubernetesEvents(at: Self.now, reportingInstance: "atcr-verify-0")
        #expect(events.map(\.action) == ["Deny", "Audit"])
    }

    @Test("timeouts: enforce denies with 'verification timed out', audit admits with a warning")
    func timeouts() throws {
        let outcome = try Self.run(review: "deployment-create") { _ in ([], .timedOut) }
        #expect(outcome.response.status?.message
            == "atcr.io/alice/prod-api:v1 (\(Self.digest)) violates policy production-images: could not verify: verification timed out")
        #expect(outcome.response.warnings == ["atcr.io/alice/sidecar:v3 fails audit policy sidecars: could not verify: verification timed out"])
        #expect(outcome.kubernetesEvents(at: Self.now, reportingInstance: "w").map(\.reason)
            == ["VerificationTimedOut", "VerificationTimedOut"])
    }

    @Test("--audit-only: admitted, warnings for both, annotations record the configured enforce")
    func auditOnly() throws {
        let outcome = try Self.run(review: "deployment-create", auditOnly: true) { _ in ([], nil) }
        #expect(outcome.response.allowed)
        #expect(outcome.response.warnings == [
            "atcr.io/alice/prod-api:v1 fails audit policy production-images: no signature found",
            "atcr.io/alice/sidecar:v3 fails audit policy sidecars: no signature found",
        ])
        let policies = try #require(outcome.response.auditAnnotations.first { $0.key == "policies" })
        #expect(policies.value.contains(#"{"name":"production-images","action":"audit","configuredAction":"enforce","passed":0,"failed":1}"#))
    }

    @Test("images no policy matches fall to defaultAction allow: the kubectl-run nginx pod")
    func unmatched() throws {
        let outcome = try Self.run(review: "pod-debug-ephemeral") { _ in ([], nil) }
        #expect(outcome.response.allowed)
        let lines = outcome.auditEvents(at: Self.now)
        #expect(lines.map(\.image) == ["busybox", "nginx"])
        #expect(lines.map(\.result) == [.allow, .skippedUnchanged])
        #expect(lines[0].action == "default")
    }
}
