import BuildInfo
import Foundation
import Testing

@Suite("BuildInfo")
struct BuildInfoTests {
    @Test("the commit baked in at build time is this checkout's HEAD")
    func commit() throws {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", URL(fileURLWithPath: #filePath).deletingLastPathComponent().path, "rev-parse", "--short=12", "HEAD"]
        // A file, not a pipe: a pipe read is interrupted by other tests' child processes exiting.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("git-head-\(UUID().uuidString)")
        #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        git.standardOutput = handle
        git.standardError = FileHandle.nullDevice
        try git.run()
        git.waitUntilExit()
        try? handle.close()
        let head = try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(git.terminationStatus == 0, "not a git checkout")
        #expect(BuildInfo.commit == head || BuildInfo.commit == head + "-dirty", "baked \(BuildInfo.commit), HEAD is \(head)")
        #expect(BuildInfo.versionText == "\(BuildInfo.version) (commit \(BuildInfo.commit))")
        #expect(BuildInfo.version.split(separator: ".").count == 3)
    }
}
