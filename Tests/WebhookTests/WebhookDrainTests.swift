import AsyncHTTPClient
import Foundation
import NIOCore
import Testbed
import Testing

/// SIGTERM starts a drain: `/readyz` says so, HTTP/1.1 answers close their connection, reviews
/// keep being answered correctly until the delay ends, and then the process exits 0.
@Suite("atcr-webhook drains before it stops")
struct WebhookDrainTests {
    @Test("after SIGTERM: readyz 503 draining, reviews answered with Connection: close, exit 0 after the delay")
    func drain() async throws {
        let world = try await TestWorld.start()
        let webhook = try await WebhookProcess(world: world, arguments: ["--shutdown-delay", "2"])
        let client = try WebhookHarness.client(caPath: try #require(world.caPath), version: .http1Only)
        let image = try #require(world.image("signed-k256-digest"))
        func review() async throws -> (status: Int, connection: String?, allowed: Bool) {
            var request = HTTPClientRequest(url: "https://localhost:\(webhook.port)/validate?timeout=10s")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: Reviews.pod([image.reference])))
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), response.headers.first(name: "Connection"), body.contains(#""allowed":true"#))
        }
        let before = try await review()
        #expect(before.status == 200 && before.allowed && before.connection == nil, "\(before)")

        let sent = ContinuousClock.now
        kill(webhook.process.processIdentifier, SIGTERM)
        #expect(try await WebhookOperationsTests.waitUntil(5) { webhook.logs.contains("draining before shutdown") })
        let ready = try await client.execute(HTTPClientRequest(url: "https://localhost:\(webhook.port)/readyz"), timeout: .seconds(5))
        #expect(ready.status.code == 503)
        #expect(String(buffer: try await ready.body.collect(upTo: 4096)).contains("draining"))
        let during = try await review()
        #expect(during.status == 200 && during.allowed, "reviews are still answered while draining: \(during)")
        #expect(during.connection?.lowercased() == "close", "HTTP/1.1 answers close their connection while draining")

        #expect(try await WebhookOperationsTests.waitUntil(15) { !webhook.process.isRunning })
        #expect(ContinuousClock.now - sent >= .seconds(2), "the process kept serving for the delay")
        #expect(webhook.process.terminationStatus == 0, "\(webhook.logs)")
        try await client.shutdown()
        await webhook.stop()
        await world.stop()
    }
}
