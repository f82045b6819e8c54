import Admission

/// The AdmissionReview parser (our own JSON parser) and the plan of images it yields.
enum FuzzAdmission {
    static func review(_ bytes: [UInt8]) {
        guard let request = try? AdmissionReview.parseRequest(bytes) else { return }
        let plan = AdmissionPlan(request: request)
        // Every image to verify is non-empty and named once (duplicates are verified once).
        var seen = Set<String>()
        for use in plan.toVerify {
            precondition(!use.image.isEmpty, "plan: an empty image to verify")
            precondition(seen.insert(use.image).inserted, "plan: \(use.image) planned twice")
        }
    }
}
