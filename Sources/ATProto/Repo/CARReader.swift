/// A CAR v1 file whose every block has been hash-checked (checks 8–10 of docs/proof-checks.md).
public struct CARFile: Sendable {
    /// Bounds on what a CAR may hold; a single-record proof is a few KB.
    public struct Limits: Sendable {
        public var maxSize: Int
        public var maxBlocks: Int
        public var maxBlockSize: Int

        public init(maxSize: Int = 1024 * 1024, maxBlocks: Int = 4096, maxBlockSize: Int = 1024 * 1024) {
            self.maxSize = maxSize
            self.maxBlocks = maxBlocks
            self.maxBlockSize = maxBlockSize
        }
    }

    /// The header's roots; the first is the commit.
    public let roots: [CID]
    /// The commit CID: the first root.
    public let commitCID: CID
    /// Every block, by CID. Duplicates collapse (their bytes hash to the same CID).
    public let blocks: [CID: [UInt8]]

    /// Reads and verifies a CAR v1: header, sections, and the hash of every block.
    public init(bytes: [UInt8], limits: Limits = Limits()) throws(ProofError) {
        guard bytes.count <= limits.maxSize else {
            throw .carHeader("CAR is \(bytes.count) bytes, over the \(limits.maxSize)-byte limit")
        }
        let (headerLength, headerVarintLength): (UInt64, Int)
        do {
            (headerLength, headerVarintLength) = try Varint.decode(bytes, at: 0)
        } catch {
            throw .carHeader("header length varint: \(error)")
        }
        guard headerLength > 0, headerLength <= UInt64(bytes.count - headerVarintLength) else {
            throw .carHeader("header length \(headerLength) does not fit the file")
        }
        let headerEnd = headerVarintLength + Int(headerLength)
        (roots, commitCID) = try Self.decodeHeader(Array(bytes[headerVarintLength..<headerEnd]))

        var blocks: [CID: [UInt8]] = [:]
        var offset = headerEnd
        var count = 0
        while offset < bytes.count {
            count += 1
            guard count <= limits.maxBlocks else {
                throw .carSection(offset: offset, "more than \(limits.maxBlocks) blocks")
            }
            let sectionStart = offset
            let (length, varintLength): (UInt64, Int)
            do {
                (length, varintLength) = try Varint.decode(bytes, at: offset)
            } catch {
                throw .carSection(offset: sectionStart, "section length varint: \(error)")
            }
            offset += varintLength
            guard length <= UInt64(bytes.count - offset) else {
                throw .carSection(offset: sectionStart, "section of \(length) bytes is truncated")
            }
            let section = bytes[offset..<(offset + Int(length))]
            let cid: CID
            let cidLength: Int
            do {
                (cid, cidLength) = try CID.parsePrefix(section)
            } catch .versionZero {
                throw .carSection(offset: sectionStart, "CIDv0 block (atproto uses CIDv1 only)")
            } catch {
                throw .carSection(offset: sectionStart, "block CID: \(error)")
            }
            let block = Array(section.dropFirst(cidLength))
            guard block.count <= limits.maxBlockSize else {
                throw .carSection(offset: sectionStart, "block of \(block.count) bytes is over the limit")
            }
            try Self.checkBlock(cid: cid, block: block)
            blocks[cid] = block
            offset += Int(length)
        }
        self.blocks = blocks
    }

    /// Check 10: the CID is one atproto repositories use, and the bytes hash to it.
    static func checkBlock(cid: CID, block: [UInt8]) throws(ProofError) {
        guard cid.hashCode == CID.sha256Code else {
            throw .blockCIDUnsupported(cid, "multihash 0x\(String(cid.hashCode, radix: 16)) is not sha2-256")
        }
        guard cid.isSHA256 else { throw .blockCIDUnsupported(cid, "sha2-256 digest is not 32 bytes") }
        guard cid.codec == CID.Codec.dagCBOR || cid.codec == CID.Codec.raw else {
            throw .blockCIDUnsupported(cid, "codec 0x\(String(cid.codec, radix: 16)) is not dag-cbor or raw")
        }
        guard cid.matches(block: block) else { throw .blockHashMismatch(cid) }
    }

    /// Check 8: `{roots: [CID, …], version: 1}`, strict DAG-CBOR.
    static func decodeHeader(_ bytes: [UInt8]) throws(ProofError) -> ([CID], CID) {
        let value: DAGCBORValue
        do {
            value = try DAGCBORDecoder(limits: .init(maxInputSize: 64 * 1024, maxDepth: 4)).decode(bytes)
        } catch {
            throw .carHeader("not canonical DAG-CBOR: \(error)")
        }
        guard case .map(let map) = value else { throw .carHeader("not a map") }
        guard case .integer(let version) = map["version"] else { throw .carHeader("missing integer 'version'") }
        guard version == 1 else {
            throw .carHeader("version \(version) is not supported (CAR v1 only)")
        }
        guard case .array(let items) = map["roots"] else { throw .carHeader("missing 'roots' array") }
        var roots: [CID] = []
        for item in items {
            guard case .link(let cid) = item else { throw .carHeader("a root is not a CID link") }
            roots.append(cid)
        }
        guard let first = roots.first else { throw .carHeader("no roots (a proof's first root is its commit)") }
        return (roots, first)
    }
}
