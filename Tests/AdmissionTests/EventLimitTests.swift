import Foundation
import Testing
@testable import Admission

@Suite("Kubernetes Events: at most `limit` per review")
struct EventLimitTests {
    @Test("the limit keeps the first flagged images' Events, skipping allowed ones; no limit keeps them all")
    func limit() throws {
        let request = try Fixtures.request("deployment-create")
        let plan = AdmissionPlan(request: request)
        let images = plan.toVerify.map(\.image)
        try #require(images.count >= 2)
        let decisions = [Decisions.allow(images[0])] + images.dropFirst().map { Decisions.deny($0) }
        let outcome = AdmissionOutcome(request: request, plan: plan, decisions: decisions)
        let all = outcome.kubernetesEvents(at: Date(), reportingInstance: "w")
        #expect(all.count == images.count - 1)
        let one = outcome.kubernetesEvents(at: Date(), reportingInstance: "w", limit: 1)
        #expect(one.map(\.name) == [all[0].name], "the first denied image, not the allowed one before it")
        #expect(outcome.kubernetesEvents(at: Date(), reportingInstance: "w", limit: 0).isEmpty)
    }
}
