@testable import HTTPFetch
import NIOCore
import Testing

@Suite("DeadlineSleep")
struct DeadlineSleepTests {
    @Test("returns true once the deadline passes")
    func deadlinePasses() async {
        let start = ContinuousClock.now
        #expect(await DeadlineSleep.until(start + .milliseconds(30)))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
    }

    @Test("a deadline already past returns true at once")
    func deadlineInThePast() async {
        #expect(await DeadlineSleep.until(.now - .seconds(1)))
    }

    /// The point of the type: `Task.sleep` keeps a cancelled timer queued until its deadline.
    @Test("cancellation resumes with false and cancels the timer, which leaves the event loop's queue")
    func cancellationCancelsTheTimer() async throws {
        let waiter = DeadlineSleep.Waiter()
        let sleeper = Task { await DeadlineSleep.until(.now + .seconds(600), waiter: waiter) }
        var timer = waiter.timer
        while timer == nil {
            await Task.yield()
            timer = waiter.timer
        }
        sleeper.cancel()
        #expect(await sleeper.value == false)
        #expect(waiter.timer == nil)
        let cancelled = try #require(timer)
        await #expect(throws: EventLoopError.cancelled) { try await cancelled.futureResult.get() }
    }

    @Test("a task cancelled before it sleeps returns false without scheduling a timer")
    func cancelledBeforeStart() async {
        let waiter = DeadlineSleep.Waiter()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await DeadlineSleep.until(.now + .seconds(600), waiter: waiter)
        }
        #expect(await sleeper.value == false)
        #expect(waiter.timer == nil)
    }

    @Test("durations convert to nanoseconds without overflow", arguments: [
        (Duration.zero, Int64(0)), (.nanoseconds(-5), 0), (.seconds(-3), 0), (.milliseconds(1500), 1_500_000_000),
        (.seconds(Int64.max), Int64.max / 2),
    ])
    func nanoseconds(_ duration: Duration, _ expected: Int64) {
        #expect(duration.clampedNanoseconds == expected)
    }
}
