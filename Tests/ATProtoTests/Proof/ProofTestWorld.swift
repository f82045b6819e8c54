import ATProto
import ATProtoWriter
import Testing

/// A real signed repository and the proof CAR for one of its records, plus the tools to
/// break exactly one thing about it.
struct ProofTestWorld {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let repository = "prod-api"

    let key: SigningKey
    let did: DID
    var repo: Repository
    let rkey: RecordKey
    let snapshot: RepositorySnapshot

    /// A repository of `records` ATCR manifests (enough for several MST levels) signed by a
    /// key of `type`; the record under test names `digest` in `repository`.
    init(_ type: KeyType = .k256, records: Int = 300, did: String = "did:plc:ewvi7nxzyoun6zhxrhs64oiz") throws {
        key = SigningKey.derived(type, seed: "proof-test-\(type)")
        self.did = try DID(did)
        repo = Repository(did: self.did)
        var target: RecordKey?
        for index in 0..<records {
            let rkey = try #require(RecordKey(TID(microseconds: 1_763_000_000_000_000 + UInt64(index) * 1_000, clockID: 1).string))
            let isTarget = index == records / 2
            let digest = isTarget ? Self.digest : "sha256:" + Hex.encode(Array(repeating: UInt8(index % 256), count: 32))
            repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: isTarget ? Self.repository : "app-\(index)", digest: digest))
            if isTarget { target = rkey }
        }
        rkey = try #require(target)
        snapshot = try repo.commit(rev: TID(microseconds: 1_763_900_000_000_000, clockID: 1), signer: key)
    }

    var request: RecordProofRequest {
        RecordProofRequest(
            did: did, key: key.publicKey, collection: .atcrManifest, recordKey: rkey,
            expectation: RecordExpectation(digest: Self.digest, repository: Self.repository))
    }

    var car: [UInt8] { snapshot.proofCAR(collection: .atcrManifest, recordKey: rkey) }
    var blocks: [(CID, [UInt8])] { snapshot.proofBlocks(collection: .atcrManifest, recordKey: rkey) }

    /// Verifies `car` (default: the untouched proof) for `request` (default: the honest one).
    func verify(_ car: [UInt8]? = nil, request: RecordProofRequest? = nil, options: RecordProofVerifier.Options = .init()) throws(ProofError) -> RecordProof {
        try RecordProofVerifier(options: options).verify(car: car ?? self.car, request: request ?? self.request)
    }

    /// The CAR with the block `cid`'s bytes changed by `edit`, CID kept (so the hash breaks).
    func tampering(_ cid: CID, _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        CARWriter.write(roots: [snapshot.commitCID], blocks: blocks.map { entry in
            var bytes = entry.1
            if entry.0 == cid { edit(&bytes) }
            return (entry.0, bytes)
        })
    }

    /// The CAR without the block `cid`.
    func omitting(_ cid: CID) -> [UInt8] {
        CARWriter.write(roots: [snapshot.commitCID], blocks: blocks.filter { $0.0 != cid })
    }

    /// The proof with its commit block replaced by `block` (correctly hashed), other blocks kept.
    func withCommitBlock(_ block: [UInt8]) -> [UInt8] {
        let cid = CID.dagCBOR(block: block)
        return CARWriter.write(roots: [cid], blocks: [(cid, block)] + blocks.dropFirst())
    }

    /// The MST node on the record's path at `depth` (0 = root).
    func pathNode(_ depth: Int) throws -> CID {
        let proof = try verify()
        return proof.mstPath[depth]
    }
}

/// Runs `body`, expecting it to fail exactly `check`; returns the error for further checks.
@discardableResult
func expectCheck(
    _ check: ProofCheck, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ProofError? {
    do {
        try body()
        Issue.record("expected \(check) to fail, but the proof verified", sourceLocation: sourceLocation)
        return nil
    } catch let error as ProofError {
        #expect(error.check == check, "failed \(error) instead of \(check)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(check) to fail, got a non-proof error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
