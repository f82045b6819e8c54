/// One outbound request. Every request carries its own deadline and body bound: nothing the
/// verifier fetches may hang it or fill its memory.
public struct FetchRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case head = "HEAD"
        /// For the few writes the webhook makes (Kubernetes Events); never redirected.
        case post = "POST"
    }

    public var url: String
    public var method: Method
    public var headers: FetchHeaders
    /// The largest body accepted; a longer body fails with `bodyTooLarge`.
    public var maxBodyBytes: Int
    /// When the whole request (connect, head, body, redirects, retries) must be done.
    public var deadline: ContinuousClock.Instant
    /// How many redirects to follow (0: a 3xx is returned as it is).
    public var maxRedirects: Int
    /// The request body (POST).
    public var body: [UInt8]?
    /// True when `url` came from a server's answer (a token realm), not from the operator's
    /// configuration: it is then checked like a redirect target (`ServerNamedTargets`).
    public var urlNamedByServer: Bool

    public init(
        url: String, method: Method = .get, headers: FetchHeaders = FetchHeaders(), maxBodyBytes: Int,
        deadline: ContinuousClock.Instant, maxRedirects: Int = 0, body: [UInt8]? = nil, urlNamedByServer: Bool = false
    ) {
        self.body = body
        self.urlNamedByServer = urlNamedByServer
        self.url = url
        self.method = method
        self.headers = headers
        self.maxBodyBytes = maxBodyBytes
        self.deadline = deadline
        self.maxRedirects = maxRedirects
    }
}

/// Header fields in order; names compare case-insensitively.
public struct FetchHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Replaces every value of `name`.
    public mutating func set(_ name: String, _ value: String?) {
        remove(name)
        if let value { fields.append((name, value)) }
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: FetchHeaders, rhs: FetchHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A response whose body has been read completely (within the bound).
public struct FetchResponse: Sendable {
    public var status: Int
    public var headers: FetchHeaders
    public var body: [UInt8]
    /// The URL that answered, after redirects.
    public var url: String

    public init(status: Int, headers: FetchHeaders, body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }
}

/// Why a request produced no response. Every case is transient or a policy refusal; callers
/// decide which HTTP statuses are errors.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// Plain http (or another scheme) without the explicit test flag.
    case insecureURL(String)
    case timedOut(String)
    case bodyTooLarge(url: String, limit: Int)
    case tooManyRedirects(String)
    /// A redirect to a URL the policy refuses (another scheme, userinfo, no Location, an
    /// address `ServerNamedTargets` refuses).
    case redirectRefused(from: String, reason: String)
    /// A URL a server named (a token realm) leads to an address `ServerNamedTargets` refuses.
    case targetRefused(url: String, reason: String)
    /// Connection refused, TLS failure, reset: the transport's own words.
    case transport(url: String, String)
    case cancelled

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url)"
        case .insecureURL(let url): return "refused \(url): only https is allowed (plain http only in a local test world, with --allow-insecure-local)"
        case .timedOut(let url): return "timed out fetching \(url)"
        case .bodyTooLarge(let url, let limit): return "response from \(url) is larger than \(limit) bytes"
        case .tooManyRedirects(let url): return "too many redirects from \(url)"
        case .redirectRefused(let url, let reason): return "refused redirect from \(url): \(reason)"
        case .targetRefused(let url, let reason): return "refused \(url): \(reason)"
        case .transport(let url, let message): return "could not fetch \(url): \(message)"
        case .cancelled: return "request cancelled"
        }
    }

    /// True for failures that may succeed later (never cached as a verdict): no answer, an
    /// answer too large for its bound, or a redirect loop. A refused URL or redirect target is a
    /// decision of ours and stays refused.
    public var isTransient: Bool {
        switch self {
        case .timedOut, .transport, .cancelled, .bodyTooLarge, .tooManyRedirects: return true
        default: return false
        }
    }
}

/// The seam every outbound request goes through.
public protocol HTTPFetching: Sendable {
    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse

    /// Opens a pooled connection to `origin` (`https://host[:port]`, from the operator's
    /// configuration or a trusted DID's document, never from an untrusted answer) ahead of the
    /// first request that needs it; does nothing when one is likely pooled already. Never
    /// throws: a failed preconnect only means the later request dials itself.
    func preconnect(_ origin: String, deadline: ContinuousClock.Instant) async
}

extension HTTPFetching {
    /// Fetchers without a connection pool have nothing to open.
    public func preconnect(_ origin: String, deadline: ContinuousClock.Instant) async {}
}
