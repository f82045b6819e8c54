import HTTPFetch
import Synchronization

/// The process-wide bound on verification work in flight: an async semaphore shared by reviews
/// (one slot per image being verified, waited for until the review's deadline) and background
/// work (one slot per cache load that goes on after every caller gave up on it, never waited
/// for). Background work may hold at most ``backgroundLimit`` slots, and never takes a slot a
/// review is waiting for, so reviews always keep `limit - backgroundLimit` slots.
///
/// Waiters are served first come, first served. A waiter whose deadline passes or whose task is
/// cancelled leaves the queue at once; a slot handed out is given back by ``Slot/release()``
/// (or when the ``Slot`` is dropped), never twice.
public final class VerificationSlots: Sendable {
    /// A held slot. Release it when the work ends; dropping it releases it too.
    public final class Slot: Sendable {
        private let owner: VerificationSlots
        /// True for a background slot (``VerificationSlots/tryAcquireBackground()``).
        public let isBackground: Bool
        private let released = Atomic<Bool>(false)

        fileprivate init(owner: VerificationSlots, isBackground: Bool) {
            self.owner = owner
            self.isBackground = isBackground
        }

        /// Gives the slot back (to the first waiter, if any). Later calls do nothing.
        public func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            owner.giveBack(background: isBackground)
        }

        deinit { release() }
    }

    /// How the slots are used now (for metrics and tests).
    public struct Usage: Sendable, Hashable {
        /// Slots held, reviews' and background work's.
        public var inUse: Int
        /// Slots held by background work.
        public var background: Int
        /// Reviews' images waiting for a slot.
        public var waiting: Int

        public init(inUse: Int, background: Int, waiting: Int) {
            self.inUse = inUse
            self.background = background
            self.waiting = waiting
        }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
        var timer: DeadlineTimer?
    }

    private struct State {
        var inUse = 0
        var background = 0
        var waiters = WaiterQueue()
        var nextID: UInt64 = 0
    }

    /// Waiters in arrival order: O(1) append, removal by id and taking the first.
    private struct WaiterQueue {
        private var byID: [UInt64: Waiter] = [:]
        private var order: [UInt64] = []
        private var head = 0

        var count: Int { byID.count }
        var isEmpty: Bool { byID.isEmpty }

        mutating func append(_ waiter: Waiter) {
            byID[waiter.id] = waiter
            order.append(waiter.id)
        }

        mutating func setTimer(_ timer: DeadlineTimer, for id: UInt64) -> Bool {
            guard byID[id] != nil else { return false }
            byID[id]?.timer = timer
            return true
        }

        mutating func remove(_ id: UInt64) -> Waiter? {
            let waiter = byID.removeValue(forKey: id)
            compact()
            return waiter
        }

        mutating func popFirst() -> Waiter? {
            while head < order.count {
                let id = order[head]
                head += 1
                if let waiter = byID.removeValue(forKey: id) {
                    compact()
                    return waiter
                }
            }
            compact()
            return nil
        }

        /// Drops the ids of waiters already gone once they outnumber the living.
        private mutating func compact() {
            guard order.count - head > 2 * byID.count + 32 || (byID.isEmpty && !order.isEmpty) else { return }
            order = order[head...].filter { byID[$0] != nil }
            head = 0
        }
    }

    /// The most slots held at once; at least 1.
    public let limit: Int
    /// The most slots background work may hold; at most half of `limit`.
    public let backgroundLimit: Int
    private let state = Mutex(State())

    /// A semaphore of `limit` slots (at least 1), of which background work may hold at most
    /// `backgroundLimit` (clamped to `0…limit / 2`).
    public init(limit: Int, backgroundLimit: Int) {
        self.limit = max(1, limit)
        self.backgroundLimit = min(max(0, backgroundLimit), self.limit / 2)
    }

    /// The usage now.
    public var usage: Usage {
        state.withLock { Usage(inUse: $0.inUse, background: $0.background, waiting: $0.waiters.count) }
    }

    /// A slot for a review's image: at once when one is free and nobody waits, otherwise after
    /// the waiters before it. Nil when `deadline` passes first or the calling task is cancelled
    /// (the waiter is then gone from the queue).
    public func acquire(before deadline: ContinuousClock.Instant) async -> Slot? {
        guard !Task.isCancelled else { return nil }
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = state.withLock { state -> Bool in
                    guard state.inUse < limit, state.waiters.isEmpty else {
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return false
                    }
                    state.inUse += 1
                    return true
                }
                if immediate {
                    continuation.resume(returning: true)
                    return
                }
                // Registered first, so neither the timer nor a cancellation can miss the waiter.
                let timer = DeadlineTimer(at: deadline) { [weak self] in self?.abandon(id) }
                let waiting = state.withLock { $0.waiters.setTimer(timer, for: id) }
                if !waiting { timer.cancel() }
                if Task.isCancelled { abandon(id) }
            }
        } onCancel: {
            abandon(id)
        }
        return granted ? Slot(owner: self, isBackground: false) : nil
    }

    /// A background slot when one is free, no review waits and background work holds fewer
    /// than ``backgroundLimit``; nil otherwise. Never waits.
    public func tryAcquireBackground() -> Slot? {
        let granted = state.withLock { state -> Bool in
            guard state.inUse < limit, state.background < backgroundLimit, state.waiters.isEmpty else { return false }
            state.inUse += 1
            state.background += 1
            return true
        }
        return granted ? Slot(owner: self, isBackground: true) : nil
    }

    /// Hands a released slot to the first waiter, or frees it.
    fileprivate func giveBack(background: Bool) {
        let next = state.withLock { state -> Waiter? in
            if background { state.background -= 1 }
            guard let first = state.waiters.popFirst() else {
                state.inUse -= 1
                return nil
            }
            return first  // the slot passes to it: `inUse` is unchanged
        }
        next?.timer?.cancel()
        next?.continuation.resume(returning: true)
    }

    /// Takes waiter `id` out of the queue and resumes it empty-handed, if it still waits.
    private func abandon(_ id: UInt64) {
        let gone = state.withLock { $0.waiters.remove(id) }
        gone?.timer?.cancel()
        gone?.continuation.resume(returning: false)
    }
}
