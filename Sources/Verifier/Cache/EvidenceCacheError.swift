/// Errors the cache itself raises. All are transient: never cached.
public enum EvidenceCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The load ran longer than ``CacheConfiguration/maxLoadDuration`` and was cancelled.
    case loadTimedOut(after: Duration)

    public var description: String {
        switch self {
        case .loadTimedOut(let limit): return "cache load timed out after \(limit)"
        }
    }
}
