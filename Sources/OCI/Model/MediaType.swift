import Foundation

/// The media and artifact types this module reads and writes.
public enum MediaType {
    public static let ociImageIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociImageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// The OCI empty descriptor's media type (the config of artifacts that have none).
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    /// ATCR's signature artifact type, and the media type of its one layer.
    public static let atprotoSignature = "application/vnd.atproto.signature.v1+json"

    /// What a manifest request accepts (docs/architecture.md, pipeline step 2): OCI index, OCI manifest, Docker list,
    /// Docker manifest.
    public static let manifestAccept = [ociImageIndex, ociImageManifest, dockerManifestList, dockerManifest]

    /// True for the two index kinds (OCI index, Docker manifest list).
    public static func isIndex(_ mediaType: String) -> Bool {
        mediaType == ociImageIndex || mediaType == dockerManifestList
    }

    /// True for the four manifest kinds this module accepts.
    public static func isManifestKind(_ mediaType: String) -> Bool {
        manifestAccept.contains(mediaType)
    }

    /// A `Content-Type` value without parameters, lowercased (`a/b; charset=x` → `a/b`).
    static func essence(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        let trimmed = base.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// The OCI empty descriptor: `{}`, two bytes, used as the config of artifacts.
public enum EmptyDescriptor {
    /// The two bytes `{}`.
    public static let bytes: [UInt8] = Array("{}".utf8)
    /// `sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`.
    public static let digest = Digest.sha256(of: bytes)
    /// The descriptor itself, as artifacts carry it.
    public static let descriptor = Descriptor(mediaType: MediaType.ociEmpty, digest: digest, size: 2)
}
