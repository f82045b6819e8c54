import ATProto
import ATProtoWriter
import Testing

/// One negative test (at least) per numbered check of docs/proof-checks.md that the offline core
/// performs, each tripping exactly that check (§8). Checks 2 and 7 are network fetches and
/// 23 is policy: they belong to the verifier and the trust policy.
@Suite("Record proofs: each check trips alone")
struct ProofCheckTests {
    // MARK: C. CAR

    @Test("8: CAR v2 pragma, zero roots, a header that is not a map")
    func carHeader() throws {
        let world = try ProofTestWorld()
        let carV2Pragma: [UInt8] = [0x0A, 0xA1, 0x67] + Array("version".utf8) + [0x02]
        expectCheck(.carHeader) { _ = try world.verify(carV2Pragma + world.car) }
        let noRoots = CARWriter.write(roots: [], blocks: world.blocks)
        expectCheck(.carHeader) { _ = try world.verify(noRoots) }
        expectCheck(.carHeader) { _ = try world.verify([0x01, 0x01]) }
        expectCheck(.carHeader) { _ = try world.verify([]) }
    }

    @Test("9: a CIDv0 block, a truncated section, an oversized varint")
    func carSection() throws {
        let world = try ProofTestWorld()
        let header = Array(world.car.prefix(while: { _ in true }).prefix(1 + Int(world.car[0])))
        let digest = [UInt8](repeating: 0, count: 32)
        let cidV0Section: [UInt8] = Varint.encode(UInt64(34 + 1)) + [0x12, 0x20] + digest + [0x00]
        expectCheck(.carSection) { _ = try world.verify(world.car + cidV0Section) }
        expectCheck(.carSection) { _ = try world.verify(Array(world.car.dropLast(5))) }
        expectCheck(.carSection) { _ = try world.verify(header + [UInt8](repeating: 0xFF, count: 10)) }
    }

    @Test("10: a tampered record byte, a tampered MST node byte, a non-sha256 CID")
    func blockHash() throws {
        let world = try ProofTestWorld()
        let proof = try world.verify()
        let record = try #require(proof.record?.cid)
        let error = expectCheck(.blockHash) { _ = try world.verify(world.tampering(record) { $0[$0.count - 3] ^= 0x01 }) }
        #expect(error == .blockHashMismatch(record))
        let node = try world.pathNode(1)
        expectCheck(.blockHash) { _ = try world.verify(world.tampering(node) { $0[5] ^= 0x80 }) }
        // An identity-multihash CID: the bytes are "in" the CID, never hashed.
        let identity = try CID(binary: [0x01, 0x71, 0x00, 0x01, 0xF6])
        let car = CARWriter.write(roots: [world.snapshot.commitCID], blocks: world.blocks + [(identity, [0xF6])])
        expectCheck(.blockHash) { _ = try world.verify(car) }
    }

    // MARK: D. Commit

    @Test("11: the root commit block is missing, or the root is not dag-cbor")
    func commitBlock() throws {
        let world = try ProofTestWorld()
        expectCheck(.commitBlock) { _ = try world.verify(world.omitting(world.snapshot.commitCID)) }
        let raw = CID.compute(codec: CID.Codec.raw, block: world.snapshot.commitBlock)
        let car = CARWriter.write(roots: [raw], blocks: [(raw, world.snapshot.commitBlock)] + world.blocks.dropFirst())
        expectCheck(.commitBlock) { _ = try world.verify(car) }
    }

    @Test("12: non-canonical encodings, an unknown key, version 2, a bad rev")
    func commitDecode() throws {
        let world = try ProofTestWorld()
        let signed = world.snapshot.commitBlock
        // `version: 3` written as 18 03.
        #expect(Array(signed.suffix(8)) == Array("version".utf8) + [0x03])
        let nonMinimal = Array(signed.dropLast()) + [0x18, 0x03]
        let error = expectCheck(.commitDecode) { _ = try world.verify(world.withCommitBlock(nonMinimal)) }
        #expect(error?.reason.contains("non-minimal") == true)
        // Keys out of order: the same six entries, `version` first.
        var commit = world.snapshot.commit
        let fields = commit.fields(includingSignature: true).entries
        var unsorted: [UInt8] = [0xA6]
        for entry in [fields[5]] + fields[0..<5] {
            DAGCBOREncoder.appendText(entry.key, to: &unsorted)
            DAGCBOREncoder.append(entry.value, to: &unsorted)
        }
        expectCheck(.commitDecode) { _ = try world.verify(world.withCommitBlock(unsorted)) }
        // An extra key.
        var extended = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
        extended["extra"] = .text("x")
        expectCheck(.commitDecode) { _ = try world.verify(world.withCommitBlock(DAGCBOREncoder.encode(.map(DAGCBORMap(extended))))) }
        // Version 2 without the option.
        commit.version = 2
        commit.rev = nil
        expectCheck(.commitDecode) { _ = try world.verify(world.withCommitBlock(commit.signedBlock)) }
        // A rev that is not a TID.
        var badRev = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
        badRev["rev"] = .text("not-a-tid")
        expectCheck(.commitDecode) { _ = try world.verify(world.withCommitBlock(DAGCBOREncoder.encode(.map(DAGCBORMap(badRev))))) }
    }

    @Test("13: a validly signed commit of another account (same key)")
    func commitDID() throws {
        let world = try ProofTestWorld()
        var other = world.repo
        other = Repository(did: try DID("did:plc:vvpy7d6y2li5yo73cgbszibl"))
        for (key, record) in world.repo.records {
            let parts = key.split(separator: "/")
            other.put(collection: .atcrManifest, recordKey: try #require(RecordKey(String(parts[1]))), record: try DAGCBORDecoder().decode(record.block))
        }
        let snapshot = try other.commit(rev: try #require(world.snapshot.commit.rev), signer: world.key)
        let error = expectCheck(.commitDID) { _ = try world.verify(snapshot.proofCAR(collection: .atcrManifest, recordKey: world.rkey)) }
        #expect(error == .commitDIDMismatch(expected: world.did.string, found: "did:plc:vvpy7d6y2li5yo73cgbszibl"))
    }

    @Test("14: a DER signature; r or s out of range", arguments: KeyType.allCases)
    func signatureShape(_ type: KeyType) throws {
        let world = try ProofTestWorld(type)
        var commit = world.snapshot.commit
        let r = Array(commit.sig[0..<32]), s = Array(commit.sig[32..<64])
        func derInteger(_ v: [UInt8]) -> [UInt8] { let body = v.first! >= 0x80 ? [0] + v : v; return [0x02, UInt8(body.count)] + body }
        let der = derInteger(r) + derInteger(s)
        commit.sig = [0x30, UInt8(der.count)] + der
        let error = expectCheck(.signatureShape) { _ = try world.verify(world.withCommitBlock(commit.signedBlock)) }
        #expect(error?.reason.contains("DER") == true)
        commit.sig = [UInt8](repeating: 0, count: 32) + s
        expectCheck(.signatureShape) { _ = try world.verify(world.withCommitBlock(commit.signedBlock)) }
        commit.sig = r + type.order
        expectCheck(.signatureShape) { _ = try world.verify(world.withCommitBlock(commit.signedBlock)) }
    }

    @Test("15: a commit whose fields do not re-encode to the signed block")
    func unsignedBytes() throws {
        let world = try ProofTestWorld()
        // A strict decoder admits only canonical blocks, so through a CAR this check is
        // implied by 12; it guards the API that takes a commit and a block separately.
        var commit = world.snapshot.commit
        commit.rev = TID(microseconds: 1, clockID: 0)
        expectCheck(.unsignedBytes) { try commit.verifySignature(block: world.snapshot.commitBlock, key: world.key.publicKey) }
        try world.snapshot.commit.verifySignature(block: world.snapshot.commitBlock, key: world.key.publicKey)
    }

    @Test("16: a high-S signature (the malleated twin of a valid one)", arguments: KeyType.allCases)
    func lowS(_ type: KeyType) throws {
        let world = try ProofTestWorld(type)
        let highS = try world.repo.commit(rev: try #require(world.snapshot.commit.rev), signer: world.key) {
            SigningKey.flippingS($0, type: type)
        }
        let error = expectCheck(.lowS) { _ = try world.verify(highS.proofCAR(collection: .atcrManifest, recordKey: world.rkey)) }
        #expect(error == .signature(.highS))
    }

    @Test("17: the wrong key (e.g. rotated out), and a corrupted signature", arguments: KeyType.allCases)
    func signatureVerify(_ type: KeyType) throws {
        let world = try ProofTestWorld(type)
        var request = world.request
        request.key = SigningKey.derived(type, seed: "another key").publicKey
        expectCheck(.signatureVerify) { _ = try world.verify(request: request) }
        var commit = world.snapshot.commit
        commit.sig[10] ^= 0x01
        expectCheck(.signatureVerify) { _ = try world.verify(world.withCommitBlock(commit.signedBlock)) }
    }

    // MARK: E. MST path and walk

    @Test("18: an invalid collection or record key")
    func recordPath() throws {
        let world = try ProofTestWorld()
        expectCheck(.recordPath) {
            _ = try RecordProofRequest(did: world.did.string, key: world.key.publicKey, collection: "io.atcr.manifest", recordKey: "..")
        }
        expectCheck(.recordPath) {
            _ = try RecordProofRequest(did: world.did.string, key: world.key.publicKey, collection: "manifest", recordKey: "3k")
        }
    }

    @Test("19: an MST node on the path is missing (incomplete proof)")
    func mstIncomplete() throws {
        let world = try ProofTestWorld()
        let node = try world.pathNode(1)
        let error = expectCheck(.mstWalk) { _ = try world.verify(world.omitting(node)) }
        #expect(error == .mstIncomplete(missing: node))
    }

    @Test("20: the record block is missing, or the record CID is not dag-cbor")
    func recordBlock() throws {
        let world = try ProofTestWorld()
        let record = try #require(try world.verify().record?.cid)
        expectCheck(.recordBlock) { _ = try world.verify(world.omitting(record)) }
    }

    // MARK: F. Record

    @Test("21: the record's $type is another collection; the record is not a map")
    func recordDecode() throws {
        var world = try ProofTestWorld()
        world.repo.put(collection: .atcrManifest, recordKey: world.rkey, record: .map(DAGCBORMap([
            "$type": .text("io.atcr.tag"), "repository": .text(ProofTestWorld.repository), "digest": .text(ProofTestWorld.digest),
        ])))
        let snapshot = try world.repo.commit(rev: TID(microseconds: 1_763_900_000_000_009, clockID: 1), signer: world.key)
        let error = expectCheck(.recordDecode) { _ = try world.verify(snapshot.proofCAR(collection: .atcrManifest, recordKey: world.rkey)) }
        #expect(error == .recordTypeMismatch(expected: "io.atcr.manifest", found: "io.atcr.tag"))

        world.repo.put(collection: .atcrManifest, recordKey: world.rkey, record: .array([]))
        let notMap = try world.repo.commit(rev: TID(microseconds: 1_763_900_000_000_010, clockID: 1), signer: world.key)
        expectCheck(.recordDecode) { _ = try world.verify(notMap.proofCAR(collection: .atcrManifest, recordKey: world.rkey)) }
    }

    @Test("22: another digest, another repository, a missing lexicon field")
    func recordContent() throws {
        let world = try ProofTestWorld()
        var request = world.request
        request.expectation = RecordExpectation(digest: "sha256:" + String(repeating: "cd", count: 32), repository: ProofTestWorld.repository)
        expectCheck(.recordContent) { _ = try world.verify(request: request) }
        request.expectation = RecordExpectation(digest: ProofTestWorld.digest, repository: "other-name")
        let error = expectCheck(.recordContent) { _ = try world.verify(request: request) }
        #expect(error == .recordRepositoryMismatch(expected: "other-name", found: ProofTestWorld.repository))

        var repo = world.repo
        repo.put(collection: .atcrManifest, recordKey: world.rkey, record: .map(DAGCBORMap([
            "$type": .text("io.atcr.manifest"), "repository": .text(ProofTestWorld.repository),
            "digest": .text(ProofTestWorld.digest), "mediaType": .text("x"), "schemaVersion": .integer(2),
        ])))
        let snapshot = try repo.commit(rev: TID(microseconds: 1_763_900_000_000_011, clockID: 1), signer: world.key)
        let missing = expectCheck(.recordContent) { _ = try world.verify(snapshot.proofCAR(collection: .atcrManifest, recordKey: world.rkey)) }
        #expect(missing == .recordFieldInvalid(field: "createdAt", "missing"))
    }

    @Test("every check has a distinct, stable name")
    func checkNames() {
        let names = ProofCheck.allCases.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(ProofCheck.blockHash.description == "check 10 (block-hash)")
    }
}
