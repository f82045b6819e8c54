import ATProto
import ArgumentParser
import CommandSettings
import Foundation
import HTTPFetch
import OCI
import TrustPolicy
import Verifier

/// `atcr-verify IMAGE… --policy FILE`: verify images against a trust policy, for CI.
public struct VerifyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify images' ATProto signatures against a trust policy (for CI: exit 0 admitted, 1 denied).",
        discussion: """
            Each image is decided exactly as the webhook decides it: the policies whose scope matches, \
            the signatures of trusted DIDs only (no request is made for any other DID, and none at all \
            for an image no scope matches), every check of the record proof, and the freshness rule.

            Exit codes: 0 every image admitted (audit findings are printed as warnings); 1 an image \
            is denied; 2 bad input (unreadable or invalid policy, malformed image reference).
            """)

    @Argument(help: "Image references, e.g. atcr.io/alice/prod-api:v1 or …@sha256:….")
    var images: [String]

    @Option(name: .long, help: "The trust-policy YAML file.")
    var policy: String

    @Option(name: .long, help: "The namespace the image would run in (policies may filter on it).")
    var namespace: String?

    @Option(name: .long, help: "PLC directory URL.")
    var plcURL: String = "https://plc.directory"

    @Option(name: .long, help: "PEM bundle of extra CA certificates to trust for every outbound request.")
    var caBundle: String?

    @Option(name: .long, help: "Docker config.json with registry credentials.")
    var dockerConfig: String?

    @Option(name: .long, parsing: .unconditional, help: "Time allowed per image, in seconds (1…600): it bounds every request, TLS handshakes included.")
    var timeout: Int = 30

    @Flag(name: .long, help: "Treat every enforce policy as audit (report, never deny).")
    var auditOnly = false

    @Flag(name: .long, help: "LOCAL TEST WORLD ONLY: allow plain http, did:web on localhost ports and loopback endpoints.")
    var allowInsecureLocal = false

    @Option(name: .long, help: "LOCAL TEST WORLD ONLY (with --allow-insecure-local): a registry reached over plain http (repeatable).")
    var plainHTTPRegistry: [String] = []

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    @Flag(name: .long, help: "Let registry redirects and token realms lead to private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), for an internal registry.")
    var allowPrivateUpstreams = false
    @Option(name: .long, help: "Seconds an expired DID document may be used while its directory is unreachable, 0 for never (as the webhook's --did-stale-if-error).")
    var didStaleIfError = Int(VerifierCaches.Configuration.defaultDIDStaleIfError.components.seconds)

    public init() {}

    public func validate() throws {
        var settings = SettingsReader(environment: [:])
        _ = settings.int(timeout, "--timeout", default: 30, in: 1...600)
        _ = settings.int(didStaleIfError, "--did-stale-if-error", default: 3600, atLeast: 0)
        if !plainHTTPRegistry.isEmpty && !allowInsecureLocal {
            settings.report("--plain-http-registry needs --allow-insecure-local (plain http is for the local test world only)")
        }
        try settings.checkAsUsage()
    }

    public func run() async throws {
        let now = Date()
        guard let bytes = FileReader.read(policy, limit: PolicyLintCommand.maxFileSize + 1), bytes.count <= PolicyLintCommand.maxFileSize else {
            throw CLIFailure("cannot read the policy file \(policy): \(FileReader.problem(policy) ?? "larger than \(PolicyLintCommand.maxFileSize) bytes")")
        }
        let loaded = PolicyLoader.load(yaml: String(decoding: bytes, as: UTF8.self), now: now, allowInsecureLocalEndpoints: allowInsecureLocal)
        guard let trustPolicy = loaded.policy else {
            throw CLIFailure("the policy \(policy) is invalid:\n" + loaded.errors.map { "  \($0)" }.joined(separator: "\n"))
        }
        var references: [ImageReference] = []
        for text in images {
            do {
                references.append(try ImageReference(parsing: text))
            } catch {
                throw CLIFailure("\(text): \(error)")
            }
        }
        var credentials = RegistryCredentials.anonymous
        if let dockerConfig {
            do {
                credentials = try RegistryCredentials.load(dockerConfigAt: dockerConfig)
            } catch {
                throw CLIFailure("\(dockerConfig): \(error)")
            }
        }
        let fetcher: HTTPFetcher
        do {
            fetcher = try HTTPFetcher(configuration: .init(
                allowInsecureHTTP: allowInsecureLocal, caBundlePath: caBundle,
                serverNamedTargets: ServerNamedTargets(testWorld: allowInsecureLocal, allowPrivate: allowPrivateUpstreams)))
        } catch {
            throw CLIFailure("--ca-bundle \(error)")
        }
        let insecure = Set(plainHTTPRegistry)
        var caches = VerifierCaches.Configuration()
        caches.didStaleIfError = .seconds(didStaleIfError)
        let verifier = ImageVerifier(
            fetcher: fetcher,
            registry: RegistryClient(fetcher: fetcher, credentials: credentials, configuration: .init(insecureRegistries: insecure)),
            // No work outlives --timeout here: nobody retries, so nothing would use a warmed cache.
            options: .init(resolver: .init(plcDirectory: plcURL, allowInsecureLocal: allowInsecureLocal), backgroundBudget: .zero, caches: caches))
        var outcomes: [ImageOutcome] = []
        for reference in references {
            let plan = trustPolicy.contactPlan(
                for: ImageName(registry: reference.registry, repository: reference.repository), namespace: namespace, now: now)
            let started = ContinuousClock.now
            let verdict = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(timeout))
            let decision = trustPolicy.evaluate(verdict.evaluationInput(namespace: namespace, now: now, auditOnly: auditOnly))
            outcomes.append(ImageOutcome(verdict: verdict, decision: decision, duration: ContinuousClock.now - started))
        }
        try? await fetcher.shutdown()
        print(json ? JSONValue.array(outcomes.map(\.json)).serialized : outcomes.map(\.text).joined(separator: "\n"))
        if outcomes.contains(where: { $0.decision.verdict == .deny }) { throw ExitCode(1) }
    }
}

/// A usage or input problem: printed, exit 2.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
