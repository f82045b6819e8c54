import ArgumentParser
import CommandSettings
import Foundation
import TrustPolicy

/// `atcr-verify review FILE|-`: answer an AdmissionReview offline, as the webhook would.
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Print the AdmissionReview response the webhook would return for an AdmissionReview (to debug a denial).",
        discussion: """
            The review goes through the webhook's own review service: the same parsing and bounds, \
            the same plan (operations, kinds, subresources, UPDATE diffs), the same verification and \
            the same response (status message, warnings, auditAnnotations). Only timing differs: \
            the deadline is --timeout (the webhook's --default-timeout) less the webhook's margin.

            Exit codes: 0 allowed; 1 denied (an image denied, or the object invalid); 2 the file is \
            not a usable AdmissionReview (the webhook's HTTP 400 body is printed) or another input \
            error; 4 denied only because verification could not complete (network, timeout): retry.

            Examples:
              atcr-verify review denied-review.json
              kubectl get --raw … | atcr-verify review - --policy policy.yaml
            """)

    @Argument(help: "The AdmissionReview JSON file, or - for standard input.")
    var file: String

    @OptionGroup var verifier: VerifierOptions

    @Flag(name: [.short, .long], help: "Print nothing on stdout; the exit code says the result.")
    var quiet = false

    @Option(name: [.short, .long], help: "Write the response to this file instead of stdout.")
    var output: String?

    func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        try settings.checkAsUsage()
    }

    func run() async throws {
        let loaded = try verifier.loadPolicy(now: Date())
        let limit = 8 << 20
        let body: [UInt8]
        if file == "-" {
            guard let read = ManifestReader.readStandardInput(), read.count <= limit else {
                throw CLIFailure("-: standard input is unreadable or larger than \(limit) bytes (the webhook's --max-body-bytes)")
            }
            body = read
        } else {
            guard let read = FileReader.read(file, limit: limit + 1), read.count <= limit else {
                throw CLIFailure("cannot read the AdmissionReview \(file): \(FileReader.problem(file) ?? "larger than \(limit) bytes")")
            }
            body = read
        }
        let session = try verifier.makeSession(policy: loaded.policy)
        let answer = await session.service.review(body: body, query: nil)
        await session.shutdown()
        try OutputOptions.emit(answer.body + "\n", output: output, quiet: quiet)
        guard answer.status == 200, let evaluation = answer.evaluation else {
            FileHandle.standardError.write(Data("atcr-verify: the webhook would answer HTTP \(answer.status): \(answer.body)\n".utf8))
            throw ExitCode(ExitStatus.badInput)
        }
        guard !evaluation.outcome.response.allowed else { return }
        let denied = evaluation.images.filter { $0.decision.verdict == .deny }
        let onlyIncomplete = !denied.isEmpty && denied.allSatisfy(\.isIncomplete)
        throw ExitCode(onlyIncomplete ? ExitStatus.incomplete : ExitStatus.denied)
    }
}
