import ATProto
import Testing

/// The strict decoder refuses every non-canonical form of docs/architecture.md, each with its own error.
@Suite("DAG-CBOR strictness")
struct DAGCBORTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let hex: String
        let error: DAGCBORError
        var testDescription: String { name }
    }

    static let rejections: [Case] = [
        Case(name: "non-minimal integer (18 03 for 3)", hex: "1803", error: .nonMinimalEncoding),
        Case(name: "non-minimal 2-byte integer", hex: "190010", error: .nonMinimalEncoding),
        Case(name: "non-minimal 4-byte integer", hex: "1a0000ffff", error: .nonMinimalEncoding),
        Case(name: "non-minimal 8-byte integer", hex: "1b00000000ffffffff", error: .nonMinimalEncoding),
        Case(name: "non-minimal string length", hex: "780161", error: .nonMinimalEncoding),
        Case(name: "indefinite-length byte string", hex: "5f41ff", error: .indefiniteLength),
        Case(name: "indefinite-length text", hex: "7f6161ff", error: .indefiniteLength),
        Case(name: "indefinite-length array", hex: "9f01ff", error: .indefiniteLength),
        Case(name: "indefinite-length map", hex: "bf616101ff", error: .indefiniteLength),
        Case(name: "unsorted map keys (length-first)", hex: "a2626262016161 02".replacingOccurrences(of: " ", with: ""), error: .mapKeysOutOfOrder("a")),
        Case(name: "unsorted map keys (bytewise)", hex: "a2616201616102", error: .mapKeysOutOfOrder("a")),
        Case(name: "duplicate map key", hex: "a2616101616102", error: .duplicateMapKey("a")),
        Case(name: "integer map key", hex: "a10101", error: .mapKeyNotText),
        Case(name: "half float", hex: "f93c00", error: .floatNotAllowed),
        Case(name: "single float", hex: "fa3f800000", error: .floatNotAllowed),
        Case(name: "double float", hex: "fb3ff0000000000000", error: .floatNotAllowed),
        Case(name: "undefined", hex: "f7", error: .unsupportedSimpleValue(23)),
        Case(name: "simple value 16", hex: "f0", error: .unsupportedSimpleValue(16)),
        Case(name: "tag other than 42", hex: "c074323032362d31312d32325430303a30303a30305a", error: .unsupportedTag(0)),
        Case(name: "tag 42 around text", hex: "d82a6161", error: .invalidLink("tag 42 must wrap a byte string")),
        Case(name: "tag 42 without the 0x00 prefix", hex: "d82a4401711220", error: .invalidLink("missing the 0x00 multibase prefix")),
        Case(name: "trailing bytes", hex: "0101", error: .trailingBytes(1)),
        Case(name: "truncated", hex: "6461", error: .truncated),
        Case(name: "length beyond the input", hex: "5bffffffffffffffff", error: .truncated),
        Case(name: "invalid UTF-8", hex: "62c328", error: .invalidUTF8),
        Case(name: "unsigned beyond Int64", hex: "1bffffffffffffffff", error: .integerOutOfRange),
        Case(name: "reserved additional info", hex: "1c", error: .reservedAdditionalInfo(28)),
    ]

    @Test("non-canonical input is refused", arguments: rejections)
    func rejects(_ c: Case) throws {
        let bytes = try #require(Hex.decode(c.hex))
        #expect(throws: c.error) { try DAGCBORDecoder().decode(bytes) }
    }

    @Test("depth and size bounds")
    func bounds() {
        let deep = [UInt8](repeating: 0x81, count: 100) + [0x01]
        #expect(throws: DAGCBORError.depthExceeded(limit: 64)) { try DAGCBORDecoder().decode(deep) }
        let limits = DAGCBORDecoder.Limits(maxInputSize: 4, maxDepth: 64)
        #expect(throws: DAGCBORError.inputTooLarge(limit: 4)) { try DAGCBORDecoder(limits: limits).decode([0x45, 1, 2, 3, 4, 5]) }
    }

    @Test("links must be CIDv1 dag-cbor or raw, sha2-256")
    func linkCodecs() throws {
        var identity: [UInt8] = [0xD8, 0x2A, 0x48, 0x00, 0x01, 0x71, 0x00, 0x03, 0x61, 0x62, 0x63]
        #expect(throws: DAGCBORError.self) { try DAGCBORDecoder().decode(identity) }
        identity = [0xD8, 0x2A, 0x58, 0x23, 0x00, 0x12, 0x20] + [UInt8](repeating: 7, count: 32)
        #expect(throws: DAGCBORError.self) { try DAGCBORDecoder().decode(identity) }  // CIDv0
    }

    @Test("round trip of every kind of value, byte-exact, with shortest integer forms")
    func roundTrip() throws {
        let cid = CID.dagCBOR(block: [1, 2, 3])
        let value = DAGCBORValue.map(DAGCBORMap([
            "a": .integer(0), "bb": .integer(23), "ccc": .integer(24), "d": .integer(255), "e": .integer(256),
            "f": .integer(65_535), "g": .integer(65_536), "h": .integer(4_294_967_296), "i": .integer(-1),
            "j": .integer(-25), "k": .integer(Int64.min), "l": .integer(Int64.max),
            "m": .bytes([0, 1]), "n": .text("é😀"), "o": .array([.null, .bool(true), .bool(false)]),
            "p": .link(cid), "q": .map(DAGCBORMap([:])),
        ]))
        let bytes = DAGCBOREncoder.encode(value)
        #expect(try DAGCBORDecoder().decode(bytes) == value)
        #expect(DAGCBOREncoder.encode(.integer(23)) == [0x17])
        #expect(DAGCBOREncoder.encode(.integer(24)) == [0x18, 0x18])
        #expect(DAGCBOREncoder.encode(.integer(-1)) == [0x20])
        #expect(DAGCBOREncoder.encode(.link(cid)) == [0xD8, 0x2A, 0x58, 0x25, 0x00] + cid.bytes)
    }

    @Test("canonical key order is length-first, then bytewise")
    func keyOrder() {
        let map = DAGCBORMap(["version": .null, "sig": .null, "did": .null, "rev": .null, "data": .null, "prev": .null])
        #expect(map.keys == ["did", "rev", "sig", "data", "prev", "version"])
    }
}
