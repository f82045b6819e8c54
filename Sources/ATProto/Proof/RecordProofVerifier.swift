/// What to prove: that `did`'s current signed commit, under `key`, contains (or lacks)
/// `collection/recordKey`, and optionally that the record names a given image.
public struct RecordProofRequest: Sendable {
    public var did: DID
    public var key: PublicKey
    public var collection: NSID
    public var recordKey: RecordKey
    /// When set, the record must be an `io.atcr.manifest`-shaped record naming this image.
    public var expectation: RecordExpectation?

    public init(did: DID, key: PublicKey, collection: NSID, recordKey: RecordKey, expectation: RecordExpectation? = nil) {
        self.did = did
        self.key = key
        self.collection = collection
        self.recordKey = recordKey
        self.expectation = expectation
    }

    /// Validates the textual inputs: the DID (check 1) and the record path (check 18).
    public init(
        did: String, key: PublicKey, collection: String, recordKey: String, expectation: RecordExpectation? = nil
    ) throws(ProofError) {
        let parsedDID: DID
        do {
            parsedDID = try DID(did)
        } catch {
            throw .didSyntax(did, error)
        }
        guard let nsid = NSID(collection) else {
            throw .invalidRecordPath("collection '\(collection)' is not an NSID")
        }
        guard let rkey = RecordKey(recordKey) else {
            throw .invalidRecordPath("record key '\(recordKey)' is not valid (1–512 of A-Za-z0-9._:~-, not . or ..)")
        }
        self.init(did: parsedDID, key: key, collection: nsid, recordKey: rkey, expectation: expectation)
    }

    /// The MST key: `collection/rkey`.
    public var mstKey: [UInt8] { Array("\(collection.string)/\(recordKey.string)".utf8) }
}

/// A proof that verified: the signed commit, and the record or its proven absence.
public struct RecordProof: Sendable, Equatable {
    /// A record the signed tree contains.
    public struct Record: Sendable, Equatable {
        public let cid: CID
        public let value: DAGCBORMap
        /// The ATCR manifest fields, when the request carried an expectation.
        public let manifest: ATCRManifestRecord?
    }

    public let did: DID
    public let keyType: KeyType
    public let commitCID: CID
    public let commit: Commit
    /// The record, or nil when the proof shows it is absent ("revoked or never signed").
    public let record: Record?
    /// The MST nodes on the record's path, root first.
    public let mstPath: [CID]

    public var isPresent: Bool { record != nil }
    public var rev: TID? { commit.rev }
}

/// Verifies a `com.atproto.sync.getRecord` CAR offline: checks 8–22 of docs/proof-checks.md, in order.
/// Pure: no I/O, no clock. The caller has done 1–7 (DID syntax, resolution, key, fetch).
public struct RecordProofVerifier: Sendable {
    public struct Options: Sendable {
        public var carLimits: CARFile.Limits
        /// Accept v2 commits (no `rev`); off by default, as only old repositories have them.
        public var allowVersion2Commits: Bool
        public var maxTreeDepth: Int

        public init(carLimits: CARFile.Limits = .init(), allowVersion2Commits: Bool = false, maxTreeDepth: Int = 64) {
            self.carLimits = carLimits
            self.allowVersion2Commits = allowVersion2Commits
            self.maxTreeDepth = maxTreeDepth
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Verifies `car` for `request`. Throws the first failed check; returns the proof
    /// (present or absent) when every check passes.
    public func verify(car bytes: [UInt8], request: RecordProofRequest) throws(ProofError) -> RecordProof {
        let car = try CARFile(bytes: bytes, limits: options.carLimits)  // 8, 9, 10
        return try verify(car: car, request: request)
    }

    /// As `verify(car:request:)` for a CAR already read and hash-checked.
    public func verify(car: CARFile, request: RecordProofRequest) throws(ProofError) -> RecordProof {
        // 11: the root commit block.
        let commitCID = car.commitCID
        guard let commitBlock = car.blocks[commitCID] else { throw .commitBlockMissing(commitCID) }
        guard commitCID.codec == CID.Codec.dagCBOR else { throw .commitBlockNotDAGCBOR(commitCID) }
        // 12: strict decode.
        let commit = try Commit(block: commitBlock, allowVersion2: options.allowVersion2Commits)
        // 13: the commit is this account's.
        guard commit.did == request.did.string else {
            throw .commitDIDMismatch(expected: request.did.string, found: commit.did)
        }
        // 14–17: signature.
        try commit.verifySignature(block: commitBlock, key: request.key)
        // 18: path syntax (the types guarantee NSID and record-key syntax; the key length is checked here).
        let key = request.mstKey
        guard key.count <= MST.maxKeyLength else {
            throw .invalidRecordPath("key is \(key.count) bytes, over \(MST.maxKeyLength)")
        }
        // 19: walk.
        let lookup = try MSTWalker(maxDepth: options.maxTreeDepth).lookup(key: key, root: commit.data) {
            car.blocks[$0]
        }
        guard let recordCID = lookup.value else {
            return RecordProof(
                did: request.did, keyType: request.key.type, commitCID: commitCID, commit: commit,
                record: nil, mstPath: lookup.path)
        }
        // 20: the record block (its hash was checked with every other block in 10).
        guard recordCID.isBlessedDAGCBOR else { throw .recordBlockNotDAGCBOR(recordCID) }
        guard let recordBlock = car.blocks[recordCID] else { throw .recordBlockMissing(recordCID) }
        // 21: decode, $type.
        let value = try RecordDecoder.decode(block: recordBlock, collection: request.collection)
        // 22: the record names this image.
        var manifest: ATCRManifestRecord?
        if let expectation = request.expectation {
            let fields = try ATCRManifestRecord(record: value)
            try fields.check(expectation)
            manifest = fields
        }
        return RecordProof(
            did: request.did, keyType: request.key.type, commitCID: commitCID, commit: commit,
            record: .init(cid: recordCID, value: value, manifest: manifest), mstPath: lookup.path)
    }
}
