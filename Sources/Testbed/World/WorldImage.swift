/// One scenario of the test world: an image reference and what a correct verifier decides.
public struct WorldImage: Sendable, Equatable {
    /// What the shipped world policy must decide for this image.
    public enum Verdict: String, Sendable {
        case allow
        case audit
        case deny
    }

    public let scenario: String
    public let description: String
    /// The full reference, e.g. `localhost:40111/alice/prod-api@sha256:…` or `…:v1`.
    public let reference: String
    /// The digest the reference resolves to.
    public let digest: String
    public let expected: Verdict
    /// The policy that decides (nil: `defaultAction`).
    public let policy: String?
    /// The check a correct verifier reports as failed: `check 22 (record-content)`,
    /// `record-absent`, `replayed-commit`, `artifact-invalid`, `no-signature`, `untrusted`;
    /// nil when every signature verifies.
    public let failedCheck: String?
    /// DIDs of the signatures published for it.
    public let signers: [String]
    /// A scenario to verify first (the replay one needs the current commit seen).
    public let after: String?
    /// The `io.atcr.manifest` records (AT-URIs) its signature artifacts point at: what
    /// `WorldChanges.revoke(recordURI:)` deletes.
    public internal(set) var recordURIs: [String] = []

    public init(
        scenario: String, description: String, reference: String, digest: String, expected: Verdict, policy: String?,
        failedCheck: String?, signers: [String], after: String? = nil
    ) {
        self.scenario = scenario
        self.description = description
        self.reference = reference
        self.digest = digest
        self.expected = expected
        self.policy = policy
        self.failedCheck = failedCheck
        self.signers = signers
        self.after = after
    }
}
