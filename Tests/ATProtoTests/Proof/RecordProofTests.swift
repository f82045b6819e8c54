import ATProto
import ATProtoWriter
import Crypto
import Testing

@Suite("Record proofs: verdicts")
struct RecordProofTests {
    @Test("a real proof verifies and names the record, on both curves", arguments: KeyType.allCases)
    func present(_ type: KeyType) throws {
        let world = try ProofTestWorld(type)
        let proof = try world.verify()
        #expect(proof.isPresent)
        #expect(proof.keyType == type)
        #expect(proof.commitCID == world.snapshot.commitCID)
        #expect(proof.rev == world.snapshot.commit.rev)
        #expect(proof.record?.manifest?.digest == ProofTestWorld.digest)
        #expect(proof.record?.manifest?.repository == ProofTestWorld.repository)
        #expect(proof.mstPath.count >= 3, "300 records give a tree of several levels")
        #expect(proof.mstPath.first == world.snapshot.commit.data)
    }

    @Test("a deleted record is proven absent from the current commit (revocation)")
    func absentAfterDeletion() throws {
        var world = try ProofTestWorld()
        world.repo.delete(collection: .atcrManifest, recordKey: world.rkey)
        let after = try world.repo.commit(rev: TID(microseconds: 1_763_900_000_000_001, clockID: 1), signer: world.key)
        let car = after.proofCAR(collection: .atcrManifest, recordKey: world.rkey)
        let proof = try world.verify(car)
        #expect(!proof.isPresent)
        #expect(proof.commitCID == after.commitCID)
        #expect(!proof.mstPath.isEmpty)
    }

    @Test("a record never written is proven absent; so is any record of an empty repository")
    func absentNeverWritten() throws {
        let world = try ProofTestWorld()
        let missing = try #require(RecordKey("3zzzzzzzzzzzz"))
        let car = world.snapshot.proofCAR(collection: .atcrManifest, recordKey: missing)
        var request = world.request
        request.recordKey = missing
        #expect(try !world.verify(car, request: request).isPresent)

        let empty = try Repository(did: world.did).commit(rev: TID(microseconds: 1, clockID: 0), signer: world.key)
        let proof = try world.verify(empty.proofCAR(collection: .atcrManifest, recordKey: world.rkey))
        #expect(!proof.isPresent && proof.mstPath.count == 1)
    }

    @Test("a proof of absence served for a present claim is a valid proof of absence, not a crash")
    func absenceForPresentClaim() throws {
        let world = try ProofTestWorld()
        // The PDS omits the record and answers with a tree in which it is missing: here, the
        // tree of a repository that never held it, signed by the same key.
        var other = world.repo
        other.delete(collection: .atcrManifest, recordKey: world.rkey)
        let forged = try other.commit(rev: TID(microseconds: 1_763_900_000_000_002, clockID: 1), signer: world.key)
        #expect(try !world.verify(forged.proofCAR(collection: .atcrManifest, recordKey: world.rkey)).isPresent)
    }

    @Test("the proof holds exactly commit, path nodes and record")
    func minimalProof() throws {
        let world = try ProofTestWorld()
        let proof = try world.verify()
        let car = try CARFile(bytes: world.car)
        #expect(car.blocks.count == 1 + proof.mstPath.count + 1)
    }

    @Test("a real commit from the public network: unsigned bytes and their SHA-256")
    func workedExample() throws {
        let unsignedHex = """
            a56364696478206469643a706c633a7676707937643679326c6935796f3733636762737a69626c6372\
            65766d336c6d787262766173746832746464617461d82a582500017112209dfefe61dd76ea3dcae502\
            3880b08379d57adf20482d6fdbe2759289f647677b6470726576f66776657273696f6e03
            """
        let unsigned = try #require(Hex.decode(unsignedHex))
        #expect(Hex.encode(Array(SHA256.hash(data: unsigned))) == "3ccecc33b0a74a8d75e66827765d78b77a8b823b1f30e0a0f465a7a9559d7cbe")
        let data = try CID(binary: [0x01, 0x71, 0x12, 0x20] + #require(Hex.decode("9dfefe61dd76ea3dcae5023880b08379d57adf20482d6fdbe2759289f647677b")))
        let commit = Commit(did: "did:plc:vvpy7d6y2li5yo73cgbszibl", data: data, rev: TID("3lmxrbvasth2t"), sig: [UInt8](repeating: 1, count: 64))
        #expect(commit.unsignedBytes == unsigned)
        // With sig: A6, and the sig entry between rev and data (did, rev, sig, data, prev, version).
        let signed = commit.signedBlock
        #expect(signed.first == 0xA6)
        #expect(try Commit(block: signed) == commit)
        // Equivalent derivation: delete the sig entry's bytes and write A5 for A6.
        let sigEntry: [UInt8] = [0x63] + Array("sig".utf8) + [0x58, 0x40] + [UInt8](repeating: 1, count: 64)
        var surgery = signed
        let start = try #require(Array(0..<signed.count).first { Array(signed[$0..<min($0 + sigEntry.count, signed.count)]) == sigEntry })
        surgery.removeSubrange(start..<(start + sigEntry.count))
        surgery[0] = 0xA5
        #expect(surgery == unsigned)
    }

    @Test("the commit's direct encoder equals the generic canonical encoder", arguments: [true, false])
    func commitEncoding(_ withRev: Bool) throws {
        let data = CID.dagCBOR(block: [1])
        for prev in [nil, CID.dagCBOR(block: [2])] {
            let commit = Commit(
                did: "did:web:example.com", version: withRev ? 3 : 2, data: data,
                rev: withRev ? TID(microseconds: 5, clockID: 1) : nil, prev: prev, sig: [UInt8](repeating: 9, count: 64))
            #expect(commit.signedBlock == DAGCBOREncoder.encode(.map(commit.fields(includingSignature: true))))
            #expect(commit.unsignedBytes == DAGCBOREncoder.encode(.map(commit.fields(includingSignature: false))))
        }
    }

    @Test("v2 commits verify only when explicitly allowed")
    func version2() throws {
        let world = try ProofTestWorld()
        var commit = Commit(did: world.did.string, version: 2, data: world.snapshot.commit.data, rev: nil, sig: [])
        commit.sig = try world.key.sign(commit.unsignedBytes)
        let car = world.withCommitBlock(commit.signedBlock)
        expectCheck(.commitDecode) { _ = try world.verify(car) }
        let proof = try world.verify(car, options: .init(allowVersion2Commits: true))
        #expect(proof.isPresent && proof.rev == nil)
    }
}
