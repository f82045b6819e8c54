import ATProto
import ATProtoWriter
import OCI

/// What ATCR does when an image is pushed: writes the `io.atcr.manifest` record in the owner's
/// repository (a new signed commit at the PDS) and builds the signature artifact that points
/// at it, ready to push to any registry.
public struct WorldSigner: Sendable {
    public let pds: PersonalDataServer
    public let pdsOrigin: String

    public init(pds: PersonalDataServer, pdsOrigin: String) {
        self.pds = pds
        self.pdsOrigin = pdsOrigin
    }

    /// Signs `image` as `name` (the repository after the owner segment). The optional
    /// arguments spoil one thing on purpose: the record's digest, the payload's subject, the
    /// commit signature.
    public func sign(
        _ image: Descriptor, name: String, recordKey: RecordKey, by account: WorldAccount, recordDigest: String? = nil,
        payloadSubject: Digest? = nil, signature: (@Sendable ([UInt8]) -> [UInt8])? = nil
    ) throws -> BuiltArtifact {
        let record = ATCRManifest.record(repository: name, digest: recordDigest ?? image.digest.description, mediaType: image.mediaType)
        let snapshot = try pds.commit(did: account.did, signature: signature) {
            $0.put(collection: .atcrManifest, recordKey: recordKey, record: record)
        }
        let payload = SignaturePayload(
            subject: .init(digest: payloadSubject ?? image.digest, mediaType: image.mediaType),
            atproto: .init(
                did: account.did.string, handle: account.handle, pdsEndpoint: pdsOrigin,
                recordUri: ATURI(did: account.did, collection: .atcrManifest, recordKey: recordKey).string,
                commitCid: snapshot.commitCID.string, signedAt: "2026-11-22T00:00:00.000Z"),
            signature: .init(
                algorithm: account.key.type == .k256 ? "ECDSA-K256-SHA256" : "ECDSA-P256-SHA256",
                keyId: "\(account.did.string)#atproto", publicKeyMultibase: account.key.publicKey.multikey))
        return SignatureArtifact.build(subject: image, payload: payload)
    }
}

extension TestWorld {
    /// A signer for this world's PDS.
    public var signer: WorldSigner { WorldSigner(pds: pds, pdsOrigin: pdsServer.origin) }
}
