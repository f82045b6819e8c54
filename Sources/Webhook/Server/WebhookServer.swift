import Foundation
import HTTPFetch
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import OCI
import TrustPolicy
import TrustPolicyWatcher
import Verifier

/// The admission webhook: HTTPS (TLS 1.2+, HTTP/1.1 keep-alive, and HTTP/2 through ALPN) with
/// `POST /validate`, `GET /healthz`, `GET /readyz`, `GET /metrics`; the certificate and the trust
/// policy re-read when their files change; Events sent in the background; SIGTERM (or
/// cancellation) stops accepting, finishes in-flight reviews, and returns.
public final class WebhookServer: Sendable {
    public let configuration: WebhookConfiguration
    public let metrics = WebhookMetrics()
    public let certificates: CertificateStore
    public let policyWatcher: PolicyWatcher
    public let service: ReviewService
    let verifier: ImageVerifier
    let fetcher: HTTPFetcher
    let eventSink: EventSink?
    let eventFetcher: HTTPFetcher?
    /// Asks active DIDs' PDSes for their latest commit (nil with `--freshness-interval 0`).
    let freshnessWatch: FreshnessWatch?
    let watchFetcher: HTTPFetcher?
    let logger: Logger

    public init(configuration: WebhookConfiguration, logger: Logger, audit: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        self.logger = logger
        certificates = CertificateStore(certificatePath: configuration.certificateFile, keyPath: configuration.keyFile)
        policyWatcher = PolicyWatcher(
            path: configuration.policyFile, pollInterval: configuration.reloadInterval, logger: logger,
            allowInsecureLocalEndpoints: configuration.allowInsecureLocal)
        fetcher = try HTTPFetcher(configuration: .init(allowInsecureHTTP: configuration.allowInsecureLocal, caBundlePath: configuration.caBundle))
        var credentials = RegistryCredentials.anonymous
        if let path = configuration.dockerConfig { credentials = try RegistryCredentials.load(dockerConfigAt: path) }
        var caches = VerifierCaches.Configuration()
        for keyPath: WritableKeyPath<VerifierCaches.Configuration, CacheConfiguration> in [\.identities, \.evidence, \.discoveries] {
            caches[keyPath: keyPath].ttl = configuration.cacheTTL
            caches[keyPath: keyPath].negativeTTL = configuration.negativeCacheTTL
        }
        caches.tags.negativeTTL = configuration.negativeCacheTTL
        if configuration.eventsEnabled, let api = configuration.kubernetesAPI ?? KubernetesAPI.inCluster() {
            let eventFetcher = try HTTPFetcher(configuration: .init(caBundlePath: api.caFile))
            self.eventFetcher = eventFetcher
            eventSink = EventSink(api: api, fetcher: eventFetcher, metrics: metrics, logger: logger)
        } else {
            eventFetcher = nil
            eventSink = nil
        }
        let alerts = IdentityChangeAlerts(
            metrics: metrics, logger: logger, events: eventSink,
            pod: configuration.podNamespace.map { PodIdentity(name: configuration.podName, namespace: $0, uid: configuration.podUID) })
        let watchFreshness = configuration.freshnessInterval > .zero
        verifier = ImageVerifier(
            fetcher: fetcher,
            registry: RegistryClient(
                fetcher: fetcher, credentials: credentials,
                configuration: .init(insecureRegistries: configuration.allowInsecureLocal ? Set(configuration.plainHTTPRegistries) : [])),
            options: .init(
                resolver: .init(plcDirectory: configuration.plcDirectory, allowInsecureLocal: configuration.allowInsecureLocal),
                caches: caches, trackFreshness: watchFreshness, onIdentityChange: { alerts.report($0) }))
        let watcher = policyWatcher
        if let ledger = verifier.freshness {
            // Its own fetcher, without automatic retries: the watch honours Retry-After itself.
            let watchFetcher = try HTTPFetcher(configuration: .init(
                allowInsecureHTTP: configuration.allowInsecureLocal, caBundlePath: configuration.caBundle, maxRetries: 0))
            self.watchFetcher = watchFetcher
            freshnessWatch = FreshnessWatch(
                ledger: ledger, pds: PDSClient(fetcher: watchFetcher),
                options: .init(
                    interval: configuration.freshnessInterval, hostRate: configuration.freshnessHostRate,
                    activeWindow: configuration.cacheTTL),
                logger: logger, isTrusted: { did in await watcher.policy?.trustedDID(did.string) != nil })
        } else {
            watchFetcher = nil
            freshnessWatch = nil
        }
        service = ReviewService(
            verifier: verifier, policy: { await watcher.policy },
            options: .init(
                auditOnly: configuration.auditOnly, maxBodyBytes: configuration.maxBodyBytes, defaultTimeout: configuration.defaultTimeout,
                reportingInstance: configuration.podName),
            metrics: metrics, logger: logger, events: eventSink, audit: audit)
    }

    /// True when a valid policy and the certificate are loaded.
    public func isReady() async -> Bool {
        await policyWatcher.isReady && certificates.isLoaded
    }

    /// Serves until SIGTERM/SIGINT (with `signals`) or until the calling task is cancelled.
    /// `onListening` receives the HTTPS port (and the metrics port, 0 when off) once bound.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (_ port: Int, _ metricsPort: Int) -> Void = { _, _ in }) async throws {
        _ = await policyWatcher.checkNow()
        certificates.reloadIfChanged()
        let tls = try certificates.tlsConfiguration(alpn: ["h2", "http/1.1"])
        let router = Router()
        addRoutes(to: router, metricsHere: true)
        let (ports, continuation) = AsyncStream<(main: Bool, port: Int)>.makeStream()
        var application = Application(
            router: router, server: try .http2Upgrade(tlsConfiguration: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { continuation.yield((true, $0.localAddress?.port ?? 0)) }, logger: logger)
        var metricsApplication: Application<RouterResponder<BasicRequestContext>>?
        if configuration.metricsPort != 0 {
            let metricsRouter = Router()
            addRoutes(to: metricsRouter, metricsHere: true, reviews: false)
            metricsApplication = Application(
                router: metricsRouter,
                configuration: .init(address: .hostname(configuration.host, port: configuration.metricsPort), serverName: nil),
                onServerRunning: { continuation.yield((false, $0.localAddress?.port ?? 0)) }, logger: logger)
        }
        let expected = metricsApplication == nil ? 1 : 2
        let reporter = Task {
            var main = 0, metrics = 0, seen = 0
            for await (isMain, port) in ports {
                if isMain { main = port } else { metrics = port }
                seen += 1
                if seen == expected { break }
            }
            onListening(main, metrics)
        }
        let policyTask = Task { await policyWatcher.run() }
        let freshnessWatch = freshnessWatch
        let freshnessTask = Task { await freshnessWatch?.run() }
        let certificates = certificates, interval = configuration.reloadInterval, logger = logger, metrics = metrics
        let certificateTask = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let failuresBefore = certificates.counters.failures
                if certificates.reloadIfChanged() {
                    metrics.increment("atcr_certificate_reloads_total", [("result", "success")])
                    logger.info("serving certificate reloaded", metadata: ["path": "\(certificates.certificatePath)"])
                } else if certificates.counters.failures > failuresBefore {
                    metrics.increment("atcr_certificate_reloads_total", [("result", "failure")])
                    logger.error("serving certificate not reloaded; keeping the current one", metadata: ["error": "\(certificates.lastError ?? "")"])
                }
            }
        }
        defer {
            policyTask.cancel()
            freshnessTask.cancel()
            certificateTask.cancel()
            reporter.cancel()
        }
        if let metricsApplication { application.addServices(metricsApplication) }
        if handleSignals {
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } else {
            try await application.runService(gracefulShutdownSignals: [])
        }
        logger.info("server stopped accepting and finished in-flight reviews")
        await eventSink?.finish()
        try? await fetcher.shutdown()
        try? await eventFetcher?.shutdown()
        freshnessTask.cancel()
        await freshnessTask.value
        try? await watchFetcher?.shutdown()
    }

    func addRoutes(to router: Router<BasicRequestContext>, metricsHere: Bool, reviews: Bool = true) {
        let service = service, maxBody = configuration.maxBodyBytes
        if reviews {
            router.post("validate") { request, context -> Response in
                let body: [UInt8]
                do {
                    var buffer = try await request.body.collect(upTo: maxBody)
                    body = buffer.readBytes(length: buffer.readableBytes) ?? []
                } catch {
                    return Self.json(.badRequest, #"{"error":"body_too_large","message":"the request body is larger than \#(maxBody) bytes"}"#)
                }
                let answer = await service.review(body: body, query: request.uri.query)
                return Self.json(.init(code: answer.status), answer.body)
            }
        }
        router.get("healthz") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("readyz") { _, _ in
            let policyState = await self.policyWatcher.state
            let ready = policyState.isReady && self.certificates.isLoaded
            var problems: [String] = []
            if !policyState.isReady { problems.append("no valid trust policy loaded" + (policyState.lastError.map { ": \($0)" } ?? "")) }
            if !self.certificates.isLoaded { problems.append("no serving certificate loaded" + (self.certificates.lastError.map { ": \($0)" } ?? "")) }
            let body = ready
                ? #"{"status":"ready"}"#
                : #"{"status":"not_ready","problems":\#(JSONText.array(problems))}"#
            return Self.json(ready ? .ok : .serviceUnavailable, body)
        }
        if metricsHere {
            router.get("metrics") { _, _ in
                let text = await self.metricsText()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
        }
    }

    /// The metrics page: our counters plus cache, DID-resolution, policy and certificate state.
    func metricsText() async -> String {
        var extra: [(name: String, labels: [(String, String)], value: Double)] = []
        for (cache, counters) in await verifier.caches.counters() {
            extra.append(("atcr_cache_hits_total", [("cache", cache)], Double(counters.hits + counters.negativeHits + counters.staleHits)))
            extra.append(("atcr_cache_misses_total", [("cache", cache)], Double(counters.misses)))
        }
        let resolutions = verifier.signatures.resolver.statistics.snapshot
        extra.append(("atcr_did_resolutions_total", [("result", "success")], Double(resolutions.success)))
        extra.append(("atcr_did_resolutions_total", [("result", "failure")], Double(resolutions.failure)))
        let state = await policyWatcher.state
        extra.append(("atcr_policy_reloads_total", [("result", "success")], Double(state.reloadSuccesses)))
        extra.append(("atcr_policy_reloads_total", [("result", "failure")], Double(state.reloadFailures)))
        let freshness = freshnessSamples()
        return metrics.render(extra: extra + freshness.counters, gauges: freshness.gauges)
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Tiny JSON text helpers for fixed-shape answers.
enum JSONText {
    static func array(_ strings: [String]) -> String {
        "[" + strings.map { JSONLogHandler.quote($0) }.joined(separator: ",") + "]"
    }
}
