import ATProto
import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing
import TrustPolicy
@testable import Verifier

/// The whole pipeline against the real Debian `docker-registry` (distribution 2.8, no
/// referrers API), the signature's record living in the test world's PDS.
@Suite(
    "Verifier against the real docker-registry",
    .enabled(if: DockerRegistryProcess.binary != nil, "docker-registry is not installed (apt-get install -y docker-registry)"))
struct DockerRegistryVerifierTests {
    @Test("a signed image verifies through the tag-schema fallback; an unsigned one is denied")
    func fallback() async throws {
        let registry = try await DockerRegistryProcess()
        defer { registry.stop() }
        let world = try await TestWorld.shared()
        let alice = try #require(world.accounts["alice"])

        let pusher = RegistryPusher(baseURL: "http://\(registry.authority)")
        let image = try await pusher.pushImage(repository: "alice/prod-real", tag: "v1")
        let artifact = try world.signer.sign(image, name: "prod-real", recordKey: RecordKey(TID(microseconds: 1_763_900_000_000_000, clockID: 3)), by: alice)
        _ = try await pusher.push(artifact, repository: "alice/prod-real", updateReferrersTag: true)
        let unsigned = try await pusher.pushImage(repository: "alice/prod-bare", tag: "v1", seed: "bare")

        let fetcher = try HTTPFetcher(configuration: .init(allowInsecureHTTP: true, caBundlePath: world.caPath))
        let verifier = ImageVerifier(
            fetcher: fetcher, registry: RegistryClient(fetcher: fetcher, configuration: .init(insecureRegistries: [registry.authority])),
            options: .init(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true)))
        let yaml = """
            version: 1.0
            trustedDIDs:
              \(alice.did.string):
                name: Alice
                validFrom: "2024-01-01T00:00:00Z"
                expiresAt: null
            policies:
              - name: production-images
                scope: "\(registry.authority)/*/prod-*"
                require:
                  signature: true
                action: enforce
            """
        let policy = try #require(PolicyLoader.load(yaml: yaml, now: Date()).policy)
        for (reference, expected) in [("\(registry.authority)/alice/prod-real:v1", PolicyDecision.Verdict.allow), ("\(registry.authority)/alice/prod-bare:v1", .deny)] {
            let parsed = try ImageReference(parsing: reference)
            let plan = policy.contactPlan(for: ImageName(registry: parsed.registry, repository: parsed.repository), namespace: nil, now: Date())
            let verdict = await verifier.verify(parsed, plan: plan, deadline: .now + .seconds(20))
            let decision = policy.evaluate(verdict.evaluationInput(namespace: nil, now: Date(), auditOnly: false))
            #expect(decision.verdict == expected, "\(reference): \(decision.reason) \(verdict.error ?? "")")
            if expected == .allow {
                #expect(verdict.verifiedDIDs == [alice.did.string])
                #expect(verdict.digest == image.digest)
            } else {
                #expect(verdict.digest == unsigned.digest && verdict.signatures.isEmpty)
            }
        }
        try await fetcher.shutdown()
    }
}
