import Synchronization

/// Suspends until a deadline, like `Task.sleep(until:)`, except that cancellation releases the
/// timer at once (see ``DeadlineTimer``).
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
            var timer: DeadlineTimer?
            var finished = false
        }

        private let state = Mutex(State())

        /// The pending timer, nil before the sleep starts and after it ends.
        var timer: DeadlineTimer? { state.withLock { $0.timer } }

        func start(_ continuation: CheckedContinuation<Bool, Never>, deadline: ContinuousClock.Instant) {
            let alreadyCancelled = state.withLock { state -> Bool in
                guard !state.finished else { return true }
                state.continuation = continuation
                state.timer = DeadlineTimer(at: deadline) { [self] in finish(deadlinePassed: true) }
                return false
            }
            if alreadyCancelled { continuation.resume(returning: false) }
        }

        func finish(deadlinePassed: Bool) {
            let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, DeadlineTimer?) in
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
