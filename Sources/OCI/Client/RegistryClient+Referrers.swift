import HTTPFetch

/// Where a referrers list came from.
public enum ReferrersSource: Sendable, Hashable {
    /// `GET /v2/<repo>/referrers/<digest>`.
    case referrersAPI
    /// The OCI 1.1 fallback: the index at tag `sha256-<hex>` (the registry answered 404, or
    /// not an index, to the referrers API).
    case tagSchema(tag: String)
}

/// The referrers of one manifest, filtered to one artifact type.
public struct ReferrerList: Sendable, Hashable {
    public var source: ReferrersSource
    /// The descriptors whose `artifactType` is the one asked for, without duplicates, in the
    /// registry's order.
    public var descriptors: [Descriptor]
    /// Pages read from the referrers API (0 for the fallback).
    public var pages: Int

    public init(source: ReferrersSource, descriptors: [Descriptor], pages: Int) {
        self.source = source
        self.descriptors = descriptors
        self.pages = pages
    }
}

extension RegistryClient {
    /// The referrers of `subject` with `artifactType`: the referrers API (its `artifactType`
    /// filter, percent-encoded, and `Link: rel="next"` pages on the same registry), or the
    /// tag-schema fallback. Descriptors are filtered here too (registries may ignore the filter);
    /// more than `maxReferrers` of them is `tooManyReferrers`.
    public func referrers(
        _ location: RepositoryLocation, subject: Digest, artifactType: String = MediaType.atprotoSignature,
        deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> ReferrerList {
        var collector = ReferrerCollector(artifactType: artifactType, limit: configuration.maxReferrers)
        var request = RegistryRequest(
            location, path: "/v2/\(location.repository)/referrers/\(subject)", operation: "listing referrers of \(subject)")
        request.query = "artifactType=" + HTTPText.queryEscape(artifactType)
        request.accept = [MediaType.ociImageIndex]
        request.maxBodyBytes = configuration.maxManifestBytes
        let origin = HTTPText.origin(of: self.origin(location.registry))
        var pages = 0
        while true {
            let response: FetchResponse
            do throws(RegistryError) {
                response = try await send(request, deadline: deadline)
            } catch let error where Self.isBodyTooLarge(error) {
                throw request.error(.manifestTooLarge(limit: configuration.maxManifestBytes))
            }
            let index: ImageIndex
            switch (response.status, Self.decodeIndex(response)) {
            case (200, .some(let decoded)):
                index = decoded
            case (404, _) where pages == 0, (200, nil) where pages == 0:
                return try await fallbackReferrers(location, subject: subject, collector: collector, deadline: deadline)
            case (200, nil):
                throw request.error(.invalidManifest("referrers page \(pages + 1) is not an image index"))
            case (404, _):
                throw request.error(.invalidManifest("referrers page \(pages + 1) answered 404"))
            default:
                throw statusError(response, request)
            }
            pages += 1
            if let problem = collector.add(index.manifests) { throw request.error(problem) }
            guard let link = HTTPText.nextLink(response.headers.values("Link")) else { break }
            guard let next = HTTPText.resolve(link, against: response.url), HTTPText.origin(of: next) == origin else {
                throw request.error(.foreignPaginationLink(link))
            }
            guard pages < configuration.maxReferrerPages else {
                throw request.error(.tooManyReferrerPages(limit: configuration.maxReferrerPages))
            }
            request.absoluteURL = next
        }
        return ReferrerList(source: .referrersAPI, descriptors: collector.descriptors, pages: pages)
    }

    private func fallbackReferrers(
        _ location: RepositoryLocation, subject: Digest, collector: ReferrerCollector, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> ReferrerList {
        var collector = collector
        let tag = subject.referrersTag
        let source = ReferrersSource.tagSchema(tag: tag)
        let manifest: FetchedManifest
        do throws(RegistryError) {
            manifest = try await fetchManifest(location, reference: .tag(tag), accept: [MediaType.ociImageIndex], deadline: deadline)
        } catch let error {
            // No fallback index (or something else under that tag): no referrers.
            switch error.kind {
            case .manifestNotFound, .unsupportedMediaType: return ReferrerList(source: source, descriptors: [], pages: 0)
            default: throw error
            }
        }
        let index = try manifest.imageIndex()
        if let problem = collector.add(index.manifests) {
            throw RegistryError(
                registry: location.registry, repository: location.repository,
                operation: "reading the referrers tag \(tag)", kind: problem)
        }
        return ReferrerList(source: source, descriptors: collector.descriptors, pages: 0)
    }

    /// The response as an image index, or nil when it is not one.
    private static func decodeIndex(_ response: FetchResponse) -> ImageIndex? {
        guard response.status == 200 else { return nil }
        let mediaType = ManifestKind.mediaType(contentType: response.headers["Content-Type"], bytes: response.body)
        guard mediaType == MediaType.ociImageIndex, case .success(let index) = OCIJSON.decode(ImageIndex.self, from: response.body)
        else { return nil }
        return index
    }
}

/// Keeps the descriptors of one artifact type, once each, up to a bound.
struct ReferrerCollector {
    let artifactType: String
    let limit: Int
    private(set) var descriptors: [Descriptor] = []
    private var seen: Set<Digest> = []

    init(artifactType: String, limit: Int) {
        self.artifactType = artifactType
        self.limit = limit
    }

    /// Adds the matching descriptors; the problem when the bound is passed.
    mutating func add(_ candidates: [Descriptor]) -> RegistryError.Kind? {
        for descriptor in candidates where descriptor.artifactType == artifactType {
            guard seen.insert(descriptor.digest).inserted else { continue }
            descriptors.append(descriptor)
            if descriptors.count > limit { return .tooManyReferrers(limit: limit) }
        }
        return nil
    }
}
