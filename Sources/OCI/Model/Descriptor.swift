/// An OCI content descriptor: what a manifest, index or referrers list points at.
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    /// The type of the artifact this descriptor points at (referrers lists carry it).
    public var artifactType: String?
    public var annotations: [String: String]?
    public var urls: [String]?
    /// Embedded content, base64 (rare; kept so a decoded descriptor re-encodes whole).
    public var data: String?
    /// The platform of an index entry (multi-arch images).
    public var platform: Platform?

    public init(
        mediaType: String, digest: Digest, size: Int64, artifactType: String? = nil,
        annotations: [String: String]? = nil, urls: [String]? = nil, data: String? = nil, platform: Platform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.artifactType = artifactType
        self.annotations = annotations
        self.urls = urls
        self.data = data
        self.platform = platform
    }

    /// The descriptor of `bytes` with `mediaType` (digest sha256, size the byte count).
    public init(mediaType: String, bytes: [UInt8], artifactType: String? = nil, annotations: [String: String]? = nil) {
        self.init(
            mediaType: mediaType, digest: .sha256(of: bytes), size: Int64(bytes.count),
            artifactType: artifactType, annotations: annotations)
    }
}

/// The platform an index entry is built for.
public struct Platform: Sendable, Hashable, Codable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
    }

    public init(architecture: String, os: String, variant: String? = nil, osVersion: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.osVersion = osVersion
    }
}
