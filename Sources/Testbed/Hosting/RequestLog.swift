import HTTPTypes
import Hummingbird
import Synchronization

/// What a test-world server received: enough for tests to count requests per path and to
/// see which credentials were sent.
public final class RequestLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public let method: String
        /// Path and query, as sent.
        public let target: String
        public let authorization: String?
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    /// Every request so far, in arrival order.
    public var all: [Entry] { entries.withLock { $0 } }

    /// The number of requests whose target contains `fragment` (all requests when nil).
    public func count(containing fragment: String? = nil) -> Int {
        entries.withLock { list in
            guard let fragment else { return list.count }
            return list.filter { $0.target.contains(fragment) }.count
        }
    }

    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}

/// Faults a test can inject into a server: stall matching requests, or answer them with a
/// status (e.g. 503) a number of times.
public final class FaultSwitch: Sendable {
    public struct Fault: Sendable {
        /// Requests whose target contains this fragment are affected ("" for all).
        public var matching: String
        /// Sleep this long before answering.
        public var stall: Duration?
        /// Answer with this status instead of the real response...
        public var status: Int?
        /// ...with these headers (e.g. Retry-After)...
        public var headers: [String: String]
        /// ...this many times (nil: always).
        public var remaining: Int?

        public init(matching: String, stall: Duration? = nil, status: Int? = nil, headers: [String: String] = [:], times: Int? = nil) {
            self.matching = matching
            self.stall = stall
            self.status = status
            self.headers = headers
            remaining = times
        }
    }

    private let faults = Mutex<[Fault]>([])

    public init() {}

    public func add(_ fault: Fault) {
        faults.withLock { $0.append(fault) }
    }

    public func clear() {
        faults.withLock { $0.removeAll() }
    }

    /// The fault that applies to `target`, consuming one use of it.
    func take(for target: String) -> Fault? {
        faults.withLock { list in
            guard let index = list.firstIndex(where: { ($0.matching.isEmpty || target.contains($0.matching)) && ($0.remaining ?? 1) > 0 }) else {
                return nil
            }
            let fault = list[index]
            if let remaining = fault.remaining { list[index].remaining = remaining - 1 }
            return fault
        }
    }
}

/// Records every request and applies injected faults before the routes run.
struct RecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let log: RequestLog
    let faults: FaultSwitch

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.description
        log.append(.init(method: request.method.rawValue, target: target, authorization: request.headers[.authorization]))
        if let fault = faults.take(for: target) {
            if let stall = fault.stall { try await Task.sleep(for: stall) }
            if let status = fault.status {
                var response = Response(status: .init(code: status))
                for (name, value) in fault.headers {
                    if let field = HTTPField.Name(name) { response.headers[field] = value }
                }
                return response
            }
        }
        return try await next(request, context)
    }
}
