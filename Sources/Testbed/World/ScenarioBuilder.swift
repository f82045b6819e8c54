import ATProto
import ATProtoWriter
import Foundation
import OCI

/// Builds the world's accounts and scenario images: each a real image in the registry, with
/// (or deliberately without) real ATProto signature artifacts backed by real signed commits.
final class ScenarioBuilder {
    let plc: PLCDirectory
    let pds: PersonalDataServer
    let registry: TestRegistry
    let didWeb: DIDWebHost
    let pdsOrigin: String
    let registryName: String
    private(set) var accounts: [String: WorldAccount] = [:]
    /// Record AT-URIs by the digest their artifact signs.
    private var recordURIs: [String: [String]] = [:]
    private var clock: UInt64 = 1_763_800_000_000_000

    /// erin's DID document lists this key; her repository is still signed with the old one.
    static let erinCurrentKey = SigningKey.derived(.k256, seed: "world-erin-rotated-in")

    init(
        plc: PLCDirectory, pds: PersonalDataServer, registry: TestRegistry, didWeb: DIDWebHost, pdsOrigin: String,
        registryName: String, didWebPort: Int
    ) throws {
        self.plc = plc
        self.pds = pds
        self.registry = registry
        self.didWeb = didWeb
        self.pdsOrigin = pdsOrigin
        self.registryName = registryName
        let all = [
            try WorldAccount.plc("alice", keyType: .k256), try WorldAccount.plc("bob", keyType: .k256),
            try WorldAccount.plc("carol", keyType: .p256), try WorldAccount.web("dave", port: didWebPort, keyType: .k256),
            try WorldAccount.plc("erin", keyType: .k256), try WorldAccount.plc("frank", keyType: .k256),
            try WorldAccount.plc("grace", keyType: .k256), try WorldAccount.plc("mallory", keyType: .k256),
        ]
        for account in all {
            accounts[account.name] = account
            let documentKey = account.name == "erin" ? Self.erinCurrentKey.publicKey : account.key.publicKey
            let document = account.document(pds: pdsOrigin, key: documentKey)
            if account.did.method == .web { didWeb.publish(document) } else { plc.publish(account.did, document: document) }
            try pds.createAccount(did: account.did, signer: account.key)
        }
    }

    func account(_ name: String) throws -> WorldAccount {
        guard let account = accounts[name] else { throw WorldError.unknownAccount(name) }
        return account
    }

    enum WorldError: Error { case unknownAccount(String) }

    // MARK: - Scenarios

    func build() async throws -> [WorldImage] {
        var images: [WorldImage] = []
        func add(
            _ scenario: String, _ description: String, _ reference: String, _ digest: Digest, _ expected: WorldImage.Verdict,
            policy: String? = "production-images", failed: String? = nil, signers: [WorldAccount] = [], after: String? = nil
        ) {
            var image = WorldImage(
                scenario: scenario, description: description, reference: reference, digest: digest.description,
                expected: expected, policy: policy, failedCheck: failed, signers: signers.map(\.did.string), after: after)
            image.recordURIs = recordURIs[digest.description] ?? []
            images.append(image)
        }
        let alice = try account("alice"), bob = try account("bob"), carol = try account("carol"), dave = try account("dave")
        let erin = try account("erin"), frank = try account("frank"), grace = try account("grace"), mallory = try account("mallory")

        let api = try pushImage("alice/prod-api", tag: "v1")
        _ = try sign(api, in: "alice/prod-api", by: alice)
        add("signed-k256", "signed by a trusted K-256 DID (by tag)", ref("alice/prod-api:v1"), api.digest, .allow, signers: [alice])
        add("signed-k256-digest", "the same image pinned by digest", ref("alice/prod-api@\(api.digest)"), api.digest, .allow, signers: [alice])

        let web = try pushImage("carol/prod-web", tag: "v1")
        _ = try sign(web, in: "carol/prod-web", by: carol)
        add("signed-p256", "signed by a trusted P-256 DID", ref("carol/prod-web:v1"), web.digest, .allow, signers: [carol])

        let tool = try pushImage("dave/prod-tool", tag: "v1")
        _ = try sign(tool, in: "dave/prod-tool", by: dave)
        add("signed-did-web", "signed by a trusted did:web DID", ref("dave/prod-tool:v1"), tool.digest, .allow, signers: [dave])

        let database = try pushImage("team/prod-db", tag: "v1")
        _ = try sign(database, in: "team/prod-db", by: alice)
        _ = try sign(database, in: "team/prod-db", by: bob)
        add("two-signers", "signed by two trusted DIDs (a policy needs both)", ref("team/prod-db:v1"), database.digest, .allow,
            policy: "two-person-rule", signers: [alice, bob])
        let half = try pushImage("team/prod-db", tag: "v2", seed: "db v2")
        _ = try sign(half, in: "team/prod-db", by: alice)
        add("one-of-two", "signed by one DID where two are required", ref("team/prod-db:v2"), half.digest, .deny,
            policy: "two-person-rule", failed: "min-signatures", signers: [alice])

        let unsigned = try pushImage("alice/prod-unsigned", tag: "v1")
        add("unsigned", "no signature at all", ref("alice/prod-unsigned:v1"), unsigned.digest, .deny, failed: "no-signature")

        let evil = try pushImage("mallory/prod-evil", tag: "v1")
        _ = try sign(evil, in: "mallory/prod-evil", by: mallory)
        add("untrusted-signer", "signed, but by a DID the policy does not trust", ref("mallory/prod-evil:v1"), evil.digest, .deny,
            failed: "untrusted", signers: [mallory])

        let swapped = try pushImage("alice/prod-swap", tag: "v1")
        _ = try sign(swapped, in: "alice/prod-swap", by: alice, recordDigest: "sha256:" + String(repeating: "0", count: 64))
        add("wrong-digest", "the signed record names another digest", ref("alice/prod-swap:v1"), swapped.digest, .deny,
            failed: ProofCheck.recordContent.description, signers: [alice])

        let renamed = try pushImage("alice/prod-rename", tag: "v1")
        _ = try sign(renamed, in: "alice/prod-rename", by: alice, recordRepository: "prod-other")
        add("wrong-repository", "the signed record names another repository", ref("alice/prod-rename:v1"), renamed.digest, .deny,
            failed: ProofCheck.recordContent.description, signers: [alice])

        let revoked = try pushImage("alice/prod-revoked", tag: "v1")
        let revokedKey = try sign(revoked, in: "alice/prod-revoked", by: alice)
        try pds.commit(did: alice.did) { $0.delete(collection: .atcrManifest, recordKey: revokedKey) }
        add("revoked", "record deleted after signing (revocation)", ref("alice/prod-revoked:v1"), revoked.digest, .deny,
            failed: "record-absent", signers: [alice])

        // frank: sign, delete, then move on; his PDS replays the old commit for that record.
        let resurrected = try pushImage("frank/prod-resurrected", tag: "v1")
        let resurrectedKey = try sign(resurrected, in: "frank/prod-resurrected", by: frank)
        guard let old = pds.account(frank.did)?.latest else { throw WorldError.unknownAccount("frank") }
        try pds.commit(did: frank.did) { $0.delete(collection: .atcrManifest, recordKey: resurrectedKey) }
        let current = try pushImage("frank/prod-current", tag: "v1")
        _ = try sign(current, in: "frank/prod-current", by: frank)
        pds.replay(did: frank.did, recordKey: resurrectedKey, snapshot: old)
        add("replay-baseline", "frank's current commit (seen first)", ref("frank/prod-current:v1"), current.digest, .allow, signers: [frank])
        add("replayed-commit", "the PDS replays an older commit to resurrect a deleted record", ref("frank/prod-resurrected:v1"),
            resurrected.digest, .deny, failed: "replayed-commit", signers: [frank], after: "replay-baseline")

        let stale = try pushImage("erin/prod-old", tag: "v1")
        _ = try sign(stale, in: "erin/prod-old", by: erin)
        add("rotated-key", "commit signed by a key the DID document no longer lists", ref("erin/prod-old:v1"), stale.digest, .deny,
            failed: ProofCheck.signatureVerify.description, signers: [erin])

        let malleated = try pushImage("grace/prod-malleated", tag: "v1")
        _ = try sign(malleated, in: "grace/prod-malleated", by: grace, signature: { SigningKey.flippingS($0, type: .k256) })
        add("high-s", "commit signature malleated to high-S", ref("grace/prod-malleated:v1"), malleated.digest, .deny,
            failed: ProofCheck.lowS.description, signers: [grace])

        let subject = try pushImage("alice/prod-subject", tag: "v1")
        _ = try sign(subject, in: "alice/prod-subject", by: alice, payloadSubject: api.digest)
        add("subject-mismatch", "the signature artifact's subject names another image", ref("alice/prod-subject:v1"), subject.digest,
            .deny, failed: "artifact-invalid", signers: [alice])

        let tampered = try pushImage("alice/prod-tampered", tag: "v1")
        let built = try signArtifact(tampered, in: "alice/prod-tampered", by: alice)
        if let layer = built.manifest.layers.first {
            registry.serveBlob(layer.digest, as: Array(String(decoding: built.blobs[1], as: UTF8.self).replacingOccurrences(of: "alice", with: "alicf").utf8))
        }
        add("tampered-blob", "the signature blob was altered in the registry", ref("alice/prod-tampered:v1"), tampered.digest, .deny,
            failed: "artifact-invalid", signers: [alice])

        let (index, platform) = try pushIndex("alice/prod-multi", tag: "v1")
        _ = try sign(index, in: "alice/prod-multi", by: alice)
        add("multi-arch", "a multi-arch index, signed on the index digest", ref("alice/prod-multi:v1"), index.digest, .allow, signers: [alice])
        add("multi-arch-platform", "a platform manifest of that index, pinned: not itself signed", ref("alice/prod-multi@\(platform.digest)"),
            platform.digest, .deny, failed: "no-signature")

        let dev = try pushImage("alice/dev-tool", tag: "v1")
        add("audit-unsigned", "unsigned, under an audit-only policy: admitted with a warning", ref("alice/dev-tool:v1"), dev.digest, .audit,
            policy: "dev-images", failed: "no-signature")

        let other = try pushImage("other/app", tag: "v1")
        add("no-policy", "no policy scope matches: defaultAction, and no registry request", ref("other/app:v1"), other.digest, .allow, policy: nil)
        return images
    }

    // MARK: - Building blocks

    private func ref(_ path: String) -> String { "\(registryName)/\(path)" }

    private func nextRecordKey() -> RecordKey {
        clock += 1_000
        return RecordKey(TID(microseconds: clock, clockID: 9))
    }

    private func pushImage(_ repository: String, tag: String, seed: String? = nil) throws -> Descriptor {
        try registry.pushImage(repository: repository, tag: tag, seed: seed ?? "\(repository):\(tag)")
    }

    /// A two-platform index; returns its descriptor and the first platform manifest's.
    private func pushIndex(_ repository: String, tag: String) throws -> (Descriptor, Descriptor) {
        let amd64 = try registry.pushImage(repository: repository, tag: nil, seed: "\(repository) amd64")
        let arm64 = try registry.pushImage(repository: repository, tag: nil, seed: "\(repository) arm64")
        var entries = [amd64, arm64]
        entries[0].platform = Platform(architecture: "amd64", os: "linux")
        entries[1].platform = Platform(architecture: "arm64", os: "linux")
        let index = ImageIndex(manifests: entries)
        let descriptor = try registry.putManifest(index.encoded(), mediaType: MediaType.ociImageIndex, repository: repository, tag: tag)
        return (descriptor, amd64)
    }

    /// Writes the `io.atcr.manifest` record in `account`'s repository (a new signed commit) and
    /// pushes a signature artifact for `image`. Returns the record key.
    @discardableResult
    private func sign(
        _ image: Descriptor, in repository: String, by account: WorldAccount, recordRepository: String? = nil,
        recordDigest: String? = nil, payloadSubject: Digest? = nil, signature: (@Sendable ([UInt8]) -> [UInt8])? = nil
    ) throws -> RecordKey {
        let built = try signArtifact(
            image, in: repository, by: account, recordRepository: recordRepository, recordDigest: recordDigest,
            payloadSubject: payloadSubject, signature: signature)
        return built.recordKey
    }

    private func signArtifact(
        _ image: Descriptor, in repository: String, by account: WorldAccount, recordRepository: String? = nil,
        recordDigest: String? = nil, payloadSubject: Digest? = nil, signature: (@Sendable ([UInt8]) -> [UInt8])? = nil
    ) throws -> SignedArtifact {
        let recordKey = nextRecordKey()
        let name = repository.split(separator: "/", maxSplits: 1).last.map(String.init) ?? repository
        let artifact = try WorldSigner(pds: pds, pdsOrigin: pdsOrigin).sign(
            image, name: recordRepository ?? name, recordKey: recordKey, by: account, recordDigest: recordDigest,
            payloadSubject: payloadSubject, signature: signature)
        try registry.push(artifact, repository: repository)
        recordURIs[image.digest.description, default: []].append(
            ATURI(did: account.did, collection: .atcrManifest, recordKey: recordKey).string)
        return SignedArtifact(recordKey: recordKey, manifest: artifact.manifest, blobs: artifact.blobs)
    }

    private struct SignedArtifact {
        let recordKey: RecordKey
        let manifest: ImageManifest
        let blobs: [[UInt8]]
    }
}
