/// A parsed JSON document that keeps what the atproto data model needs to know and
/// Foundation's parser blurs: whether a number was written as an integer, duplicate keys,
/// and `true`/`false` as distinct from `1`/`0`.
public indirect enum JSONValue: Equatable, Sendable {
    case string(String)
    /// A number as written (e.g. `123`, `123.0`, `-1.5e3`).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Members in document order.
    case object([JSONMember])

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.name == key })?.value
    }
}

/// One member of a JSON object.
public struct JSONMember: Equatable, Sendable {
    public let name: String
    public let value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }
}

/// Why text is not JSON.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser with a depth bound; duplicate object keys are an error.
///
/// It runs on every AdmissionReview the webhook answers, so it reads through an unsafe buffer
/// (no bounds checks on the hot path), takes strings without escapes as one UTF-8-validated
/// slice, and checks small objects for duplicate keys by comparison rather than hashing.
public struct JSONParser: Sendable {
    public var maxDepth: Int

    public init(maxDepth: Int = 64) { self.maxDepth = maxDepth }

    /// Parses one JSON document (surrounding whitespace allowed).
    public func parse<C: Collection>(_ input: C) throws(JSONParseError) -> JSONValue where C.Element == UInt8 {
        let bytes = Array(input)
        let maxDepth = maxDepth
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var state = State(bytes: buffer, maxDepth: maxDepth)
            do throws(JSONParseError) {
                state.skipWhitespace()
                let value = try state.parseValue(depth: 0)
                state.skipWhitespace()
                guard state.index == buffer.count else { throw state.error("unexpected data after the document") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private struct State {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func error(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

        @inline(__always)
        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw error("expected '\(literal)'") }
            let matches = literal.withUTF8Buffer { chars in
                for offset in 0..<count where bytes[index + offset] != chars[offset] { return false }
                return true
            }
            guard matches else { throw error("expected '\(literal)'") }
            index += count
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth) levels") }
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return .number(try parseNumber())
            }
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            index += 1
            var members: [JSONMember] = []
            var seen: Set<String>?  // only for large objects; small ones compare directly
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object([]) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let key = try parseString()
                if members.count < 16 {
                    for member in members where member.name == key { throw error("duplicate member name '\(key)'") }
                } else {
                    if seen == nil { seen = Set(members.map(\.name)) }
                    guard seen?.insert(key).inserted == true else { throw error("duplicate member name '\(key)'") }
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                members.append(JSONMember(name: key, value: try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([]) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        }

        @inline(__always)
        mutating func digits() -> Int {
            let begin = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - begin
        }

        mutating func parseNumber() throws(JSONParseError) -> String {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            guard digits() > 0 else { throw error("invalid number") }
            if bytes[integerStart] == UInt8(ascii: "0"), index - integerStart > 1 { throw error("leading zero in number") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw error("invalid fraction") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error("invalid exponent") }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        mutating func parseString() throws(JSONParseError) -> String {
            index += 1
            let start = index
            // Fast path: no escape before the closing quote.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                        throw error("invalid UTF-8 in string")
                    }
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in string") }
                index += 1
            }
            guard index < bytes.count else { throw error("unterminated string") }
            return try parseEscapedString(from: start)
        }

        /// The slow path: a string with escapes, built up in UTF-8.
        mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
            var utf8: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while true {
                guard index < bytes.count else { throw error("unterminated string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                    return text
                }
                if byte < 0x20 { throw error("control character in string") }
                guard byte == UInt8(ascii: "\\") else {
                    utf8.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: String(Character(try parseUnicodeEscape())).utf8)
                default: throw error("invalid escape")
                }
            }
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw error("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
            let high = try parseHex4()
            if (0xD800..<0xDC00).contains(high) {
                try expect("\\u")
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(combined) else { throw error("invalid code point") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate") }
            return scalar
        }
    }
}
