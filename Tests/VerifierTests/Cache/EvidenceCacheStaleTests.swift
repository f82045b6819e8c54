import Testing
import Verifier

@Suite("EvidenceCache: stale-if-error", .timeLimit(.minutes(1)))
struct EvidenceCacheStaleTests {
    @Test("a failed reload inside the stale window serves the expired value, marked stale with its age")
    func staleWithinWindow() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(60))
        _ = try await cache.value(for: "did") { "doc-v1" }

        clock.advance(by: .seconds(310))
        let stale = try await cache.value(for: "did") { throw CacheTestError.plcDown }
        #expect(stale == CacheResult(value: "doc-v1", source: .stale(age: .seconds(310))))
        #expect(stale.isStale)
        #expect(stale.staleAge == .seconds(310))

        // Stale is not stored as fresh: the next request tries to reload again.
        let loads = CacheTestCounter()
        let again = try await cache.value(for: "did") {
            await loads.increment()
            throw CacheTestError.plcDown
        }
        #expect(again.isStale)
        #expect(await loads.count == 1)
        #expect(await cache.counters.staleHits == 2)
    }

    @Test("beyond the stale window the transient error is thrown")
    func errorBeyondWindow() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(60))
        _ = try await cache.value(for: "did") { "doc-v1" }
        clock.advance(by: .seconds(360))
        await #expect(throws: CacheTestError.plcDown) {
            try await cache.value(for: "did") { throw CacheTestError.plcDown }
        }
    }

    @Test("without staleIfError an expired value is never served")
    func disabledByDefault() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300))
        _ = try await cache.value(for: "did") { "doc-v1" }
        clock.advance(by: .seconds(301))
        await #expect(throws: CacheTestError.plcDown) {
            try await cache.value(for: "did") { throw CacheTestError.plcDown }
        }
    }

    @Test("a successful reload replaces the stale value with a fresh one")
    func recovery() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(60))
        _ = try await cache.value(for: "did") { "doc-v1" }
        clock.advance(by: .seconds(320))
        #expect(try await cache.value(for: "did") { throw CacheTestError.plcDown }.isStale)
        #expect(try await cache.value(for: "did") { "doc-v2" } == CacheResult(value: "doc-v2", source: .loaded))
        #expect(try await cache.value(for: "did") { "doc-v3" } == CacheResult(value: "doc-v2", source: .hit))
    }

    @Test("a reload that hangs past maxLoadDuration serves the stale value")
    func hungReloadServesStale() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(
            clock: clock, ttl: .seconds(300), staleIfError: .seconds(60), maxLoadDuration: .milliseconds(20))
        _ = try await cache.value(for: "did") { "doc-v1" }
        clock.advance(by: .seconds(301))
        let result = try await cache.value(for: "did") {
            try await Task.sleep(for: .seconds(3600))
            return "never"
        }
        #expect(result == CacheResult(value: "doc-v1", source: .stale(age: .seconds(301))))
    }
}
