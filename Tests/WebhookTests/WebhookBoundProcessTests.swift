import Foundation
import OCI
import Testbed
import Testing

/// The real `atcr-webhook` binary under one huge review (issue: a 2.4 MB review naming 20,000
/// in-scope digests took a webhook to 1.34 GB).
@Suite("atcr-webhook process: bounded work per review")
struct WebhookBoundProcessTests {
    /// `count` distinct references to one signed digest (`NAME:tN@DIGEST`): verified once, then
    /// from the cache.
    static func variants(of image: WorldImage, count: Int) -> [String] {
        var name = image.reference.split(separator: "@", maxSplits: 1)[0]
        if let colon = name.lastIndex(of: ":"), let slash = name.lastIndex(of: "/"), colon > slash { name = name[..<colon] }
        return (0..<count).map { "\(name):t\($0)@\(image.digest)" }
    }

    @Test("20,000 distinct in-scope digests, registry never answering: denied naming the bound within the deadline, peak RSS well within 256 MiB; at the bound and just under, verified")
    func twentyThousandImages() async throws {
        let world = try await TestWorld.start()
        try await WebhookProcess.with(world: world) { webhook, client in
            // A memory test, not a speed test: the debug build's few seconds of CPU for this review
            // must not starve the tests running beside it (their deadlines are seconds).
            #expect(setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(webhook.process.processIdentifier), 10) == 0)
            world.registryServer.faults.add(.init(matching: "", stall: .seconds(120)))
            let registry = world.registryServer.authority
            let images = (0..<20_000).map { "\(registry)/alice/prod-api@\(Digest.sha256(of: Array("image \($0)".utf8)))" }
            let body = Reviews.pod(images)
            #expect(body.count > 2_400_000)
            let rssBefore = webhook.memoryKiB("VmRSS") ?? 0

            // The API server's longest timeout: this is the debug build on a shared machine (the
            // release build answers in about a second: Benchmarks/review-bound.sh).
            let started = ContinuousClock.now
            let reply = try await webhook.post(body, query: "timeout=30s", using: client)
            let elapsed = ContinuousClock.now - started
            let peak = try #require(webhook.memoryKiB("VmHWM"))
            let response = reply.json["response"]
            #expect(response["allowed"].bool == false, "\(reply.body.prefix(500))")
            let message = response["status"]["message"].string ?? ""
            #expect(message.contains("names 20000 distinct images; at most 100 are verified per review (--max-images-per-review)"), "\(message)")
            #expect(message.contains("violates policy production-images"), "\(message)")
            #expect(elapsed < .seconds(30), "answered within the review's deadline, not after the stalled verifications: \(elapsed)")
            #expect(peak < 128 * 1024, "peak RSS \(peak / 1024) MiB (before the review: \(rssBefore / 1024) MiB); the Deployment's limit is 256 MiB")
            let metrics = try await webhook.get("/metrics", using: client)
            #expect(metrics.contains("atcr_admission_reviews_over_image_bound_total 1"), "\(metrics)")
            #expect(metrics.contains(#"atcr_cache_misses_total{cache="artifacts"} 0"#) && metrics.contains(#"atcr_cache_misses_total{cache="tags"} 0"#),
                    "no verification started: \(metrics)")
            #expect(metrics.contains("atcr_verifications_in_flight 0"))

            world.registryServer.faults.clear()
            let signed = try #require(world.image("signed-k256-digest"))
            for count in [100, 99] {
                let review = try await webhook.post(Reviews.pod(Self.variants(of: signed, count: count)), using: client)
                #expect(review.json["response"]["allowed"].bool == true, "\(count) images (the bound is 100): \(review.body.prefix(500))")
            }
            let carol = try #require(world.image("signed-p256"))
            let over = try await webhook.post(Reviews.pod(Self.variants(of: carol, count: 101)), using: client)
            #expect(over.json["response"]["allowed"].bool == false)
            #expect(over.body.contains("names 101 distinct images; at most 100"), "\(over.body.prefix(500))")
            #expect(world.registryServer.log.count(containing: "/carol/prod-web/") == 0, "nothing verified over the bound")
        }
        await world.stop()
    }

    @Test("the bound flags: listed in --help with their variables; out-of-range values exit non-zero")
    func flags() async throws {
        let text = try await WebhookRun.run(["--help"]).stdout
        for (flag, variable) in [
            ("--max-images-per-review", "ATCR_MAX_IMAGES_PER_REVIEW"), ("--max-concurrent-verifications", "ATCR_MAX_CONCURRENT_VERIFICATIONS"),
            ("--cache-max-bytes", "ATCR_CACHE_MAX_BYTES"), ("--did-stale-if-error", "ATCR_DID_STALE_IF_ERROR"),
        ] {
            #expect(text.contains(flag) && text.contains(variable), "--help lacks \(flag) (\(variable))")
        }
        for (arguments, environment, named) in [
            (["--max-images-per-review", "0"], [String: String](), "--max-images-per-review"), (["--did-stale-if-error", "-1"], [:], "--did-stale-if-error"),
            ([], ["ATCR_MAX_CONCURRENT_VERIFICATIONS": "0"], "--max-concurrent-verifications"), (["--cache-max-bytes", "-5"], [:], "--cache-max-bytes"),
        ] {
            let run = try await WebhookRun.run(arguments, environment: environment)
            #expect(run.status != 0 && run.stderr.contains(named), "\(arguments) \(environment): \(run.stderr)")
        }
    }
}
