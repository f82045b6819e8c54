import Testing
import Verifier

@Suite("VerificationSlots: the process-wide bound on verification work", .timeLimit(.minutes(1)))
struct VerificationSlotsTests {
    static let later = ContinuousClock.now + .seconds(3600)

    @Test("slots are handed out up to the limit; a release passes the slot to the first waiter")
    func limitAndHandOver() async throws {
        let slots = VerificationSlots(limit: 2, backgroundLimit: 0)
        let first = try #require(await slots.acquire(before: Self.later))
        let second = try #require(await slots.acquire(before: Self.later))
        #expect(slots.usage == .init(inUse: 2, background: 0, waiting: 0))

        let order = CacheTestRecorder()
        let third = Task { let slot = await slots.acquire(before: Self.later); await order.append("third"); return slot }
        #expect(await cacheEventually { slots.usage.waiting == 1 })
        let fourth = Task { let slot = await slots.acquire(before: Self.later); await order.append("fourth"); return slot }
        #expect(await cacheEventually { slots.usage.waiting == 2 })

        first.release()
        let thirdSlot = try #require(await third.value, "the first waiter gets the released slot")
        #expect(slots.usage == .init(inUse: 2, background: 0, waiting: 1))
        first.release()  // a second release gives nothing back
        #expect(slots.usage == .init(inUse: 2, background: 0, waiting: 1))
        second.release()
        let fourthSlot = try #require(await fourth.value)
        #expect(await order.items == ["third", "fourth"])
        thirdSlot.release()
        fourthSlot.release()
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0))
    }

    @Test("a waiter whose deadline passes gets no slot and leaves the queue")
    func deadline() async throws {
        let slots = VerificationSlots(limit: 1, backgroundLimit: 0)
        let held = try #require(await slots.acquire(before: Self.later))
        let started = ContinuousClock.now
        let none = await slots.acquire(before: .now + .milliseconds(50))
        #expect(none == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(slots.usage == .init(inUse: 1, background: 0, waiting: 0))
        #expect(await slots.acquire(before: .now - .seconds(1)) == nil, "a deadline already past")
        held.release()
        #expect(slots.usage.inUse == 0, "the slot was not handed to the waiters that left")
    }

    @Test("a cancelled waiter gets no slot and leaves the queue, even when cancelled before it asked")
    func cancellation() async throws {
        let slots = VerificationSlots(limit: 1, backgroundLimit: 0)
        let held = try #require(await slots.acquire(before: Self.later))
        let waiter = Task { await slots.acquire(before: Self.later) }
        #expect(await cacheEventually { slots.usage.waiting == 1 })
        waiter.cancel()
        #expect(await waiter.value == nil)
        #expect(slots.usage.waiting == 0)

        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await slots.acquire(before: Self.later)
        }
        #expect(await early.value == nil)
        held.release()
        let early2 = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await slots.acquire(before: Self.later)
        }
        #expect(await early2.value == nil, "a cancelled task gets no slot even when one is free")
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0))
    }

    @Test("background slots: at most backgroundLimit (at most half of the slots), never waited for; a released one goes to a waiting review")
    func background() async throws {
        let slots = VerificationSlots(limit: 4, backgroundLimit: 10)
        #expect(slots.backgroundLimit == 2, "clamped to half the slots")
        let a = try #require(slots.tryAcquireBackground())
        let b = try #require(slots.tryAcquireBackground())
        #expect(slots.tryAcquireBackground() == nil, "the background bound")
        #expect(a.isBackground && b.isBackground)
        let review1 = try #require(await slots.acquire(before: Self.later))
        let review2 = try #require(await slots.acquire(before: Self.later))
        let waiting = Task { await slots.acquire(before: Self.later) }
        #expect(await cacheEventually { slots.usage.waiting == 1 })
        a.release()
        let handed = try #require(await waiting.value, "a released background slot goes to the waiting review")
        #expect(slots.usage == .init(inUse: 4, background: 1, waiting: 0))
        #expect(slots.tryAcquireBackground() == nil, "every slot is held")
        for slot in [b, review1, review2, handed] { slot.release() }
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0))

    }

    @Test("a dropped slot is released")
    func droppedSlot() async throws {
        let slots = VerificationSlots(limit: 1, backgroundLimit: 0)
        do {
            let slot = await slots.acquire(before: Self.later)
            #expect(slot != nil && slots.usage.inUse == 1)
        }
        #expect(slots.usage.inUse == 0)
    }

    @Test("many tasks with mixed deadlines and cancellations leave nothing held or queued")
    func noLeaks() async throws {
        let slots = VerificationSlots(limit: 3, backgroundLimit: 1)
        let granted = CacheTestCounter()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let deadline: ContinuousClock.Instant = index % 3 == 0 ? .now + .milliseconds(index % 20) : Self.later
                    if index % 5 == 0 { withUnsafeCurrentTask { $0?.cancel() } }
                    guard let slot = await slots.acquire(before: deadline) else { return }
                    await granted.increment()
                    let background = slots.tryAcquireBackground()
                    await Task.yield()
                    background?.release()
                    slot.release()
                }
            }
        }
        #expect(await granted.count > 0)
        #expect(slots.usage == .init(inUse: 0, background: 0, waiting: 0))
    }
}

/// Records strings in order.
actor CacheTestRecorder {
    private(set) var items: [String] = []
    func append(_ item: String) { items.append(item) }
}
