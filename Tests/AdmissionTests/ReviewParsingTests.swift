import ATProto
import Testing
@testable import Admission

@Suite("Parsing AdmissionReview v1 requests")
struct ReviewParsingTests {
    @Test("every fixture review parses")
    func everyFixtureParses() throws {
        let names = try Fixtures.reviewNames()
        #expect(names.count == 18)
        for name in names {
            let request = try Fixtures.request(name)
            #expect(!request.uid.isEmpty, "\(name)")
            #expect(request.namespace == "production", "\(name)")
            #expect(request.username == "alice@example.com", "\(name)")
        }
    }

    @Test("a Pod CREATE: every field read")
    func podCreate() throws {
        let request = try Fixtures.request("pod-create")
        #expect(request.uid == "005bdd7b-40bb-ab13-0e1b-3ac79191c3cf")
        #expect(request.kind == GroupVersionKind(group: "", version: "v1", kind: "Pod"))
        #expect(request.kind.apiVersion == "v1")
        #expect(request.resource == GroupVersionResource(group: "", version: "v1", resource: "pods"))
        #expect(request.subResource == nil)
        #expect(request.operation == .create)
        #expect(request.name == "p")
        #expect(request.dryRun == false)
        #expect(request.object?["kind"] == .string("Pod"))
        #expect(request.oldObject == nil)
        #expect(request.options?["kind"] == .string("CreateOptions"))
    }

    @Test("the kubectl debug shape: UPDATE of pods with subResource ephemeralcontainers")
    func ephemeralSubresource() throws {
        let request = try Fixtures.request("pod-debug-ephemeral")
        #expect(request.operation == .update)
        #expect(request.subResource == "ephemeralcontainers")
        #expect(request.kind.kind == "Pod")
        #expect(request.object?["spec"]?["ephemeralContainers"] != nil)
        #expect(request.oldObject?["spec"]?["ephemeralContainers"] == nil)
    }

    @Test("apps and batch groups, dryRun, DELETE and CONNECT")
    func groupsAndOperations() throws {
        let deployment = try Fixtures.request("deployment-create")
        #expect(deployment.kind.apiVersion == "apps/v1")
        #expect(deployment.resource.description == "apps/v1 deployments")
        #expect(try Fixtures.request("cronjob-create").kind.apiVersion == "batch/v1")
        #expect(try Fixtures.request("pod-create-dryrun").dryRun)
        let delete = try Fixtures.request("pod-delete")
        #expect(delete.operation == .delete)
        #expect(delete.object == nil)
        #expect(delete.oldObject != nil)
        let connect = try Fixtures.request("pod-exec-connect")
        #expect(connect.operation == .connect)
        #expect(connect.subResource == "exec")
        #expect(connect.kind.kind == "PodExecOptions")
    }

    @Test("optional fields may be absent or null; empty strings read as absent")
    func optionalFields() throws {
        let review = try Fixtures.review(replacing: [
            "userInfo": nil, "dryRun": .null, "namespace": .string(""), "name": nil,
            "subResource": .string(""), "options": .null, "oldObject": nil,
        ])
        let request = try AdmissionReview.parseRequest(review.bytes)
        #expect(request.username == nil)
        #expect(request.dryRun == false)
        #expect(request.namespace == nil)
        #expect(request.name == nil)
        #expect(request.subResource == nil)
        #expect(request.options == nil)
    }

    @Test("the core group may be omitted from kind and resource")
    func coreGroupOmitted() throws {
        let review = try Fixtures.review(replacing: [
            "kind": .object([JSONMember(name: "version", value: .string("v1")), JSONMember(name: "kind", value: .string("Pod"))]),
        ])
        #expect(try AdmissionReview.parseRequest(review.bytes).kind.group == "")
    }

    @Test("the size limit is a parameter; a body exactly at the limit is accepted")
    func sizeLimitParameter() throws {
        let bytes = try Fixtures.reviewBytes("pod-create")
        #expect(try AdmissionReview.parseRequest(bytes, maxBodyBytes: bytes.count).uid.isEmpty == false)
        #expect(throws: AdmissionReviewError.bodyTooLarge(size: bytes.count, limit: bytes.count - 1)) {
            try AdmissionReview.parseRequest(bytes, maxBodyBytes: bytes.count - 1)
        }
        #expect(AdmissionReview.defaultMaxBodyBytes == 8 * 1024 * 1024)
    }

    @Test("nesting up to the bound parses, one more level is refused")
    func depthBoundary() throws {
        // The envelope and request are 2 levels; pad the object with nested arrays.
        func review(extraDepth: Int) throws -> [UInt8] {
            var value = JSONValue.string("x")
            for _ in 0..<extraDepth { value = .array([value]) }
            let object = JSONValue.object([JSONMember(name: "deep", value: value)])
            return try Fixtures.review("configmap-create", replacing: ["object": object]).bytes
        }
        // envelope (1) + request (2) + object (3) + arrays.
        _ = try AdmissionReview.parseRequest(try review(extraDepth: 7), maxDepth: 10)
        #expect(throws: AdmissionReviewError.nestedTooDeep(limit: 10)) {
            try AdmissionReview.parseRequest(try review(extraDepth: 8), maxDepth: 10)
        }
    }
}
