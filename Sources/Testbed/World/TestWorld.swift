import ATProto
import ATProtoWriter
import Foundation
import NIOSSL
import OCI

/// The local ATCR world: a PLC directory, a did:web host, a PDS with real signed repositories,
/// and an OCI registry holding images and their ATProto signature artifacts, on loopback over
/// TLS with a CA it generates (or plain HTTP when asked). Every scenario is a real signed
/// artifact; nothing is mocked.
public final class TestWorld: Sendable {
    public struct Options: Sendable {
        /// Serve over TLS with the world's CA (default), or plain HTTP.
        public var tls: Bool
        /// Offer the referrers API (off: clients use the `sha256-<hex>` tag fallback).
        public var referrersAPI: Bool
        /// Where to write the CA file; a temporary directory when nil.
        public var directory: URL?
        /// Offer HTTP/2 by ALPN next to HTTP/1.1 (with TLS), as most public registries and PDSes do.
        public var http2: Bool

        public init(tls: Bool = true, referrersAPI: Bool = true, directory: URL? = nil, http2: Bool = false) {
            self.http2 = http2
            self.tls = tls
            self.referrersAPI = referrersAPI
            self.directory = directory
        }
    }

    public let options: Options
    public let directory: URL
    /// The CA certificate clients must trust (nil for a plain-HTTP world).
    public let caPath: String?
    public let ca: TestCertificateAuthority?

    public let plc: PLCDirectory
    public let pds: PersonalDataServer
    public let registry: TestRegistry
    public let didWeb: DIDWebHost

    public let plcServer: TestServer
    public let pdsServer: TestServer
    public let registryServer: TestServer
    public let didWebServer: TestServer
    /// A second PDS, empty until an account moves there (``WorldChanges/movePDS(account:)``).
    public let secondPDS: PersonalDataServer
    public let secondPDSServer: TestServer
    /// The admin endpoint (``WorldAdmin``): live changes over HTTP.
    public let adminServer: TestServer
    /// Live changes: revoke, unrelated commit, key rotation, PDS move, new accounts and images.
    public let changes: WorldChanges

    /// Accounts by name: alice, bob, carol (P-256), dave (did:web), erin (rotated key),
    /// frank (replaying PDS), grace (high-S signatures), mallory (untrusted).
    public let accounts: [String: WorldAccount]
    /// The scenario images, in the order they should be verified.
    public let images: [WorldImage]

    private init(
        options: Options, directory: URL, ca: TestCertificateAuthority?, caPath: String?, plc: PLCDirectory,
        pds: PersonalDataServer, registry: TestRegistry, didWeb: DIDWebHost, secondPDS: PersonalDataServer, servers: [TestServer],
        accounts: [String: WorldAccount], images: [WorldImage], changes: WorldChanges
    ) {
        self.options = options
        self.directory = directory
        self.ca = ca
        self.caPath = caPath
        self.plc = plc
        self.pds = pds
        self.registry = registry
        self.didWeb = didWeb
        plcServer = servers[0]
        pdsServer = servers[1]
        registryServer = servers[2]
        didWebServer = servers[3]
        self.secondPDS = secondPDS
        secondPDSServer = servers[4]
        adminServer = servers[5]
        self.accounts = accounts
        self.images = images
        self.changes = changes
    }

    /// Starts the servers, creates the accounts and builds every scenario.
    public static func start(_ options: Options = Options()) async throws -> TestWorld {
        let directory = options.directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("atcr-world-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = options.tls ? try TestCertificateAuthority() : nil
        let caPath = try ca.map { try $0.write(to: directory) }
        let tls = try ca?.serverTLSConfiguration()

        let plc = PLCDirectory(), pds = PersonalDataServer(), didWeb = DIDWebHost(), secondPDS = PersonalDataServer()
        var behavior = RegistryBehavior()
        behavior.referrersAPI = options.referrersAPI
        behavior.scheme = options.tls ? "https" : "http"
        let registry = TestRegistry(behavior: behavior)
        var servers: [TestServer] = []
        do {
            servers.append(try await TestServer.start(name: "plc", tls: tls, http2: options.http2) { plc.addRoutes(to: $0) })
            servers.append(try await TestServer.start(name: "pds", tls: tls, http2: options.http2) { pds.addRoutes(to: $0) })
            servers.append(try await TestServer.start(name: "registry", tls: tls, http2: options.http2) { registry.addRoutes(to: $0) })
            servers.append(try await TestServer.start(name: "did-web", tls: tls, http2: options.http2) { didWeb.addRoutes(to: $0) })
            let builder = try ScenarioBuilder(
                plc: plc, pds: pds, registry: registry, didWeb: didWeb, pdsOrigin: servers[1].origin,
                registryName: servers[2].authority, didWebPort: servers[3].port)
            let images = try await builder.build()
            servers.append(try await TestServer.start(name: "pds-b", tls: tls, http2: options.http2) { secondPDS.addRoutes(to: $0) })
            let changes = WorldChanges(
                plc: plc, didWeb: didWeb, registry: registry, registryName: servers[2].authority,
                pdses: [(pds, servers[1].origin), (secondPDS, servers[4].origin)], accounts: builder.accounts, images: images)
            servers.append(try await TestServer.start(name: "admin", tls: tls) { WorldAdmin.addRoutes(to: $0, changes: changes) })
            return TestWorld(
                options: options, directory: directory, ca: ca, caPath: caPath, plc: plc, pds: pds, registry: registry,
                didWeb: didWeb, secondPDS: secondPDS, servers: servers, accounts: builder.accounts, images: images, changes: changes)
        } catch {
            await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.stop() } }
        }
            throw error
        }
    }

    /// The registry name images use (`localhost:<port>` with TLS).
    public var registryName: String { registryServer.authority }

    /// Every server, for request counting.
    public var servers: [TestServer] { [plcServer, pdsServer, registryServer, didWebServer, secondPDSServer, adminServer] }

    /// The scenario called `name`.
    public func image(_ name: String) -> WorldImage? { images.first { $0.scenario == name } }

    /// Stops every server and removes the temporary directory (unless it was given).
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.stop() } }
        }
        if options.directory == nil { try? FileManager.default.removeItem(at: directory) }
    }
}

extension TestWorld {
    /// One world per process, started on first use: for tests that only read it (starting a
    /// world takes a moment, and its scenarios do not change).
    public static func shared() async throws -> TestWorld {
        try await SharedWorldHolder.instance.get()
    }
}

private actor SharedWorldHolder {
    static let instance = SharedWorldHolder()
    private var world: TestWorld?

    func get() async throws -> TestWorld {
        if let world { return world }
        let started = try await TestWorld.start()
        world = started
        return started
    }
}
