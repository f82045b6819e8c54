import ATProto

/// Why a review is admitted without looking at any image.
public enum UncheckedReason: Sendable, Hashable, CustomStringConvertible {
    /// DELETE and CONNECT start no containers.
    case operation(AdmissionOperation)
    /// A kind that names no images (ConfigMap, Service, …), or an unknown one.
    case notAWorkload(GroupVersionKind)
    /// A subresource other than `ephemeralcontainers` (`status`, `binding`, `eviction`, …)
    /// cannot change which images run.
    case subresource(String)
    /// The object has `metadata.deletionTimestamp`: it is going away, and blocking the update
    /// (often a finalizer removal) would only keep it alive.
    case beingDeleted

    /// The reason in words.
    public var description: String {
        switch self {
        case .operation(let operation): "\(operation.rawValue) requests start no containers"
        case .notAWorkload(let kind): "\(kind) names no container images"
        case .subresource(let name): "the \(name) subresource cannot change container images"
        case .beingDeleted: "the object is being deleted (metadata.deletionTimestamp is set)"
        }
    }
}

/// What to do with one review, decided from the request alone: allow it without looking,
/// refuse an invalid object, or verify a list of images (and report the unchanged ones).
///
/// Rules (docs/architecture.md, "Admission"): DELETE and CONNECT are allowed; other kinds and subresources are allowed
/// untouched; an object with `deletionTimestamp` is allowed; on UPDATE only images absent from
/// `oldObject` are verified and the rest are `unchanged`; every image appears once.
public struct AdmissionPlan: Sendable, Hashable {
    /// The plan's decision before any verification.
    public enum Disposition: Sendable, Hashable {
        /// Admit without verifying anything.
        case allowUnchecked(UncheckedReason)
        /// Deny: the object is malformed (no image, wrong types). `problems` is never empty.
        case rejectInvalid([ObjectProblem])
        /// Verify `toVerify` (which may be empty: then admit) and report `unchanged`.
        case verify
    }

    /// Allow unchecked, reject as invalid, or verify.
    public var disposition: Disposition
    /// The workload kind, when the request is about one.
    public var workload: WorkloadKind?
    /// The object the review is about (for Events and audit lines).
    public var subject: ObjectReference
    /// Images to verify, each once, in first-use order.
    public var toVerify: [ImageUse]
    /// On UPDATE, images already present in `oldObject`: not verified again; each gets one
    /// audit line with `result: skipped-unchanged` and nothing else.
    public var unchanged: [ImageUse]

    /// Plans `request`. Never fails: malformed objects become `.rejectInvalid`.
    public init(request: AdmissionRequest) {
        subject = Self.subject(of: request)
        workload = WorkloadKind(request.kind)
        toVerify = []
        unchanged = []
        disposition = .verify

        switch request.operation {
        case .delete, .connect:
            disposition = .allowUnchecked(.operation(request.operation))
            return
        case .create, .update:
            break
        }
        guard let workload else {
            disposition = .allowUnchecked(.notAWorkload(request.kind))
            return
        }
        if let subresource = request.subResource, subresource != "ephemeralcontainers" {
            disposition = .allowUnchecked(.subresource(subresource))
            return
        }
        if workload == .ephemeralContainers && request.subResource == nil {
            // EphemeralContainers objects exist only as the subresource.
            disposition = .allowUnchecked(.notAWorkload(request.kind))
            return
        }
        guard let object = request.object else {
            disposition = .rejectInvalid([ObjectProblem(path: "request.object", reason: "is missing on a \(request.operation.rawValue)")])
            return
        }
        if request.operation == .update, let old = request.oldObject, Self.isBeingDeleted(old), Self.isBeingDeleted(object) {
            disposition = .allowUnchecked(.beingDeleted)
            return
        }
        let extractor = ImageExtractor(kind: workload)
        let current = extractor.extract(from: object)
        guard current.problems.isEmpty else {
            disposition = .rejectInvalid(current.problems)
            return
        }
        // An unreadable oldObject is not the requester's fault, but it proves nothing either:
        // then every image is verified.
        let previous: Set<ImageKey>
        if request.operation == .update, let old = request.oldObject {
            previous = extractor.extract(from: old).imageKeys
        } else {
            previous = []
        }
        for use in current.uses {
            if previous.contains(ImageKey(use.image)) { unchanged.append(use) } else { toVerify.append(use) }
        }
    }

    /// True when there is at least one image to verify.
    public var needsVerification: Bool {
        if case .verify = disposition { return !toVerify.isEmpty }
        return false
    }

    /// Only a non-empty string counts, and only on an UPDATE whose stored object (`oldObject`)
    /// has one too: admission sees a CREATE before the API server clears a `deletionTimestamp`
    /// the requester wrote, so on a CREATE it proves nothing and must not skip anything.
    private static func isBeingDeleted(_ object: JSONValue) -> Bool {
        if case .string(let stamp)? = object["metadata"]?["deletionTimestamp"] { return !stamp.isEmpty }
        return false
    }

    private static func subject(of request: AdmissionRequest) -> ObjectReference {
        let metadata = (request.object ?? request.oldObject)?["metadata"]
        func text(_ key: String) -> String? {
            if case .string(let value)? = metadata?[key], !value.isEmpty { return value }
            return nil
        }
        var uid = text("uid")
        if uid == nil, case .string(let old)? = request.oldObject?["metadata"]?["uid"], !old.isEmpty {
            uid = old
        }
        return ObjectReference(
            apiVersion: request.kind.apiVersion,
            kind: request.kind.kind,
            namespace: request.namespace ?? text("namespace"),
            name: request.name ?? text("name") ?? text("generateName"),
            uid: uid
        )
    }
}
