import Testing
import Verifier

/// Loads every caller stopped waiting for: they go on only with a background slot.
@Suite("EvidenceCache: background loads bounded by VerificationSlots", .timeLimit(.minutes(1)))
struct EvidenceCacheBackgroundTests {
    /// A cache whose abandoned loads need a background slot of `slots`.
    static func cache(_ slots: VerificationSlots) -> EvidenceCache<String, Int> {
        EvidenceCache(configuration: CacheConfiguration(capacity: 64, maxLoadDuration: nil), slots: slots)
    }

    @Test("abandoned loads beyond the background bound are cancelled; the others go on and fill the cache")
    func boundedBackground() async throws {
        let slots = VerificationSlots(limit: 8, backgroundLimit: 2)
        let cache = Self.cache(slots)
        let gate = CacheTestGate()
        let cancelled = CacheTestCounter()
        let callers = (0..<3).map { index in
            Task {
                try await cache.value(for: "k\(index)") {
                    await gate.wait()
                    if Task.isCancelled {
                        await cancelled.increment()
                        throw CancellationError()
                    }
                    return index
                }
            }
        }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 3 })
        for caller in callers { caller.cancel() }
        #expect(await cacheEventually { await cache.counters.loadsCancelled == 1 })
        var counters = await cache.counters
        #expect(counters.loadsInFlight == 2)
        #expect(counters.backgroundLoads == 2)
        #expect(slots.usage == .init(inUse: 2, background: 2, waiting: 0))

        await gate.open()
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 0 })
        #expect(await cancelled.count == 1, "the cancelled load saw its cancellation")
        counters = await cache.counters
        #expect(counters.entries == 2, "the two background loads filled the cache")
        #expect(counters.backgroundLoads == 0)
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0), "their slots came back")
        for caller in callers { await #expect(throws: CancellationError.self) { try await caller.value } }
    }

    @Test("with no background slot, a load is cancelled only when its last waiter leaves (de-duplication holds)")
    func lastWaiterCancels() async throws {
        let slots = VerificationSlots(limit: 1, backgroundLimit: 1)  // clamped to 0: no background at all
        #expect(slots.backgroundLimit == 0)
        let cache = Self.cache(slots)
        let loads = CacheTestCounter()
        let cancelled = CacheTestSignal()
        let load: @Sendable () async throws -> Int = {
            await loads.increment()
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.fire()
                throw error
            }
            return 1
        }
        let first = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 1 })
        let second = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.joins == 1 })
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(await cache.counters.loadsInFlight == 1, "the second caller still waits: the load goes on")
        #expect(await cache.counters.loadsCancelled == 0)
        second.cancel()
        await cancelled.wait()
        await #expect(throws: CancellationError.self) { try await second.value }
        let counters = await cache.counters
        #expect(counters.loadsInFlight == 0)
        #expect(counters.loadsCancelled == 1)
        #expect(counters.entries == 0)
        #expect(await loads.count == 1)
        #expect(try await cache.value(for: "k") { 5 } == CacheResult(value: 5, source: .loaded), "a later request loads afresh")
    }

    @Test("a background load joined by a new caller answers it, and keeps its one slot")
    func joinedBackgroundLoad() async throws {
        let slots = VerificationSlots(limit: 2, backgroundLimit: 1)
        let cache = Self.cache(slots)
        let gate = CacheTestGate()
        let load: @Sendable () async throws -> Int = {
            await gate.wait()
            return 7
        }
        let first = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 1 })
        first.cancel()
        #expect(await cacheEventually { await cache.counters.backgroundLoads == 1 })
        let retry = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.joins == 1 })
        retry.cancel()
        await #expect(throws: CancellationError.self) { try await retry.value }
        #expect(slots.usage.background == 1, "leaving again takes no second slot")
        let third = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.joins == 2 })
        await gate.open()
        #expect(try await third.value == CacheResult(value: 7, source: .joined))
        #expect(await cache.counters.loads == 1)
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0))
    }
}
