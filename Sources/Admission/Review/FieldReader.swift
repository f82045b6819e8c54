import ATProto

/// Typed access to members of untrusted JSON objects, with the dotted path of every field in
/// its errors. `null` counts as absent, as it does for Go's decoder.
struct FieldReader: Sendable {
    let object: [JSONMember]
    let path: String

    /// Reads `value` as an object at `path`.
    init(_ value: JSONValue, at path: String) throws(AdmissionReviewError) {
        guard case .object(let members) = value else {
            throw .wrongType(path: path, expected: "an object", found: value.typeName)
        }
        self.object = members
        self.path = path
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`, or nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let member = object.first(where: { $0.name == key }) else { return nil }
        if case .null = member.value { return nil }
        return member.value
    }

    func string(_ key: String) throws(AdmissionReviewError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(path: childPath(key), expected: "a string", found: value.typeName)
        }
        return text
    }

    func requiredString(_ key: String, allowEmpty: Bool = false) throws(AdmissionReviewError) -> String {
        guard let text = try string(key) else { throw .missingField(path: childPath(key)) }
        if !allowEmpty && text.isEmpty { throw .emptyField(path: childPath(key)) }
        return text
    }

    func bool(_ key: String) throws(AdmissionReviewError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw .wrongType(path: childPath(key), expected: "a boolean", found: value.typeName)
        }
        return flag
    }

    func object(_ key: String) throws(AdmissionReviewError) -> FieldReader? {
        guard let value = value(key) else { return nil }
        return try FieldReader(value, at: childPath(key))
    }

    func requiredObject(_ key: String) throws(AdmissionReviewError) -> FieldReader {
        guard let reader = try object(key) else { throw .missingField(path: childPath(key)) }
        return reader
    }

    /// An embedded Kubernetes object (`object`, `oldObject`, `options`): an object or absent.
    func embeddedObject(_ key: String) throws(AdmissionReviewError) -> JSONValue? {
        guard let value = value(key) else { return nil }
        guard case .object = value else {
            throw .wrongType(path: childPath(key), expected: "an object", found: value.typeName)
        }
        return value
    }
}
