/// ATCR's signature artifact: an OCI image manifest with
/// `artifactType: application/vnd.atproto.signature.v1+json`, the OCI empty descriptor as config,
/// exactly one layer of media type `application/vnd.atproto.signature.v1+json` (the signature
/// JSON), and `subject` = the signed image's manifest descriptor.
public enum SignatureArtifact {
    /// Checks that `manifest` has the signature artifact's shape and refers to `imageDigest`,
    /// and returns its one signature layer.
    public static func validate(_ manifest: ImageManifest, mediaType: String, imageDigest: Digest) throws(SignatureArtifactProblem) -> Descriptor {
        guard mediaType == MediaType.ociImageManifest else {
            throw .notASignatureArtifact("its media type is \(mediaType), not \(MediaType.ociImageManifest)")
        }
        let artifactType = manifest.artifactType ?? manifest.config.mediaType
        guard artifactType == MediaType.atprotoSignature else {
            throw .notASignatureArtifact("its artifactType is \(artifactType), not \(MediaType.atprotoSignature)")
        }
        guard manifest.config.mediaType == MediaType.ociEmpty, manifest.config.digest == EmptyDescriptor.digest,
            manifest.config.size == 2
        else {
            throw .notASignatureArtifact(
                "its config is \(manifest.config.mediaType) \(manifest.config.digest) (\(manifest.config.size) bytes), not the OCI empty descriptor")
        }
        guard let subject = manifest.subject else { throw .subjectMismatch(expected: imageDigest, found: nil) }
        guard subject.digest == imageDigest else { throw .subjectMismatch(expected: imageDigest, found: subject.digest) }
        guard manifest.layers.count == 1, let layer = manifest.layers.first else {
            throw .notASignatureArtifact("it has \(manifest.layers.count) layers, expected exactly one")
        }
        guard layer.mediaType == MediaType.atprotoSignature else {
            throw .notASignatureArtifact("its layer has media type \(layer.mediaType), not \(MediaType.atprotoSignature)")
        }
        return layer
    }

    /// Builds a signature artifact for `subject` around `payload`: the exact bytes to push.
    public static func build(
        subject: Descriptor, payload: SignaturePayload, annotations: [String: String]? = nil
    ) -> BuiltArtifact {
        build(subject: subject, payloadBytes: payload.encoded(), annotations: annotations)
    }

    /// Builds a signature artifact whose layer is `payloadBytes` as they are (tests use this to
    /// publish malformed or tampered payloads).
    public static func build(
        subject: Descriptor, payloadBytes: [UInt8], annotations: [String: String]? = nil
    ) -> BuiltArtifact {
        let layer = Descriptor(mediaType: MediaType.atprotoSignature, bytes: payloadBytes)
        let manifest = ImageManifest(
            artifactType: MediaType.atprotoSignature, config: EmptyDescriptor.descriptor, layers: [layer],
            subject: Descriptor(mediaType: subject.mediaType, digest: subject.digest, size: subject.size),
            annotations: annotations)
        let bytes = manifest.encoded()
        return BuiltArtifact(
            manifest: manifest, manifestBytes: bytes,
            descriptor: Descriptor(
                mediaType: MediaType.ociImageManifest, bytes: bytes, artifactType: MediaType.atprotoSignature,
                annotations: annotations),
            blobs: [EmptyDescriptor.bytes, payloadBytes])
    }
}

/// A manifest and the blobs it needs, ready to push: push every blob, then the manifest
/// (by digest; artifacts are not tagged).
public struct BuiltArtifact: Sendable, Hashable {
    public var manifest: ImageManifest
    /// The exact manifest bytes; `descriptor.digest` is their sha256.
    public var manifestBytes: [UInt8]
    /// The manifest's descriptor as a referrers list carries it (with `artifactType`).
    public var descriptor: Descriptor
    /// Every blob the manifest references (config first, then layers).
    public var blobs: [[UInt8]]
}

/// Why an artifact manifest is not a usable signature artifact for the image.
public enum SignatureArtifactProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest's `subject` is absent or names another image.
    case subjectMismatch(expected: Digest, found: Digest?)
    case notASignatureArtifact(String)

    public var description: String {
        switch self {
        case .subjectMismatch(let expected, let found?):
            return "artifact subject is \(found), not the image digest \(expected)"
        case .subjectMismatch(let expected, nil):
            return "artifact has no subject (expected \(expected))"
        case .notASignatureArtifact(let reason):
            return "not an ATProto signature artifact: \(reason)"
        }
    }
}
