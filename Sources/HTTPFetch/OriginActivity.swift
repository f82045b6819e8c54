import Foundation
import Synchronization

/// When each origin last saw a request, so a preconnect is skipped while the pool likely still
/// holds a connection to it. Bounded: past `capacity` origins it starts afresh.
final class OriginActivity: Sendable {
    private let lastUse = Mutex<[String: ContinuousClock.Instant]>([:])
    /// How long after a request a pooled connection is assumed to be there (below the pool's
    /// 60-second idle timeout).
    let recent: Duration
    let capacity: Int

    init(recent: Duration = .seconds(45), capacity: Int = 4_096) {
        self.recent = recent
        self.capacity = capacity
    }

    /// `scheme://host:port` of `url`, nil when it has none.
    static func origin(of url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }

    func noteUse(_ origin: String, at now: ContinuousClock.Instant = .now) {
        lastUse.withLock { table in
            if table.count >= capacity, table[origin] == nil { table.removeAll() }
            table[origin] = now
        }
    }

    /// True (and the origin marked used now) when no request went to `origin` recently: the
    /// caller should open a connection. Concurrent callers for one origin: only the first.
    func claimPreconnect(_ origin: String, at now: ContinuousClock.Instant = .now) -> Bool {
        lastUse.withLock { table in
            if let last = table[origin], now - last < recent { return false }
            if table.count >= capacity, table[origin] == nil { table.removeAll() }
            table[origin] = now
            return true
        }
    }
}

/// Counts the preconnects a fetcher made (each one `GET /` to an origin it had no recent
/// request to), for metrics and for tests that bound the extra requests.
public final class PreconnectStatistics: Sendable {
    private let counts = Mutex<(made: Int, skipped: Int)>((0, 0))

    public init() {}

    func record(made: Bool) {
        counts.withLock { if made { $0.made += 1 } else { $0.skipped += 1 } }
    }

    /// Preconnects made, and skipped because the origin had a recent request.
    public var snapshot: (made: Int, skipped: Int) { counts.withLock { $0 } }
}
