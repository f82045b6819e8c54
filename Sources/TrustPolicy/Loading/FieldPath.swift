/// Field paths as diagnostics print them: `policies[0].require.trustedDIDs[1]`,
/// `trustedDIDs["did:plc:…"].expiresAt`.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    let description: String

    static let root = FieldPath(description: "")

    /// `parent.name` (or `name` at the root).
    func field(_ name: String) -> FieldPath {
        FieldPath(description: description.isEmpty ? name : "\(description).\(name)")
    }

    /// `parent[index]`.
    func index(_ index: Int) -> FieldPath {
        FieldPath(description: "\(description)[\(index)]")
    }

    /// `parent["key"]`, for map keys that are data (DIDs) rather than field names.
    func key(_ key: String) -> FieldPath {
        FieldPath(description: "\(description)[\"\(key)\"]")
    }
}
