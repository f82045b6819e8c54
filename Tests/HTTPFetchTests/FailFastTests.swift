import Foundation
import HTTPFetch
import Testing

/// A refused connection or an unknown name fails the fetch at once, naming the host and the
/// cause; it is not re-dialled until the deadline and reported as "timed out".
@Suite("Fail fast on unreachable upstreams")
struct FailFastTests {
    /// A loopback port nothing listens on: bound and kept (so no other test's server can take
    /// it while this one runs), never listened on, so connecting is refused.
    static func closedPort() -> (port: Int, socket: Int32) { boundLoopbackPort() }

    @Test("connection refused: one attempt, answered long before the deadline, host and cause named")
    func refused() async throws {
        let (port, reserved) = Self.closedPort()
        defer { close(reserved) }
        let fetcher = try HTTPFetcher(configuration: .init(allowInsecureHTTP: true))
        let started = ContinuousClock.now
        do {
            _ = try await fetcher.fetch(FetchRequest(url: "https://127.0.0.1:\(port)/v2/", maxBodyBytes: 1024, deadline: .now + .seconds(20)))
            Issue.record("a closed port answered")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port) unreachable: connection refused"), "\(error)")
            #expect(!error.isTransientTimeout, "reported as its cause, not as a timeout: \(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(5), "not re-dialled until the 20 s deadline")
        try await fetcher.shutdown()
    }

    @Test("an unknown name: no such host, at once")
    func unknownHost() async throws {
        let fetcher = try HTTPFetcher()
        let started = ContinuousClock.now
        do {
            _ = try await fetcher.fetch(FetchRequest(url: "https://no-such-host.invalid/v2/", maxBodyBytes: 1024, deadline: .now + .seconds(20)))
            Issue.record("an .invalid name resolved")
        } catch {
            #expect("\(error)".contains("no-such-host.invalid unreachable"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await fetcher.shutdown()
    }
}

extension Error {
    fileprivate var isTransientTimeout: Bool { "\(self)".contains("timed out") }
}

/// Binds a TCP socket to a free loopback port without listening: the port and the socket,
/// which the caller closes when done.
private func boundLoopbackPort() -> (port: Int, socket: Int32) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (Int(UInt16(bigEndian: address.sin_port)), fd)
}
