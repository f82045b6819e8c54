import AsyncHTTPClient
import NIOCore

/// A one-shot timer on NIO's event loops (the process's shared group). Unlike a cancelled
/// `Task.sleep`, which stays queued until its deadline (about 1.2 KB each), a cancelled timer
/// leaves its event loop's queue at once. Every review and every outbound request races its work
/// against a deadline 10–30 s away and almost always wins: with `Task.sleep`, a webhook
/// answering 5,000 reviews/s held ~50 MiB of dead timers.
public struct DeadlineTimer: Sendable {
    private let scheduled: Scheduled<Void>

    /// Runs `action` on an event loop once `deadline` passes (at once when it has), unless
    /// cancelled first.
    public init(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) {
        let remaining = deadline - ContinuousClock.now
        scheduled = HTTPClient.defaultEventLoopGroup.any().scheduleTask(in: .nanoseconds(remaining.clampedNanoseconds), action)
    }

    /// Stops the timer if it has not fired; its action then never runs.
    public func cancel() {
        scheduled.cancel()
    }

    /// Succeeds when the action ran; fails with `EventLoopError.cancelled` when cancelled first.
    var futureResult: EventLoopFuture<Void> { scheduled.futureResult }
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
