import Foundation
import Testing
import TrustPolicy

/// With no namespace (containerd at pull time, Gatekeeper's keys, the CLI without
/// `--namespace`), an image gets the strictest decision any namespace could give it: a policy
/// that relaxes the rules in some namespaces never relaxes them everywhere.
@Suite("Evaluation with no namespace: the strictest decision any namespace could get")
struct UnknownNamespaceTests {
    static func yaml(defaultAction: String) -> String {
        """
        version: 1.0
        defaultAction: \(defaultAction)
        trustedDIDs:
          \(Fixtures.alice): {name: Alice}
          \(Fixtures.ci): {name: CI}
        policies:
          - name: production-images
            scope: "atcr.io/*/prod-*"
            require: {trustedDIDs: [\(Fixtures.alice)]}
            action: enforce
          - name: dev-images
            scope: "atcr.io/*/dev-*"
            namespaces: ["dev-*"]
            require: {signature: false}
            action: audit
          - name: team-tools
            scope: "ghcr.io/org/**"
            namespaces: ["tools", "ci-*"]
            require: {trustedDIDs: [\(Fixtures.ci)]}
            action: enforce
          - name: staging-everywhere
            scope: "atcr.io/*/staging-*"
            namespaces: ["*"]
            require: {trustedDIDs: [\(Fixtures.alice)]}
            action: audit
        """
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var defaultAction = "deny"
        var image: String
        var namespace: String?
        var signedBy: [String] = []
        var auditOnly = false
        var verdict: PolicyDecision.Verdict
        /// The policies reported, in file order (empty: no scope matched).
        var results: [String]
        /// Text the decision's reason must contain.
        var reasonContains: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(name: "an unsigned dev image with no namespace: denied, as outside dev-* (defaultAction deny)",
              image: "atcr.io/mallory/dev-evil", verdict: .deny, results: ["dev-images"],
              reasonContains: "no policy for atcr.io/mallory/dev-evil applies in every namespace (dev-images applies only in namespaces dev-*): elsewhere defaultAction is deny; where they apply: satisfies dev-images"),
        .init(name: "the same image in dev-1: admitted, signature not required",
              image: "atcr.io/mallory/dev-evil", namespace: "dev-1", verdict: .allow, results: ["dev-images"], reasonContains: "satisfies dev-images"),
        .init(name: "the same image in prod: no policy matches, denied",
              image: "atcr.io/mallory/dev-evil", namespace: "prod", verdict: .deny, results: [], reasonContains: "defaultAction is deny"),
        .init(name: "--audit-only: the default's deny is an audit",
              image: "atcr.io/mallory/dev-evil", auditOnly: true, verdict: .audit, results: ["dev-images"], reasonContains: "elsewhere defaultAction is deny"),
        .init(name: "defaultAction audit: audited, not allowed",
              defaultAction: "audit", image: "atcr.io/mallory/dev-evil", verdict: .audit, results: ["dev-images"], reasonContains: "elsewhere defaultAction is audit"),
        .init(name: "defaultAction allow: nothing stricter elsewhere, the policy decides",
              defaultAction: "allow", image: "atcr.io/mallory/dev-evil", verdict: .allow, results: ["dev-images"], reasonContains: "satisfies dev-images"),
        .init(name: "a tool signed by CI, limited to two namespaces: denied with no namespace (elsewhere deny)",
              image: "ghcr.io/org/tool", signedBy: [Fixtures.ci], verdict: .deny, results: ["team-tools"],
              reasonContains: "team-tools applies only in namespaces tools, ci-*"),
        .init(name: "the same tool in ci-7: admitted",
              image: "ghcr.io/org/tool", namespace: "ci-7", signedBy: [Fixtures.ci], verdict: .allow, results: ["team-tools"], reasonContains: "satisfies team-tools"),
        .init(name: "an unsigned tool with no namespace: the enforce policy's own failure is reported",
              image: "ghcr.io/org/tool", verdict: .deny, results: ["team-tools"], reasonContains: "violates policy team-tools: no signature found"),
        .init(name: "a policy for every namespace (namespaces: [\"*\"]) decides as before: unsigned staging is audited",
              image: "atcr.io/alice/staging-api", verdict: .audit, results: ["staging-everywhere"], reasonContains: "violates policy staging-everywhere"),
        .init(name: "a policy with no namespaces decides as before: signed production is allowed",
              image: "atcr.io/alice/prod-api", signedBy: [Fixtures.alice], verdict: .allow, results: ["production-images"], reasonContains: "satisfies production-images"),
    ]

    @Test("decides", arguments: cases)
    func decides(_ testCase: Case) throws {
        let policy = try Fixtures.policy(Self.yaml(defaultAction: testCase.defaultAction))
        let decision = policy.evaluate(EvaluationInput(
            image: try #require(ImageName(testCase.image)), pinnedByDigest: true, namespace: testCase.namespace, now: Fixtures.now,
            auditOnly: testCase.auditOnly, signatures: testCase.signedBy.map { SignatureEvidence(did: $0, status: .verified) }))
        #expect(decision.verdict == testCase.verdict)
        #expect(decision.results.map(\.policy) == testCase.results)
        #expect(decision.reason.contains(testCase.reasonContains), "\(decision.reason)")
    }
}
