/// A snapshot of an ``EvidenceCache``'s counters, for metrics. Counts are since creation.
///
/// Every request is exactly one of: a hit, a negative hit, or a miss; a miss either started a
/// load or joined one, so `misses == loads + joins`.
public struct CacheCounters: Sendable, Hashable {
    /// Requests answered by a fresh positive entry.
    public var hits = 0
    /// Requests answered by a fresh definite negative.
    public var negativeHits = 0
    /// Requests that found no fresh entry.
    public var misses = 0
    /// Misses that joined a load already running for their key.
    public var joins = 0
    /// Loads started.
    public var loads = 0
    /// Loads that ended with a transient error (including a timeout); definite negatives are
    /// not failures.
    public var loadFailures = 0
    /// Requests served a stale value because reloading failed.
    public var staleHits = 0
    /// Entries pushed out by capacity or by the byte bound (not expiry, not invalidation).
    public var evictions = 0
    /// Loads cancelled because every caller stopped waiting and no background slot was free.
    public var loadsCancelled = 0
    /// Entries held now (a gauge).
    public var entries = 0
    /// Loads running now (a gauge).
    public var loadsInFlight = 0
    /// Loads running now that no caller waits for, each holding a background slot (a gauge).
    public var backgroundLoads = 0
    /// Estimated bytes of the entries held now (a gauge).
    public var bytes = 0

    /// All zero.
    public init() {}
}
