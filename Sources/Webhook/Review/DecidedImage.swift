import Admission
import Verifier

/// One image decided as a review decides it: the decision the response is built from and, when
/// verification finished, the verifier's evidence (each signature's fate), which the CLI prints.
public struct DecidedImage: Sendable {
    /// The decision, as `AdmissionOutcome` takes it.
    public let decision: ImageDecision
    /// The verifier's evidence; nil when the image was not verified (timed out, no slot before
    /// the deadline, an invalid reference, or a review over the image bound).
    public let verdict: ImageVerdict?
    /// `image@sha256:…` when `/mutate` may rewrite the image to it (decided with `pinning`).
    public let pinned: String?

    /// A decision, its evidence, and what the image may be pinned to.
    public init(decision: ImageDecision, verdict: ImageVerdict?, pinned: String? = nil) {
        self.decision = decision
        self.verdict = verdict
        self.pinned = pinned
    }

    /// True when the image's verification could not complete for a reason that may go away
    /// on retry (timeout, a registry, DID directory or PDS unreachable or failing with 5xx):
    /// a denial then says nothing definite about the image (`atcr-verify` exit code 4).
    public var isIncomplete: Bool {
        if case .timedOut? = decision.verificationFailure { return true }
        guard let verdict else { return false }
        if verdict.error != nil { return verdict.errorIsTransient }
        return verdict.signatures.contains { report in
            if case .failed(let failure) = report.status { return failure.isTransient }
            return false
        }
    }
}

/// A review's decision without its reporting: the outcome (response, audit events) and every
/// verified image's decision and evidence, in plan order.
public struct ReviewEvaluation: Sendable {
    /// The outcome the response is rendered from.
    public let outcome: AdmissionOutcome
    /// The images of `outcome.plan.toVerify`, decided, in the same order.
    public let images: [DecidedImage]

    /// An outcome and its images.
    public init(outcome: AdmissionOutcome, images: [DecidedImage]) {
        self.outcome = outcome
        self.images = images
    }
}
