import Testing
import Verifier

@Suite("EvidenceCache: in-flight de-duplication and cancellation", .timeLimit(.minutes(1)))
struct EvidenceCacheInFlightTests {
    @Test("50 concurrent requests for one key make exactly one load")
    func fiftyRequestsOneLoad() async throws {
        let cache = makeTestCache(Int.self)
        let loads = CacheTestCounter()
        let gate = CacheTestGate()
        let results = try await withThrowingTaskGroup(of: CacheResult<Int>.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.value(for: "did:plc:a") {
                        await loads.increment()
                        await gate.wait()
                        return 42
                    }
                }
            }
            // The load cannot finish before all 50 requests have arrived.
            #expect(await cacheEventually { await cache.counters.misses == 50 })
            await gate.open()
            var results: [CacheResult<Int>] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(await loads.count == 1)
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0.value == 42 })
        #expect(results.filter { $0.source == .loaded }.count == 1)
        #expect(results.filter { $0.source == .joined }.count == 49)
        let counters = await cache.counters
        #expect(counters.loads == 1)
        #expect(counters.joins == 49)
        #expect(counters.loadsInFlight == 0)
    }

    @Test("joiners share a transient failure and it is not cached")
    func joinersShareFailure() async throws {
        let cache = makeTestCache(Int.self)
        let gate = CacheTestGate()
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await cache.value(for: "k") {
                            await gate.wait()
                            throw CacheTestError.serverError(502)
                        }
                        return false
                    } catch {
                        return error as? CacheTestError == .serverError(502)
                    }
                }
            }
            #expect(await cacheEventually { await cache.counters.misses == 5 })
            await gate.open()
            var failures = 0
            for await failed in group where failed { failures += 1 }
            return failures
        }
        #expect(failures == 5)
        let counters = await cache.counters
        #expect(counters.loads == 1)
        #expect(counters.loadFailures == 1)
        #expect(try await cache.value(for: "k") { 1 }.source == .loaded)
    }

    @Test("different keys load independently and concurrently")
    func differentKeysLoadIndependently() async throws {
        let cache = makeTestCache(Int.self)
        let gateA = CacheTestGate()
        let gateB = CacheTestGate()
        let loads = CacheTestCounter()
        let a = Task {
            try await cache.value(for: "a") {
                await loads.increment()
                await gateA.wait()
                return 1
            }
        }
        let bFinished = CacheTestCounter()
        let b = cacheTrackedTask(bFinished) {
            try await cache.value(for: "b") {
                await loads.increment()
                await gateB.wait()
                return 2
            }
        }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 2 })
        await gateB.open()
        #expect(await cacheEventually { await bFinished.count == 1 }, "b must finish while a is still loading")
        #expect(await cache.counters.loadsInFlight == 1)
        await gateA.open()
        #expect(try await b.value == CacheResult(value: 2, source: .loaded))
        #expect(try await a.value == CacheResult(value: 1, source: .loaded))
        #expect(await loads.count == 2)
        #expect(await cache.counters.joins == 0)
    }

    @Test("a cancelled caller stops waiting; the load goes on and fills the cache")
    func cancelledWaiterDoesNotCancelLoad() async throws {
        let cache = makeTestCache(Int.self)
        let gate = CacheTestGate()
        let started = CacheTestSignal()
        let loadWasCancelled = CacheTestCounter()
        let finished = CacheTestCounter()
        let caller = cacheTrackedTask(finished) {
            try await cache.value(for: "k") {
                started.fire()
                await gate.wait()
                if Task.isCancelled { await loadWasCancelled.increment() }
                return 7
            }
        }
        await started.wait()
        caller.cancel()
        #expect(
            await cacheEventually { await finished.count == 1 },
            "the cancelled caller must return while the load is still held at the gate")
        #expect(await cache.counters.loadsInFlight == 1)

        await gate.open()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 0 })
        #expect(await loadWasCancelled.count == 0)
        let retry = try await cache.value(for: "k") {
            Issue.record("the retry must hit the cache")
            return 0
        }
        #expect(retry == CacheResult(value: 7, source: .hit))
    }

    @Test("cancelling one joiner leaves the others waiting for the shared load")
    func cancelledJoinerLeavesOthers() async throws {
        let cache = makeTestCache(Int.self)
        let gate = CacheTestGate()
        let load: @Sendable () async throws -> Int = {
            await gate.wait()
            return 9
        }
        let first = Task { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 1 })
        let secondFinished = CacheTestCounter()
        let second = cacheTrackedTask(secondFinished) { try await cache.value(for: "k", load: load) }
        #expect(await cacheEventually { await cache.counters.joins == 1 })
        second.cancel()
        #expect(await cacheEventually { await secondFinished.count == 1 }, "the cancelled joiner must return at once")
        await gate.open()
        await #expect(throws: CancellationError.self) { try await second.value }
        #expect(try await first.value == CacheResult(value: 9, source: .loaded))
    }

    @Test("an already cancelled caller still starts the load, so a retry finds it")
    func alreadyCancelledCaller() async throws {
        let cache = makeTestCache(Int.self)
        let gate = CacheTestGate()
        let finished = CacheTestCounter()
        let caller = cacheTrackedTask(finished) {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await cache.value(for: "k") {
                await gate.wait()
                return 3
            }
        }
        #expect(await cacheEventually { await finished.count == 1 }, "the cancelled caller must not wait")
        #expect(await cache.counters.loads == 1)
        await gate.open()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(await cacheEventually { await cache.counters.entries == 1 })
        #expect(try await cache.value(for: "k") { 0 } == CacheResult(value: 3, source: .hit))
    }

    @Test("a load running past maxLoadDuration fails with a timeout, is cancelled, and is not cached")
    func loadTimeout() async throws {
        let cache = makeTestCache(Int.self, maxLoadDuration: .milliseconds(20))
        let cancelled = CacheTestCounter()
        await #expect(throws: EvidenceCacheError.loadTimedOut(after: .milliseconds(20))) {
            try await cache.value(for: "k") {
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    await cancelled.increment()
                    throw error
                }
                return 1
            }
        }
        #expect(await cacheEventually { await cancelled.count == 1 })
        let counters = await cache.counters
        #expect(counters.loadFailures == 1)
        #expect(counters.loadsInFlight == 0)
        #expect(try await cache.value(for: "k") { 2 } == CacheResult(value: 2, source: .loaded))
    }

    @Test("invalidate during a load: new requests start a fresh load, the old outcome is not stored")
    func invalidateDetachesRunningLoad() async throws {
        let cache = makeTestCache()
        let oldGate = CacheTestGate()
        let newGate = CacheTestGate()
        let old = Task {
            try await cache.value(for: "did") {
                await oldGate.wait()
                return "old key"
            }
        }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 1 })
        await cache.invalidate("did")
        let newFinished = CacheTestCounter()
        let new = cacheTrackedTask(newFinished) {
            try await cache.value(for: "did") {
                await newGate.wait()
                return "rotated key"
            }
        }
        #expect(await cacheEventually { await cache.counters.loadsInFlight == 2 })
        await newGate.open()
        #expect(await cacheEventually { await newFinished.count == 1 }, "the fresh load must not wait for the old one")
        await oldGate.open()  // the old load ends last, and must not overwrite
        #expect(try await new.value == CacheResult(value: "rotated key", source: .loaded))
        #expect(try await old.value == CacheResult(value: "old key", source: .loaded))
        #expect(try await cache.value(for: "did") { "x" } == CacheResult(value: "rotated key", source: .hit))
        #expect(await cache.counters.joins == 0)
    }
}
