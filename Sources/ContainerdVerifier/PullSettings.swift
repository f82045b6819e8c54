import CommandSettings
import Foundation

/// What the containerd verifier is configured with. containerd passes no flags of ours and the
/// verifier inherits containerd's environment, so every setting is an `ATCR_*` variable, named
/// and validated as the webhook's (read through ``SettingsReader``): set them in containerd's
/// service unit (docs/containerd.md).
public struct PullSettings: Sendable, Equatable {
    /// `ATCR_POLICY`: the trust-policy file.
    public var policyFile = "/etc/atcr-verify/policy/policy.yaml"
    /// `ATCR_PLC_URL`.
    public var plcDirectory = "https://plc.directory"
    /// `ATCR_CA_BUNDLE`: extra CA certificates (PEM) for outbound TLS.
    public var caBundle: String?
    /// `ATCR_DOCKER_CONFIG`: a docker `config.json` with registry credentials.
    public var dockerConfig: String?
    /// `ATCR_AUDIT_ONLY`: every enforce policy acts as audit (the pull is allowed, the finding
    /// printed).
    public var auditOnly = false
    /// `ATCR_ALLOW_INSECURE_LOCAL`: LOCAL TEST WORLD ONLY.
    public var allowInsecureLocal = false
    /// `ATCR_ALLOW_PRIVATE_UPSTREAMS`: registry redirects and token realms may lead to private
    /// addresses.
    public var allowPrivateUpstreams = false
    /// `ATCR_TIMEOUT`: the whole verification's deadline, in seconds. containerd kills the
    /// verifier (and blocks the pull) at `per_verifier_timeout`, 10 s by default: keep this
    /// at least a second below it so the pull is judged with a reason rather than killed.
    public var timeout: Duration = .seconds(8)
    /// `ATCR_DID_STALE_IF_ERROR`: seconds an expired DID document may be used while its
    /// directory is unreachable.
    public var didStaleIfError: Duration = .seconds(3600)
    /// `ATCR_CACHE_DIR`: where DID documents, record proofs and the highest commit rev per DID
    /// are kept between pulls (``DiskCache``); nil (`none`): no disk cache.
    public var cacheDirectory: String? = "/var/cache/atcr-verify"
    /// `ATCR_*` variables set in the environment that no setting reads (a typo?).
    public var unknownVariables: [String] = []

    public init() {}

    /// The settings `environment` describes, or every problem with it.
    public static func read(environment: [String: String]) throws(SettingsError) -> PullSettings {
        var reader = SettingsReader(environment: environment)
        var settings = PullSettings()
        settings.policyFile = reader.string(nil, "ATCR_POLICY", env: "ATCR_POLICY", default: settings.policyFile)
        settings.plcDirectory = reader.string(nil, "ATCR_PLC_URL", env: "ATCR_PLC_URL", default: settings.plcDirectory)
        settings.caBundle = reader.string(nil, "ATCR_CA_BUNDLE", env: "ATCR_CA_BUNDLE")
        settings.dockerConfig = reader.string(nil, "ATCR_DOCKER_CONFIG", env: "ATCR_DOCKER_CONFIG")
        settings.auditOnly = reader.bool(nil, "ATCR_AUDIT_ONLY", env: "ATCR_AUDIT_ONLY", default: false)
        settings.allowInsecureLocal = reader.bool(nil, "ATCR_ALLOW_INSECURE_LOCAL", env: "ATCR_ALLOW_INSECURE_LOCAL", default: false)
        settings.allowPrivateUpstreams = reader.bool(nil, "ATCR_ALLOW_PRIVATE_UPSTREAMS", env: "ATCR_ALLOW_PRIVATE_UPSTREAMS", default: false)
        settings.timeout = .seconds(reader.int(nil, "ATCR_TIMEOUT", env: "ATCR_TIMEOUT", default: 8, in: 1...60))
        settings.didStaleIfError = .seconds(reader.int(nil, "ATCR_DID_STALE_IF_ERROR", env: "ATCR_DID_STALE_IF_ERROR", default: 3600, atLeast: 0))
        if let cacheDirectory = reader.string(nil, "ATCR_CACHE_DIR", env: "ATCR_CACHE_DIR") {
            settings.cacheDirectory = ["", "none"].contains(cacheDirectory) ? nil : cacheDirectory
        }
        try reader.check()
        settings.unknownVariables = reader.unreadVariables()
        return settings
    }
}
