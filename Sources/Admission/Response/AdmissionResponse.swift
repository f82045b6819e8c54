import ATProto

/// One audit annotation. The API server stores it as `<webhook name>/<key>` and silently drops
/// it unless that is a valid qualified name, so keys are checked when rendered.
public struct AuditAnnotation: Sendable, Hashable {
    /// The key, e.g. `decision`: a qualified-name part (≤ 63 characters).
    public var key: String
    /// The value: here always compact JSON.
    public var value: String

    /// An annotation.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The `response` of an `admission.k8s.io/v1` AdmissionReview.
public struct AdmissionResponse: Sendable, Hashable {
    /// `response.status` of a denial (a `metav1.Status`).
    public struct Status: Sendable, Hashable {
        /// The HTTP code the API server reports to the client: 403 for a policy denial, 400
        /// for an invalid object.
        public var code: Int
        /// `Forbidden` or `BadRequest`.
        public var reason: String
        /// What the person should know and fix.
        public var message: String

        /// A status from its parts.
        public init(code: Int, reason: String, message: String) {
            self.code = code
            self.reason = reason
            self.message = message
        }
    }

    /// The request's `uid`, echoed.
    public var uid: String
    /// False when any image is denied or the object is invalid.
    public var allowed: Bool
    /// Set when denied.
    public var status: Status?
    /// Shown to the requester (`kubectl` prints them): each ≤ 120 UTF-8 bytes, at most 11.
    public var warnings: [String]
    /// Recorded in the API server's audit log.
    public var auditAnnotations: [AuditAnnotation]
    /// A mutating webhook's JSON Patch (`patchType: JSONPatch`), sent base64-encoded; nil: none.
    public var patch: DigestPinPatch?

    /// A response from its parts; `AdmissionOutcome` builds the real ones.
    public init(
        uid: String, allowed: Bool, status: Status? = nil, warnings: [String] = [], auditAnnotations: [AuditAnnotation] = [],
        patch: DigestPinPatch? = nil
    ) {
        self.patch = patch
        self.uid = uid
        self.allowed = allowed
        self.status = status
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// `allowed: true` and nothing else.
    public static func allow(uid: String) -> AdmissionResponse {
        AdmissionResponse(uid: uid, allowed: true)
    }

    /// The whole AdmissionReview answer: `apiVersion`, `kind`, `response` (`warnings`,
    /// `auditAnnotations` and `patchType`/`patch` only when non-empty; annotations with invalid
    /// keys left out).
    public var json: JSONValue {
        var response: [(String, JSONValue)] = [("uid", .string(uid)), ("allowed", .bool(allowed))]
        if let status {
            response.append(("status", .members([
                ("code", .integer(status.code)),
                ("reason", .string(status.reason)),
                ("message", .string(status.message)),
            ])))
        }
        if !warnings.isEmpty { response.append(("warnings", .strings(warnings))) }
        if let patch, !patch.isEmpty {
            response.append(("patchType", .string("JSONPatch")))
            // Go decodes a []byte field as padded standard base64.
            let text = Base64.encode(Array(patch.json.utf8))
            response.append(("patch", .string(text + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4))))
        }
        let annotations = auditAnnotations.filter { KubernetesNames.isQualifiedNamePart($0.key) }
        if !annotations.isEmpty {
            response.append(("auditAnnotations", .members(annotations.map { ($0.key, .string($0.value)) })))
        }
        return .members([
            ("apiVersion", .string(AdmissionReview.apiVersion)),
            ("kind", .string(AdmissionReview.kind)),
            ("response", .members(response)),
        ])
    }

    /// `json` as compact text: the HTTP 200 body.
    public var body: String { json.serialized }
}
