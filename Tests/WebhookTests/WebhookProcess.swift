import Foundation
import Testbed
import Testing

/// The built `atcr-webhook` binary started against a test world, on a free port it reports.
struct WebhookProcess {
    let process: Process
    let port: Int
    private let stderr: Pipe
    private let stdout: Pipe
    private let collected: Shared<String>

    /// Its log (stderr) so far.
    func logs() -> String { collected.withLock { $0 } }

    /// Starts the webhook with the world's certificate, policy, PLC directory and CA.
    static func start(world: TestWorld, extraArguments: [String] = []) async throws -> WebhookProcess {
        let policy = world.directory.appendingPathComponent("policy.yaml")
        try Data(world.policyYAML.utf8).write(to: policy)
        let ca = try #require(world.caPath)
        let process = Process()
        process.executableURL = BuiltProduct.url(named: "atcr-webhook")
        process.arguments = [
            "--port", "0", "--metrics-port", "0", "--host", "127.0.0.1",
            "--tls-cert", world.directory.appendingPathComponent("server.pem").path,
            "--tls-key", world.directory.appendingPathComponent("server-key.pem").path,
            "--policy", policy.path, "--plc-url", world.plcServer.origin, "--ca-bundle", ca,
            "--allow-insecure-local", "--disable-events",
        ] + extraArguments
        let stderr = Pipe(), stdout = Pipe()
        process.standardError = stderr
        process.standardOutput = stdout
        let logs = Shared("")
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            logs.withLock { $0 += text }
        }
        stdout.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
        try process.run()
        var port: Int?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = logs.withLock { $0 }
            if let line = text.split(separator: "\n").first(where: { $0.contains(#""message":"listening""#) }),
                let range = line.range(of: #""port":"[0-9]+""#, options: .regularExpression)
            {
                port = Int(line[range].dropFirst(8).dropLast())
            }
        }
        guard let port else {
            process.terminate()
            throw WebhookProcessError(description: "the webhook did not report its port: \(logs.withLock { $0 })")
        }
        return WebhookProcess(process: process, port: port, stderr: stderr, stdout: stdout, collected: logs)
    }

    /// Stops collecting output (and terminates the process if it still runs).
    func stopReading() {
        if process.isRunning { process.terminate() }
        stderr.fileHandleForReading.readabilityHandler = nil
        stdout.fileHandleForReading.readabilityHandler = nil
    }
}

struct WebhookProcessError: Error, CustomStringConvertible {
    let description: String
}
