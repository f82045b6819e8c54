import Foundation
import NIOSSL
import HTTPFetch
import HostNames
import OCI
import Testbed

/// A `TestRegistry` and its S3-like blob host on loopback, with a fetcher and clients for them.
struct Harness {
    let registry: TestRegistry
    let server: TestServer
    let blobHost: TestBlobHost
    let blobServer: TestServer
    let fetcher: HTTPFetcher

    /// The registry name clients use: the server's authority (`127.0.0.1:<port>` over plain
    /// http), canonical (`localhost:<port>`: every loopback spelling is one registry).
    var name: String { RegistryHost.canonical(server.authority) }

    /// A client for this registry (over plain http).
    func client(
        credentials: RegistryCredentials = .anonymous,
        configure: (inout RegistryClient.Configuration) -> Void = { _ in }
    ) -> RegistryClient {
        var configuration = RegistryClient.Configuration(insecureRegistries: [name])
        configure(&configuration)
        return RegistryClient(fetcher: fetcher, credentials: credentials, configuration: configuration)
    }

    func location(_ repository: String) -> RepositoryLocation { RepositoryLocation(registry: name, repository: repository) }

    func reference(_ text: String) throws -> ImageReference { try ImageReference(parsing: "\(name)/\(text)") }

    /// Runs `body` against a fresh registry (and blob host), shutting everything down after.
    static func with(
        behavior: RegistryBehavior = RegistryBehavior(),
        fetch: FetchConfiguration = FetchConfiguration(allowInsecureHTTP: true, serverNamedTargets: .any),
        tls: TLSConfiguration? = nil, _ body: (Harness) async throws -> Void
    ) async throws {
        let registry = TestRegistry(behavior: behavior)
        let blobHost = TestBlobHost(serving: registry)
        let server = try await TestServer.start(name: "registry", tls: tls) { registry.addRoutes(to: $0) }
        let blobServer = try await TestServer.start(name: "blobs") { blobHost.addRoutes(to: $0) }
        let fetcher = try HTTPFetcher(configuration: fetch)
        let harness = Harness(registry: registry, server: server, blobHost: blobHost, blobServer: blobServer, fetcher: fetcher)
        do {
            try await body(harness)
        } catch {
            await harness.shutdown()
            throw error
        }
        await harness.shutdown()
    }

    private func shutdown() async {
        try? await fetcher.shutdown()
        await server.stop()
        await blobServer.stop()
    }
}

/// A deadline `seconds` from now.
func deadline(_ seconds: Double = 10) -> ContinuousClock.Instant { .now + .milliseconds(Int(seconds * 1000)) }

/// A signature document for `image` signed by `did`.
func signaturePayload(for image: Digest, did: String = "did:plc:ewvi7nxzyoun6zhxrhs64oiz", rkey: String = "3l4qpz7ajrc2a") -> SignaturePayload {
    SignaturePayload(
        subject: .init(digest: image, mediaType: MediaType.ociImageManifest),
        atproto: .init(did: did, handle: "alice.test", recordUri: "at://\(did)/io.atcr.manifest/\(rkey)"))
}

/// The registry error a call threw, or nil.
func registryError(_ body: () async throws -> Void) async -> RegistryError? {
    do {
        try await body()
        return nil
    } catch let error as RegistryError {
        return error
    } catch {
        return nil
    }
}
