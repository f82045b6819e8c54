import ArgumentParser
import Foundation

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    case sarif
}

/// `--format`, `--json`, `--quiet`, `--output`: shared by the reporting commands.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or sarif.")
    var format: OutputFormat?

    @Flag(name: .long, help: "The same as --format json.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing on stdout and no progress; the exit code says the result.")
    var quiet = false

    @Option(name: [.short, .long], help: "Write the report to this file instead of stdout (with --quiet too).")
    var output: String?

    func check(into problems: inout [String]) {
        if json, let format, format != .json { problems.append("--json contradicts --format \(format.rawValue): give one of them") }
    }

    /// The chosen format (text when none).
    var chosen: OutputFormat { json ? .json : (format ?? .text) }

    /// Writes `report` to `--output` or stdout (not with `--quiet` unless `--output`).
    func emit(_ report: String) throws {
        try Self.emit(report, output: output, quiet: quiet)
    }

    static func emit(_ report: String, output: String?, quiet: Bool) throws {
        if let output {
            do {
                try Data(report.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw CLIFailure("cannot write --output \(output): \(error.localizedDescription)")
            }
            return
        }
        guard !quiet else { return }
        FileHandle.standardOutput.write(Data(report.utf8))
    }
}

/// What the terminal allows: progress on stderr only when stderr is a terminal (never with
/// `--quiet`), colour only when stdout is a terminal and `NO_COLOR` is unset or empty.
struct Terminal: Sendable {
    let progress: Bool
    let colour: Bool

    init(quiet: Bool, writesToFile: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        progress = !quiet && isatty(STDERR_FILENO) == 1
        colour = !writesToFile && isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// `text` in red, yellow or green (ANSI), when colour is on.
    func paint(_ text: String, _ colour: Colour) -> String {
        self.colour ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    enum Colour: String { case red = "31", yellow = "33", green = "32", bold = "1" }

    /// One progress line on stderr, overwritten by the next (`\r`, erase to end of line).
    func report(_ line: String) {
        guard progress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// Clears the progress line.
    func finish() {
        guard progress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Counts finished items for the progress line.
actor ProgressCounter {
    private var done = 0
    let total: Int
    let terminal: Terminal
    let noun: String

    init(total: Int, terminal: Terminal, noun: String) {
        self.total = total
        self.terminal = terminal
        self.noun = noun
    }

    func tick() {
        done += 1
        terminal.report("atcr-verify: \(done)/\(total) \(noun) verified")
    }
}
