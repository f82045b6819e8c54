import ArgumentParser
import Foundation
import Logging
import Webhook

/// `atcr-webhook`: the validating admission webhook. Every flag has an environment variable
/// (shown in `--help`); a flag given on the command line wins.
@main
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atcr-webhook",
        abstract: "Kubernetes validating admission webhook: admits Pods whose images carry a valid ATProto signature by a trusted DID.",
        discussion: """
            Serves HTTPS (TLS 1.2+; HTTP/1.1 and HTTP/2 by ALPN) with POST /validate (AdmissionReview \
            admission.k8s.io/v1), GET /healthz, GET /readyz (ready once a valid policy and the certificate \
            have loaded) and GET /metrics (Prometheus; also on the plain --metrics-port). The certificate, key \
            and policy files are re-read when they change (Secret and ConfigMap volume updates). One JSON audit \
            line per image decision goes to stdout; logs (JSON) to stderr. SIGTERM: stop accepting, finish \
            in-flight reviews, exit 0.
            """)

    static func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    @Option(help: "Listen address (ATCR_HOST).") var host = env("ATCR_HOST") ?? "0.0.0.0"
    @Option(help: "HTTPS port, 0 for any free one (ATCR_PORT).") var port = Int(env("ATCR_PORT") ?? "") ?? 8443
    @Option(help: "Plain-HTTP metrics and health port, 0 for none (ATCR_METRICS_PORT).") var metricsPort = Int(env("ATCR_METRICS_PORT") ?? "") ?? 9090
    @Option(help: "Serving certificate, PEM (ATCR_TLS_CERT).") var tlsCert = env("ATCR_TLS_CERT") ?? "/etc/atcr-verify/tls/tls.crt"
    @Option(help: "Serving key, PEM (ATCR_TLS_KEY).") var tlsKey = env("ATCR_TLS_KEY") ?? "/etc/atcr-verify/tls/tls.key"
    @Option(help: "Trust-policy file (ATCR_POLICY).") var policy = env("ATCR_POLICY") ?? "/etc/atcr-verify/policy/policy.yaml"
    @Option(help: "PLC directory URL (ATCR_PLC_URL).") var plcURL = env("ATCR_PLC_URL") ?? "https://plc.directory"
    @Option(help: "Extra CA certificates (PEM) for outbound TLS (ATCR_CA_BUNDLE).") var caBundle = env("ATCR_CA_BUNDLE") ?? ""
    @Option(help: "Docker config.json with registry credentials (ATCR_DOCKER_CONFIG).") var dockerConfig = env("ATCR_DOCKER_CONFIG") ?? ""
    @Option(help: "Evidence cache TTL in seconds (ATCR_CACHE_TTL).") var cacheTTL = Int(env("ATCR_CACHE_TTL") ?? "") ?? 300
    @Option(help: "Definite-negative cache TTL in seconds (ATCR_NEGATIVE_CACHE_TTL).") var negativeCacheTTL = Int(env("ATCR_NEGATIVE_CACHE_TTL") ?? "") ?? 30
    @Option(help: "Deadline in seconds when the API server sends no timeout (ATCR_DEFAULT_TIMEOUT).") var defaultTimeout = Int(env("ATCR_DEFAULT_TIMEOUT") ?? "") ?? 10
    @Flag(help: "Turn every enforce policy into audit, for rollout (ATCR_AUDIT_ONLY=true).") var auditOnly = env("ATCR_AUDIT_ONLY") == "true"
    @Flag(inversion: .prefixedEnableDisable, help: "Send Kubernetes Events for denials and audit findings (ATCR_EVENTS=false to disable).")
    var events = env("ATCR_EVENTS") != "false"
    @Option(help: "Kubernetes API URL for Events; default in-cluster (ATCR_KUBE_API).") var kubeAPI = env("ATCR_KUBE_API") ?? ""
    @Option(help: "Service-account token file (ATCR_KUBE_TOKEN_FILE).") var kubeTokenFile = env("ATCR_KUBE_TOKEN_FILE") ?? "/var/run/secrets/kubernetes.io/serviceaccount/token"
    @Option(help: "Kubernetes API CA file (ATCR_KUBE_CA_FILE).") var kubeCAFile = env("ATCR_KUBE_CA_FILE") ?? "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (ATCR_LOG_LEVEL).") var logLevel = env("ATCR_LOG_LEVEL") ?? "info"
    @Flag(help: "LOCAL TEST WORLD ONLY: allow plain-http upstreams, localhost did:web and loopback PDS endpoints (ATCR_ALLOW_INSECURE_LOCAL=true).")
    var allowInsecureLocal = env("ATCR_ALLOW_INSECURE_LOCAL") == "true"
    @Option(help: "With --allow-insecure-local: a registry reached over plain http (repeatable).") var plainHTTPRegistry: [String] = []
    @Option(help: "Seconds between getLatestCommit checks of each trusted DID in use, so revocations are noticed within about this long; 0: off, revocations then wait for --cache-ttl (ATCR_FRESHNESS_INTERVAL).")
    var freshnessInterval = Double(env("ATCR_FRESHNESS_INTERVAL") ?? "") ?? 5
    @Option(help: "getLatestCommit requests per second to one PDS host, per replica; more DIDs on a host stretch its cycle (ATCR_FRESHNESS_HOST_RATE).")
    var freshnessHostRate = Double(env("ATCR_FRESHNESS_HOST_RATE") ?? "") ?? 2

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        guard (0...65535).contains(port), (0...65535).contains(metricsPort) else {
            throw ValidationError("ports must be 0…65535 (0: any free port, logged when listening)")
        }
        guard cacheTTL >= 0, negativeCacheTTL >= 0, (1...30).contains(defaultTimeout) else {
            throw ValidationError("TTLs must be ≥ 0 and --default-timeout 1…30 seconds")
        }
        if !plainHTTPRegistry.isEmpty && !allowInsecureLocal { throw ValidationError("--plain-http-registry needs --allow-insecure-local") }
        guard freshnessInterval == 0 || (0.1...3600).contains(freshnessInterval) else {
            throw ValidationError("--freshness-interval must be 0 (off) or 0.1…3600 seconds")
        }
        guard (0.01...1000).contains(freshnessHostRate) else { throw ValidationError("--freshness-host-rate must be 0.01…1000 requests per second") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        var logger = Logger(label: "atcr-webhook")
        logger.logLevel = level
        var configuration = WebhookConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.metricsPort = metricsPort
        configuration.certificateFile = tlsCert
        configuration.keyFile = tlsKey
        configuration.policyFile = policy
        configuration.plcDirectory = plcURL
        configuration.caBundle = caBundle.isEmpty ? nil : caBundle
        configuration.dockerConfig = dockerConfig.isEmpty ? nil : dockerConfig
        configuration.cacheTTL = .seconds(cacheTTL)
        configuration.negativeCacheTTL = .seconds(negativeCacheTTL)
        configuration.defaultTimeout = .seconds(defaultTimeout)
        configuration.auditOnly = auditOnly
        configuration.eventsEnabled = events
        if !kubeAPI.isEmpty { configuration.kubernetesAPI = KubernetesAPI(baseURL: kubeAPI, tokenFile: kubeTokenFile, caFile: kubeCAFile) }
        configuration.logLevel = level
        configuration.allowInsecureLocal = allowInsecureLocal
        configuration.plainHTTPRegistries = plainHTTPRegistry
        configuration.freshnessInterval = .milliseconds(Int((freshnessInterval * 1000).rounded()))
        configuration.freshnessHostRate = freshnessHostRate
        if allowInsecureLocal { logger.warning("--allow-insecure-local is on: plain http and loopback upstreams are accepted (test worlds only)") }

        let server = try WebhookServer(configuration: configuration, logger: logger) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let announcer = logger
        try await server.run { port, metricsPort in
            announcer.info("listening", metadata: ["port": "\(port)", "metricsPort": "\(metricsPort)"])
        }
        logger.info("stopped")
    }
}
