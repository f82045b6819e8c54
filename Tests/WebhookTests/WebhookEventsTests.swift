import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testbed
import Testing
@testable import Webhook

/// A stand-in for the API server's events endpoint over HTTPS: it checks what the real one
/// checks (required fields, limits, no core/v1-only fields) and answers 422 when a check fails.
final class EventsAPI: Sendable {
    /// What the stand-in accepted, and whether it refuses everything.
    final class Recorder: Sendable {
        let accepted = Mutex<[(namespace: String, body: [UInt8], authorization: String?)]>([])
        let rejectAll = Mutex(false)
    }

    let ca: TestCertificateAuthority
    let server: TestServer
    let recorder = Recorder()

    init() async throws {
        ca = try TestCertificateAuthority(commonName: "api-server CA")
        let tls = try ca.serverTLSConfiguration()
        let recorder = recorder
        server = try await TestServer.start(name: "api-server", tls: tls) { router in
            router.post("apis/events.k8s.io/v1/namespaces/:namespace/events") { request, context -> Response in
                let namespace = try context.parameters.require("namespace")
                var buffer = try await request.body.collect(upTo: 1 << 20)
                let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                    return Response(status: .badRequest)
                }
                if let problem = Self.problem(object, namespace: namespace) ?? (recorder.rejectAll.withLock { $0 } ? "rejected by the test" : nil) {
                    return Response(status: .unprocessableContent, body: .init(byteBuffer: ByteBuffer(string: #"{"kind":"Status","message":"\#(problem)"}"#)))
                }
                let authorization = request.headers[.authorization]
                recorder.accepted.withLock { $0.append((namespace, bytes, authorization)) }
                return Response(status: .created, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
    }

    /// Why the real API server would refuse `event`, or nil.
    static func problem(_ event: [String: Any], namespace: String) -> String? {
        guard event["apiVersion"] as? String == "events.k8s.io/v1", event["kind"] as? String == "Event" else { return "apiVersion/kind" }
        guard let metadata = event["metadata"] as? [String: Any], metadata["namespace"] as? String == namespace,
            (metadata["name"] as? String)?.isEmpty == false || (metadata["generateName"] as? String)?.isEmpty == false
        else { return "metadata" }
        for field in ["firstTimestamp", "lastTimestamp", "count", "source", "deprecatedFirstTimestamp"] where event[field] != nil {
            return "\(field) is not an events.k8s.io/v1 field"
        }
        guard let eventTime = event["eventTime"] as? String, eventTime.contains("."), eventTime.hasSuffix("Z") else { return "eventTime must be MicroTime" }
        for (field, limit) in [("reason", 128), ("action", 128), ("note", 1024)] {
            guard let value = event[field] as? String, value.utf8.count <= limit else { return "\(field) missing or longer than \(limit)" }
        }
        guard event["reportingController"] as? String == "atcr-verify.io/webhook", (event["reportingInstance"] as? String)?.isEmpty == false else {
            return "reportingController/Instance"
        }
        guard ["Normal", "Warning"].contains(event["type"] as? String ?? ""), let regarding = event["regarding"] as? [String: Any],
            regarding["kind"] != nil, regarding["name"] != nil
        else { return "type/regarding" }
        return nil
    }

    var events: [(namespace: String, body: [String: Any], authorization: String?)] {
        recorder.accepted.withLock { $0 }.map { item in
            (item.namespace, (try? JSONSerialization.jsonObject(with: Data(item.body)) as? [String: Any]) ?? [:], item.authorization)
        }
    }
}

@Suite("Webhook Kubernetes Events")
struct WebhookEventsTests {
    @Test("denials and audit findings become events.k8s.io/v1 Events the API server accepts; never on dryRun, never for an allow")
    func events() async throws {
        let world = try await TestWorld.shared()
        let api = try await EventsAPI()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)")
        let caFile = try api.ca.write(to: directory)
        let tokenFile = directory.appendingPathComponent("token").path
        try Data("test-token\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let harness = try await WebhookHarness(world: world) { configuration in
            configuration.eventsEnabled = true
            configuration.kubernetesAPI = KubernetesAPI(baseURL: api.server.origin, tokenFile: tokenFile, caFile: caFile)
            configuration.podName = "atcr-verify-7d9f-abcde"
        }
        let unsigned = try #require(world.image("unsigned")).reference
        let audit = try #require(world.image("audit-unsigned")).reference
        let signed = try #require(world.image("signed-k256-digest")).reference
        _ = try await harness.post(Reviews.pod([signed]))
        _ = try await harness.post(Reviews.pod([unsigned], dryRun: true))
        _ = try await harness.post(Reviews.pod([unsigned]))
        _ = try await harness.post(Reviews.pod([audit]))
        #expect(try await WebhookOperationsTests.waitUntil { api.events.count >= 2 })
        try await Task.sleep(for: .milliseconds(300))
        let events = api.events
        #expect(events.count == 2, "one for the denial, one for the audit finding; none for the dry run or the allow: \(events.map(\.body))")
        #expect(Set(events.compactMap { $0.body["action"] as? String }) == ["Deny", "Audit"])
        #expect(events.allSatisfy { $0.namespace == "prod" && $0.authorization == "Bearer test-token" })
        #expect(events.allSatisfy { $0.body["reportingInstance"] as? String == "atcr-verify-7d9f-abcde" })
        #expect(events.contains { ($0.body["note"] as? String ?? "").contains(unsigned) })
        #expect(harness.server.metrics.value("atcr_events_total", [("result", "sent")]) == 2)

        // An API server that refuses: counted, logged, and the review is not held up.
        api.recorder.rejectAll.withLock { $0 = true }
        let started = ContinuousClock.now
        let reply = try await harness.post(Reviews.pod([unsigned]))
        #expect(reply.status == 200 && ContinuousClock.now - started < .seconds(2))
        #expect(try await WebhookOperationsTests.waitUntil { harness.server.metrics.value("atcr_events_total", [("result", "rejected")]) == 1 })
        await harness.stop()
        await api.server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
