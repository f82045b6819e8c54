import ArgumentParser
import BuildInfo
import CommandSettings
import Foundation
import Logging
import Webhook

/// `atcr-webhook`: the validating admission webhook. Every setting is a flag and an `ATCR_*`
/// variable (shown in `--help`), read through `SettingsReader` in `configuration()`: the flag
/// wins, a bad value of either is a startup error naming it. To add a setting, declare the flag
/// optional here and read it once in `configuration()` (see `SettingsReader`).
@main
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atcr-webhook",
        abstract: "Kubernetes validating admission webhook: admits Pods whose images carry a valid ATProto signature by a trusted DID.",
        discussion: """
            Serves HTTPS (TLS 1.2+; HTTP/1.1 and HTTP/2 by ALPN) with POST /validate (AdmissionReview \
            admission.k8s.io/v1), POST /mutate (the optional pin-digests mutating webhook: rewrites each \
            verified tag to its verified digest; docs/operations.md), POST /gatekeeper/verify (Gatekeeper external \
            data, docs/gatekeeper.md), GET /healthz, GET /readyz (ready once a valid policy and the certificate \
            have loaded) and GET /metrics (Prometheus; also on the plain --metrics-port). The certificate, key \
            and policy files are re-read when they change (Secret and ConfigMap volume updates). One JSON audit \
            line per image decision goes to stdout; logs (JSON) to stderr. SIGTERM: drain for --shutdown-delay \
            (/readyz 503, HTTP/1.1 answers close their connection), stop accepting, finish in-flight reviews, exit 0.

            Each flag can be set by its ATCR_* variable instead; the flag wins. Booleans are true, false, \
            1 or 0 (any case). A value that cannot be used (not a number, out of range, an unreadable \
            file, a port in use) stops the webhook at startup with one line naming it, exit status 1.
            """,
        version: "atcr-webhook \(BuildInfo.versionText)")

    static let logLevels = Logger.Level.allCases.map(\.rawValue)

    @Option(help: "Listen address (ATCR_HOST, default 0.0.0.0).") var host: String?
    @Option(parsing: .unconditional, help: "HTTPS port, 0 for any free one (ATCR_PORT, default 8443).") var port: Int?
    @Option(parsing: .unconditional, help: "Plain-HTTP metrics and health port, 0 for none (ATCR_METRICS_PORT, default 9090).") var metricsPort: Int?
    @Option(help: "Serving certificate, PEM (ATCR_TLS_CERT, default /etc/atcr-verify/tls/tls.crt).") var tlsCert: String?
    @Option(help: "Serving key, PEM (ATCR_TLS_KEY, default /etc/atcr-verify/tls/tls.key).") var tlsKey: String?
    @Option(help: "Trust-policy file (ATCR_POLICY, default /etc/atcr-verify/policy/policy.yaml).") var policy: String?
    @Option(help: "PLC directory URL (ATCR_PLC_URL, default https://plc.directory).") var plcURL: String?
    @Option(help: "Extra CA certificates (PEM) for outbound TLS (ATCR_CA_BUNDLE).") var caBundle: String?
    @Option(help: "Docker config.json with registry credentials (ATCR_DOCKER_CONFIG).") var dockerConfig: String?
    @Option(parsing: .unconditional, help: "Evidence cache TTL in seconds (ATCR_CACHE_TTL, default 300).") var cacheTTL: Int?
    @Option(parsing: .unconditional, help: "Definite-negative cache TTL in seconds (ATCR_NEGATIVE_CACHE_TTL, default 30).") var negativeCacheTTL: Int?
    @Option(parsing: .unconditional, help: "Deadline in seconds when the API server sends no timeout, 1…30 (ATCR_DEFAULT_TIMEOUT, default 10).")
    var defaultTimeout: Int?
    @Flag(help: "Turn every enforce policy into audit, for rollout (ATCR_AUDIT_ONLY=true).") var auditOnly = false
    @Flag(inversion: .prefixedEnableDisable, help: "Send Kubernetes Events for denials and audit findings (ATCR_EVENTS, default on).")
    var events: Bool?
    @Option(help: "Kubernetes API URL for Events; default in-cluster (ATCR_KUBE_API).") var kubeAPI: String?
    @Option(help: "Service-account token file (ATCR_KUBE_TOKEN_FILE, default the in-cluster one).") var kubeTokenFile: String?
    @Option(help: "Kubernetes API CA file (ATCR_KUBE_CA_FILE, default the in-cluster one).") var kubeCAFile: String?
    @Option(help: "Log level: \(logLevels.joined(separator: ", ")) (ATCR_LOG_LEVEL, default info).") var logLevel: String?
    @Flag(help: "LOCAL TEST WORLD ONLY: allow plain-http upstreams, localhost did:web and loopback PDS endpoints (ATCR_ALLOW_INSECURE_LOCAL=true).")
    var allowInsecureLocal = false
    @Option(help: "With --allow-insecure-local: a registry reached over plain http (repeatable).") var plainHTTPRegistry: [String] = []
    @Flag(help: "Let registry redirects and token realms lead to private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), for an internal registry (ATCR_ALLOW_PRIVATE_UPSTREAMS=true).")
    var allowPrivateUpstreams = false
    @Option(parsing: .unconditional, help: "Seconds to keep answering after SIGTERM while draining: /readyz 503, HTTP/1.1 answers close their connection (ATCR_SHUTDOWN_DELAY, default 5).")
    var shutdownDelay: Int?
    @Option(help: "CA (PEM) whose client certificates POST /gatekeeper/verify requires, e.g. Gatekeeper's ca.crt; presented certificates are verified at the handshake, /validate needs none (ATCR_PROVIDER_CLIENT_CA; default: any TLS client).")
    var providerClientCA: String?
    @Option(parsing: .unconditional, help: "Seconds POST /gatekeeper/verify may take for a whole ProviderRequest, 0.1…30; keep it below the Provider's timeout (ATCR_PROVIDER_TIMEOUT, default 2).")
    var providerTimeout: Double?
    @Option(parsing: .unconditional, help: "A review naming more distinct images than this verifies none: images a policy requires a signature for are then denied under enforce (ATCR_MAX_IMAGES_PER_REVIEW, default \(defaults.maxImagesPerReview)).")
    var maxImagesPerReview: Int?
    @Option(parsing: .unconditional, help: "Verifications in flight at once; an image waits for a slot until its review's deadline (ATCR_MAX_CONCURRENT_VERIFICATIONS, default \(defaults.maxConcurrentVerifications)).")
    var maxConcurrentVerifications: Int?
    @Option(parsing: .unconditional, help: "Estimated bytes the verifier's caches may hold together (ATCR_CACHE_MAX_BYTES, default \(defaults.cacheMaxBytes)).")
    var cacheMaxBytes: Int?
    @Option(parsing: .unconditional, help: "Seconds an expired DID document is served while its directory is unreachable, 0 for never (ATCR_DID_STALE_IF_ERROR, default \(defaults.didStaleIfError.components.seconds)).")
    var didStaleIfError: Int?
    @Option(parsing: .unconditional, help: "Seconds between getLatestCommit checks of each trusted DID in use, so revocations are noticed within about this long; 0: off, revocations then wait for --cache-ttl (ATCR_FRESHNESS_INTERVAL, default 5).")
    var freshnessInterval: Double?
    @Option(parsing: .unconditional, help: "getLatestCommit requests per second to one PDS host, per replica; more DIDs on a host stretch its cycle (ATCR_FRESHNESS_HOST_RATE, default 2).")
    var freshnessHostRate: Double?
    @Flag(inversion: .prefixedNo, help: "Warm connections to the PLC directory and the registries and PDSes the policy names, and resolve the trusted DIDs' documents, in the background at start-up and after each policy change (ATCR_WARMUP, default on).")
    var warmup: Bool?
    @Option(help: "Audit lines on stdout: all (one per image decision, ~800 bytes each), findings (denials and audit findings only), none (ATCR_AUDIT_LINES, default all).")
    var auditLines: String?

    static let defaults = WebhookConfiguration()

    /// The configuration these flags and `environment` describe, or every problem with them.
    func configuration(environment: [String: String]) throws(SettingsError) -> WebhookConfiguration {
        var settings = SettingsReader(environment: environment)
        var configuration = WebhookConfiguration()
        configuration.host = settings.string(host, "--host", env: "ATCR_HOST", default: "0.0.0.0")
        configuration.port = settings.int(port, "--port", env: "ATCR_PORT", default: 8443, in: 0...65535)
        configuration.metricsPort = settings.int(metricsPort, "--metrics-port", env: "ATCR_METRICS_PORT", default: 9090, in: 0...65535)
        configuration.certificateFile = settings.string(tlsCert, "--tls-cert", env: "ATCR_TLS_CERT", default: "/etc/atcr-verify/tls/tls.crt")
        configuration.keyFile = settings.string(tlsKey, "--tls-key", env: "ATCR_TLS_KEY", default: "/etc/atcr-verify/tls/tls.key")
        configuration.policyFile = settings.string(policy, "--policy", env: "ATCR_POLICY", default: "/etc/atcr-verify/policy/policy.yaml")
        configuration.plcDirectory = settings.string(plcURL, "--plc-url", env: "ATCR_PLC_URL", default: "https://plc.directory")
        configuration.caBundle = settings.string(caBundle, "--ca-bundle", env: "ATCR_CA_BUNDLE")
        configuration.dockerConfig = settings.string(dockerConfig, "--docker-config", env: "ATCR_DOCKER_CONFIG")
        configuration.cacheTTL = .seconds(settings.int(cacheTTL, "--cache-ttl", env: "ATCR_CACHE_TTL", default: 300, atLeast: 0))
        configuration.negativeCacheTTL = .seconds(settings.int(negativeCacheTTL, "--negative-cache-ttl", env: "ATCR_NEGATIVE_CACHE_TTL", default: 30, atLeast: 0))
        configuration.defaultTimeout = .seconds(settings.int(defaultTimeout, "--default-timeout", env: "ATCR_DEFAULT_TIMEOUT", default: 10, in: 1...30))
        configuration.auditOnly = settings.flag(auditOnly, "--audit-only", env: "ATCR_AUDIT_ONLY")
        configuration.eventsEnabled = settings.bool(events, "--enable-events", env: "ATCR_EVENTS", default: true)
        let kubeToken = settings.string(kubeTokenFile, "--kube-token-file", env: "ATCR_KUBE_TOKEN_FILE", default: "\(KubernetesAPI.serviceAccountDirectory)/token")
        let kubeCA = settings.string(kubeCAFile, "--kube-ca-file", env: "ATCR_KUBE_CA_FILE", default: "\(KubernetesAPI.serviceAccountDirectory)/ca.crt")
        if let api = settings.string(kubeAPI, "--kube-api", env: "ATCR_KUBE_API") {
            configuration.kubernetesAPI = KubernetesAPI(baseURL: api, tokenFile: kubeToken, caFile: kubeCA)
        }
        let level = settings.choice(logLevel, "--log-level", env: "ATCR_LOG_LEVEL", default: "info", among: Self.logLevels)
        configuration.logLevel = Logger.Level(rawValue: level) ?? .info
        configuration.allowInsecureLocal = settings.flag(allowInsecureLocal, "--allow-insecure-local", env: "ATCR_ALLOW_INSECURE_LOCAL")
        configuration.plainHTTPRegistries = plainHTTPRegistry
        if !plainHTTPRegistry.isEmpty && !configuration.allowInsecureLocal {
            settings.report("--plain-http-registry needs --allow-insecure-local (plain http is for the local test world only)")
        }
        configuration.allowPrivateUpstreams = settings.flag(allowPrivateUpstreams, "--allow-private-upstreams", env: "ATCR_ALLOW_PRIVATE_UPSTREAMS")
        configuration.shutdownDelay = .seconds(settings.int(shutdownDelay, "--shutdown-delay", env: "ATCR_SHUTDOWN_DELAY", default: 5, in: 0...60))
        configuration.providerClientCA = settings.string(providerClientCA, "--provider-client-ca", env: "ATCR_PROVIDER_CLIENT_CA")
        let providerSeconds = settings.double(
            providerTimeout, "--provider-timeout", env: "ATCR_PROVIDER_TIMEOUT", default: 2,
            expected: "0.1…30 seconds", isValid: { (0.1...30).contains($0) })
        configuration.providerTimeout = .milliseconds(Int((providerSeconds * 1000).rounded()))
        configuration.maxImagesPerReview = settings.int(
            maxImagesPerReview, "--max-images-per-review", env: "ATCR_MAX_IMAGES_PER_REVIEW", default: Self.defaults.maxImagesPerReview, atLeast: 1)
        configuration.maxConcurrentVerifications = settings.int(
            maxConcurrentVerifications, "--max-concurrent-verifications", env: "ATCR_MAX_CONCURRENT_VERIFICATIONS",
            default: Self.defaults.maxConcurrentVerifications, atLeast: 1)
        configuration.cacheMaxBytes = settings.int(cacheMaxBytes, "--cache-max-bytes", env: "ATCR_CACHE_MAX_BYTES", default: Self.defaults.cacheMaxBytes, atLeast: 0)
        configuration.didStaleIfError = .seconds(settings.int(
            didStaleIfError, "--did-stale-if-error", env: "ATCR_DID_STALE_IF_ERROR",
            default: Int(Self.defaults.didStaleIfError.components.seconds), atLeast: 0))
        let interval = settings.double(
            freshnessInterval, "--freshness-interval", env: "ATCR_FRESHNESS_INTERVAL", default: 5,
            expected: "0 (off) or 0.1…3600 seconds", isValid: { $0 == 0 || (0.1...3600).contains($0) })
        configuration.freshnessInterval = .milliseconds(Int((interval * 1000).rounded()))
        configuration.freshnessHostRate = settings.double(
            freshnessHostRate, "--freshness-host-rate", env: "ATCR_FRESHNESS_HOST_RATE", default: 2,
            expected: "0.01…1000 requests per second", isValid: { (0.01...1000).contains($0) })
        configuration.warmup = settings.bool(warmup, "--warmup", env: "ATCR_WARMUP", default: true)
        let lines = settings.choice(auditLines, "--audit-lines", env: "ATCR_AUDIT_LINES", default: "all", among: AuditLines.allCases.map(\.rawValue))
        configuration.auditLines = AuditLines(rawValue: lines) ?? .all
        try settings.check()
        configuration.unknownVariables = settings.unreadVariables()
        return configuration
    }

    func run() async throws {
        let configuration: WebhookConfiguration
        do {
            configuration = try self.configuration(environment: ProcessInfo.processInfo.environment)
        } catch {
            Self.fail(error.problems)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        var logger = Logger(label: "atcr-webhook")
        logger.logLevel = level
        for name in configuration.unknownVariables {
            logger.warning("\(name) is set but is not a setting of this version: ignored (a typo?)")
        }
        if configuration.allowInsecureLocal { logger.warning("--allow-insecure-local is on: plain http and loopback upstreams are accepted (test worlds only)") }

        let server: WebhookServer
        do {
            server = try WebhookServer(configuration: configuration, logger: logger) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch let error as WebhookStartupError {
            Self.fail(["\(error)"])
        }
        do {
            try await server.preflight()
            logger.info("starting atcr-webhook", metadata: server.startupSummary)
            let announcer = logger
            try await server.run { port, metricsPort in
                announcer.info("listening", metadata: ["port": "\(port)", "metricsPort": "\(metricsPort)"])
            }
        } catch let error as WebhookStartupError {
            await server.shutdown()  // every exit path closes the HTTP clients (debug builds trap otherwise)
            Self.fail(["\(error)"])
        }
        logger.info("stopped")
    }

    /// A startup error: one line per problem on stderr, exit status 1.
    static func fail(_ problems: [String]) -> Never {
        for problem in problems { FileHandle.standardError.write(Data("atcr-webhook: \(problem)\n".utf8)) }
        Foundation.exit(1)
    }
}
