import ATProto
import Foundation

extension TrustPolicy {
    /// Decides one image (docs/trust-policy.md, "How an image is decided"): every matching policy is evaluated; a failing `enforce`
    /// denies, a failing `audit` admits with a finding, and no match falls to `defaultAction`.
    /// `auditOnly` turns every `enforce` (and a `deny` default) into `audit`.
    ///
    /// With no namespace (containerd, Gatekeeper, the CLI without `--namespace`) the decision is
    /// the strictest one any namespace could get: every policy whose scope matches is evaluated
    /// (each can only add failures), and unless one of them applies in every namespace, the
    /// namespaces none of them covers fall to `defaultAction`, which decides when it is stricter.
    /// A policy that relaxes by namespace (`audit`, `signature: false`) never relaxes elsewhere.
    public func evaluate(_ input: EvaluationInput) -> PolicyDecision {
        let matching = matchingPolicies(for: input.image, namespace: input.namespace)
        guard !matching.isEmpty else { return defaultDecision(input) }
        let decision = evaluate(input, matching: matching)
        guard input.namespace == nil, !matching.contains(where: \.appliesInEveryNamespace) else { return decision }
        let uncovered = defaultDecision(input)
        guard uncovered.verdict.strictness > decision.verdict.strictness else { return decision }
        let limited = matching.map { "\($0.name) applies only in namespaces \(($0.namespaces ?? []).map(\.pattern).joined(separator: ", "))" }
        // The results stay: the image is in these policies' scope (coverage, SARIF and audit
        // lines count it so); the verdict and the reason say defaultAction decided elsewhere.
        return PolicyDecision(
            verdict: uncovered.verdict,
            results: decision.results,
            reason: "no namespace known, and no policy for \(input.image) applies in every namespace (\(limited.joined(separator: "; "))): "
                + "elsewhere defaultAction is \(defaultAction.rawValue); where they apply: \(decision.reason)"
        )
    }

    /// The combined verdict of the policies that match.
    private func evaluate(_ input: EvaluationInput, matching: [Policy]) -> PolicyDecision {
        let results = matching.map { evaluate($0, input) }
        let verdict: PolicyDecision.Verdict
        if results.contains(where: { !$0.passed && $0.action == .enforce }) {
            verdict = .deny
        } else if results.contains(where: { !$0.passed }) {
            verdict = .audit
        } else {
            verdict = .allow
        }
        let failures = results.filter { !$0.passed }
        let reason = failures.isEmpty
            ? "satisfies \(results.map(\.policy).joined(separator: ", "))"
            : failures.map { "violates policy \($0.policy): \($0.reason)" }.joined(separator: "; ")
        return PolicyDecision(verdict: verdict, results: results, reason: reason)
    }

    private func defaultDecision(_ input: EvaluationInput) -> PolicyDecision {
        let verdict: PolicyDecision.Verdict
        switch defaultAction {
        case .allow: verdict = .allow
        case .audit: verdict = .audit
        case .deny: verdict = input.auditOnly ? .audit : .deny
        }
        return PolicyDecision(
            verdict: verdict,
            results: [],
            reason: "no policy matches \(input.image); defaultAction is \(defaultAction.rawValue)"
        )
    }

    /// One policy against one image.
    func evaluate(_ policy: Policy, _ input: EvaluationInput) -> PolicyResult {
        let action: PolicyAction = input.auditOnly ? .audit : policy.action
        func result(_ passed: Bool, _ reason: String, _ signers: [String] = []) -> PolicyResult {
            PolicyResult(policy: policy.name, action: action, configuredAction: policy.action,
                         passed: passed, reason: reason, signers: signers)
        }
        let requirement = policy.requirement
        guard requirement.signature else { return result(true, "signature not required") }

        var problems: [String] = []
        if requirement.digestPinned && !input.pinnedByDigest {
            problems.append("referenced by tag, but this policy requires a digest-pinned reference (image@sha256:…)")
        }
        if let error = input.verificationError {
            problems.append("could not verify: \(error)")
            return result(false, problems.joined(separator: "; "))
        }
        let tally = SignatureTally(policy: self, requirement: requirement, input: input)
        if tally.counted.count < requirement.minSignatures {
            problems.insert(tally.shortfallReason(minSignatures: requirement.minSignatures), at: 0)
        }
        guard problems.isEmpty else { return result(false, problems.joined(separator: "; "), tally.counted) }
        return result(true, tally.passReason(minSignatures: requirement.minSignatures), tally.counted)
    }
}
