import ATProto
import Crypto

/// Targets over the ATProto core: DAG-CBOR, CAR, MST, DID documents.
enum FuzzATProto {
    static func dagcbor(_ bytes: [UInt8]) {
        guard let value = try? DAGCBORDecoder().decode(bytes) else { return }
        // The decoder accepts canonical encodings only, so encoding what it decoded must give
        // back exactly the input (else two byte strings would mean the same value: a CID split).
        let again = DAGCBOREncoder.encode(value)
        guard again == bytes else {
            preconditionFailure("DAG-CBOR: accepted input re-encodes differently (\(bytes.count) → \(again.count) bytes)")
        }
    }

    static func car(_ bytes: [UInt8]) {
        guard let car = try? CARFile(bytes: bytes) else { return }
        // Every block the reader kept hashes to its CID (the reader checked; a later change must not skip it).
        for (cid, block) in car.blocks where !cid.isSHA256 || Array(SHA256.hash(data: block)) != Array(cid.digest) {
            preconditionFailure("CAR: block \(cid) kept with a mismatched hash")
        }
    }

    static func mst(_ bytes: [UInt8]) {
        guard let car = try? CARFile(bytes: bytes) else { return }
        // Walk from the commit's data root when the root is a commit, else from the root itself,
        // looking up a key derived from the input (present, absent, or anywhere in between).
        let root: CID
        if let block = car.blocks[car.commitCID], let commit = try? Commit(block: block) {
            root = commit.data
        } else {
            root = car.commitCID
        }
        let suffix = bytes.suffix(8).map { UInt8(ascii: "a") + $0 % 26 }
        for key in ["io.atcr.manifest/" + String(decoding: suffix, as: UTF8.self), "io.atcr.manifest/3kxyz", "app.bsky.feed.post/aaa"] {
            _ = try? MSTWalker().lookup(key: Array(key.utf8), root: root) { car.blocks[$0] }
        }
    }

    static func didDocument(_ bytes: [UInt8]) {
        guard let document = try? DIDDocument(json: bytes) else { return }
        if let did = try? DID(document.id) {
            _ = try? document.signingKey(for: did)
        }
        _ = try? document.pdsEndpoint()
        _ = try? document.pdsEndpoint(allowInsecureLocal: true)
    }
}
