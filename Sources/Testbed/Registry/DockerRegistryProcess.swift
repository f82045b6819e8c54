import Foundation

/// Debian's `docker-registry` (distribution 2.8), started on a free loopback port, its storage in
/// a temporary directory: the real registry the tests push to.
public final class DockerRegistryProcess: Sendable {
    /// The binary, when installed (`DOCKER_REGISTRY` overrides the path).
    public static let binary: String? = {
        let candidates = [ProcessInfo.processInfo.environment["DOCKER_REGISTRY"], "/usr/bin/docker-registry", "/usr/local/bin/docker-registry"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let process: Process
    let directory: URL
    /// `127.0.0.1:<port>`.
    public let authority: String

    public init() async throws {
        guard let binary = Self.binary else { throw DockerRegistryStartError(log: "docker-registry is not installed") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("docker-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let config = """
            version: 0.1
            log:
              level: info
              formatter: text
            storage:
              filesystem:
                rootdirectory: \(directory.appendingPathComponent("data").path)
            http:
              addr: 127.0.0.1:0
            """
        let configPath = directory.appendingPathComponent("config.yml")
        try Data(config.utf8).write(to: configPath)
        let logPath = directory.appendingPathComponent("registry.log")
        _ = FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", configPath.path]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        var found: String?
        for _ in 0..<100 where found == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on 127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                found = String(text[range].dropFirst("listening on ".count))
            }
            if !process.isRunning { break }
        }
        guard let found else {
            process.terminate()
            let text = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
            throw DockerRegistryStartError(log: text)
        }
        authority = found
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

public struct DockerRegistryStartError: Error, CustomStringConvertible {
    public var log: String
    public var description: String { "docker-registry did not start:\n\(log)" }
}
