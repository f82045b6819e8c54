import Crypto
import Foundation

/// A content identifier, version 1: `0x01 ‖ varint(codec) ‖ varint(hash) ‖ varint(len) ‖ digest`.
///
/// CIDv0 (a bare sha2-256 multihash) is rejected everywhere: atproto uses CIDv1 only.
/// Equality and hashing use the binary form, which is what CAR blocks and DAG-CBOR links carry.
public struct CID: Hashable, Sendable, CustomStringConvertible {
    /// Multicodec codes that appear in atproto repositories.
    public enum Codec {
        public static let dagCBOR: UInt64 = 0x71
        public static let raw: UInt64 = 0x55
    }

    /// Multihash code of sha2-256.
    public static let sha256Code: UInt64 = 0x12

    /// Why bytes or a string are not a CID.
    public enum ParseError: Error, Equatable, Sendable {
        case truncated
        case versionZero
        case unsupportedVersion(UInt64)
        case malformedVarint
        case digestLengthMismatch(declared: UInt64, available: Int)
        case trailingBytes
        case notBase32Multibase
        case invalidBase32
    }

    /// The binary CID.
    public let bytes: [UInt8]
    public let codec: UInt64
    public let hashCode: UInt64
    /// Offset of the digest inside `bytes`.
    private let digestStart: Int

    /// The multihash digest.
    public var digest: ArraySlice<UInt8> { bytes[digestStart...] }

    /// True for the CIDs atproto calls "blessed" for repository structure:
    /// v1, dag-cbor, sha2-256 with a 32-byte digest.
    public var isBlessedDAGCBOR: Bool {
        codec == Codec.dagCBOR && isSHA256
    }

    /// True when the multihash is sha2-256 with a 32-byte digest.
    public var isSHA256: Bool {
        hashCode == Self.sha256Code && bytes.count - digestStart == 32
    }

    /// Parses a complete binary CID (no bytes may follow).
    public init(binary: [UInt8]) throws(ParseError) {
        let (cid, length) = try Self.parsePrefix(binary[...])
        guard length == binary.count else { throw .trailingBytes }
        self = cid
    }

    private init(bytes: [UInt8], codec: UInt64, hashCode: UInt64, digestStart: Int) {
        self.bytes = bytes
        self.codec = codec
        self.hashCode = hashCode
        self.digestStart = digestStart
    }

    /// Reads one CID from the front of `data` (CIDs are self-delimiting); returns it and its length.
    public static func parsePrefix(_ data: ArraySlice<UInt8>) throws(ParseError) -> (CID, Int) {
        let start = data.startIndex
        guard let first = data.first else { throw .truncated }
        // CIDv0 is a bare multihash: 0x12 0x20 ‖ digest.
        if first == 0x12, data.count >= 2, data[start + 1] == 0x20 { throw .versionZero }
        var offset = 0
        func next() throws(ParseError) -> UInt64 {
            do {
                let (value, length) = try Varint.decode(data, at: start + offset)
                offset += length
                return value
            } catch .truncated {
                throw .truncated
            } catch {
                throw .malformedVarint
            }
        }
        let version = try next()
        guard version == 1 else {
            throw version == 0 ? .versionZero : .unsupportedVersion(version)
        }
        let codec = try next()
        let hashCode = try next()
        let digestLength = try next()
        let available = data.count - offset
        guard digestLength <= UInt64(available) else {
            throw .digestLengthMismatch(declared: digestLength, available: available)
        }
        let total = offset + Int(digestLength)
        let cid = CID(
            bytes: Array(data[start..<(start + total)]), codec: codec, hashCode: hashCode,
            digestStart: offset)
        return (cid, total)
    }

    /// Parses the string form atproto uses: multibase `b` (lowercase base32, no padding).
    public init(string: String) throws(ParseError) {
        guard string.utf8.first == UInt8(ascii: "b") else { throw .notBase32Multibase }
        guard let binary = Base32.decode(string.dropFirst()) else { throw .invalidBase32 }
        try self.init(binary: binary)
    }

    /// The CIDv1 of `block` under `codec`, hashed with sha2-256.
    public static func compute<C: DataProtocol>(codec: UInt64, block: C) -> CID {
        let digest = SHA256.hash(data: block)
        var bytes: [UInt8] = [0x01]
        bytes += Varint.encode(codec)
        bytes += [0x12, 0x20]
        let digestStart = bytes.count
        bytes += digest
        return CID(bytes: bytes, codec: codec, hashCode: sha256Code, digestStart: digestStart)
    }

    /// The dag-cbor CID of an encoded block.
    public static func dagCBOR<C: DataProtocol>(block: C) -> CID {
        compute(codec: Codec.dagCBOR, block: block)
    }

    /// True when `block` hashes to this CID's sha2-256 digest.
    public func matches<C: DataProtocol>(block: C) -> Bool {
        guard isSHA256 else { return false }
        let computed = SHA256.hash(data: block)
        return computed.withUnsafeBytes { computedBytes in
            computedBytes.elementsEqual(digest)
        }
    }

    /// `b` + lowercase base32 of the binary form.
    public var string: String { "b" + Base32.encode(bytes) }

    public var description: String { string }
}

extension CID: Comparable {
    /// Orders by binary form (used only to give sets a stable order in output).
    public static func < (lhs: CID, rhs: CID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
