import Synchronization

/// What the freshness watch did, for metrics: checks by result, and its current state.
public final class FreshnessStatistics: Sendable {
    /// One getLatestCommit request's outcome.
    public enum Result: String, Sendable, CaseIterable {
        /// A rev newer than every proof in use (or an unavailable repository): they are superseded.
        case changed
        /// Nothing new.
        case unchanged
        /// The PDS no longer serves the repository (taken down, deactivated, moved).
        case unavailable
        /// HTTP 429: the host was slowed down.
        case rateLimited = "rate_limited"
        /// Unreachable, timed out, 5xx or a malformed answer.
        case error
    }

    /// The state now.
    public struct Snapshot: Sendable, Equatable {
        public var checks: [Result: Int] = [:]
        /// DIDs being watched (used within the cache TTL).
        public var watched = 0
        /// Watched DIDs whose last check failed: their proofs are served until the TTL.
        public var unreachable = 0
        /// Per PDS host: the longest a new commit can go unnoticed (one watch cycle), seconds.
        public var worstCaseLatency: [String: Double] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func count(_ result: Result) {
        state.withLock { $0.checks[result, default: 0] += 1 }
    }

    func update(watched: Int, unreachable: Int, worstCaseLatency: [String: Double]) {
        state.withLock {
            $0.watched = watched
            $0.unreachable = unreachable
            $0.worstCaseLatency = worstCaseLatency
        }
    }
}
