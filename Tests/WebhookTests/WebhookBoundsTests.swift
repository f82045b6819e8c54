import Foundation
import OCI
import Testbed
import Testing
import Verifier
@testable import Webhook

/// The bounds on work per review and per process (docs/operations.md, "Stated limits").
/// Serialized: each test starts its own world (faults and request logs are per world), and
/// several at once would load the machine the timing-sensitive tests beside them share.
@Suite("Webhook bounds: images per review, verification slots, background loads, DID stale-if-error", .serialized)
struct WebhookBoundsTests {
    /// The audit line's `result` for each image.
    static func results(_ audit: AuditCollector) -> [String: String] {
        var results: [String: String] = [:]
        for line in audit.all {
            let json = JSONValueBox(line)
            if let image = json["image"].string, let result = json["result"].string { results[image] = result }
        }
        return results
    }

    @Test("over --max-images-per-review nothing is verified: enforce denies naming the bound, audit admits with a finding, defaultAction decides the rest; at the bound and under it, images are verified")
    func imagesPerReview() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world) { $0.maxImagesPerReview = 3 }
        let signed = try #require(world.image("signed-k256-digest")).reference  // validly signed: only the bound denies it
        let carol = try #require(world.image("signed-p256")).reference
        let audited = try #require(world.image("audit-unsigned")).reference
        let outside = "docker.io/library/nginx:1"  // no policy matches: defaultAction (allow)

        let over = try await harness.post(Reviews.pod([signed, audited, outside, carol]))
        let response = over.json["response"]
        #expect(response["allowed"].bool == false)
        let message = response["status"]["message"].string ?? ""
        #expect(message.contains("names 4 distinct images; at most 3 are verified per review (--max-images-per-review)"), "\(message)")
        #expect(message.contains(signed) && message.contains(carol) && !message.contains(outside), "\(message)")
        #expect(response["warnings"].array.contains { ($0.string ?? "").contains("fails audit policy dev-images") }, "\(over.body)")
        let results = Self.results(harness.audit)
        #expect(results == [signed: "deny", carol: "deny", audited: "audit", outside: "allow"], "\(harness.audit.all)")
        #expect(world.registryServer.log.all.isEmpty, "no verification started: \(world.registryServer.log.all.map(\.line))")
        #expect(harness.server.metrics.value("atcr_admission_reviews_over_image_bound_total") == 1)
        #expect(harness.server.verifier.slots.usage.inUse == 0)

        let atBound = try await harness.post(Reviews.pod([signed, audited, outside]))
        #expect(atBound.json["response"]["allowed"].bool == true, "exactly at the bound: verified and admitted: \(atBound.body)")
        #expect(!atBound.body.contains("max-images-per-review"))
        #expect(world.registryServer.log.count(containing: "/alice/prod-api/") > 0, "the signed image was verified")
        let under = try await harness.post(Reviews.pod([carol, outside]))
        #expect(under.json["response"]["allowed"].bool == true, "under the bound: \(under.body)")
        #expect(harness.server.metrics.value("atcr_admission_reviews_over_image_bound_total") == 1)
        await harness.stop()
        await world.stop()
    }

    @Test("an image that gets no verification slot before the deadline fails closed as 'verification timed out', and starts nothing")
    func slotStarvation() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world) { $0.maxConcurrentVerifications = 1 }
        let stalled = try #require(world.image("signed-k256")).reference
        let waiting = try #require(world.image("signed-p256")).reference  // carol/prod-web
        world.registryServer.faults.add(.init(matching: "/alice/prod-api/", stall: .seconds(3)))

        async let first = harness.post(Reviews.pod([stalled]), query: "timeout=3s")
        #expect(try await WebhookOperationsTests.waitUntil { harness.server.verifier.slots.usage.inUse == 1 })
        let second = try await harness.post(Reviews.pod([waiting]), query: "timeout=1s")
        let response = second.json["response"]
        #expect(response["allowed"].bool == false)
        #expect((response["status"]["message"].string ?? "").contains("verification timed out"), "\(second.body)")
        #expect(harness.audit.all.contains { $0.contains(#""error":"verification timed out""#) && $0.contains("carol/prod-web") })
        _ = try await first
        #expect(world.registryServer.log.count(containing: "/carol/prod-web/") == 0, "the starved image made no request")
        #expect(harness.server.verifier.slots.usage.waiting == 0)
        await harness.stop()
        await world.stop()
    }

    @Test("after a timed-out review, at most the background bound of its loads goes on; the rest are cancelled, and the slots come back")
    func backgroundLoadsBounded() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world) { configuration in
            configuration.maxConcurrentVerifications = 32
            configuration.maxBackgroundLoads = 4
        }
        world.registryServer.faults.add(.init(matching: "", stall: .seconds(4)))
        let registry = world.registryServer.authority
        func images(_ prefix: String) -> [String] {
            (0..<6).map { "\(registry)/alice/prod-\(prefix)@\(Digest.sha256(of: Array("\(prefix) \($0)".utf8)))" }
        }
        func loads() async -> (inFlight: Int, background: Int, cancelled: Int) {
            let all = await harness.server.verifier.caches.counters().values
            return (all.reduce(0) { $0 + $1.loadsInFlight }, all.reduce(0) { $0 + $1.backgroundLoads }, all.reduce(0) { $0 + $1.loadsCancelled })
        }

        let reply = try await harness.post(Reviews.pod(images("a")), query: "timeout=2s")
        #expect(reply.json["response"]["allowed"].bool == false)
        #expect(reply.body.contains("verification timed out"), "\(reply.body)")
        #expect(try await WebhookOperationsTests.waitUntil { await loads().cancelled == 2 }, "6 loads left behind, 4 background slots")
        var now = await loads()
        #expect(now.inFlight == 4 && now.background == 4, "\(now)")
        #expect(harness.server.verifier.slots.usage == .init(inUse: 4, background: 4, waiting: 0))

        // A second timed-out review while the background slots are taken: all its loads are cancelled.
        _ = try await harness.post(Reviews.pod(images("b")), query: "timeout=2s")
        #expect(try await WebhookOperationsTests.waitUntil { await loads().cancelled == 8 })
        now = await loads()
        #expect(now.inFlight <= 4 && now.background <= 4, "the total of background loads never exceeds the bound: \(now)")

        // Once the registry answers, the background loads end and give their slots back.
        #expect(try await WebhookOperationsTests.waitUntil(15) { harness.server.verifier.slots.usage.inUse == 0 })
        now = await loads()
        #expect(now.inFlight == 0 && now.background == 0, "\(now)")
        await harness.stop()
        await world.stop()
    }

    @Test("--did-stale-if-error: an expired DID document stands in while the directory is down, unless the window is 0")
    func didStaleIfError() async throws {
        let world = try await TestWorld.start()
        func harness(_ window: Duration) async throws -> WebhookHarness {
            try await WebhookHarness(world: world) { configuration in
                configuration.cacheTTL = .zero  // every review reloads the DID document
                configuration.didStaleIfError = window
            }
        }
        let stale = try await harness(.seconds(3_600)), strict = try await harness(.zero)
        let image = try #require(world.image("signed-k256-digest")).reference
        for harness in [stale, strict] {
            #expect(try await harness.post(Reviews.pod([image])).json["response"]["allowed"].bool == true)
        }
        world.plcServer.faults.add(.init(matching: "", status: 503))
        let served = try await stale.post(Reviews.pod([image]))
        #expect(served.json["response"]["allowed"].bool == true, "\(served.body)")
        #expect(served.body.contains("was served from cache: its directory is unreachable"), "the stale warning (cut to 120 characters, its end kept): \(served.body)")
        let refused = try await strict.post(Reviews.pod([image]))
        #expect(refused.json["response"]["allowed"].bool == false, "\(refused.body)")
        #expect(refused.body.contains("check 2 (did-resolution)"), "\(refused.body)")
        await stale.stop()
        await strict.stop()
        await world.stop()
    }
}
