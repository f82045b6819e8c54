import ATProto
import Foundation
import Testing

/// `atcr-verify policy lint` through the real binary.
@Suite("atcr-verify policy lint")
struct PolicyLintCommandTests {
    static let example = InteropPaths.repositoryRoot.appendingPathComponent("examples/trust-policy.yaml").path

    @Test("the shipped example lints clean (one warning: an expired DID), exit 0")
    func example() throws {
        let result = try ProofCommandTests.run(["policy", "lint", Self.example, "--now", "2026-11-22T00:00:00Z"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ok"))
    }

    @Test("errors exit 1 and are listed with path and line, as JSON too")
    func errors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        var text = try String(contentsOfFile: Self.example, encoding: .utf8)
        text = text.replacingOccurrences(of: "minSignatures: 1", with: "minSignature: 1")
        try Data(text.utf8).write(to: file)
        let result = try ProofCommandTests.run(["policy", "lint", file.path, "--json"])
        #expect(result.status == 1)
        let json = try JSONParser().parse(Array(result.stdout.utf8))
        #expect(json["valid"] == .bool(false))
        guard case .array(let errors) = json["errors"] else { Issue.record("no errors array"); return }
        #expect(errors.contains { if case .string(let message) = $0["message"] { return message.contains("minSignature") } else { return false } })
        #expect(errors.allSatisfy { $0["line"] != nil && $0["path"] != nil })
    }

    @Test("an unreadable file exits 2 and says why", arguments: [
        ("/nonexistent/policy.yaml", "no such file"), ("/tmp", "is a directory"), ("missing.yaml", "no such file"),
    ])
    func unreadable(path: String, reason: String) async throws {
        let result = try await ProofCommandTests.runOffPool(["policy", "lint", path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(path): error: cannot read \(path): \(reason)"), "\(result.stderr)")
    }

    @Test("a bad --now: lint's own usage and the expected form, exit 2")
    func badNow() async throws {
        let result = try await ProofCommandTests.runOffPool(["policy", "lint", Self.example, "--now", "tomorrow"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--now 'tomorrow'") && result.stderr.contains("RFC 3339"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: atcr-verify policy lint"), "lint's usage, not the top level's: \(result.stderr)")
    }
}

enum InteropPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
