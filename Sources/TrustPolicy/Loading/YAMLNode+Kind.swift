import Yams

extension Node {
    /// The resolved tag (`Tag.name` is internal to Yams; `rawValue` is the same name).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    /// The node's YAML type in words, for "expected …, found …" messages.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch tagName {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .timestamp: return "a timestamp"
            default: return "a string"
            }
        }
    }

    /// True for `~`, `null` and an empty value.
    var isNull: Bool {
        if case .scalar = self { return tagName == .null }
        return false
    }

    /// The scalar's text when it resolves to a string (quoted, or plain and not a number,
    /// boolean, null or timestamp).
    var stringValue: String? {
        guard case .scalar(let scalar) = self, tagName == .str else { return nil }
        return scalar.string
    }

    /// The scalar's text when it is a string or a YAML timestamp (an unquoted date-time).
    var timestampText: String? {
        guard case .scalar(let scalar) = self, tagName == .str || tagName == .timestamp else { return nil }
        return scalar.string
    }
}
