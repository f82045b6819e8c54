import ATProto
import Foundation
import TrustPolicy

/// One audit line: one image decision of one review (docs/architecture.md, "Admission"), printed as a compact JSON
/// line on stdout.
public struct AuditEvent: Sendable, Hashable {
    /// What happened to the image.
    public enum Result: String, Sendable, Hashable, CaseIterable {
        /// Verified and admitted without findings.
        case allow
        /// Admitted with an audit finding.
        case audit
        /// Denied.
        case deny
        /// UPDATE: already in `oldObject`, not verified again.
        case skippedUnchanged = "skipped-unchanged"
        /// The container naming it is malformed; the review was refused as invalid.
        case rejectedInvalid = "rejected-invalid"
    }

    /// When the decision was made.
    public var time: Date
    /// The review's `uid`.
    public var uid: String
    /// The object's namespace.
    public var namespace: String?
    /// The object's kind, e.g. `Deployment`.
    public var kind: String
    /// The object's name.
    public var name: String?
    /// `userInfo.username` of the requester.
    public var user: String?
    /// CREATE or UPDATE.
    public var operation: AdmissionOperation
    /// The image reference as the pod spec writes it.
    public var image: String
    /// The digest it resolved to, when known.
    public var digest: String?
    /// The deciding policy (first failing `enforce`, else first failing, else first matching);
    /// nil when `defaultAction` decided or nothing was evaluated.
    public var policy: String?
    /// The deciding policy's effective action (`enforce` / `audit`), `default` when
    /// `defaultAction` decided, nil when nothing was evaluated.
    public var action: String?
    /// allow, audit, deny, skipped-unchanged or rejected-invalid.
    public var result: Result
    /// Why: each failing policy with its reason, or the reason it passed.
    public var reasons: [String]
    /// Signer DIDs whose signatures verified.
    public var signers: [String]
    /// How long verification took (written in seconds).
    public var duration: Duration
    /// `request.dryRun`.
    public var dryRun: Bool
    /// Paths of the containers using the image.
    public var containers: [String]
    /// The verifier's failed checks.
    public var failedChecks: [FailedCheck]
    /// Set when verification timed out or failed as a whole.
    public var error: String?
    /// Every matching policy's result.
    public var policies: [PolicyResult]

    /// A line from its parts; `AdmissionOutcome.auditEvents(at:)` builds the real ones.
    public init(
        time: Date, uid: String, namespace: String?, kind: String, name: String?, user: String?,
        operation: AdmissionOperation, image: String, digest: String?, policy: String?, action: String?,
        result: Result, reasons: [String], signers: [String], duration: Duration, dryRun: Bool,
        containers: [String] = [], failedChecks: [FailedCheck] = [], error: String? = nil, policies: [PolicyResult] = []
    ) {
        self.time = time
        self.uid = uid
        self.namespace = namespace
        self.kind = kind
        self.name = name
        self.user = user
        self.operation = operation
        self.image = image
        self.digest = digest
        self.policy = policy
        self.action = action
        self.result = result
        self.reasons = reasons
        self.signers = signers
        self.duration = duration
        self.dryRun = dryRun
        self.containers = containers
        self.failedChecks = failedChecks
        self.error = error
        self.policies = policies
    }

    /// The line's fields in a fixed order: `time` (RFC 3339, UTC, microseconds), `uid`,
    /// `namespace`, `kind`, `name`, `user`, `operation`, `image`, `digest`, `policy`, `action`,
    /// `result`, `reasons`, `signers`, `duration` (seconds), `dryRun`, then `containers`,
    /// `failedChecks`, `error` and `policies`. Absent values are `null`.
    public var json: JSONValue {
        .members([
            ("time", .string(MicroTime.format(time))),
            ("uid", .string(uid)),
            ("namespace", .optional(namespace)),
            ("kind", .string(kind)),
            ("name", .optional(name)),
            ("user", .optional(user)),
            ("operation", .string(operation.rawValue)),
            ("image", .string(image)),
            ("digest", .optional(digest)),
            ("policy", .optional(policy)),
            ("action", .optional(action)),
            ("result", .string(result.rawValue)),
            ("reasons", .strings(reasons)),
            ("signers", .strings(signers)),
            ("duration", duration.secondsJSON),
            ("dryRun", .bool(dryRun)),
            ("containers", .strings(containers)),
            ("failedChecks", .array(failedChecks.map(\.json))),
            ("error", .optional(error)),
            ("policies", .array(policies.map { result in
                .members([
                    ("name", .string(result.policy)),
                    ("action", .string(result.action.rawValue)),
                    ("configuredAction", .string(result.configuredAction.rawValue)),
                    ("passed", .bool(result.passed)),
                    ("reason", .string(result.reason)),
                ])
            })),
        ])
    }

    /// `json` as one compact line (no trailing newline). Strings are JSON-escaped, so a
    /// newline in an image name cannot split the line.
    public var jsonLine: String { json.serialized }
}
