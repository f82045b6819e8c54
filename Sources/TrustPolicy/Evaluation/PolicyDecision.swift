/// The result of one matching policy for one image.
public struct PolicyResult: Sendable, Hashable {
    /// The policy's name.
    public var policy: String
    /// The action that applies (after `--audit-only`).
    public var action: PolicyAction
    /// The action written in the policy.
    public var configuredAction: PolicyAction
    /// True when the image satisfies the policy.
    public var passed: Bool
    /// Why, in words a person can act on, e.g.
    /// `no signature by a trusted DID (found: did:plc:…)`.
    public var reason: String
    /// The trusted DIDs whose verified signatures counted toward `minSignatures`.
    public var signers: [String]

    /// A result as `TrustPolicy.evaluate(_:)` reports it.
    public init(policy: String, action: PolicyAction, configuredAction: PolicyAction, passed: Bool, reason: String, signers: [String]) {
        self.policy = policy
        self.action = action
        self.configuredAction = configuredAction
        self.passed = passed
        self.reason = reason
        self.signers = signers
    }
}

/// The decision for one image: the verdict and every matching policy's result.
public struct PolicyDecision: Sendable, Hashable {
    /// What admission does with the image.
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        /// Admit, nothing to report.
        case allow
        /// Admit with a finding (warning, audit annotation, audit event).
        case audit
        /// Reject.
        case deny

        /// allow < audit < deny.
        public var strictness: Int {
            switch self {
            case .allow: 0
            case .audit: 1
            case .deny: 2
            }
        }
    }

    /// allow, audit or deny.
    public var verdict: Verdict
    /// One result per matching policy, in file order; empty when no policy matched.
    public var results: [PolicyResult]
    /// A one-line summary: the failing policies with their reasons, or why it was allowed.
    public var reason: String

    /// A decision as `TrustPolicy.evaluate(_:)` reports it.
    public init(verdict: Verdict, results: [PolicyResult], reason: String) {
        self.verdict = verdict
        self.results = results
        self.reason = reason
    }

    /// False when no policy matched and `defaultAction` decided.
    public var matchedAnyPolicy: Bool { !results.isEmpty }

    /// The failing results (enforce and audit).
    public var failures: [PolicyResult] { results.filter { !$0.passed } }

    /// Distinct trusted signer DIDs that counted for any matching policy.
    public var signers: [String] {
        var seen: Set<String> = []
        return results.flatMap(\.signers).filter { seen.insert($0).inserted }
    }
}
