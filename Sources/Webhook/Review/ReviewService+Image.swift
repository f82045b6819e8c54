import Admission
import Foundation
import TrustPolicy

extension ReviewService {
    /// Decides one image named outside an AdmissionReview (a Gatekeeper external-data key, a
    /// containerd pull) exactly as a review decides each of its images: the same parse, contact
    /// plan, verification slot, verifier, deadline and policy evaluation (``decide(_:namespace:policy:now:deadline:)``).
    /// `namespace` nil: no namespace is known, so the image gets the strictest decision any namespace could give it (``TrustPolicy/evaluate(_:)``).
    public func decide(image: String, namespace: String?, policy: TrustPolicy, now: Date, deadline: ContinuousClock.Instant) async -> ImageDecision {
        await decide(ImageUse(image: image, containers: []), namespace: namespace, policy: policy, now: now, deadline: deadline)
    }
}
