import ATProto
import Admission
import ArgumentParser
import CommandSettings
import Foundation
import OCI
import TrustPolicy

/// `atcr-verify coverage`: how much of what runs is signed by trusted DIDs.
struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Count the images signed by a trusted DID, per policy and per namespace, and list the unsigned and failing ones.",
        discussion: """
            Over manifests (-f, as check reads them) or a list of images, every image is verified as the \
            webhook would (the same review service). An image counts as signed when a signature by a DID \
            the matching policies trust verified; images no policy matches are counted apart.

            Exit codes: 0 the report was made (and, with --min-coverage, coverage of the images in a \
            policy's scope reached it; none in scope counts as reached); 1 coverage is below \
            --min-coverage (the report is still printed; stderr says by how much); 2 usage or input error.

            Examples:
              atcr-verify coverage -f k8s/
              kustomize build overlays/prod | atcr-verify coverage -f - --json
              atcr-verify coverage -f k8s/ --min-coverage 90        # a CI gate on the share signed
              atcr-verify coverage atcr.io/alice/api:v1 atcr.io/alice/web:v2 --namespace prod
            """)

    @Argument(help: "Image references (instead of, or besides, -f manifests).")
    var images: [String] = []

    @Option(name: [.short, .customLong("file")], help: "A manifest file, a directory of them, or - for standard input (repeatable).")
    var files: [String] = []

    @OptionGroup var verifier: VerifierOptions

    @Option(name: .long, help: "The namespace of images given as arguments, and of objects whose metadata names none.")
    var namespace: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing on stdout.")
    var quiet = false

    @Option(name: .long, help: "Exit 1 when fewer than PERCENT (0-100, to a hundredth) of the images in a policy's scope are signed by a trusted DID.")
    var minCoverage: Double?

    func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        if images.isEmpty && files.isEmpty { settings.report("give images, or manifests with -f FILE, DIR or -") }
        if let minCoverage, !(0...100).contains(minCoverage) {
            settings.report("--min-coverage must be a percentage from 0 to 100, not \(minCoverage)")
        } else if let minCoverage, abs(minCoverage * 100 - (minCoverage * 100).rounded()) > 1e-6 {
            settings.report("--min-coverage takes at most two decimals (a hundredth of a percent), not \(minCoverage)")
        }
        try settings.checkAsUsage()
    }

    func run() async throws {
        let now = Date()
        let loaded = try verifier.loadPolicy(now: now)
        let objects: [ManifestObject]
        do {
            objects = try ManifestReader.read(files)
        } catch {
            throw CLIFailure(error.description)
        }
        var references: [(String, ImageReference)] = []
        for text in images {
            do {
                references.append((text, try ImageReference(parsing: text)))
            } catch {
                throw CLIFailure("\(text): \(error) (an image reference such as atcr.io/alice/app:v1)")
            }
        }
        let session = try verifier.makeSession(policy: loaded.policy)
        let terminal = Terminal(quiet: quiet, writesToFile: false)
        var outcomes = await ManifestCheck(
            service: session.service, policy: loaded.policy, namespace: namespace, timeout: session.timeout, concurrency: verifier.concurrency
        ).run(objects, terminal: terminal).images
        let namespace = namespace, timeout = session.timeout, service = session.service, policy = loaded.policy
        outcomes += await boundedMap(references, width: verifier.concurrency) { text, reference in
            let decided = await service.decideImage(
                ImageUse(image: text, containers: []), namespace: namespace, policy: policy, now: now, deadline: .now + timeout)
            return ImageOutcome(display: reference.description, decided: decided, namespace: namespace, origin: nil)
        }
        await session.shutdown()
        let coverage = Coverage(outcomes)
        try OutputOptions.emit(json ? coverage.json.serialized + "\n" : coverage.table, output: nil, quiet: quiet)
        if let minCoverage, let shortfall = coverage.total.shortfall(below: minCoverage) {
            FileHandle.standardError.write(Data("atcr-verify: \(shortfall)\n".utf8))
            throw ExitCode(ExitStatus.denied)
        }
    }
}

/// Signed-by-trusted counts over decided images.
struct Coverage {
    struct Tally {
        var images = 0
        var signed = 0
        var failing = 0
        var percent: String { images == 0 ? "-" : String(format: "%.0f%%", Double(signed) * 100 / Double(images)) }

        /// Why this falls short of `minimum` percent signed, or nil when it does not (no images
        /// at all falls short of nothing). Compared exactly, not as the rounded figure shown:
        /// in whole hundredths of a percent, so no floating-point product decides a CI gate.
        func shortfall(below minimum: Double) -> String? {
            let hundredths = Int((minimum * 100).rounded())  // 0...10_000, checked by validate()
            guard images > 0, signed * 10_000 < hundredths * images else { return nil }
            let needed = (hundredths * images + 9_999) / 10_000
            return "coverage \(signed) of \(images) images signed by a trusted DID (\(percent)) is below --min-coverage \(String(format: "%g", minimum))%: "
                + "\(needed - signed) more must be signed"
        }
    }

    var total = Tally()
    var unmatched = 0
    var policies: [(String, Tally)] = []
    var namespaces: [(String, Tally)] = []
    /// Images with no verified signature by a trusted DID, and images any policy failed.
    var unsigned: [ImageOutcome] = []
    var failing: [ImageOutcome] = []

    init(_ outcomes: [ImageOutcome]) {
        var byPolicy: [String: Tally] = [:], byNamespace: [String: Tally] = [:]
        var policyOrder: [String] = [], namespaceOrder: [String] = []
        for outcome in outcomes {
            let signed = !outcome.decided.decision.signers.isEmpty
            let failed = !outcome.decision.failures.isEmpty || outcome.verdict == .deny
            guard outcome.decision.matchedAnyPolicy else {
                unmatched += 1
                if outcome.verdict != .allow { failing.append(outcome) }
                continue
            }
            total.images += 1
            if signed { total.signed += 1 } else { unsigned.append(outcome) }
            if failed { total.failing += 1; failing.append(outcome) }
            let namespace = outcome.namespace ?? "(none)"
            if byNamespace[namespace] == nil { namespaceOrder.append(namespace) }
            byNamespace[namespace, default: Tally()].images += 1
            if signed { byNamespace[namespace]?.signed += 1 }
            if failed { byNamespace[namespace]?.failing += 1 }
            for result in outcome.decision.results {
                if byPolicy[result.policy] == nil { policyOrder.append(result.policy) }
                byPolicy[result.policy, default: Tally()].images += 1
                if !result.signers.isEmpty { byPolicy[result.policy]?.signed += 1 }
                if !result.passed { byPolicy[result.policy]?.failing += 1 }
            }
        }
        policies = policyOrder.map { ($0, byPolicy[$0] ?? Tally()) }
        namespaces = namespaceOrder.map { ($0, byNamespace[$0] ?? Tally()) }
    }

    var table: String {
        func row(_ name: String, _ tally: Tally) -> String {
            name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(tally.images).leftPadded(7) + String(tally.signed).leftPadded(8) + tally.percent.leftPadded(9)
                + String(tally.failing).leftPadded(9)
        }
        let header = "".padding(toLength: 32, withPad: " ", startingAt: 0) + " images  signed coverage  failing"
        var lines = ["POLICY" + header.dropFirst(6)]
        lines += policies.map { row($0.0, $0.1) }
        lines += ["", "NAMESPACE" + header.dropFirst(9)]
        lines += namespaces.map { row($0.0, $0.1) }
        lines += ["", row("all images in a policy's scope", total), "images no policy matches: \(unmatched)"]
        if !unsigned.isEmpty {
            lines += ["", "not signed by a trusted DID:"] + unsigned.map { "  \($0.display)\(Self.place($0)): \($0.decision.reason)" }
        }
        if !failing.isEmpty {
            lines += ["", "failing:"] + failing.map { "  \($0.decisionWord) \($0.display)\(Self.place($0)): \($0.decision.reason)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func place(_ outcome: ImageOutcome) -> String {
        guard let origin = outcome.origin else { return outcome.namespace.map { " [\($0)]" } ?? "" }
        return " (\(origin.objectLabel), \(origin.file)\(origin.line.map { ":\($0)" } ?? ""))"
    }

    var json: JSONValue {
        func tally(_ tally: Tally) -> [JSONMember] {
            [
                JSONMember(name: "images", value: .number(String(tally.images))),
                JSONMember(name: "signed", value: .number(String(tally.signed))),
                JSONMember(name: "failing", value: .number(String(tally.failing))),
            ]
        }
        func list(_ outcomes: [ImageOutcome]) -> JSONValue {
            .array(outcomes.map { outcome in
                .object([
                    JSONMember(name: "image", value: .string(outcome.display)),
                    JSONMember(name: "namespace", value: outcome.namespace.map(JSONValue.string) ?? .null),
                    JSONMember(name: "decision", value: .string(outcome.verdict.rawValue)),
                    JSONMember(name: "reason", value: .string(outcome.decision.reason)),
                    JSONMember(name: "file", value: outcome.origin.map { .string($0.file) } ?? .null),
                    JSONMember(name: "line", value: outcome.origin?.line.map { .number(String($0)) } ?? .null),
                ])
            })
        }
        return .object([
            JSONMember(name: "total", value: .object(tally(total))),
            JSONMember(name: "unmatched", value: .number(String(unmatched))),
            JSONMember(name: "policies", value: .array(policies.map { .object([JSONMember(name: "policy", value: .string($0.0))] + tally($0.1)) })),
            JSONMember(name: "namespaces", value: .array(namespaces.map { .object([JSONMember(name: "namespace", value: .string($0.0))] + tally($0.1)) })),
            JSONMember(name: "unsigned", value: list(unsigned)),
            JSONMember(name: "failing", value: list(failing)),
        ])
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
