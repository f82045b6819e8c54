import ATProto
import Admission
import ArgumentParser
import CommandSettings
import Foundation
import HTTPFetch
import OCI
import Synchronization
import TrustPolicy

/// `atcr-verify bundle IMAGE… -o BUNDLE`: capture what verification needs, for air-gapped use.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Capture everything verifying the images needs (manifests, signature artifacts, DID documents, record proofs) into one file.",
        discussion: """
            Verifies the images as verify does, on the network, and records every answer with the \
            capture time. `atcr-verify verify --bundle BUNDLE IMAGE…` then verifies them with no network \
            request at all: every check runs again over the recorded bytes, so a changed byte fails the \
            same check it would fail on the network.

            Exit codes: 0 the bundle was written (whatever the verdicts); 2 usage or input error; \
            4 verification could not complete for an image (nothing written): retry.

            Examples:
              atcr-verify bundle atcr.io/alice/prod-api:v1 -o prod-api.bundle
              atcr-verify verify --bundle prod-api.bundle atcr.io/alice/prod-api:v1 --max-bundle-age 86400
            """)

    @Argument(help: "Image references.")
    var images: [String]

    @OptionGroup var verifier: VerifierOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "The bundle file to write.")
    var bundle: String

    @Option(name: .long, help: "The namespace the images would run in.")
    var namespace: String?

    func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        try settings.checkAsUsage()
    }

    func run() async throws {
        let now = Date()
        let loaded = try verifier.loadPolicy(now: now)
        let references = try VerifyCommand.parse(images)
        let recorder = Recorder()
        let session = try verifier.makeSession(policy: loaded.policy) { client in recorder.wrap(client) }
        let namespace = namespace, timeout = session.timeout, service = session.service, policy = loaded.policy
        let outcomes = await boundedMap(Array(zip(images, references)), width: verifier.concurrency) { text, reference in
            let decided = await service.decideImage(
                ImageUse(image: text, containers: []), namespace: namespace, policy: policy, now: now, deadline: .now + timeout)
            return ImageOutcome(display: reference.description, decided: decided, namespace: namespace, origin: nil)
        }
        await session.shutdown()
        let terminal = Terminal(quiet: false, writesToFile: false)
        FileHandle.standardError.write(Data((outcomes.map { $0.text(terminal: terminal) }.joined(separator: "\n") + "\n").utf8))
        if let incomplete = outcomes.first(where: { $0.decided.isIncomplete }) {
            FileHandle.standardError.write(Data("atcr-verify: \(incomplete.display) could not be verified completely; no bundle written: retry\n".utf8))
            throw ExitCode(ExitStatus.incomplete)
        }
        let exchanges = recorder.fetcher?.exchanges ?? []
        let captured = OfflineBundle(capturedAt: now, images: images, exchanges: exchanges)
        do {
            try Data((captured.json.serialized + "\n").utf8).write(to: URL(fileURLWithPath: bundle))
        } catch {
            throw CLIFailure("cannot write the bundle \(bundle): \(error.localizedDescription)")
        }
        print("bundle \(bundle): \(images.count) images, \(exchanges.count) responses, captured at \(RFC3339.format(now))")
    }
}

/// Holds the recording fetcher the session builds.
final class Recorder: Sendable {
    private let made = Mutex<RecordingFetcher?>(nil)

    var fetcher: RecordingFetcher? { made.withLock { $0 } }

    func wrap(_ client: any HTTPFetching) -> any HTTPFetching {
        let recording = RecordingFetcher(upstream: client)
        made.withLock { $0 = recording }
        return recording
    }
}
