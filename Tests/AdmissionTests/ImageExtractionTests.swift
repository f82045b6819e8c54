import ATProto
import Testing
import TrustPolicy
@testable import Admission

/// Images from every workload kind, with the container paths that use them.
@Suite("Images from every workload kind")
struct ImageExtractionTests {
    struct KindCase: Sendable, CustomTestStringConvertible {
        let review: String
        let workload: WorkloadKind
        /// image → container paths, in first-use order.
        let images: [(String, [String])]
        var testDescription: String { review }
    }

    static let kindCases: [KindCase] = [
        KindCase(review: "pod-create", workload: .pod, images: [
            ("nginx", ["spec.containers[0]", "spec.initContainers[1]"]),
            ("atcr.io/alice/sidecar:v3", ["spec.containers[1]"]),
            ("atcr.io/alice/init:v1", ["spec.initContainers[0]"]),
        ]),
        KindCase(review: "deployment-create", workload: .deployment, images: [
            ("atcr.io/alice/prod-api:v1", ["spec.template.spec.containers[0]", "spec.template.spec.initContainers[0]"]),
            ("atcr.io/alice/sidecar:v3", ["spec.template.spec.containers[1]"]),
        ]),
        KindCase(review: "replicaset-create", workload: .replicaSet, images: [
            ("atcr.io/alice/prod-api:v1", ["spec.template.spec.containers[0]"]),
            ("atcr.io/alice/sidecar:v3", ["spec.template.spec.containers[1]"]),
        ]),
        KindCase(review: "statefulset-create", workload: .statefulSet, images: [
            ("atcr.io/alice/db:v5", ["spec.template.spec.containers[0]"]),
        ]),
        KindCase(review: "daemonset-create", workload: .daemonSet, images: [
            ("atcr.io/alice/agent:v1", ["spec.template.spec.containers[0]"]),
        ]),
        KindCase(review: "job-create", workload: .job, images: [
            ("atcr.io/alice/batch:v2", ["spec.template.spec.containers[0]"]),
        ]),
        KindCase(review: "cronjob-create", workload: .cronJob, images: [
            ("atcr.io/alice/cron@sha256:1111111111111111111111111111111111111111111111111111111111111111",
             ["spec.jobTemplate.spec.template.spec.containers[0]"]),
            ("atcr.io/alice/fetch:v1", ["spec.jobTemplate.spec.template.spec.initContainers[0]"]),
        ]),
        KindCase(review: "replicationcontroller-create", workload: .replicationController, images: [
            ("atcr.io/alice/legacy:v1", ["spec.template.spec.containers[0]"]),
        ]),
    ]

    @Test("each kind: every image once, with every container path that uses it", arguments: kindCases)
    func kind(_ testCase: KindCase) throws {
        let plan = AdmissionPlan(request: try Fixtures.request(testCase.review))
        #expect(plan.disposition == .verify)
        #expect(plan.workload == testCase.workload)
        #expect(plan.toVerify.map(\.image) == testCase.images.map(\.0))
        #expect(plan.toVerify.map { $0.containers.map(\.path) } == testCase.images.map(\.1))
        #expect(plan.unchanged.isEmpty)
        #expect(plan.needsVerification)
    }

    @Test("container names and lists are kept")
    func containerDetails() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("pod-create"))
        let nginx = try #require(plan.toVerify.first)
        #expect(nginx.containers == [
            ContainerRef(path: "spec.containers[0]", name: "p", list: .containers),
            ContainerRef(path: "spec.initContainers[1]", name: "warmup", list: .initContainers),
        ])
    }

    @Test("the subject names the object; a CREATE has no uid yet")
    func subject() throws {
        let create = AdmissionPlan(request: try Fixtures.request("deployment-create")).subject
        #expect(create == ObjectReference(apiVersion: "apps/v1", kind: "Deployment", namespace: "production", name: "d", uid: nil))
        let update = AdmissionPlan(request: try Fixtures.request("deployment-scale")).subject
        #expect(update.uid == "0b7c5d9e-3a41-4c55-9a57-7f0e8f1d2c3b")
    }

    @Test("a CREATE with generateName and no name: the object's name, else the prefix")
    func generatedNames() throws {
        var request = try Fixtures.request("pod-create")
        request.name = nil
        request.object = request.object?.replacing(["metadata", "name"], with: .string("d-5d4f8c7b9-x2x7q"))
        #expect(AdmissionPlan(request: request).subject.name == "d-5d4f8c7b9-x2x7q")
        request.object = request.object?
            .replacing(["metadata", "name"], with: nil)
            .replacing(["metadata", "generateName"], with: .string("d-5d4f8c7b9-"))
        #expect(AdmissionPlan(request: request).subject.name == "d-5d4f8c7b9-")
    }

    @Test("the legacy EphemeralContainers subresource object (API servers before 1.25)")
    func legacyEphemeralContainers() throws {
        var request = try Fixtures.request("pod-debug-ephemeral")
        request.kind = GroupVersionKind(group: "", version: "v1", kind: "EphemeralContainers")
        func object(_ images: [String]) -> JSONValue {
            .object([
                JSONMember(name: "kind", value: .string("EphemeralContainers")),
                JSONMember(name: "ephemeralContainers", value: .array(images.enumerated().map { index, image in
                    .object([JSONMember(name: "name", value: .string("debugger-\(index)")), JSONMember(name: "image", value: .string(image))])
                })),
            ])
        }
        request.object = object(["busybox", "alpine"])
        request.oldObject = object(["busybox"])
        let plan = AdmissionPlan(request: request)
        #expect(plan.toVerify.map(\.image) == ["alpine"])
        #expect(plan.toVerify.first?.containers.map(\.path) == ["ephemeralContainers[1]"])
        #expect(plan.unchanged.map(\.image) == ["busybox"])
        // Outside the subresource the kind means nothing.
        request.subResource = nil
        #expect(AdmissionPlan(request: request).disposition == .allowUnchecked(.notAWorkload(request.kind)))
    }

    struct UncheckedCase: Sendable, CustomTestStringConvertible {
        let review: String
        let mutate: @Sendable (inout AdmissionRequest) -> Void
        let reason: @Sendable (AdmissionRequest) -> UncheckedReason
        var testDescription: String { review }
    }

    static let uncheckedCases: [UncheckedCase] = [
        UncheckedCase(review: "pod-delete", mutate: { _ in }, reason: { _ in .operation(.delete) }),
        UncheckedCase(review: "pod-exec-connect", mutate: { _ in }, reason: { _ in .operation(.connect) }),
        UncheckedCase(review: "configmap-create", mutate: { _ in },
                      reason: { .notAWorkload($0.kind) }),
        UncheckedCase(review: "pod-finalizer-removal", mutate: { _ in }, reason: { _ in .beingDeleted }),
        UncheckedCase(review: "pod-create", mutate: { $0.subResource = "status" }, reason: { _ in .subresource("status") }),
        // A Deployment kind in another group is somebody's custom resource.
        UncheckedCase(review: "deployment-create", mutate: { $0.kind.group = "example.com" },
                      reason: { .notAWorkload($0.kind) }),
    ]

    @Test("allowed without looking, with the reason", arguments: uncheckedCases)
    func unchecked(_ testCase: UncheckedCase) throws {
        var request = try Fixtures.request(testCase.review)
        testCase.mutate(&request)
        let plan = AdmissionPlan(request: request)
        #expect(plan.disposition == .allowUnchecked(testCase.reason(request)))
        #expect(plan.toVerify.isEmpty)
        #expect(!plan.needsVerification)
    }

    @Test("the finalizer-removal UPDATE introduces a new image, yet deletionTimestamp admits it")
    func deletionTimestampWins() throws {
        let request = try Fixtures.request("pod-finalizer-removal")
        let images = ImageExtractor(kind: .pod).extract(from: try #require(request.object)).imageKeys
        #expect(images.contains("atcr.io/mallory/evil:v1"))
        #expect(AdmissionPlan(request: request).disposition == .allowUnchecked(.beingDeleted))
    }

    @Test("a deletionTimestamp the requester wrote skips nothing: on a CREATE (the API server clears it only after admission), or on an UPDATE whose stored object has none")
    func requesterDeletionTimestamp() throws {
        let stamp = JSONValue.string("2030-01-01T00:00:00Z")
        var create = try Fixtures.request("pod-create")
        create.object = create.object?.replacing(["metadata", "deletionTimestamp"], with: stamp)
        #expect(AdmissionPlan(request: create).disposition == .verify)
        #expect(!AdmissionPlan(request: create).toVerify.isEmpty)

        var update = try Fixtures.request("pod-finalizer-removal")
        update.oldObject = update.oldObject?.replacing(["metadata", "deletionTimestamp"], with: nil)
        let plan = AdmissionPlan(request: update)
        #expect(plan.disposition == .verify)
        #expect(plan.toVerify.map(\.image).contains("atcr.io/mallory/evil:v1"))
    }

    @Test("images compare byte for byte: a Kelvin sign is not a K, on UPDATE or within one object")
    func exactImageBytes() throws {
        var request = try Fixtures.request("pod-create")
        let ascii = "atcr.io/alice/app:vK", kelvin = "atcr.io/alice/app:v\u{212A}"
        #expect(ascii == kelvin, "Swift String equality is canonical equivalence: the reason for comparing bytes")
        func pod(_ images: [String]) -> JSONValue {
            .object([JSONMember(name: "metadata", value: .object([])), JSONMember(name: "spec", value: .object([
                JSONMember(name: "containers", value: .array(images.enumerated().map { index, image in
                    .object([JSONMember(name: "name", value: .string("c\(index)")), JSONMember(name: "image", value: .string(image))])
                })),
            ]))])
        }
        request.object = pod([ascii, kelvin])
        let both = AdmissionPlan(request: request)
        #expect(both.toVerify.map { Array($0.image.utf8) } == [Array(ascii.utf8), Array(kelvin.utf8)], "two images, each verified")

        request.operation = .update
        request.oldObject = pod([ascii])
        request.object = pod([kelvin])
        let update = AdmissionPlan(request: request)
        #expect(update.toVerify.map { Array($0.image.utf8) } == [Array(kelvin.utf8)], "the changed image is verified, not taken as unchanged")
        #expect(update.unchanged.isEmpty)

        // The response pairs each image with its own decision, and a pin for one spelling never
        // rewrites the other.
        request.operation = .create
        request.oldObject = nil
        request.object = pod([ascii, kelvin])
        let decisions = [
            ImageDecision(use: both.toVerify[1], decision: PolicyDecision(verdict: .deny, results: [], reason: "the Kelvin spelling is denied")),
            ImageDecision(use: both.toVerify[0], decision: PolicyDecision(verdict: .allow, results: [], reason: "the ASCII spelling is admitted")),
        ]
        let outcome = AdmissionOutcome(request: request, plan: both, decisions: decisions)
        #expect(outcome.decisions.map(\.decision.reason) == ["the ASCII spelling is admitted", "the Kelvin spelling is denied"])
        #expect(outcome.response.allowed == false, "the Kelvin spelling's denial is not lost to the ASCII spelling's allow")
        // The order that once admitted both: the ASCII allow first, then the Kelvin deny.
        let reversed = AdmissionOutcome(request: request, plan: both, decisions: decisions.reversed())
        #expect(reversed.response.allowed == false, "the ASCII spelling's allow does not stand in for the Kelvin spelling")
        let patch = DigestPinPatch(request: request, plan: both, pinned: [ImageKey(ascii): "atcr.io/alice/app@sha256:" + String(repeating: "ab", count: 32)])
        #expect(patch.pins.map(\.pointer.description) == ["/spec/containers/0/image"], "only the ASCII spelling is pinned")
    }

    @Test("a deletionTimestamp that is not a non-empty string does not skip verification")
    func bogusDeletionTimestamp() throws {
        var request = try Fixtures.request("pod-create")
        for stamp: JSONValue in [.string(""), .number("1"), .null, .bool(true)] {
            request.object = request.object?.replacing(["metadata", "deletionTimestamp"], with: stamp)
            #expect(AdmissionPlan(request: request).disposition == .verify)
        }
    }

    @Test("reasons read well")
    func reasonText() {
        #expect(UncheckedReason.operation(.delete).description == "DELETE requests start no containers")
        #expect(UncheckedReason.notAWorkload(GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")).description
            == "v1 ConfigMap names no container images")
        #expect(UncheckedReason.subresource("status").description == "the status subresource cannot change container images")
    }

    @Test("a pod spec with no containers at all has nothing to verify")
    func noContainers() throws {
        var request = try Fixtures.request("pod-create")
        request.object = request.object?
            .replacing(["spec", "containers"], with: .array([]))
            .replacing(["spec", "initContainers"], with: nil)
        let plan = AdmissionPlan(request: request)
        #expect(plan.disposition == .verify)
        #expect(plan.toVerify.isEmpty)
        #expect(!plan.needsVerification)
    }
}
