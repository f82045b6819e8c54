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
import ServiceLifecycle
import TrustPolicy
import TrustPolicyWatcher
import Verifier

/// The admission webhook: HTTPS (TLS 1.2+, HTTP/1.1 keep-alive, and HTTP/2 through ALPN) with
/// `POST /validate`, `POST /mutate` (the optional pin-digests webhook), `GET /healthz`, `GET /readyz`, `GET /metrics`; the certificate and the trust
/// policy re-read when their files change; Events sent in the background; SIGTERM (or
/// cancellation) stops accepting, finishes in-flight reviews, and returns.
public final class WebhookServer: Sendable {
    public let configuration: WebhookConfiguration
    public let metrics = WebhookMetrics()
    public let certificates: CertificateStore
    public let policyWatcher: PolicyWatcher
    public let service: ReviewService
    /// Lame-duck state between SIGTERM and the end of serving.
    public let drain = DrainState()
    let verifier: ImageVerifier
    let fetcher: HTTPFetcher
    let eventSink: EventSink?
    let eventFetcher: HTTPFetcher?
    /// Where Events go; nil: Events are off.
    let eventAPI: KubernetesAPI?
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
        // Everything that can fail comes before the first HTTP client exists: a client dropped
        // without `shutdown()` traps in debug builds, and the real error would never be printed.
        var credentials = RegistryCredentials.anonymous
        if let path = configuration.dockerConfig {
            do {
                credentials = try RegistryCredentials.load(dockerConfigAt: path)
            } catch {
                throw WebhookStartupError.dockerConfig(path: path, error)
            }
        }
        let eventAPI = configuration.eventsEnabled ? configuration.kubernetesAPI ?? KubernetesAPI.inCluster() : nil
        self.eventAPI = eventAPI
        let trustRoots: TrustRoots, eventTrustRoots: TrustRoots?
        do {
            trustRoots = try TrustRoots.load(configuration.caBundle)
        } catch {
            throw WebhookStartupError.file(flag: "--ca-bundle", path: error.path, reason: error.reason)
        }
        do throws(TrustRootsError) {
            eventTrustRoots = try eventAPI.map { api throws(TrustRootsError) in try TrustRoots.load(api.caFile) }
        } catch {
            throw WebhookStartupError.file(flag: "--kube-ca-file", path: error.path, reason: error.reason)
        }
        fetcher = HTTPFetcher(
            configuration: .init(
                allowInsecureHTTP: configuration.allowInsecureLocal, caBundlePath: configuration.caBundle,
                serverNamedTargets: ServerNamedTargets(testWorld: configuration.allowInsecureLocal, allowPrivate: configuration.allowPrivateUpstreams)),
            trustRoots: trustRoots)
        var caches = VerifierCaches.Configuration()
        for keyPath: WritableKeyPath<VerifierCaches.Configuration, CacheConfiguration> in [\.identities, \.evidence, \.discoveries] {
            caches[keyPath: keyPath].ttl = configuration.cacheTTL
            caches[keyPath: keyPath].negativeTTL = configuration.negativeCacheTTL
        }
        caches.tags.negativeTTL = configuration.negativeCacheTTL
        caches.didStaleIfError = configuration.didStaleIfError
        caches.limitBytes(to: configuration.cacheMaxBytes)
        if let eventAPI, let eventTrustRoots {
            let eventFetcher = HTTPFetcher(configuration: .init(caBundlePath: eventAPI.caFile), trustRoots: eventTrustRoots)
            self.eventFetcher = eventFetcher
            eventSink = EventSink(api: eventAPI, fetcher: eventFetcher, metrics: metrics, logger: logger)
        } else {
            eventFetcher = nil
            eventSink = nil
        }
        let alerts = IdentityChangeAlerts(
            metrics: metrics, logger: logger, events: eventSink,
            pod: configuration.podNamespace.map { PodIdentity(name: configuration.podName, namespace: $0, uid: configuration.podUID) })
        let watchFreshness = configuration.freshnessInterval > .zero
        var verifierOptions = ImageVerifier.Options(
            resolver: .init(plcDirectory: configuration.plcDirectory, allowInsecureLocal: configuration.allowInsecureLocal),
            caches: caches, maxConcurrentVerifications: configuration.maxConcurrentVerifications,
            maxBackgroundLoads: configuration.maxBackgroundLoads, trackFreshness: watchFreshness,
            onIdentityChange: { alerts.report($0) })
        verifierOptions.stageTimer = StageTimer(factory: metrics.factory)
        verifier = ImageVerifier(
            fetcher: fetcher,
            registry: RegistryClient(
                fetcher: fetcher, credentials: credentials,
                configuration: .init(insecureRegistries: configuration.allowInsecureLocal ? Set(configuration.plainHTTPRegistries) : [])),
            options: verifierOptions)
        let watcher = policyWatcher
        if let ledger = verifier.freshness {
            // Its own fetcher, without automatic retries: the watch honours Retry-After itself.
            let watchFetcher = HTTPFetcher(
                configuration: .init(
                    allowInsecureHTTP: configuration.allowInsecureLocal, caBundlePath: configuration.caBundle, maxRetries: 0,
                    serverNamedTargets: ServerNamedTargets(testWorld: configuration.allowInsecureLocal, allowPrivate: configuration.allowPrivateUpstreams)),
                trustRoots: trustRoots)
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
                reportingInstance: configuration.podName, maxImagesPerReview: configuration.maxImagesPerReview,
                auditLines: configuration.auditLines),
            metrics: metrics, logger: logger, events: eventSink, audit: audit)
    }

    /// True when a valid policy and the certificate are loaded.
    public func isReady() async -> Bool {
        await policyWatcher.isReady && certificates.isLoaded
    }

    /// Serves until SIGTERM/SIGINT (with `signals`) or until the calling task is cancelled.
    /// `onListening` receives the HTTPS port (and the metrics port, 0 when off) once bound.
    /// Whichever way it ends (a startup error included), the HTTP clients are shut down.
    /// Startup errors are `WebhookStartupError`s: a port in use, an unusable certificate.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (_ port: Int, _ metricsPort: Int) -> Void = { _, _ in }) async throws {
        do {
            try await serve(handleSignals: handleSignals, onListening: onListening)
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    /// Sends the Events still queued and closes the HTTP clients. `run` calls it; call it
    /// yourself only for a server that never ran. Safe to call twice.
    public func shutdown() async {
        await eventSink?.finish()
        try? await fetcher.shutdown()
        try? await eventFetcher?.shutdown()
        try? await watchFetcher?.shutdown()
    }

    /// The startup checks `run` makes before it listens: the certificate and key (a missing file
    /// in an existing directory is waited for, anything else is an error) and the ports. Call it
    /// first to report a startup error before anything else is logged; `run` repeats it.
    public func preflight() async throws(WebhookStartupError) {
        if let problem = certificates.startupProblem() { throw .certificate(problem) }
        _ = try providerClientCertificates()
        try await PortCheck.free(host: configuration.host, ports: [("--port", configuration.port), ("--metrics-port", configuration.metricsPort)])
    }

    private func serve(handleSignals: Bool, onListening: @escaping @Sendable (_ port: Int, _ metricsPort: Int) -> Void) async throws {
        try await preflight()
        if !certificates.isLoaded {
            logger.warning(
                "serving certificate not there yet: not ready until it appears (checked every \(configuration.reloadInterval))",
                metadata: ["error": "\(certificates.lastError ?? "")"])
        }
        _ = await policyWatcher.checkNow()
        let tls = try withProviderClientCA(certificates.tlsConfiguration(alpn: ["h2", "http/1.1"]))
        let router = Router(context: WebhookRequestContext.self)
        router.add(middleware: DrainMiddleware(state: drain))
        addRoutes(to: router, metricsHere: true)
        let (ports, continuation) = AsyncStream<(main: Bool, port: Int)>.makeStream()
        var application = Application(
            router: router, server: try .http2Upgrade(tlsConfiguration: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { continuation.yield((true, $0.localAddress?.port ?? 0)) }, logger: logger)
        var metricsApplication: Application<RouterResponder<WebhookRequestContext>>?
        if configuration.metricsPort != 0 {
            let metricsRouter = Router(context: WebhookRequestContext.self)
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
        let warmupTask = configuration.warmup ? Task { await warmWhenPolicyChanges() } : nil
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
            warmupTask?.cancel()
            freshnessTask.cancel()
            certificateTask.cancel()
            reporter.cancel()
        }
        if let metricsApplication { application.addServices(metricsApplication) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        if handleSignals {
            services.append(.init(
                service: SignalDrainer(drain: drain, delay: configuration.shutdownDelay, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            // Taken between the check above and the bind: name the port all the same.
            try await PortCheck.free(host: configuration.host, ports: [("--port", configuration.port), ("--metrics-port", configuration.metricsPort)])
            throw error
        }
        logger.info("server stopped accepting and finished in-flight reviews")
    }

    func addRoutes(to router: Router<WebhookRequestContext>, metricsHere: Bool, reviews: Bool = true) {
        let service = service, maxBody = configuration.maxBodyBytes, metrics = metrics
        if reviews {
            router.post("validate") { request, context -> Response in
                guard let body = try? await Self.body(of: request, upTo: maxBody) else { return Self.bodyTooLarge(maxBody) }
                let started = ContinuousClock.now
                let answer = await service.review(body: body, query: request.uri.query)
                metrics.observeReview(ContinuousClock.now - started)
                return Self.json(.init(code: answer.status), answer.body)
            }
            // The optional pin-digests companion (manifests/components/pin-digests): the same
            // review path, answering with a JSON Patch.
            router.post("mutate") { request, context -> Response in
                guard let body = try? await Self.body(of: request, upTo: maxBody) else { return Self.bodyTooLarge(maxBody) }
                let answer = await service.mutate(body: body, query: request.uri.query)
                return Self.json(.init(code: answer.status), answer.body)
            }
            addGatekeeperRoute(to: router)
        }
        router.get("healthz") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("readyz") { _, _ in
            if self.drain.isDraining {
                return Self.json(.serviceUnavailable, #"{"status":"draining","problems":["shutting down: finishing reviews, then exiting"]}"#)
            }
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

    /// The metrics page: our counters plus cache, DID-resolution, policy and certificate state
    /// read from their owners now.
    func metricsText() async -> String {
        for (cache, counters) in await verifier.caches.counters() {
            metrics.advance("atcr_cache_hits_total", [("cache", cache)], to: Double(counters.hits + counters.negativeHits + counters.staleHits))
            metrics.advance("atcr_cache_misses_total", [("cache", cache)], to: Double(counters.misses))
            metrics.advance("atcr_cache_evictions_total", [("cache", cache)], to: Double(counters.evictions))
            metrics.set("atcr_cache_bytes", [("cache", cache)], to: Double(counters.bytes))
        }
        let slots = verifier.slots.usage
        metrics.set("atcr_verifications_in_flight", to: Double(slots.inUse - slots.background))
        metrics.set("atcr_verification_slot_waiters", to: Double(slots.waiting))
        metrics.set("atcr_background_loads", to: Double(slots.background))
        let resolutions = verifier.signatures.resolver.statistics.snapshot
        metrics.advance("atcr_did_resolutions_total", [("result", "success")], to: Double(resolutions.success))
        metrics.advance("atcr_did_resolutions_total", [("result", "failure")], to: Double(resolutions.failure))
        let prefetched = verifier.prefetchStatistics.snapshot
        metrics.advance("atcr_prefetched_did_documents_total", [("use", "used")], to: Double(prefetched.used))
        metrics.advance("atcr_prefetched_did_documents_total", [("use", "unused")], to: Double(prefetched.unused))
        let preconnects = fetcher.preconnects.snapshot
        metrics.advance("atcr_preconnects_total", [("result", "made")], to: Double(preconnects.made))
        metrics.advance("atcr_preconnects_total", [("result", "skipped")], to: Double(preconnects.skipped))
        let state = await policyWatcher.state
        metrics.advance("atcr_policy_reloads_total", [("result", "success")], to: Double(state.reloadSuccesses))
        metrics.advance("atcr_policy_reloads_total", [("result", "failure")], to: Double(state.reloadFailures))
        if let expiry = certificates.expiry {
            metrics.set("atcr_serving_certificate_expiry_timestamp_seconds", to: expiry.timeIntervalSince1970)
        }
        recordFreshness()
        return metrics.render()
    }

    /// The request body, at most `limit` bytes (throws beyond).
    static func body(of request: Request, upTo limit: Int) async throws -> [UInt8] {
        var buffer = try await request.body.collect(upTo: limit)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func bodyTooLarge(_ limit: Int) -> Response {
        json(.badRequest, #"{"error":"body_too_large","message":"the request body is larger than \#(limit) bytes"}"#)
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
