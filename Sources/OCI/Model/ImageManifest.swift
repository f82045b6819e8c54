/// An OCI image manifest (and, read with the same shape, a Docker v2 schema 2 manifest).
public struct ImageManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    /// The manifest this one refers to (signatures, SBOMs): what the referrers API indexes.
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        mediaType: String? = MediaType.ociImageManifest, artifactType: String? = nil, config: Descriptor,
        layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    /// The deterministic JSON bytes of this manifest (sorted keys, no escaped slashes).
    public func encoded() -> [UInt8] { OCIJSON.encode(self) }
}

/// An OCI image index (and, read with the same shape, a Docker manifest list); also the body
/// of a referrers response and of the referrers tag-schema fallback.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        mediaType: String? = MediaType.ociImageIndex, artifactType: String? = nil, manifests: [Descriptor],
        subject: Descriptor? = nil, annotations: [String: String]? = nil
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
    }

    /// The deterministic JSON bytes of this index (sorted keys, no escaped slashes).
    public func encoded() -> [UInt8] { OCIJSON.encode(self) }
}
