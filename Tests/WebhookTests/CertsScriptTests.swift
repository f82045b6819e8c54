import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Testing
@testable import Webhook

/// `certs/generate.sh`, the non-cert-manager way to give the webhook its TLS material: the
/// certificate must chain to the generated CA, name the Service's DNS names, and be what the
/// real webhook serves to a client that knows it only as `atcr-verify.atcr-system.svc`.
@Suite("certs/generate.sh")
struct CertsScriptTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("certs/generate.sh").path
    static let serviceNames: Set = [
        "atcr-verify", "atcr-verify.atcr-system", "atcr-verify.atcr-system.svc", "atcr-verify.atcr-system.svc.cluster.local",
    ]
    /// The name the API server uses for `clientConfig.service` (`<service>.<namespace>.svc`).
    static let serviceHost = "atcr-verify.atcr-system.svc"

    struct Run {
        let status: Int32
        let output: String
    }

    /// Runs `arguments` (the first through PATH) and collects stdout and stderr together.
    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Fails the test with a clear message when openssl is missing (CI installs it).
    static func requireOpenSSL() throws {
        let found = try run(["sh", "-c", "command -v openssl"]).status == 0
        try #require(found, "openssl is not installed: certs/generate.sh and these tests need it (Debian: apt-get install openssl)")
    }

    /// A fresh directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs the script into `directory` and requires it to succeed.
    static func generate(into directory: URL, _ options: [String] = []) throws {
        let result = try run(["sh", script] + options + [directory.path])
        try #require(result.status == 0, "certs/generate.sh failed: \(result.output)")
    }

    static func read(_ directory: URL, _ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The value of the first line `key: value` in a generated YAML file.
    static func yamlValue(_ text: String, key: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("\(key): ") { return String(trimmed.dropFirst(key.count + 2)) }
        }
        return nil
    }

    @Test("the certificate verifies against the generated CA and names exactly the Service's DNS names")
    func certificateChainsAndNames() throws {
        try Self.requireOpenSSL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.generate(into: directory)
        let ca = directory.appendingPathComponent("ca.pem").path
        let certificate = directory.appendingPathComponent("tls.crt").path

        let verify = try Self.run(["openssl", "verify", "-CAfile", ca, certificate])
        #expect(verify.status == 0, "openssl verify: \(verify.output)")
        #expect(verify.output.contains("tls.crt: OK"))

        let extensions = try Self.run(["openssl", "x509", "-in", certificate, "-noout", "-ext", "subjectAltName,extendedKeyUsage,basicConstraints"])
        try #require(extensions.status == 0, "\(extensions.output)")
        let names = Set(extensions.output.split(whereSeparator: { $0 == "," || $0 == "\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("DNS:") }
            .map { String($0.dropFirst(4)) })
        #expect(names == Self.serviceNames)
        #expect(extensions.output.contains("TLS Web Server Authentication"))
        #expect(extensions.output.contains("CA:FALSE"))

        // Another CA must not vouch for it: the check above is not vacuous.
        let other = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: other) }
        try Self.generate(into: other)
        let foreign = try Self.run(["openssl", "verify", "-CAfile", other.appendingPathComponent("ca.pem").path, certificate])
        #expect(foreign.status != 0)
    }

    @Test("re-running keeps the CA and the certificate; --renew reissues the certificate under the same CA")
    func idempotentAndRenewable() throws {
        try Self.requireOpenSSL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.generate(into: directory)
        let ca = try Self.read(directory, "ca.pem"), certificate = try Self.read(directory, "tls.crt")
        let key = try Self.read(directory, "tls.key"), secret = try Self.read(directory, "tls-secret.yaml")
        let patch = try Self.read(directory, "webhook-ca-bundle.yaml")

        try Self.generate(into: directory)
        #expect(try Self.read(directory, "ca.pem") == ca)
        #expect(try Self.read(directory, "tls.crt") == certificate)
        #expect(try Self.read(directory, "tls.key") == key)
        #expect(try Self.read(directory, "tls-secret.yaml") == secret)
        #expect(try Self.read(directory, "webhook-ca-bundle.yaml") == patch)

        try Self.generate(into: directory, ["--renew"])
        #expect(try Self.read(directory, "ca.pem") == ca, "the caBundle the API server trusts stays the same")
        #expect(try Self.read(directory, "webhook-ca-bundle.yaml") == patch)
        #expect(try Self.read(directory, "tls.crt") != certificate)
        #expect(try Self.read(directory, "tls.key") != key)
        let verify = try Self.run(["openssl", "verify", "-CAfile", directory.appendingPathComponent("ca.pem").path,
                                   directory.appendingPathComponent("tls.crt").path])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test("writes the kubernetes.io/tls Secret, the caBundle patch and a kustomization over manifests/base")
    func manifests() throws {
        try Self.requireOpenSSL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.generate(into: directory)
        func base64(_ name: String) throws -> String { Data(try Self.read(directory, name).utf8).base64EncodedString() }
        let certificate = try base64("tls.crt"), key = try base64("tls.key"), ca = try base64("ca.pem")

        let secret = try Self.read(directory, "tls-secret.yaml")
        #expect(Self.yamlValue(secret, key: "kind") == "Secret")
        #expect(Self.yamlValue(secret, key: "type") == "kubernetes.io/tls")
        #expect(Self.yamlValue(secret, key: "name") == "atcr-verify-tls")
        #expect(Self.yamlValue(secret, key: "namespace") == "atcr-system")
        #expect(Self.yamlValue(secret, key: "tls.crt") == certificate)
        #expect(Self.yamlValue(secret, key: "tls.key") == key)

        let patch = try Self.read(directory, "webhook-ca-bundle.yaml")
        #expect(Self.yamlValue(patch, key: "kind") == "ValidatingWebhookConfiguration")
        #expect(Self.yamlValue(patch, key: "- name") == "verify.atcr-verify.io")
        #expect(Self.yamlValue(patch, key: "caBundle") == ca)

        // The base path is relative to the output directory and leads to manifests/base.
        let kustomization = try Self.read(directory, "kustomization.yaml")
        let lines = kustomization.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let base = try #require(lines.firstIndex(of: "resources:").map { lines[$0 + 1] }, "no resources: in \(kustomization)")
        #expect(base.hasPrefix("- ../"))
        let resolved = directory.appendingPathComponent(String(base.dropFirst(2))).standardizedFileURL.resolvingSymlinksInPath()
        #expect(resolved.path == Self.repository.appendingPathComponent("manifests/base").resolvingSymlinksInPath().path)
        #expect(try Self.read(directory, ".gitignore") == "*\n", "keys are never committed")
    }

    @Test("the webhook serves the generated key pair to a client that trusts only the generated CA and names the Service")
    func webhookServesTheGeneratedCertificate() async throws {
        try Self.requireOpenSSL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.generate(into: directory)
        let policy = directory.appendingPathComponent("policy.yaml")
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("examples/trust-policy.yaml"), to: policy)
        let other = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: other) }
        try Self.generate(into: other)

        let webhook = try await CertsWebhook(
            certificate: directory.appendingPathComponent("tls.crt").path, key: directory.appendingPathComponent("tls.key").path,
            policy: policy.path)
        let ca = directory.appendingPathComponent("ca.pem").path

        let health = await Self.get("/healthz", port: webhook.port, trusting: ca)
        #expect((try? health.get()) == 200, "\(health)")
        let ready = await Self.get("/readyz", port: webhook.port, trusting: ca)
        #expect((try? ready.get()) == 200, "\(ready)")

        // Another CA (same names, same script): certificate verification fails. (The client
        // retries a failed connection until its deadline, hence the short one.)
        let foreign = await Self.get("/healthz", port: webhook.port, trusting: other.appendingPathComponent("ca.pem").path, timeout: .seconds(2))
        #expect(throws: NIOSSLError.self, "a client trusting another CA must not connect") { try foreign.get() }
        // The right CA but a name the certificate does not carry: hostname verification fails.
        let misnamed = await Self.get("/healthz", port: webhook.port, trusting: ca, host: "atcr-verify.default.svc", timeout: .seconds(2))
        #expect(throws: NIOSSLExtraError.failedToValidateHostname, "a name outside the SANs must be rejected") { try misnamed.get() }

        await webhook.stop()
    }

    /// GETs `path` from the webhook on loopback under the name `host` (resolved to 127.0.0.1,
    /// sent as SNI and verified against the certificate), trusting only `caFile`. The client is
    /// always shut down; the result carries the status or the error.
    static func get(_ path: String, port: Int, trusting caFile: String, host: String = serviceHost, timeout: TimeAmount = .seconds(10)) async -> Result<Int, any Error> {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile)
        tls.certificateVerification = .fullVerification
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.dnsOverride = [host: "127.0.0.1"]
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<Int, any Error>
        do {
            let response = try await client.execute(HTTPClientRequest(url: "https://\(host):\(port)\(path)"), timeout: timeout)
            _ = try await response.body.collect(upTo: 1 << 16)
            result = .success(Int(response.status.code))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return result
    }
}

/// The real webhook, in-process on loopback with the given key pair and policy (no test world:
/// these tests only need its TLS listener and health endpoints).
final class CertsWebhook: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    init(certificate: String, key: String, policy: String) async throws {
        var configuration = WebhookConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.metricsPort = 0
        configuration.certificateFile = certificate
        configuration.keyFile = key
        configuration.policyFile = policy
        configuration.eventsEnabled = false
        let logger = Logger(label: "certs-test") { _ in SwiftLogNoOpLogHandler() }
        let server = try WebhookServer(configuration: configuration, logger: logger) { _ in }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        task = Task {
            defer { continuation.finish() }
            try await server.run(handleSignals: false) { port, _ in continuation.yield(port) }
        }
        var bound: Int?
        for await port in ports {
            bound = port
            break
        }
        guard let bound else {
            // run() ended before listening: surface its error.
            try await task.value
            throw CertsWebhookError.didNotListen
        }
        port = bound
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

enum CertsWebhookError: Error { case didNotListen }
