import Foundation
import HTTPFetch
import Synchronization
import Testbed

/// The real `atcr-webhook` binary (built next to atcr-bench: `swift build -c release --product
/// atcr-webhook`) serving a test world, and a client that sends it AdmissionReviews.
final class WebhookProcess: Sendable {
    let process: Process
    let port: Int
    let fetcher: HTTPFetcher
    private let log: WebhookLog

    /// Starts the webhook on any free port with `policy` and `extra` flags; waits until it listens.
    init(world: TestWorld, policy: String, extra: [String]) async throws {
        let directory = world.directory
        let policyFile = directory.appendingPathComponent("bench-policy-\(UUID().uuidString).yaml")
        try Data(policy.utf8).write(to: policyFile)
        let executable = BuiltProduct.url(named: "atcr-webhook")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchmarkError.unexpected("\(executable.path) is missing: swift build -c release --product atcr-webhook")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--port", "0", "--metrics-port", "0", "--host", "127.0.0.1",
            "--tls-cert", directory.appendingPathComponent("server.pem").path,
            "--tls-key", directory.appendingPathComponent("server-key.pem").path,
            "--policy", policyFile.path, "--plc-url", world.plcServer.origin, "--ca-bundle", world.caPath ?? "",
            "--allow-insecure-local", "--disable-events", "--log-level", "info",
        ] + extra
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let log = WebhookLog()
        stderr.fileHandleForReading.readabilityHandler = { handle in log.take(handle.availableData) }
        try process.run()
        var port: Int?
        for _ in 0..<400 where port == nil && process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            port = log.port.withLock { $0 }
        }
        guard let port else {
            process.terminate()
            throw BenchmarkError.unexpected("atcr-webhook did not start")
        }
        self.process = process
        self.port = port
        self.log = log
        fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath, maxRetries: 0))
    }

    /// Reviews a Pod running `image`: true when admitted.
    func admits(_ image: String) async throws -> Bool {
        let body = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"prod","name":"p","userInfo":{"username":"bench"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod"},"spec":{"containers":[{"name":"app","image":"\#(image)"}]}}}}"#
        let response = try await fetcher.fetch(FetchRequest(
            url: "https://localhost:\(port)/validate?timeout=10s", method: .post, headers: ["Content-Type": "application/json"],
            maxBodyBytes: 1 << 20, deadline: .now + .seconds(15), body: Array(body.utf8)))
        return String(decoding: response.body, as: UTF8.self).contains(#""allowed":true"#)
    }

    /// The /metrics page.
    func metrics() async throws -> String {
        let response = try await fetcher.fetch(FetchRequest(
            url: "https://localhost:\(port)/metrics", maxBodyBytes: 1 << 20, deadline: .now + .seconds(5)))
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The freshness watch's log lines so far.
    var watchLogs: [String] { log.watch.withLock { $0 } }

    func stop() async {
        process.terminate()
        process.waitUntilExit()
        try? await fetcher.shutdown()
    }
}

/// What the webhook's stderr said: its port, and the freshness watch's lines.
final class WebhookLog: Sendable {
    let port = Mutex<Int?>(nil)
    let watch = Mutex<[String]>([])

    func take(_ data: Data) {
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if line.contains("freshness watch") { watch.withLock { $0.append(String(line)) } }
            if line.contains(#""message":"listening""#), let range = line.range(of: #""port":"[0-9]+""#, options: .regularExpression) {
                port.withLock { $0 = Int(line[range].dropFirst(8).dropLast()) }
            }
        }
    }
}
