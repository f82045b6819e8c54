import Foundation
import Testbed
import Testing
import Verifier
@testable import Webhook

/// Trust that stays current, end to end: a running world changed through its admin endpoint
/// (revocation, unrelated commit, key rotation, PDS move, PDS down) and the webhook's answers.
/// The cache TTL stays at 300 s, so every change seen here was seen through the freshness watch.
@Suite("Webhook freshness watch")
struct WebhookFreshnessTests {
    /// A world of its own (the tests change it), a webhook with a 300 ms watch, and the admin client.
    struct Setup {
        let world: TestWorld
        let harness: WebhookHarness
        let admin: WorldAdminClient

        init(
            policyYAML: ((TestWorld) -> String)? = nil, logs: LogCollector? = nil,
            configure: @escaping (inout WebhookConfiguration) -> Void = { _ in }
        ) async throws {
            world = try await TestWorld.start()
            harness = try await WebhookHarness(world: world, policyYAML: policyYAML?(world), logs: logs) { configuration in
                configuration.freshnessInterval = .milliseconds(300)
                configure(&configuration)
            }
            admin = WorldAdminClient(world: world)
        }

        /// Reviews a Pod running `reference`: allowed, and the deny message.
        func review(_ reference: String) async throws -> (allowed: Bool, message: String) {
            let reply = try await harness.post(Reviews.pod([reference]))
            let response = reply.json["response"]
            return (response["allowed"].bool == true, response["status"]["message"].string ?? "")
        }

        var watch: FreshnessStatisticsView { FreshnessStatisticsView(server: harness.server) }

        func getRecords(on server: TestServer? = nil) -> Int {
            (server ?? world.pdsServer).log.count(pathContains: "getRecord")
        }

        func stop() async {
            await harness.stop()
            await world.stop()
        }
    }

    /// The watch's counters, read the way /metrics reads them.
    struct FreshnessStatisticsView {
        let server: WebhookServer
        func checks(_ result: FreshnessStatistics.Result) -> Int { server.freshnessWatch?.statistics.snapshot.checks[result] ?? 0 }
        var unreachable: Int { server.freshnessWatch?.statistics.snapshot.unreachable ?? -1 }
        var superseded: Int { server.verifier.freshness?.supersededCount ?? -1 }
    }

    static func wait(_ condition: () async throws -> Bool) async throws -> Bool {
        try await WebhookOperationsTests.waitUntil(30, condition)
    }

    @Test("revoke: denied (record-absent) on the first review after the watch ran, not after the 300 s TTL")
    func revocation() async throws {
        let setup = try await Setup()
        let image = try #require(setup.world.image("signed-k256-digest"))
        #expect(try await setup.review(image.reference).allowed)
        let fetched = setup.getRecords()
        #expect(try await setup.review(image.reference).allowed)
        #expect(setup.getRecords() == fetched, "the second review is served from the cache")

        let changes = try await setup.admin.change("revoke", ["scenario": "signed-k256-digest"])
        #expect(changes.count == 1 && changes.first?.uri == image.recordURIs.first)
        #expect(try await Self.wait { setup.watch.checks(.changed) >= 1 })
        let after = try await setup.review(image.reference)
        #expect(!after.allowed)
        #expect(after.message.contains("record-absent"), "\(after.message)")
        #expect(setup.watch.superseded == 1)
        await setup.stop()
    }

    @Test("an unrelated commit: still admitted, at the cost of one fresh proof")
    func unrelatedCommit() async throws {
        let setup = try await Setup()
        let image = try #require(setup.world.image("signed-k256-digest"))
        #expect(try await setup.review(image.reference).allowed)
        let fetched = setup.getRecords()
        _ = try await setup.admin.change("commit", ["account": "alice"])
        #expect(try await Self.wait { setup.watch.checks(.changed) >= 1 })
        #expect(try await setup.review(image.reference).allowed)
        #expect(try await setup.review(image.reference).allowed)
        #expect(setup.getRecords() == fetched + 1, "one getRecord for the one image reviewed, then the cache again")
        #expect(setup.watch.superseded == 1)
        #expect(setup.harness.server.metrics.value("atcr_did_changes_total", [("kind", "key")]) == 0)
        await setup.stop()
    }

    @Test("key rotation: admitted under the new key; one warning, one Event about the webhook's Pod, counter 1")
    func keyRotation() async throws {
        let api = try await EventsAPI()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID().uuidString)")
        let caFile = try api.ca.write(to: directory)
        let tokenFile = directory.appendingPathComponent("token").path
        try Data("test-token\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let logs = LogCollector()
        let setup = try await Setup(logs: logs) { configuration in
            configuration.eventsEnabled = true
            configuration.kubernetesAPI = KubernetesAPI(baseURL: api.server.origin, tokenFile: tokenFile, caFile: caFile)
            configuration.podName = "atcr-verify-5c8d-xk2p9"
            configuration.podNamespace = "atcr-system"
            configuration.podUID = "0d9a5c7e-1111-2222-3333-444455556666"
        }
        let first = try #require(setup.world.image("signed-k256-digest")), second = try #require(setup.world.image("multi-arch"))
        #expect(try await setup.review(first.reference).allowed)
        #expect(try await setup.review(second.reference).allowed)

        let rotation = try #require(try await setup.admin.change("rotate-key", ["account": "alice"]).first)
        let oldKey = try #require(rotation.oldKey), newKey = try #require(rotation.newKey)
        #expect(oldKey != newKey)
        #expect(try await Self.wait { setup.watch.checks(.changed) >= 1 })
        let after = try await setup.review(first.reference)
        #expect(after.allowed, "a legitimate rotation locks nobody out: \(after.message)")
        #expect(try await setup.review(second.reference).allowed)

        #expect(setup.harness.server.metrics.value("atcr_did_changes_total", [("kind", "key")]) == 1)
        let warnings = logs.all.filter { $0.level == .warning && $0.message.contains("trusted DID changed") }
        #expect(warnings.count == 1, "\(warnings.map(\.metadata))")
        #expect(warnings.first?.metadata["old"] == oldKey && warnings.first?.metadata["new"] == newKey)
        #expect(warnings.first?.metadata["did"] == rotation.did)
        #expect(try await Self.wait { api.events.count >= 1 })
        try await Task.sleep(for: .milliseconds(300))
        let events = api.events
        #expect(events.count == 1, "\(events.map(\.body))")
        let event = try #require(events.first)
        #expect(event.namespace == "atcr-system")
        #expect(event.body["reason"] as? String == "TrustedDIDKeyChanged")
        #expect(event.body["type"] as? String == "Warning")
        let regarding = event.body["regarding"] as? [String: Any] ?? [:]
        #expect(regarding["kind"] as? String == "Pod" && regarding["name"] as? String == "atcr-verify-5c8d-xk2p9")
        #expect(regarding["uid"] as? String == "0d9a5c7e-1111-2222-3333-444455556666")
        let note = event.body["note"] as? String ?? ""
        #expect(note.contains(rotation.did) && note.contains(newKey) && note.contains(oldKey), "\(note)")
        await setup.stop()
        await api.server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("pinned publicKeys and a rotation: denied, naming the pin and the document's new key")
    func pinnedRotation() async throws {
        let setup = try await Setup(policyYAML: { world in
            Self.policy(world, pinning: "alice")
        })
        let image = try #require(setup.world.image("signed-k256-digest"))
        #expect(try await setup.review(image.reference).allowed)
        let rotation = try #require(try await setup.admin.change("rotate-key", ["account": "alice"]).first)
        #expect(try await Self.wait { setup.watch.checks(.changed) >= 1 })
        let after = try await setup.review(image.reference)
        #expect(!after.allowed)
        #expect(after.message.contains("check 17 (signature-verify)"), "\(after.message)")
        let oldKey = try #require(rotation.oldKey), newKey = try #require(rotation.newKey)
        #expect(after.message.contains("pinned") && after.message.contains(oldKey), "names the pin: \(after.message)")
        #expect(after.message.contains(newKey), "names the new key: \(after.message)")
        #expect(setup.harness.server.metrics.value("atcr_did_changes_total", [("kind", "key")]) == 1, "the document now differs from the pin")
        await setup.stop()
    }

    @Test("a move to another PDS: noticed (RepoDeactivated), re-resolved, admitted; counter pds 1")
    func pdsMove() async throws {
        let setup = try await Setup()
        let image = try #require(setup.world.image("signed-k256-digest"))
        #expect(try await setup.review(image.reference).allowed)
        let move = try #require(try await setup.admin.change("move-pds", ["account": "alice"]).first)
        #expect(move.newPDS == setup.world.secondPDSServer.origin)
        #expect(try await Self.wait { setup.watch.checks(.unavailable) >= 1 })
        let after = try await setup.review(image.reference)
        #expect(after.allowed, "\(after.message)")
        #expect(setup.getRecords(on: setup.world.secondPDSServer) == 1)
        #expect(setup.harness.server.metrics.value("atcr_did_changes_total", [("kind", "pds")]) == 1)
        #expect(try await Self.wait { setup.world.secondPDSServer.log.count(pathContains: "getLatestCommit") >= 1 }, "the watch follows the move")
        await setup.stop()
    }

    @Test("PDS down: cached proofs serve until their TTL (unreachable counted), never after it")
    func pdsDown() async throws {
        let ttl = Duration.seconds(8)
        let setup = try await Setup(configure: { $0.cacheTTL = ttl })
        let image = try #require(setup.world.image("signed-k256-digest"))
        let start = ContinuousClock.now  // the proof is requested after this: valid until at least start + TTL
        #expect(try await setup.review(image.reference).allowed)
        let verified = ContinuousClock.now  // ... and before this: expired by verified + TTL
        setup.world.pdsServer.faults.add(.init(matching: "", status: 503))
        #expect(try await Self.wait { setup.watch.unreachable == 1 })
        #expect(setup.watch.checks(.error) >= 1)
        let metrics = await setup.harness.server.metricsText()
        #expect(metrics.contains("atcr_freshness_unreachable_dids 1"), "\(metrics)")
        #expect(metrics.contains(#"atcr_freshness_checks_total{result="error"}"#))
        // Within the TTL (a machine too loaded to get here in time skips only this check).
        if ContinuousClock.now - start < ttl - .seconds(1) {
            #expect(try await setup.review(image.reference).allowed, "a proof within its TTL is used while the watch cannot ask")
        }
        try await Task.sleep(until: verified + ttl + .milliseconds(500))
        let expired = try await setup.review(image.reference)
        #expect(!expired.allowed, "never admitted on a proof older than the TTL")
        #expect(expired.message.contains("check 7 (proof-fetch)"), "\(expired.message)")
        await setup.stop()
    }

    /// The world's policy with `account`'s current key pinned as `publicKeys`.
    static func policy(_ world: TestWorld, pinning account: String) -> String {
        guard let pinned = world.accounts[account] else { return world.policyYAML }
        return world.policyYAML.replacingOccurrences(
            of: "  \(pinned.did.string):\n", with: "  \(pinned.did.string):\n    publicKeys: [\"\(pinned.key.publicKey.multikey)\"]\n")
    }
}
