import HTTPFetch
import HostNames

/// Talks to OCI registries through `HTTPFetching`: the `/v2/` probe, token and Basic auth,
/// manifests (HEAD/GET with digest checks), the referrers API with its tag-schema fallback,
/// and blobs (digest and size checked). Every call takes the caller's deadline.
///
/// A value type: copies share the token cache (an actor), so one client can serve many
/// concurrent verifications.
public struct RegistryClient: Sendable {
    /// Limits and the plain-http escape hatch.
    public struct Configuration: Sendable {
        /// Registries (canonical names, e.g. `127.0.0.1:5000`) reached over plain http, whose
        /// token realm may be http too. For the local test world only; the fetcher must also
        /// allow insecure http.
        public var insecureRegistries: Set<String>
        /// The largest manifest, index or referrers page read (4 MiB).
        public var maxManifestBytes: Int
        /// The largest signature blob read (64 KiB).
        public var maxSignatureBlobBytes: Int
        /// The most signature artifacts one image may have (16); more is an error.
        public var maxReferrers: Int
        /// The most referrers pages followed (8).
        public var maxReferrerPages: Int
        /// Redirects followed for blobs and manifests (blobs are often served from S3).
        public var maxRedirects: Int
        /// The clock bearer-token lifetimes are measured on (tests inject one).
        public var clock: @Sendable () -> ContinuousClock.Instant

        public init(
            insecureRegistries: Set<String> = [], maxManifestBytes: Int = 4 << 20, maxSignatureBlobBytes: Int = 64 << 10,
            maxReferrers: Int = 16, maxReferrerPages: Int = 8, maxRedirects: Int = 5,
            clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
        ) {
            self.clock = clock
            self.insecureRegistries = Set(insecureRegistries.map { RegistryHost.canonical($0) })
            self.maxManifestBytes = maxManifestBytes
            self.maxSignatureBlobBytes = maxSignatureBlobBytes
            self.maxReferrers = maxReferrers
            self.maxReferrerPages = maxReferrerPages
            self.maxRedirects = maxRedirects
        }
    }

    let fetcher: any HTTPFetching
    public let credentials: RegistryCredentials
    public let configuration: Configuration
    let tokens: TokenStore

    public init(fetcher: any HTTPFetching, credentials: RegistryCredentials = .anonymous, configuration: Configuration = Configuration()) {
        self.fetcher = fetcher
        self.credentials = credentials
        self.configuration = configuration
        self.tokens = TokenStore(now: configuration.clock)
    }

    /// `GET /v2/`: succeeds when the registry speaks the distribution API and, if it asks for
    /// authentication, the configured credentials (or anonymous tokens) are accepted.
    public func probe(registry: String, deadline: ContinuousClock.Instant) async throws(RegistryError) {
        let request = RegistryRequest(
            registry: RegistryHost.canonical(registry), repository: nil, path: "/v2/",
            operation: "probing the registry API")
        let response = try await send(request, deadline: deadline)
        guard (200...299).contains(response.status) else { throw statusError(response, request) }
    }

    /// `https://<api host>` (or `http://` for insecure registries).
    public func origin(_ registry: String) -> String {
        let scheme = configuration.insecureRegistries.contains(registry) ? "http" : "https"
        return "\(scheme)://\(RepositoryLocation(registry: registry, repository: "").apiHost)"
    }
}

/// One request to a registry's API.
struct RegistryRequest: Sendable {
    var registry: String
    var repository: String?
    /// The path from `/v2/`, already escaped.
    var path: String
    var query: String?
    /// A full URL to use instead of `path`/`query` (a pagination link on the same registry).
    var absoluteURL: String?
    var method: FetchRequest.Method = .get
    var accept: [String] = []
    var maxBodyBytes: Int = 64 << 10
    var maxRedirects: Int = 0
    var operation: String

    init(
        registry: String, repository: String?, path: String, query: String? = nil, method: FetchRequest.Method = .get,
        accept: [String] = [], maxBodyBytes: Int = 64 << 10, maxRedirects: Int = 0, operation: String
    ) {
        self.registry = registry
        self.repository = repository
        self.path = path
        self.query = query
        self.method = method
        self.accept = accept
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.operation = operation
    }

    init(_ location: RepositoryLocation, path: String, operation: String) {
        self.init(registry: location.registry, repository: location.repository, path: path, operation: operation)
    }

    /// `repository:<name>:pull` for repository requests; none for the `/v2/` probe.
    var scope: String? { repository.map { "repository:\($0):pull" } }

    func error(_ kind: RegistryError.Kind) -> RegistryError {
        RegistryError(registry: registry, repository: repository, operation: operation, kind: kind)
    }
}

extension RegistryClient {
    /// Sends `request`, authenticating as the registry's challenge asks: one retry after a 401
    /// with the token (or Basic credentials) it calls for. A 401 that remains, and a 403, are
    /// errors; every other status is returned for the caller to judge.
    func send(_ request: RegistryRequest, deadline: ContinuousClock.Instant) async throws(RegistryError) -> FetchResponse {
        let base = origin(request.registry)
        let url = request.absoluteURL ?? (base + request.path + (request.query.map { "?" + $0 } ?? ""))
        let origin = HTTPText.origin(of: base)
        var authorization = try await preemptiveAuthorization(for: request)
        var response = try await fetch(request, url: url, authorization: authorization, deadline: deadline)
        if response.status == 401, HTTPText.origin(of: response.url) == origin {
            let challenges = AuthChallenge.parse(response.headers.values("WWW-Authenticate"))
            if authorization != nil, let scope = request.scope {
                await tokens.invalidate(TokenStore.Key(registry: request.registry, scope: scope))
            }
            authorization = try await authorize(request, challenges: challenges, deadline: deadline)
            response = try await fetch(request, url: url, authorization: authorization, deadline: deadline)
        }
        switch response.status {
        case 401:
            let onRegistry = HTTPText.origin(of: response.url) == origin
            throw request.error(.unauthorized(
                onRegistry
                    ? (authorization == nil ? "the registry requires authentication and sent no usable challenge" : "the registry rejected the credentials or token")
                    : "\(response.url) (reached through a redirect) refused the request"))
        case 403:
            throw request.error(.denied)
        default:
            return response
        }
    }

    private func fetch(
        _ request: RegistryRequest, url: String, authorization: String?, deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> FetchResponse {
        var headers = FetchHeaders()
        if !request.accept.isEmpty { headers.add("Accept", request.accept.joined(separator: ", ")) }
        if let authorization { headers.add("Authorization", authorization) }
        let fetchRequest = FetchRequest(
            url: url, method: request.method, headers: headers, maxBodyBytes: request.maxBodyBytes, deadline: deadline,
            maxRedirects: request.maxRedirects)
        do throws(FetchError) {
            return try await fetcher.fetch(fetchRequest)
        } catch {
            throw request.error(.transport(error))
        }
    }

    /// The error for a status the caller did not expect (404 is the caller's to name).
    func statusError(_ response: FetchResponse, _ request: RegistryRequest) -> RegistryError {
        switch response.status {
        case 429, 503: return request.error(.rateLimited(status: response.status))
        case 500...599: return request.error(.serverError(status: response.status))
        default: return request.error(.unexpectedStatus(response.status))
        }
    }
}
