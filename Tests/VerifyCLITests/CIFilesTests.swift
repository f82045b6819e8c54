import Foundation
import Testing

/// The CI integrations validate against check-jsonschema's built-in schemas (as
/// scripts/check-deployment checks them); the shell examples parse.
@Suite("CI integration files")
struct CIFilesTests {
    static let root = InteropPaths.repositoryRoot

    @Test("workflows, action and GitLab example validate; the action downloads and checks the release's binaries",
          arguments: [
            ("vendor.github-workflows", [".github/workflows/ci.yml", ".github/workflows/release.yml"]),
            ("vendor.github-actions", ["action.yml"]),
            ("vendor.gitlab-ci", ["examples/ci/gitlab-ci.yml"]),
          ])
    func schemas(schema: String, files: [String]) throws {
        guard let executable = SARIFValidator.executable else {
            Issue.record("check-jsonschema is not installed: run scripts/setup-json-tools (make test does)")
            return
        }
        let result = try Self.run(executable, ["--builtin-schema", schema] + files.map { Self.root.appendingPathComponent($0).path })
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the action and the release agree on the binaries' names and SHA256SUMS; ci.yml runs .ci/run; shell examples parse")
    func agreement() throws {
        let action = try String(contentsOf: Self.root.appendingPathComponent("action.yml"), encoding: .utf8)
        let release = try String(contentsOf: Self.root.appendingPathComponent(".github/workflows/release.yml"), encoding: .utf8)
        let ci = try String(contentsOf: Self.root.appendingPathComponent(".github/workflows/ci.yml"), encoding: .utf8)
        #expect(action.contains("atcr-verify-linux-$arch") && action.contains("SHA256SUMS") && action.contains("sha256sum --check"))
        #expect(release.contains("atcr-verify-linux-amd64 atcr-verify-linux-arm64 \\\n"))
        #expect(release.contains("atcr-containerd-verifier-linux-amd64 atcr-containerd-verifier-linux-arm64 SHA256SUMS"))
        #expect(release.contains("for product in atcr-verify atcr-containerd-verifier; do"))
        #expect(action.contains("github/codeql-action/upload-sarif"))
        #expect(ci.contains("bash .ci/run"))
        for script in ["examples/verification/verify-image.sh", "examples/verification/secure-pull.sh"] {
            let result = try Self.run("/bin/bash", ["-n", Self.root.appendingPathComponent(script).path])
            #expect(result.status == 0, "\(script): \(result.output)")
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ci-files-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
