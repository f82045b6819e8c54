import Foundation
import TrustPolicy

/// Everything one review produces, from the request, its plan and the glue's per-image
/// decisions: the AdmissionReview response, the audit lines and the Kubernetes Events.
///
/// The server glue calls, in order: `AdmissionDeadline.budget(timeoutParameter:…)`,
/// `AdmissionReview.parseRequest(_:maxBodyBytes:maxDepth:)` (HTTP 400 with
/// `AdmissionReviewError.jsonBody` on error), `AdmissionPlan(request:)`, verifies
/// `plan.toVerify` into `[ImageDecision]`, then `AdmissionOutcome(request:plan:decisions:)`
/// and sends `response.body`, logs `auditEvents(at:)` and posts `kubernetesEvents(at:…)`.
public struct AdmissionOutcome: Sendable {
    /// `request.uid`.
    public let uid: String
    /// `request.dryRun`: the verdict is the same, but no Kubernetes Events are produced.
    public let dryRun: Bool
    /// `request.operation`.
    public let operation: AdmissionOperation
    /// `request.userInfo.username`.
    public let username: String?
    /// The plan the decisions answer.
    public let plan: AdmissionPlan
    /// One decision per planned image, in plan order. A planned image the glue returned no
    /// decision for is denied (fail closed); decisions for unplanned images are kept after.
    public let decisions: [ImageDecision]
    /// The answer to send.
    public let response: AdmissionResponse

    /// Combines the plan with the decisions (matched by image string; the first decision for an
    /// image wins) and renders the response.
    public init(request: AdmissionRequest, plan: AdmissionPlan, decisions: [ImageDecision]) {
        uid = request.uid
        dryRun = request.dryRun
        operation = request.operation
        username = request.username
        self.plan = plan
        self.decisions = Self.align(plan: plan, decisions: decisions)
        response = Self.render(uid: request.uid, plan: plan, decisions: self.decisions)
    }

    /// Images the response denies.
    public var denied: [ImageDecision] { decisions.filter { $0.verdict == .deny } }
    /// Images admitted with an audit finding.
    public var audited: [ImageDecision] { decisions.filter { $0.verdict == .audit } }

    private static func align(plan: AdmissionPlan, decisions: [ImageDecision]) -> [ImageDecision] {
        guard case .verify = plan.disposition else { return [] }
        let plannedKeys = plan.toVerify.map { ImageKey($0.image) }
        let planned = Set(plannedKeys)  // linear: a review may name thousands of images
        var byImage: [ImageKey: ImageDecision] = [:]
        var extra: [ImageDecision] = []
        for decision in decisions {
            let key = ImageKey(decision.image)
            guard byImage[key] == nil else { continue }
            byImage[key] = decision
            if !planned.contains(key) { extra.append(decision) }
        }
        let aligned = zip(plan.toVerify, plannedKeys).map { use, key -> ImageDecision in
            guard var decision = byImage[key] else { return .missing(use) }
            if decision.containers.isEmpty { decision.containers = use.containers }
            return decision
        }
        return aligned + extra
    }

    private static func render(uid: String, plan: AdmissionPlan, decisions: [ImageDecision]) -> AdmissionResponse {
        switch plan.disposition {
        case .allowUnchecked:
            return .allow(uid: uid)
        case .rejectInvalid(let problems):
            let message = DenialMessage.forInvalid(kind: plan.subject.kind, problems: problems)
            return AdmissionResponse(uid: uid, allowed: false,
                                     status: .init(code: 400, reason: "BadRequest", message: message))
        case .verify:
            let denied = decisions.filter { $0.verdict == .deny }
            let allowed = denied.isEmpty
            return AdmissionResponse(
                uid: uid,
                allowed: allowed,
                status: allowed ? nil : .init(code: 403, reason: "Forbidden", message: DenialMessage.forDenied(denied)),
                warnings: AuditWarnings.lines(for: decisions),
                auditAnnotations: AuditAnnotations.make(decisions: decisions, unchanged: plan.unchanged.count, allowed: allowed)
            )
        }
    }
}
