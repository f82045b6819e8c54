import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Lame-duck mode between SIGTERM and the end of serving.
///
/// A replica that stopped accepting at once would break the keep-alive connections that clients
/// (the API server, a load balancer's pool) are about to reuse: a POST sent on a connection the
/// server is closing fails, and POSTs are not retried. So on SIGTERM the webhook first drains for
/// `shutdownDelay`: `/readyz` answers 503 (endpoints and load balancers take the replica out),
/// every HTTP/1.1 answer carries `Connection: close` (the client opens its next connection
/// elsewhere), and reviews are answered as usual. Then it stops accepting and finishes in-flight
/// work. HTTP/2 clients get GOAWAY at that point.
public final class DrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    /// True once draining began.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Starts draining (idempotent).
    public func begin() { draining.store(true, ordering: .relaxed) }
}

/// The webhook's request context: Hummingbird's basic one plus the channel, which draining asks
/// about (only while draining: nothing is computed per request otherwise).
public struct WebhookRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// True for a request on an HTTP/2 stream, where `Connection` is a forbidden header: HTTP/2
    /// requests arrive on NIOHTTP2's stream child channels, HTTP/1.1 on the TCP channel.
    var isHTTP2Stream: Bool { String(reflecting: type(of: channel)).hasSuffix("HTTP2StreamChannel") }
}

/// Adds `Connection: close` to HTTP/1.1 answers while the server drains.
struct DrainMiddleware: RouterMiddleware {
    typealias Context = WebhookRequestContext
    let state: DrainState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if state.isDraining, !context.isHTTP2Stream {
            response.headers[.connection] = "close"
        }
        return response
    }
}

/// Waits for SIGTERM or SIGINT, drains for `delay`, then returns, which shuts the server's
/// service group down gracefully (stop accepting, finish in-flight reviews).
struct SignalDrainer: Service {
    let drain: DrainState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await cancelWhenGracefulShutdown {
            for await signal in signals {
                drain.begin()
                logger.info("draining before shutdown: /readyz is 503, HTTP/1.1 answers close their connection", metadata: [
                    "signal": "\(signal)", "delay": "\(delay)",
                ])
                try await Task.sleep(for: delay)
                return
            }
        }
    }
}
