/// The signature artifacts found for one image.
public struct SignatureDiscovery: Sendable {
    /// Referrers API, or the tag-schema fallback.
    public var source: ReferrersSource
    /// One entry per discovered artifact, in discovery order, each read or failed on its own.
    public var artifacts: [SignatureArtifactFetch]

    public init(source: ReferrersSource, artifacts: [SignatureArtifactFetch]) {
        self.source = source
        self.artifacts = artifacts
    }
}

/// One discovered signature artifact: its descriptor and what reading it gave.
public struct SignatureArtifactFetch: Sendable {
    /// The artifact manifest's descriptor, as the referrers list gave it.
    public var descriptor: Descriptor
    public var result: Result<FetchedSignature, SignatureArtifactFailure>

    public init(descriptor: Descriptor, result: Result<FetchedSignature, SignatureArtifactFailure>) {
        self.descriptor = descriptor
        self.result = result
    }
}

/// A signature artifact that was read and checked: manifest shape, subject, blob digest and
/// size, and a strictly decoded signature document naming the same image digest.
public struct FetchedSignature: Sendable, Hashable {
    public var manifestDigest: Digest
    public var manifest: ImageManifest
    /// The signature layer's descriptor.
    public var layer: Descriptor
    /// The signature JSON exactly as stored.
    public var payloadBytes: [UInt8]
    public var payload: SignaturePayload

    public init(manifestDigest: Digest, manifest: ImageManifest, layer: Descriptor, payloadBytes: [UInt8], payload: SignaturePayload) {
        self.manifestDigest = manifestDigest
        self.manifest = manifest
        self.layer = layer
        self.payloadBytes = payloadBytes
        self.payload = payload
    }
}

/// Why one signature artifact could not be used. Other artifacts are unaffected.
public enum SignatureArtifactFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fetching its manifest or blob failed (not found, digest mismatch, too large, transport…).
    case registry(RegistryError)
    /// The manifest is not a signature artifact for this image (shape, or `subject`).
    case artifact(SignatureArtifactProblem)
    /// The blob is not a valid signature document.
    case payload(SignaturePayloadError)
    /// The signature document's `subject.digest` names another image.
    case payloadSubjectMismatch(expected: Digest, found: Digest)

    /// True when retrying may help (never cache these).
    public var isTransient: Bool {
        if case .registry(let error) = self { return error.isTransient }
        return false
    }

    public var description: String {
        switch self {
        case .registry(let error): return error.description
        case .artifact(let problem): return problem.description
        case .payload(let error): return error.description
        case .payloadSubjectMismatch(let expected, let found):
            return "signature document's subject.digest is \(found), not the image digest \(expected)"
        }
    }
}

extension RegistryClient {
    /// Pipeline steps 3–4 (docs/architecture.md) for one image: discover its ATProto signature artifacts (referrers
    /// API, or the tag-schema fallback), then read each one concurrently — manifest by digest,
    /// shape and `subject` checked, its one layer fetched (sha256, 64 KiB bound) and decoded,
    /// the document's `subject.digest` checked. Discovery failures throw; each artifact's own
    /// failure is reported in its entry.
    public func signatureArtifacts(
        for image: ImageReference, digest: Digest, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> SignatureDiscovery {
        let location = image.repositoryLocation
        let list = try await referrers(location, subject: digest, artifactType: MediaType.atprotoSignature, deadline: deadline)
        let results = await withTaskGroup(of: (Int, Result<FetchedSignature, SignatureArtifactFailure>).self) { group in
            for (position, descriptor) in list.descriptors.enumerated() {
                group.addTask {
                    (position, await self.readSignatureArtifact(location, descriptor: descriptor, imageDigest: digest, deadline: deadline))
                }
            }
            var collected: [Int: Result<FetchedSignature, SignatureArtifactFailure>] = [:]
            for await (position, result) in group { collected[position] = result }
            return collected
        }
        let artifacts = list.descriptors.enumerated().compactMap { position, descriptor in
            results[position].map { SignatureArtifactFetch(descriptor: descriptor, result: $0) }
        }
        return SignatureDiscovery(source: list.source, artifacts: artifacts)
    }

    /// Reads and checks one signature artifact (step 4).
    public func readSignatureArtifact(
        _ location: RepositoryLocation, descriptor: Descriptor, imageDigest: Digest, deadline: ContinuousClock.Instant
    ) async -> Result<FetchedSignature, SignatureArtifactFailure> {
        do throws(RegistryError) {
            let fetched = try await fetchManifest(
                location, reference: .digest(descriptor.digest), accept: [MediaType.ociImageManifest],
                expectedSize: descriptor.size, deadline: deadline)
            let manifest = try fetched.imageManifest()
            let layer: Descriptor
            do throws(SignatureArtifactProblem) {
                layer = try SignatureArtifact.validate(manifest, mediaType: fetched.mediaType, imageDigest: imageDigest)
            } catch {
                return .failure(.artifact(error))
            }
            let bytes = try await fetchBlob(
                location, descriptor: layer, maxBytes: configuration.maxSignatureBlobBytes, deadline: deadline)
            let payload: SignaturePayload
            do throws(SignaturePayloadError) {
                payload = try SignaturePayload(decoding: bytes)
            } catch {
                return .failure(.payload(error))
            }
            guard payload.subject.digest == imageDigest else {
                return .failure(.payloadSubjectMismatch(expected: imageDigest, found: payload.subject.digest))
            }
            return .success(
                FetchedSignature(manifestDigest: fetched.digest, manifest: manifest, layer: layer, payloadBytes: bytes, payload: payload))
        } catch {
            return .failure(.registry(error))
        }
    }
}
