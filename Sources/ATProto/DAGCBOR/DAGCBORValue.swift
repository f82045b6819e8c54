/// A value of the atproto data model, as DAG-CBOR carries it.
///
/// No floats (atproto forbids them) and integers in the signed 64-bit range. Maps keep their
/// entries in canonical order (length-first, then bytewise), so encoding is a plain walk.
public indirect enum DAGCBORValue: Hashable, Sendable {
    case integer(Int64)
    case bytes([UInt8])
    case text(String)
    case array([DAGCBORValue])
    case map(DAGCBORMap)
    case link(CID)
    case bool(Bool)
    case null

    /// The value of `key` when this is a map.
    public subscript(key: String) -> DAGCBORValue? {
        guard case .map(let map) = self else { return nil }
        return map[key]
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .integer: return "integer"
        case .bytes: return "bytes"
        case .text: return "string"
        case .array: return "array"
        case .map: return "map"
        case .link: return "link"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }
}

/// A DAG-CBOR map with text keys in canonical order and no duplicates.
public struct DAGCBORMap: Hashable, Sendable {
    /// One key/value pair.
    public struct Entry: Hashable, Sendable {
        public let key: String
        public let value: DAGCBORValue
    }

    /// Entries in canonical key order.
    public let entries: [Entry]

    /// Builds a map from a dictionary, sorting keys canonically.
    public init(_ dictionary: [String: DAGCBORValue]) {
        entries = dictionary
            .map { Entry(key: $0.key, value: $0.value) }
            .sorted { canonicalKeyOrder($0.key, $1.key) }
    }

    /// Builds a map from entries already known to be canonically ordered and distinct.
    init(canonicalEntries: [Entry]) {
        entries = canonicalEntries
    }

    /// The value stored under `key`.
    public subscript(key: String) -> DAGCBORValue? {
        entries.first(where: { $0.key == key })?.value
    }

    /// The keys, in canonical order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of entries.
    public var count: Int { entries.count }

    /// A copy without `key`.
    public func removing(_ key: String) -> DAGCBORMap {
        DAGCBORMap(canonicalEntries: entries.filter { $0.key != key })
    }
}

/// DAG-CBOR's canonical key order: shorter UTF-8 first, then bytewise.
public func canonicalKeyOrder(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    if left.count != right.count { return left.count < right.count }
    return left.lexicographicallyPrecedes(right)
}
