import AsyncHTTPClient
import NIOCore
import Synchronization

/// Suspends until a deadline, like `Task.sleep(until:)`, except that cancellation releases the
/// timer at once.
///
/// A cancelled `Task.sleep` resumes early, but its timer stays queued until the original
/// deadline (about 1.2 KB each). Every review and every outbound request races its work
/// against a deadline 10–30 s away, and the work almost always wins. With `Task.sleep`, a
/// webhook answering 5,000 reviews/s held ~50 MiB of dead timers. NIO's scheduled tasks leave
/// their event loop's queue when cancelled.
public enum DeadlineSleep {
    /// Returns true when `deadline` passed, false when the calling task was cancelled first.
    @discardableResult
    public static func until(_ deadline: ContinuousClock.Instant) async -> Bool {
        await until(deadline, waiter: Waiter())
    }

    /// `until(_:)` with the waiter given, so tests can watch its timer.
    static func until(_ deadline: ContinuousClock.Instant, waiter: Waiter) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.start(continuation, deadline: deadline)
            }
        } onCancel: {
            waiter.finish(deadlinePassed: false)
        }
    }

    /// One sleep: whichever comes first, the timer or the cancellation, resumes it; the other
    /// finds it finished.
    final class Waiter: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Bool, Never>?
            var timer: Scheduled<Void>?
            var finished = false
        }

        private let state = Mutex(State())

        /// The pending timer, nil before the sleep starts and after it ends.
        var timer: Scheduled<Void>? { state.withLock { $0.timer } }

        func start(_ continuation: CheckedContinuation<Bool, Never>, deadline: ContinuousClock.Instant) {
            let alreadyCancelled = state.withLock { state -> Bool in
                guard !state.finished else { return true }
                state.continuation = continuation
                let remaining = deadline - ContinuousClock.now
                let loop = HTTPClient.defaultEventLoopGroup.any()
                state.timer = loop.scheduleTask(in: .nanoseconds(remaining.clampedNanoseconds)) { [self] in
                    finish(deadlinePassed: true)
                }
                return false
            }
            if alreadyCancelled { continuation.resume(returning: false) }
        }

        func finish(deadlinePassed: Bool) {
            let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, Scheduled<Void>?) in
                guard !state.finished else { return (nil, nil) }
                state.finished = true
                defer {
                    state.continuation = nil
                    state.timer = nil
                }
                return (state.continuation, state.timer)
            }
            if !deadlinePassed { timer?.cancel() }
            continuation?.resume(returning: deadlinePassed)
        }
    }
}

extension Duration {
    /// Whole nanoseconds, at least 0, and at most about 146 years (no overflow for NIO).
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        guard seconds < Int64.max / 2_000_000_000 else { return Int64.max / 2 }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
