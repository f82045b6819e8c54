import ATProto
import ATProtoWriter
import Foundation
import HTTPFetch
import Testbed

/// A PLC directory, a did:web host and a PDS over TLS with the world's CA: enough for the
/// resolver and PDS-client tests.
final class IdentityWorld: Sendable {
    let ca: TestCertificateAuthority
    let directory: URL
    let plc: PLCDirectory
    let pds: PersonalDataServer
    let web: DIDWebHost
    let plcServer: TestServer
    let pdsServer: TestServer
    let webServer: TestServer
    let fetcher: HTTPFetcher
    let alice: DID
    let aliceKey: SigningKey

    init() async throws {
        ca = try TestCertificateAuthority()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)")
        let caPath = try ca.write(to: directory)
        let tls = try ca.serverTLSConfiguration()
        let plc = PLCDirectory(), pds = PersonalDataServer(), web = DIDWebHost()
        self.plc = plc
        self.pds = pds
        self.web = web
        plcServer = try await TestServer.start(name: "plc", tls: tls) { plc.addRoutes(to: $0) }
        pdsServer = try await TestServer.start(name: "pds", tls: tls) { pds.addRoutes(to: $0) }
        webServer = try await TestServer.start(name: "web", tls: tls) { web.addRoutes(to: $0) }
        fetcher = try HTTPFetcher(configuration: .init(caBundlePath: caPath))
        aliceKey = SigningKey.derived(.k256, seed: "identity-alice")
        alice = try DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
        plc.publish(alice, document: DIDDocumentBuilder.document(did: alice, handle: "alice.test", key: aliceKey.publicKey, pds: pdsServer.origin))
        try pds.createAccount(did: alice, signer: aliceKey)
    }

    func stop() async {
        try? await fetcher.shutdown()
        await plcServer.stop()
        await pdsServer.stop()
        await webServer.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
