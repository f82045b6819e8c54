import ATProto
import Foundation
import HTTPFetch
import Testbed
import Testing

/// The test world itself: what it writes for others (world.json, the policy, the CA) is usable.
@Suite("The test world")
struct TestWorldTests {
    @Test("world.json names every endpoint, account and scenario; its policy is valid")
    func manifest() async throws {
        let world = try await TestWorld.shared()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("world-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try world.writeState(to: directory)
        let json = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(json["endpoints"]?["registry"] == .string(world.registryServer.origin))
        #expect(json["caFile"] == .string(try #require(world.caPath)))
        guard case .array(let images) = json["images"], case .array(let accounts) = json["accounts"] else {
            Issue.record("no images or accounts")
            return
        }
        #expect(images.count == world.images.count && images.count >= 21)
        #expect(accounts.count == 8)
        #expect(Set(world.images.map(\.scenario)).count == world.images.count, "scenario names are unique")
        let highS = try #require(images.first { $0["scenario"] == .string("high-s") })
        #expect(highS["failedCheck"]?["number"] == .number("16") && highS["failedCheck"]?["name"] == .string("low-s"), "{number, name}")
        let revoked = try #require(images.first { $0["scenario"] == .string("revoked") })
        #expect(revoked["failedCheck"]?["number"] == .null && revoked["failedCheck"]?["name"] == .string("record-absent"))
        for account in world.accounts.values {
            #expect(try PublicKey(multikey: account.key.publicKey.multikey) == account.key.publicKey)
        }
    }

    @Test("the CA's serving certificate is trusted for localhost and 127.0.0.1")
    func certificates() async throws {
        let ca = try TestCertificateAuthority()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let caPath = try ca.write(to: directory)
        let server = try await TestServer.start(name: "hello", tls: try ca.serverTLSConfiguration()) { router in
            router.get("hello") { _, _ in "hi" }
        }
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: caPath))
        for host in ["localhost", "127.0.0.1"] {
            let response = try await fetcher.fetch(FetchRequest(
                url: "https://\(host):\(server.port)/hello", maxBodyBytes: 64, deadline: .now + .seconds(5)))
            #expect(response.status == 200 && response.body == Array("hi".utf8), "\(host)")
        }
        try await fetcher.shutdown()
        await server.stop()
    }

    @Test("PDS getLatestCommit names the commit a getRecord proof is rooted in")
    func latestCommit() async throws {
        let world = try await TestWorld.shared()
        let alice = try #require(world.accounts["alice"])
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
        let response = try await fetcher.fetch(FetchRequest(
            url: "\(world.pdsServer.origin)/xrpc/com.atproto.sync.getLatestCommit?did=\(alice.did.string)", maxBodyBytes: 4096,
            deadline: .now + .seconds(5)))
        let json = try JSONParser().parse(response.body)
        let latest = try #require(world.pds.account(alice.did)?.latest)
        #expect(json["cid"] == .string(latest.commitCID.string))
        #expect(json["rev"] == .string(latest.commit.rev?.string ?? ""))
        try await fetcher.shutdown()
    }
}
