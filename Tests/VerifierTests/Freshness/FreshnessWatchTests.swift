import ATProto
import Foundation
import HTTPFetch
import Logging
import Testbed
import Testing
@testable import Verifier

/// The freshness watch against the world's real PDS over HTTPS: the per-host budget, 429 with
/// Retry-After, an unreachable PDS. (Revocation, unrelated commits and key changes end to end:
/// WebhookFreshnessTests.)
@Suite("Freshness watch")
struct FreshnessWatchTests {
    /// A watch over some of the world's accounts (each marked as in use with a proof of its
    /// latest commit), and the PDS's host.
    struct Running {
        let world: TestWorld
        let ledger: FreshnessLedger
        let watch: FreshnessWatch
        let fetcher: HTTPFetcher
        let task: Task<Void, Never>
        var host: String { "localhost:\(world.pdsServer.port)" }

        init(world: TestWorld, accounts: [String], interval: Duration, hostRate: Double) throws {
            self.world = world
            let ledger = FreshnessLedger()
            self.ledger = ledger
            let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath, maxRetries: 0))
            self.fetcher = fetcher
            let pds = try ServiceEndpoint(world.pdsServer.origin, allowInsecureLocal: true)
            for name in accounts {
                guard let account = world.accounts[name] else { continue }
                let rev = world.pds.account(account.did)?.latest.commit.rev
                ledger.noteUse(FreshnessLedgerTests.signature(rev: rev, requestedAt: .now, pds: pds, did: account.did))
            }
            var logger = Logger(label: "freshness-test")
            logger.logLevel = .critical
            let watch = FreshnessWatch(
                ledger: ledger, pds: PDSClient(fetcher: fetcher), options: .init(interval: interval, hostRate: hostRate), logger: logger,
                isTrusted: { _ in true })
            self.watch = watch
            task = Task { await watch.run() }
        }

        func stop() async {
            task.cancel()
            await task.value
            try? await fetcher.shutdown()
        }

        var latestCommitRequests: Int { world.pdsServer.log.count(pathContains: "getLatestCommit") }
    }

    static func waitUntil(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test("more DIDs on a host than its budget allows per interval: the cycle stretches, requests stay spaced")
    func budget() async throws {
        let world = try await TestWorld.start()
        let names = ["alice", "bob", "carol", "erin", "frank", "grace"]
        let running = try Running(world: world, accounts: names, interval: .milliseconds(500), hostRate: 2)
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.watched == names.count })
        #expect(running.watch.statistics.snapshot.worstCaseLatency[running.host] == 3, "6 DIDs at 2 requests/s: a 3 s cycle, not 0.5 s")
        let started = ContinuousClock.now
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.checks[.unchanged, default: 0] >= 5 })
        #expect(ContinuousClock.now - started >= .milliseconds(1500), "5 requests at 2/s take at least 2 s after the first")
        #expect(running.latestCommitRequests >= 5)
        await running.stop()
        await world.stop()
    }

    @Test("429 with Retry-After: counted, the host waits at least that long and slows down")
    func rateLimited() async throws {
        let world = try await TestWorld.start()
        world.pdsServer.faults.add(.init(matching: "getLatestCommit", status: 429, headers: ["Retry-After": "2"], times: 1))
        let running = try Running(world: world, accounts: ["alice"], interval: .milliseconds(200), hostRate: 20)
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.checks[.rateLimited, default: 0] == 1 })
        let limited = ContinuousClock.now
        #expect(running.watch.statistics.snapshot.worstCaseLatency[running.host] == 0.2)
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.checks[.unchanged, default: 0] >= 1 })
        #expect(ContinuousClock.now - limited >= .milliseconds(1800), "no request before Retry-After passed")
        await running.stop()
        await world.stop()
    }

    @Test("an unreachable PDS: counted, the DID reported unreachable, recovered when it answers again")
    func unreachable() async throws {
        let world = try await TestWorld.start()
        world.pdsServer.faults.add(.init(matching: "getLatestCommit", status: 503))
        let running = try Running(world: world, accounts: ["alice"], interval: .milliseconds(200), hostRate: 20)
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.unreachable == 1 })
        #expect(running.watch.statistics.snapshot.checks[.error, default: 0] >= 1)
        world.pdsServer.faults.clear()
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.checks[.unchanged, default: 0] >= 1 })
        #expect(try await Self.waitUntil { running.watch.statistics.snapshot.unreachable == 0 })
        await running.stop()
        await world.stop()
    }
}
