import ATProto
import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing
import TrustPolicy
@testable import Verifier

/// The same world served differently: without the referrers API (the tag-schema fallback), over
/// plain HTTP (the explicit test flag), and with its PLC directory down (stale-if-error).
@Suite("Verifier against world variants")
struct WorldVariantsTests {
    static func expectedVerdict(_ image: WorldImage) -> PolicyDecision.Verdict {
        switch image.expected {
        case .allow: .allow
        case .audit: .audit
        case .deny: .deny
        }
    }

    @Test("without the referrers API every scenario still gets its verdict (tag-schema fallback)")
    func fallbackWorld() async throws {
        let world = try await TestWorld.start(.init(referrersAPI: false))
        let verifier = try WorldVerifier(world)
        for image in world.images {
            if let first = image.after, let prerequisite = world.image(first) { _ = try await verifier.decide(prerequisite.reference) }
            let (_, decision) = try await verifier.decide(image.reference)
            #expect(decision.verdict == Self.expectedVerdict(image), "\(image.scenario): \(decision.reason)")
        }
        #expect(world.registryServer.log.count(containing: "/referrers/") > 0, "the referrers API was tried")
        #expect(world.registryServer.log.count(containing: "/manifests/sha256-") > 0, "and the fallback tag used")
        await verifier.shutdown()
        await world.stop()
    }

    @Test("a plain-HTTP world verifies only with the explicit insecure flag")
    func plainHTTPWorld() async throws {
        let world = try await TestWorld.start(.init(tls: false))
        let image = try #require(world.image("signed-k256"))
        let reference = try ImageReference(parsing: image.reference)
        let policy = try #require(PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true).policy)
        let plan = policy.contactPlan(for: ImageName(registry: reference.registry, repository: reference.repository), namespace: nil, now: Date())

        let strict = try HTTPFetcher()
        let refused = await ImageVerifier(fetcher: strict, registry: RegistryClient(fetcher: strict))
            .verify(reference, plan: plan, deadline: .now + .seconds(10))
        #expect(refused.error != nil, "https-only verifier must not speak plain http")
        #expect(world.registryServer.log.count() == 0)

        let insecure = try HTTPFetcher(configuration: .init(allowInsecureHTTP: true))
        let verifier = ImageVerifier(
            fetcher: insecure, registry: RegistryClient(fetcher: insecure, configuration: .init(insecureRegistries: [world.registryName])),
            options: .init(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true, localDIDWebScheme: "http")))
        let verdict = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(10))
        #expect(policy.evaluate(verdict.evaluationInput(namespace: nil, now: Date(), auditOnly: false)).verdict == .allow, "\(verdict)")
        try await strict.shutdown()
        try await insecure.shutdown()
        await world.stop()
    }

    @Test("PLC directory down: an expired DID document is served stale, and the verdict says so")
    func staleIfError() async throws {
        let world = try await TestWorld.start()
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
        var caches = VerifierCaches.Configuration()
        caches.identities = CacheConfiguration(capacity: 100, ttl: .milliseconds(1), negativeTTL: .milliseconds(1), staleIfError: .seconds(3_600))
        caches.evidence = CacheConfiguration(capacity: 100, ttl: .milliseconds(1), negativeTTL: .milliseconds(1))
        let verifier = ImageVerifier(
            fetcher: fetcher, registry: RegistryClient(fetcher: fetcher),
            options: .init(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true), caches: caches))
        let policy = try #require(PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true).policy)
        let reference = try ImageReference(parsing: try #require(world.image("signed-k256-digest")).reference)
        let plan = policy.contactPlan(for: ImageName(registry: reference.registry, repository: reference.repository), namespace: nil, now: Date())

        let fresh = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(10))
        #expect(fresh.verifiedDIDs.count == 1 && fresh.warnings.allSatisfy { !$0.contains("directory") })
        try await Task.sleep(for: .milliseconds(20))
        world.plcServer.faults.add(.init(matching: "", status: 503))
        let stale = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(10))
        #expect(stale.verifiedDIDs.count == 1, "\(stale.signatures)")
        #expect(stale.warnings.contains { $0.contains("served from cache") }, "\(stale.warnings)")
        guard case .verified(let signature)? = stale.signatures.first?.status else {
            Issue.record("not verified: \(stale.signatures)")
            return
        }
        #expect(signature.staleIdentity)
        try await fetcher.shutdown()
        await world.stop()
    }
}
