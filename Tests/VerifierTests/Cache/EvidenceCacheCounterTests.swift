import Testing
import Verifier

@Suite("EvidenceCache: counters", .timeLimit(.minutes(1)))
struct EvidenceCacheCounterTests {
    @Test("every kind of request is counted once, in its own counter")
    func counters() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, capacity: 2, ttl: .seconds(300), staleIfError: .seconds(60))
        #expect(await cache.counters == CacheCounters())

        _ = try await cache.value(for: "a") { "A" }  // miss, load
        _ = try await cache.value(for: "a") { "x" }  // hit
        _ = try? await cache.value(for: "n") { throw DefiniteNegative(.noSignature) }  // miss, load
        _ = try? await cache.value(for: "n") { "x" }  // negative hit
        _ = try? await cache.value(for: "t") { throw CacheTestError.plcDown }  // miss, load, failure
        _ = try await cache.value(for: "b") { "B" }  // miss, load, evicts a
        clock.advance(by: .seconds(301))
        _ = try await cache.value(for: "b") { throw CacheTestError.plcDown }  // miss, load, failure, stale

        var expected = CacheCounters()
        expected.hits = 1
        expected.negativeHits = 1
        expected.misses = 5
        expected.joins = 0
        expected.loads = 5
        expected.loadFailures = 2
        expected.staleHits = 1
        expected.evictions = 1
        expected.entries = 2
        expected.loadsInFlight = 0
        expected.bytes = 2 * EvidenceCache<String, String>.entryOverhead + "no-signature".utf8.count  // b, and n costed by its text
        #expect(await cache.counters == expected)
    }
}
