import Foundation
import Testbed
import Testing
@testable import Webhook

/// The warmup (--warmup): at start-up and after a policy change, connections and the trusted
/// DIDs' documents are made ready in the background.
@Suite("Webhook: warmup at start-up and after a policy change")
struct WebhookWarmupTests {
    /// Waits (up to 15 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<150 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    @Test("trusted DIDs' documents, the PLC directory and the policy's registry are warmed; untrusted DIDs are not; a policy change warms again")
    func warms() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world) { $0.warmup = true }
        let trusted = world.accounts.values.filter { $0.name != "mallory" && $0.did.method == .plc }.map(\.did.string)
        let mallory = try #require(world.accounts["mallory"]).did.string
        #expect(try await Self.eventually { trusted.allSatisfy { world.plcServer.log.count(pathContains: $0) == 1 } })
        #expect(world.plcServer.log.count(pathContains: mallory) == 0, "trust first: never an untrusted DID")
        #expect(try await Self.eventually { world.registryServer.connections.accepted == 1 }, "a connection to the policy's registry")
        // A review now needs no DID document: the warmup cached them.
        let before = world.plcServer.log.count()
        let image = try #require(world.image("signed-k256"))
        let reply = try await harness.post(Reviews.pod([image.reference]))
        #expect(reply.json["response"]["allowed"].bool == true, "\(reply.body)")
        #expect(world.plcServer.log.count() == before)
        #expect(world.registryServer.connections.accepted == 1, "the review rode the warmed connection")

        // A policy that also trusts mallory: warmed after the change.
        let changed = world.policyYAML.replacingOccurrences(
            of: "trustedDIDs:\n",
            with: "trustedDIDs:\n  \(mallory):\n    name: \"Mallory\"\n    validFrom: \"2024-01-01T00:00:00Z\"\n    expiresAt: null\n")
        try Data(changed.utf8).write(to: harness.directory.appendingPathComponent("policy.yaml"))
        #expect(try await Self.eventually { world.plcServer.log.count(pathContains: mallory) == 1 })
        #expect(try await Self.eventually { harness.server.metrics.render().contains("atcr_warmups_total 2") }, "counted once the warmup ends")
        await harness.stop()
        await world.stop()
    }

    @Test("readiness does not wait for the warmup: a stalled directory leaves the webhook ready")
    func neverDelaysReadiness() async throws {
        let world = try await TestWorld.start()
        world.plcServer.faults.add(.init(matching: "", stall: .seconds(3)))
        let harness = try await WebhookHarness(world: world) { $0.warmup = true }
        // Ready at once, while every warmup request to the directory is still stalled.
        var ready = false
        for _ in 0..<20 where !ready {
            ready = await harness.server.isReady()
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready)
        #expect(world.plcServer.log.count() == 0, "the warmup is still waiting for the directory")
        await harness.stop()
        await world.stop()
    }
}
