import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testbed
import Testing
@testable import Webhook

@Suite("Webhook end to end over TLS")
struct WebhookScenarioTests {
    @Test("every scenario as a Pod review over HTTP/1.1: decision, 403 message, warnings, annotations, uid")
    func scenarios() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        for image in world.images {
            if let first = image.after, let prerequisite = world.image(first) { _ = try await harness.post(Reviews.pod([prerequisite.reference])) }
            let uid = UUID().uuidString
            let reply = try await harness.post(Reviews.pod([image.reference], uid: uid))
            #expect(reply.status == 200, "\(image.scenario): \(reply.body)")
            #expect(reply.version == .http1_1)
            let response = reply.json["response"]
            #expect(response["uid"].string == uid)
            switch image.expected {
            case .allow:
                #expect(response["allowed"].bool == true, "\(image.scenario): \(reply.body)")
            case .audit:
                #expect(response["allowed"].bool == true, "\(image.scenario): \(reply.body)")
                #expect(!response["warnings"].array.isEmpty)
                #expect(response["auditAnnotations"]["decision"].string != nil)
            case .deny:
                #expect(response["allowed"].bool == false, "\(image.scenario): \(reply.body)")
                #expect(response["status"]["code"].int == 403)
                let message = response["status"]["message"].string ?? ""
                #expect(message.contains(image.reference), "names the image: \(message)")
                if let policy = image.policy { #expect(message.contains(policy), "names the policy: \(message)") }
                if let check = image.failedCheck, !["no-signature", "untrusted", "min-signatures"].contains(check) {
                    #expect(message.contains(check), "names the failed check \(check): \(message)")
                }
            }
        }
        #expect(harness.audit.all.count >= world.images.count, "one audit line per image decision")
        await harness.stop()
    }

    @Test("a tag's warning fits in 120 characters with its advice: a short digest, then \"pin the digest\"")
    func tagWarning() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let image = try #require(world.image("signed-k256"))
        let reply = try await harness.post(Reviews.pod([image.reference]))
        let warnings = reply.json["response"]["warnings"].array.compactMap(\.string)
        let warning = try #require(warnings.first { $0.contains("tag resolved to") }, "\(reply.body)")
        #expect(warning.utf8.count <= 120)
        #expect(warning == "\(image.reference): tag resolved to \(image.digest.prefix(19))…; pin the digest (time-of-check race)")
        await harness.stop()
    }

    @Test("HTTP/2 by ALPN for other clients; the same answer")
    func http2() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let image = try #require(world.image("signed-p256"))
        let reply = try await harness.post(Reviews.pod([image.reference]), client: harness.http2)
        #expect(reply.version == .http2)
        #expect(reply.json["response"]["allowed"].bool == true)
        await harness.stop()
    }

    @Test("a Deployment, a CronJob, a ReplicaSet: images from their pod templates")
    func workloads() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let signed = try #require(world.image("signed-k256")), unsigned = try #require(world.image("unsigned"))
        for (kind, group, resource, cron) in [("Deployment", "apps", "deployments", false), ("CronJob", "batch", "cronjobs", true), ("ReplicaSet", "apps", "replicasets", false)] {
            let good = try await harness.post(Reviews.workload(kind: kind, group: group, resource: resource, image: signed.reference, cronJob: cron))
            #expect(good.json["response"]["allowed"].bool == true, "\(kind): \(good.body)")
            let bad = try await harness.post(Reviews.workload(kind: kind, group: group, resource: resource, image: unsigned.reference, cronJob: cron))
            #expect(bad.json["response"]["allowed"].bool == false, "\(kind): \(bad.body)")
        }
        await harness.stop()
    }

    @Test("UPDATE verifies only new images; an unchanged revoked image does not block an edit")
    func updates() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let revoked = try #require(world.image("revoked")), signed = try #require(world.image("signed-k256"))
        let unchanged = try await harness.post(Reviews.pod([revoked.reference], operation: "UPDATE", oldImages: [revoked.reference]))
        #expect(unchanged.json["response"]["allowed"].bool == true, "\(unchanged.body)")
        #expect(harness.audit.all.contains { $0.contains("skipped-unchanged") })
        let added = try await harness.post(Reviews.pod([revoked.reference, signed.reference], operation: "UPDATE", oldImages: [signed.reference]))
        #expect(added.json["response"]["allowed"].bool == false)
        await harness.stop()
    }

    @Test("bad input gets HTTP 400 with a JSON error naming the problem, and the server keeps serving", arguments: [
        ("not JSON", "this is not json"),
        ("null", "null"),
        ("wrong apiVersion", #"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}"#),
        ("wrong kind", #"{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}}"#),
        ("missing request", #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
        ("missing uid", #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}"#),
        ("wrong type", #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":42}}"#),
        ("deep nesting", String(repeating: "[", count: 10_000)),
        ("empty body", ""),
    ])
    func badInput(_ name: String, _ body: String) async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let reply = try await harness.post(Array(body.utf8))
        #expect(reply.status == 400, "\(name): \(reply.status) \(reply.body)")
        #expect(reply.json["error"].string != nil, "\(name): \(reply.body)")
        #expect(try await harness.get("/healthz").status == 200)
        await harness.stop()
    }

    @Test("an oversized body (over 8 MiB) is a 400, not a crash")
    func oversized() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let body = [UInt8](repeating: UInt8(ascii: " "), count: 9 << 20)
        let reply = try await harness.post(body)
        #expect(reply.status == 400)
        #expect(reply.json["error"].string == "body_too_large", "\(reply.body)")
        #expect(try await harness.get("/healthz").status == 200)
        await harness.stop()
    }

    @Test("metrics: the seed's names, admission decisions, policy reloads")
    func metrics() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        _ = try await harness.post(Reviews.pod([try #require(world.image("signed-k256-digest")).reference]))
        _ = try await harness.post(Reviews.pod([try #require(world.image("unsigned")).reference]))
        let text = try await harness.get("/metrics").body
        for name in [
            "atcr_verifications_total{result=\"verified\"} 1", "atcr_verifications_total{result=\"failed\"} 1",
            "atcr_verification_duration_seconds_count 2", "atcr_did_resolutions_total{result=\"success\"} 1",
            "atcr_cache_hits_total", "atcr_cache_misses_total", "atcr_admission_reviews_total{decision=\"allow\"} 1",
            "atcr_admission_reviews_total{decision=\"deny\"} 1", "atcr_policy_reloads_total{result=\"success\"} 1",
            "atcr_admission_review_duration_seconds_count 2",
            "# TYPE atcr_serving_certificate_expiry_timestamp_seconds gauge",
            "# HELP atcr_admission_reviews_total AdmissionReviews answered, by decision (allow, audit, deny; bad_request: malformed review, HTTP 400; error: no valid policy loaded, HTTP 503).",
        ] {
            #expect(text.contains(name), "metrics lack \(name):\n\(text)")
        }
        // The gauge is the certificate's notAfter: the test CA issues for 30 days.
        let expiry = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("atcr_serving_certificate_expiry_timestamp_seconds ") }
                .flatMap { Double($0.split(separator: " ")[1]) })
        #expect(abs(expiry - Date().addingTimeInterval(30 * 86_400).timeIntervalSince1970) < 3_600 * 2)
        // Scrape-time counters do not double on a second scrape.
        let again = try await harness.get("/metrics").body
        #expect(again.contains("atcr_did_resolutions_total{result=\"success\"} 1"), "\(again)")
        await harness.stop()
    }

    @Test("stage latency: every upstream stage of a verification is timed once; a cached verdict times nothing")
    func stageLatency() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let image = try #require(world.image("signed-k256")).reference  // by tag: all four stages
        _ = try await harness.post(Reviews.pod([image]))
        _ = try await harness.post(Reviews.pod([image]))
        let text = try await harness.get("/metrics").body
        #expect(text.contains("# HELP atcr_verification_stage_seconds Time of each upstream stage"), "\(text)")
        for stage in ["digest", "discovery", "did_resolution", "record_proof"] {
            #expect(text.contains("atcr_verification_stage_seconds_count{stage=\"\(stage)\"} 1"), "stage \(stage) timed once:\n\(text)")
        }
        await harness.stop()
    }
}
