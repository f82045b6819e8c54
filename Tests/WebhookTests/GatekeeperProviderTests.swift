import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Testbed
import Testing
@testable import Webhook

/// `POST /gatekeeper/verify` on the real webhook over TLS, with the ProviderRequests Gatekeeper
/// sends, against the local world.
@Suite("Gatekeeper external-data provider")
struct GatekeeperProviderTests {
    /// --provider-timeout for tests that expect every image verified: the default 2 s is short for
    /// cold verifications while the whole suite runs in parallel on a loaded machine.
    static let loadedTimeout: Duration = .seconds(10)

    /// A ProviderRequest body as Gatekeeper marshals it.
    static func request(_ keys: [String]) -> [UInt8] {
        let quoted = keys.map { JSONText.array([$0]).dropFirst().dropLast() }.joined(separator: ",")
        return Array(#"{"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":[\#(quoted)]}}"#.utf8)
    }

    /// POSTs `body` to /gatekeeper/verify.
    static func ask(_ harness: WebhookHarness, _ body: [UInt8], client: HTTPClient? = nil) async throws -> WebhookHarness.Reply {
        try await harness.post(body, to: "/gatekeeper/verify", query: nil, client: client)
    }

    @Test("every scenario in one request: one item per key in order, value with decision, digest, signers and policy; error exactly for denials")
    func scenarios() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        // Prerequisites first (the replay is caught once the newer commit was seen), as their own request.
        let first = world.images.compactMap { $0.after.flatMap(world.image) }.map(\.reference)
        _ = try await Self.ask(harness, Self.request(first))

        let keys = world.images.map(\.reference)
        let reply = try await Self.ask(harness, Self.request(keys))
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.json["apiVersion"].string == "externaldata.gatekeeper.sh/v1beta1" && reply.json["kind"].string == "ProviderResponse")
        let response = reply.json["response"]
        #expect(response["idempotent"].bool == true)
        #expect(response["systemError"].string == nil)
        let items = response["items"].array
        #expect(items.map { $0["key"].string ?? "" } == keys, "one item per key, echoed exactly, in order")
        for (image, item) in zip(world.images, items) {
            let value = item["value"]
            #expect(value["decision"].string == image.expected.rawValue, "\(image.scenario): \(item.value ?? "")")
            if image.policy != nil { #expect(value["digest"].string == image.digest, "\(image.scenario): the digest verified") }
            switch image.expected {
            case .allow, .audit:
                #expect(item["error"].string == nil, "\(image.scenario): admitted, no error: \(item["error"].string ?? "")")
                if image.expected == .allow { #expect(Set(value["signers"].array.compactMap(\.string)) == Set(image.signers), "\(image.scenario)") }
                if let policy = image.policy {
                    #expect(value["policies"].array.compactMap(\.string).contains(policy), "\(image.scenario): the matching policies")
                } else {
                    #expect(value["policy"].string == nil && value["policies"].array.isEmpty, "\(image.scenario): defaultAction decided")
                }
            case .deny:
                let error = item["error"].string ?? ""
                #expect(error.contains(image.reference), "\(image.scenario): names the image: \(error)")
                if let policy = image.policy { #expect(error.contains(policy) && value["policy"].string == policy, "\(image.scenario): \(error)") }
                if let check = image.failedCheck, !["no-signature", "untrusted", "min-signatures"].contains(check) {
                    #expect(error.contains(check), "\(image.scenario): names the failed check \(check): \(error)")
                }
            }
        }
        #expect(harness.server.metrics.value("atcr_provider_requests_total", [("result", "answered")]) == 2)
        await harness.stop()
    }

    @Test("one key per request, as Gatekeeper sends the keys its cache lacks; duplicate keys answered once")
    func singleKeys() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        for name in ["signed-k256", "multi-arch", "unsigned", "revoked", "untrusted-signer", "no-policy", "audit-unsigned"] {
            let image = try #require(world.image(name))
            let reply = try await Self.ask(harness, Self.request([image.reference]))
            let items = reply.json["response"]["items"].array
            #expect(items.count == 1 && items.first?["key"].string == image.reference, "\(name): \(reply.body)")
            #expect((items.first?["error"].string != nil) == (image.expected == .deny), "\(name): \(reply.body)")
        }
        let signed = try #require(world.image("signed-k256")).reference
        let twice = try await Self.ask(harness, Self.request([signed, signed]))
        #expect(twice.json["response"]["items"].array.count == 1, "\(twice.body)")
        let empty = try await Self.ask(harness, Self.request([]))
        #expect(empty.status == 200 && empty.json["response"]["idempotent"].bool == true && empty.json["response"]["items"].array.isEmpty, "\(empty.body)")
        await harness.stop()
    }

    @Test("NAMESPACE|IMAGE keys apply the policies' namespace filters as the webhook does; a bare image gets the strictest decision; a prefix that is no namespace is denied")
    func namespacedKeys() async throws {
        let world = try await TestWorld.shared()
        // defaultAction deny, and `other/*` relaxed (signature: false) in dev-* namespaces only.
        let policy = world.policyYAML.replacingOccurrences(of: "defaultAction: allow", with: "defaultAction: deny")
            + "  - name: other-in-dev\n    scope: \"\(world.registryName)/other/*\"\n    namespaces: [\"dev-*\"]\n    require:\n      signature: false\n    action: audit\n"
        let harness = try await WebhookHarness(world: world, policyYAML: policy) { $0.providerTimeout = Self.loadedTimeout }
        let other = try #require(world.image("no-policy")).reference, signed = try #require(world.image("signed-k256")).reference
        // An empty prefix names no namespace; the key splits at its first '|' only.
        let keys = ["dev-1|\(other)", "prod|\(other)", other, "Not_A_Namespace|\(other)", "prod|\(signed)", "|\(other)", "|dev-1|\(other)", "|\(signed)"]
        let reply = try await Self.ask(harness, Self.request(keys))
        #expect(reply.status == 200, "\(reply.body)")
        let items = reply.json["response"]["items"].array
        #expect(items.map { $0["key"].string ?? "" } == keys, "keys echoed exactly")
        #expect(items.map { $0["value"]["decision"].string ?? "" } == ["allow", "deny", "deny", "deny", "allow", "deny", "deny", "allow"], "\(reply.body)")
        #expect(items[0]["value"]["policies"].array.compactMap(\.string) == ["other-in-dev"], "\(items[0])")
        #expect((items[1]["error"].string ?? "").contains("defaultAction is deny"), "\(items[1])")
        #expect((items[2]["error"].string ?? "").contains("other-in-dev applies only in namespaces dev-*"), "bare image: \(items[2])")
        #expect((items[3]["error"].string ?? "").contains("is not a valid image reference"), "\(items[3])")
        #expect((items[5]["error"].string ?? "").contains("other-in-dev applies only in namespaces dev-*"), "empty prefix: \(items[5])")
        #expect((items[6]["error"].string ?? "").contains("dev-1|\(other) is not a valid image reference"), "split at the first '|' only: \(items[6])")
        #expect(!(items[6]["error"].string ?? "").contains("|dev-1|"), "the empty prefix is split off: \(items[6])")
        await harness.stop()
    }

    @Test("a malformed request or one over the key bound gets a systemError and no items", arguments: [
        ("not JSON", "{", "not JSON"),
        ("another kind", #"{"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderResponse","request":{"keys":[]}}"#, "kind is not ProviderRequest"),
        ("keys not an array", #"{"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":"a"}}"#, "request.keys is not an array"),
        ("a key not a string", #"{"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":["a",1]}}"#, "request.keys[1] is not a string"),
        ("another API group", #"{"apiVersion":"admission.k8s.io/v1","kind":"ProviderRequest","request":{"keys":[]}}"#, "apiVersion"),
        ("three keys", #"{"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":["a","b","c"]}}"#, "at most 2"),
    ])
    func malformed(_ name: String, _ body: String, _ reason: String) async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) {
            $0.maxImagesPerReview = 2
            $0.providerTimeout = Self.loadedTimeout
        }
        let reply = try await Self.ask(harness, Array(body.utf8))
        #expect(reply.status == 400, "\(name): \(reply.body)")
        let response = reply.json["response"]
        #expect((response["systemError"].string ?? "").contains(reason), "\(name): \(reply.body)")
        #expect(response["items"].array.isEmpty)
        await harness.stop()
    }

    @Test("without a valid policy: a systemError, never items")
    func noPolicy() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world, policyYAML: "version: 1.0\npolicies: [oops\n") { $0.providerTimeout = Self.loadedTimeout }
        let reply = try await Self.ask(harness, Self.request([try #require(world.image("signed-k256")).reference]))
        #expect(reply.status == 503)
        #expect(reply.json["response"]["systemError"].string == "no valid trust policy is loaded", "\(reply.body)")
        await harness.stop()
    }

    @Test("a stalled upstream: answered within --provider-timeout, the image denied naming the timeout")
    func stalled() async throws {
        let world = try await TestWorld.start()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = .seconds(1) }
        world.pdsServer.faults.add(.init(matching: "getRecord", stall: .seconds(20)))
        let image = try #require(world.image("signed-k256-digest"))
        let started = ContinuousClock.now
        let reply = try await Self.ask(harness, Self.request([image.reference]))
        let elapsed = ContinuousClock.now - started
        // 1 s of timeout against a 20 s stall; the margin is for a busy 2-core machine.
        #expect(elapsed < .seconds(5), "answered at about --provider-timeout, long before the stall ends (took \(elapsed))")
        let item = reply.json["response"]["items"][0]
        #expect((item["error"].string ?? "").contains("timed out"), "\(reply.body)")
        #expect(item["value"]["verificationError"].string == "verification timed out", "\(reply.body)")
        world.pdsServer.faults.clear()
        await harness.stop()
        await world.stop()
    }

    @Test("TLS 1.3 only clients (as Gatekeeper's) are served, over HTTP/1.1 and HTTP/2")
    func tls13() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        for version in [HTTPClient.Configuration.HTTPVersion.http1Only, .automatic] {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(harness.caPath)
            tls.minimumTLSVersion = .tlsv13
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.httpVersion = version
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            let reply = try await Self.ask(harness, Self.request([try #require(world.image("signed-p256")).reference]), client: client)
            #expect(reply.json["response"]["items"][0]["value"]["decision"].string == "allow", "\(reply.body)")
            try await client.shutdown()
        }
        await harness.stop()
    }

    @Test("--provider-client-ca: a client certificate from that CA is required for /gatekeeper/verify; /validate needs none")
    func clientCertificates() async throws {
        let world = try await TestWorld.shared()
        let gatekeeper = try TestClientCertificates(commonName: "gatekeeper-ca")
        let stranger = try TestClientCertificates(commonName: "another CA")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("client-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let caFile = directory.appendingPathComponent("ca.crt")
        try Data(gatekeeper.caPEM.utf8).write(to: caFile)
        let harness = try await WebhookHarness(world: world) {
            $0.providerClientCA = caFile.path
            $0.providerTimeout = Self.loadedTimeout
        }
        let key = try #require(world.image("signed-k256")).reference

        func client(_ certificates: TestClientCertificates?, version: HTTPClient.Configuration.HTTPVersion = .http1Only) throws -> HTTPClient {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(harness.caPath)
            tls.minimumTLSVersion = .tlsv13
            if let certificates { tls = try certificates.presenting(in: tls) }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.httpVersion = version
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        let anonymous = try await Self.ask(harness, Self.request([key]))
        #expect(anonymous.status == 403, "\(anonymous.body)")
        #expect((anonymous.json["response"]["systemError"].string ?? "").contains("--provider-client-ca"), "\(anonymous.body)")
        #expect(anonymous.json["response"]["items"].array.isEmpty)

        let trusted = try client(gatekeeper)
        let answered = try await Self.ask(harness, Self.request([key]), client: trusted)
        #expect(answered.status == 200, "\(answered.status) \(answered.body)")
        #expect(answered.json["response"]["items"][0]["value"]["decision"].string == "allow", "\(answered.body)")
        try await trusted.shutdown()
        let trustedHTTP2 = try client(gatekeeper, version: .automatic)
        let overHTTP2 = try await Self.ask(harness, Self.request([key]), client: trustedHTTP2)
        #expect(overHTTP2.version == .http2 && overHTTP2.status == 200, "the stream's connection holds the certificate: \(overHTTP2.body)")
        try await trustedHTTP2.shutdown()

        let other = try client(stranger)
        await #expect(throws: (any Error).self, "a certificate from another CA fails the handshake") {
            _ = try await Self.ask(harness, Self.request([key]), client: other)
        }
        try await other.shutdown()

        let review = try await harness.post(Reviews.pod([key]))
        #expect(review.json["response"]["allowed"].bool == true, "the API server presents no certificate: \(review.body)")
        await harness.stop()
    }

    @Test("--provider-client-ca naming an unreadable file is a startup error naming the flag")
    func unreadableClientCA() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("client-ca-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestCertificateAuthority().write(to: directory)
        var configuration = WebhookConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.metricsPort = 0
        configuration.eventsEnabled = false
        configuration.certificateFile = directory.appendingPathComponent("server.pem").path
        configuration.keyFile = directory.appendingPathComponent("server-key.pem").path
        configuration.providerClientCA = directory.appendingPathComponent("missing-ca.crt").path
        let server = try WebhookServer(configuration: configuration, logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() }) { _ in }
        do {
            try await server.preflight()
            Issue.record("started without its client CA")
        } catch {
            #expect(error.description.contains("--provider-client-ca") && error.description.contains("missing-ca.crt"), "\(error)")
        }
        await server.shutdown()
    }
}
