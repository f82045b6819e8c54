import ATProto

/// Why a request body is not an AdmissionReview the webhook can answer. The server answers
/// every case with HTTP 400 and `jsonBody`; each case has its own `code`.
public enum AdmissionReviewError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body is empty (or only whitespace).
    case emptyBody
    /// The body is larger than the limit (checked before parsing).
    case bodyTooLarge(size: Int, limit: Int)
    /// Arrays and objects nest deeper than the limit.
    case nestedTooDeep(limit: Int)
    /// The body is not JSON: the parser's offset and reason (duplicate keys are rejected too).
    case invalidJSON(offset: Int, reason: String)
    /// The body is the JSON literal `null`.
    case nullDocument
    /// The body is JSON but not an object (`found` is the JSON type).
    case notAnObject(found: String)
    /// `apiVersion` is missing (nil) or is not `admission.k8s.io/v1`.
    case wrongAPIVersion(found: String?)
    /// `kind` is missing (nil) or is not `AdmissionReview`.
    case wrongKind(found: String?)
    /// `request` is missing or null.
    case missingRequest
    /// A required field is missing or null (`path` like `request.uid`).
    case missingField(path: String)
    /// A required string field is empty.
    case emptyField(path: String)
    /// A field has the wrong JSON type.
    case wrongType(path: String, expected: String, found: String)
    /// `request.operation` is not CREATE, UPDATE, DELETE or CONNECT.
    case unknownOperation(String)

    /// The HTTP status the server answers with.
    public var httpStatus: Int { 400 }

    /// A stable machine-readable name for the problem, e.g. `wrong-api-version`.
    public var code: String {
        switch self {
        case .emptyBody: "empty-body"
        case .bodyTooLarge: "body-too-large"
        case .nestedTooDeep: "nested-too-deep"
        case .invalidJSON: "invalid-json"
        case .nullDocument: "null-document"
        case .notAnObject: "not-an-object"
        case .wrongAPIVersion: "wrong-api-version"
        case .wrongKind: "wrong-kind"
        case .missingRequest: "missing-request"
        case .missingField: "missing-field"
        case .emptyField: "empty-field"
        case .wrongType: "wrong-type"
        case .unknownOperation: "unknown-operation"
        }
    }

    /// The field at fault, when there is one (`apiVersion`, `request.uid`, …).
    public var field: String? {
        switch self {
        case .wrongAPIVersion: "apiVersion"
        case .wrongKind: "kind"
        case .missingRequest: "request"
        case .missingField(let path), .emptyField(let path), .wrongType(let path, _, _): path
        case .unknownOperation: "request.operation"
        default: nil
        }
    }

    /// What is wrong, in a sentence a person can act on.
    public var description: String {
        switch self {
        case .emptyBody:
            "the request body is empty; expected an admission.k8s.io/v1 AdmissionReview"
        case .bodyTooLarge(let size, let limit):
            "the request body is \(size) bytes, more than the limit of \(limit) bytes"
        case .nestedTooDeep(let limit):
            "the JSON nests arrays and objects deeper than \(limit) levels"
        case .invalidJSON(let offset, let reason):
            "the request body is not valid JSON (at byte \(offset): \(reason))"
        case .nullDocument:
            "the request body is JSON null; expected an AdmissionReview object"
        case .notAnObject(let found):
            "the request body is a JSON \(found); expected an AdmissionReview object"
        case .wrongAPIVersion(nil):
            "apiVersion is missing; expected admission.k8s.io/v1"
        case .wrongAPIVersion(let found?):
            "apiVersion is \(Self.quoted(found)); only admission.k8s.io/v1 is supported"
        case .wrongKind(nil):
            "kind is missing; expected AdmissionReview"
        case .wrongKind(let found?):
            "kind is \(Self.quoted(found)); expected AdmissionReview"
        case .missingRequest:
            "request is missing; an AdmissionReview sent to a webhook carries a request"
        case .missingField(let path):
            "\(path) is missing"
        case .emptyField(let path):
            "\(path) is empty"
        case .wrongType(let path, let expected, let found):
            "\(path) must be \(expected), not \(found)"
        case .unknownOperation(let found):
            "request.operation is \(Self.quoted(found)); expected CREATE, UPDATE, DELETE or CONNECT"
        }
    }

    /// The HTTP 400 body: `{"error":"<code>","field":"<path>","message":"<description>"}`
    /// (`field` only when there is one), compact JSON.
    public var jsonBody: String {
        var members: [(String, JSONValue)] = [("error", .string(code))]
        if let field { members.append(("field", .string(field))) }
        members.append(("message", .string(description)))
        return JSONValue.members(members).serialized
    }

    /// Untrusted text quoted and bounded for a message.
    private static func quoted(_ text: String) -> String {
        "\"" + TextBounds.truncate(TextBounds.singleLine(text), maxBytes: 100) + "\""
    }
}
