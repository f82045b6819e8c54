import Synchronization
import Verifier

/// A clock the tests move by hand.
final class CacheTestClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(by duration: Duration) {
        instant.withLock { $0 = $0 + duration }
    }

    var cacheClock: CacheClock { CacheClock { self.now } }
}

/// Counts calls (loads, usually).
actor CacheTestCounter {
    private(set) var count = 0

    func increment() { count += 1 }
}

/// Holds tasks until opened.
actor CacheTestGate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}

/// Records that something happened, once, for a test to await.
final class CacheTestSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    func fire() { continuation.yield() }

    /// Waits until ``fire()`` has been called (at least once more than awaited before).
    func wait() async {
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
    }
}

/// A task running `operation` that counts on `finished` when it returns or throws, so a test
/// can wait for that with ``cacheEventually(_:)`` instead of hanging on the task's value.
func cacheTrackedTask<T: Sendable>(
    _ finished: CacheTestCounter,
    _ operation: @escaping @Sendable () async throws -> T
) -> Task<T, any Error> {
    Task {
        do {
            let value = try await operation()
            await finished.increment()
            return value
        } catch {
            await finished.increment()
            throw error
        }
    }
}

/// A transient failure (the kind that is never cached).
enum CacheTestError: Error, Equatable {
    case plcDown
    case serverError(Int)
}

/// Polls `condition` until it holds, for at most about two seconds; the result says whether
/// it held. Lets tests wait for concurrent requests to line up without fixed sleeps.
func cacheEventually(_ condition: () async -> Bool) async -> Bool {
    for round in 0..<2_000 {
        if await condition() { return true }
        if round < 100 {
            await Task.yield()
        } else {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
    return await condition()
}

/// A cache with the given settings on `clock`, loads unbounded in time unless asked.
func makeTestCache<Value: Sendable>(
    _ type: Value.Type = String.self,
    clock: CacheTestClock = CacheTestClock(),
    capacity: Int = 64,
    ttl: Duration = .seconds(300),
    negativeTTL: Duration = .seconds(30),
    staleIfError: Duration? = nil,
    maxLoadDuration: Duration? = nil
) -> EvidenceCache<String, Value> {
    EvidenceCache(
        configuration: CacheConfiguration(
            capacity: capacity,
            ttl: ttl,
            negativeTTL: negativeTTL,
            staleIfError: staleIfError,
            maxLoadDuration: maxLoadDuration
        ),
        clock: clock.cacheClock
    )
}
