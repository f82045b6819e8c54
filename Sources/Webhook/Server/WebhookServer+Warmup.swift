import Foundation
import TrustPolicy
import Verifier

extension WebhookServer {
    /// Warms what reviews under the loaded policy will need (``WarmupPlan``) once it loads, and
    /// again whenever it changes: in the background, never delaying readiness; each run bounded
    /// by the plan's size and a deadline of `--default-timeout`.
    func warmWhenPolicyChanges() async {
        var warmed: TrustPolicy?
        while !Task.isCancelled {
            if let policy = await policyWatcher.policy, policy != warmed {
                warmed = policy
                let plan = WarmupPlan.make(
                    policy: policy, plcDirectory: configuration.plcDirectory, registryOrigin: verifier.registry.origin, now: Date())
                let start = ContinuousClock.now
                let resolved = await verifier.warm(plan, deadline: .now + configuration.defaultTimeout)
                metrics.increment("atcr_warmups_total")
                logger.info(
                    "warmed connections and trusted DID documents",
                    metadata: [
                        "origins": "\(plan.origins.count)", "dids": "\(resolved)/\(plan.signers.count)",
                        "ms": "\(Int((ContinuousClock.now - start) / .milliseconds(1)))",
                    ])
            }
            try? await Task.sleep(for: configuration.reloadInterval)
        }
    }
}
