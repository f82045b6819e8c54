import AsyncHTTPClient
import Foundation
import NIOCore
import Testbed
import Testing

/// The real `atcr-webhook` binary serving a test world over TLS on loopback (the world's
/// certificate, policy and CA), its port read from its `listening` log line. Launched and read
/// through ``WebhookRun``.
final class WebhookProcess {
    let run: WebhookRun
    let port: Int
    /// The CA file that signed its certificate.
    let caPath: String

    var process: Process { run.process }
    /// Everything it logged (stderr) so far.
    var logs: String { run.stderr }

    /// Starts the binary with the world's files and `arguments` after them.
    init(world: TestWorld, arguments: [String] = []) async throws {
        let policy = world.directory.appendingPathComponent("policy.yaml")
        try Data(world.policyYAML.utf8).write(to: policy)
        let ca = try #require(world.caPath)
        run = try WebhookRun.start([
            "--port", "0", "--metrics-port", "0", "--host", "127.0.0.1",
            "--tls-cert", world.directory.appendingPathComponent("server.pem").path,
            "--tls-key", world.directory.appendingPathComponent("server-key.pem").path,
            "--policy", policy.path, "--plc-url", world.plcServer.origin, "--ca-bundle", ca,
            "--allow-insecure-local", "--disable-events",
        ] + arguments)
        caPath = ca
        guard let ports = await run.listeningPorts() else {
            let logs = run.stderr
            run.stop()
            throw WebhookProcessError.noPort(logs)
        }
        port = ports.main
    }

    /// Runs `body` with a started webhook and an HTTP/1.1 client trusting it; stops both
    /// afterwards, also when `body` throws (a client must be shut down before it is released).
    static func with<T>(
        world: TestWorld, arguments: [String] = [],
        _ body: (WebhookProcess, HTTPClient) async throws -> T
    ) async throws -> T {
        let webhook = try await WebhookProcess(world: world, arguments: arguments)
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

    /// POSTs `body` as JSON to `path` (`/validate` by default).
    func post(_ body: [UInt8], to path: String = "/validate", query: String = "timeout=10s", using client: HTTPClient) async throws -> WebhookHarness.Reply {
        var request = HTTPClientRequest(url: "\(origin)\(path)?\(query)")
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

    /// Terminates the process (if still running) and waits for it to exit, polling.
    func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        run.stop()
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
