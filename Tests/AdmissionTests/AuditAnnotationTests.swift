import ATProto
import Testing
import TrustPolicy
@testable import Admission

@Suite("auditAnnotations")
struct AuditAnnotationTests {
    static func annotations(_ response: AdmissionResponse) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for annotation in response.auditAnnotations {
            result[annotation.key] = try? JSONParser().parse(Array(annotation.value.utf8))
        }
        return result
    }

    @Test("keys are exactly decision, policies, findings, and valid once the webhook name prefixes them")
    func keys() throws {
        let request = try Fixtures.request("deployment-create")
        let plan = AdmissionPlan(request: request)
        let outcome = AdmissionOutcome(request: request, plan: plan, decisions: [
            Decisions.audit("atcr.io/alice/prod-api:v1"), Decisions.allow("atcr.io/alice/sidecar:v3"),
        ])
        #expect(outcome.response.auditAnnotations.map(\.key) == ["decision", "policies", "findings"])
        for key in AuditAnnotations.keys {
            #expect(KubernetesNames.isQualifiedNamePart(key))
            #expect(KubernetesNames.isQualifiedName("verify.atcr-verify.io/\(key)"))
        }
        #expect(outcome.response.body.contains(#""auditAnnotations":{"decision":"{\"allowed\":true,"#))
    }

    @Test("values: compact JSON with the decision, per-policy counts and the findings")
    func values() throws {
        let request = try Fixtures.request("deployment-new-sidecar")
        let plan = AdmissionPlan(request: request)
        var audited = Decisions.audit("atcr.io/alice/sidecar:v4")
        audited.digest = Decisions.digest
        let outcome = AdmissionOutcome(request: request, plan: plan, decisions: [audited])
        let values = outcome.response.auditAnnotations.map(\.value)
        #expect(values == [
            #"{"allowed":true,"verdict":"audit","verified":1,"denied":0,"audited":1,"unchanged":1}"#,
            #"[{"name":"staging-images","action":"audit","configuredAction":"audit","passed":0,"failed":1}]"#,
            #"[{"image":"atcr.io/alice/sidecar:v4","digest":"\#(Decisions.digest)","verdict":"audit","policy":"staging-images","action":"audit","reason":"no signature found"}]"#,
        ])
        #expect(outcome.response.allowed)
        #expect(outcome.response.warnings.count == 1)
    }

    @Test("a denial carries annotations too; a default decision has null policy and action")
    func denial() throws {
        let request = try Fixtures.request("deployment-create")
        let plan = AdmissionPlan(request: request)
        let unmatched = ImageDecision(image: "atcr.io/alice/sidecar:v3", decision: PolicyDecision(
            verdict: .deny, results: [], reason: "no policy matches atcr.io/alice/sidecar; defaultAction is deny"))
        let outcome = AdmissionOutcome(request: request, plan: plan, decisions: [Decisions.deny("atcr.io/alice/prod-api:v1"), unmatched])
        let parsed = Self.annotations(outcome.response)
        #expect(parsed["decision"]?["verdict"] == .string("deny"))
        #expect(parsed["decision"]?["allowed"] == .bool(false))
        #expect(parsed["decision"]?["denied"] == .number("2"))
        guard case .array(let findings)? = parsed["findings"] else { Issue.record("findings"); return }
        #expect(findings.count == 2)
        #expect(findings[1]["policy"] == .null)
        #expect(findings[1]["action"] == .null)
        #expect(findings[1]["reason"] == .string("no policy matches atcr.io/alice/sidecar; defaultAction is deny"))
    }

    @Test("mixed policies are tallied per policy, with configured and effective actions")
    func policyTally() {
        let rollout = PolicyDecision(verdict: .audit, results: [
            Decisions.result("production-images", .audit, passed: false, reason: "no signature found", configured: .enforce),
            Decisions.result("sbom", .audit, passed: true, reason: "signature not required"),
        ], reason: "violates policy production-images: no signature found")
        let decisions = [
            ImageDecision(image: "a", decision: rollout),
            ImageDecision(image: "b", decision: rollout),
            Decisions.allow("c"),
        ]
        let annotations = AuditAnnotations.make(decisions: decisions, unchanged: 0, allowed: true)
        #expect(annotations[1].value == #"[{"name":"production-images","action":"audit","configuredAction":"enforce","passed":1,"failed":2},{"name":"sbom","action":"audit","configuredAction":"audit","passed":2,"failed":0}]"#)
    }

    @Test("no annotations when every image is allowed")
    func none() {
        #expect(AuditAnnotations.make(decisions: [Decisions.allow("a")], unchanged: 3, allowed: true).isEmpty)
    }

    @Test("findings are capped at 20 and the decision says how many were left out")
    func cap() throws {
        let decisions = (0..<25).map { Decisions.audit("atcr.io/alice/img-\($0):v1") }
        let annotations = AuditAnnotations.make(decisions: decisions, unchanged: 0, allowed: true)
        let findings = try JSONParser().parse(Array(annotations[2].value.utf8))
        guard case .array(let items) = findings else { Issue.record("not an array"); return }
        #expect(items.count == 20)
        let decision = try JSONParser().parse(Array(annotations[0].value.utf8))
        #expect(decision["findingsOmitted"] == .number("5"))
    }

    @Test("an invalid key is left out of the rendered response rather than silently dropped later")
    func invalidKeyFiltered() {
        let response = AdmissionResponse(uid: "u", allowed: true, auditAnnotations: [
            AuditAnnotation(key: "decision", value: "{}"),
            AuditAnnotation(key: "bad key/with slash", value: "{}"),
            AuditAnnotation(key: "-leading", value: "{}"),
        ])
        #expect(response.body == #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"auditAnnotations":{"decision":"{}"}}}"#)
    }
}
