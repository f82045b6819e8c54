import HTTPFetch

/// A bounded LRU cache with TTLs for verification evidence: what was proven about a registry,
/// repository, digest or DID. Never an admission decision.
///
/// ```swift
/// let document = try await didDocuments.value(for: did) { try await resolver.resolve(did) }.value
/// ```
///
/// - A load returns a positive value, throws ``DefiniteNegative`` (cached for
///   ``CacheConfiguration/negativeTTL`` and rethrown to every caller), or throws anything else:
///   a transient error, rethrown and never cached.
/// - Concurrent requests for one key share one load. The load runs in its own unstructured
///   task: a caller that is cancelled stops waiting (it gets `CancellationError`). While other
///   callers wait, the load goes on. When the last one leaves, the load goes on in the
///   background (filling the cache, so a retry hits it) only if it gets a background slot of
///   the cache's ``VerificationSlots``; otherwise it is cancelled. Without slots, a load is
///   never cancelled by its callers. Either way bound it with its own deadline or
///   ``CacheConfiguration/maxLoadDuration``.
/// - Entries are bounded by ``CacheConfiguration/capacity`` and, with
///   ``CacheConfiguration/maxBytes``, by their estimated size: the cost function's estimate
///   of a value plus a fixed overhead per entry.
/// - With ``CacheConfiguration/staleIfError``, a reload that fails with a transient error
///   serves the expired value instead, marked ``CacheSource/stale(age:)``.
public actor EvidenceCache<Key: Hashable & Sendable, Value: Sendable> {
    private enum Entry {
        case positive(Value, fetchedAt: ContinuousClock.Instant)
        case negative(DefiniteNegative, fetchedAt: ContinuousClock.Instant)
    }

    private typealias Resolution = InFlightLoads<Key, Value>.Resolution

    /// How this cache bounds and ages its entries.
    public nonisolated let configuration: CacheConfiguration
    private let clock: CacheClock
    private let cost: @Sendable (Key, Value?) -> Int
    private let slots: VerificationSlots?
    private var store: LRUStore<Key, Entry>
    private var inFlight = InFlightLoads<Key, Value>()
    private var tally = CacheCounters()

    /// Estimated bytes every entry takes besides its key and value: the LRU node, the index
    /// slot, the entry's timestamps.
    public static var entryOverhead: Int { 128 }

    /// An empty cache.
    ///
    /// - Parameters:
    ///   - cost: the estimated bytes of a key and its value (nil for a definite negative, whose
    ///     text is added), for ``CacheConfiguration/maxBytes``.
    ///   - slots: where a load that every caller stopped waiting for gets a background slot;
    ///     nil: such loads always go on.
    public init(
        configuration: CacheConfiguration = CacheConfiguration(), clock: CacheClock = .continuous,
        cost: @escaping @Sendable (Key, Value?) -> Int = { _, _ in 0 }, slots: VerificationSlots? = nil
    ) {
        self.configuration = configuration
        self.clock = clock
        self.cost = cost
        self.slots = slots
        self.store = LRUStore(capacity: configuration.capacity, maxCost: configuration.maxBytes ?? .max)
    }

    /// The value for `key`: from the cache when fresh, otherwise from `load` (shared with
    /// every concurrent request for `key`). A stored value that `isCurrent` rejects (e.g. a
    /// proof a newer commit superseded) is dropped and loaded afresh, never served, not even
    /// stale.
    ///
    /// - Throws: ``DefiniteNegative`` (fresh or cached), the load's transient error (when no
    ///   stale value may stand in), ``EvidenceCacheError``, or `CancellationError` when the
    ///   calling task is cancelled while it waits.
    public func value(
        for key: Key,
        isCurrent: (@Sendable (Value) -> Bool)? = nil,
        load: @escaping @Sendable () async throws -> Value
    ) async throws -> CacheResult<Value> {
        let now = clock.now()
        if case .positive(let value, _)? = store.peek(key), let isCurrent, !isCurrent(value) {
            store.remove(key)
        }
        if let entry = store.peek(key) {
            switch entry {
            case .positive(let value, let fetchedAt) where now < fetchedAt + configuration.ttl:
                store.touch(key)
                tally.hits += 1
                return CacheResult(value: value, source: .hit)
            case .negative(let negative, let fetchedAt) where now < fetchedAt + configuration.negativeTTL:
                store.touch(key)
                tally.negativeHits += 1
                throw negative
            case .positive(_, let fetchedAt) where staleFallback(fetchedAt: fetchedAt, now: now) != nil:
                break  // expired, but kept to stand in if the reload fails
            default:
                store.remove(key)
            }
        }
        tally.misses += 1
        let (resolution, joined) = try await join(key, load)
        switch resolution {
        case .value(let value): return CacheResult(value: value, source: joined ? .joined : .loaded)
        case .stale(let value, let age): return CacheResult(value: value, source: .stale(age: age))
        case .negative(let negative): throw negative
        case .failure(let error): throw error
        }
    }

    /// The fresh value stored for `key`, if any, without counting a hit or a miss or touching
    /// its place in the LRU order: for prefetching, which must not load what is cached.
    public func freshValue(for key: Key) -> Value? {
        guard case .positive(let value, let fetchedAt)? = store.peek(key), clock.now() < fetchedAt + configuration.ttl else { return nil }
        return value
    }

    /// The positive entries that may still be used (fresh, or within the stale-if-error
    /// window), least recently used first, each with its age: what a process about to exit
    /// hands to the next one (the containerd verifier's disk cache). Negatives are not handed on.
    public func usableEntries() -> [(key: Key, value: Value, age: Duration)] {
        let now = clock.now()
        return store.keysByRecency.reversed().compactMap { key in
            guard case .positive(let value, let fetchedAt)? = store.peek(key), isUsable(fetchedAt: fetchedAt, now: now) else { return nil }
            return (key, value, now - fetchedAt)
        }
    }

    /// Stores `value` for `key` as if it had been loaded `age` ago, so the same TTL and
    /// stale-if-error window apply to it as to a value this process loaded. Nothing happens
    /// when `key` is already held or the value would be past use. Returns whether it was stored.
    @discardableResult
    public func restore(_ value: Value, for key: Key, age: Duration) -> Bool {
        let now = clock.now()
        let fetchedAt = now - max(.zero, age)
        guard store.peek(key) == nil, isUsable(fetchedAt: fetchedAt, now: now) else { return false }
        insert(.positive(value, fetchedAt: fetchedAt), for: key)
        return store.peek(key) != nil
    }

    /// True while a positive entry fetched at `fetchedAt` is fresh or may stand in for a failed reload.
    private func isUsable(fetchedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        now < fetchedAt + configuration.ttl || staleFallback(fetchedAt: fetchedAt, now: now) != nil
    }

    /// Forgets `key`, so the next request loads it again (e.g. a DID document after a
    /// signature failed: the key may have rotated). A load already running for `key` still
    /// answers its waiters, but its outcome is not stored and new requests start a fresh load.
    public func invalidate(_ key: Key) {
        store.remove(key)
        inFlight.detach(key)
    }

    /// Forgets every entry, like ``invalidate(_:)`` for every key. Counters are kept.
    public func removeAll() {
        store.removeAll()
        inFlight.detachAll()
    }

    /// The counters now.
    public var counters: CacheCounters {
        var snapshot = tally
        snapshot.entries = store.count
        snapshot.loadsInFlight = inFlight.count
        snapshot.backgroundLoads = inFlight.backgroundCount
        snapshot.bytes = store.totalCost
        return snapshot
    }

    // MARK: - Loads

    private func startLoad(_ key: Key, _ load: @escaping @Sendable () async throws -> Value) -> UInt64 {
        let id = inFlight.begin(key)
        tally.loads += 1
        let loader = Task {
            let outcome: Result<Value, any Error>
            do {
                outcome = .success(try await load())
            } catch {
                outcome = .failure(error)
            }
            self.finish(id, outcome)
        }
        inFlight.attach(loader, to: id)
        if let limit = configuration.maxLoadDuration {
            let watchdog = Task {
                guard await DeadlineSleep.until(.now + limit) else { return }  // cancelled: the load ended first
                self.finish(id, .failure(EvidenceCacheError.loadTimedOut(after: limit)))
            }
            inFlight.attach(watchdog, to: id)
        }
        return id
    }

    /// Ends load `id` with `outcome` (the first call wins: the load or its watchdog), stores
    /// the outcome when the load is still its key's current one, and resumes every waiter.
    private func finish(_ id: UInt64, _ outcome: Result<Value, any Error>) {
        guard let (load, isCurrent) = inFlight.end(id) else { return }
        for task in load.tasks { task.cancel() }
        load.slot?.release()
        let now = clock.now()
        let resolution: Resolution
        switch outcome {
        case .success(let value):
            if isCurrent { insert(.positive(value, fetchedAt: now), for: load.key) }
            resolution = .value(value)
        case .failure(let negative as DefiniteNegative):
            if isCurrent { insert(.negative(negative, fetchedAt: now), for: load.key) }
            resolution = .negative(negative)
        case .failure(let error):
            tally.loadFailures += 1
            if isCurrent, case .positive(let value, let fetchedAt)? = store.peek(load.key),
                let age = staleFallback(fetchedAt: fetchedAt, now: now)
            {
                store.touch(load.key)
                tally.staleHits += load.waiters.count
                resolution = .stale(value, age: age)
            } else {
                resolution = .failure(error)
            }
        }
        for waiter in load.waiters.values { waiter.resume(returning: resolution) }
    }

    /// The age of an expired positive entry fetched at `fetchedAt` when it may still stand in
    /// for a failed reload; nil otherwise.
    private func staleFallback(fetchedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Duration? {
        guard let window = configuration.staleIfError,
            now < fetchedAt + configuration.ttl + window
        else { return nil }
        return now - fetchedAt
    }

    private func insert(_ entry: Entry, for key: Key) {
        let size: Int
        switch entry {
        case .positive(let value, _): size = cost(key, value)
        case .negative(let negative, _): size = cost(key, nil) + negative.reason.rawValue.utf8.count + negative.detail.utf8.count
        }
        tally.evictions += store.insert(entry, for: key, cost: Self.entryOverhead + size).count
    }

    // MARK: - Waiting

    /// Joins the running load for `key`, or starts one, and waits for it to end. A cancelled
    /// caller stops waiting (`CancellationError`); the load goes on.
    private func join(
        _ key: Key,
        _ load: @escaping @Sendable () async throws -> Value
    ) async throws -> (Resolution, joined: Bool) {
        let waiterID = inFlight.reserveWaiterID()
        var joined = false
        // The operation and the continuation's body run on this actor without suspending first,
        // so deciding to join or start and registering the waiter happen in one step. The
        // cancellation handler (immediate when the caller is already cancelled) needs the actor
        // too, so it runs only after the waiter is registered.
        let resolution = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: InFlightLoads<Key, Value>.Waiter) in
                let id: UInt64
                if let running = inFlight.joinable(for: key) {
                    tally.joins += 1
                    joined = true
                    id = running
                } else {
                    id = startLoad(key, load)
                }
                guard inFlight.addWaiter(waiter, id: waiterID, to: id) else {
                    waiter.resume(throwing: CancellationError())  // unreachable: the load just began or is running
                    return
                }
            }
        } onCancel: {
            Task { await self.abandon(waiterID) }
        }
        return (resolution, joined)
    }

    /// Resumes a waiter with `CancellationError` if it is still waiting. A load left with no
    /// waiter goes on only with a background slot; without one it is cancelled and forgotten.
    private func abandon(_ waiterID: UInt64) {
        guard let (waiter, id, orphaned) = inFlight.leave(waiterID) else { return }
        if orphaned, let slots {
            if let slot = slots.tryAcquireBackground() {
                inFlight.give(slot, to: id)
            } else if let (load, _) = inFlight.end(id) {
                for task in load.tasks { task.cancel() }
                tally.loadsCancelled += 1
            }
        }
        waiter.resume(throwing: CancellationError())
    }
}
