import ATProto
import Testing
@testable import Admission

/// Decision (documented on `ObjectProblem`): a malformed container spec — no image, an empty
/// or padded image, wrong JSON types on the path to the images — is invalid input. The API
/// server rejects such objects before validating webhooks run, so one that arrives is refused
/// (HTTP 200 with `allowed: false`, `status.code` 400, naming every problem), never guessed at.
@Suite("Invalid objects")
struct InvalidObjectTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let review: String
        let path: [String]
        let value: JSONValue?
        let problems: [ObjectProblem]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "empty image", review: "pod-create", path: ["spec", "containers", "#1", "image"], value: .string(""),
             problems: [ObjectProblem(path: "spec.containers[1].image", reason: "is empty; every container needs an image")]),
        Case(label: "blank image", review: "pod-create", path: ["spec", "containers", "#1", "image"], value: .string("  "),
             problems: [ObjectProblem(path: "spec.containers[1].image", reason: "is empty; every container needs an image")]),
        Case(label: "padded image", review: "pod-create", path: ["spec", "initContainers", "#0", "image"], value: .string(" nginx"),
             problems: [ObjectProblem(path: "spec.initContainers[0].image", reason: "has leading or trailing whitespace")]),
        Case(label: "missing image", review: "deployment-create", path: ["spec", "template", "spec", "containers", "#0", "image"], value: nil,
             problems: [ObjectProblem(path: "spec.template.spec.containers[0].image", reason: "is missing; every container needs an image")]),
        Case(label: "null image", review: "job-create", path: ["spec", "template", "spec", "containers", "#0", "image"], value: .null,
             problems: [ObjectProblem(path: "spec.template.spec.containers[0].image", reason: "is missing; every container needs an image")]),
        Case(label: "numeric image", review: "pod-create", path: ["spec", "containers", "#0", "image"], value: .number("5"),
             problems: [ObjectProblem(path: "spec.containers[0].image", reason: "must be a string, not number")]),
        Case(label: "containers an object", review: "pod-create", path: ["spec", "containers"], value: .object([]),
             problems: [ObjectProblem(path: "spec.containers", reason: "must be an array, not object")]),
        Case(label: "container a string", review: "pod-create", path: ["spec", "containers"], value: .array([.string("nginx")]),
             problems: [ObjectProblem(path: "spec.containers[0]", reason: "must be an object, not string")]),
        Case(label: "container name a number", review: "pod-create", path: ["spec", "containers", "#0", "name"], value: .number("1"),
             problems: [ObjectProblem(path: "spec.containers[0].name", reason: "must be a string, not number")]),
        Case(label: "missing pod spec", review: "pod-create", path: ["spec"], value: nil,
             problems: [ObjectProblem(path: "spec", reason: "is missing")]),
        Case(label: "missing jobTemplate", review: "cronjob-create", path: ["spec", "jobTemplate"], value: nil,
             problems: [ObjectProblem(path: "spec.jobTemplate", reason: "is missing")]),
        Case(label: "template a string", review: "statefulset-create", path: ["spec", "template"], value: .string("x"),
             problems: [ObjectProblem(path: "spec.template", reason: "must be an object, not string")]),
        Case(label: "missing object on CREATE", review: "pod-create", path: [], value: nil,
             problems: [ObjectProblem(path: "request.object", reason: "is missing on a CREATE")]),
    ]

    @Test("each malformation is named by path", arguments: cases)
    func problem(_ testCase: Case) throws {
        var request = try Fixtures.request(testCase.review)
        request.object = testCase.path.isEmpty ? nil : request.object?.replacing(testCase.path, with: testCase.value)
        let plan = AdmissionPlan(request: request)
        #expect(plan.disposition == .rejectInvalid(testCase.problems))
        #expect(plan.toVerify.isEmpty)
    }

    @Test("every problem is reported, not just the first")
    func allProblems() throws {
        var request = try Fixtures.request("pod-create")
        request.object = request.object?
            .replacing(["spec", "containers", "#0", "image"], with: .string(""))
            .replacing(["spec", "initContainers", "#1", "image"], with: nil)
        #expect(AdmissionPlan(request: request).disposition == .rejectInvalid([
            ObjectProblem(path: "spec.containers[0].image", reason: "is empty; every container needs an image"),
            ObjectProblem(path: "spec.initContainers[1].image", reason: "is missing; every container needs an image"),
        ]))
    }

    @Test("a malformed oldObject does not make the UPDATE invalid; every image is verified")
    func malformedOldObject() throws {
        var request = try Fixtures.request("deployment-scale")
        request.oldObject = request.oldObject?.replacing(["spec", "template"], with: .string("garbage"))
        let plan = AdmissionPlan(request: request)
        #expect(plan.disposition == .verify)
        #expect(plan.toVerify.map(\.image) == ["atcr.io/alice/prod-api:v1", "atcr.io/alice/sidecar:v3"])
        #expect(plan.unchanged.isEmpty)
    }
}
