import Admission
import Foundation
import HTTPFetch
import Logging
import Synchronization
import OCI
import TrustPolicy
import Verifier

/// One AdmissionReview, end to end: parse, plan, verify every image within the deadline,
/// decide with the policy in force, answer, and report (audit lines, Events, metrics).
public final class ReviewService: Sendable {
    public struct Options: Sendable {
        /// `--audit-only`: every enforce acts as audit.
        public var auditOnly: Bool
        public var maxBodyBytes: Int
        /// Taken off the API server's timeout so the answer arrives in time.
        public var deadlineMargin: Duration
        /// Used when the API server sends no `timeout`.
        public var defaultTimeout: Duration
        /// The pod name, for Events' `reportingInstance`.
        public var reportingInstance: String
        /// A review naming more distinct images to verify than this verifies none of them (see
        /// ``ImageBound``).
        public var maxImagesPerReview: Int
        /// Which audit lines go to stdout.
        public var auditLines: AuditLines

        public init(
            auditOnly: Bool = false, maxBodyBytes: Int = 8 << 20, deadlineMargin: Duration = .milliseconds(500),
            defaultTimeout: Duration = .seconds(10), reportingInstance: String = "atcr-verify",
            maxImagesPerReview: Int = ImageBound.defaultLimit, auditLines: AuditLines = .all
        ) {
            self.auditLines = auditLines
            self.auditOnly = auditOnly
            self.maxBodyBytes = maxBodyBytes
            self.deadlineMargin = deadlineMargin
            self.defaultTimeout = defaultTimeout
            self.reportingInstance = reportingInstance
            self.maxImagesPerReview = maxImagesPerReview
        }
    }

    /// The HTTP answer to one POST /validate.
    public struct Answer: Sendable {
        public let status: Int
        public let body: String
        /// How the review was decided, when it was (status 200): what `atcr-verify review` reports.
        public let evaluation: ReviewEvaluation?

        init(status: Int, body: String, evaluation: ReviewEvaluation? = nil) {
            self.status = status
            self.body = body
            self.evaluation = evaluation
        }
    }

    let verifier: ImageVerifier
    let policy: @Sendable () async -> TrustPolicy?
    let options: Options
    let metrics: WebhookMetrics
    let logger: Logger
    let events: EventSink?
    let audit: @Sendable (String) -> Void
    /// Parsed image references (parsing is pure; the same images come again and again).
    let references = ReferenceCache(capacity: 4096)

    public init(
        verifier: ImageVerifier, policy: @escaping @Sendable () async -> TrustPolicy?, options: Options, metrics: WebhookMetrics,
        logger: Logger, events: EventSink?, audit: @escaping @Sendable (String) -> Void
    ) {
        self.verifier = verifier
        self.policy = policy
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.events = events
        self.audit = audit
    }

    /// The request in `body` and the deadline of a review that arrived now: the API server's
    /// `timeout` in `query`, less the margin (``AdmissionDeadline``). Shared by `/validate` and `/mutate`.
    func receive(_ body: [UInt8], query: String?) throws(AdmissionReviewError) -> (AdmissionRequest, ContinuousClock.Instant) {
        let budget = AdmissionDeadline.budget(
            timeoutParameter: query.flatMap(AdmissionDeadline.timeoutParameter(inQuery:)), margin: options.deadlineMargin,
            defaultTimeout: options.defaultTimeout)
        let deadline = ContinuousClock.now + budget
        return (try AdmissionReview.parseRequest(body, maxBodyBytes: options.maxBodyBytes), deadline)
    }

    /// Answers the review in `body`; `query` is the request's query string (for `timeout`).
    public func review(body: [UInt8], query: String?) async -> Answer {
        let request: AdmissionRequest, deadline: ContinuousClock.Instant
        do {
            (request, deadline) = try receive(body, query: query)
        } catch {
            metrics.increment("atcr_admission_reviews_total", [("decision", "bad_request")])
            logger.warning("bad AdmissionReview", metadata: ["error": "\(error)"])
            return Answer(status: error.httpStatus, body: error.jsonBody)
        }
        guard let policy = await policy() else {
            // No valid policy yet: an error, so the API server applies the failurePolicy
            // (Fail under enforce: the pod is rejected; never a silent allow).
            metrics.increment("atcr_admission_reviews_total", [("decision", "error")])
            return Answer(status: 503, body: #"{"error":"not_ready","message":"no valid trust policy is loaded"}"#)
        }
        let evaluation = await evaluate(request, policy: policy, now: Date(), deadline: deadline)
        let outcome = evaluation.outcome
        let time = Date()
        if options.auditLines != .none {
            for event in outcome.auditEvents(at: time) where options.auditLines.includes(event) { audit(event.jsonLine) }
        }
        if let events, !request.dryRun {
            events.submit(outcome.kubernetesEvents(at: time, reportingInstance: options.reportingInstance, limit: events.capacity))
        }
        let decision = outcome.denied.isEmpty ? (outcome.audited.isEmpty ? "allow" : "audit") : "deny"
        metrics.increment("atcr_admission_reviews_total", [("decision", decision)])
        return Answer(status: 200, body: outcome.response.body, evaluation: evaluation)
    }

    /// Plans `request` and decides every image to verify (all at once, each waiting for a
    /// verification slot) within `deadline`, with `policy`: the review's decision without
    /// reporting it. `review(body:query:)` uses it; so do the CLI's `check` and `review`.
    public func evaluate(_ request: AdmissionRequest, policy: TrustPolicy, now: Date, deadline: ContinuousClock.Instant) async -> ReviewEvaluation {
        let plan = AdmissionPlan(request: request)
        var images: [DecidedImage] = []
        if case .verify = plan.disposition, plan.toVerify.count > options.maxImagesPerReview {
            let bound = ImageBound(count: plan.toVerify.count, limit: options.maxImagesPerReview)
            metrics.increment("atcr_admission_reviews_over_image_bound_total")
            logger.warning("review names more images than --max-images-per-review: none verified", metadata: [
                "uid": "\(request.uid)", "images": "\(bound.count)", "limit": "\(bound.limit)",
            ])
            images = decideUnverified(plan.toVerify, bound: bound, namespace: request.namespace, policy: policy, now: now)
                .map { DecidedImage(decision: $0, verdict: nil) }
        } else if case .verify = plan.disposition {
            images = await decideAll(plan.toVerify, namespace: request.namespace, policy: policy, now: now, deadline: deadline)
        }
        return ReviewEvaluation(outcome: AdmissionOutcome(request: request, plan: plan, decisions: images.map(\.decision)), images: images)
    }

    /// Verifies every image of `uses` at once within the deadline and decides each (in `uses`'
    /// order). With `pinning` (`/mutate`), each decision also says what the image may be pinned to.
    func decideAll(
        _ uses: [ImageUse], namespace: String?, policy: TrustPolicy, now: Date, deadline: ContinuousClock.Instant, pinning: Bool = false
    ) async -> [DecidedImage] {
        await withTaskGroup(of: (Int, DecidedImage).self) { group in
            for (index, use) in uses.enumerated() {
                group.addTask {
                    (index, await self.decideImage(use, namespace: namespace, policy: policy, now: now, deadline: deadline, pinning: pinning))
                }
            }
            var collected: [(Int, DecidedImage)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Verifies one image within the deadline and decides it. An image that needs signatures
    /// first waits for a verification slot (``ImageVerifier/slots``); one that gets none before
    /// the deadline is decided as timed out.
    func decide(_ use: ImageUse, namespace: String?, policy: TrustPolicy, now: Date, deadline: ContinuousClock.Instant) async -> ImageDecision {
        await decideImage(use, namespace: namespace, policy: policy, now: now, deadline: deadline).decision
    }

    /// `decide`, with the verifier's evidence when verification finished: the one per-image
    /// decision path of the webhook (`/validate`, `/mutate`, the Gatekeeper provider), of
    /// `atcr-verify` and of the containerd verifier. With `pinning` (`/mutate`), the decision is
    /// made as if the image were pinned, and says what it may be pinned to.
    public func decideImage(
        _ use: ImageUse, namespace: String?, policy: TrustPolicy, now: Date, deadline: ContinuousClock.Instant, pinning: Bool = false
    ) async -> DecidedImage {
        let started = ContinuousClock.now
        let reference: ImageReference
        do {
            reference = try references.parse(use.image)
        } catch {
            return DecidedImage(decision: invalidReference(use, error: error, started: started), verdict: nil)
        }
        let name = ImageName(registry: reference.registry, repository: reference.repository)
        let plan = policy.contactPlan(for: name, namespace: namespace, now: now)
        var slot: VerificationSlots.Slot?
        if plan.needsSignatures {
            slot = await verifier.slots.acquire(before: deadline)
            if slot == nil || ContinuousClock.now >= deadline {  // a slot handed over too late starts nothing
                slot?.release()
                return DecidedImage(
                    decision: timedOut(use, reference: reference, namespace: namespace, policy: policy, now: now, started: started, waitedForSlot: true),
                    verdict: nil)
            }
        }
        let verifier = verifier, taken = slot
        let task = Task {
            defer { taken?.release() }
            return await verifier.verify(reference, plan: plan, deadline: deadline)
        }
        guard let verdict = await Self.value(of: task, before: deadline) else {
            // Its slot first, so that the loads it leaves behind may take background slots;
            // those that get none are cancelled (EvidenceCache).
            slot?.release()
            task.cancel()
            return DecidedImage(
                decision: timedOut(use, reference: reference, namespace: namespace, policy: policy, now: now, started: started, waitedForSlot: false),
                verdict: nil)
        }
        var input = verdict.evaluationInput(namespace: namespace, now: now, auditOnly: options.auditOnly)
        let pinnable = pinning && Self.mayPin(verdict)
        if pinnable { input.pinnedByDigest = true }  // judged as /validate will see it once pinned
        let decision = policy.evaluate(input)
        let duration = ContinuousClock.now - started
        record(verdict, duration: duration, image: use.image)
        let failedChecks = verdict.signatures.compactMap { report in
            if case .failed(let failure) = report.status { return failure.failedCheck } else { return nil }
        }
        let decided = ImageDecision(
            use: use, digest: verdict.digest?.description, decision: decision, signers: verdict.verifiedDIDs,
            failedChecks: failedChecks, duration: duration, verificationFailure: verdict.error.map { .error($0) },
            notes: verdict.warnings)
        return DecidedImage(
            decision: decided, verdict: verdict, pinned: pinnable ? Self.pinnedImage(use.image, verdict: verdict, decision: decision) : nil)
    }

    /// True when the verdict is one `/mutate` may pin: signatures were required and looked for,
    /// nothing failed as a whole, and the digest came from resolving a tag.
    static func mayPin(_ verdict: ImageVerdict) -> Bool {
        verdict.scope == .verified && verdict.error == nil && verdict.resolvedFromTag && verdict.digest != nil
    }

    /// `image@digest` when the decision (made as if pinned) passed every matching policy and at
    /// least one counted a verified signature; nil otherwise (failed, audited, or no signature
    /// required: left for `/validate` to decide).
    static func pinnedImage(_ image: String, verdict: ImageVerdict, decision: PolicyDecision) -> String? {
        guard mayPin(verdict), let digest = verdict.digest, decision.matchedAnyPolicy, decision.failures.isEmpty,
            !decision.signers.isEmpty
        else { return nil }
        return "\(image)@\(digest)"
    }

    /// Decides the images of a review over the image bound without verifying any: the policy in
    /// force sees the bound as the verification error, so policies requiring a signature fail
    /// (enforce denies, audit admits with a finding) and `defaultAction` still decides the rest.
    /// No task, slot or request per image; identical inputs (same name, same pinning) are
    /// evaluated once and share the decision's text.
    func decideUnverified(_ uses: [ImageUse], bound: ImageBound, namespace: String?, policy: TrustPolicy, now: Date) -> [ImageDecision] {
        struct Input: Hashable {
            let name: ImageName
            let pinned: Bool
        }
        let failure = bound.description  // one string for every image
        var decided: [Input: PolicyDecision] = [:]
        return uses.map { use in
            let started = ContinuousClock.now
            let reference: ImageReference
            do throws(ImageReferenceError) {
                reference = try ImageReference(parsing: use.image)  // not memoized: the review may name thousands
            } catch {
                return invalidReference(use, error: error, started: started)
            }
            let input = Input(name: ImageName(registry: reference.registry, repository: reference.repository), pinned: reference.isPinnedByDigest)
            let decision = decided[input] ?? policy.evaluate(EvaluationInput(
                image: input.name, pinnedByDigest: input.pinned, namespace: namespace, now: now, auditOnly: options.auditOnly,
                verificationError: failure))
            decided[input] = decision
            return ImageDecision(
                use: use, decision: decision, duration: ContinuousClock.now - started,
                verificationFailure: decision.failures.isEmpty ? nil : .error(failure))
        }
    }

    /// The decision for an image whose reference does not parse: denied (audited under
    /// `--audit-only`), whatever the policy.
    private func invalidReference(_ use: ImageUse, error: ImageReferenceError, started: ContinuousClock.Instant) -> ImageDecision {
        let verdict: PolicyDecision.Verdict = options.auditOnly ? .audit : .deny
        let decision = PolicyDecision(verdict: verdict, results: [], reason: "\(use.image) is not a valid image reference: \(error)")
        return ImageDecision(use: use, decision: decision, duration: ContinuousClock.now - started, verificationFailure: .error("\(error)"))
    }

    /// The decision for an image whose verification did not finish (or, `waitedForSlot`, did not
    /// get a slot) before the deadline: the policy sees "verification timed out".
    private func timedOut(
        _ use: ImageUse, reference: ImageReference, namespace: String?, policy: TrustPolicy, now: Date, started: ContinuousClock.Instant,
        waitedForSlot: Bool
    ) -> ImageDecision {
        let input = EvaluationInput(
            image: ImageName(registry: reference.registry, repository: reference.repository), pinnedByDigest: reference.isPinnedByDigest,
            namespace: namespace, now: now, auditOnly: options.auditOnly, verificationError: VerificationFailure.timedOutText)
        metrics.increment("atcr_verifications_total", [("result", "error")])
        metrics.increment("atcr_upstream_errors_total", [("kind", "timeout")])
        logger.warning(
            waitedForSlot ? "verification timed out waiting for a slot (--max-concurrent-verifications)" : "verification timed out",
            metadata: ["image": "\(use.image)"])
        return ImageDecision(
            use: use, decision: policy.evaluate(input), duration: ContinuousClock.now - started, verificationFailure: .timedOut)
    }

    /// The task's value, or nil when `deadline` passes first. The task is left running (awaiting
    /// an unstructured task's value cannot be cancelled, so it must not sit in a task group that
    /// would wait for it).
    static func value<T: Sendable>(of task: Task<T, Never>, before deadline: ContinuousClock.Instant) async -> T? {
        let gate = ResumeOnce<T?>()
        return await withCheckedContinuation { continuation in
            gate.install(continuation)
            let timer = DeadlineTimer(at: deadline) { gate.resume(nil) }
            Task {
                let value = await task.value
                gate.resume(value)
                timer.cancel()
            }
        }
    }

    private func record(_ verdict: ImageVerdict, duration: Duration, image: String) {
        guard verdict.scope == .verified else { return }
        metrics.observeVerification(duration)
        let result = verdict.error != nil ? "error" : (verdict.verifiedDIDs.isEmpty ? "failed" : "verified")
        metrics.increment("atcr_verifications_total", [("result", result)])
        if let error = verdict.error {
            metrics.increment("atcr_upstream_errors_total", [("kind", "registry")])
            logger.warning("image verification failed", metadata: ["image": "\(image)", "error": "\(error)", "duration": "\(duration)"])
        }
        for report in verdict.signatures {
            guard case .failed(let failure) = report.status else { continue }
            if failure.isTransient {
                let kind = failure.checkNumber == 2 ? "did" : (failure.checkNumber == 7 ? "pds" : "registry")
                metrics.increment("atcr_upstream_errors_total", [("kind", kind)])
            }
            logger.info("signature not verified", metadata: [
                "image": "\(image)", "did": "\(report.did ?? "?")", "error": "\(failure)", "duration": "\(duration)",
            ])
        }
    }
}

/// A bounded memo of `ImageReference(parsing:)`, keyed by the text's bytes (``ImageKey``): a
/// spelling the parser rejects must never get another spelling's parse.
final class ReferenceCache: Sendable {
    private let entries = Mutex<[ImageKey: Result<ImageReference, ImageReferenceError>]>([:])
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func parse(_ text: String) throws(ImageReferenceError) -> ImageReference {
        let key = ImageKey(text)
        if let known = entries.withLock({ $0[key] }) { return try known.get() }
        let result: Result<ImageReference, ImageReferenceError>
        do {
            result = .success(try ImageReference(parsing: text))
        } catch {
            result = .failure(error)
        }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }  // a simple bound
            entries[key] = result
        }
        return try result.get()
    }
}

/// Resumes a continuation with the first value offered; later offers are ignored.
final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, Never>?, done: Bool)>((nil, false))

    func install(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func resume(_ value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }
}
