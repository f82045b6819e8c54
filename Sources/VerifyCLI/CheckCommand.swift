import ATProto
import ArgumentParser
import CommandSettings
import Foundation
import TrustPolicy

/// `atcr-verify check -f FILE|DIR|-`: decide every image of Kubernetes manifests as the webhook
/// would admit them.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decide the images of Kubernetes manifests exactly as the webhook would admit them.",
        discussion: """
            Reads YAML or JSON manifests (several documents per file, List kinds, directories, or - for \
            standard input, e.g. kustomize build or helm template output). Every workload the webhook \
            checks (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, \
            ReplicationController) is planned by the webhook's own code: containers, initContainers, \
            ephemeralContainers and image volumes; a malformed object is refused as the webhook refuses \
            it. Each image is decided for the object's namespace (metadata.namespace, else --namespace, \
            else default) and reported per object and container with file and line. Other kinds are \
            skipped.

            \(ExitStatus.helpText)

            Examples:
              atcr-verify check -f k8s/
              kustomize build overlays/prod | atcr-verify check -f - --format sarif --output atcr.sarif
              helm template charts/app | atcr-verify check -f - --namespace prod --json
            """)

    @Option(name: [.short, .customLong("file")], help: "A manifest file, a directory of them, or - for standard input (repeatable).")
    var files: [String] = []

    @OptionGroup var verifier: VerifierOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "The namespace of objects whose metadata names none (default: default).")
    var namespace: String?

    @Flag(name: .long, help: "Exit 1 for audit findings too (an audited image fails the job).")
    var failOnAudit = false

    func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        var problems: [String] = []
        output.check(into: &problems)
        if files.isEmpty { problems.append("give at least one -f FILE, DIR or - (standard input)") }
        if files.filter({ $0 == "-" }).count > 1 { problems.append("-f - (standard input) may be given once") }
        problems.forEach { settings.report($0) }
        try settings.checkAsUsage()
    }

    func run() async throws {
        let loaded = try verifier.loadPolicy(now: Date())
        let objects: [ManifestObject]
        do {
            objects = try ManifestReader.read(files)
        } catch {
            throw CLIFailure(error.description)
        }
        let session = try verifier.makeSession(policy: loaded.policy)
        let terminal = Terminal(quiet: output.quiet, writesToFile: output.output != nil)
        let check = ManifestCheck(
            service: session.service, policy: loaded.policy, namespace: namespace, timeout: session.timeout, concurrency: verifier.concurrency)
        let result = await check.run(objects, terminal: terminal)
        await session.shutdown()
        try output.emit(Self.render(result, format: output.chosen, policy: loaded, terminal: terminal))
        let code = ExitStatus.code(for: result.images, invalidObjects: result.invalid.count, failOnAudit: failOnAudit)
        if code != 0 { throw ExitCode(code) }
    }

    static func render(_ result: ManifestCheck.Result, format: OutputFormat, policy: LoadedPolicy, terminal: Terminal) -> String {
        switch format {
        case .text:
            var lines = result.invalid.map { invalid in
                let at = "\(invalid.origin.file)\(invalid.problemLines.first.flatMap { $0 }.map { ":\($0)" } ?? "")"
                return "\(terminal.paint("DENY ", .red)) invalid \(invalid.origin.objectLabel) at \(at)\n      \(invalid.message.replacingOccurrences(of: "\n", with: "\n      "))"
            }
            lines += result.images.map { $0.text(terminal: terminal) }
            let count = { (verdict: PolicyDecision.Verdict) in result.images.filter { $0.verdict == verdict }.count }
            lines.append(
                "\(result.objects) objects: \(result.images.count) images (\(count(.allow)) allowed, \(count(.audit)) audited, "
                    + "\(count(.deny)) denied), \(result.invalid.count) invalid, \(result.skipped) without images")
            return lines.joined(separator: "\n") + "\n"
        case .json:
            let invalid: [JSONValue] = result.invalid.map { invalid in
                .object([
                    JSONMember(name: "file", value: .string(invalid.origin.file)),
                    JSONMember(name: "kind", value: .string(invalid.origin.kind)),
                    JSONMember(name: "namespace", value: invalid.origin.namespace.map(JSONValue.string) ?? .null),
                    JSONMember(name: "name", value: invalid.origin.name.map(JSONValue.string) ?? .null),
                    JSONMember(name: "line", value: invalid.origin.objectLine.map { .number(String($0)) } ?? .null),
                    JSONMember(name: "decision", value: .string("deny")),
                    JSONMember(name: "message", value: .string(invalid.message)),
                    JSONMember(name: "problems", value: .array(zip(invalid.problems, invalid.problemLines).map { problem, line in
                        .object([
                            JSONMember(name: "path", value: .string(problem.path)),
                            JSONMember(name: "reason", value: .string(problem.reason)),
                            JSONMember(name: "line", value: line.map { .number(String($0)) } ?? .null),
                        ])
                    })),
                ])
            }
            return JSONValue.object([
                JSONMember(name: "objects", value: .number(String(result.objects))),
                JSONMember(name: "skippedObjects", value: .number(String(result.skipped))),
                JSONMember(name: "invalidObjects", value: .array(invalid)),
                JSONMember(name: "images", value: .array(result.images.map(\.json))),
            ]).serialized + "\n"
        case .sarif:
            let report = SARIFReport(policy: policy)
            let invalid = result.invalid.map { invalid in
                SARIFReport.Finding(
                    rule: SARIFReport.rule(check: nil, policy: nil, incomplete: false, noPolicy: false), level: "error",
                    message: "\(invalid.origin.objectLabel) is refused as the webhook refuses it: \(invalid.message)",
                    file: invalid.origin.file, line: invalid.problemLines.first.flatMap { $0 } ?? invalid.origin.objectLine ?? 1,
                    related: [], properties: [JSONMember(name: "decision", value: .string("deny"))])
            }
            return report.render(invalid + result.images.compactMap(report.finding))
        }
    }
}
