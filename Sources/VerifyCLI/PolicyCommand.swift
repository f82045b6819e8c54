import ArgumentParser
import Foundation
import TrustPolicy

/// `atcr-verify policy …`: work with trust-policy files.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with trust-policy files.",
        subcommands: [PolicyLintCommand.self]
    )
}

/// `atcr-verify policy lint FILE [--json] [--now RFC3339]`. Exit status: 0 valid (warnings
/// allowed), 1 validation errors, 2 unreadable file. The output itself is `PolicyLintReport`.
struct PolicyLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate a trust-policy file and print every error and warning."
    )

    @Argument(help: "The trust-policy YAML file.")
    var file: String

    @Flag(help: "Print a JSON object (valid, errors, warnings, summary) instead of text.")
    var json = false

    @Option(help: "Judge trust windows (expired DIDs) at this RFC 3339 time instead of now.")
    var now: String?

    @Flag(help: "Accept http:// and loopback `pds` endpoints (policies for the local test world).")
    var allowInsecureLocal = false

    /// Policy files are small; a bound keeps a mistaken path (a disk image, /dev/zero) harmless.
    static let maxFileSize = 1024 * 1024

    func run() throws {
        let time: Date
        if let now {
            do {
                time = try RFC3339.parse(now)
            } catch {
                throw ValidationError("--now: \(error.reason)")
            }
        } else {
            time = Date()
        }

        guard let bytes = FileReader.read(file, limit: Self.maxFileSize + 1), bytes.count <= Self.maxFileSize else {
            let reason = FileReader.read(file, limit: 1) == nil ? "cannot read the file" : "larger than \(Self.maxFileSize) bytes"
            let output = PolicyLintReport.unreadable(file: file, reason: reason, json: json)
            if json { print(output, terminator: "") } else { FileHandle.standardError.write(Data(output.utf8)) }
            throw ExitCode(PolicyLintReport.unreadableExitCode)
        }

        let result = PolicyLoader.load(
            yaml: String(decoding: bytes, as: UTF8.self), now: time, allowInsecureLocalEndpoints: allowInsecureLocal)
        let report = PolicyLintReport(file: file, result: result, now: time)
        print(json ? report.json() : report.text(), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
