import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testbed
import Testing

/// The real `atcr-webhook` binary: configuration by flags, and SIGTERM while reviews are in flight.
@Suite("atcr-webhook process")
struct WebhookProcessTests {
    @Test("SIGTERM during load: in-flight reviews finish, then the process exits 0")
    func sigterm() async throws {
        let world = try await TestWorld.start()
        let webhook = try await WebhookProcess(world: world, arguments: ["--shutdown-delay", "0"])
        let process = webhook.process, logs = { webhook.logs }, bound = webhook.port, pid = process.processIdentifier, ca = webhook.caPath

        let image = try #require(world.image("signed-k256"))
        world.registryServer.faults.add(.init(matching: "/manifests/v1", stall: .milliseconds(1500), times: 1))
        let client = try WebhookHarness.client(caPath: ca, version: .http1Only)
        let statuses = Shared<[Int]>([])
        do {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    var request = HTTPClientRequest(url: "https://localhost:\(bound)/validate?timeout=10s")
                    request.method = .POST
                    request.body = .bytes(ByteBuffer(bytes: Reviews.pod([image.reference])))
                    let response = try await client.execute(request, timeout: .seconds(20))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    let allowed = String(buffer: body).contains(#""allowed":true"#)
                    statuses.withLock { $0.append(allowed ? Int(response.status.code) : -1) }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                kill(pid, SIGTERM)
            }
            try await group.waitForAll()
        }
        } catch {
            try? await client.shutdown()
            Issue.record("reviews failed: \(error); logs: \(logs())")
            await webhook.stop()
            await world.stop()
            return
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 10), "every in-flight review finished and allowed")
        let exited = try await WebhookOperationsTests.waitUntil(15) { !process.isRunning }
        #expect(exited)
        #expect(process.terminationStatus == 0, "exit status \(process.terminationStatus); logs: \(logs())")
        #expect(logs().contains("finished in-flight reviews"))
        await #expect(throws: (any Error).self, "nothing listens after the shutdown") {
            _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(bound)/healthz"), timeout: .seconds(3))
        }
        try await client.shutdown()
        await webhook.stop()
        await world.stop()
    }

    @Test("bad flags exit non-zero with a message; --help lists every option")
    func flags() throws {
        let help = Process()
        help.executableURL = BuiltProduct.url(named: "atcr-webhook")
        help.arguments = ["--help"]
        let out = Pipe()
        help.standardOutput = out
        try help.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        help.waitUntilExit()
        for flag in ["--tls-cert", "--policy", "--plc-url", "--ca-bundle", "--docker-config", "--cache-ttl", "--default-timeout",
                     "--audit-only", "--enable-events", "--log-level", "--allow-insecure-local", "--metrics-port",
                     "--freshness-interval", "--freshness-host-rate", "--warmup"] {
            #expect(text.contains(flag), "--help lacks \(flag)")
        }
        let bad = Process()
        bad.executableURL = BuiltProduct.url(named: "atcr-webhook")
        bad.arguments = ["--log-level", "loud"]
        bad.standardError = Pipe()
        bad.standardOutput = Pipe()
        try bad.run()
        bad.waitUntilExit()
        #expect(bad.terminationStatus != 0)
    }
}

/// A value shared between tasks and callbacks.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}
