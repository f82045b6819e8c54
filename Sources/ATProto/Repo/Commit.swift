import Crypto

/// A signed repository commit, v3: `{did, version, data, rev, prev, sig}` (docs/architecture.md, "The AT Protocol encodings").
public struct Commit: Sendable, Equatable {
    public var did: String
    public var version: Int64
    /// Root of the MST.
    public var data: CID
    /// Logical clock (a TID); absent only in v2 commits.
    public var rev: TID?
    public var prev: CID?
    public var sig: [UInt8]

    public init(did: String, version: Int64 = 3, data: CID, rev: TID?, prev: CID? = nil, sig: [UInt8]) {
        self.did = did
        self.version = version
        self.data = data
        self.rev = rev
        self.prev = prev
        self.sig = sig
    }

    /// Check 12: strict decoding of a commit block. The keys must be exactly
    /// `{did, version, data, rev, prev, sig}` (v2: without `rev`, only with `allowVersion2`).
    public init(block: [UInt8], allowVersion2: Bool = false) throws(ProofError) {
        let value: DAGCBORValue
        do {
            value = try DAGCBORDecoder(limits: .init(maxInputSize: 64 * 1024, maxDepth: 4)).decode(block)
        } catch {
            throw .commitMalformed("not canonical DAG-CBOR: \(error)")
        }
        guard case .map(let map) = value else { throw .commitMalformed("not a map") }
        guard case .integer(let version) = map["version"] else { throw .commitMalformed("'version' is not an integer") }
        let expectedKeys: [String]
        switch version {
        case 3:
            expectedKeys = ["did", "rev", "sig", "data", "prev", "version"]
        case 2 where allowVersion2:
            expectedKeys = ["did", "sig", "data", "prev", "version"]
        default:
            throw .commitMalformed(
                version == 2
                    ? "version 2 commits are refused (enable v2 explicitly to accept old repositories)"
                    : "version \(version) is not supported (v3 expected)")
        }
        // Canonical order makes "exactly these keys" an array comparison; sets only for the message.
        guard map.keys == expectedKeys else {
            let keys = Set(map.keys), expected = Set(expectedKeys)
            let unknown = keys.subtracting(expected).sorted()
            let missing = expected.subtracting(keys).sorted()
            var parts: [String] = []
            if !unknown.isEmpty { parts.append("unknown keys \(unknown)") }
            if !missing.isEmpty { parts.append("missing keys \(missing)") }
            throw .commitMalformed(parts.joined(separator: ", "))
        }
        guard case .text(let did) = map["did"] else { throw .commitMalformed("'did' is not a string") }
        guard case .link(let data) = map["data"] else { throw .commitMalformed("'data' is not a CID link") }
        guard data.isBlessedDAGCBOR else { throw .commitMalformed("'data' \(data) is not a dag-cbor sha2-256 CID") }
        var rev: TID?
        if version == 3 {
            guard case .text(let revText) = map["rev"] else { throw .commitMalformed("'rev' is not a string") }
            guard let tid = TID(revText) else { throw .commitMalformed("'rev' \(revText) is not a TID") }
            rev = tid
        }
        var prev: CID?
        switch map["prev"] {
        case .null: prev = nil
        case .link(let cid): prev = cid
        default: throw .commitMalformed("'prev' is neither a CID link nor null")
        }
        guard case .bytes(let sig) = map["sig"] else { throw .commitMalformed("'sig' is not a byte string") }
        self.init(did: did, version: version, data: data, rev: rev, prev: prev, sig: sig)
    }

    /// The commit's fields as a DAG-CBOR map, with or without `sig`.
    public func fields(includingSignature: Bool) -> DAGCBORMap {
        var fields: [String: DAGCBORValue] = [
            "did": .text(did),
            "version": .integer(version),
            "data": .link(data),
            "prev": prev.map(DAGCBORValue.link) ?? .null,
        ]
        if let rev { fields["rev"] = .text(rev.string) }
        if includingSignature { fields["sig"] = .bytes(sig) }
        return DAGCBORMap(fields)
    }

    /// Check 15: the canonical DAG-CBOR of the commit without `sig`, which is what was signed.
    public var unsignedBytes: [UInt8] { encode(includingSignature: false) }

    /// The canonical signed block.
    public var signedBlock: [UInt8] { encode(includingSignature: true) }

    /// Writes the map in canonical key order (did, rev, sig, data, prev, version: length-first),
    /// without building a dictionary: this runs once per verification, on the hot path.
    /// Equal to `DAGCBOREncoder.encode(.map(fields(includingSignature:)))` (tested).
    private func encode(includingSignature: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + sig.count + did.utf8.count)
        let count = 4 + (rev == nil ? 0 : 1) + (includingSignature ? 1 : 0)
        DAGCBOREncoder.appendHead(major: 5, UInt64(count), to: &out)
        DAGCBOREncoder.appendText("did", to: &out)
        DAGCBOREncoder.appendText(did, to: &out)
        if let rev {
            DAGCBOREncoder.appendText("rev", to: &out)
            DAGCBOREncoder.appendText(rev.string, to: &out)
        }
        if includingSignature {
            DAGCBOREncoder.appendText("sig", to: &out)
            DAGCBOREncoder.append(.bytes(sig), to: &out)
        }
        DAGCBOREncoder.appendText("data", to: &out)
        DAGCBOREncoder.appendLink(data, to: &out)
        DAGCBOREncoder.appendText("prev", to: &out)
        if let prev { DAGCBOREncoder.appendLink(prev, to: &out) } else { out.append(0xF6) }
        DAGCBOREncoder.appendText("version", to: &out)
        DAGCBOREncoder.append(.integer(version), to: &out)
        return out
    }

    /// Checks 14–17 for this commit against the block it was decoded from: signature shape,
    /// unsigned bytes (the block must be this commit's canonical encoding), low-S, ECDSA.
    public func verifySignature(block: [UInt8], key: PublicKey) throws(ProofError) {
        do {
            try CompactSignature.checkShape(sig, keyType: key.type)
        } catch {
            throw .signature(error)
        }
        let unsigned = unsignedBytes
        guard signedBlock == block else { throw .unsignedBytesMismatch }
        do {
            try key.verify(signature: sig, digest: SHA256.hash(data: unsigned))
        } catch {
            throw .signature(error)
        }
    }
}
