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
        let out = Pipe()
        git.standardOutput = out
        git.standardError = Pipe()
        try git.run()
        let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        git.waitUntilExit()
        try #require(git.terminationStatus == 0, "not a git checkout")
        #expect(BuildInfo.commit == head || BuildInfo.commit == head + "-dirty", "baked \(BuildInfo.commit), HEAD is \(head)")
        #expect(BuildInfo.versionText == "\(BuildInfo.version) (commit \(BuildInfo.commit))")
        #expect(BuildInfo.version.split(separator: ".").count == 3)
    }
}
