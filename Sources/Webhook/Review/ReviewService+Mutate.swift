import Admission
import Foundation
import TrustPolicy

extension ReviewService {
    /// Answers one `POST /mutate` (the optional pin-digests webhook, docs/operations.md "Pinning
    /// verified tags to their digests"): the same parse, plan, verification and caches as
    /// ``review(body:query:)``, then a JSON Patch that rewrites every container image that
    /// verified by tag to `image@sha256:<verified digest>`.
    ///
    /// Always `allowed: true`: `/validate` decides. Nothing is patched for images no policy
    /// requires a signature for, images that failed or were audited, images whose verification
    /// did not finish before the deadline, requests other than a Pod's CREATE or an
    /// ephemeral-containers UPDATE, or while no policy is loaded. No audit lines and no Events:
    /// the validating call that follows reports the decision.
    public func mutate(body: [UInt8], query: String?) async -> Answer {
        let request: AdmissionRequest, deadline: ContinuousClock.Instant
        do {
            (request, deadline) = try receive(body, query: query)
        } catch {
            metrics.increment("atcr_mutation_reviews_total", [("result", "bad_request")])
            logger.warning("bad AdmissionReview on /mutate", metadata: ["error": "\(error)"])
            return Answer(status: error.httpStatus, body: error.jsonBody)
        }
        let plan = AdmissionPlan(request: request)
        guard DigestPinPatch.applies(to: request, plan: plan), !plan.toVerify.isEmpty else {
            return unpatched(request, result: "not_applicable")
        }
        guard plan.toVerify.count <= options.maxImagesPerReview else {
            return unpatched(request, result: "over_image_bound")
        }
        guard let policy = await policy() else {
            return unpatched(request, result: "not_ready")  // /validate answers 503: its failurePolicy decides
        }
        let decided = await decideAll(
            plan.toVerify, namespace: request.namespace, policy: policy, now: Date(), deadline: deadline, pinning: true)
        var pinned: [ImageKey: String] = [:]
        for item in decided {
            if let target = item.pinned { pinned[ImageKey(item.decision.image)] = target }
        }
        let patch = DigestPinPatch(request: request, plan: plan, pinned: pinned)
        guard !patch.isEmpty else {
            let timedOut = decided.contains { $0.decision.verificationFailure == .timedOut }
            return unpatched(request, result: timedOut ? "timed_out" : "nothing_to_pin")
        }
        metrics.increment("atcr_mutation_reviews_total", [("result", "pinned")])
        metrics.increment("atcr_pinned_images_total", by: Double(patch.pins.count))
        for pin in patch.pins {
            logger.info("pinned a verified tag to its digest", metadata: [
                "uid": "\(request.uid)", "namespace": "\(request.namespace ?? "")", "path": "\(pin.pointer)", "image": "\(pin.to)",
            ])
        }
        return Answer(status: 200, body: AdmissionResponse(uid: request.uid, allowed: true, patch: patch).body)
    }

    /// `allowed: true` without a patch, counted under `result`.
    private func unpatched(_ request: AdmissionRequest, result: String) -> Answer {
        metrics.increment("atcr_mutation_reviews_total", [("result", result)])
        return Answer(status: 200, body: AdmissionResponse.allow(uid: request.uid).body)
    }
}
