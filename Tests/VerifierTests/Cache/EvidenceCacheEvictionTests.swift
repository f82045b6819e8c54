import Testing
import Verifier

@Suite("EvidenceCache: LRU bound", .timeLimit(.minutes(1)))
struct EvidenceCacheEvictionTests {
    @Test("a full cache evicts the least recently used entry, not the oldest inserted")
    func evictsLeastRecentlyUsed() async throws {
        let cache = makeTestCache(capacity: 3)
        for key in ["a", "b", "c"] { _ = try await cache.value(for: key) { key.uppercased() } }
        _ = try await cache.value(for: "a") { "x" }  // a becomes the most recently used
        _ = try await cache.value(for: "d") { "D" }  // evicts b

        var counters = await cache.counters
        #expect(counters.evictions == 1)
        #expect(counters.entries == 3)
        #expect(try await cache.value(for: "a") { "x" }.source == .hit)
        #expect(try await cache.value(for: "c") { "x" }.source == .hit)
        #expect(try await cache.value(for: "d") { "x" }.source == .hit)
        #expect(try await cache.value(for: "b") { "B2" } == CacheResult(value: "B2", source: .loaded))
        counters = await cache.counters
        #expect(counters.evictions == 2)  // b came back and pushed out a (least recent of a, c, d)
        #expect(try await cache.value(for: "a") { "A2" }.source == .loaded)
    }

    @Test("the number of entries never exceeds the capacity")
    func capacityBound() async throws {
        let cache = makeTestCache(capacity: 10)
        for index in 0..<100 {
            _ = try await cache.value(for: "k\(index)") { "v\(index)" }
            #expect(await cache.counters.entries == min(index + 1, 10))
        }
        #expect(await cache.counters.evictions == 90)
        for index in 90..<100 {
            #expect(try await cache.value(for: "k\(index)") { "x" } == CacheResult(value: "v\(index)", source: .hit))
        }
        #expect(try await cache.value(for: "k0") { "again" }.source == .loaded)
    }

    @Test("definite negatives take room like positives and are evicted the same way")
    func negativesCountTowardsCapacity() async throws {
        let cache = makeTestCache(capacity: 2)
        await #expect(throws: DefiniteNegative(.noSignature)) {
            try await cache.value(for: "n") { throw DefiniteNegative(.noSignature) }
        }
        _ = try await cache.value(for: "a") { "A" }
        _ = try await cache.value(for: "b") { "B" }  // evicts n
        #expect(await cache.counters.evictions == 1)
        #expect(try await cache.value(for: "n") { "now signed" }.source == .loaded)
    }
}
