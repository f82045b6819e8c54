import HTTPFetch

extension RegistryClient {
    /// `GET /v2/<repo>/blobs/<digest>`, following redirects (HTTPFetch refuses a non-https hop
    /// and drops `Authorization` when a hop leaves the registry's host). The bytes must hash to
    /// the descriptor's digest and have its size; neither may exceed `maxBytes`.
    public func fetchBlob(
        _ location: RepositoryLocation, descriptor: Descriptor, maxBytes: Int, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> [UInt8] {
        let bytes = try await fetchBlob(
            location, digest: descriptor.digest, maxBytes: maxBytes, declaredSize: descriptor.size, deadline: deadline)
        guard Int64(bytes.count) == descriptor.size else {
            throw RegistryError(
                registry: location.registry, repository: location.repository, operation: "GET blob \(descriptor.digest)",
                kind: .sizeMismatch(expected: descriptor.size, actual: bytes.count))
        }
        return bytes
    }

    /// `GET /v2/<repo>/blobs/<digest>` with the digest checked and at most `maxBytes` read.
    public func fetchBlob(
        _ location: RepositoryLocation, digest: Digest, maxBytes: Int, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> [UInt8] {
        try await fetchBlob(location, digest: digest, maxBytes: maxBytes, declaredSize: nil, deadline: deadline)
    }

    private func fetchBlob(
        _ location: RepositoryLocation, digest: Digest, maxBytes: Int, declaredSize: Int64?, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> [UInt8] {
        var request = RegistryRequest(location, path: "/v2/\(location.repository)/blobs/\(digest)", operation: "GET blob \(digest)")
        request.maxBodyBytes = maxBytes
        request.maxRedirects = configuration.maxRedirects
        if let declaredSize, declaredSize > Int64(maxBytes) { throw request.error(.blobTooLarge(limit: maxBytes)) }
        guard digest.isVerifiable else { throw request.error(.unsupportedDigestAlgorithm(digest.algorithm)) }
        let response: FetchResponse
        do throws(RegistryError) {
            response = try await send(request, deadline: deadline)
        } catch let error where Self.isBodyTooLarge(error) {
            throw request.error(.blobTooLarge(limit: maxBytes))
        }
        switch response.status {
        case 200: break
        case 404: throw request.error(.blobNotFound(digest))
        default: throw statusError(response, request)
        }
        guard let actual = digest.recomputed(over: response.body), actual == digest else {
            throw request.error(.digestMismatch(expected: digest, actual: Digest.sha256(of: response.body)))
        }
        return response.body
    }
}
