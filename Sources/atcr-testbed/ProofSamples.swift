import ATProto
import ATProtoWriter
import Crypto
import Foundation

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
        let rkey = RecordKey(TID(microseconds: 1_763_700_000_000_000, clockID: 1).string)!
        var scenarios: [Scenario] = []

        for type in KeyType.allCases {
            let account = try Account(type: type, seed: "alice-\(type.rawValue)")
            var repo = account.repository(records: 120, digest: digest)
            repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "prod-api", digest: digest))
            let signed = try repo.commit(rev: TID(microseconds: 1_763_700_000_000_100, clockID: 1), signer: account.key)
            let documentFile = try write("did-\(type.rawValue).json", account.document)
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

            let other = try Account(type: .k256, seed: "mallory")
            scenarios.append(Scenario(
                name: "other-account", description: "alice's proof checked against mallory's DID and key",
                car: present, did: other.did, key: other.key.publicKey.didKey, keyType: nil, rkey: rkey, expectedExit: 1))
        }
        return scenarios
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}

/// A test-world account: a did:plc derived from its name, a signing key, a DID document.
struct Account {
    let key: SigningKey
    let did: DID
    let handle: String

    init(type: KeyType, seed: String) throws {
        key = SigningKey.derived(type, seed: seed)
        // did:plc identifiers are 24 base32 characters; derive them from the seed.
        let identifier = Base32.encode(Array(SHA256.hash(data: Array("plc:\(seed)".utf8))).prefix(15))
        did = try DID("did:plc:\(identifier)")
        handle = "\(seed).test"
    }

    /// A repository holding `records` unrelated manifests, so proofs have real depth.
    func repository(records: Int, digest: String) -> Repository {
        var repo = Repository(did: did)
        for index in 0..<records {
            let rkey = RecordKey(TID(microseconds: 1_763_000_000_000_000 + UInt64(index) * 1_000, clockID: 1).string)!
            repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "app-\(index)", digest: digest))
        }
        return repo
    }

    var document: [UInt8] {
        Array("""
            {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
             "id": "\(did.string)",
             "alsoKnownAs": ["at://\(handle)"],
             "verificationMethod": [{"id": "\(did.string)#atproto", "type": "Multikey", "controller": "\(did.string)", "publicKeyMultibase": "\(key.publicKey.multikey)"}],
             "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.test.example"}]}
            """.utf8)
    }
}
