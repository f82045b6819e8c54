import Foundation
import HTTPFetch

/// A manifest reference: a tag, or a digest (whose content is then verified against it).
public enum ManifestReference: Sendable, Hashable, CustomStringConvertible {
    case tag(String)
    case digest(Digest)

    public var description: String {
        switch self {
        case .tag(let tag): return tag
        case .digest(let digest): return digest.description
        }
    }
}

/// What a manifest `HEAD` told.
public struct ManifestHead: Sendable, Hashable {
    /// `Docker-Content-Digest`, when present and well formed.
    public var digest: Digest?
    public var mediaType: String?

    public init(digest: Digest?, mediaType: String?) {
        self.digest = digest
        self.mediaType = mediaType
    }
}

/// A manifest's exact bytes, their recomputed digest and media type.
public struct FetchedManifest: Sendable, Hashable {
    public var location: RepositoryLocation
    public var digest: Digest
    public var mediaType: String
    public var bytes: [UInt8]

    public init(location: RepositoryLocation, digest: Digest, mediaType: String, bytes: [UInt8]) {
        self.location = location
        self.digest = digest
        self.mediaType = mediaType
        self.bytes = bytes
    }

    /// True for an OCI index or Docker manifest list.
    public var isIndex: Bool { MediaType.isIndex(mediaType) }

    /// The bytes as an image manifest (OCI or Docker).
    public func imageManifest() throws(RegistryError) -> ImageManifest {
        guard !isIndex else { throw error(.invalidManifest("it is an index (\(mediaType)), not an image manifest")) }
        switch OCIJSON.decode(ImageManifest.self, from: bytes) {
        case .success(let manifest): return manifest
        case .failure(let problem): throw error(.invalidManifest(problem.message))
        }
    }

    /// The bytes as an image index (OCI index or Docker manifest list).
    public func imageIndex() throws(RegistryError) -> ImageIndex {
        guard isIndex else { throw error(.invalidManifest("it is an image manifest (\(mediaType)), not an index")) }
        switch OCIJSON.decode(ImageIndex.self, from: bytes) {
        case .success(let index): return index
        case .failure(let problem): throw error(.invalidManifest(problem.message))
        }
    }

    private func error(_ kind: RegistryError.Kind) -> RegistryError {
        RegistryError(registry: location.registry, repository: location.repository, operation: "reading manifest \(digest)", kind: kind)
    }
}

/// How an image's digest was found.
public struct ResolvedDigest: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// The reference was pinned: no request made.
        case reference
        /// `HEAD` and its `Docker-Content-Digest`.
        case head
        /// `GET` and sha256 of the bytes.
        case get
    }

    public var digest: Digest
    /// The manifest media type, when the registry said.
    public var mediaType: String?
    public var source: Source

    public init(digest: Digest, mediaType: String?, source: Source) {
        self.digest = digest
        self.mediaType = mediaType
        self.source = source
    }
}

extension RegistryClient {
    /// The image's manifest digest: the reference's own digest (no request), else
    /// `HEAD /v2/<repo>/manifests/<tag>` and `Docker-Content-Digest`, else `GET` and hash.
    public func resolveDigest(_ image: ImageReference, deadline: ContinuousClock.Instant) async throws(RegistryError) -> ResolvedDigest {
        if let digest = image.digest { return ResolvedDigest(digest: digest, mediaType: nil, source: .reference) }
        let tag = image.tag ?? "latest"
        let head = try await headManifest(image.repositoryLocation, reference: .tag(tag), deadline: deadline)
        if let digest = head?.digest, digest.isVerifiable {
            return ResolvedDigest(digest: digest, mediaType: head?.mediaType, source: .head)
        }
        let manifest = try await fetchManifest(image.repositoryLocation, reference: .tag(tag), deadline: deadline)
        return ResolvedDigest(digest: manifest.digest, mediaType: manifest.mediaType, source: .get)
    }

    /// `HEAD /v2/<repo>/manifests/<reference>`. Nil when the registry does not answer HEAD
    /// with a success (some answer 405); 404 is `manifestNotFound`.
    public func headManifest(
        _ location: RepositoryLocation, reference: ManifestReference, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> ManifestHead? {
        var request = manifestRequest(location, reference: reference, accept: MediaType.manifestAccept, verb: "HEAD")
        request.method = .head
        let response = try await send(request, deadline: deadline)
        switch response.status {
        case 200...299:
            return ManifestHead(
                digest: response.headers["Docker-Content-Digest"].flatMap { Digest($0.trimmingCharacters(in: .whitespaces)) },
                mediaType: MediaType.essence(response.headers["Content-Type"]))
        case 404:
            throw request.error(.manifestNotFound(reference: reference.description))
        case 429, 500...599:
            throw statusError(response, request)
        default:
            return nil
        }
    }

    /// `GET /v2/<repo>/manifests/<reference>` with the Accept list of docs/architecture.md (pipeline step 2) (or `accept`).
    /// The bytes' sha256 must equal the requested digest, or for a tag the advertised
    /// `Docker-Content-Digest`; `expectedSize` (a descriptor's) is checked too.
    public func fetchManifest(
        _ location: RepositoryLocation, reference: ManifestReference, accept: [String] = MediaType.manifestAccept,
        expectedSize: Int64? = nil, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> FetchedManifest {
        let request = manifestRequest(location, reference: reference, accept: accept, verb: "GET")
        if let expectedSize, expectedSize > Int64(configuration.maxManifestBytes) {
            throw request.error(.manifestTooLarge(limit: configuration.maxManifestBytes))
        }
        if case .digest(let digest) = reference, !digest.isVerifiable {
            throw request.error(.unsupportedDigestAlgorithm(digest.algorithm))
        }
        let response: FetchResponse
        do throws(RegistryError) {
            response = try await send(request, deadline: deadline)
        } catch let error where Self.isBodyTooLarge(error) {
            throw request.error(.manifestTooLarge(limit: configuration.maxManifestBytes))
        }
        switch response.status {
        case 200: break
        case 404: throw request.error(.manifestNotFound(reference: reference.description))
        default: throw statusError(response, request)
        }
        let bytes = response.body
        let actual = Digest.sha256(of: bytes)
        switch reference {
        case .digest(let expected):
            guard let recomputed = expected.recomputed(over: bytes), recomputed == expected else {
                throw request.error(.digestMismatch(expected: expected, actual: expected.recomputed(over: bytes) ?? actual))
            }
        case .tag:
            if let advertised = response.headers["Docker-Content-Digest"].flatMap({ Digest($0.trimmingCharacters(in: .whitespaces)) }),
                let recomputed = advertised.recomputed(over: bytes), recomputed != advertised
            {
                throw request.error(.digestMismatch(expected: advertised, actual: recomputed))
            }
        }
        if let expectedSize, Int64(bytes.count) != expectedSize {
            throw request.error(.sizeMismatch(expected: expectedSize, actual: bytes.count))
        }
        let digest: Digest
        if case .digest(let expected) = reference { digest = expected } else { digest = actual }
        guard let mediaType = ManifestKind.mediaType(contentType: response.headers["Content-Type"], bytes: bytes) else {
            throw request.error(.invalidManifest("neither Content-Type nor the document names a manifest media type"))
        }
        guard accept.contains(mediaType) else { throw request.error(.unsupportedMediaType(mediaType)) }
        return FetchedManifest(location: location, digest: digest, mediaType: mediaType, bytes: bytes)
    }

    private func manifestRequest(
        _ location: RepositoryLocation, reference: ManifestReference, accept: [String], verb: String
    ) -> RegistryRequest {
        var request = RegistryRequest(
            location, path: "/v2/\(location.repository)/manifests/\(reference)",
            operation: "\(verb) manifest \(reference)")
        request.accept = accept
        request.maxBodyBytes = configuration.maxManifestBytes
        request.maxRedirects = configuration.maxRedirects
        return request
    }

    static func isBodyTooLarge(_ error: RegistryError) -> Bool {
        if case .transport(.bodyTooLarge) = error.kind { return true }
        return false
    }
}
