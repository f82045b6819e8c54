/// How an ``EvidenceCache`` bounds and ages its entries.
public struct CacheConfiguration: Sendable, Equatable {
    /// The most entries kept (positive and negative together); the least recently used goes
    /// first. Values below 1 are taken as 1.
    public var capacity: Int
    /// How long a positive value is served without reloading.
    public var ttl: Duration
    /// How long a definite negative (``DefiniteNegative``) is served without reloading.
    public var negativeTTL: Duration
    /// When set, a positive value that expired less than this long ago is kept, and is served
    /// (marked stale) when reloading it fails with a transient error. `nil`: never stale.
    public var staleIfError: Duration?
    /// When set, a load still running after this long fails every waiter with
    /// ``EvidenceCacheError/loadTimedOut(after:)`` (a transient error) and is cancelled.
    /// Measured on the real continuous clock, not on the injected ``CacheClock``.
    public var maxLoadDuration: Duration?
    /// When set, the most estimated bytes the entries may take (positive and negative
    /// together, each as its cache's cost function estimates it); the least recently used go
    /// first, as for ``capacity``. An entry estimated above this alone is not kept. `nil`:
    /// bounded by ``capacity`` only.
    public var maxBytes: Int?

    /// A configuration; the defaults are those of docs/architecture.md, "Caches" (5 minutes, negatives 30 seconds).
    public init(
        capacity: Int = 1024,
        ttl: Duration = .seconds(300),
        negativeTTL: Duration = .seconds(30),
        staleIfError: Duration? = nil,
        maxLoadDuration: Duration? = .seconds(30),
        maxBytes: Int? = nil
    ) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.staleIfError = staleIfError
        self.maxLoadDuration = maxLoadDuration
        self.maxBytes = maxBytes.map { max(0, $0) }
    }
}
