import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// One server of the test world, on 127.0.0.1, over TLS (the world's CA) or plain HTTP.
public final class TestServer: Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case didNotStart(String)
        public var description: String {
            switch self {
            case .didNotStart(let why): return "test server did not start: \(why)"
            }
        }
    }

    /// The bound port.
    public let port: Int
    /// `https` or `http`.
    public let scheme: String
    /// Every request the server received, for tests that count what the verifier did.
    public let log: RequestLog
    /// Switches to stall or fail requests, for deadline and error-path tests.
    public let faults: FaultSwitch
    /// Connections accepted, for tests that check clients reuse them.
    public let connections: ConnectionLog
    /// The simulated network distance (``Latency``): zero unless set.
    public let latency: Latency
    private let running: Mutex<Serving?>
    private let launch: Launch

    /// A server that listens: the task serving it and the group whose graceful shutdown stops it.
    struct Serving: Sendable {
        let task: Task<Void, any Error>
        let group: ServiceGroup
    }

    /// Binds the router to a port and serves it until shut down: the bound port, and how it is served.
    typealias Launch = @Sendable (_ port: Int) async throws -> (Int, Serving)

    /// `localhost:<port>` with TLS (the name the certificate carries), `127.0.0.1:<port>`
    /// without: the host a client names (for a registry, its registry name).
    public var authority: String {
        scheme == "https" ? "localhost:\(port)" : "127.0.0.1:\(port)"
    }

    /// `https://localhost:<port>` or `http://127.0.0.1:<port>`.
    public var origin: String { "\(scheme)://\(authority)" }

    private init(
        port: Int, scheme: String, log: RequestLog, faults: FaultSwitch, connections: ConnectionLog, latency: Latency,
        serving: Serving, launch: @escaping Launch
    ) {
        self.connections = connections
        self.latency = latency
        self.port = port
        self.scheme = scheme
        self.log = log
        self.faults = faults
        running = Mutex(serving)
        self.launch = launch
    }

    /// Starts `router` on 127.0.0.1:`port` (0: any free port) and returns once it listens.
    /// `http2`: offer HTTP/2 by ALPN next to HTTP/1.1 (with `tls` only); `latency`: the simulated
    /// round trip (``Latency``).
    public static func start(
        name: String, tls: TLSConfiguration? = nil, port: Int = 0, http2: Bool = false, latency: Duration = .zero,
        routes: @Sendable (Router<BasicRequestContext>) -> Void
    ) async throws -> TestServer {
        let log = RequestLog()
        let faults = FaultSwitch()
        let connections = ConnectionLog(), shape = Latency(roundTrip: latency)
        let router = Router()
        router.add(middleware: LatencyMiddleware(latency: shape))
        router.add(middleware: RecordingMiddleware(log: log, faults: faults))
        routes(router)
        let responder = router.buildResponder()
        let launch: Launch = { port in
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            var logger = Logger(label: "atcr-testbed.\(name)")
            logger.logLevel = .critical  // cancellation at shutdown logs "errors" that are not
            let server = HTTPServerBuilder.shaped(tls: tls, http2: http2, connections: connections, latency: shape)
            let application = Application(
                responder: responder, server: server,
                configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                },
                logger: logger)
            let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
            let task = Task {
                defer { continuation.finish() }
                try await group.run()
            }
            var bound: Int?
            for await value in ports { bound = value }
            guard let bound, bound > 0 else {
                task.cancel()
                let failure = await task.result
                throw StartError.didNotStart("\(name) on port \(port): \(failure)")
            }
            return (bound, Serving(task: task, group: group))
        }
        let (bound, serving) = try await launch(port)
        return TestServer(
            port: bound, scheme: tls == nil ? "http" : "https", log: log, faults: faults, connections: connections, latency: shape,
            serving: serving, launch: launch)
    }

    /// Stops listening (clients then get "connection refused") until ``resume()``: an upstream
    /// that is down, for outage tests.
    public func stop() async {
        guard let serving = running.withLock({ running in defer { running = nil }; return running }) else { return }
        // A graceful shutdown first: it closes the listening socket and serves every connection
        // already accepted. Cancelling at once could drop an accepted connection NIO has not
        // handed over yet, which traps ("Deinited NIOAsyncWriter without calling finish()").
        // Requests a fault keeps stalled are then cut by cancellation.
        await serving.group.triggerGracefulShutdown()
        let cutOff = Task {
            try? await Task.sleep(for: .seconds(1))
            serving.task.cancel()
        }
        _ = await serving.task.result
        cutOff.cancel()
    }

    /// Listens again on the same port after ``stop()``, with the same routes, log and faults.
    public func resume() async throws {
        guard running.withLock({ $0 == nil }) else { return }
        let (_, serving) = try await launch(port)
        running.withLock { $0 = serving }
    }
}
