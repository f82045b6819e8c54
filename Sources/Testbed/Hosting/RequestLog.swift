import Synchronization

/// One request a test server received.
public struct LoggedRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    /// The raw query string, if any.
    public var query: String?
    public var authorization: String?
    public var accept: String?
    /// The status answered.
    public var status: Int

    /// `METHOD path?query`, for messages.
    public var line: String { "\(method) \(path)" + (query.map { "?" + $0 } ?? "") }
}

/// A thread-safe record of requests, so tests can count what a server saw.
public final class RequestLog: Sendable {
    private let entries = Mutex<[LoggedRequest]>([])

    public init() {}

    public var all: [LoggedRequest] { entries.withLock { $0 } }

    /// Requests matching `predicate`.
    public func filter(_ predicate: (LoggedRequest) -> Bool) -> [LoggedRequest] {
        entries.withLock { $0.filter(predicate) }
    }

    /// Requests whose path contains `fragment` (and with `method`, when given).
    public func count(pathContains fragment: String, method: String? = nil) -> Int {
        filter { $0.path.contains(fragment) && (method == nil || $0.method == method) }.count
    }

    /// Requests whose `path?query` contains `fragment` (every request when nil).
    public func count(containing fragment: String? = nil) -> Int {
        guard let fragment else { return all.count }
        return filter { $0.line.contains(fragment) }.count
    }

    public func clear() { entries.withLock { $0.removeAll() } }

    func append(_ request: LoggedRequest) { entries.withLock { $0.append(request) } }
}
