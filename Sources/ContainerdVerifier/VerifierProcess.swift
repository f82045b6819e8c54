import Dispatch
import Foundation
import Logging
import Synchronization
import Webhook

/// The `atcr-containerd-verifier` process: settings from the environment, a watchdog past
/// `ATCR_TIMEOUT`, stdin read (bounded), the pull judged (``ContainerdPull``), one line on
/// stdout and the exit status. Whichever answers first, the judgement or the watchdog, is the
/// only answer.
public enum VerifierProcess {
    /// Runs the process and exits.
    public static func main() async -> Never {
        let started = ContinuousClock.now
        let arguments = Array(CommandLine.arguments.dropFirst())
        let answer = Answer()
        let settings: PullSettings
        do {
            settings = try PullSettings.read(environment: ProcessInfo.processInfo.environment)
        } catch {
            answer.finish(.unusable(.configuration(error.problems.joined(separator: "; "))))
        }
        // Logs go to stderr, which containerd logs at debug level.
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .warning) }
        let logger = Logger(label: "atcr-containerd-verifier")
        for name in settings.unknownVariables {
            logger.warning("\(name) is set but is not a setting of this version: ignored (a typo?)")
        }
        // Whatever hangs, containerd hears a reason before it kills the process group.
        let watchdog = DispatchSource.makeTimerSource(queue: .global())
        let (seconds, attoseconds) = (settings.timeout + .milliseconds(500)).components
        watchdog.schedule(deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
        let timeout = settings.timeout
        watchdog.setEventHandler {
            answer.finish(PullOutcome(
                exitCode: PullOutcome.deniedStatus,
                reason: "atcr-verify: DENY verification did not finish within ATCR_TIMEOUT (\(timeout)): pull blocked"))
        }
        watchdog.resume()
        guard let stdin = BoundedInput.read(descriptor: 0, limit: PulledDescriptor.maxBytes) else {
            answer.finish(.unusable(.descriptor("stdin could not be read")))
        }
        let outcome = await ContainerdPull.judge(arguments: arguments, stdin: stdin, settings: settings, started: started, logger: logger)
        answer.finish(outcome)
    }

    /// The one answer the process gives.
    final class Answer: Sendable {
        private let given = Atomic<Bool>(false)

        /// Prints `outcome`'s reason and exits with its status; a second caller waits for the
        /// first to exit.
        func finish(_ outcome: PullOutcome) -> Never {
            if given.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged {
                FileHandle.standardOutput.write(Data((outcome.reason + "\n").utf8))
                exit(outcome.exitCode)
            }
            while true { sleep(1) }
        }
    }
}
