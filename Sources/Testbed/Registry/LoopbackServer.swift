import Hummingbird
import HummingbirdTLS

/// A Hummingbird server on 127.0.0.1 for tests and the local world: plain http, or TLS with
/// the configuration given (the world's CA issues it). Port 0 picks a free port.
public final class LoopbackServer: Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`, or `https://localhost:<port>` with TLS (the name
    /// certificates are issued for).
    public let baseURL: String
    /// `127.0.0.1:<port>` or `localhost:<port>`: the registry name clients use.
    public let authority: String
    private let task: Task<Void, any Error>

    private init(port: Int, tls: Bool, task: Task<Void, any Error>) {
        self.port = port
        self.authority = "\(tls ? "localhost" : "127.0.0.1"):\(port)"
        self.baseURL = "\(tls ? "https" : "http")://\(authority)"
        self.task = task
    }

    /// Starts a server whose routes `configure` adds; returns once it is listening.
    public static func start(
        port: Int = 0, tls: TLSConfiguration? = nil, configure: (Router<BasicRequestContext>) -> Void
    ) async throws -> LoopbackServer {
        let router = Router()
        configure(router)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil)
        var app =
            if let tls {
                Application(
                    router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
                    onServerRunning: { channel in
                        continuation.yield(channel.localAddress?.port ?? 0)
                        continuation.finish()
                    })
            } else {
                Application(
                    router: router, configuration: configuration,
                    onServerRunning: { channel in
                        continuation.yield(channel.localAddress?.port ?? 0)
                        continuation.finish()
                    })
            }
        app.logger.logLevel = .warning  // no "server started" line per test server
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        for await bound in ports where bound > 0 {
            return LoopbackServer(port: bound, tls: tls != nil, task: task)
        }
        task.cancel()
        _ = await task.result
        throw LoopbackServerError.didNotStart(port: port)
    }

    /// Stops accepting, finishes in-flight requests, and returns when the server is down.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Why a loopback server could not be started.
public enum LoopbackServerError: Error, CustomStringConvertible {
    case didNotStart(port: Int)

    public var description: String {
        switch self {
        case .didNotStart(let port): return "the server did not start on 127.0.0.1:\(port) (port in use?)"
        }
    }
}
