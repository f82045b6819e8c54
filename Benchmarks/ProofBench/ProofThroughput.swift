import ATProto
import ATProtoWriter
import Crypto
import Foundation

/// K-256 and P-256 commit verifications per second, and full record-proof verifications per
/// second for a proof 7–8 MST levels deep.
func runProofBenchmarks(_ options: Options) throws {
    // Commit verification on both curves.
    for type in KeyType.allCases {
        let key = SigningKey.derived(type, seed: "bench")
        let did = try DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
        var repo = Repository(did: did)
        repo.put(collection: .atcrManifest, recordKey: RecordKey("3m5i3qfug2322")!, record: ATCRManifest.record(repository: "app", digest: "sha256:" + String(repeating: "a", count: 64)))
        let snapshot = try repo.commit(rev: TID(microseconds: 1_763_000_000_000_000, clockID: 0), signer: key)
        let block = snapshot.commitBlock
        let publicKey = key.publicKey
        let rate = try measure(seconds: options.seconds) {
            let commit = try Commit(block: block)
            try commit.verifySignature(block: block, key: publicKey)
        }
        let digest = SHA256.hash(data: snapshot.commit.unsignedBytes)
        let signature = snapshot.commit.sig
        let bare = try measure(seconds: options.seconds) { try publicKey.verify(signature: signature, digest: digest) }
        print("\(type.displayName) commit verification:  \(format(rate))")
        print("  of which the signature check alone: \(format(bare))  (\(String(format: "%.0f", 100 * rate / bare))% of the bare rate)")
    }

    // A full record proof from a deep tree.
    let key = SigningKey.derived(.k256, seed: "bench-proof")
    let did = try DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    var repo = Repository(did: did)
    var rkeys: [RecordKey] = []
    for index in 0..<options.records {
        let rkey = RecordKey(TID(microseconds: 1_700_000_000_000_000 + UInt64(index) * 977, clockID: 7).string)!
        rkeys.append(rkey)
        repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(
            repository: "app-\(index % 97)", digest: "sha256:" + Hex.encode(Array(repeating: UInt8(index & 0xFF), count: 32))))
    }
    let snapshot = try repo.commit(rev: TID(microseconds: 1_763_000_000_000_000, clockID: 0), signer: key)
    // The record with the longest path: a realistic worst case for one proof (4,000 records
    // give a tree of 7–8 levels).
    var deepest = rkeys[0]
    var deepestLength = 0
    for rkey in rkeys.prefix(2_000) {
        let length = snapshot.proofBlocks(collection: .atcrManifest, recordKey: rkey).count - 2
        if length > deepestLength { (deepest, deepestLength) = (rkey, length) }
    }
    let car = snapshot.proofCAR(collection: .atcrManifest, recordKey: deepest)
    let request = RecordProofRequest(did: did, key: key.publicKey, collection: .atcrManifest, recordKey: deepest)
    let verifier = RecordProofVerifier()
    let proof = try verifier.verify(car: car, request: request)
    precondition(proof.isPresent)
    let rate = try measure(seconds: options.seconds) { _ = try verifier.verify(car: car, request: request) }
    print("record proof verification: \(format(rate))  [\(options.records) records, \(proof.mstPath.count) MST levels, \(car.count) bytes]")
}
