import ATProto
import Foundation
import Testing
@testable import Admission

/// The pin-digests JSON Patch, built from a plan: which fields, which indexes, how escaped.
@Suite("pin-digests: the JSON Patch")
struct DigestPinPatchTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func request(_ object: String, operation: AdmissionOperation = .create, subResource: String? = nil, old: String? = nil) throws -> AdmissionRequest {
        AdmissionRequest(
            uid: "u", kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"), resource: GroupVersionResource(group: "", version: "v1", resource: "pods"),
            subResource: subResource, operation: operation, namespace: "prod", name: "p",
            object: try JSONParser().parse(Array(object.utf8)), oldObject: try old.map { try JSONParser().parse(Array($0.utf8)) })
    }

    static let pod = #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{
        "containers":[{"name":"app","image":"reg/app:v1"},{"name":"side","image":"reg/side:v2"},{"name":"again","image":"reg/app:v1"}],
        "initContainers":[{"name":"init","image":"reg/app:v1"}],
        "ephemeralContainers":[{"name":"debug","image":"reg/debug"}],
        "volumes":[{"name":"cfg","configMap":{"name":"c"}},{"name":"model","image":{"reference":"reg/app:v1"}}]}}
        """#

    @Test("RFC 6901: ~ becomes ~0 and / becomes ~1, in that order; the empty pointer is the document")
    func pointerEscaping() {
        #expect(JSONPointer(["spec", "containers", "0", "image"]).description == "/spec/containers/0/image")
        #expect(JSONPointer(["a/b", "m~n", "~1"]).description == "/a~1b/m~0n/~01")
        #expect(JSONPointer([""]).description == "/")
        #expect(JSONPointer([]).description == "")
    }

    @Test("every container and image volume naming a pinned image, at its own index and list; other images untouched")
    func indexes() throws {
        let request = try Self.request(Self.pod)
        let plan = AdmissionPlan(request: request)
        let pinned = "reg/app:v1@\(Self.digest)"
        let patch = DigestPinPatch(request: request, plan: plan, pinned: ["reg/app:v1": pinned, "reg/debug": "reg/debug@\(Self.digest)"])
        #expect(patch.pins.map(\.pointer.description) == [
            "/spec/containers/0/image", "/spec/containers/2/image", "/spec/initContainers/0/image", "/spec/ephemeralContainers/0/image",
            "/spec/volumes/1/image/reference",
        ])
        #expect(patch.pins.map(\.from) == ["reg/app:v1", "reg/app:v1", "reg/app:v1", "reg/debug", "reg/app:v1"])
        #expect(patch.pins.first?.to == pinned)
        let operations = try JSONParser().parse(Array(patch.json.utf8))
        guard case .array(let ops) = operations else { throw PatchTestError.notAnArray }
        #expect(ops.count == 10, "a test and a replace per container and image volume")
        #expect(ops.first == .object([
            JSONMember(name: "op", value: .string("test")), JSONMember(name: "path", value: .string("/spec/containers/0/image")),
            JSONMember(name: "value", value: .string("reg/app:v1")),
        ]))
        #expect(ops[1] == .object([
            JSONMember(name: "op", value: .string("replace")), JSONMember(name: "path", value: .string("/spec/containers/0/image")),
            JSONMember(name: "value", value: .string(pinned)),
        ]))
    }

    @Test("nothing pinned: an empty patch, and the response carries no patchType")
    func nothing() throws {
        let request = try Self.request(Self.pod)
        let patch = DigestPinPatch(request: request, plan: AdmissionPlan(request: request), pinned: [:])
        #expect(patch.isEmpty)
        let body = AdmissionResponse(uid: "u", allowed: true, patch: patch).body
        #expect(!body.contains("patch"))
    }

    @Test("the response: patchType JSONPatch, the patch as padded standard base64 of the operations")
    func response() throws {
        let request = try Self.request(Self.pod)
        let patch = DigestPinPatch(request: request, plan: AdmissionPlan(request: request), pinned: ["reg/side:v2": "reg/side:v2@\(Self.digest)"])
        let body = try JSONParser().parse(Array(AdmissionResponse(uid: "u", allowed: true, patch: patch).body.utf8))
        #expect(body["response"]?["patchType"] == .string("JSONPatch"))
        #expect(body["response"]?["allowed"] == .bool(true))
        guard case .string(let encoded)? = body["response"]?["patch"] else { throw PatchTestError.noPatch }
        #expect(encoded.utf8.count % 4 == 0, "Go's base64 wants padding")
        let decoded = try #require(Data(base64Encoded: encoded))
        #expect(String(decoding: decoded, as: UTF8.self) == patch.json)
    }

    @Test("workload templates: never patched; a Pod UPDATE: only the images it changes")
    func notApplicable() throws {
        let deployment = AdmissionRequest(
            uid: "u", kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
            resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), operation: .create, namespace: "prod",
            object: try JSONParser().parse(Array(#"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"reg/app:v1"}]}}}}"#.utf8)))
        let all: [ImageKey: String] = ["reg/app:v1": "reg/app:v1@\(Self.digest)", "reg/side:v2": "reg/side:v2@\(Self.digest)"]
        #expect(!DigestPinPatch.applies(to: deployment, plan: AdmissionPlan(request: deployment)))
        #expect(DigestPinPatch(request: deployment, plan: AdmissionPlan(request: deployment), pinned: all).isEmpty)
        // kubectl set image: side moves from v1 to v2; everything else stays.
        let update = try Self.request(Self.pod, operation: .update, old: Self.pod.replacingOccurrences(of: "reg/side:v2", with: "reg/side:v1"))
        let updated = DigestPinPatch(request: update, plan: AdmissionPlan(request: update), pinned: all)
        #expect(updated.pins.map(\.pointer.description) == ["/spec/containers/1/image"], "only the image the update changes")
        let relabel = try Self.request(Self.pod, operation: .update, old: Self.pod)
        #expect(DigestPinPatch(request: relabel, plan: AdmissionPlan(request: relabel), pinned: all).isEmpty)
    }

    @Test("kubectl debug (UPDATE of pods/ephemeralcontainers): only the new ephemeral container")
    func ephemeral() throws {
        let request = try Fixtures.request("pod-debug-ephemeral")
        let plan = AdmissionPlan(request: request)
        #expect(DigestPinPatch.applies(to: request, plan: plan))
        let patch = DigestPinPatch(request: request, plan: plan, pinned: ["busybox": "busybox@\(Self.digest)", "nginx": "nginx@\(Self.digest)"])
        #expect(patch.pins.map(\.pointer.description) == ["/spec/ephemeralContainers/0/image"])
    }

    @Test("an index comes from the path the extractor wrote, for containers and image volumes alike")
    func containerIndex() {
        #expect(ContainerRef(path: "spec.initContainers[12]", name: nil, list: .initContainers).index == 12)
        #expect(ContainerRef(path: "spec.volumes[1].image", name: "m", list: .volumes).index == 1)
        #expect(ContainerRef(path: "spec.template.spec.volumes[30].image", name: "m", list: .volumes).index == 30)
        #expect(ContainerRef(path: "spec.volumes[1]", name: "m", list: .volumes).index == nil)
        #expect(ContainerRef(path: "spec.containers[x]", name: nil, list: .containers).index == nil)
    }

    enum PatchTestError: Error { case notAnArray, noPatch }
}
