import Foundation
import HTTPFetch
import OCI
import Testbed
import TrustPolicy
@testable import Verifier

/// A verifier wired to a world the way the webhook wires it to a cluster.
struct WorldVerifier {
    let world: TestWorld
    let fetcher: HTTPFetcher
    let verifier: ImageVerifier
    let policy: TrustPolicy

    init(_ world: TestWorld, auditOnly: Bool = false) throws {
        self.world = world
        fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
        let registry = RegistryClient(fetcher: fetcher)
        verifier = ImageVerifier(
            fetcher: fetcher, registry: registry,
            options: .init(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true)))
        let loaded = PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true)
        guard let policy = loaded.policy else { throw WorldVerifierError.policy(loaded.errors.map(\.description)) }
        self.policy = policy
    }

    enum WorldVerifierError: Error { case policy([String]) }

    /// Verifies and decides one reference.
    func decide(_ reference: String, namespace: String? = "default", now: Date = Date(), seconds: Int = 20) async throws -> (ImageVerdict, PolicyDecision) {
        let image = try ImageReference(parsing: reference)
        let plan = policy.contactPlan(for: ImageName(registry: image.registry, repository: image.repository), namespace: namespace, now: now)
        let verdict = await verifier.verify(image, plan: plan, deadline: .now + .seconds(seconds))
        let decision = policy.evaluate(verdict.evaluationInput(namespace: namespace, now: now, auditOnly: false))
        return (verdict, decision)
    }

    func shutdown() async {
        try? await fetcher.shutdown()
    }
}
