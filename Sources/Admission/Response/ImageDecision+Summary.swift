/// One image's decision in one bounded line, for the callers that decide an image outside an
/// AdmissionReview (a Gatekeeper external-data key, a containerd pull): the same words the
/// webhook's deny message, warnings and audit annotations use.
extension ImageDecision {
    /// Upper bound of ``summaryLine``, in UTF-8 bytes.
    public static let summaryMaxBytes = DenialMessage.maxLineBytes

    /// One line, at most ``summaryMaxBytes``: for a denied image exactly the line the webhook's
    /// deny message has for it (`IMAGE violates policy P: REASON`); for an admitted one
    /// `IMAGE: REASON` (an audit finding reads `IMAGE admitted with an audit finding: …`).
    public var summaryLine: String {
        switch verdict {
        case .deny:
            return DenialMessage.line(self)
        case .audit:
            let failures = decisiveFailures.map { "violates audit policy \($0.policy): \($0.reason)" }
            let why = failures.isEmpty ? decision.reason : failures.joined(separator: "; ")
            return bounded("\(ImageDisplay.full(image, digest: digest)) admitted with an audit finding: \(why)")
        case .allow:
            return bounded("\(ImageDisplay.full(image, digest: digest)): \(decision.reason)")
        }
    }

    /// The name of the policy that decided: the first decisive failure, else the first matching
    /// policy; nil when no policy matched and `defaultAction` decided.
    public var decidingPolicyName: String? { decidingPolicy?.policy }

    private func bounded(_ text: String) -> String {
        TextBounds.truncate(TextBounds.singleLine(text), maxBytes: Self.summaryMaxBytes)
    }
}
