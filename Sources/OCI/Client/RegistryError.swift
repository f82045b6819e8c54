import HTTPFetch

/// A registry operation that failed: which registry and repository, and what went wrong.
///
/// `isTransient` tells the verifier's caches what to do: transient failures (timeouts,
/// refused connections, 5xx, rate limiting, an unexpected redirect, content that does not match
/// its digest or size: a broken cache or proxy on the way) may succeed later and are never
/// cached; the others are definite answers about this registry's content or configuration.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 404 for a manifest (by tag or digest).
        case manifestNotFound(reference: String)
        /// 404 for a blob.
        case blobNotFound(Digest)
        /// The content's recomputed digest is not the one requested or advertised.
        case digestMismatch(expected: Digest, actual: Digest)
        /// The content's length is not the descriptor's size.
        case sizeMismatch(expected: Int64, actual: Int)
        /// A digest whose algorithm cannot be recomputed here.
        case unsupportedDigestAlgorithm(String)
        /// 401 after authenticating (or with no usable challenge).
        case unauthorized(String)
        /// 403.
        case denied
        /// A Bearer challenge whose token `realm` is not https (http only for registries
        /// configured as insecure).
        case tokenRealmNotHTTPS(realm: String)
        /// A Bearer challenge whose token realm leads to an address the fetcher refuses
        /// (loopback, link-local, private without the operator's allowance).
        case tokenRealmRefused(realm: String, reason: String)
        /// The token service refused or answered something unusable.
        case tokenRequestFailed(status: Int?, reason: String)
        /// The registry's credentials live in a credential helper or store.
        case credentialHelperUnsupported(helper: String)
        /// A configured credential of a kind this client cannot use (`identitytoken`).
        case credentialUnsupported(String)
        /// More signature referrers than the bound.
        case tooManyReferrers(limit: Int)
        /// More referrers pages than the bound.
        case tooManyReferrerPages(limit: Int)
        /// A `Link: rel="next"` pointing at another host or scheme.
        case foreignPaginationLink(String)
        case manifestTooLarge(limit: Int)
        case blobTooLarge(limit: Int)
        /// The manifest or index is not valid JSON of the expected shape.
        case invalidManifest(String)
        /// A manifest media type outside the accepted list.
        case unsupportedMediaType(String)
        /// 429 or 503 that outlasted the retries the deadline allowed.
        case rateLimited(status: Int)
        /// Another 5xx.
        case serverError(status: Int)
        /// Any other unexpected status.
        case unexpectedStatus(Int)
        /// No response: timeout, connection failure, refused redirect, invalid URL…
        case transport(FetchError)
    }

    public let registry: String
    public let repository: String?
    /// What was being done: "resolving tag latest", "fetching blob sha256:…".
    public let operation: String
    public let kind: Kind

    public init(registry: String, repository: String?, operation: String, kind: Kind) {
        self.registry = registry
        self.repository = repository
        self.operation = operation
        self.kind = kind
    }

    /// True for failures that may succeed on retry; never cache these as a verdict.
    public var isTransient: Bool {
        switch kind {
        case .transport(let error): return error.isTransient
        case .rateLimited, .serverError, .digestMismatch, .sizeMismatch: return true
        case .unexpectedStatus(let status): return status < 400  // an unfollowed redirect; a 4xx is an answer
        case .tokenRequestFailed(let status, _):
            guard let status else { return false }
            return status == 429 || status >= 500
        default: return false
        }
    }

    public var description: String {
        let place = repository.map { "\(registry)/\($0)" } ?? registry
        return "\(place): \(operation): \(detail)"
    }

    private var detail: String {
        switch kind {
        case .manifestNotFound(let reference): return "manifest \(reference) not found"
        case .blobNotFound(let digest): return "blob \(digest) not found"
        case .digestMismatch(let expected, let actual):
            return "content digest mismatch: expected \(expected), got \(actual) (the registry served other bytes)"
        case .sizeMismatch(let expected, let actual): return "size mismatch: descriptor says \(expected) bytes, got \(actual)"
        case .unsupportedDigestAlgorithm(let algorithm): return "cannot verify digests of algorithm \(algorithm)"
        case .unauthorized(let reason): return "unauthorized: \(reason)"
        case .denied: return "access denied (403)"
        case .tokenRealmNotHTTPS(let realm): return "refused token realm \(realm): token realms must be https"
        case .tokenRealmRefused(let realm, let reason): return "refused token realm \(realm): \(reason)"
        case .tokenRequestFailed(let status?, let reason): return "token request failed with HTTP \(status): \(reason)"
        case .tokenRequestFailed(nil, let reason): return "token request failed: \(reason)"
        case .credentialHelperUnsupported(let helper):
            return "credentials for this registry are in the credential helper '\(helper)'; credential helpers are not supported: put the credentials in config.json 'auths' (auth or registrytoken)"
        case .credentialUnsupported(let reason): return reason
        case .tooManyReferrers(let limit): return "more than \(limit) signature artifacts refer to this image"
        case .tooManyReferrerPages(let limit): return "the referrers list has more than \(limit) pages"
        case .foreignPaginationLink(let link): return "refused pagination link \(link): it leaves the registry"
        case .manifestTooLarge(let limit): return "manifest larger than \(limit) bytes"
        case .blobTooLarge(let limit): return "blob larger than \(limit) bytes"
        case .invalidManifest(let reason): return "invalid manifest: \(reason)"
        case .unsupportedMediaType(let mediaType): return "unsupported manifest media type \(mediaType)"
        case .rateLimited(let status): return "registry still answering \(status) (rate limited or unavailable) within the deadline"
        case .serverError(let status): return "registry error HTTP \(status)"
        case .unexpectedStatus(let status): return "unexpected HTTP \(status)"
        case .transport(let error): return error.description
        }
    }
}
