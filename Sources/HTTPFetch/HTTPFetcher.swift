import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Settings shared by every request of one fetcher.
public struct FetchConfiguration: Sendable {
    /// Allow plain `http://` URLs and redirects. For the local test world only.
    public var allowInsecureHTTP: Bool
    /// PEM file of extra CA certificates to trust (a private CA, the test world's CA).
    public var caBundlePath: String?
    public var userAgent: String
    /// How often a 429/503 with `Retry-After` is retried, when the deadline leaves room.
    public var maxRetries: Int
    /// Where redirects and other server-named URLs may lead (public addresses by default).
    public var serverNamedTargets: ServerNamedTargets

    public init(
        allowInsecureHTTP: Bool = false, caBundlePath: String? = nil, userAgent: String = "atcr-verify/0.1", maxRetries: Int = 2,
        serverNamedTargets: ServerNamedTargets = .publicOnly
    ) {
        self.allowInsecureHTTP = allowInsecureHTTP
        self.caBundlePath = caBundlePath
        self.userAgent = userAgent
        self.maxRetries = maxRetries
        self.serverNamedTargets = serverNamedTargets
    }
}

/// `HTTPFetching` over AsyncHTTPClient.
///
/// AsyncHTTPClient's own deadline covers only the response head and its read timeout is an idle
/// timeout, so a server dripping one byte a second would outlive both: the whole request runs in
/// a task raced against the deadline and cancelled when it passes. Redirects are followed here,
/// hop by hop, so each hop's scheme is checked and `Authorization` is dropped when a hop leaves
/// the origin host (S3 presigned URLs refuse a second credential), and each hop's address is
/// checked against `serverNamedTargets` (as is a URL the request marks as server-named).
public final class HTTPFetcher: HTTPFetching {
    private let client: HTTPClient
    public let configuration: FetchConfiguration
    /// Set by `shutdown()`; a fetcher dropped without it closes its client in `deinit`.
    private let isShutDown = Mutex(false)
    private let activity = OriginActivity()
    /// Preconnects made and skipped.
    public let preconnects = PreconnectStatistics()

    /// Reads `configuration.caBundlePath` now: an unreadable or invalid bundle throws a
    /// `TrustRootsError` naming the file and the reason.
    public convenience init(configuration: FetchConfiguration = FetchConfiguration()) throws {
        self.init(configuration: configuration, trustRoots: try TrustRoots.load(configuration.caBundlePath))
    }

    /// A fetcher with roots already loaded: cannot fail, so a caller that makes several
    /// fetchers loads every bundle first and never holds a client it must shut down on error.
    public init(configuration: FetchConfiguration, trustRoots: TrustRoots) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if !trustRoots.certificates.isEmpty {
            tls.additionalTrustRoots = [.certificates(trustRoots.certificates)]
        }
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, decompression: .disabled)
        clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        // One connection attempt per request: AsyncHTTPClient would otherwise re-dial a refused
        // port, an unknown name or a failing TLS handshake with backoff until the deadline, and a
        // review would wait ~10 s to learn what the first attempt already said.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // HTTP/2 where the server offers it by ALPN (HTTP/1.1 otherwise): parallel requests to
        // one host (a review's DID document and proof, artifacts) then share one connection.
        clientConfiguration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        self.configuration = configuration
    }

    /// How much earlier than the request's deadline AsyncHTTPClient's deadline is set.
    static let clientDeadlineLead: Duration = .milliseconds(100)

    /// Closes pooled connections. Call once, when done.
    public func shutdown() async throws {
        isShutDown.withLock { $0 = true }
        try await client.shutdown()
    }

    // The owner should call `shutdown()`. If an error path dropped the fetcher without it, close
    // the client here rather than let AsyncHTTPClient trap (debug builds) and take the process
    // down with it: the shutdown keeps the client alive until it has finished.
    deinit {
        if !isShutDown.withLock({ $0 }) { _ = client.shutdown() }
    }

    public func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        var current = try validatedURL(request.url)
        if request.urlNamedByServer, let reason = configuration.serverNamedTargets.refusal(of: current) {
            throw .targetRefused(url: request.url, reason: reason)
        }
        var headers = request.headers
        var redirects = 0
        var retries = 0
        while true {
            let url = current, sentHeaders = headers
            let response = try await withDeadline(request.deadline, url: url.absoluteString) { () async throws(FetchError) -> FetchResponse in
                try await self.execute(request, url: url, headers: sentHeaders)
            }
            if (300...399).contains(response.status), response.status != 304, request.maxRedirects > 0, request.method != .post {
                guard redirects < request.maxRedirects else { throw .tooManyRedirects(request.url) }
                redirects += 1
                let next = try redirectTarget(response, from: current)
                if next.host?.lowercased() != current.host?.lowercased() || next.port != current.port {
                    headers.remove("Authorization")
                }
                current = next
                continue
            }
            if response.status == 429 || response.status == 503, retries < configuration.maxRetries,
                let wait = Self.retryAfter(response.headers["Retry-After"]),
                ContinuousClock.now + wait < request.deadline
            {
                retries += 1
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw .cancelled
                }
                continue
            }
            return response
        }
    }

    /// Opens a connection to `origin` with `GET /` (any answer will do) unless a request went
    /// there in the last ``OriginActivity/recent``: the pool then keeps it for the request
    /// that needs it.
    public func preconnect(_ origin: String, deadline: ContinuousClock.Instant) async {
        guard let url = try? validatedURL(origin), let key = OriginActivity.origin(of: url) else { return }
        guard activity.claimPreconnect(key) else {
            preconnects.record(made: false)
            return
        }
        preconnects.record(made: true)
        // GET, its (small) answer read to the end: a server that answers a HEAD it has no route
        // for with a body, or with `Connection: close`, would cost the very connection wanted.
        _ = try? await fetch(FetchRequest(url: key + "/", maxBodyBytes: 64 * 1024, deadline: deadline))
    }

    private func execute(_ request: FetchRequest, url: URL, headers: FetchHeaders) async throws(FetchError) -> FetchResponse {
        if let origin = OriginActivity.origin(of: url) { activity.noteUse(origin) }
        var outbound = HTTPClientRequest(url: url.absoluteString)
        switch request.method {
        case .get: outbound.method = .GET
        case .head: outbound.method = .HEAD
        case .post: outbound.method = .POST
        }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        outbound.headers.add(name: "User-Agent", value: configuration.userAgent)
        for field in headers { outbound.headers.add(name: field.name, value: field.value) }
        // AsyncHTTPClient's own deadline comes a little before ours: a request that could not
        // connect then fails with the connection's last error (a TLS verification failure, a
        // refused connection) rather than with our bare "timed out".
        let remaining = request.deadline - ContinuousClock.now - Self.clientDeadlineLead
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outbound, deadline: .now() + .nanoseconds(remaining.clampedNanoseconds))
        } catch {
            throw Self.map(error, url: url.absoluteString)
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > request.maxBodyBytes,
            request.method != .head
        {
            throw .bodyTooLarge(url: url.absoluteString, limit: request.maxBodyBytes)
        }
        var body: [UInt8] = []
        do {
            if request.method == .head {
                // A HEAD response has no body, but AsyncHTTPClient hands the connection back to
                // its pool only once the (empty) body stream has ended: a response dropped
                // unread closes the connection, and the next request pays a new handshake.
                for try await _ in response.body {}
            } else {
                var buffer = try await response.body.collect(upTo: request.maxBodyBytes)
                body = buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(url: url.absoluteString, limit: request.maxBodyBytes)
        } catch {
            throw Self.map(error, url: url.absoluteString)
        }
        return FetchResponse(
            status: Int(response.status.code),
            headers: FetchHeaders(response.headers.map { (name: $0.name, value: $0.value) }),
            body: body, url: url.absoluteString)
    }

    /// Runs `body`, failing with `timedOut` (and cancelling it) when `deadline` passes first.
    private func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, url: String, _ body: @escaping @Sendable () async throws(FetchError) -> T
    ) async throws(FetchError) -> T {
        guard deadline > .now else { throw .timedOut(url) }
        let result: Result<T, FetchError> = await withTaskGroup(of: Result<T, FetchError>?.self) { group in
            group.addTask {
                do throws(FetchError) {
                    return .success(try await body())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await DeadlineSleep.until(deadline) ? .failure(.timedOut(url)) : nil
            }
            var outcome: Result<T, FetchError> = .failure(.timedOut(url))
            for await next in group {
                if let next {
                    outcome = next
                    break
                }
            }
            group.cancelAll()
            // Both deadlines passed at about the same time (AsyncHTTPClient's is a little
            // earlier): if the request ended with its own reason, such as the TLS failure of a
            // connection it kept retrying, that says more than "timed out".
            if case .failure(.timedOut) = outcome {
                for await next in group {
                    if case .failure(.transport(let url, let message))? = next { outcome = .failure(.transport(url: url, message)) }
                }
            }
            return outcome
        }
        if Task.isCancelled { throw .cancelled }
        return try result.get()
    }

    private func validatedURL(_ text: String) throws(FetchError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .invalidURL(text)
        }
        guard url.user == nil, url.password == nil else { throw .invalidURL(text) }
        switch scheme {
        case "https": return url
        case "http" where configuration.allowInsecureHTTP: return url
        default: throw .insecureURL(text)
        }
    }

    private func redirectTarget(_ response: FetchResponse, from current: URL) throws(FetchError) -> URL {
        guard let location = response.headers["Location"],
            let next = URL(string: location, relativeTo: current)?.absoluteURL
        else {
            throw .redirectRefused(from: current.absoluteString, reason: "no usable Location header")
        }
        // Never from https down to http, even when the test flag allows http URLs.
        if current.scheme?.lowercased() == "https", next.scheme?.lowercased() != "https" {
            throw .redirectRefused(from: current.absoluteString, reason: "\(next.absoluteString) would leave https")
        }
        let target: URL
        do {
            target = try validatedURL(next.absoluteString)
        } catch {
            throw .redirectRefused(from: current.absoluteString, reason: "\(next.absoluteString) is not an allowed URL (\(error))")
        }
        if let reason = configuration.serverNamedTargets.refusal(of: target) {
            throw .redirectRefused(from: current.absoluteString, reason: "\(target.absoluteString): \(reason)")
        }
        return target
    }

    /// `Retry-After` as seconds (HTTP-dates are honoured as their distance from now).
    public static func retryAfter(_ value: String?) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000)))
    }

    private static func map(_ error: any Error, url: String) -> FetchError {
        if error is CancellationError { return .cancelled }
        if let client = error as? HTTPClientError {
            if client == .deadlineExceeded || client == .readTimeout || client == .connectTimeout {
                return .timedOut(url)
            }
            if client == .cancelled { return .cancelled }
        }
        let parsed = URL(string: url)
        let authority = parsed?.host.map { host in parsed?.port.map { "\(host):\($0)" } ?? host } ?? url
        if let tls = tlsProblem(error, host: authority) { return .transport(url: url, tls) }
        if let connection = ConnectionFailure.describe(error, host: authority) { return .transport(url: url, connection) }
        return .transport(url: url, String(describing: error))
    }

    /// A TLS failure in words, naming the host and what to do; nil for other errors.
    static func tlsProblem(_ error: any Error, host: String) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "TLS verification of \(host) failed: its certificate is not valid for that name"
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        if case .handshakeFailed = ssl, String(describing: ssl).contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS verification of \(host) failed: its certificate is not signed by a CA this machine trusts, or has expired "
                + "(for a private CA, pass its certificate with --ca-bundle)"
        }
        return "TLS handshake with \(host) failed: \(ssl)"
    }
}
