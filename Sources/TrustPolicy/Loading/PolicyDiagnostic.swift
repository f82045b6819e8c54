/// One finding about a trust-policy file: where it is (field path and YAML line) and what is
/// wrong. Errors make the file unusable; warnings do not.
///
/// `description` is the form an operator reads, e.g.
/// `policies[0].require.trustedDIDs[1]: did:plc:… is not declared in trustedDIDs (line 14)`.
public struct PolicyDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The field path, e.g. `policies[0].require.minSignatures` or
    /// `trustedDIDs["did:plc:…"].expiresAt`. Empty for the document as a whole.
    public var path: String
    /// The 1-based YAML line the finding points at, when known.
    public var line: Int?
    /// What is wrong, in words a person can act on.
    public var message: String

    /// A finding at `path` (and `line`, when known).
    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path: message (line N)`.
    public var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return path.isEmpty ? "\(message)\(location)" : "\(path): \(message)\(location)"
    }

    private enum CodingKeys: String, CodingKey { case path, line, message }

    /// Always writes `line`, as `null` when unknown, so consumers see a fixed shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(line, forKey: .line)
        try container.encode(message, forKey: .message)
    }
}
