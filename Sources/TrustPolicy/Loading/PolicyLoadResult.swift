/// The outcome of loading a policy file: the policy when it has no errors, and every finding.
public struct PolicyLoadResult: Sendable {
    /// The validated policy; nil exactly when `errors` is not empty.
    public var policy: TrustPolicy?
    /// Every error, in file order. Any error rejects the whole file.
    public var errors: [PolicyDiagnostic]
    /// Every warning, in file order. Warnings never reject the file.
    public var warnings: [PolicyDiagnostic]
    /// The 1-based line of each policy (its `name`), by policy name: where a report about a
    /// policy points (SARIF locations).
    public var policyLines: [String: Int] = [:]
    /// The line of `defaultAction`, when written.
    public var defaultActionLine: Int?

    /// A result as `PolicyLoader.load(yaml:now:)` reports it.
    public init(policy: TrustPolicy?, errors: [PolicyDiagnostic], warnings: [PolicyDiagnostic]) {
        self.policy = policy
        self.errors = errors
        self.warnings = warnings
    }

    /// True when the file loaded (no errors).
    public var isValid: Bool { policy != nil }
}
