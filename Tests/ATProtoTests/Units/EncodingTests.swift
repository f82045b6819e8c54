import ATProto
import Testing

@Suite("Encodings: varint, base32, base58, base64, CID")
struct EncodingTests {
    @Test("varints round-trip and are strict")
    func varints() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 32, (1 << 63) - 1] {
            let bytes = Varint.encode(value)
            let (decoded, length) = try Varint.decode(bytes, at: 0)
            #expect(decoded == value && length == bytes.count)
        }
        #expect(throws: Varint.DecodeError.nonMinimal) { try Varint.decode([0x81, 0x00], at: 0) }
        #expect(throws: Varint.DecodeError.truncated) { try Varint.decode([0x81], at: 0) }
        #expect(throws: Varint.DecodeError.tooLong) { try Varint.decode([UInt8](repeating: 0xFF, count: 10), at: 0) }
    }

    @Test("base32 (RFC 4648 lowercase, no padding)")
    func base32() {
        #expect(Base32.encode(Array("foobar".utf8)) == "mzxw6ytboi")
        #expect(Base32.decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW6YTBOI") == nil)
        #expect(Base32.decode("mzxw6ytboi======") == nil)
        #expect(Base32.decode("mzxw6ytbp") == nil, "non-zero trailing bits")
    }

    @Test("base58btc with leading zeros")
    func base58() {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.encode(Array("hello world".utf8)) == "StV1DL6CwTryKyV")
        #expect(Base58.decode("0OIl") == nil)
        #expect(Base58.decode(String(repeating: "z", count: 600)) == nil)
    }

    @Test("base64 standard alphabet, unpadded")
    func base64() {
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8")
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8=") == nil)
        #expect(Base64.decode("aGVsbG8=", allowPadding: true) == Array("hello".utf8))
        #expect(Base64.decode("a-_") == nil)
    }

    @Test("CIDs: compute, parse, format; CIDv0 refused")
    func cids() throws {
        let cid = CID.dagCBOR(block: Array("{}".utf8))
        #expect(cid.string.hasPrefix("bafyrei"))
        #expect(try CID(string: cid.string) == cid)
        #expect(try CID(binary: cid.bytes) == cid)
        #expect(cid.isBlessedDAGCBOR)
        #expect(CID.compute(codec: CID.Codec.raw, block: [1]).string.hasPrefix("bafkrei"))
        #expect(throws: CID.ParseError.versionZero) { try CID(binary: [0x12, 0x20] + [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CID.ParseError.trailingBytes) { try CID(binary: cid.bytes + [0]) }
        #expect(throws: CID.ParseError.notBase32Multibase) { try CID(string: "z" + cid.string.dropFirst()) }
        #expect(cid.matches(block: Array("{}".utf8)))
        #expect(!cid.matches(block: Array("{ }".utf8)))
    }

    @Test("TIDs encode timestamps and sort by them")
    func tids() throws {
        let early = TID(microseconds: 1_700_000_000_000_000, clockID: 5)
        let late = TID(microseconds: 1_700_000_000_000_001, clockID: 0)
        #expect(TID.isValid(early.string))
        #expect(early < late)
        #expect(early.microseconds == 1_700_000_000_000_000)
    }
}
