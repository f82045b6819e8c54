import ATProto
import Foundation
import Testing
import TrustPolicy
@testable import Admission

@Suite("Audit lines")
struct AuditEventTests {
    static let now = Date(timeIntervalSince1970: 1_795_309_323.123456)

    static func outcome(_ review: String, _ decisions: (AdmissionPlan) -> [ImageDecision]) throws -> AdmissionOutcome {
        let request = try Fixtures.request(review)
        let plan = AdmissionPlan(request: request)
        return AdmissionOutcome(request: request, plan: plan, decisions: decisions(plan))
    }

    @Test("a denied image: every documented field, in a stable order, on one line")
    func deniedLine() throws {
        let outcome = try Self.outcome("deployment-create") { plan in
            [Decisions.deny(plan.toVerify[0].image), Decisions.allow(plan.toVerify[1].image)]
        }
        let lines = outcome.auditEvents(at: Self.now).map(\.jsonLine)
        #expect(lines.count == 2)
        #expect(lines[0] == """
            {"time":"2026-11-22T01:02:03.123456Z","uid":"9578cf60-be47-0090-d685-caf9d2a0d162","namespace":"production",\
            "kind":"Deployment","name":"d","user":"alice@example.com","operation":"CREATE","image":"atcr.io/alice/prod-api:v1",\
            "digest":"\(Decisions.digest)","policy":"production-images","action":"enforce","result":"deny",\
            "reasons":["violates policy production-images (enforce): no signature by a trusted DID (found: \(Decisions.mallory))"],\
            "signers":[],"duration":0.030000,"dryRun":false,\
            "containers":["spec.template.spec.containers[0]","spec.template.spec.initContainers[0]"],\
            "failedChecks":[{"number":5,"name":"key-parse"}],"error":null,\
            "policies":[{"name":"production-images","action":"enforce","configuredAction":"enforce","passed":false,\
            "reason":"no signature by a trusted DID (found: \(Decisions.mallory))"}]}
            """)
        let allowed = try JSONParser().parse(Array(lines[1].utf8))
        #expect(allowed["result"] == .string("allow"))
        #expect(allowed["signers"] == .array([.string(Decisions.alice)]))
        #expect(allowed["reasons"] == .array([.string("satisfies production-images")]))
        #expect(allowed["duration"] == .number("0.012000"))
    }

    @Test("the field order is the documented order")
    func keyOrder() throws {
        let outcome = try Self.outcome("pod-create") { plan in plan.toVerify.map { Decisions.audit($0.image) } }
        let event = try #require(outcome.auditEvents(at: Self.now).first)
        guard case .object(let members) = event.json else { Issue.record("not an object"); return }
        #expect(members.map(\.name) == [
            "time", "uid", "namespace", "kind", "name", "user", "operation", "image", "digest", "policy", "action",
            "result", "reasons", "signers", "duration", "dryRun", "containers", "failedChecks", "error", "policies",
        ])
    }

    @Test("UPDATE: unchanged images get one skipped-unchanged line and nothing else")
    func skippedUnchanged() throws {
        let outcome = try Self.outcome("deployment-new-sidecar") { plan in plan.toVerify.map { Decisions.allow($0.image) } }
        let events = outcome.auditEvents(at: Self.now)
        #expect(events.map(\.result) == [.allow, .skippedUnchanged])
        let skipped = events[1]
        #expect(skipped.image == "atcr.io/alice/prod-api:v1")
        #expect(skipped.policy == nil && skipped.action == nil && skipped.digest == nil)
        #expect(skipped.reasons == ["unchanged from oldObject; not verified again"])
        #expect(skipped.containers == ["spec.template.spec.containers[0]", "spec.template.spec.initContainers[0]"])
        #expect(skipped.jsonLine.contains(#""result":"skipped-unchanged""#))
        #expect(outcome.response == .allow(uid: outcome.uid))
        #expect(outcome.kubernetesEvents(at: Self.now, reportingInstance: "w").isEmpty)
    }

    @Test("a scale UPDATE: only skipped-unchanged lines")
    func scale() throws {
        let outcome = try Self.outcome("deployment-scale") { _ in [] }
        #expect(outcome.auditEvents(at: Self.now).map(\.result) == [.skippedUnchanged, .skippedUnchanged])
    }

    @Test("defaultAction, timeouts, dry runs")
    func variants() throws {
        let unmatched = ImageDecision(image: "docker.io/library/redis:7", decision: PolicyDecision(
            verdict: .audit, results: [], reason: "no policy matches docker.io/library/redis; defaultAction is audit"))
        var timedOut = Decisions.deny("atcr.io/alice/sidecar:v3", reason: "could not verify: verification timed out")
        timedOut.verificationFailure = .timedOut
        let outcome = try Self.outcome("pod-create-dryrun") { _ in [unmatched, timedOut] }
        let events = outcome.auditEvents(at: Self.now)
        let first = try #require(events.first { $0.image == "docker.io/library/redis:7" })
        #expect(first.policy == nil)
        #expect(first.action == "default")
        #expect(first.result == .audit)
        #expect(first.dryRun)
        let second = try #require(events.first { $0.image == "atcr.io/alice/sidecar:v3" })
        #expect(second.error == "verification timed out")
        #expect(second.jsonLine.contains(#""error":"verification timed out""#))
        #expect(second.jsonLine.contains(#""dryRun":true"#))
    }

    @Test("an invalid object: one rejected-invalid line per problem; allowed-unchecked reviews: none")
    func invalidAndUnchecked() throws {
        var request = try Fixtures.request("pod-create")
        request.object = request.object?.replacing(["spec", "containers", "#0", "image"], with: .string(""))
        let plan = AdmissionPlan(request: request)
        let events = AdmissionOutcome(request: request, plan: plan, decisions: []).auditEvents(at: Self.now)
        #expect(events.map(\.result) == [.rejectedInvalid])
        #expect(events.first?.reasons == ["spec.containers[0].image is empty; every container needs an image"])
        #expect(try Self.outcome("configmap-create") { _ in [] }.auditEvents(at: Self.now).isEmpty)
    }

    @Test("hostile strings stay inside one JSON line")
    func escaping() throws {
        let outcome = try Self.outcome("pod-create") { _ in [Decisions.deny("nginx\n{\"fake\":1}")] }
        let line = try #require(outcome.auditEvents(at: Self.now).last?.jsonLine)
        #expect(!line.contains("\n"))
        #expect(try JSONParser().parse(Array(line.utf8))["image"] == .string("nginx\n{\"fake\":1}"))
    }

    @Test("durations in seconds with microseconds", arguments: [
        (Duration.zero, "0.000000"), (.milliseconds(1500), "1.500000"), (.microseconds(7), "0.000007"),
        (.nanoseconds(999), "0.000000"), (.seconds(-1), "0.000000"), (.seconds(86_400), "86400.000000"),
    ])
    func durations(duration: Duration, expected: String) {
        #expect(duration.secondsJSON == .number(expected))
    }
}
