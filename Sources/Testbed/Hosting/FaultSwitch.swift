import Synchronization

/// Faults a test can inject into a server: stall matching requests, answer them with a status
/// (e.g. 503) or change the body they get (garbage, truncated, padded, dripped), a number of
/// times.
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
        /// The body the client gets instead of the real one (with `status`, or 200 with `replace`).
        public var body: BodyFault?

        public init(
            matching: String, stall: Duration? = nil, status: Int? = nil, headers: [String: String] = [:], body: BodyFault? = nil,
            times: Int? = nil
        ) {
            self.matching = matching
            self.stall = stall
            self.status = status
            self.headers = headers
            self.body = body
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
