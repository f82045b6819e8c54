/// Why bytes are not canonical DAG-CBOR of the atproto data model (docs/architecture.md, "The AT Protocol encodings").
public enum DAGCBORError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case trailingBytes(Int)
    case inputTooLarge(limit: Int)
    case depthExceeded(limit: Int)
    case nonMinimalEncoding
    case indefiniteLength
    case reservedAdditionalInfo(UInt8)
    case integerOutOfRange
    case floatNotAllowed
    case unsupportedSimpleValue(UInt8)
    case unsupportedTag(UInt64)
    case invalidLink(String)
    case mapKeyNotText
    case mapKeysOutOfOrder(String)
    case duplicateMapKey(String)
    case invalidUTF8

    public var description: String {
        switch self {
        case .truncated: return "truncated DAG-CBOR"
        case .trailingBytes(let n): return "\(n) bytes follow the DAG-CBOR value"
        case .inputTooLarge(let limit): return "DAG-CBOR input larger than \(limit) bytes"
        case .depthExceeded(let limit): return "DAG-CBOR nested deeper than \(limit) levels"
        case .nonMinimalEncoding: return "non-minimal integer or length encoding"
        case .indefiniteLength: return "indefinite-length item (not allowed in DAG-CBOR)"
        case .reservedAdditionalInfo(let v): return "reserved CBOR additional information \(v)"
        case .integerOutOfRange: return "integer outside the signed 64-bit range"
        case .floatNotAllowed: return "floating-point number (not allowed in atproto)"
        case .unsupportedSimpleValue(let v): return "CBOR simple value \(v) (only false, true, null)"
        case .unsupportedTag(let tag): return "CBOR tag \(tag) (only tag 42, CID links)"
        case .invalidLink(let why): return "invalid CID link: \(why)"
        case .mapKeyNotText: return "map key is not a text string"
        case .mapKeysOutOfOrder(let key): return "map key '\(key)' is out of canonical order"
        case .duplicateMapKey(let key): return "duplicate map key '\(key)'"
        case .invalidUTF8: return "text string is not valid UTF-8"
        }
    }
}

/// A strict decoder: accepts only the canonical DAG-CBOR form, so that re-encoding a decoded
/// value gives back the very bytes that were hashed and signed.
public struct DAGCBORDecoder: Sendable {
    /// Bounds on what one call may decode.
    public struct Limits: Sendable {
        public var maxInputSize: Int
        public var maxDepth: Int

        public init(maxInputSize: Int = 2 * 1024 * 1024, maxDepth: Int = 64) {
            self.maxInputSize = maxInputSize
            self.maxDepth = maxDepth
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes exactly one value; bytes left over are an error.
    public func decode(_ bytes: [UInt8]) throws(DAGCBORError) -> DAGCBORValue {
        guard bytes.count <= limits.maxInputSize else { throw .inputTooLarge(limit: limits.maxInputSize) }
        var reader = Reader(bytes: bytes, maxDepth: limits.maxDepth)
        let value = try reader.readValue(depth: 0)
        guard reader.position == bytes.count else { throw .trailingBytes(bytes.count - reader.position) }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        let maxDepth: Int
        var position = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func readByte() throws(DAGCBORError) -> UInt8 {
            guard position < bytes.count else { throw .truncated }
            defer { position += 1 }
            return bytes[position]
        }

        /// Reads the argument of an initial byte, enforcing the shortest form.
        mutating func readArgument(_ info: UInt8) throws(DAGCBORError) -> UInt64 {
            switch info {
            case 0..<24:
                return UInt64(info)
            case 24:
                let value = UInt64(try readByte())
                guard value >= 24 else { throw .nonMinimalEncoding }
                return value
            case 25:
                let value = try readBigEndian(2)
                guard value > 0xFF else { throw .nonMinimalEncoding }
                return value
            case 26:
                let value = try readBigEndian(4)
                guard value > 0xFFFF else { throw .nonMinimalEncoding }
                return value
            case 27:
                let value = try readBigEndian(8)
                guard value > 0xFFFF_FFFF else { throw .nonMinimalEncoding }
                return value
            case 31:
                throw .indefiniteLength
            default:
                throw .reservedAdditionalInfo(info)
            }
        }

        mutating func readBigEndian(_ count: Int) throws(DAGCBORError) -> UInt64 {
            guard bytes.count - position >= count else { throw .truncated }
            var value: UInt64 = 0
            for offset in 0..<count { value = value << 8 | UInt64(bytes[position + offset]) }
            position += count
            return value
        }

        /// A length that must fit in what is left of the input (each item takes ≥ 1 byte),
        /// so a hostile header cannot make us allocate.
        mutating func readLength(_ info: UInt8) throws(DAGCBORError) -> Int {
            let length = try readArgument(info)
            guard length <= UInt64(bytes.count - position) else { throw .truncated }
            return Int(length)
        }

        mutating func readBytes(_ count: Int) throws(DAGCBORError) -> ArraySlice<UInt8> {
            guard bytes.count - position >= count else { throw .truncated }
            defer { position += count }
            return bytes[position..<(position + count)]
        }

        mutating func readText(_ info: UInt8) throws(DAGCBORError) -> String {
            let count = try readLength(info)
            let slice = try readBytes(count)
            guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8 }
            return text
        }

        mutating func readValue(depth: Int) throws(DAGCBORError) -> DAGCBORValue {
            guard depth <= maxDepth else { throw .depthExceeded(limit: maxDepth) }
            let initial = try readByte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0:
                let value = try readArgument(info)
                guard value <= UInt64(Int64.max) else { throw .integerOutOfRange }
                return .integer(Int64(value))
            case 1:
                let value = try readArgument(info)
                guard value <= UInt64(Int64.max) else { throw .integerOutOfRange }
                return .integer(-1 - Int64(value))
            case 2:
                let count = try readLength(info)
                return .bytes(Array(try readBytes(count)))
            case 3:
                return .text(try readText(info))
            case 4:
                let count = try readLength(info)
                var items: [DAGCBORValue] = []
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try readValue(depth: depth + 1)) }
                return .array(items)
            case 5:
                return .map(try readMap(info, depth: depth))
            case 6:
                let tag = try readArgument(info)
                guard tag == 42 else { throw .unsupportedTag(tag) }
                return .link(try readLinkPayload())
            default:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 25, 26, 27: throw .floatNotAllowed
                case 31: throw .indefiniteLength
                default: throw .unsupportedSimpleValue(info)
                }
            }
        }

        mutating func readMap(_ info: UInt8, depth: Int) throws(DAGCBORError) -> DAGCBORMap {
            let count = try readLength(info)
            var entries: [DAGCBORMap.Entry] = []
            entries.reserveCapacity(count)
            var previous: String?
            for _ in 0..<count {
                let keyInitial = try readByte()
                guard keyInitial >> 5 == 3 else { throw .mapKeyNotText }
                let key = try readText(keyInitial & 0x1F)
                if let previous {
                    if previous == key { throw .duplicateMapKey(key) }
                    guard canonicalKeyOrder(previous, key) else { throw .mapKeysOutOfOrder(key) }
                }
                previous = key
                entries.append(.init(key: key, value: try readValue(depth: depth + 1)))
            }
            return DAGCBORMap(canonicalEntries: entries)
        }

        /// Tag 42 wraps a byte string: `0x00` (multibase identity) ‖ binary CIDv1.
        mutating func readLinkPayload() throws(DAGCBORError) -> CID {
            let initial = try readByte()
            guard initial >> 5 == 2 else { throw .invalidLink("tag 42 must wrap a byte string") }
            let count = try readLength(initial & 0x1F)
            let payload = try readBytes(count)
            guard payload.first == 0x00 else { throw .invalidLink("missing the 0x00 multibase prefix") }
            let cid: CID
            do {
                cid = try CID(binary: Array(payload.dropFirst()))
            } catch {
                throw .invalidLink("\(error)")
            }
            guard cid.isSHA256, cid.codec == CID.Codec.dagCBOR || cid.codec == CID.Codec.raw else {
                throw .invalidLink("atproto links are CIDv1 dag-cbor or raw with sha2-256")
            }
            return cid
        }
    }
}
