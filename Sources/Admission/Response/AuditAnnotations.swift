import ATProto
import TrustPolicy

/// The `auditAnnotations` of a response with findings (an image denied or failing an audit
/// policy): exactly the keys `decision`, `policies` and `findings`, each a compact JSON value.
/// The API server records them as `<webhook name>/decision` etc. in its audit log.
enum AuditAnnotations {
    /// The keys, in order. Each is a valid qualified-name part.
    static let keys = ["decision", "policies", "findings"]
    /// At most this many findings (one per failing image and policy) are listed.
    static let maxFindings = 20
    /// At most this many policies are listed.
    static let maxPolicies = 32
    /// Bound of a reason inside a finding, in UTF-8 bytes (a longer one loses its middle: its
    /// end names the cause).
    static let maxReasonBytes = 300

    /// The annotations, or none when no image was denied or failed an audit policy.
    ///
    /// - `decision`: `{"allowed":…,"verdict":"deny|audit","verified":N,"denied":N,"audited":N,"unchanged":N}`
    ///   plus `"findingsOmitted":N` when findings were cut.
    /// - `policies`: per matching policy over the verified images,
    ///   `[{"name":…,"action":…,"configuredAction":…,"passed":N,"failed":N}]`.
    /// - `findings`: `[{"image":…,"digest":…,"verdict":…,"policy":…,"action":…,"reason":…}]`;
    ///   `policy` and `action` are null when `defaultAction` decided.
    static func make(decisions: [ImageDecision], unchanged: Int, allowed: Bool) -> [AuditAnnotation] {
        let flagged = decisions.filter { $0.verdict != .allow }
        guard !flagged.isEmpty else { return [] }

        var findings: [JSONValue] = []
        var total = 0  // findings are counted for all, made only for the first maxFindings
        for decision in flagged {
            let failures = decision.decision.failures
            total += max(1, failures.count)
            guard findings.count < maxFindings else { continue }
            if failures.isEmpty {
                findings.append(finding(decision, policy: nil, reason: decision.decision.reason))
            } else {
                findings += failures.map { finding(decision, policy: $0, reason: $0.reason) }
            }
        }
        let omitted = max(0, total - maxFindings)

        let denied = decisions.filter { $0.verdict == .deny }.count
        var summary: [(String, JSONValue)] = [
            ("allowed", .bool(allowed)),
            ("verdict", .string(denied > 0 ? "deny" : "audit")),
            ("verified", .integer(decisions.count)),
            ("denied", .integer(denied)),
            ("audited", .integer(decisions.filter { $0.verdict == .audit }.count)),
            ("unchanged", .integer(unchanged)),
        ]
        if omitted > 0 { summary.append(("findingsOmitted", .integer(omitted))) }

        return [
            AuditAnnotation(key: "decision", value: JSONValue.members(summary).serialized),
            AuditAnnotation(key: "policies", value: JSONValue.array(policies(decisions)).serialized),
            AuditAnnotation(key: "findings", value: JSONValue.array(Array(findings.prefix(maxFindings))).serialized),
        ]
    }

    private static func finding(_ decision: ImageDecision, policy: PolicyResult?, reason: String) -> JSONValue {
        .members([
            ("image", .string(TextBounds.truncate(decision.image, maxBytes: ImageDisplay.maxBytes))),
            ("digest", .optional(decision.digest.map { TextBounds.truncate($0, maxBytes: 100) })),
            ("verdict", .string(decision.verdict.rawValue)),
            ("policy", .optional(policy?.policy)),
            ("action", .optional(policy?.action.rawValue)),
            ("reason", .string(TextBounds.truncateMiddle(reason, maxBytes: maxReasonBytes))),
        ])
    }

    /// Pass/fail counts per policy (by name, in first-seen order) over the verified images.
    private static func policies(_ decisions: [ImageDecision]) -> [JSONValue] {
        struct Tally { var result: PolicyResult; var passed = 0; var failed = 0 }
        var order: [String] = []
        var tallies: [String: Tally] = [:]
        for result in decisions.flatMap(\.decision.results) {
            if tallies[result.policy] == nil {
                order.append(result.policy)
                tallies[result.policy] = Tally(result: result)
            }
            if result.passed { tallies[result.policy]?.passed += 1 } else { tallies[result.policy]?.failed += 1 }
        }
        return order.prefix(maxPolicies).compactMap { name in
            guard let tally = tallies[name] else { return nil }
            return .members([
                ("name", .string(name)),
                ("action", .string(tally.result.action.rawValue)),
                ("configuredAction", .string(tally.result.configuredAction.rawValue)),
                ("passed", .integer(tally.passed)),
                ("failed", .integer(tally.failed)),
            ])
        }
    }
}
