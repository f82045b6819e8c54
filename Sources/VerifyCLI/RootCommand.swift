import ArgumentParser
import BuildInfo
import Foundation

/// `atcr-verify`: the verification core on the command line.
public struct RootCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "atcr-verify",
        abstract: "Verify ATProto signatures of ATCR container images.",
        version: "atcr-verify \(BuildInfo.versionText)",
        subcommands: [
            VerifyCommand.self, CheckCommand.self, ReviewCommand.self, ResolveCommand.self, CoverageCommand.self, BundleCommand.self,
            ProofCommand.self, PolicyCommand.self,
        ],
        defaultSubcommand: VerifyCommand.self)

    public init() {}

    /// Parses `arguments`, runs the command, and returns the process exit code.
    /// Usage errors exit 2 (bad input), like every other unusable input; `--help` exits 0.
    public static func runAndExitCode(_ arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data(("atcr-verify: \(failure)\n").utf8))
            return 2
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return 2
        }
    }
}
