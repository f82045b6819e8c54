import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing
import TrustPolicy
@testable import Verifier

/// The DID prefetch (docs/architecture.md, "The pipeline"): the documents of the few trusted
/// DIDs that may sign an image are resolved while the registry answers, trust first, with no
/// upstream request added but the counted unused prefetches and preconnects.
@Suite("Verifier: DID documents prefetched in parallel with the registry steps", .serialized)
struct PrefetchTests {
    /// One world for the suite (its tests run one at a time: they count its requests).
    static func world() async throws -> TestWorld { try await PrefetchWorld.instance.get() }

    /// A policy trusting `names` for the world's production images.
    static func policy(_ world: TestWorld, trusting names: [String]) throws -> TrustPolicy {
        var lines = ["version: 1.0", "defaultAction: allow", "trustedDIDs:"]
        for name in names {
            let did = try #require(world.accounts[name]).did.string
            lines += ["  \(did):", "    name: \"\(name)\"", "    validFrom: \"2024-01-01T00:00:00Z\"", "    expiresAt: null"]
        }
        lines += [
            "policies:", "  - name: production-images", "    scope: \"\(world.registryName)/*/prod-*\"", "    require:",
            "      signature: true", "    action: enforce",
        ]
        let loaded = PolicyLoader.load(yaml: lines.joined(separator: "\n") + "\n", now: Date(), allowInsecureLocalEndpoints: true)
        return try #require(loaded.policy, "\(loaded.errors)")
    }

    struct Counts: Equatable {
        var registry: Int
        var didDocuments: [String]
        var proofs: Int
    }

    /// A verifier with empty caches and new connections, the world's request logs cleared.
    static func freshVerifier(_ world: TestWorld, prefetch: Int? = nil) throws -> (ImageVerifier, HTTPFetcher) {
        for server in world.servers { server.log.clear() }
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
        var options = ImageVerifier.Options(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true))
        if let prefetch { options.maxPrefetchedIdentities = prefetch }
        return (ImageVerifier(fetcher: fetcher, registry: RegistryClient(fetcher: fetcher), options: options), fetcher)
    }

    /// The contact plan for `image` with no namespace known.
    static func plan(_ policy: TrustPolicy, _ image: ImageReference) -> ContactPlan {
        policy.contactPlan(for: ImageName(registry: image.registry, repository: image.repository), namespace: nil, now: Date())
    }

    /// Verifies `scenario` with a fresh verifier (empty caches, new connections) and returns the
    /// verdict, the requests it cost and the verifier.
    static func review(
        _ world: TestWorld, _ scenario: String, policy: TrustPolicy, prefetch: Int
    ) async throws -> (ImageVerdict, Counts, ImageVerifier, HTTPFetcher) {
        let (verifier, fetcher) = try Self.freshVerifier(world, prefetch: prefetch)
        let image = try ImageReference(parsing: try #require(world.image(scenario)).reference)
        let verdict = await verifier.verify(image, plan: Self.plan(policy, image), deadline: .now + .seconds(20))
        // An unused prefetch may still be landing: wait until the directory is quiet.
        var quiet = 0, last = -1
        while quiet < 3 {
            try await Task.sleep(for: .milliseconds(30))
            let now = world.plcServer.log.count() + world.pdsServer.log.count()
            quiet = now == last ? quiet + 1 : 0
            last = now
        }
        let counts = Counts(
            registry: world.registryServer.log.count(),
            didDocuments: world.plcServer.log.all.filter { $0.path.hasPrefix("/did:") }.map(\.path).sorted(),
            proofs: world.pdsServer.log.count(pathContains: "/xrpc/"))
        return (verdict, counts, verifier, fetcher)
    }

    @Test("a signature by one of two trusted DIDs: both documents prefetched, one counted unused; nothing else added")
    func twoCandidates() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["alice", "bob"])
        let (sequential, before, _, f1) = try await Self.review(world, "signed-k256", policy: policy, prefetch: 0)
        let (parallel, after, verifier, f2) = try await Self.review(world, "signed-k256", policy: policy, prefetch: 4)
        #expect(sequential.verifiedDIDs == parallel.verifiedDIDs && parallel.verifiedDIDs.count == 1, "\(parallel.signatures)")
        #expect(after.registry == before.registry)
        #expect(after.proofs == before.proofs)
        #expect(before.didDocuments.count == 1)
        let alice = try #require(world.accounts["alice"]).did.string, bob = try #require(world.accounts["bob"]).did.string
        #expect(after.didDocuments == ["/\(alice)", "/\(bob)"].sorted())
        let statistics = verifier.prefetchStatistics.snapshot
        #expect(statistics.prefetched == 2 && statistics.used == 1 && statistics.unused == 1, "\(statistics)")
        // The PDS connection was opened ahead of getRecord: one preconnect, at most.
        #expect(f2.preconnects.snapshot.made <= 1)
        #expect(world.pdsServer.log.count(pathContains: "/xrpc/") == after.proofs)
        try await f1.shutdown()
        try await f2.shutdown()
    }

    @Test("an unused prefetched document is kept in the cache: the next review under the same policy resolves nothing")
    func unusedKept() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["alice", "bob"])
        let (verifier, fetcher) = try Self.freshVerifier(world)
        let bob = try #require(world.accounts["bob"]).did
        for (index, scenario) in ["signed-k256", "signed-k256-digest"].enumerated() {
            let image = try ImageReference(parsing: try #require(world.image(scenario)).reference)
            #expect(await verifier.verify(image, plan: Self.plan(policy, image), deadline: .now + .seconds(20)).verifiedDIDs.count == 1)
            if index == 0 {
                // Kept after the review, without waiting for it.
                var kept = false
                for _ in 0..<100 where !kept {
                    kept = await verifier.caches.identities.freshValue(for: bob) != nil
                    if !kept { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(kept, "bob's prefetched document is in the cache")
            }
        }
        #expect(world.plcServer.log.count(pathContains: "/did:") == 2, "alice and bob, each once: \(world.plcServer.log.all.map(\.path))")
        let statistics = verifier.prefetchStatistics.snapshot
        #expect(statistics.prefetched == 2 && statistics.unused == 1, "\(statistics)")
        try await fetcher.shutdown()
    }

    @Test("two images under one policy verified at once: each trusted DID's document is fetched once, not once per image")
    func concurrentImagesShareResolutions() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["alice", "bob"])
        let (verifier, fetcher) = try Self.freshVerifier(world)
        let images = try ["signed-k256", "signed-k256-digest", "signed-k256", "signed-k256-digest"].map {
            try ImageReference(parsing: try #require(world.image($0)).reference)
        }
        let verified = await withTaskGroup(of: Int.self) { group in
            for image in images {
                let plan = Self.plan(policy, image)
                group.addTask { await verifier.verify(image, plan: plan, deadline: .now + .seconds(20)).verifiedDIDs.count }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(verified == [1, 1, 1, 1])
        let alice = try #require(world.accounts["alice"]).did.string, bob = try #require(world.accounts["bob"]).did.string
        let documents = world.plcServer.log.all.filter { $0.path.hasPrefix("/did:") }.map(\.path).sorted()
        #expect(documents == ["/\(alice)", "/\(bob)"].sorted(), "each document once, shared by the four reviews: \(documents)")
        try await fetcher.shutdown()
    }

    @Test("trust first: a signer the policy does not trust is never resolved, prefetch or not")
    func untrustedSigner() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["bob"])
        let (verdict, counts, verifier, fetcher) = try await Self.review(world, "signed-k256", policy: policy, prefetch: 4)
        #expect(verdict.verifiedDIDs.isEmpty)
        let alice = try #require(world.accounts["alice"]).did.string, bob = try #require(world.accounts["bob"]).did.string
        #expect(counts.didDocuments == ["/\(bob)"], "only the trusted DID, prefetched")
        #expect(!world.plcServer.log.all.contains { $0.path.contains(alice) })
        #expect(counts.proofs == 0)
        #expect(verifier.prefetchStatistics.snapshot.unused == 1)
        try await fetcher.shutdown()
    }

    @Test("more candidate signers than the bound: nothing is prefetched, the pipeline stays sequential")
    func overTheBound() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["alice", "bob", "carol", "dave", "erin"])
        let (verdict, counts, verifier, fetcher) = try await Self.review(world, "signed-k256", policy: policy, prefetch: 4)
        #expect(verdict.verifiedDIDs.count == 1)
        #expect(counts.didDocuments.count == 1)
        #expect(verifier.prefetchStatistics.snapshot.prefetched == 0)
        try await fetcher.shutdown()
    }

    @Test("a cached document is not fetched again: the second review prefetches nothing")
    func cachedNotPrefetched() async throws {
        let world = try await Self.world()
        let policy = try Self.policy(world, trusting: ["alice"])
        let (verifier, fetcher) = try Self.freshVerifier(world)
        for scenario in ["signed-k256", "signed-k256-digest"] {
            let image = try ImageReference(parsing: try #require(world.image(scenario)).reference)
            #expect(await verifier.verify(image, plan: Self.plan(policy, image), deadline: .now + .seconds(20)).verifiedDIDs.count == 1)
        }
        #expect(world.plcServer.log.count(pathContains: "/did:") == 1)
        #expect(verifier.prefetchStatistics.snapshot.prefetched == 1)
        try await fetcher.shutdown()
    }
}

private actor PrefetchWorld {
    static let instance = PrefetchWorld()
    private var world: TestWorld?

    func get() async throws -> TestWorld {
        if let world { return world }
        let started = try await TestWorld.start()
        world = started
        return started
    }
}
