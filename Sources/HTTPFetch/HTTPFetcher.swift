import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Settings shared by every request of one fetcher.
public struct FetchConfiguration: Sendable {
    /// Allow plain `http://` URLs and redirects. For the local test world only.
    public var allowInsecureHTTP: Bool
    /// PEM file of extra CA certificates to trust (a private CA, the test world's CA).
    public var caBundlePath: String?
    public var userAgent: String
    /// How often a 429/503 with `Retry-After` is retried, when the deadline leaves room.
    public var maxRetries: Int

    public init(allowInsecureHTTP: Bool = false, caBundlePath: String? = nil, userAgent: String = "atcr-verify/0.1", maxRetries: Int = 2) {
        self.allowInsecureHTTP = allowInsecureHTTP
        self.caBundlePath = caBundlePath
        self.userAgent = userAgent
        self.maxRetries = maxRetries
    }
}

/// `HTTPFetching` over AsyncHTTPClient.
///
/// AsyncHTTPClient's own deadline covers only the response head and its read timeout is an idle
/// timeout, so a server dripping one byte a second would outlive both: the whole request runs in
/// a task raced against the deadline and cancelled when it passes. Redirects are followed here,
/// hop by hop, so each hop's scheme is checked and `Authorization` is dropped when a hop leaves
/// the origin host (S3 presigned URLs refuse a second credential).
public final class HTTPFetcher: HTTPFetching {
    private let client: HTTPClient
    public let configuration: FetchConfiguration

    public init(configuration: FetchConfiguration = FetchConfiguration()) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let path = configuration.caBundlePath {
            tls.additionalTrustRoots = [.file(path)]
        }
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, decompression: .disabled)
        clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        self.configuration = configuration
    }

    /// Closes pooled connections. Call once, when done.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        var current = try validatedURL(request.url)
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

    private func execute(_ request: FetchRequest, url: URL, headers: FetchHeaders) async throws(FetchError) -> FetchResponse {
        var outbound = HTTPClientRequest(url: url.absoluteString)
        switch request.method {
        case .get: outbound.method = .GET
        case .head: outbound.method = .HEAD
        case .post: outbound.method = .POST
        }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        outbound.headers.add(name: "User-Agent", value: configuration.userAgent)
        for field in headers { outbound.headers.add(name: field.name, value: field.value) }
        let remaining = request.deadline - ContinuousClock.now
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
        if request.method != .head {
            do {
                var buffer = try await response.body.collect(upTo: request.maxBodyBytes)
                body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch is NIOTooManyBytesError {
                throw .bodyTooLarge(url: url.absoluteString, limit: request.maxBodyBytes)
            } catch {
                throw Self.map(error, url: url.absoluteString)
            }
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
        do {
            return try validatedURL(next.absoluteString)
        } catch {
            throw .redirectRefused(from: current.absoluteString, reason: "\(next.absoluteString) is not an allowed URL (\(error))")
        }
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
        return .transport(url: url, String(describing: error))
    }
}
