import Testing
import Verifier

@Suite("EvidenceCache: hits, misses and TTL", .timeLimit(.minutes(1)))
struct EvidenceCacheExpiryTests {
    @Test("a miss loads, the next request hits without loading")
    func missThenHit() async throws {
        let cache = makeTestCache()
        let loads = CacheTestCounter()
        let load: @Sendable () async throws -> String = {
            await loads.increment()
            return "doc"
        }
        let first = try await cache.value(for: "did:plc:a", load: load)
        let second = try await cache.value(for: "did:plc:a", load: load)
        #expect(first == CacheResult(value: "doc", source: .loaded))
        #expect(second == CacheResult(value: "doc", source: .hit))
        #expect(await loads.count == 1)
    }

    @Test("an entry is fresh until exactly its TTL, then reloaded")
    func ttlExpiry() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300))
        _ = try await cache.value(for: "k") { "v1" }

        clock.advance(by: .seconds(300) - .nanoseconds(1))
        #expect(try await cache.value(for: "k") { "v2" } == CacheResult(value: "v1", source: .hit))

        clock.advance(by: .nanoseconds(1))
        #expect(try await cache.value(for: "k") { "v2" } == CacheResult(value: "v2", source: .loaded))
        #expect(try await cache.value(for: "k") { "v3" } == CacheResult(value: "v2", source: .hit))
    }

    @Test("keys are cached independently")
    func keysAreIndependent() async throws {
        let cache = makeTestCache()
        _ = try await cache.value(for: "a") { "A" }
        let b = try await cache.value(for: "b") { "B" }
        #expect(b == CacheResult(value: "B", source: .loaded))
        #expect(try await cache.value(for: "a") { "x" }.value == "A")
        #expect(try await cache.value(for: "b") { "x" }.value == "B")
    }

    @Test("a transient error is rethrown and never cached: the next request loads again")
    func transientErrorsAreNotCached() async throws {
        let cache = makeTestCache()
        let loads = CacheTestCounter()
        for _ in 0..<2 {
            await #expect(throws: CacheTestError.serverError(503)) {
                try await cache.value(for: "k") {
                    await loads.increment()
                    throw CacheTestError.serverError(503)
                }
            }
        }
        let recovered = try await cache.value(for: "k") {
            await loads.increment()
            return "ok"
        }
        #expect(recovered == CacheResult(value: "ok", source: .loaded))
        #expect(await loads.count == 3)
        let counters = await cache.counters
        #expect(counters.loadFailures == 2)
        #expect(counters.entries == 1)
    }

    @Test("invalidate forgets one key; the next request loads it again")
    func invalidate() async throws {
        let cache = makeTestCache()
        _ = try await cache.value(for: "did") { "key-1" }
        _ = try await cache.value(for: "other") { "o" }
        await cache.invalidate("did")
        #expect(try await cache.value(for: "did") { "key-2" } == CacheResult(value: "key-2", source: .loaded))
        #expect(try await cache.value(for: "other") { "x" } == CacheResult(value: "o", source: .hit))
    }

    @Test("invalidate forgets a definite negative too")
    func invalidateNegative() async throws {
        let cache = makeTestCache()
        await #expect(throws: DefiniteNegative.self) {
            try await cache.value(for: "k") { throw DefiniteNegative(.didNotFound) }
        }
        await cache.invalidate("k")
        #expect(try await cache.value(for: "k") { "found" }.source == .loaded)
    }

    @Test("removeAll forgets every entry and keeps the counters")
    func removeAll() async throws {
        let cache = makeTestCache()
        _ = try await cache.value(for: "a") { "A" }
        _ = try await cache.value(for: "b") { "B" }
        await cache.removeAll()
        let counters = await cache.counters
        #expect(counters.entries == 0)
        #expect(counters.loads == 2)
        #expect(try await cache.value(for: "a") { "A2" } == CacheResult(value: "A2", source: .loaded))
        #expect(try await cache.value(for: "b") { "B2" } == CacheResult(value: "B2", source: .loaded))
    }

    @Test("a capacity below 1 is taken as 1")
    func capacityFloor() {
        #expect(CacheConfiguration(capacity: 0).capacity == 1)
        #expect(CacheConfiguration(capacity: -5).capacity == 1)
    }

    @Test("the defaults are docs/architecture.md's: 5 minutes, negatives 30 seconds, never stale")
    func defaults() {
        let configuration = CacheConfiguration()
        #expect(configuration.ttl == .seconds(300))
        #expect(configuration.negativeTTL == .seconds(30))
        #expect(configuration.staleIfError == nil)
    }
}
