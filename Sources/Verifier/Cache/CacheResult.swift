/// Where a value handed out by an ``EvidenceCache`` came from.
public enum CacheSource: Sendable, Hashable {
    /// A fresh entry of the cache.
    case hit
    /// This request started the load.
    case loaded
    /// This request joined a load another request had started.
    case joined
    /// Reloading failed with a transient error; this is the last good value, fetched `age` ago.
    case stale(age: Duration)
}

/// A positive value from an ``EvidenceCache`` and where it came from.
public struct CacheResult<Value: Sendable>: Sendable {
    /// The value.
    public let value: Value
    /// Where it came from.
    public let source: CacheSource

    /// True when the value is a stale fallback (see ``CacheConfiguration/staleIfError``).
    public var isStale: Bool {
        if case .stale = source { return true }
        return false
    }

    /// How long ago a stale value was fetched; `nil` when the value is not stale.
    public var staleAge: Duration? {
        if case .stale(let age) = source { return age }
        return nil
    }

    /// A result.
    public init(value: Value, source: CacheSource) {
        self.value = value
        self.source = source
    }
}

extension CacheResult: Equatable where Value: Equatable {}
