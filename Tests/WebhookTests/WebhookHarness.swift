import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import Testbed
import Testing
@testable import Webhook

/// The test world, a webhook serving it over real TLS on loopback, and HTTP clients (HTTP/1.1
/// only, as the API server's webhook client is, and HTTP/2).
final class WebhookHarness: Sendable {
    let world: TestWorld
    let directory: URL
    let server: WebhookServer
    let port: Int
    let metricsPort: Int
    let ca: TestCertificateAuthority
    let caPath: String
    let http1: HTTPClient
    let http2: HTTPClient
    let audit: AuditCollector
    private let task: Task<Void, any Error>

    /// Starts a webhook for `world` (fresh caches) with `policyYAML` (default: the world's);
    /// `logs` collects its log lines; `configure` adjusts the configuration.
    init(
        world: TestWorld, policyYAML: String? = nil, logs: LogCollector? = nil, configure: (inout WebhookConfiguration) -> Void = { _ in }
    ) async throws {
        self.world = world
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ca = try Self.sharedCA.get()
        caPath = try ca.write(to: directory)
        try Data((policyYAML ?? world.policyYAML).utf8).write(to: directory.appendingPathComponent("policy.yaml"))
        var configuration = WebhookConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.metricsPort = 0
        configuration.certificateFile = directory.appendingPathComponent("server.pem").path
        configuration.keyFile = directory.appendingPathComponent("server-key.pem").path
        configuration.policyFile = directory.appendingPathComponent("policy.yaml").path
        configuration.plcDirectory = world.plcServer.origin
        configuration.caBundle = world.caPath
        configuration.allowInsecureLocal = true
        configuration.eventsEnabled = false
        configuration.reloadInterval = .milliseconds(100)
        configuration.warmup = false  // tests that count upstream requests want them quiet; WebhookWarmupTests turn it on
        configure(&configuration)
        let audit = AuditCollector()
        self.audit = audit
        var logger = Logger(label: "webhook-test") { _ in
            logs.map { CollectingLogHandler(collector: $0) as any LogHandler } ?? SwiftLogNoOpLogHandler()
        }
        logger.logLevel = logs == nil ? .critical : .info
        server = try WebhookServer(configuration: configuration, logger: logger) { audit.append($0) }
        let (ports, continuation) = AsyncStream<(Int, Int)>.makeStream()
        let server = server
        task = Task { try await server.run(handleSignals: false) { continuation.yield(($0, $1)) } }
        var bound = (0, 0)
        for await pair in ports {
            bound = pair
            break
        }
        port = bound.0
        metricsPort = bound.1
        (http1, http2) = try Self.sharedClients.get()
    }

    /// One CA and one pair of clients for every harness of the process. The clients are never
    /// shut down: a test that throws before ``stop()`` must fail alone, and AsyncHTTPClient traps
    /// when a client that was not shut down goes away, which would end the whole run.
    static let sharedCA = Result(catching: { try TestCertificateAuthority(commonName: "webhook test CA") })
    static let sharedClients = Result(catching: { () throws -> (HTTPClient, HTTPClient) in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-ca-\(UUID().uuidString)")
        let caPath = try sharedCA.get().write(to: directory)
        return (try client(caPath: caPath, version: .http1Only), try client(caPath: caPath, version: .automatic))
    })

    static func client(caPath: String, version: HTTPClient.Configuration.HTTPVersion) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caPath)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = version
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    var origin: String { "https://localhost:\(port)" }

    struct Reply {
        let status: Int
        let body: String
        let version: HTTPVersion
        var json: JSONValueBox { JSONValueBox(body) }
    }

    /// POSTs `body` to /validate.
    /// POSTs `body` as JSON to `path` (`/validate` by default, `/mutate`, `/gatekeeper/verify`)
    /// with `query` (nil: none).
    func post(_ body: [UInt8], to path: String = "/validate", query: String? = "timeout=10s", client: HTTPClient? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "\(origin)\(path)" + (query.map { "?" + $0 } ?? ""))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await (client ?? http1).execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: buffer), version: response.version)
    }

    func get(_ path: String) async throws -> Reply {
        let response = try await http1.execute(HTTPClientRequest(url: "\(origin)\(path)"), timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: buffer), version: response.version)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Collects log lines (level, message, metadata).
final class LogCollector: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
}

/// A log handler that hands every line to a ``LogCollector``.
struct CollectingLogHandler: LogHandler {
    let collector: LogCollector
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        collector.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}

/// Collects audit lines.
final class AuditCollector: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A parsed JSON answer with convenient lookups for assertions.
struct JSONValueBox {
    let value: Any?

    init(_ text: String) {
        value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    init(value: Any?) { self.value = value }

    subscript(key: String) -> JSONValueBox { JSONValueBox(value: (value as? [String: Any])?[key]) }
    subscript(index: Int) -> JSONValueBox {
        guard let array = value as? [Any], index < array.count else { return JSONValueBox(value: nil) }
        return JSONValueBox(value: array[index])
    }
    var string: String? { value as? String }
    var bool: Bool? { value as? Bool }
    var int: Int? { (value as? NSNumber)?.intValue }
    var array: [JSONValueBox] { ((value as? [Any]) ?? []).map { JSONValueBox(value: $0) } }
}

/// AdmissionReview bodies for tests.
enum Reviews {
    static func pod(
        _ images: [String], uid: String = UUID().uuidString, namespace: String = "prod", operation: String = "CREATE", dryRun: Bool = false,
        oldImages: [String]? = nil
    ) -> [UInt8] {
        func podObject(_ images: [String]) -> String {
            let containers = images.enumerated().map { #"{"name":"c\#($0.offset)","image":"\#($0.element)"}"# }.joined(separator: ",")
            return #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"\#(namespace)"},"spec":{"containers":[\#(containers)]}}"#
        }
        let old = oldImages.map { #","oldObject":\#(podObject($0))"# } ?? ""
        return Array(#"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(uid)","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"\#(operation)","namespace":"\#(namespace)","name":"p","userInfo":{"username":"alice"},"dryRun":\#(dryRun),"object":\#(podObject(images))\#(old)}}
            """#.utf8)
    }

    static func workload(kind: String, group: String, resource: String, image: String, cronJob: Bool = false) -> [UInt8] {
        let podSpec = #"{"containers":[{"name":"app","image":"\#(image)"}]}"#
        let template = #"{"metadata":{"labels":{"app":"x"}},"spec":\#(podSpec)}"#
        let spec = cronJob
            ? #"{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":\#(template)}}}"#
            : #"{"replicas":2,"selector":{"matchLabels":{"app":"x"}},"template":\#(template)}"#
        let apiVersion = group.isEmpty ? "v1" : "\(group)/v1"
        return Array(#"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(UUID().uuidString)","kind":{"group":"\#(group)","version":"v1","kind":"\#(kind)"},"resource":{"group":"\#(group)","version":"v1","resource":"\#(resource)"},"operation":"CREATE","namespace":"prod","name":"w","userInfo":{"username":"alice"},"object":{"apiVersion":"\#(apiVersion)","kind":"\#(kind)","metadata":{"name":"w","namespace":"prod"},"spec":\#(spec)}}}
            """#.utf8)
    }
}
