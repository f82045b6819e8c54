import ATProto
import Admission
import ArgumentParser
import CommandSettings
import Foundation
import OCI
import TrustPolicy
import Webhook

/// `atcr-verify IMAGE… [--policy FILE]`: verify images against a trust policy, for CI.
public struct VerifyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify images' ATProto signatures against a trust policy (for CI: exit 0 admitted, 1 denied).",
        discussion: """
            Each image is decided exactly as the webhook decides it (the same review service): the \
            policies whose scope matches, the signatures of trusted DIDs only (no request is made for \
            any other DID, and none at all for an image no scope matches), every check of the record \
            proof, and the freshness rule. Images are verified --concurrency at a time and reported in \
            the order given.

            The policy is --policy, else $ATCR_POLICY, else .atcr/trust-policy.yaml in the working \
            directory.

            \(ExitStatus.helpText)

            Examples:
              atcr-verify atcr.io/alice/prod-api:v1
              atcr-verify verify atcr.io/alice/prod-api@sha256:… --policy .atcr/trust-policy.yaml --namespace prod
              atcr-verify verify "$IMAGE" --format sarif --output atcr.sarif
              atcr-verify verify "$IMAGE" --quiet && echo admitted
              atcr-verify verify --bundle prod-api.bundle atcr.io/alice/prod-api:v1   # offline, see bundle --help
            """)

    @Argument(help: "Image references, e.g. atcr.io/alice/prod-api:v1 or …@sha256:….")
    var images: [String]

    @OptionGroup var verifier: VerifierOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "The namespace the image would run in (policies may filter on it; without it, the strictest decision any namespace could get).")
    var namespace: String?

    @Flag(name: .long, help: "Exit 1 for audit findings too (an audited image fails the job).")
    var failOnAudit = false

    @Option(name: .long, help: "Verify from this offline bundle (made by atcr-verify bundle): no network request at all.")
    var bundle: String?

    @Option(name: .long, parsing: .unconditional, help: "With --bundle: deny a bundle captured more than this many seconds ago.")
    var maxBundleAge: Int = 86400

    public init() {}

    public func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        var problems: [String] = []
        output.check(into: &problems)
        _ = settings.int(maxBundleAge, "--max-bundle-age", default: 86400, atLeast: 0)
        problems.forEach { settings.report($0) }
        try settings.checkAsUsage()
    }

    public func run() async throws {
        let now = Date()
        let loaded = try verifier.loadPolicy(now: now)
        let references = try Self.parse(images)
        let session: VerifierSession
        var asOf = ""
        if let bundle {
            let offline = try OfflineBundle.read(bundle)
            let age = now.timeIntervalSince(offline.capturedAt)
            asOf = "verified offline as of \(RFC3339.format(offline.capturedAt)) (bundle \(bundle))\n"
            guard age <= Double(maxBundleAge) else {
                FileHandle.standardError.write(Data(
                    ("atcr-verify: DENY: the bundle \(bundle) was captured at \(RFC3339.format(offline.capturedAt)), \(Int(age)) s ago, "
                        + "more than --max-bundle-age \(maxBundleAge) s; capture a new one with atcr-verify bundle\n").utf8))
                throw ExitCode(ExitStatus.denied)
            }
            let replay = ReplayFetcher(bundle: offline)
            session = try verifier.makeSession(policy: loaded.policy) { _ in replay }
        } else {
            session = try verifier.makeSession(policy: loaded.policy)
        }
        let terminal = Terminal(quiet: output.quiet, writesToFile: output.output != nil)
        let progress = ProgressCounter(total: references.count, terminal: terminal, noun: "images")
        let namespace = namespace, timeout = session.timeout, service = session.service, policy = loaded.policy
        let outcomes = await boundedMap(Array(zip(images, references)), width: verifier.concurrency) { text, reference in
            let use = ImageUse(image: text, containers: [])
            let decided = await service.decideImage(use, namespace: namespace, policy: policy, now: now, deadline: .now + timeout)
            await progress.tick()
            return ImageOutcome(display: reference.description, decided: decided, namespace: namespace, origin: nil)
        }
        terminal.finish()
        await session.shutdown()
        let report = Self.render(outcomes, format: output.chosen, policy: loaded, terminal: terminal)
        try output.emit(output.chosen == .text ? asOf + report : report)
        let code = ExitStatus.code(for: outcomes, failOnAudit: failOnAudit)
        if code != 0 { throw ExitCode(code) }
    }

    /// The references, or a usage error naming the malformed one.
    static func parse(_ images: [String]) throws -> [ImageReference] {
        var references: [ImageReference] = []
        for text in images {
            do {
                references.append(try ImageReference(parsing: text))
            } catch {
                throw CLIFailure("\(text): \(error) (an image reference such as atcr.io/alice/app:v1 or atcr.io/alice/app@sha256:<64 hex>)")
            }
        }
        return references
    }

    /// The report in `format`.
    static func render(_ outcomes: [ImageOutcome], format: OutputFormat, policy: LoadedPolicy, terminal: Terminal) -> String {
        switch format {
        case .text: return outcomes.map { $0.text(terminal: terminal) }.joined(separator: "\n") + "\n"
        case .json: return JSONValue.array(outcomes.map(\.json)).serialized + "\n"
        case .sarif:
            let report = SARIFReport(policy: policy)
            return report.render(outcomes.compactMap(report.finding))
        }
    }
}

/// A usage or input problem: printed, exit 2.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
