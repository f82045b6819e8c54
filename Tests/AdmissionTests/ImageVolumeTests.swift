import ATProto
import Testing
import TrustPolicy
@testable import Admission

/// Image volumes (`volumes[].image.reference`, Kubernetes ImageVolume): the kubelet pulls them
/// like container images, so they are checked like container images.
@Suite("Image volumes are checked like containers")
struct ImageVolumeTests {
    @Test("a Pod with image volumes: each image once, with the volume's field path and name")
    func podCreate() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("pod-image-volume-create"))
        #expect(plan.disposition == .verify)
        #expect(plan.toVerify == [
            ImageUse(image: "atcr.io/alice/prod-api:v1", containers: [
                ContainerRef(path: "spec.containers[0]", name: "inference", list: .containers),
                ContainerRef(path: "spec.volumes[3].image", name: "tools", list: .volumes),
            ]),
            ImageUse(image: "atcr.io/alice/prod-models:v2", containers: [
                ContainerRef(path: "spec.volumes[1].image", name: "models", list: .volumes),
            ]),
        ])
    }

    @Test("UPDATE: only an image volume that is new is verified; one already used is unchanged")
    func updateDiff() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("deployment-image-volume"))
        #expect(plan.toVerify.map(\.image) == ["atcr.io/alice/prod-models:v2"])
        #expect(plan.toVerify.first?.containers.map(\.path) == ["spec.template.spec.volumes[0].image"])
        #expect(plan.unchanged.map(\.image) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3"])
        #expect(plan.unchanged.last?.containers.map(\.path)
            == ["spec.template.spec.containers[1]", "spec.template.spec.volumes[1].image"])
    }

    @Test("UPDATE: a volume image already used by a container of oldObject is unchanged")
    func volumeImageSeenAsContainer() throws {
        var request = try Fixtures.request("deployment-image-volume")
        request.object = request.object?.replacing(
            ["spec", "template", "spec", "volumes", "#0", "image", "reference"], with: .string("atcr.io/alice/prod-api:v1"))
        let plan = AdmissionPlan(request: request)
        #expect(plan.toVerify.isEmpty)
        #expect(!plan.needsVerification)
    }

    @Test("every workload kind: an image volume in its pod spec is verified, at its path", arguments: ImageExtractionTests.kindCases)
    func everyKind(_ testCase: ImageExtractionTests.KindCase) throws {
        var request = try Fixtures.request(testCase.review)
        let specPath = testCase.workload.podSpecPath
        request.object = request.object?.replacing(specPath + ["volumes"], with: .array([
            .object([JSONMember(name: "name", value: .string("cache")), JSONMember(name: "emptyDir", value: .object([]))]),
            .object([
                JSONMember(name: "name", value: .string("models")),
                JSONMember(name: "image", value: .object([JSONMember(name: "reference", value: .string("atcr.io/mallory/models:v1"))])),
            ]),
        ]))
        let plan = AdmissionPlan(request: request)
        #expect(plan.disposition == .verify)
        let use = try #require(plan.toVerify.first { $0.image == "atcr.io/mallory/models:v1" })
        #expect(use.containers == [
            ContainerRef(path: (specPath + ["volumes[1]", "image"]).joined(separator: "."), name: "models", list: .volumes),
        ])
        // The containers are still there, before the volume.
        #expect(plan.toVerify.map(\.image) == testCase.images.map(\.0) + ["atcr.io/mallory/models:v1"])
    }

    @Test("volumes without an image source, and an absent or null list, name no image")
    func otherVolumes() throws {
        var request = try Fixtures.request("pod-create")
        for volumes: JSONValue? in [nil, .null, .array([]), .array([.object([JSONMember(name: "name", value: .string("x")),
                                                                           JSONMember(name: "image", value: .null)])])] {
            request.object = request.object?.replacing(["spec", "volumes"], with: volumes)
            let plan = AdmissionPlan(request: request)
            #expect(plan.disposition == .verify)
            #expect(plan.toVerify.map(\.image) == ["nginx", "atcr.io/alice/sidecar:v3", "atcr.io/alice/init:v1"])
        }
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let volumes: JSONValue
        let problem: ObjectProblem
        var testDescription: String { problem.description }
    }

    static func volume(_ image: JSONValue) -> JSONValue {
        .array([.object([JSONMember(name: "name", value: .string("models")), JSONMember(name: "image", value: image)])])
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(volumes: .string("models"), problem: ObjectProblem(path: "spec.volumes", reason: "must be an array, not string")),
        InvalidCase(volumes: .array([.number("1")]), problem: ObjectProblem(path: "spec.volumes[0]", reason: "must be an object, not number")),
        InvalidCase(volumes: volume(.string("atcr.io/a/b")),
                    problem: ObjectProblem(path: "spec.volumes[0].image", reason: "must be an object, not string")),
        InvalidCase(volumes: volume(.object([])),
                    problem: ObjectProblem(path: "spec.volumes[0].image.reference", reason: "is missing; an image volume needs a reference")),
        InvalidCase(volumes: volume(.object([JSONMember(name: "reference", value: .number("7"))])),
                    problem: ObjectProblem(path: "spec.volumes[0].image.reference", reason: "must be a string, not number")),
        InvalidCase(volumes: volume(.object([JSONMember(name: "reference", value: .string("  "))])),
                    problem: ObjectProblem(path: "spec.volumes[0].image.reference", reason: "is empty; an image volume needs a reference")),
        InvalidCase(volumes: volume(.object([JSONMember(name: "reference", value: .string(" atcr.io/a/b"))])),
                    problem: ObjectProblem(path: "spec.volumes[0].image.reference", reason: "has leading or trailing whitespace")),
    ]

    @Test("a malformed image volume makes the object invalid, with the field path", arguments: invalidCases)
    func invalid(_ testCase: InvalidCase) throws {
        var request = try Fixtures.request("pod-create")
        request.object = request.object?.replacing(["spec", "volumes"], with: testCase.volumes)
        #expect(AdmissionPlan(request: request).disposition == .rejectInvalid([testCase.problem]))
    }

    @Test("an unsigned in-scope volume image denies the pod; audit line and Event name the volume")
    func decidedByPolicy() throws {
        let outcome = try PolicyIntegrationTests.run(review: "pod-image-volume-create") { use in
            use.image == "atcr.io/alice/prod-models:v2" ? ([], nil) : ([SignatureEvidence(did: Decisions.alice, status: .verified)], nil)
        }
        #expect(outcome.response.allowed == false)
        #expect(outcome.response.status?.message
            == "atcr.io/alice/prod-models:v2 (\(PolicyIntegrationTests.digest)) violates policy production-images: no signature found")
        let line = try #require(outcome.auditEvents(at: PolicyIntegrationTests.now).first { $0.image == "atcr.io/alice/prod-models:v2" })
        #expect(line.result == .deny)
        #expect(line.containers == ["spec.volumes[1].image"])
        let event = try #require(outcome.kubernetesEvents(at: PolicyIntegrationTests.now, reportingInstance: "w").first)
        #expect(event.note.contains("spec.volumes[1].image"))
    }
}
