import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testbed
import Testing
@testable import Webhook

@Suite("Webhook operations: reloads, deadlines")
struct WebhookOperationsTests {
    /// Replaces `path` atomically with `text` (write a sibling, rename over it).
    static func replace(_ path: String, with text: String) throws {
        let temporary = path + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func waitUntil(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test("certificate rotation: new handshakes get the new certificate, an open connection keeps working")
    func certificateRotation() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let review = Reviews.pod([try #require(world.image("signed-k256-digest")).reference])
        #expect(try await harness.post(review).status == 200)  // opens a keep-alive connection trusting CA 1

        let rotated = try TestCertificateAuthority(commonName: "rotated CA")
        let rotatedDirectory = harness.directory.appendingPathComponent("rotated")
        let rotatedCA = try rotated.write(to: rotatedDirectory)
        try Self.replace(harness.directory.appendingPathComponent("server-key.pem").path, with: rotated.serverKeyPEM)
        try Self.replace(harness.directory.appendingPathComponent("server.pem").path, with: rotated.serverCertificatePEM)

        let fresh = try WebhookHarness.client(caPath: rotatedCA, version: .http1Only)
        let reloaded = try await Self.waitUntil {
            (try? await harness.post(review, client: fresh).status) == 200
        }
        #expect(reloaded, "a client trusting only the new CA connects after the reload")
        #expect(try await harness.post(review).status == 200, "the connection opened before the rotation still serves")
        let stale = try WebhookHarness.client(caPath: harness.caPath, version: .http1Only)
        await #expect(throws: (any Error).self, "a new handshake no longer presents the old certificate") {
            _ = try await harness.post(review, client: stale)
        }
        try await fresh.shutdown()
        try await stale.shutdown()
        await harness.stop()
    }

    @Test("a corrupt certificate update keeps the current certificate")
    func corruptCertificate() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        try Self.replace(harness.directory.appendingPathComponent("server.pem").path, with: "-----BEGIN CERTIFICATE-----\nnot a certificate\n")
        try await Task.sleep(for: .milliseconds(400))
        let client = try WebhookHarness.client(caPath: harness.caPath, version: .http1Only)
        #expect(try await harness.post(Reviews.pod(["docker.io/library/nginx:1"]), client: client).status == 200)
        #expect(harness.server.certificates.lastError != nil)
        try await client.shutdown()
        await harness.stop()
    }

    @Test("policy reload: not ready on an invalid policy, ready once a valid one lands; decisions follow the policy in force")
    func policyReload() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { configuration in
            let invalid = configuration.policyFile + ".broken"
            try? Data("version: 1.0\npolicies: []\n".utf8).write(to: URL(fileURLWithPath: invalid))
            configuration.policyFile = invalid
        }
        #expect(try await harness.get("/readyz").status == 503)
        let unsigned = try #require(world.image("unsigned")).reference
        #expect(try await harness.post(Reviews.pod([unsigned])).status == 503, "no policy: an error, so failurePolicy decides")

        try Self.replace(harness.server.configuration.policyFile, with: world.policyYAML)
        #expect(try await Self.waitUntil { try await harness.get("/readyz").status == 200 })
        #expect(try await harness.post(Reviews.pod([unsigned])).json["response"]["allowed"].bool == false)

        // Production images become audit-only: the same unsigned image is now admitted with a warning.
        try Self.replace(harness.server.configuration.policyFile, with: world.policyYAML.replacingOccurrences(of: "action: enforce", with: "action: audit"))
        #expect(try await Self.waitUntil {
            try await harness.post(Reviews.pod([unsigned])).json["response"]["allowed"].bool == true
        })
        // An invalid edit keeps the last good policy: still ready.
        try Self.replace(harness.server.configuration.policyFile, with: "version: 7\n")
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await harness.get("/readyz").status == 200)
        await harness.stop()
    }

    @Test("a stalled registry: enforce denies 'verification timed out', audit admits with a warning, the retry hits the cache")
    func deadlines() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world)
        let enforced = try #require(world.image("signed-k256"))
        let audited = try #require(world.image("audit-unsigned"))
        world.registryServer.faults.add(.init(matching: "/manifests/v1", stall: .seconds(5), times: 2))

        let started = ContinuousClock.now
        let reply = try await harness.post(Reviews.pod([enforced.reference, audited.reference]), query: "timeout=1s")
        #expect(ContinuousClock.now - started < .seconds(4), "answered at the deadline, not when the stalled registry answered")
        let response = reply.json["response"]
        #expect(response["allowed"].bool == false)
        #expect((response["status"]["message"].string ?? "").contains("verification timed out"), "\(reply.body)")
        #expect(response["warnings"].array.contains { ($0.string ?? "").contains("timed out") }, "the audit image gets a warning: \(reply.body)")

        // The verification went on in the background; once it is done, retries are cache hits.
        let done = try await Self.waitUntil(20) {
            try await harness.post(Reviews.pod([enforced.reference]), query: "timeout=1s").json["response"]["allowed"].bool == true
        }
        #expect(done, "the background verification completed and a retry was admitted")
        // (The audit image's own background verification may still be talking to the registry:
        // count only this image's repository.)
        let before = world.registryServer.log.count(containing: "/alice/prod-api/")
        let retry = try await harness.post(Reviews.pod([enforced.reference]), query: "timeout=1s")
        #expect(retry.json["response"]["allowed"].bool == true, "\(retry.body)")
        #expect(world.registryServer.log.count(containing: "/alice/prod-api/") == before, "the retry made no registry request")
        await harness.stop()
        await world.stop()
    }
}
