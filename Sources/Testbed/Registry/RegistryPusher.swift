import AsyncHTTPClient
import Foundation
import NIOCore
import OCI

/// Pushes blobs, manifests and signature artifacts to a registry over HTTP (the real Debian
/// `docker-registry` in tests, or a `TestRegistry`), and maintains the OCI 1.1 referrers tag
/// (`sha256-<hex>`) as a client must when the registry has no referrers API.
///
/// Plain http to loopback registries without authentication: a test tool, not a client.
public struct RegistryPusher: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    private let timeout: TimeAmount

    public init(baseURL: String, timeoutSeconds: Int64 = 30) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = .seconds(timeoutSeconds)
    }

    /// Uploads a blob (POST, then PUT with the digest); returns its digest.
    @discardableResult
    public func pushBlob(_ bytes: [UInt8], repository: String) async throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        let started = try await send("POST", "\(baseURL)/v2/\(repository)/blobs/uploads/", expect: [202])
        guard let location = started.location else {
            throw RegistryPusherError.protocolViolation("upload start answered no Location")
        }
        let uploadURL = location.hasPrefix("/") ? baseURL + location : location
        let separator = uploadURL.contains("?") ? "&" : "?"
        _ = try await send(
            "PUT", "\(uploadURL)\(separator)digest=\(digest)", body: bytes, contentType: "application/octet-stream", expect: [201])
        return digest
    }

    /// Puts a manifest under `reference` (a tag or its digest); returns its digest.
    @discardableResult
    public func pushManifest(_ bytes: [UInt8], mediaType: String, repository: String, reference: String? = nil) async throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        _ = try await send(
            "PUT", "\(baseURL)/v2/\(repository)/manifests/\(reference ?? digest.description)", body: bytes, contentType: mediaType,
            expect: [201])
        return digest
    }

    /// Pushes a single-layer image built from `seed`, tagged; returns its manifest descriptor.
    public func pushImage(repository: String, tag: String, seed: String = "layer") async throws -> Descriptor {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = Array("test image layer: \(seed)".utf8)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: "application/vnd.oci.image.config.v1+json", bytes: config),
            layers: [Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar", bytes: layer)])
        try await pushBlob(config, repository: repository)
        try await pushBlob(layer, repository: repository)
        let bytes = manifest.encoded()
        try await pushManifest(bytes, mediaType: MediaType.ociImageManifest, repository: repository, reference: tag)
        return Descriptor(mediaType: MediaType.ociImageManifest, bytes: bytes)
    }

    /// Pushes an artifact (blobs, then manifest by digest). With `updateReferrersTag`, also adds
    /// it to the index at the subject's referrers tag, as OCI 1.1 asks of clients when the
    /// registry lacks the referrers API.
    @discardableResult
    public func push(_ artifact: BuiltArtifact, repository: String, updateReferrersTag: Bool) async throws -> Descriptor {
        for blob in artifact.blobs { try await pushBlob(blob, repository: repository) }
        try await pushManifest(artifact.manifestBytes, mediaType: MediaType.ociImageManifest, repository: repository)
        if updateReferrersTag, let subject = artifact.manifest.subject {
            try await addReferrer(artifact.descriptor, subject: subject.digest, repository: repository)
        }
        return artifact.descriptor
    }

    /// Adds `descriptor` to the index at `subject`'s referrers tag (creating it).
    public func addReferrer(_ descriptor: Descriptor, subject: Digest, repository: String) async throws {
        let tag = subject.referrersTag
        let existing = try await send(
            "GET", "\(baseURL)/v2/\(repository)/manifests/\(tag)", accept: MediaType.ociImageIndex, expect: [200, 404])
        var index = ImageIndex(manifests: [])
        if existing.status == 200 {
            index = try JSONDecoder().decode(ImageIndex.self, from: Data(existing.body))
        }
        index.manifests.removeAll { $0.digest == descriptor.digest }
        index.manifests.append(descriptor)
        try await pushManifest(index.encoded(), mediaType: MediaType.ociImageIndex, repository: repository, reference: tag)
    }

    private struct Answer {
        var status: Int
        /// The `Location` header.
        var location: String?
        var body: [UInt8]
    }

    private func send(
        _ method: String, _ url: String, body: [UInt8]? = nil, contentType: String? = nil, accept: String? = nil, expect: Set<Int>
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .RAW(value: method)
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        } else if method == "POST" || method == "PUT" {
            request.headers.add(name: "Content-Length", value: "0")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        var buffer = try await response.body.collect(upTo: 16 << 20)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let status = Int(response.status.code)
        guard expect.contains(status) else {
            throw RegistryPusherError.unexpectedStatus(method: method, url: url, status: status, body: String(decoding: bytes.prefix(500), as: UTF8.self))
        }
        return Answer(status: status, location: response.headers.first(name: "Location"), body: bytes)
    }
}

/// Why a push failed.
public enum RegistryPusherError: Error, CustomStringConvertible {
    case unexpectedStatus(method: String, url: String, status: Int, body: String)
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unexpectedStatus(let method, let url, let status, let body): return "\(method) \(url) answered \(status): \(body)"
        case .protocolViolation(let reason): return "registry protocol violation: \(reason)"
        }
    }
}
