import AsyncHTTPClient
import Foundation
import Testbed
import Testing
@testable import Webhook

/// `POST /mutate` (the pin-digests companion, docs/operations.md) end to end over HTTPS against
/// the local world: the real webhook, the patch applied by other JSON Patch implementations,
/// then the patched Pod sent to `/validate`. Serialized: each test starts its own world (request
/// logs and registry tags are per world).
@Suite("pin-digests: /mutate pins verified tags", .serialized)
struct WebhookPinDigestsTests {
    @Test("a Pod by tag: every container and image volume of a verified image pinned at its index, nothing else changed; /validate then admits it without the tag warning, and without a single upstream request")
    func pinThenValidate() async throws {
        let world = try await TestWorld.start()
        let signed = try #require(world.image("signed-k256")), carol = try #require(world.image("signed-p256"))
        let unscoped = try #require(world.image("no-policy")).reference
        let pod = PinReviews.pod(
            containers: [("app", signed.reference), ("outside", unscoped), ("carol", carol.reference)],
            initContainers: [("init", signed.reference)], imageVolumes: [("model", carol.reference)])
        try await WebhookProcess.with(world: world) { webhook, client in
            let before = world.reviewRequests.count
            let answer = try await webhook.mutate(try PinReviews.review(pod), using: client)
            #expect(answer.status == 200)
            #expect(answer.response["allowed"].bool == true, "\(answer.body)")
            let verification = world.reviewRequests.count - before
            #expect(verification > 0, "/mutate verified the images")

            let patched = try answer.applied(to: pod)
            var expected = PinReviews.setting(pod, "containers", 0, to: "\(signed.reference)@\(signed.digest)")
            expected = PinReviews.setting(expected, "containers", 2, to: "\(carol.reference)@\(carol.digest)")
            expected = PinReviews.setting(expected, "initContainers", 0, to: "\(signed.reference)@\(signed.digest)")
            expected = PinReviews.setting(expected, "volumes", 1, to: "\(carol.reference)@\(carol.digest)")
            #expect(NSDictionary(dictionary: patched).isEqual(to: expected), "patched: \((try? PinReviews.text(patched)) ?? "?")")

            let afterMutate = try await world.settledReviewRequestCount()
            let validated = try await webhook.post(try PinReviews.review(patched), using: client)
            let response = validated.json["response"]
            #expect(response["allowed"].bool == true, "\(validated.body)")
            let warnings = response["warnings"].array.compactMap(\.string)
            #expect(!warnings.contains { $0.contains("tag resolved to") }, "the pinned images carry no tag warning: \(warnings)")
            #expect(world.reviewRequests.count == afterMutate,
                    "the evidence /mutate cached served /validate: \(world.reviewRequests.map(\.line).suffix(10))")

            // The unpatched Pod (no pin-digests webhook installed) is admitted with the warning.
            let unpinned = try await webhook.post(try PinReviews.review(pod), using: client)
            #expect(unpinned.json["response"]["warnings"].array.contains { ($0.string ?? "").contains("tag resolved to") })
        }
        await world.stop()
    }

    @Test("failed, audited and unscoped images are left alone; a Pod without a verified tag gets no patch at all")
    func leftAlone() async throws {
        let world = try await TestWorld.start()
        let signed = try #require(world.image("signed-k256"))
        let unsigned = try #require(world.image("unsigned")).reference, audited = try #require(world.image("audit-unsigned")).reference
        let digestPinned = try #require(world.image("signed-k256-digest")).reference
        let harness = try await WebhookHarness(world: world)
        let mixed = PinReviews.pod(containers: [("bad", unsigned), ("good", signed.reference), ("dev", audited), ("pinned", digestPinned)])
        let answer = try await harness.mutate(try PinReviews.review(mixed))
        #expect(answer.response["allowed"].bool == true, "/mutate never denies: \(answer.body)")
        let patched = try answer.applied(to: mixed)
        #expect(NSDictionary(dictionary: patched).isEqual(to: PinReviews.setting(mixed, "containers", 1, to: "\(signed.reference)@\(signed.digest)")))
        let validated = try await harness.post(try PinReviews.review(patched))
        #expect(validated.json["response"]["allowed"].bool == false, "/validate still denies the unsigned image: \(validated.body)")
        #expect((validated.json["response"]["status"]["message"].string ?? "").contains(unsigned))

        let nothing = try await harness.mutate(try PinReviews.review(PinReviews.pod(containers: [("bad", unsigned), ("pinned", digestPinned)])))
        #expect(nothing.response["allowed"].bool == true)
        #expect(nothing.patch == nil && nothing.response["patchType"].string == nil, "\(nothing.body)")
        #expect(harness.server.metrics.value("atcr_mutation_reviews_total", [("result", "pinned")]) == 1)
        #expect(harness.server.metrics.value("atcr_mutation_reviews_total", [("result", "nothing_to_pin")]) == 1)
        #expect(harness.server.metrics.value("atcr_pinned_images_total") == 1)
        #expect(harness.audit.all.count == 4, "/mutate writes no audit lines; the one /validate did: \(harness.audit.all)")
        await harness.stop()
        await world.stop()
    }

    @Test("a policy with digestPinned: true denies the tag, admits the Pod /mutate pinned")
    func digestPinnedPolicy() async throws {
        let world = try await TestWorld.start()
        let policy = world.policyYAML.replacingOccurrences(
            of: "      minSignatures: 1\n    action: enforce", with: "      minSignatures: 1\n      digestPinned: true\n    action: enforce")
        #expect(policy != world.policyYAML)
        let harness = try await WebhookHarness(world: world, policyYAML: policy)
        let signed = try #require(world.image("signed-k256"))
        let pod = PinReviews.pod(containers: [("app", signed.reference)])
        let byTag = try await harness.post(try PinReviews.review(pod))
        #expect(byTag.json["response"]["allowed"].bool == false, "\(byTag.body)")
        #expect((byTag.json["response"]["status"]["message"].string ?? "").contains("digest-pinned"), "\(byTag.body)")
        let answer = try await harness.mutate(try PinReviews.review(pod))
        let patched = try answer.applied(to: pod)
        let pinned = try await harness.post(try PinReviews.review(patched))
        #expect(pinned.json["response"]["allowed"].bool == true, "\(pinned.body)")
        await harness.stop()
        await world.stop()
    }

    @Test("a tag moved to an unsigned image between two Pods: each Pod gets its own verified digest, or a denial; never the unsigned digest")
    func movedTag() async throws {
        let world = try await TestWorld.start()
        let signed = try #require(world.image("signed-k256"))
        let prefix = world.registryName + "/"
        let path = String(signed.reference.dropFirst(prefix.count))
        let colon = try #require(path.lastIndex(of: ":"))
        let repository = String(path[..<colon]), tag = String(path[path.index(after: colon)...])
        let first = PinReviews.pod(name: "first", containers: [("app", signed.reference)])
        let second = PinReviews.pod(name: "second", containers: [("app", signed.reference)])
        try await WebhookProcess.with(world: world) { webhook, client in
            let one = try await webhook.mutate(try PinReviews.review(first), using: client)
            let firstPinned = try one.applied(to: first)
            #expect(NSDictionary(dictionary: firstPinned).isEqual(to: PinReviews.setting(first, "containers", 0, to: "\(signed.reference)@\(signed.digest)")))
            #expect(try await webhook.post(try PinReviews.review(firstPinned), using: client).json["response"]["allowed"].bool == true)

            let moved = try world.registry.pushImage(repository: repository, tag: tag, seed: "moved, unsigned")
            #expect(world.registry.digest(forTag: tag, repository: repository) == moved.digest)
            #expect(moved.digest.description != signed.digest)

            // The same replica: within the tag cache's 30 s the tag still resolves to what was
            // verified, so the second Pod is pinned to it too; after, it is denied.
            let two = try await webhook.mutate(try PinReviews.review(second), using: client)
            if let patch = two.patch {
                #expect(!patch.contains(moved.digest.description), "never pinned to the unsigned digest: \(patch)")
                let secondPinned = try two.applied(to: second)
                #expect(NSDictionary(dictionary: secondPinned).isEqual(to: PinReviews.setting(second, "containers", 0, to: "\(signed.reference)@\(signed.digest)")))
                #expect(try await webhook.post(try PinReviews.review(secondPinned), using: client).json["response"]["allowed"].bool == true)
            } else {
                #expect(try await webhook.post(try PinReviews.review(second), using: client).json["response"]["allowed"].bool == false)
            }
            // The first Pod's spec still names the digest that was verified: it stays admissible.
            #expect(try await webhook.post(try PinReviews.review(firstPinned), using: client).json["response"]["allowed"].bool == true)
        }
        // Another replica (nothing cached) resolves the moved tag: nothing to pin, and denied.
        try await WebhookProcess.with(world: world) { webhook, client in
            let two = try await webhook.mutate(try PinReviews.review(second), using: client)
            #expect(two.response["allowed"].bool == true)
            #expect(two.patch == nil, "\(two.body)")
            let validated = try await webhook.post(try PinReviews.review(second), using: client)
            #expect(validated.json["response"]["allowed"].bool == false, "\(validated.body)")
        }
        await world.stop()
    }

    @Test("kubectl debug: the new ephemeral container is pinned at its index, the running containers are not touched; kubectl set image: the changed container is pinned")
    func ephemeralContainers() async throws {
        let world = try await TestWorld.start()
        let signed = try #require(world.image("signed-k256")), carol = try #require(world.image("signed-p256"))
        let harness = try await WebhookHarness(world: world)
        // The running Pod as pin-digests admitted it; `kubectl debug` adds a container by tag.
        let app = "\(signed.reference)@\(signed.digest)"
        let running = PinReviews.pod(containers: [("app", app)], ephemeral: [("old-debug", carol.reference)])
        let missing = PinReviews.pod(containers: [("app", app)], ephemeral: [("old-debug", carol.reference), ("debug", signed.reference + "x")])
        // A tag that does not exist: fails, left alone.
        let failing = try await harness.mutate(try PinReviews.review(missing, operation: "UPDATE", subResource: "ephemeralcontainers", old: running))
        #expect(failing.patch == nil, "\(failing.body)")
        let withSigned = PinReviews.setting(missing, "ephemeralContainers", 1, to: signed.reference)
        let answer = try await harness.mutate(try PinReviews.review(withSigned, operation: "UPDATE", subResource: "ephemeralcontainers", old: running))
        let patched = try answer.applied(to: withSigned)
        #expect(NSDictionary(dictionary: patched).isEqual(to: PinReviews.setting(withSigned, "ephemeralContainers", 1, to: app)),
                "only ephemeralContainers[1]: \((try? PinReviews.text(patched)) ?? "?")")
        // A plain Pod UPDATE (kubectl set image) pins the image it changes; a Deployment is never patched.
        // (To a tag the old Pod does not name: an image already in the Pod counts as unchanged.)
        let setImage = PinReviews.setting(running, "containers", 0, to: signed.reference)
        let update = try await harness.mutate(try PinReviews.review(setImage, operation: "UPDATE", old: running))
        let updated = try update.applied(to: setImage)
        #expect(NSDictionary(dictionary: updated).isEqual(to: PinReviews.setting(running, "containers", 0, to: app)),
                "only the changed image: \((try? PinReviews.text(updated)) ?? "?")")
        let relabel = try await harness.mutate(try PinReviews.review(running, operation: "UPDATE", old: running))
        #expect(relabel.patch == nil, "an UPDATE that changes no image has nothing to pin: \(relabel.body)")
        let deployment = try await harness.mutate(Reviews.workload(kind: "Deployment", group: "apps", resource: "deployments", image: signed.reference))
        #expect(deployment.patch == nil && deployment.response["allowed"].bool == true)
        await harness.stop()
        await world.stop()
    }

    @Test("verification that cannot finish before the deadline: no patch, allowed, /validate decides")
    func deadline() async throws {
        let world = try await TestWorld.start()
        let signed = try #require(world.image("signed-k256"))
        let harness = try await WebhookHarness(world: world)
        world.registryServer.faults.add(.init(matching: "/manifests/", stall: .seconds(4), times: 1))
        let started = ContinuousClock.now
        let answer = try await harness.mutate(try PinReviews.review(PinReviews.pod(containers: [("app", signed.reference)])), query: "timeout=2s")
        #expect(ContinuousClock.now - started < .seconds(4), "answered within the API server's timeout")
        #expect(answer.status == 200 && answer.response["allowed"].bool == true, "\(answer.body)")
        #expect(answer.patch == nil, "\(answer.body)")
        #expect(harness.server.metrics.value("atcr_mutation_reviews_total", [("result", "timed_out")]) == 1)
        await harness.stop()
        await world.stop()
    }
}
