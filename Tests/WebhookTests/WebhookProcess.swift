import AsyncHTTPClient
import Foundation
import NIOCore
import Testbed
import Testing

/// The real `atcr-webhook` binary serving a test world over TLS on loopback (the world's
/// certificate, policy and CA), its port read from its `listening` log line.
final class WebhookProcess {
    let process: Process
    let port: Int
    /// Everything it logged (stderr) so far.
    let logs: Shared<String>
    /// The CA file that signed its certificate.
    let caPath: String
    private let pipes: [Pipe]

    /// Starts the binary with the world's files and `arguments` after them; `environment`
    /// replaces the inherited one when given.
    init(world: TestWorld, arguments: [String] = [], environment: [String: String]? = nil) async throws {
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
        ] + arguments
        if let environment { process.environment = environment }
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
        for _ in 0..<100 where port == nil && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            let text = logs.withLock { $0 }
            if let line = text.split(separator: "\n").first(where: { $0.contains(#""message":"listening""#) }),
                let range = line.range(of: #""port":"[0-9]+""#, options: .regularExpression)
            {
                port = Int(line[range].dropFirst(8).dropLast())
            }
        }
        self.process = process
        self.logs = logs
        caPath = ca
        pipes = [stderr, stdout]
        guard let port else {
            if process.isRunning { process.terminate() }
            for pipe in pipes { pipe.fileHandleForReading.readabilityHandler = nil }
            throw WebhookProcessError.noPort(logs.withLock { $0 })
        }
        self.port = port
    }

    /// Runs `body` with a started webhook and an HTTP/1.1 client trusting it; stops both
    /// afterwards, also when `body` throws (a client must be shut down before it is released).
    static func with<T>(
        world: TestWorld, arguments: [String] = [], environment: [String: String]? = nil,
        _ body: (WebhookProcess, HTTPClient) async throws -> T
    ) async throws -> T {
        let webhook = try await WebhookProcess(world: world, arguments: arguments, environment: environment)
        let client = try WebhookHarness.client(caPath: webhook.caPath, version: .http1Only)
        do {
            let result = try await body(webhook, client)
            try? await client.shutdown()
            await webhook.stop()
            return result
        } catch {
            try? await client.shutdown()
            await webhook.stop()
            throw error
        }
    }

    var origin: String { "https://localhost:\(port)" }

    /// POSTs `body` to /validate.
    func post(_ body: [UInt8], query: String = "timeout=10s", using client: HTTPClient) async throws -> WebhookHarness.Reply {
        var request = HTTPClientRequest(url: "\(origin)/validate?\(query)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return WebhookHarness.Reply(status: Int(response.status.code), body: String(buffer: buffer), version: response.version)
    }

    /// GETs `path` (e.g. /metrics).
    func get(_ path: String, using client: HTTPClient) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: "\(origin)\(path)"), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 4 << 20))
    }

    /// A field of /proc/PID/status in KiB (`VmRSS`: resident now; `VmHWM`: the peak).
    func memoryKiB(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// Runs the binary with `arguments` to its end (no world: `--help`, bad flags) and returns its
    /// exit status, standard output and standard error (each well under a pipe's buffer). Waits
    /// without blocking a thread: the test process's servers share the few threads there are.
    static func runToEnd(_ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = BuiltProduct.url(named: "atcr-webhook")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let (exited, ended) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in ended.finish() }
        try process.run()
        for await _ in exited {}
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Terminates the process (if still running) and waits for it to exit, polling.
    func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        for pipe in pipes { pipe.fileHandleForReading.readabilityHandler = nil }
    }

    deinit {
        if process.isRunning { process.terminate() }  // a test that failed before stop()
    }
}

enum WebhookProcessError: Error, CustomStringConvertible {
    case noPort(String)
    var description: String {
        switch self {
        case .noPort(let logs): "the webhook did not report its port: \(logs)"
        }
    }
}
