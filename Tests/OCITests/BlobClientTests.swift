import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing

@Suite("Registry client: blobs, redirects and retries, end to end")
struct BlobClientTests {
    @Test("a blob is returned only when its bytes hash to the digest")
    func digestChecked() async throws {
        try await Harness.with { world in
            let bytes = Array("signature json".utf8)
            let digest = try world.registry.putBlob(bytes, repository: "alice/app")
            let descriptor = Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes)
            #expect(try await world.client().fetchBlob(world.location("alice/app"), descriptor: descriptor, maxBytes: 1024, deadline: deadline()) == bytes)
            world.registry.serveBlob(digest, as: Array("signature jsoN".utf8))
            let error = await registryError {
                _ = try await world.client().fetchBlob(world.location("alice/app"), descriptor: descriptor, maxBytes: 1024, deadline: deadline())
            }
            #expect(error?.kind == .digestMismatch(expected: digest, actual: Digest.sha256(of: Array("signature jsoN".utf8))))
            let missing = await registryError {
                _ = try await world.client().fetchBlob(world.location("alice/app"), digest: Digest.sha256(of: [9]), maxBytes: 1024, deadline: deadline())
            }
            #expect(missing?.kind == .blobNotFound(Digest.sha256(of: [9])))
        }
    }

    @Test("an oversized blob is refused: by its descriptor without a request, by its body while reading")
    func sizeBound() async throws {
        try await Harness.with { world in
            let bytes = [UInt8](repeating: 7, count: 70 * 1024)
            let digest = try world.registry.putBlob(bytes, repository: "alice/app")
            let client = world.client()
            let byDescriptor = await registryError {
                _ = try await client.fetchBlob(
                    world.location("alice/app"), descriptor: Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes),
                    maxBytes: client.configuration.maxSignatureBlobBytes, deadline: deadline())
            }
            #expect(byDescriptor?.kind == .blobTooLarge(limit: 64 * 1024))
            #expect(world.registry.log.all.isEmpty)
            let lyingDescriptor = Descriptor(mediaType: MediaType.atprotoSignature, digest: digest, size: 10)
            let byBody = await registryError {
                _ = try await client.fetchBlob(world.location("alice/app"), descriptor: lyingDescriptor, maxBytes: 64 * 1024, deadline: deadline())
            }
            #expect(byBody?.kind == .blobTooLarge(limit: 64 * 1024))
        }
    }

    @Test("the blob host refuses a request that carries Authorization (as S3 does)")
    func blobHostRefusesAuthorization() async throws {
        try await Harness.with { world in
            let digest = try world.registry.putBlob([1, 2, 3], repository: "alice/app")
            world.registry.configure { $0.blobRedirectBase = world.blobServer.origin }
            let redirect = try await world.fetcher.fetch(
                FetchRequest(url: "\(world.server.origin)/v2/alice/app/blobs/\(digest)", maxBodyBytes: 1024, deadline: deadline()))
            #expect(redirect.status == 307)
            let location = try #require(redirect.headers["Location"])
            let withAuthorization = try await world.fetcher.fetch(
                FetchRequest(url: location, headers: ["Authorization": "Bearer x"], maxBodyBytes: 1024, deadline: deadline()))
            #expect(withAuthorization.status == 400)
            let without = try await world.fetcher.fetch(FetchRequest(url: location, maxBodyBytes: 1024, deadline: deadline()))
            #expect(without.status == 200)
            #expect(without.body == [1, 2, 3])
        }
    }

    @Test("a blob redirect to another host is followed with Authorization dropped")
    func redirectDropsAuthorization() async throws {
        var behavior = RegistryBehavior()
        behavior.authentication = .bearer(TokenService())
        try await Harness.with(behavior: behavior) { world in
            world.registry.configure { $0.blobRedirectBase = world.blobServer.origin }
            let bytes = Array("payload".utf8)
            try world.registry.putBlob(bytes, repository: "alice/app")
            let descriptor = Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes)
            let fetched = try await world.client().fetchBlob(world.location("alice/app"), descriptor: descriptor, maxBytes: 1024, deadline: deadline())
            #expect(fetched == bytes)
            let registrySide = world.registry.log.filter { $0.path.contains("/blobs/") }
            #expect(registrySide.map(\.status) == [401, 307])
            #expect(registrySide.last?.authorization?.hasPrefix("Bearer ") == true, "the registry got the token")
            let hostSide = world.blobHost.log.all
            #expect(hostSide.count == 1)
            #expect(hostSide.first?.status == 200)
            #expect(hostSide.first?.authorization == nil, "the blob host did not")
        }
    }

    @Test("a redirect to plain http is refused by an https-only client, not followed")
    func redirectToHTTPRefused() async throws {
        let ca = try TestCertificateAuthority()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oci-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let caPath = try ca.write(to: directory)
        try await Harness.with(fetch: FetchConfiguration(caBundlePath: caPath), tls: try ca.serverTLSConfiguration()) { world in
            #expect(world.server.origin.hasPrefix("https://localhost:"))
            let client = RegistryClient(fetcher: world.fetcher)
            let bytes = Array("payload".utf8)
            try world.registry.putBlob(bytes, repository: "alice/app")
            let descriptor = Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes)
            let location = RepositoryLocation(registry: world.name, repository: "alice/app")
            // Over https, without a redirect, the blob is served.
            #expect(try await client.fetchBlob(location, descriptor: descriptor, maxBytes: 1024, deadline: deadline()) == bytes)

            world.registry.configure { $0.blobRedirectBase = world.blobServer.origin }
            #expect(world.blobServer.origin.hasPrefix("http://"))
            let error = await registryError {
                _ = try await client.fetchBlob(location, descriptor: descriptor, maxBytes: 1024, deadline: deadline())
            }
            guard case .transport(.redirectRefused(let from, let reason)) = error?.kind else {
                Issue.record("expected a refused redirect, got \(String(describing: error))")
                return
            }
            #expect(from.hasPrefix("https://localhost:"))
            #expect(reason.contains("http://127.0.0.1"))
            #expect(error?.isTransient == false)
            #expect(world.blobHost.log.all.isEmpty, "the http URL was never requested")
        }
    }

    @Test("429/503 with Retry-After is retried while the deadline allows", arguments: [429, 503])
    func retriedWithinDeadline(status: Int) async throws {
        var behavior = RegistryBehavior()
        behavior.faults = [RegistryFault(status: status, retryAfter: "1", count: 1, pathContains: "/manifests/")]
        try await Harness.with(behavior: behavior) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let started = ContinuousClock.now
            // Room for the 1 s wait even when a loaded machine is slow to answer the first request.
            let resolved = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline(20))
            #expect(resolved.digest == image.digest)
            #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After was honoured")
            #expect(world.registry.log.all.map(\.status) == [status, 200])
        }
    }

    @Test("429/503 whose Retry-After outlasts the deadline fails at once, as a transient error", arguments: [429, 503])
    func notRetriedBeyondDeadline(status: Int) async throws {
        var behavior = RegistryBehavior()
        behavior.faults = [RegistryFault(status: status, retryAfter: "120", count: 1, pathContains: "/manifests/")]
        try await Harness.with(behavior: behavior) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let started = ContinuousClock.now
            let error = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline(30))
            }
            // Waiting would have run into the 30 s deadline; failing at once takes milliseconds.
            #expect(ContinuousClock.now - started < .seconds(20), "no pointless wait")
            #expect(error?.kind == .rateLimited(status: status))
            #expect(error?.isTransient == true)
            #expect(world.registry.log.all.map(\.status) == [status])
        }
    }
}
