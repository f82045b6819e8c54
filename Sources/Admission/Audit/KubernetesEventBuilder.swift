import Foundation
import TrustPolicy

extension AdmissionOutcome {
    /// One `events.k8s.io/v1` Event per denied image and per image admitted with an audit
    /// finding; none for a dry run, for unchanged images, or for allowed ones. Sending (and rate
    /// limiting) is the caller's.
    ///
    /// - Parameters:
    ///   - time: the `eventTime`.
    ///   - reportingInstance: the webhook pod's name; cut to 128 bytes, `atcr-verify` if empty.
    ///   - limit: at most this many Events, the first ones (a review may name thousands of
    ///     images; the sender keeps only a bounded queue anyway).
    public func kubernetesEvents(at time: Date, reportingInstance: String, limit: Int = .max) -> [KubernetesEvent] {
        guard !dryRun, case .verify = plan.disposition else { return [] }
        let instance = KubernetesEventText.reportingInstance(reportingInstance)
        let subject = plan.subject
        let flagged = decisions.enumerated().lazy.filter { $0.element.verdict != .allow }.prefix(max(0, limit))
        return Array(flagged.map { index, decision -> KubernetesEvent in
            let action = decision.verdict == .deny ? "Deny" : "Audit"
            return KubernetesEvent(
                name: KubernetesEventText.name(subject: subject, uid: uid, image: decision.image, action: action, index: index),
                namespace: subject.namespace ?? "default",
                eventTime: time,
                reason: KubernetesEventText.reason(decision),
                action: action,
                note: KubernetesEventText.note(decision, subject: subject, user: username),
                regarding: subject,
                reportingInstance: instance
            )
        })
    }
}

/// The text fields of an Event, within the API server's limits.
enum KubernetesEventText {
    /// `VerificationTimedOut`, `VerificationFailed`, `NoMatchingPolicy` (defaultAction decided)
    /// or `SignatureRequired`.
    static func reason(_ decision: ImageDecision) -> String {
        switch decision.verificationFailure {
        case .timedOut?: return "VerificationTimedOut"
        case .error?: return "VerificationFailed"
        case nil: return decision.decision.results.isEmpty ? "NoMatchingPolicy" : "SignatureRequired"
        }
    }

    /// `Denied IMAGE: violates policy P: R (containers …; requested by USER)`, ≤ 1024 bytes.
    static func note(_ decision: ImageDecision, subject: ObjectReference, user: String?) -> String {
        let verb = decision.verdict == .deny ? "Denied" : "Admitted with audit findings"
        let image = ImageDisplay.full(decision.image, digest: decision.digest)
        let failures = decision.decisiveFailures
        let why = failures.isEmpty
            ? decision.decision.reason
            : failures.map { "violates policy \($0.policy): \($0.reason)" }.joined(separator: "; ")
        var context: [String] = []
        if !decision.containers.isEmpty {
            context.append("containers: " + decision.containers.map(\.path).joined(separator: ", "))
        }
        if let user { context.append("requested by \(user)") }
        let suffix = context.isEmpty ? "" : " (\(context.joined(separator: "; ")))"
        return TextBounds.truncate(TextBounds.singleLine("\(verb) \(image): \(why)\(suffix)"),
                                   maxBytes: KubernetesEvent.Limits.note)
    }

    static func reportingInstance(_ text: String) -> String {
        let cleaned = TextBounds.truncate(TextBounds.singleLine(text), maxBytes: KubernetesEvent.Limits.reportingInstance, ellipsis: "")
        return cleaned.isEmpty ? "atcr-verify" : cleaned
    }

    /// `<object name>.<16 hex digits>`: the object's name made a DNS subdomain (or `atcr-verify`)
    /// and an FNV-1a hash of the review uid, image, action and position, so one review's Events
    /// have distinct, repeatable names. At most 253 characters.
    static func name(subject: ObjectReference, uid: String, image: String, action: String, index: Int) -> String {
        let hash = fnv1a64("\(uid)\u{0}\(image)\u{0}\(action)\u{0}\(index)")
        let hex = String(hash, radix: 16)
        let suffix = String(repeating: "0", count: 16 - hex.count) + hex
        let base = subject.name.flatMap { KubernetesNames.dnsSubdomain(from: $0, maxLength: KubernetesEvent.Limits.name - 17) }
            ?? "atcr-verify"
        return "\(base).\(suffix)"
    }

    private static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
