import Foundation

/// A child process's stdout and stderr, captured in files rather than pipes: a blocking pipe
/// read in the parent is interrupted by the SIGCHLD of any other child process (tests start
/// many), and Foundation traps on that EINTR. Read the text at any time, during or after the run.
public struct ProcessOutput: Sendable {
    public let stdoutFile: URL
    public let stderrFile: URL

    /// Creates the files and points `process`'s output at them; call before `process.run()`.
    public init(for process: Process) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutFile = directory.appendingPathComponent("stdout")
        stderrFile = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
    }

    public var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Runs `process` to its end with its output captured this way: its exit status, stdout and stderr.
    public static func run(_ process: Process) throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try ProcessOutput(for: process)
        defer { output.remove() }
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, output.stdout, output.stderr)
    }

    /// Deletes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: stdoutFile.deletingLastPathComponent())
    }
}
