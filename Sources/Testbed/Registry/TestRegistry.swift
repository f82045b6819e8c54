import OCI
import Synchronization

/// An in-memory OCI distribution registry for the test world: manifests, blobs, tags, the
/// referrers API (switchable off, with the tag-schema fallback index maintained), optional token
/// or Basic auth, blob redirects to a `TestBlobHost`, injected faults, and a request log.
///
/// Host it by adding its routes to a Hummingbird router (`addRoutes(to:)`); fill it with the
/// push helpers below or over HTTP.
public final class TestRegistry: Sendable {
    let storage = Mutex(RegistryStorage())
    /// Every request the registry (and its token endpoint) answered.
    public let log = RequestLog()

    public init(behavior: RegistryBehavior = RegistryBehavior()) {
        storage.withLock { $0.behavior = behavior }
    }

    /// The current behaviour.
    public var behavior: RegistryBehavior { storage.withLock { $0.behavior } }

    /// Changes the behaviour (takes effect for the next request).
    public func configure(_ change: (inout RegistryBehavior) -> Void) {
        storage.withLock { change(&$0.behavior) }
    }

    // MARK: Push helpers (what the world builder uses)

    /// Stores a blob; returns its digest.
    @discardableResult
    public func putBlob(_ bytes: [UInt8], repository: String) throws(RegistryPushError) -> Digest {
        try storage.withLock { (state: inout RegistryStorage) throws(RegistryPushError) -> Digest in
            try state.putBlob(bytes, repository: repository)
        }
    }

    /// Stores a manifest (its blobs must be there) and tags it when `tag` is given.
    @discardableResult
    public func putManifest(
        _ bytes: [UInt8], mediaType: String, repository: String, tag: String? = nil
    ) throws(RegistryPushError) -> Descriptor {
        try storage.withLock { (state: inout RegistryStorage) throws(RegistryPushError) -> Descriptor in
            try state.putManifest(bytes, mediaType: mediaType, repository: repository, reference: tag)
        }
    }

    /// Points `tag` at an existing manifest.
    public func tag(_ tag: String, digest: Digest, repository: String) throws(RegistryPushError) {
        try storage.withLock { (state: inout RegistryStorage) throws(RegistryPushError) in
            guard state.repositories[repository]?.manifests[digest] != nil else {
                throw RegistryPushError(code: "MANIFEST_UNKNOWN", message: "\(digest) is not in \(repository)")
            }
            state.repositories[repository, default: RepositoryContent()].tags[tag] = digest
        }
    }

    /// Pushes a built artifact (its blobs, then its manifest by digest); returns its descriptor.
    @discardableResult
    public func push(_ artifact: BuiltArtifact, repository: String, tag: String? = nil) throws(RegistryPushError) -> Descriptor {
        for blob in artifact.blobs { try putBlob(blob, repository: repository) }
        let stored = try putManifest(artifact.manifestBytes, mediaType: MediaType.ociImageManifest, repository: repository, tag: tag)
        return Descriptor(
            mediaType: stored.mediaType, digest: stored.digest, size: stored.size, artifactType: artifact.descriptor.artifactType,
            annotations: artifact.descriptor.annotations)
    }

    /// Pushes a small single-layer image (config and layer from `seed`) and tags it; returns the
    /// manifest descriptor, what a signature's `subject` names.
    @discardableResult
    public func pushImage(repository: String, tag: String?, seed: String = "layer") throws(RegistryPushError) -> Descriptor {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = Array("test image layer: \(seed)".utf8)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: "application/vnd.oci.image.config.v1+json", bytes: config),
            layers: [Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar", bytes: layer)])
        try putBlob(config, repository: repository)
        try putBlob(layer, repository: repository)
        return try putManifest(manifest.encoded(), mediaType: MediaType.ociImageManifest, repository: repository, tag: tag)
    }

    // MARK: Lies and inspection

    /// Serves `bytes` for blob `digest` from now on (a tampered blob; the digest no longer matches).
    public func serveBlob(_ digest: Digest, as bytes: [UInt8]) {
        storage.withLock { $0.servedBlobOverrides[digest] = bytes }
    }

    /// Serves `bytes` for manifest `digest` (by digest and by any tag naming it).
    public func serveManifest(_ digest: Digest, as bytes: [UInt8]) {
        storage.withLock { $0.servedManifestOverrides[digest] = bytes }
    }

    /// The digest a tag points at.
    public func digest(forTag tag: String, repository: String) -> Digest? {
        storage.withLock { $0.repositories[repository]?.tags[tag] }
    }

    /// The tags of `repository`, sorted.
    public func tags(repository: String) -> [String] {
        storage.withLock { ($0.repositories[repository]?.tags.keys).map { Array($0).sorted() } ?? [] }
    }
}
