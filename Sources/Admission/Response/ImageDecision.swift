import ATProto
import TrustPolicy

/// Why the verifier could not reach a verdict for an image. The glue passes the same text to
/// `EvaluationInput.verificationError`, so the policy decision says it too: an `enforce`
/// policy then denies (fail closed) and an `audit` policy admits with a warning.
public enum VerificationFailure: Sendable, Hashable, CustomStringConvertible {
    /// The admission deadline passed first.
    case timedOut
    /// Anything else that stopped verification (registry unreachable, …).
    case error(String)

    /// `verification timed out`.
    public static let timedOutText = "verification timed out"

    /// `verification timed out`, or the error's text.
    public var description: String {
        switch self {
        case .timedOut: Self.timedOutText
        case .error(let text): text
        }
    }
}

/// The verdict for one verified image: what the glue hands back for every image of
/// `AdmissionPlan.toVerify`.
public struct ImageDecision: Sendable, Hashable {
    /// The image reference as the pod spec writes it.
    public var image: String
    /// The containers that use it (from the plan's `ImageUse`).
    public var containers: [ContainerRef]
    /// The digest the reference resolved to (or carried), when known.
    public var digest: String?
    /// The trust-policy decision: verdict (allow / audit / deny) and every matching policy's
    /// result (name, configured and effective action, passed, reason).
    public var decision: PolicyDecision
    /// Signer DIDs whose signatures verified (by default the decision's counted signers).
    public var signers: [String]
    /// The checks that failed, e.g. `check 19 (mst-walk): record absent`.
    public var failedChecks: [FailedCheck]
    /// How long verification took.
    public var duration: Duration
    /// Set when verification did not finish (timeout) or failed as a whole.
    public var verificationFailure: VerificationFailure?
    /// Advisories to show as warnings even when the image passed, e.g. that a tag was
    /// resolved at admission time (a time-of-check race) or a DID document was served stale.
    public var notes: [String]

    /// A decision for a planned image.
    public init(
        use: ImageUse,
        digest: String? = nil,
        decision: PolicyDecision,
        signers: [String]? = nil,
        failedChecks: [FailedCheck] = [],
        duration: Duration = .zero,
        verificationFailure: VerificationFailure? = nil,
        notes: [String] = []
    ) {
        self.init(image: use.image, containers: use.containers, digest: digest, decision: decision,
                  signers: signers, failedChecks: failedChecks, duration: duration,
                  verificationFailure: verificationFailure, notes: notes)
    }

    /// A decision for an image named directly.
    public init(
        image: String,
        containers: [ContainerRef] = [],
        digest: String? = nil,
        decision: PolicyDecision,
        signers: [String]? = nil,
        failedChecks: [FailedCheck] = [],
        duration: Duration = .zero,
        verificationFailure: VerificationFailure? = nil,
        notes: [String] = []
    ) {
        self.image = image
        self.containers = containers
        self.digest = digest
        self.decision = decision
        self.signers = signers ?? decision.signers
        self.failedChecks = failedChecks
        self.duration = duration
        self.verificationFailure = verificationFailure
        self.notes = notes
    }

    /// allow, audit or deny.
    public var verdict: PolicyDecision.Verdict { decision.verdict }

    /// The results that failed; for a denied image, the `enforce` ones.
    var decisiveFailures: [PolicyResult] {
        let failures = decision.failures
        guard verdict == .deny else { return failures }
        let enforced = failures.filter { $0.action == .enforce }
        return enforced.isEmpty ? failures : enforced
    }

    /// The policy that decided, for the audit line: the first decisive failure, else the first
    /// matching policy; nil when `defaultAction` decided.
    var decidingPolicy: PolicyResult? {
        decisiveFailures.first ?? decision.results.first
    }

    /// Stands in for a planned image the glue returned no decision for: denied, fail closed.
    static func missing(_ use: ImageUse) -> ImageDecision {
        ImageDecision(use: use, decision: PolicyDecision(
            verdict: .deny,
            results: [],
            reason: "no verification result for this image (webhook error); denied to fail closed"
        ))
    }
}
