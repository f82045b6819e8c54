import ATProto
import Foundation
import Testing
import Verifier

/// Handing cache entries from one process to the next (the containerd verifier's disk cache):
/// a restored entry ages exactly as if this process had loaded it.
@Suite("EvidenceCache and RevisionTracker: handing entries to the next process", .timeLimit(.minutes(1)))
struct EvidenceCacheHandOverTests {
    @Test("usable entries are the fresh ones and those within the stale window, with their ages; negatives are not handed on")
    func usableEntries() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(60))
        _ = try await cache.value(for: "old") { "v-old" }
        clock.advance(by: .seconds(200))
        _ = try await cache.value(for: "new") { "v-new" }
        await #expect(throws: DefiniteNegative.self) {
            try await cache.value(for: "gone") { throw DefiniteNegative("registry", detail: "404") }
        }
        var entries = await cache.usableEntries()
        #expect(entries.map(\.key) == ["old", "new"])
        #expect(entries.map(\.age) == [.seconds(200), .zero])

        clock.advance(by: .seconds(150))  // "old" is 350 s old: expired, inside the 60 s stale window
        entries = await cache.usableEntries()
        #expect(entries.map(\.key) == ["old", "new"])
        clock.advance(by: .seconds(20))  // 370 s: past the stale window
        entries = await cache.usableEntries()
        #expect(entries.map(\.key) == ["new"])
    }

    @Test("a restored value is served while its TTL lasts, counted from its age, then reloaded")
    func restoredAges() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300))
        #expect(await cache.restore("from-disk", for: "did", age: .seconds(290)))
        let hit = try await cache.value(for: "did") { "loaded" }
        #expect(hit == CacheResult(value: "from-disk", source: .hit))
        clock.advance(by: .seconds(10))
        let reloaded = try await cache.value(for: "did") { "loaded" }
        #expect(reloaded == CacheResult(value: "loaded", source: .loaded))
    }

    @Test("nothing is restored past its use, nor over a value this process holds")
    func restoreRefusals() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(60))
        #expect(await cache.restore("too-old", for: "a", age: .seconds(361)) == false)
        #expect(await cache.restore("stale-only", for: "b", age: .seconds(330)))
        // Inside the stale window: not served as fresh, only in place of a failed reload.
        let reloaded = try await cache.value(for: "b") { "fresh" }
        #expect(reloaded.value == "fresh")
        #expect(await cache.restore("older", for: "b", age: .zero) == false)
        #expect(try await cache.value(for: "b") { "x" }.value == "fresh")
    }

    @Test("the revision tracker hands over every DID's highest rev and when it was last seen; observing them again restores replay detection and keeps those times")
    func revisions() async throws {
        let alice = try DID("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"), bob = try DID("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb")
        let older = TID(microseconds: 1_000, clockID: 0), newer = TID(microseconds: 2_000, clockID: 0)
        let monday = Date(timeIntervalSince1970: 1_000), tuesday = Date(timeIntervalSince1970: 2_000)
        let first = RevisionTracker()
        _ = await first.observe(did: alice, rev: older, at: monday)
        _ = await first.observe(did: bob, rev: older, at: monday)
        _ = await first.observe(did: alice, rev: newer, at: tuesday)
        let handed = await first.remembered()
        #expect(handed.map(\.did) == [bob, alice], "least recently observed first")
        #expect(handed.map(\.rev) == [older, newer])
        #expect(handed.map(\.seenAt) == [monday, tuesday])

        let next = RevisionTracker()
        for (did, rev, seenAt) in handed { _ = await next.observe(did: did, rev: rev, at: seenAt) }
        #expect(await next.remembered().map(\.seenAt) == [monday, tuesday], "a handed-over rev keeps its time, not the hand-over's")
        #expect(await next.observe(did: alice, rev: older, at: monday) == .older(highestSeen: newer))
        #expect(await next.remembered().last?.seenAt == tuesday, "an older observation never moves the time back")
    }
}
