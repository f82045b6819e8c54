import ATProto
import Foundation
import Testbed
import Testing

/// Runs the built `atcr-verify` with standard input, environment and working directory of the
/// test's choosing, on a thread of its own (the in-process world keeps the cooperative pool).
enum CLI {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
        var all: String { stdout + stderr }
        func json() throws -> JSONValue { try JSONParser().parse(Array(stdout.utf8)) }
    }

    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: URL? = nil, executable: String? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    try runHere(arguments, stdin: stdin, environment: environment, directory: directory, executable: executable)
                })
            }
        }
    }

    private static func runHere(
        _ arguments: [String], stdin: String?, environment: [String: String], directory: URL?, executable: String?
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable.map(URL.init(fileURLWithPath:))
            ?? ProcessInfo.processInfo.environment["ATCR_VERIFY_BIN"].map(URL.init(fileURLWithPath:))
            ?? BuiltProduct.url(named: "atcr-verify")
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited["ATCR_POLICY"] = nil
        inherited["NO_COLOR"] = nil
        process.environment = inherited.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        var input: URL?
        if let stdin {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-stdin-\(UUID().uuidString)")
            try Data(stdin.utf8).write(to: file)
            process.standardInput = try FileHandle(forReadingFrom: file)
            input = file
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { if let input { try? FileManager.default.removeItem(at: input) } }
        let result = try ProcessOutput.run(process)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// A fresh temporary directory.
    static func directory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The world's endpoints and test flags, without `--policy`.
    static func worldFlags(_ world: TestWorld) throws -> [String] {
        ["--plc-url", world.plcServer.origin, "--ca-bundle", try #require(world.caPath), "--allow-insecure-local"]
    }

    /// Writes the world's policy into `directory` (default: a fresh one) and returns its path.
    static func writePolicy(_ world: TestWorld, to directory: URL? = nil, name: String = "policy.yaml") throws -> String {
        let target = try directory ?? Self.directory("policy")
        let file = target.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(world.policyYAML.utf8).write(to: file)
        return file.path
    }
}

/// Validates SARIF logs against the OASIS SARIF 2.1.0 schema (Tests/Fixtures/sarif) with
/// check-jsonschema (scripts/setup-json-tools installs it; `make test` runs that). A missing
/// validator is a failure, never a skip.
enum SARIFValidator {
    static let schema = InteropPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/sarif/sarif-schema-2.1.0.json").path

    /// The validator: $ATCR_CHECK_JSONSCHEMA, .build-tools/json-venv, or PATH.
    static var executable: String? {
        if let given = ProcessInfo.processInfo.environment["ATCR_CHECK_JSONSCHEMA"] { return given }
        let venv = InteropPaths.repositoryRoot.appendingPathComponent(".build-tools/json-venv/bin/check-jsonschema").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/check-jsonschema"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Records an issue unless `sarif` validates.
    static func validate(_ sarif: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let executable else {
            Issue.record("check-jsonschema is not installed: run scripts/setup-json-tools (make test does)", sourceLocation: sourceLocation)
            return
        }
        let directory = try CLI.directory("sarif")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.sarif")
        try Data(sarif.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--schemafile", schema, file.path]
        let result = try ProcessOutput.run(process)
        #expect(result.status == 0, "SARIF does not validate: \(result.stdout)\(result.stderr)\n\(sarif)",
                sourceLocation: sourceLocation)
    }
}
