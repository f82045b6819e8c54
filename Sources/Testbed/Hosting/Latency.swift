import Synchronization

/// A simulated distance between the clients and one test server: every response waits one
/// round trip, every new connection two more before its TLS handshake starts (TCP's and TLS's
/// round trips). Zero (the default) adds nothing. Changeable while the server runs.
public final class Latency: Sendable {
    private let value: Mutex<Duration>

    public init(roundTrip: Duration = .zero) {
        value = Mutex(roundTrip)
    }

    /// The round trip each response waits.
    public var roundTrip: Duration {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    /// What a new connection waits before the server reads its first byte: two round trips.
    public var connectionDelay: Duration { roundTrip * 2 }
}

/// Counts the connections a test server accepted, so tests can check that clients reuse them.
public final class ConnectionLog: Sendable {
    private let count = Mutex(0)

    public init() {}

    /// Connections accepted so far.
    public var accepted: Int { count.withLock { $0 } }

    func noteAccepted() { count.withLock { $0 += 1 } }
}
