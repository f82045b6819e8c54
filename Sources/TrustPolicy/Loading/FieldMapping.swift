import Yams

/// A YAML mapping whose keys are field names. Building one reports a non-mapping value and
/// every unknown key (with the closest known key as a suggestion).
struct FieldMapping {
    let node: Node
    let path: FieldPath
    private var entries: [String: (key: Node, value: Node)] = [:]

    init?(_ node: Node, path: FieldPath, known: [String], sink: inout DiagnosticSink) {
        guard case .mapping(let mapping) = node else {
            sink.error(path, node, "expected a mapping, found \(node.kindDescription)")
            return nil
        }
        self.node = node
        self.path = path
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !scalar.string.isEmpty else {
                sink.error(path, keyNode, "keys must be field names, found \(keyNode.kindDescription)")
                continue
            }
            let key = scalar.string
            guard known.contains(key) else {
                let why = key == "<<"
                    ? "YAML merge keys ('<<') are not supported in a trust policy"
                    : "unknown key '\(key)'\(KeySuggestion.hint(for: key, in: known))"
                sink.error(path.field(key), keyNode, why)
                continue
            }
            entries[key] = (keyNode, value)
        }
    }

    /// The value under `key`, or nil when the key is absent.
    func value(_ key: String) -> Node? { entries[key]?.value }

    /// The value under `key`, or nil when absent or explicitly null (`~`, `null`, empty).
    func nonNullValue(_ key: String) -> Node? {
        guard let value = entries[key]?.value, !value.isNull else { return nil }
        return value
    }

    /// The line of the mapping itself (where a missing key is reported).
    var line: Int? { node.mark?.line }
}
