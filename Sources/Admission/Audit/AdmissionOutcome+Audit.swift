import Foundation
import TrustPolicy

extension AdmissionOutcome {
    /// One audit line per image decision: every verified image (allow / audit / deny), every
    /// unchanged image of an UPDATE (`skipped-unchanged`), and for an invalid object one line
    /// per problem (`rejected-invalid`). A review allowed unchecked (other kinds, DELETE, …)
    /// has no image decision and yields no line.
    public func auditEvents(at time: Date) -> [AuditEvent] {
        let subject = plan.subject
        func event(image: String, result: AuditEvent.Result, reasons: [String]) -> AuditEvent {
            AuditEvent(time: time, uid: uid, namespace: subject.namespace, kind: subject.kind,
                       name: subject.name, user: username, operation: operation, image: image,
                       digest: nil, policy: nil, action: nil, result: result, reasons: reasons,
                       signers: [], duration: .zero, dryRun: dryRun)
        }
        switch plan.disposition {
        case .allowUnchecked:
            return []
        case .rejectInvalid(let problems):
            return problems.map { event(image: "", result: .rejectedInvalid, reasons: [$0.description]) }
        case .verify:
            let verified = decisions.map { decision in
                var line = event(image: decision.image, result: Self.result(decision.verdict), reasons: Self.reasons(decision))
                line.digest = decision.digest
                line.policy = decision.decidingPolicy?.policy
                line.action = decision.decision.results.isEmpty ? "default" : decision.decidingPolicy?.action.rawValue
                line.signers = decision.signers
                line.duration = decision.duration
                line.containers = decision.containers.map(\.path)
                line.failedChecks = decision.failedChecks
                line.error = decision.verificationFailure?.description
                line.policies = decision.decision.results
                return line
            }
            let skipped = plan.unchanged.map { use in
                var line = event(image: use.image, result: .skippedUnchanged,
                                 reasons: ["unchanged from oldObject; not verified again"])
                line.containers = use.containers.map(\.path)
                return line
            }
            return verified + skipped
        }
    }

    private static func result(_ verdict: PolicyDecision.Verdict) -> AuditEvent.Result {
        switch verdict {
        case .allow: .allow
        case .audit: .audit
        case .deny: .deny
        }
    }

    private static func reasons(_ decision: ImageDecision) -> [String] {
        let failures = decision.decision.failures
        guard !failures.isEmpty else { return [decision.decision.reason] }
        return failures.map { "violates policy \($0.policy) (\($0.action.rawValue)): \($0.reason)" }
    }
}
