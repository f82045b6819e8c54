import Foundation
import Logging
import Verifier

/// Everything `atcr-webhook` is configured with (flags and their environment variables).
public struct WebhookConfiguration: Sendable {
    /// Address and port of the HTTPS webhook listener.
    public var host = "0.0.0.0"
    public var port = 8443
    /// Plain-HTTP port for `/metrics` (and health); 0 turns it off (metrics stay on the TLS port).
    public var metricsPort = 9090
    public var certificateFile = "/etc/atcr-verify/tls/tls.crt"
    public var keyFile = "/etc/atcr-verify/tls/tls.key"
    public var policyFile = "/etc/atcr-verify/policy/policy.yaml"
    public var plcDirectory = "https://plc.directory"
    /// Extra CA certificates for outbound TLS (registries, PLC, PDSes, did:web hosts).
    public var caBundle: String?
    /// A docker `config.json` with registry credentials.
    public var dockerConfig: String?
    public var cacheTTL: Duration = .seconds(300)
    public var negativeCacheTTL: Duration = .seconds(30)
    /// Used when the API server sends no `timeout`.
    public var defaultTimeout: Duration = .seconds(10)
    public var auditOnly = false
    public var eventsEnabled = true
    /// Where Events go; nil: in-cluster (service-account token and CA).
    public var kubernetesAPI: KubernetesAPI?
    public var logLevel: Logger.Level = .info
    /// LOCAL TEST WORLD ONLY: plain http upstreams, localhost did:web, loopback PDS endpoints.
    public var allowInsecureLocal = false
    /// Registries reached over plain http (only with `allowInsecureLocal`).
    public var plainHTTPRegistries: [String] = []
    public var maxBodyBytes = 8 << 20
    /// After SIGTERM, how long to keep answering while draining (`/readyz` 503, HTTP/1.1 answers
    /// with `Connection: close`) before closing the listener; 0 stops at once.
    public var shutdownDelay: Duration = .seconds(5)
    /// Which per-image audit lines go to stdout: all, findings (denials and audit findings), none.
    public var auditLines: AuditLines = .all
    /// `POST /gatekeeper/verify`: a CA (PEM) whose client certificates the provider requires
    /// (Gatekeeper presents its webhook certificate); nil: any TLS client may ask.
    public var providerClientCA: String?
    /// `POST /gatekeeper/verify`: the whole request's deadline, inside the Provider's `timeout`.
    public var providerTimeout: Duration = .seconds(2)
    /// How often certificate and policy files are checked for changes.
    public var reloadInterval: Duration = .seconds(1)
    /// `ATCR_*` variables that are set but that no setting reads (a typo?): logged as warnings.
    public var unknownVariables: [String] = []
    /// The pod name (Events' `reportingInstance`), from `POD_NAME`.
    public var podName = ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
    /// Let registry redirects and token realms lead to private addresses (10/8, 172.16/12,
    /// 192.168/16, 100.64/10, fc00::/7), for an internal registry. Loopback and link-local
    /// stay refused unless `allowInsecureLocal`.
    public var allowPrivateUpstreams = false
    /// A review naming more distinct images to verify than this verifies none (``ImageBound``).
    public var maxImagesPerReview = ImageBound.defaultLimit
    /// Verifications in flight at once, reviews' and background loads' together (background
    /// loads hold at most half, and at most 64). 128: about 9 MB of work at the ~70 KB a
    /// verification holds against a stalled upstream, and far more than a replica has in flight
    /// in normal traffic (cached verifications take microseconds), so it binds only when
    /// upstreams stall.
    public var maxConcurrentVerifications = 128
    /// Cache loads that may go on after their review gave up (no flag; at most half of
    /// ``maxConcurrentVerifications``).
    public var maxBackgroundLoads = 64
    /// Estimated bytes the verifier's four caches may hold together.
    public var cacheMaxBytes = VerifierCaches.Configuration.defaultTotalBytes
    /// How long an expired DID document is served while its directory is unreachable; zero:
    /// never.
    public var didStaleIfError = VerifierCaches.Configuration.defaultDIDStaleIfError
    /// How often the freshness watch asks each active trusted DID's PDS for its latest commit;
    /// zero turns the watch off (revocations are then noticed within the cache TTL).
    public var freshnessInterval: Duration = .seconds(5)
    /// getLatestCommit requests per second to one PDS host (per replica).
    public var freshnessHostRate: Double = 2
    /// Warm connections (PLC directory, registries and PDSes the policy names) and trusted DIDs'
    /// documents in the background at start-up and after each policy change.
    public var warmup = true
    /// The pod's namespace (`POD_NAMESPACE`, else the service account's), for Events about the
    /// webhook itself; nil: none are sent.
    public var podNamespace: String? = WebhookConfiguration.defaultPodNamespace()
    /// The pod's uid (`POD_UID`), named by Events about the webhook itself.
    public var podUID: String? = ProcessInfo.processInfo.environment["POD_UID"]

    static func defaultPodNamespace() -> String? {
        if let namespace = ProcessInfo.processInfo.environment["POD_NAMESPACE"], !namespace.isEmpty { return namespace }
        let file = "\(KubernetesAPI.serviceAccountDirectory)/namespace"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let namespace = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return namespace.isEmpty ? nil : namespace
    }

    public init() {}
}
