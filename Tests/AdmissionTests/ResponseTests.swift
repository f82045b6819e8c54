import ATProto
import Testing
import TrustPolicy
@testable import Admission

@Suite("Decisions rendered as the AdmissionReview response")
struct ResponseTests {
    static func outcome(_ review: String = "deployment-create", _ decisions: (AdmissionPlan) -> [ImageDecision]) throws -> AdmissionOutcome {
        let request = try Fixtures.request(review)
        let plan = AdmissionPlan(request: request)
        return AdmissionOutcome(request: request, plan: plan, decisions: decisions(plan))
    }

    @Test("all images allowed: allowed true, uid echoed, nothing else")
    func allAllowed() throws {
        let outcome = try Self.outcome { plan in plan.toVerify.map { Decisions.allow($0.image) } }
        #expect(outcome.response.body == """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"9578cf60-be47-0090-d685-caf9d2a0d162","allowed":true}}
            """)
    }

    @Test("the uid is echoed in every kind of response", arguments: ["pod-create", "configmap-create", "pod-delete", "deployment-scale"])
    func uidEcho(review: String) throws {
        let request = try Fixtures.request(review)
        let plan = AdmissionPlan(request: request)
        let outcome = AdmissionOutcome(request: request, plan: plan, decisions: plan.toVerify.map { Decisions.deny($0.image) })
        let json = try JSONParser().parse(Array(outcome.response.body.utf8))
        #expect(json["response"]?["uid"] == .string(request.uid))
        #expect(json["apiVersion"] == .string("admission.k8s.io/v1"))
        #expect(json["kind"] == .string("AdmissionReview"))
    }

    @Test("one denied image: 403 with a message naming image, digest, policy and the failed check")
    func oneDenied() throws {
        let outcome = try Self.outcome { plan in
            [Decisions.deny(plan.toVerify[0].image), Decisions.allow(plan.toVerify[1].image)]
        }
        let response = outcome.response
        #expect(response.allowed == false)
        #expect(response.status == AdmissionResponse.Status(code: 403, reason: "Forbidden", message:
            "atcr.io/alice/prod-api:v1 (\(Decisions.digest)) violates policy production-images: no signature by a trusted DID (found: \(Decisions.mallory))"))
        #expect(response.body.contains(#""status":{"code":403,"reason":"Forbidden","message":"atcr.io/alice/prod-api:v1 ("#))
        #expect(response.warnings.isEmpty)
    }

    @Test("a digest-pinned reference is shown as written, without repeating the digest")
    func pinnedImage() {
        let image = "atcr.io/alice/prod-api@" + Decisions.digest
        #expect(DenialMessage.line(Decisions.deny(image))
            == "\(image) violates policy production-images: no signature by a trusted DID (found: \(Decisions.mallory))")
    }

    @Test("several denied images: one message listing each on its own line")
    func severalDenied() throws {
        let outcome = try Self.outcome { plan in plan.toVerify.map { Decisions.deny($0.image) } }
        let message = try #require(outcome.response.status?.message)
        #expect(message == """
            2 images denied:
            - atcr.io/alice/prod-api:v1 (\(Decisions.digest)) violates policy production-images: no signature by a trusted DID (found: \(Decisions.mallory))
            - atcr.io/alice/sidecar:v3 (\(Decisions.digest)) violates policy production-images: no signature by a trusted DID (found: \(Decisions.mallory))
            """)
    }

    @Test("the denial message is bounded: 2048 bytes at most, with a count of what was left out")
    func boundedMessage() {
        let denied = (0..<40).map { Decisions.deny("atcr.io/alice/service-\($0):v1", reason: String(repeating: "r", count: 400)) }
        let message = DenialMessage.forDenied(denied)
        #expect(message.utf8.count <= DenialMessage.maxBytes)
        #expect(message.hasPrefix("40 images denied:\n- atcr.io/alice/service-0:v1"))
        let shown = message.split(separator: "\n").filter { $0.hasPrefix("- atcr.io") }.count
        #expect(message.hasSuffix("\n- …and \(40 - shown) more denied images"))
        #expect(shown >= 3)
        // One enormous reason is cut on its own line.
        let single = DenialMessage.forDenied([Decisions.deny("a/b:c", reason: String(repeating: "é", count: 5000))])
        #expect(single.utf8.count <= DenialMessage.maxLineBytes)
        #expect(single.hasSuffix("…"))
    }

    @Test("an enforce timeout denies with 'verification timed out'; an audit timeout admits with a warning")
    func timeouts() throws {
        let timedOut = "could not verify: \(VerificationFailure.timedOutText)"
        let outcome = try Self.outcome { plan in [
            ImageDecision(use: plan.toVerify[0], decision: PolicyDecision(verdict: .deny, results: [
                Decisions.result("production-images", .enforce, passed: false, reason: timedOut),
            ], reason: "violates policy production-images: \(timedOut)"), verificationFailure: .timedOut),
            ImageDecision(use: plan.toVerify[1], decision: PolicyDecision(verdict: .audit, results: [
                Decisions.result("sidecars", .audit, passed: false, reason: timedOut),
            ], reason: "violates policy sidecars: \(timedOut)"), verificationFailure: .timedOut),
        ] }
        #expect(outcome.response.allowed == false)
        #expect(outcome.response.status?.message
            == "atcr.io/alice/prod-api:v1 violates policy production-images: could not verify: verification timed out")
        #expect(outcome.response.warnings
            == ["atcr.io/alice/sidecar:v3 fails audit policy sidecars: could not verify: verification timed out"])

        // The same audit timeout alone is admitted.
        let admitted = try Self.outcome { plan in [Decisions.allow(plan.toVerify[0].image), outcome.decisions[1]] }
        #expect(admitted.response.allowed)
        #expect(admitted.response.warnings.count == 1)
    }

    @Test("defaultAction deny: the message says no policy matched")
    func defaultDeny() {
        let decision = ImageDecision(image: "docker.io/library/redis:7", decision: PolicyDecision(
            verdict: .deny, results: [], reason: "no policy matches docker.io/library/redis; defaultAction is deny"))
        #expect(DenialMessage.line(decision)
            == "docker.io/library/redis:7 is denied: no policy matches docker.io/library/redis; defaultAction is deny")
    }

    @Test("a planned image without a decision is denied, fail closed")
    func missingDecision() throws {
        let outcome = try Self.outcome { plan in [Decisions.allow(plan.toVerify[0].image)] }
        #expect(outcome.response.allowed == false)
        #expect(outcome.decisions.map(\.image) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3"])
        #expect(outcome.response.status?.message
            == "atcr.io/alice/sidecar:v3 is denied: no verification result for this image (webhook error); denied to fail closed")
        #expect(outcome.decisions[1].containers.map(\.path) == ["spec.template.spec.containers[1]"])
    }

    @Test("decisions are matched by image; the first for an image wins; unplanned ones are kept after")
    func alignment() throws {
        let outcome = try Self.outcome { plan in [
            Decisions.allow("atcr.io/alice/sidecar:v3"),
            Decisions.deny("atcr.io/alice/sidecar:v3"),
            Decisions.allow("atcr.io/alice/prod-api:v1"),
            Decisions.allow("atcr.io/alice/extra:v1"),
        ] }
        #expect(outcome.decisions.map(\.image) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3", "atcr.io/alice/extra:v1"])
        #expect(outcome.response.allowed)
        // Containers come from the plan when the decision has none.
        #expect(outcome.decisions[0].containers.count == 2)
    }

    @Test("an invalid object: allowed false, code 400, every problem named")
    func invalidObject() throws {
        var request = try Fixtures.request("pod-create")
        request.object = request.object?
            .replacing(["spec", "containers", "#1", "image"], with: .string(""))
            .replacing(["spec", "initContainers", "#0", "image"], with: .number("3"))
        let plan = AdmissionPlan(request: request)
        let response = AdmissionOutcome(request: request, plan: plan, decisions: []).response
        #expect(response.allowed == false)
        #expect(response.status == AdmissionResponse.Status(code: 400, reason: "BadRequest", message: """
            invalid Pod (2 problems):
            - spec.containers[1].image is empty; every container needs an image
            - spec.initContainers[0].image must be a string, not number
            """))
        let single = DenialMessage.forInvalid(kind: "Pod", problems: [ObjectProblem(path: "spec.containers[0].image", reason: "is missing")])
        #expect(single == "invalid Pod: spec.containers[0].image is missing")
    }

    @Test("allowed without looking, or nothing new on UPDATE: a bare allow", arguments: ["configmap-create", "pod-delete", "pod-exec-connect", "pod-finalizer-removal", "deployment-scale"])
    func bareAllow(review: String) throws {
        let outcome = try Self.outcome(review) { _ in [] }
        #expect(outcome.response == .allow(uid: try Fixtures.request(review).uid))
    }

    @Test("dryRun changes nothing in the response")
    func dryRun() throws {
        let wet = try Self.outcome("pod-create") { plan in plan.toVerify.map { Decisions.deny($0.image) } }
        let dry = try Self.outcome("pod-create-dryrun") { plan in plan.toVerify.map { Decisions.deny($0.image) } }
        #expect(dry.dryRun && !wet.dryRun)
        var echoed = dry.response
        echoed.uid = wet.response.uid
        #expect(echoed == wet.response)
    }

    @Test("control characters in an image cannot break the message onto new lines")
    func hostileImage() {
        let line = DenialMessage.line(Decisions.deny("evil\nInjected: line\u{1b}[31m"))
        #expect(!line.contains("\n"))
        #expect(!line.contains("\u{1b}"))
        #expect(line.hasPrefix("evil Injected: line [31m"))
    }
}
