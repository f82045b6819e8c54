import ATProto

/// Small constructors for the JSON the module writes. Output goes through
/// `JSONValue.serialized` (compact, members in the order given), so key order is stable.
extension JSONValue {
    /// An object with members in the given order.
    static func members(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(pairs.map { JSONMember(name: $0.0, value: $0.1) })
    }

    /// A string, or `null` for nil.
    static func optional(_ text: String?) -> JSONValue {
        text.map { .string($0) } ?? .null
    }

    /// An integer.
    static func integer(_ value: Int) -> JSONValue {
        .number(String(value))
    }

    /// An array of strings.
    static func strings(_ values: [String]) -> JSONValue {
        .array(values.map { .string($0) })
    }

    /// The JSON type name used in error messages: string, number, boolean, null, array, object.
    var typeName: String {
        switch self {
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension Duration {
    /// Seconds with microsecond precision as a JSON number, e.g. `0.012345`; a negative
    /// duration (a clock step) is written as zero.
    var secondsJSON: JSONValue {
        guard self > .zero else { return .number("0.000000") }
        let (seconds, attoseconds) = components
        // Clamped far beyond any real duration so the arithmetic cannot overflow.
        let micros = min(seconds, 1_000_000_000_000) * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = String(micros % 1_000_000)
        let padded = String(repeating: "0", count: 6 - fraction.count) + fraction
        return .number(String(micros / 1_000_000) + "." + padded)
    }
}
