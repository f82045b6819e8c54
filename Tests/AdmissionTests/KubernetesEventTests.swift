import ATProto
import Foundation
import Testing
import TrustPolicy
@testable import Admission

@Suite("Kubernetes Events (events.k8s.io/v1)")
struct KubernetesEventTests {
    static let now = Date(timeIntervalSince1970: 1_795_309_323.123456)

    static func events(_ review: String, _ decisions: (AdmissionPlan) -> [ImageDecision], instance: String = "atcr-verify-7d9f-abcde") throws -> [KubernetesEvent] {
        let request = try Fixtures.request(review)
        let plan = AdmissionPlan(request: request)
        return AdmissionOutcome(request: request, plan: plan, decisions: decisions(plan))
            .kubernetesEvents(at: Self.now, reportingInstance: instance)
    }

    @Test("a denial: every required field, v1 names only")
    func denial() throws {
        let events = try Self.events("deployment-create") { plan in
            [Decisions.deny(plan.toVerify[0].image), Decisions.allow(plan.toVerify[1].image)]
        }
        #expect(events.count == 1)
        let event = try #require(events.first)
        let json = try JSONParser().parse(Array(event.body.utf8))
        #expect(json["apiVersion"] == .string("events.k8s.io/v1"))
        #expect(json["kind"] == .string("Event"))
        #expect(json["metadata"]?["namespace"] == .string("production"))
        #expect(json["eventTime"] == .string("2026-11-22T01:02:03.123456Z"))
        #expect(json["type"] == .string("Warning"))
        #expect(json["reason"] == .string("SignatureRequired"))
        #expect(json["action"] == .string("Deny"))
        #expect(json["reportingController"] == .string("atcr-verify.io/webhook"))
        #expect(json["reportingInstance"] == .string("atcr-verify-7d9f-abcde"))
        #expect(json["regarding"] == .object([
            JSONMember(name: "apiVersion", value: .string("apps/v1")),
            JSONMember(name: "kind", value: .string("Deployment")),
            JSONMember(name: "namespace", value: .string("production")),
            JSONMember(name: "name", value: .string("d")),
        ]))
        #expect(json["note"] == .string("Denied atcr.io/alice/prod-api:v1 (\(Decisions.digest)): violates policy production-images: no signature by a trusted DID (found: \(Decisions.mallory)) (containers: spec.template.spec.containers[0], spec.template.spec.initContainers[0]; requested by alice@example.com)"))
        for forbidden in ["firstTimestamp", "lastTimestamp", "count", "source", "involvedObject", "message", "series"] {
            #expect(json[forbidden] == nil, "\(forbidden)")
        }
        #expect(KubernetesNames.isQualifiedName(KubernetesEvent.reportingController))
    }

    @Test("an audit finding: action Audit; the object's uid when known (UPDATE)")
    func audit() throws {
        let events = try Self.events("deployment-new-sidecar") { plan in plan.toVerify.map { Decisions.audit($0.image) } }
        let event = try #require(events.first)
        #expect(event.action == "Audit")
        #expect(event.regarding.uid == "0b7c5d9e-3a41-4c55-9a57-7f0e8f1d2c3b")
        #expect(event.body.contains(#""uid":"0b7c5d9e-3a41-4c55-9a57-7f0e8f1d2c3b""#))
        #expect(event.note.hasPrefix("Admitted with audit findings atcr.io/alice/sidecar:v4: violates policy staging-images: no signature found"))
    }

    @Test("none on a dry run, for allowed images, for unchanged images, for unchecked reviews")
    func none() throws {
        #expect(try Self.events("pod-create-dryrun") { plan in plan.toVerify.map { Decisions.deny($0.image) } }.isEmpty)
        #expect(try Self.events("pod-create") { plan in plan.toVerify.map { Decisions.allow($0.image) } }.isEmpty)
        #expect(try Self.events("deployment-scale") { _ in [] }.isEmpty)
        #expect(try Self.events("configmap-create") { _ in [Decisions.deny("x")] }.isEmpty)
        // The same review without dryRun does produce them.
        #expect(try Self.events("pod-create") { plan in plan.toVerify.map { Decisions.deny($0.image) } }.count == 3)
    }

    @Test("reasons by cause")
    func reasons() {
        var decision = Decisions.deny("a")
        #expect(KubernetesEventText.reason(decision) == "SignatureRequired")
        decision.verificationFailure = .timedOut
        #expect(KubernetesEventText.reason(decision) == "VerificationTimedOut")
        decision.verificationFailure = .error("registry unreachable")
        #expect(KubernetesEventText.reason(decision) == "VerificationFailed")
        let unmatched = ImageDecision(image: "b", decision: PolicyDecision(verdict: .deny, results: [], reason: "no policy"))
        #expect(KubernetesEventText.reason(unmatched) == "NoMatchingPolicy")
    }

    @Test("names: valid DNS subdomains, distinct per image, repeatable, at most 253 characters")
    func names() throws {
        let first = try Self.events("pod-create") { plan in plan.toVerify.map { Decisions.deny($0.image) } }
        let again = try Self.events("pod-create") { plan in plan.toVerify.map { Decisions.deny($0.image) } }
        #expect(first.map(\.name) == again.map(\.name))
        #expect(Set(first.map(\.name)).count == 3)
        #expect(first.allSatisfy { $0.name.hasPrefix("p.") && $0.name.count == 18 })
        let subjects: [String?] = [nil, "", "UPPER_case.Name", String(repeating: "x", count: 253), "..", "ünï", "a.-.b"]
        for name in subjects {
            let subject = ObjectReference(apiVersion: "v1", kind: "Pod", namespace: "ns", name: name, uid: nil)
            let made = KubernetesEventText.name(subject: subject, uid: "u", image: "i", action: "Deny", index: 0)
            #expect(KubernetesNames.isDNSSubdomain(made), "\(made)")
            #expect(made.utf8.count <= KubernetesEvent.Limits.name)
        }
    }

    @Test("the note is at most 1024 bytes, cut on a UTF-8 boundary")
    func noteLimit() throws {
        for filler in ["x", "é", "😀"] {
            let events = try Self.events("pod-create") { plan in
                [Decisions.deny(plan.toVerify[0].image, reason: String(repeating: filler, count: 2000))]
            }
            let note = try #require(events.first?.note)
            #expect(note.utf8.count <= KubernetesEvent.Limits.note)
            #expect(note.utf8.count > KubernetesEvent.Limits.note - 4)
            #expect(note.hasSuffix("…"))
            #expect(String(validating: Array(note.utf8), as: UTF8.self) == note)
        }
    }

    @Test("reportingInstance: at most 128 bytes, never empty")
    func reportingInstance() throws {
        #expect(KubernetesEventText.reportingInstance(String(repeating: "é", count: 100)).utf8.count == 128)
        #expect(KubernetesEventText.reportingInstance("") == "atcr-verify")
        let events = try Self.events("pod-create", { plan in [Decisions.deny(plan.toVerify[0].image)] }, instance: "")
        #expect(events.first?.reportingInstance == "atcr-verify")
        for event in events {
            #expect(event.reason.utf8.count <= KubernetesEvent.Limits.reason)
            #expect(event.action.utf8.count <= KubernetesEvent.Limits.action)
        }
    }

    @Test("an object without a namespace reports in default")
    func defaultNamespace() throws {
        var request = try Fixtures.request("pod-create")
        request.namespace = nil
        request.object = request.object?.replacing(["metadata", "namespace"], with: nil)
        let plan = AdmissionPlan(request: request)
        let events = AdmissionOutcome(request: request, plan: plan, decisions: [Decisions.deny("nginx")])
            .kubernetesEvents(at: Self.now, reportingInstance: "w")
        #expect(events.first?.namespace == "default")
        #expect(events.first?.body.contains(#""regarding":{"apiVersion":"v1","kind":"Pod","name":"p"}"#) == true)
    }
}
