import ArgumentParser
import CommandSettings
import Foundation
import HTTPFetch
import Logging
import OCI
import TrustPolicy
import Verifier
import Webhook

/// The options every verifying command shares (`verify`, `check`, `review`, `coverage`,
/// `resolve`): where the world is, how long to wait, and the test-world switches.
struct VerifierOptions: ParsableArguments {
    @Option(name: .long, help: "The trust-policy YAML file (default: $ATCR_POLICY, else .atcr/trust-policy.yaml in the working directory).")
    var policy: String?

    @Option(name: .long, help: "PLC directory URL.")
    var plcURL: String = "https://plc.directory"

    @Option(name: .long, help: "PEM bundle of extra CA certificates to trust for every outbound request.")
    var caBundle: String?

    @Option(name: .long, help: "Docker config.json with registry credentials.")
    var dockerConfig: String?

    @Option(name: .long, parsing: .unconditional, help: "Time allowed per image, in seconds (1…600): it bounds every request, TLS handshakes included.")
    var timeout: Int = 30

    @Option(name: .long, parsing: .unconditional, help: "Images verified at once (1…64).")
    var concurrency: Int = 8

    @Flag(name: .long, help: "Treat every enforce policy as audit (report, never deny).")
    var auditOnly = false

    @Flag(name: .long, help: "LOCAL TEST WORLD ONLY: allow plain http, did:web on localhost ports and loopback endpoints.")
    var allowInsecureLocal = false

    @Option(name: .long, help: "LOCAL TEST WORLD ONLY (with --allow-insecure-local): a registry reached over plain http (repeatable).")
    var plainHTTPRegistry: [String] = []

    @Flag(name: .long, help: "Let registry redirects and token realms lead to private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), for an internal registry.")
    var allowPrivateUpstreams = false

    @Option(name: .long, help: "Seconds an expired DID document may be used while its directory is unreachable, 0 for never (as the webhook's --did-stale-if-error).")
    var didStaleIfError = Int(VerifierCaches.Configuration.defaultDIDStaleIfError.components.seconds)

    /// Range checks, reported as usage errors.
    func check(into settings: inout SettingsReader) {
        _ = settings.int(timeout, "--timeout", default: 30, in: 1...600)
        _ = settings.int(concurrency, "--concurrency", default: 8, in: 1...64)
        _ = settings.int(didStaleIfError, "--did-stale-if-error", default: 3600, atLeast: 0)
        if !plainHTTPRegistry.isEmpty && !allowInsecureLocal {
            settings.report("--plain-http-registry needs --allow-insecure-local (plain http is for the local test world only)")
        }
    }

    /// The policy file, loaded and valid, or a `CLIFailure` saying what to do.
    func loadPolicy(now: Date) throws -> LoadedPolicy {
        try LoadedPolicy.load(explicit: policy, environment: ProcessInfo.processInfo.environment, now: now, allowInsecureLocal: allowInsecureLocal)
    }

    /// The outbound HTTP client, the verifier and the webhook's review service over them;
    /// `intercept` may wrap the client (record for a bundle) or replace it (replay one).
    func makeSession(
        policy: TrustPolicy, intercept: @Sendable (HTTPFetcher) -> any HTTPFetching = { $0 }
    ) throws -> VerifierSession {
        var credentials = RegistryCredentials.anonymous
        if let dockerConfig {
            do {
                credentials = try RegistryCredentials.load(dockerConfigAt: dockerConfig)
            } catch {
                throw CLIFailure("\(dockerConfig): \(error)")
            }
        }
        let client: HTTPFetcher
        do {
            client = try HTTPFetcher(configuration: .init(
                allowInsecureHTTP: allowInsecureLocal, caBundlePath: caBundle,
                serverNamedTargets: ServerNamedTargets(testWorld: allowInsecureLocal, allowPrivate: allowPrivateUpstreams)))
        } catch {
            throw CLIFailure("--ca-bundle \(error)")
        }
        let fetcher = intercept(client)
        var caches = VerifierCaches.Configuration()
        caches.didStaleIfError = .seconds(didStaleIfError)
        let resolver = DIDResolver.Options(plcDirectory: plcURL, allowInsecureLocal: allowInsecureLocal)
        let verifier = ImageVerifier(
            fetcher: fetcher,
            registry: RegistryClient(fetcher: fetcher, credentials: credentials, configuration: .init(insecureRegistries: Set(plainHTTPRegistry))),
            // No work outlives --timeout here: nobody retries, so nothing would use a warmed cache.
            options: .init(resolver: resolver, backgroundBudget: .zero, caches: caches, maxConcurrentVerifications: max(concurrency, 16)))
        let service = ReviewService(
            verifier: verifier, policy: { policy },
            options: .init(auditOnly: auditOnly, defaultTimeout: .seconds(timeout), reportingInstance: "atcr-verify", auditLines: .none),
            metrics: WebhookMetrics(), logger: Logger(label: "atcr-verify", factory: { _ in SwiftLogNoOpLogHandler() }), events: nil,
            audit: { _ in })
        return VerifierSession(
            fetcher: fetcher, client: client, verifier: verifier, service: service, resolver: resolver, timeout: .seconds(timeout))
    }
}

/// What a verifying command works with; `shutdown()` when done.
struct VerifierSession: Sendable {
    /// What every request goes through.
    let fetcher: any HTTPFetching
    /// The network client underneath (shut down at the end).
    let client: HTTPFetcher
    let verifier: ImageVerifier
    /// The webhook's review service: every decision goes through it.
    let service: ReviewService
    let resolver: DIDResolver.Options
    let timeout: Duration

    func shutdown() async {
        try? await client.shutdown()
    }
}
