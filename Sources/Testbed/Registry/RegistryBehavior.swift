import OCI

/// How a `TestRegistry` behaves: which optional APIs it offers, how it authenticates, and the
/// faults and lies tests ask of it. Change it at any time with `TestRegistry.configure`.
public struct RegistryBehavior: Sendable {
    /// Serve `GET /v2/<name>/referrers/<digest>`; when false it answers 404 like distribution 2.8.
    public var referrersAPI = true
    /// Apply the `artifactType` filter (and say so in `OCI-Filters-Applied`); when false the
    /// filter is ignored, as some registries do.
    public var honoursArtifactTypeFilter = true
    /// Descriptors per referrers page; nil for one page.
    public var referrersPageSize: Int?
    /// Base of `Link` pagination URLs: nil for relative links, or e.g. `http://127.0.0.1:5000`
    /// for absolute ones (a foreign host tests the client's refusal).
    public var linkBase: String?
    /// Keep the OCI 1.1 fallback index at tag `sha256-<hex>` up to date when a manifest with a
    /// `subject` is pushed (the job of the pusher with a real 2.8 registry).
    public var maintainsReferrersTag = true
    public var authentication: RegistryAuthentication = .none
    /// When set, blob GETs answer 307 to `<blobRedirectBase>/blobs/<digest>?X-Amz-Signature=…`
    /// (a `TestBlobHost`), as ATCR does with S3.
    public var blobRedirectBase: String?
    /// The scheme the registry is served with, for the token realm it advertises.
    public var scheme = "http"
    /// Faults served before normal answers (429/503 with `Retry-After`, 500…), in order.
    public var faults: [RegistryFault] = []
    /// `Docker-Content-Digest` values to send instead of the truth, by the real digest.
    public var digestHeaderLies: [Digest: Digest] = [:]
    /// Leave out `Docker-Content-Digest` (so clients must hash a GET to resolve a tag).
    public var omitsDigestHeader = false

    public init() {}
}

/// Authentication a `TestRegistry` demands.
public enum RegistryAuthentication: Sendable {
    case none
    /// Bearer tokens from the registry's own `/token` endpoint.
    case bearer(TokenService)
    /// Basic credentials on every request.
    case basic(username: String, password: String)
}

/// The token endpoint's rules.
public struct TokenService: Sendable {
    /// The realm advertised; nil for `<scheme>://<Host header>/token`.
    public var realm: String?
    public var service = "test-registry"
    /// Credentials the token endpoint requires (Basic); nil for anonymous tokens.
    public var credentials: (username: String, password: String)?
    /// `expires_in` of issued tokens, seconds.
    public var lifetime = 300
    /// Tokens accepted without issuance (a docker `registrytoken`).
    public var staticTokens: Set<String> = []

    public init(
        realm: String? = nil, credentials: (username: String, password: String)? = nil, lifetime: Int = 300,
        staticTokens: Set<String> = []
    ) {
        self.realm = realm
        self.credentials = credentials
        self.lifetime = lifetime
        self.staticTokens = staticTokens
    }
}

/// A response served instead of the normal one, `count` times, to requests whose path
/// contains `pathContains` (all `/v2/` requests when nil).
public struct RegistryFault: Sendable {
    public var status: Int
    public var retryAfter: String?
    public var count: Int
    public var pathContains: String?

    public init(status: Int, retryAfter: String? = nil, count: Int = 1, pathContains: String? = nil) {
        self.status = status
        self.retryAfter = retryAfter
        self.count = count
        self.pathContains = pathContains
    }
}
