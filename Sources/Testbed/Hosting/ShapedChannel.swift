import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// Wraps a server's child channel: counts each accepted connection and holds it for
/// ``Latency/connectionDelay`` before its handlers (TLS first) are installed. Until then the
/// channel is not registered for reads, so the client's first bytes wait in the socket: the
/// handshake starts two round trips late, as across a network.
struct ShapedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let connections: ConnectionLog
    let latency: Latency

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        connections.noteAccepted()
        let delay = latency.connectionDelay
        guard delay > .zero else { return base.setup(channel: channel, logger: logger) }
        let nanoseconds = Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        return channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {}.futureResult.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 (plain or TLS), or HTTP/2 and HTTP/1.1 by ALPN over TLS when `http2`, each
    /// connection counted and delayed as `latency` says.
    static func shaped(tls: TLSConfiguration?, http2: Bool, connections: ConnectionLog, latency: Latency) -> HTTPServerBuilder {
        HTTPServerBuilder { (responder) throws -> any ServerChildChannel in
            if let tls {
                if http2 {
                    return ShapedChannel(
                        base: try HTTP2UpgradeChannel(tlsConfiguration: tls, responder: responder), connections: connections, latency: latency)
                }
                return ShapedChannel(
                    base: try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tls), connections: connections, latency: latency)
            }
            return ShapedChannel(base: HTTP1Channel(responder: responder), connections: connections, latency: latency)
        }
    }
}

/// Delays every response by the server's round trip (before the routes and fault injection run).
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let latency: Latency

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let wait = latency.roundTrip
        if wait > .zero { try await Task.sleep(for: wait) }
        return try await next(request, context)
    }
}
