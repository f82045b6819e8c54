import ATProto
import ATProtoWriter
import Crypto
import Foundation
import Testbed

/// Real signed repositories and the `getRecord` proofs a PDS would serve for them, one per
/// scenario, written as files for `atcr-verify proof`.
struct ProofSamples {
    struct Scenario {
        let name: String
        let description: String
        let car: String
        let did: DID
        let key: String
        let keyType: KeyType?
        let rkey: RecordKey
        let expectedExit: Int32
    }

    let directory: URL

    func write() throws -> [Scenario] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let digest = "sha256:" + Hex.encode(Array(SHA256.hash(data: Array("demo image manifest".utf8))))
        let rkey = RecordKey(TID(microseconds: 1_763_700_000_000_000, clockID: 1))
        var scenarios: [Scenario] = []

        for type in KeyType.allCases {
            let account = try WorldAccount.plc("alice-\(type.rawValue)", keyType: type)
            var repo = Self.repository(of: account, records: 120, digest: digest)
            repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "prod-api", digest: digest))
            let signed = try repo.commit(rev: TID(microseconds: 1_763_700_000_000_100, clockID: 1), signer: account.key)
            let documentFile = try write("did-\(type.rawValue).json", account.document(pds: "https://pds.test.example"))
            let present = try write("present-\(type.rawValue).car", signed.proofCAR(collection: .atcrManifest, recordKey: rkey))
            scenarios.append(Scenario(
                name: "signed-\(type.rawValue)", description: "record signed by a \(type.displayName) key",
                car: present, did: account.did, key: documentFile, keyType: nil, rkey: rkey, expectedExit: 0))

            guard type == .k256 else { continue }
            var tampered = signed.proofCAR(collection: .atcrManifest, recordKey: rkey)
            tampered[tampered.count - 5] ^= 0x20
            scenarios.append(Scenario(
                name: "tampered", description: "one byte of the record changed in transit",
                car: try write("tampered.car", tampered), did: account.did, key: documentFile, keyType: nil, rkey: rkey,
                expectedExit: 1))

            let highS = try repo.commit(rev: TID(microseconds: 1_763_700_000_000_101, clockID: 1), signer: account.key) {
                SigningKey.flippingS($0, type: .k256)
            }
            scenarios.append(Scenario(
                name: "high-s", description: "commit signature malleated to high-S",
                car: try write("high-s.car", highS.proofCAR(collection: .atcrManifest, recordKey: rkey)),
                did: account.did, key: documentFile, keyType: nil, rkey: rkey, expectedExit: 1))

            let rotated = SigningKey.derived(.k256, seed: "alice-rotated-out")
            let oldKey = try repo.commit(rev: TID(microseconds: 1_763_700_000_000_102, clockID: 1), signer: rotated)
            scenarios.append(Scenario(
                name: "rotated-key", description: "commit signed by a key the DID no longer lists",
                car: try write("rotated-key.car", oldKey.proofCAR(collection: .atcrManifest, recordKey: rkey)),
                did: account.did, key: documentFile, keyType: nil, rkey: rkey, expectedExit: 1))

            repo.delete(collection: .atcrManifest, recordKey: rkey)
            let revoked = try repo.commit(rev: TID(microseconds: 1_763_700_000_000_200, clockID: 1), signer: account.key)
            scenarios.append(Scenario(
                name: "revoked", description: "record deleted after signing: proof of absence",
                car: try write("revoked.car", revoked.proofCAR(collection: .atcrManifest, recordKey: rkey)),
                did: account.did, key: account.key.publicKey.didKey, keyType: nil, rkey: rkey, expectedExit: 3))

            let other = try WorldAccount.plc("mallory", keyType: .k256)
            scenarios.append(Scenario(
                name: "other-account", description: "alice's proof checked against mallory's DID and key",
                car: present, did: other.did, key: other.key.publicKey.didKey, keyType: nil, rkey: rkey, expectedExit: 1))
        }
        return scenarios
    }

    /// A repository holding `records` unrelated manifests, so proofs have real depth.
    static func repository(of account: WorldAccount, records: Int, digest: String) -> Repository {
        var repo = Repository(did: account.did)
        for index in 0..<records {
            let rkey = RecordKey(TID(microseconds: 1_763_000_000_000_000 + UInt64(index) * 1_000, clockID: 1))
            repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "app-\(index)", digest: digest))
        }
        return repo
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
