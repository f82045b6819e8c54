import Foundation
import Testbed
import Testing
import TrustPolicy
@testable import Verifier

@Suite("Warmup plan: what a policy says to warm")
struct WarmupPlanTests {
    @Test("a scope's literal registry is warmed; a globbed host or a bare repository is not")
    func literalRegistries() {
        #expect(WarmupPlan.literalRegistry("ghcr.io/org/**") == "ghcr.io")
        #expect(WarmupPlan.literalRegistry("localhost:5000/*/prod-*") == "localhost:5000")
        #expect(WarmupPlan.literalRegistry("*.example.com/app") == nil)
        #expect(WarmupPlan.literalRegistry("library/nginx") == nil)
        #expect(WarmupPlan.literalRegistry("ghcr.io") == nil)
    }

    @Test("the world's policy: PLC directory and registry origins, every valid trusted DID once, mallory never; bounded")
    func worldPolicy() async throws {
        let world = try await TestWorld.shared()
        let policy = try #require(PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true).policy)
        let plan = WarmupPlan.make(
            policy: policy, plcDirectory: world.plcServer.origin, registryOrigin: { "https://\($0)" }, now: Date())
        #expect(plan.origins == [world.plcServer.origin, "https://\(world.registryName)"])
        let trusted = Set(world.accounts.values.filter { $0.name != "mallory" }.map(\.did))
        #expect(Set(plan.signers.map(\.did)) == trusted)
        #expect(plan.signers.count == trusted.count)
        let small = WarmupPlan.make(
            policy: policy, plcDirectory: world.plcServer.origin, registryOrigin: { "https://\($0)" }, now: Date(), maxOrigins: 1, maxDIDs: 2)
        #expect(small.origins.count == 1 && small.signers.count == 2)
    }
}
