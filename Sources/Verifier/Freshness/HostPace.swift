/// The request budget of one PDS host: at most `rate` getLatestCommit requests per second,
/// evenly spaced; slowed down (up to 16×) by 429 answers, and back by 10% per success.
struct HostPace {
    let rate: Double
    /// ≥ 1: the budget is `rate / slowdown`.
    private(set) var slowdown = 1.0
    /// No request before this instant (spacing, or a `Retry-After`).
    private(set) var next: ContinuousClock.Instant
    /// The worst-case latency last logged for this host.
    var logged: Double?

    init(rate: Double, now: ContinuousClock.Instant) {
        self.rate = max(0.01, rate)
        next = now
    }

    /// Requests per second now.
    var effectiveRate: Double { rate / slowdown }

    var spacing: Duration { .seconds(1 / effectiveRate) }

    /// Takes one request slot when one is free at `now`. A slot left unused is not saved up
    /// for more than one request: the host never sees a burst.
    mutating func take(at now: ContinuousClock.Instant) -> Bool {
        guard now >= next else { return false }
        next = max(next, now - spacing) + spacing
        return true
    }

    /// A 429: halve the budget, and wait `retryAfter` (or one spacing) before the next request.
    mutating func rateLimited(at now: ContinuousClock.Instant, retryAfter: Duration?) {
        slowdown = min(16, slowdown * 2)
        next = max(next, now + (retryAfter.map { min($0, .seconds(300)) } ?? spacing))
    }

    /// A success: recover 10% of the budget.
    mutating func succeeded() {
        slowdown = max(1, slowdown * 0.9)
    }

    /// The longest a commit by one of `dids` DIDs on this host can go unnoticed: one watch
    /// cycle, which stretches when the budget cannot ask every DID once per `interval`.
    func cycle(dids: Int, interval: Duration) -> Double {
        max(interval.inSeconds, Double(dids) / effectiveRate)
    }
}
