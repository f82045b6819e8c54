import BuildInfo
import Foundation
import HTTPFetch
import NIOCore
import NIOPosix
import Testbed
import Testing

/// The built (debug) `atcr-webhook` binary started the ways a newcomer starts it: every startup
/// error is one line naming the flag, variable, file or port at fault, and exit status 1 — never a
/// crash (an HTTP client dropped without shutdown traps in debug builds), never a silent default.
@Suite("atcr-webhook startup", .serialized)
struct WebhookStartupTests {
    @Test("each startup error: exit 1, one line that names what to fix, no crash", arguments: StartupCase.all)
    func startupError(_ startup: StartupCase) async throws {
        let files = try StartupFiles()
        defer { files.remove() }
        let ran = try await WebhookRun.run(startup.arguments(files), environment: startup.environment)
        #expect(ran.status == 1, "\(startup.name): exit \(ran.status); stderr: \(ran.stderr)")
        let lines = ran.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == startup.expected.count, "\(startup.name): one line per problem: \(ran.stderr)")
        for (line, expected) in zip(lines, startup.expected) {
            #expect(line.hasPrefix("atcr-webhook: "), "\(startup.name): \(line)")
            for part in expected { #expect(line.contains(part(files)), "\(startup.name): '\(part(files))' not in \(line)") }
        }
        #expect(!ran.stderr.contains("Fatal error") && !ran.stderr.contains("Client not shut down"), "\(startup.name): \(ran.stderr)")
    }

    @Test("a port in use: names the port and its flag, exits 1")
    func portInUse() async throws {
        let files = try StartupFiles()
        defer { files.remove() }
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        for (flag, arguments) in [("--port", ["--port", "\(port)", "--metrics-port", "0"]), ("--metrics-port", ["--port", "0", "--metrics-port", "\(port)"])] {
            let ran = try await WebhookRun.run(files.valid + ["--host", "127.0.0.1"] + arguments)
            #expect(ran.status == 1, "exit \(ran.status): \(ran.stderr)")
            #expect(ran.stderr == "atcr-webhook: \(flag) \(port): port \(port) on 127.0.0.1 is already in use by another process (choose another with \(flag), or 0 for any free port)\n")
            #expect(!ran.stderr.contains("Waiting on child channel"))
        }
        try await taken.close()
    }

    @Test("a certificate file not there yet: the replica runs not ready, says why in /readyz, and is ready once it appears")
    func certificateLate() async throws {
        let files = try StartupFiles()
        defer { files.remove() }
        let late = files.directory.appendingPathComponent("late")
        try FileManager.default.createDirectory(at: late, withIntermediateDirectories: true)
        let certificate = late.appendingPathComponent("tls.crt"), key = late.appendingPathComponent("tls.key")
        let webhook = try WebhookRun.start([
            "--host", "127.0.0.1", "--port", "0", "--metrics-port", "\(try await Self.freePort())", "--disable-events",
            "--tls-cert", certificate.path, "--tls-key", key.path, "--policy", files.policy,
        ])
        defer { webhook.stop() }
        let ports = try #require(await webhook.listeningPorts(), "did not start: \(webhook.stderr)")
        #expect(webhook.stderr.contains("serving certificate not there yet"))
        try await Self.withFetcher { fetcher in
            let before = try await fetcher.fetch(.init(url: "http://127.0.0.1:\(ports.metrics)/readyz", maxBodyBytes: 1 << 16, deadline: .now + .seconds(5)))
            #expect(before.status == 503)
            #expect(String(decoding: before.body, as: UTF8.self).contains("no serving certificate loaded: \(certificate.path): no such file"))

            try Data(files.authority.serverCertificatePEM.utf8).write(to: certificate)
            try Data(files.authority.serverKeyPEM.utf8).write(to: key)
            var status = 0
            for _ in 0..<50 where status != 200 {
                try await Task.sleep(for: .milliseconds(200))
                status = try await fetcher.fetch(.init(url: "http://127.0.0.1:\(ports.metrics)/readyz", maxBodyBytes: 1 << 16, deadline: .now + .seconds(5))).status
            }
            #expect(status == 200, "ready once the files appear: \(webhook.stderr)")
        }
        try await Self.withFetcher(caBundle: files.caPath) { tls in
            let health = try await tls.fetch(.init(url: "https://localhost:\(ports.main)/healthz", maxBodyBytes: 1 << 16, deadline: .now + .seconds(5)))
            #expect(health.status == 200, "and serves TLS with the certificate it found, without a restart")
        }
    }

    /// A port free a moment ago (the metrics port has no "any free port": 0 turns it off).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Runs `body` with a fetcher that is shut down whatever happens.
    static func withFetcher(caBundle: String? = nil, _ body: (HTTPFetcher) async throws -> Void) async throws {
        let fetcher = try HTTPFetcher(configuration: .init(allowInsecureHTTP: true, caBundlePath: caBundle))
        do {
            try await body(fetcher)
        } catch {
            try? await fetcher.shutdown()
            throw error
        }
        try await fetcher.shutdown()
    }

    @Test("the startup line states the build and the effective settings; --version and atcr_build_info agree")
    func startupLine() async throws {
        let files = try StartupFiles()
        defer { files.remove() }
        let webhook = try WebhookRun.start(
            files.valid + ["--host", "127.0.0.1", "--port", "0", "--metrics-port", "\(try await Self.freePort())"],
            environment: ["ATCR_AUDIT_ONLY": "TRUE", "ATCR_CACHE_TTL": "120", "ATCR_EVENTS": "0", "ATCR_AUDITONLY": "1", "ATCR_WARMUP": "false"])
        defer { webhook.stop() }
        let ports = try #require(await webhook.listeningPorts(), "did not start: \(webhook.stderr)")
        let line = try #require(webhook.stderr.split(separator: "\n").first { $0.contains(#""message":"starting atcr-webhook""#) })
        for field in [
            #""mode":"audit-only"#, #""cacheTTL":"120s""#, #""negativeCacheTTL":"30s""#, #""port":"0""#, #""policy":"\#(files.policy)""#,
            #""events":"off (--disable-events"#, #""warmup":"off (--no-warmup"#, #""version":"\#(BuildInfo.version)""#, #""commit":"\#(BuildInfo.commit)""#,
        ] {
            #expect(line.contains(field), "\(field) not in \(line)")
        }
        #expect(webhook.stderr.contains("ATCR_AUDITONLY is set but is not a setting"), "a misspelt variable is pointed out")
        try await Self.withFetcher { fetcher in
            let metrics = try await fetcher.fetch(.init(url: "http://127.0.0.1:\(ports.metrics)/metrics", maxBodyBytes: 1 << 20, deadline: .now + .seconds(5)))
            #expect(String(decoding: metrics.body, as: UTF8.self).contains(
                #"atcr_build_info{version="\#(BuildInfo.version)",commit="\#(BuildInfo.commit)"} 1"#))
        }

        let version = try await WebhookRun.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "atcr-webhook \(BuildInfo.version) (commit \(BuildInfo.commit))\n")
    }
}

/// One way of starting the webhook wrongly, and what its stderr must say (per line, the parts).
struct StartupCase: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: @Sendable (StartupFiles) -> [String]
    var environment: [String: String] = [:]
    let expected: [[@Sendable (StartupFiles) -> String]]

    var testDescription: String { name }

    static let all: [StartupCase] = [
        StartupCase(name: "the default paths, on a machine without them", arguments: { _ in [] }, expected: [[
            { _ in "/etc/atcr-verify/tls/tls.crt" }, { _ in "no directory /etc/atcr-verify/tls" }, { _ in "--tls-cert" },
        ]]),
        StartupCase(name: "a certificate that is not PEM", arguments: { $0.valid + ["--tls-cert", $0.notPEM] }, expected: [[
            { $0.notPEM }, { _ in "not a PEM certificate" },
        ]]),
        StartupCase(name: "certificate and key swapped", arguments: { $0.valid + ["--tls-cert", $0.key, "--tls-key", $0.certificate] }, expected: [[
            { $0.key }, { _ in "not a CERTIFICATE" }, { _ in "swapped" },
        ]]),
        StartupCase(name: "a key that does not match the certificate", arguments: { $0.valid + ["--tls-key", $0.otherKey] }, expected: [[
            { $0.otherKey }, { _ in "does not match the certificate" },
        ]]),
        StartupCase(name: "--docker-config /nope.json", arguments: { $0.valid + ["--docker-config", "/nope.json"] }, expected: [[
            { _ in "--docker-config /nope.json: no such file" },
        ]]),
        StartupCase(name: "--ca-bundle /nope.pem", arguments: { $0.valid + ["--ca-bundle", "/nope.pem"] }, expected: [[
            { _ in "--ca-bundle /nope.pem: no such file" },
        ]]),
        StartupCase(name: "a CA bundle that is not PEM", arguments: { $0.valid + ["--ca-bundle", $0.notPEM] }, expected: [[
            { "--ca-bundle \($0.notPEM)" }, { _ in "holds no PEM certificate" },
        ]]),
        StartupCase(name: "ATCR_AUDIT_ONLY=yes and ATCR_PORT=abc", arguments: { $0.valid }, environment: ["ATCR_AUDIT_ONLY": "yes", "ATCR_PORT": "abc"], expected: [
            [{ _ in "ATCR_PORT='abc': not a whole number" }],
            [{ _ in "ATCR_AUDIT_ONLY='yes': not a boolean: true, false, 1 or 0" }],
        ]),
        StartupCase(name: "--cache-ttl -5 and --port -1", arguments: { $0.valid + ["--cache-ttl", "-5", "--port", "-1"] }, expected: [
            [{ _ in "--port -1: out of range 0…65535" }],
            [{ _ in "--cache-ttl -5: out of range: at least 0" }],
        ]),
        StartupCase(name: "--log-level verbose", arguments: { $0.valid + ["--log-level", "verbose"] }, expected: [[
            { _ in "--log-level verbose: not one of trace, debug, info, notice, warning, error, critical" }, { _ in "ATCR_LOG_LEVEL" },
        ]]),
    ]
}

/// A certificate, its key, a key of another pair, a file that is not PEM, and a policy path.
struct StartupFiles: Sendable {
    let directory: URL
    let authority: TestCertificateAuthority
    let caPath: String
    var certificate: String { directory.appendingPathComponent("server.pem").path }
    var key: String { directory.appendingPathComponent("server-key.pem").path }
    var otherKey: String { directory.appendingPathComponent("other/server-key.pem").path }
    var notPEM: String { directory.appendingPathComponent("not-pem.txt").path }
    var policy: String { directory.appendingPathComponent("policy.yaml").path }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Flags that start the webhook.
    var valid: [String] { ["--tls-cert", certificate, "--tls-key", key, "--policy", policy, "--disable-events"] }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-startup-\(UUID().uuidString)")
        authority = try TestCertificateAuthority()
        caPath = try authority.write(to: directory)
        try TestCertificateAuthority().write(to: directory.appendingPathComponent("other"))
        try Data("this is not a certificate\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        try Data("""
            version: 1.0
            policies:
              - name: everything
                scope: "**"
                require:
                  signature: false
                action: audit
            """.utf8).write(to: URL(fileURLWithPath: policy))
    }
}

/// The built `atcr-webhook`, run with exactly the given flags and `ATCR_*` variables.
final class WebhookRun {
    let process: Process
    private let output: ProcessOutput

    var stderr: String { output.stderr }
    var stdout: String { output.stdout }

    private init(_ arguments: [String], environment: [String: String]) throws {
        process = Process()
        process.executableURL = BuiltProduct.url(named: "atcr-webhook")
        process.arguments = arguments
        // Nothing inherited: an ATCR_* variable of the machine running the tests must not count.
        var clean = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ATCR_") && !$0.key.hasPrefix("KUBERNETES_") }
        clean.merge(environment) { $1 }
        process.environment = clean
        output = try ProcessOutput(for: process)
        try process.run()
    }

    /// Starts the webhook and leaves it running.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> WebhookRun {
        try WebhookRun(arguments, environment: environment)
    }

    /// Runs it to the end (it must exit within 30 s) and returns what it said.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try WebhookRun(arguments, environment: environment)
        let exited = try await WebhookOperationsTests.waitUntil(30) { !run.process.isRunning }
        if !exited {
            run.stop()
            Issue.record("still running after 30 s: \(run.stderr)")
        }
        defer { run.output.remove() }
        return (run.process.terminationStatus, run.stdout, run.stderr)
    }

    /// The HTTPS and metrics ports from the "listening" line, or nil if it never came (10 s).
    func listeningPorts() async -> (main: Int, metrics: Int)? {
        for _ in 0..<100 {
            if let line = stderr.split(separator: "\n").first(where: { $0.contains(#""message":"listening""#) }) {
                func number(_ key: String) -> Int? {
                    guard let range = line.range(of: #""\#(key)":"[0-9]+""#, options: .regularExpression) else { return nil }
                    return Int(line[range].dropFirst(key.count + 4).dropLast())
                }
                if let main = number("port"), let metrics = number("metricsPort") { return (main, metrics) }
            }
            guard process.isRunning else { return nil }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Sends SIGTERM; the webhook drains and exits within a moment (not awaited here: a blocking
    /// wait would hold a thread every async test shares).
    func stop() {
        if process.isRunning { process.terminate() }
        output.remove()
    }
}
