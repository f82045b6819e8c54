import ATProto

/// An in-memory atproto repository that signs real v3 commits: what a PDS holds for one
/// account. The test world and the benchmarks build their proofs from it.
public struct Repository: Sendable {
    public let did: DID
    /// Records by MST key (`collection/rkey`): CID and block.
    public private(set) var records: [String: (cid: CID, block: [UInt8])] = [:]

    public init(did: DID) {
        self.did = did
    }

    /// Stores a record (its `$type` is the caller's business); returns its CID.
    @discardableResult
    public mutating func put(collection: NSID, recordKey: RecordKey, record: DAGCBORValue) -> CID {
        let block = DAGCBOREncoder.encode(record)
        let cid = CID.dagCBOR(block: block)
        records["\(collection.string)/\(recordKey.string)"] = (cid, block)
        return cid
    }

    /// Removes a record.
    public mutating func delete(collection: NSID, recordKey: RecordKey) {
        records["\(collection.string)/\(recordKey.string)"] = nil
    }

    /// Builds the MST of the current records and signs a commit over it.
    /// `signature` lets the test world produce deliberately bad signatures (high-S, foreign key).
    public func commit(
        rev: TID, signer: SigningKey, prev: CID? = nil,
        signature transform: (@Sendable ([UInt8]) -> [UInt8])? = nil
    ) throws(SigningKeyError) -> RepositorySnapshot {
        let tree = MSTBuilder.build(records.map { MSTBuilder.Leaf(key: $0.key, value: $0.value.cid) })
        var commit = Commit(did: did.string, version: 3, data: tree.root, rev: rev, prev: prev, sig: [])
        let signature = try signer.sign(commit.unsignedBytes)
        commit.sig = transform?(signature) ?? signature
        let block = commit.signedBlock
        var recordBlocks: [CID: [UInt8]] = [:]
        for record in records.values { recordBlocks[record.cid] = record.block }
        return RepositorySnapshot(
            did: did, commit: commit, commitCID: CID.dagCBOR(block: block), commitBlock: block,
            treeBlocks: tree.blocks, recordBlocks: recordBlocks)
    }
}

/// One signed state of a repository, immutable: a PDS can keep serving an old one (the
/// replay scenario) while the repository moves on.
public struct RepositorySnapshot: Sendable {
    public let did: DID
    public let commit: Commit
    public let commitCID: CID
    public let commitBlock: [UInt8]
    public let treeBlocks: [CID: [UInt8]]
    public let recordBlocks: [CID: [UInt8]]

    /// The `com.atproto.sync.getRecord` answer for a key: the commit, the MST nodes on the
    /// key's path, and the record when present (a proof of absence otherwise), as a CAR.
    public func proofCAR(collection: NSID, recordKey: RecordKey) -> [UInt8] {
        CARWriter.write(roots: [commitCID], blocks: proofBlocks(collection: collection, recordKey: recordKey))
    }

    /// The blocks of `proofCAR`, in order: commit, nodes root to leaf, record.
    public func proofBlocks(collection: NSID, recordKey: RecordKey) -> [(CID, [UInt8])] {
        let key = Array("\(collection.string)/\(recordKey.string)".utf8)
        var blocks: [(CID, [UInt8])] = [(commitCID, commitBlock)]
        let treeBlocks = treeBlocks
        // The tree was built here, so the walk cannot fail; if it ever did, the proof would
        // simply lack the nodes and every verifier would reject it as incomplete.
        guard let lookup = try? MSTWalker().lookup(key: key, root: commit.data, block: { treeBlocks[$0] }) else {
            return blocks
        }
        for cid in lookup.path {
            if let block = treeBlocks[cid] { blocks.append((cid, block)) }
        }
        if let value = lookup.value, let record = recordBlocks[value] { blocks.append((value, record)) }
        return blocks
    }

    /// The CID of the record at `collection/recordKey` in this snapshot's tree, if any.
    public func recordCID(collection: NSID, recordKey: RecordKey) -> CID? {
        let key = Array("\(collection.string)/\(recordKey.string)".utf8)
        let treeBlocks = treeBlocks
        return (try? MSTWalker().lookup(key: key, root: commit.data, block: { treeBlocks[$0] }))?.value
    }

    /// Every block of the repository (commit, nodes, records): a full `getRepo` CAR.
    public var fullCAR: [UInt8] {
        var blocks: [(CID, [UInt8])] = [(commitCID, commitBlock)]
        blocks += treeBlocks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        blocks += recordBlocks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return CARWriter.write(roots: [commitCID], blocks: blocks)
    }
}

/// The `io.atcr.manifest` record of the published lexicon.
public enum ATCRManifest {
    /// `{$type, repository, digest, mediaType, schemaVersion: 2, createdAt}`.
    public static func record(
        repository: String, digest: String,
        mediaType: String = "application/vnd.oci.image.manifest.v1+json",
        createdAt: String = "2026-11-22T00:00:00.000Z"
    ) -> DAGCBORValue {
        .map(DAGCBORMap([
            "$type": .text(NSID.atcrManifest.string),
            "repository": .text(repository),
            "digest": .text(digest),
            "mediaType": .text(mediaType),
            "schemaVersion": .integer(2),
            "createdAt": .text(createdAt),
        ]))
    }
}
