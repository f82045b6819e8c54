import ATProto
import Testing
@testable import Admission

/// Every class of bad input gets its own typed error (each with a distinct `code`) that the
/// server turns into HTTP 400 with a JSON body naming the problem.
@Suite("Bad AdmissionReview input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let body: [UInt8]
        let expected: AdmissionReviewError
        var testDescription: String { label }
    }

    static func reviewWith(_ changes: [String: JSONValue?]) -> [UInt8] {
        (try? Fixtures.review(replacing: changes).bytes) ?? []
    }

    static func envelope(_ members: [String: JSONValue]) -> [UInt8] {
        JSONValue.object(members.sorted { $0.key < $1.key }.map { JSONMember(name: $0.key, value: $0.value) }).bytes
    }

    static let request: JSONValue = .object([])
    static let v1 = JSONValue.string("admission.k8s.io/v1")
    static let reviewKind = JSONValue.string("AdmissionReview")

    static let cases: [Case] = [
        Case(label: "empty body", body: [], expected: .emptyBody),
        Case(label: "whitespace only", body: Array(" \n\t ".utf8), expected: .emptyBody),
        Case(label: "not JSON", body: Array("hello".utf8), expected: .invalidJSON(offset: 0, reason: "invalid number")),
        Case(label: "truncated JSON", body: Array("{\"apiVersion\":".utf8), expected: .invalidJSON(offset: 14, reason: "unexpected end of input")),
        Case(label: "duplicate key", body: Array("{\"kind\":\"a\",\"kind\":\"b\"}".utf8),
             expected: .invalidJSON(offset: 18, reason: "duplicate member name 'kind'")),
        Case(label: "null", body: Array("null".utf8), expected: .nullDocument),
        Case(label: "top-level array", body: Array("[]".utf8), expected: .notAnObject(found: "array")),
        Case(label: "top-level string", body: Array("\"review\"".utf8), expected: .notAnObject(found: "string")),
        Case(label: "missing apiVersion", body: envelope(["kind": reviewKind, "request": request]), expected: .wrongAPIVersion(found: nil)),
        Case(label: "v1beta1", body: envelope(["apiVersion": .string("admission.k8s.io/v1beta1"), "kind": reviewKind, "request": request]),
             expected: .wrongAPIVersion(found: "admission.k8s.io/v1beta1")),
        Case(label: "apiVersion not a string", body: envelope(["apiVersion": .number("1"), "kind": reviewKind]),
             expected: .wrongType(path: "apiVersion", expected: "a string", found: "number")),
        Case(label: "wrong kind", body: envelope(["apiVersion": v1, "kind": .string("Pod"), "request": request]),
             expected: .wrongKind(found: "Pod")),
        Case(label: "missing kind", body: envelope(["apiVersion": v1, "request": request]), expected: .wrongKind(found: nil)),
        Case(label: "missing request", body: envelope(["apiVersion": v1, "kind": reviewKind]), expected: .missingRequest),
        Case(label: "null request", body: envelope(["apiVersion": v1, "kind": reviewKind, "request": .null]), expected: .missingRequest),
        Case(label: "request not an object", body: envelope(["apiVersion": v1, "kind": reviewKind, "request": .array([])]),
             expected: .wrongType(path: "request", expected: "an object", found: "array")),
        Case(label: "missing uid", body: reviewWith(["uid": nil]), expected: .missingField(path: "request.uid")),
        Case(label: "empty uid", body: reviewWith(["uid": .string("")]), expected: .emptyField(path: "request.uid")),
        Case(label: "uid not a string", body: reviewWith(["uid": .number("42")]),
             expected: .wrongType(path: "request.uid", expected: "a string", found: "number")),
        Case(label: "missing kind object", body: reviewWith(["kind": nil]), expected: .missingField(path: "request.kind")),
        Case(label: "kind.kind a boolean", body: reviewWith(["kind": .object([
            JSONMember(name: "group", value: .string("")), JSONMember(name: "version", value: .string("v1")),
            JSONMember(name: "kind", value: .bool(true)),
        ])]), expected: .wrongType(path: "request.kind.kind", expected: "a string", found: "boolean")),
        Case(label: "resource a string", body: reviewWith(["resource": .string("pods")]),
             expected: .wrongType(path: "request.resource", expected: "an object", found: "string")),
        Case(label: "missing operation", body: reviewWith(["operation": nil]), expected: .missingField(path: "request.operation")),
        Case(label: "unknown operation", body: reviewWith(["operation": .string("PATCH")]), expected: .unknownOperation("PATCH")),
        Case(label: "namespace a number", body: reviewWith(["namespace": .number("7")]),
             expected: .wrongType(path: "request.namespace", expected: "a string", found: "number")),
        Case(label: "dryRun a string", body: reviewWith(["dryRun": .string("true")]),
             expected: .wrongType(path: "request.dryRun", expected: "a boolean", found: "string")),
        Case(label: "userInfo.username an array", body: reviewWith(["userInfo": .object([JSONMember(name: "username", value: .array([]))])]),
             expected: .wrongType(path: "request.userInfo.username", expected: "a string", found: "array")),
        Case(label: "object an array", body: reviewWith(["object": .array([])]),
             expected: .wrongType(path: "request.object", expected: "an object", found: "array")),
        Case(label: "oldObject a string", body: reviewWith(["oldObject": .string("{}")]),
             expected: .wrongType(path: "request.oldObject", expected: "an object", found: "string")),
        Case(label: "deep nesting", body: Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8),
             expected: .nestedTooDeep(limit: 64)),
        Case(label: "deep nesting, unterminated", body: Array(String(repeating: "{\"a\":", count: 100_000).utf8),
             expected: .nestedTooDeep(limit: 64)),
        Case(label: "oversized", body: Array(repeating: UInt8(ascii: " "), count: AdmissionReview.defaultMaxBodyBytes + 1),
             expected: .bodyTooLarge(size: AdmissionReview.defaultMaxBodyBytes + 1, limit: AdmissionReview.defaultMaxBodyBytes)),
    ]

    @Test("each bad input yields its own typed error", arguments: cases)
    func typedError(_ testCase: Case) {
        #expect(throws: testCase.expected) { try AdmissionReview.parseRequest(testCase.body) }
    }

    @Test("the error's JSON body names the code, the field and the problem", arguments: cases)
    func jsonBody(_ testCase: Case) throws {
        let body = testCase.expected.jsonBody
        let parsed = try JSONParser().parse(Array(body.utf8))
        #expect(parsed["error"] == .string(testCase.expected.code))
        #expect(parsed["message"] == .string(testCase.expected.description))
        #expect(parsed["field"] == testCase.expected.field.map { .string($0) })
        #expect(testCase.expected.httpStatus == 400)
    }

    @Test("messages a person can act on")
    func messages() {
        #expect(AdmissionReviewError.wrongAPIVersion(found: "admission.k8s.io/v1beta1").description
            == "apiVersion is \"admission.k8s.io/v1beta1\"; only admission.k8s.io/v1 is supported")
        #expect(AdmissionReviewError.bodyTooLarge(size: 9_000_000, limit: 8_388_608).description
            == "the request body is 9000000 bytes, more than the limit of 8388608 bytes")
        #expect(AdmissionReviewError.missingField(path: "request.uid").jsonBody
            == #"{"error":"missing-field","field":"request.uid","message":"request.uid is missing"}"#)
        #expect(AdmissionReviewError.nullDocument.jsonBody
            == #"{"error":"null-document","message":"the request body is JSON null; expected an AdmissionReview object"}"#)
    }

    @Test("every error class has a distinct code")
    func distinctCodes() {
        let samples: [AdmissionReviewError] = [
            .emptyBody, .bodyTooLarge(size: 2, limit: 1), .nestedTooDeep(limit: 1), .invalidJSON(offset: 0, reason: ""),
            .nullDocument, .notAnObject(found: "array"), .wrongAPIVersion(found: nil), .wrongKind(found: nil),
            .missingRequest, .missingField(path: "a"), .emptyField(path: "a"),
            .wrongType(path: "a", expected: "b", found: "c"), .unknownOperation("X"),
        ]
        #expect(Set(samples.map(\.code)).count == samples.count)
    }

    @Test("untrusted text in errors is bounded and kept on one line")
    func boundedErrorText() {
        let hostile = "v1\n" + String(repeating: "x", count: 10_000)
        let body = Self.envelope(["apiVersion": .string(hostile), "kind": Self.reviewKind])
        do {
            _ = try AdmissionReview.parseRequest(body)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.utf8.count < 250)
            #expect(!error.description.contains("\n"))
        }
        let longKey = String(repeating: "k", count: 100_000)
        do {
            _ = try AdmissionReview.parseRequest(Array("{\"\(longKey)\":1,\"\(longKey)\":2}".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "invalid-json")
            #expect(error.jsonBody.utf8.count < 400)
        }
    }
}
