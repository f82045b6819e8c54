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
        abstract: "Validate a trust-policy file and print every error and warning.",
        discussion: """
            Exit codes: 0 valid (warnings allowed); 1 validation errors (each with its field path and line); \
            2 the file cannot be read.

            Examples:
              atcr-verify policy lint .atcr/trust-policy.yaml
              atcr-verify policy lint policy.yaml --json --now 2027-01-01T00:00:00Z
            """
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

    /// Checked while parsing, so a bad `--now` shows lint's own usage.
    func validate() throws {
        _ = try time()
    }

    /// `--now`, or the current time.
    func time() throws -> Date {
        guard let now else { return Date() }
        do {
            return try RFC3339.parse(now)
        } catch {
            throw ValidationError("--now '\(now)': \(error.reason) (an RFC 3339 time, e.g. 2026-01-31T12:00:00Z)")
        }
    }

    func run() throws {
        let time = try time()

        guard let bytes = FileReader.read(file, limit: Self.maxFileSize + 1), bytes.count <= Self.maxFileSize else {
            let reason = FileReader.problem(file) ?? "larger than \(Self.maxFileSize) bytes"
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
