import Foundation

/// Executables built next to the running test bundle, for tests that run the real binaries.
public enum BuiltProduct {
    /// The executable `name` in the build directory that `swift test` ran from (the .xctest
    /// bundle or the test runner sits a few levels below it).
    public static func url(named name: String) -> URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return url.appendingPathComponent(name)
    }
}
