import Foundation
import OCI

/// Why a push was refused; `code` is the distribution-spec error code the HTTP API answers.
public struct RegistryPushError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public var description: String { "\(code): \(message)" }
}

/// A stored manifest and what the referrers API needs to know of it.
struct StoredManifest: Sendable {
    var bytes: [UInt8]
    var mediaType: String
    var subject: Digest?
    var artifactType: String?
    var annotations: [String: String]?
}

/// One repository's content.
struct RepositoryContent: Sendable {
    var manifests: [Digest: StoredManifest] = [:]
    var tags: [String: Digest] = [:]
    var blobs: [Digest: [UInt8]] = [:]
}

/// Everything a `TestRegistry` holds; mutated only under its lock.
struct RegistryStorage: Sendable {
    var repositories: [String: RepositoryContent] = [:]
    var uploads: [String: (repository: String, bytes: [UInt8])] = [:]
    /// Issued bearer tokens: token → (scope, expiry).
    var tokens: [String: (scope: String?, expires: ContinuousClock.Instant)] = [:]
    /// Bytes served instead of the stored ones, by digest (a registry that lies).
    var servedBlobOverrides: [Digest: [UInt8]] = [:]
    var servedManifestOverrides: [Digest: [UInt8]] = [:]
    var behavior = RegistryBehavior()

    mutating func putBlob(_ bytes: [UInt8], repository: String, expected: Digest? = nil) throws(RegistryPushError) -> Digest {
        try Self.checkName(repository)
        let digest = Digest.sha256(of: bytes)
        if let expected, expected != digest {
            guard expected.isVerifiable, expected.matches(bytes) else {
                throw RegistryPushError(code: "DIGEST_INVALID", message: "content is \(digest), not \(expected)")
            }
        }
        repositories[repository, default: RepositoryContent()].blobs[expected ?? digest] = bytes
        return expected ?? digest
    }

    /// Stores a manifest after the checks distribution makes (JSON of the declared type,
    /// referenced blobs and manifests present), tags it, and maintains the referrers tag.
    mutating func putManifest(
        _ bytes: [UInt8], mediaType: String, repository: String, reference: String?
    ) throws(RegistryPushError) -> Descriptor {
        try Self.checkName(repository)
        let digest = Digest.sha256(of: bytes)
        var tag: String?
        if let reference {
            if let expected = Digest(reference) {
                guard expected == digest else {
                    throw RegistryPushError(code: "DIGEST_INVALID", message: "manifest is \(digest), not \(expected)")
                }
            } else {
                guard ImageReference.isValidTag(reference) else {
                    throw RegistryPushError(code: "TAG_INVALID", message: "invalid tag \(reference)")
                }
                tag = reference
            }
        }
        let stored = try Self.parseManifest(bytes, mediaType: mediaType)
        let content = repositories[repository, default: RepositoryContent()]
        for blob in stored.requiredBlobs where content.blobs[blob] == nil {
            throw RegistryPushError(code: "MANIFEST_BLOB_UNKNOWN", message: "blob \(blob) is not in \(repository)")
        }
        for child in stored.requiredManifests where content.manifests[child] == nil {
            throw RegistryPushError(code: "MANIFEST_BLOB_UNKNOWN", message: "manifest \(child) is not in \(repository)")
        }
        repositories[repository, default: RepositoryContent()].manifests[digest] = stored.manifest
        if let tag { repositories[repository, default: RepositoryContent()].tags[tag] = digest }
        if let subject = stored.manifest.subject, behavior.maintainsReferrersTag {
            updateReferrersTag(subject: subject, repository: repository)
        }
        return Descriptor(
            mediaType: mediaType, digest: digest, size: Int64(bytes.count), artifactType: stored.manifest.artifactType,
            annotations: stored.manifest.annotations)
    }

    /// The referrers of `subject` in `repository`, sorted by digest.
    func referrers(of subject: Digest, repository: String) -> [Descriptor] {
        guard let content = repositories[repository] else { return [] }
        return content.manifests
            .filter { $0.value.subject == subject }
            .map { digest, stored in
                Descriptor(
                    mediaType: stored.mediaType, digest: digest, size: Int64(stored.bytes.count),
                    artifactType: stored.artifactType, annotations: stored.annotations)
            }
            .sorted { $0.digest < $1.digest }
    }

    /// The manifest a tag or digest names.
    func manifest(_ reference: String, repository: String) -> (Digest, StoredManifest)? {
        guard let content = repositories[repository] else { return nil }
        let digest = Digest(reference) ?? content.tags[reference]
        guard let digest, let stored = content.manifests[digest] else { return nil }
        return (digest, stored)
    }

    private mutating func updateReferrersTag(subject: Digest, repository: String) {
        let index = ImageIndex(manifests: referrers(of: subject, repository: repository))
        let bytes = index.encoded()
        let digest = Digest.sha256(of: bytes)
        repositories[repository, default: RepositoryContent()].manifests[digest] = StoredManifest(
            bytes: bytes, mediaType: MediaType.ociImageIndex, subject: nil, artifactType: nil, annotations: nil)
        repositories[repository, default: RepositoryContent()].tags[subject.referrersTag] = digest
    }

    static func checkName(_ repository: String) throws(RegistryPushError) {
        guard ImageReference.isValidRepository(repository) else {
            throw RegistryPushError(code: "NAME_INVALID", message: "invalid repository name \(repository)")
        }
    }

    private struct Parsed {
        var manifest: StoredManifest
        var requiredBlobs: [Digest]
        var requiredManifests: [Digest]
    }

    private static func parseManifest(_ bytes: [UInt8], mediaType: String) throws(RegistryPushError) -> Parsed {
        func invalid(_ message: String) -> RegistryPushError { RegistryPushError(code: "MANIFEST_INVALID", message: message) }
        guard MediaType.manifestAccept.contains(mediaType) else { throw invalid("unsupported media type \(mediaType)") }
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let declared = object["mediaType"] as? String, declared != mediaType
        {
            throw invalid("Content-Type \(mediaType) but the manifest says \(declared)")
        }
        let decoder = JSONDecoder()
        if MediaType.isIndex(mediaType) {
            guard let index = try? decoder.decode(ImageIndex.self, from: Data(bytes)) else { throw invalid("not an image index") }
            return Parsed(
                manifest: StoredManifest(
                    bytes: bytes, mediaType: mediaType, subject: index.subject?.digest, artifactType: index.artifactType,
                    annotations: index.annotations),
                requiredBlobs: [], requiredManifests: index.manifests.map(\.digest))
        }
        guard let manifest = try? decoder.decode(ImageManifest.self, from: Data(bytes)) else { throw invalid("not an image manifest") }
        return Parsed(
            manifest: StoredManifest(
                bytes: bytes, mediaType: mediaType, subject: manifest.subject?.digest,
                artifactType: manifest.artifactType ?? manifest.config.mediaType, annotations: manifest.annotations),
            requiredBlobs: [manifest.config.digest] + manifest.layers.map(\.digest), requiredManifests: [])
    }
}
