import ATProto
import Testing
@testable import Admission

/// UPDATE verifies only images that are not already in `oldObject`.
@Suite("UPDATE: only new images are verified")
struct UpdateDiffTests {
    @Test("a replicas change verifies nothing; both images are reported unchanged")
    func scale() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("deployment-scale"))
        #expect(plan.disposition == .verify)
        #expect(plan.toVerify.isEmpty)
        #expect(!plan.needsVerification)
        #expect(plan.unchanged.map(\.image) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3"])
        #expect(plan.unchanged.first?.containers.map(\.path)
            == ["spec.template.spec.containers[0]", "spec.template.spec.initContainers[0]"])
    }

    @Test("a new sidecar image: only it is verified")
    func newImage() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("deployment-new-sidecar"))
        #expect(plan.toVerify.map(\.image) == ["atcr.io/alice/sidecar:v4"])
        #expect(plan.toVerify.first?.containers.map(\.path) == ["spec.template.spec.containers[1]"])
        #expect(plan.unchanged.map(\.image) == ["atcr.io/alice/prod-api:v1"])
    }

    @Test("kubectl debug: only the new ephemeral container's image is verified")
    func ephemeralDebug() throws {
        let plan = AdmissionPlan(request: try Fixtures.request("pod-debug-ephemeral"))
        #expect(plan.workload == .pod)
        #expect(plan.toVerify == [ImageUse(image: "busybox", containers: [
            ContainerRef(path: "spec.ephemeralContainers[0]", name: "debugger-7xk2p", list: .ephemeralContainers),
        ])])
        #expect(plan.unchanged.map(\.image) == ["nginx"])
    }

    @Test("an image moved between lists is still unchanged; a CREATE ignores any oldObject")
    func movedAndCreate() throws {
        var request = try Fixtures.request("deployment-new-sidecar")
        // The new object uses the old sidecar image as an init container as well.
        request.object = request.object?.replacing(["spec", "template", "spec", "initContainers", "#0", "image"],
                                                   with: .string("atcr.io/alice/sidecar:v3"))
        var plan = AdmissionPlan(request: request)
        #expect(plan.toVerify.map(\.image) == ["atcr.io/alice/sidecar:v4"])
        #expect(Set(plan.unchanged.map(\.image)) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3"])

        request.operation = .create
        plan = AdmissionPlan(request: request)
        #expect(plan.unchanged.isEmpty)
        #expect(plan.toVerify.count == 3)
    }

    @Test("an UPDATE without oldObject verifies everything")
    func missingOldObject() throws {
        var request = try Fixtures.request("deployment-scale")
        request.oldObject = nil
        let plan = AdmissionPlan(request: request)
        #expect(plan.toVerify.count == 2)
        #expect(plan.unchanged.isEmpty)
    }

    @Test("images compare as written: a respelled reference is a new image")
    func exactComparison() throws {
        var request = try Fixtures.request("pod-debug-ephemeral")
        request.object = request.object?.replacing(["spec", "ephemeralContainers", "#0", "image"],
                                                   with: .string("docker.io/library/nginx:latest"))
        let plan = AdmissionPlan(request: request)
        #expect(plan.toVerify.map(\.image) == ["docker.io/library/nginx:latest"])
    }
}
