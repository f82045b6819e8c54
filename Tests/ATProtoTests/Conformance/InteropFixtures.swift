import Foundation
import Testing

/// Locates and reads the AT Protocol interop-test fixtures.
///
/// They are read from `../shared/fixtures/atproto-interop-tests` beside the checkout when that
/// exists (the project's shared copy), otherwise from the vendored copy in
/// `Tests/Fixtures/atproto-interop-tests` (same files, CC0; see its SOURCE.md), so a clean
/// clone on a fresh machine runs the same cases. `drift` tests keep the two identical.
enum InteropFixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Conformance
        .deletingLastPathComponent()  // ATProtoTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let vendored = repositoryRoot.appendingPathComponent("Tests/Fixtures/atproto-interop-tests")
    static let shared = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/atproto-interop-tests")

    static var root: URL {
        FileManager.default.fileExists(atPath: shared.path) ? shared : vendored
    }

    static func data(_ path: String) -> Data {
        let url = root.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            fatalError("fixture missing: \(url.path)")
        }
        return data
    }

    /// The cases of a line-based fixture: every non-empty line not starting with `#`, untrimmed.
    static func lines(_ path: String) -> [String] {
        String(decoding: data(path), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data(path))
        } catch {
            fatalError("fixture \(path) does not decode: \(error)")
        }
    }
}

/// A fixture case with a readable name in test output (long lines are abbreviated).
struct LineCase: CustomTestStringConvertible, Sendable {
    let file: String
    let line: String
    var testDescription: String {
        let shown = line.count > 60 ? String(line.prefix(40)) + "…(\(line.count) chars)" : line
        return "\(file): \(shown.debugDescription)"
    }

    static func all(_ files: String...) -> [LineCase] {
        files.flatMap { file in InteropFixtures.lines(file).map { LineCase(file: file, line: $0) } }
    }
}
