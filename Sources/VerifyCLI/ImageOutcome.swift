import ATProto
import Admission
import Foundation
import TrustPolicy
import Verifier
import Webhook

/// Where a manifest names an image: the file, the object and each container, with lines.
struct ManifestOrigin: Sendable {
    /// One container (or image volume) naming the image.
    struct Place: Sendable {
        /// The field path, e.g. `spec.template.spec.containers[0]`.
        let path: String
        let name: String?
        /// The line of its `image:` (or the entry), when known.
        let line: Int?
    }

    /// The file as given (`-` is standard input).
    let file: String
    let kind: String
    let namespace: String?
    let name: String?
    /// The line the object starts on.
    let objectLine: Int?
    let places: [Place]

    /// `Deployment prod/api`.
    var objectLabel: String {
        "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name ?? "(unnamed)")"
    }

    /// The first place's line, else the object's.
    var line: Int? { places.first?.line ?? objectLine }
}

/// One image's decision, as the `atcr-verify` commands print it: the webhook's decision and
/// the verifier's evidence, plus where a manifest named it.
struct ImageOutcome: Sendable {
    /// The image as shown: the normalized reference for `verify`, as written for manifests.
    let display: String
    let decided: DecidedImage
    let namespace: String?
    let origin: ManifestOrigin?

    var decision: PolicyDecision { decided.decision.decision }
    var verdict: PolicyDecision.Verdict { decision.verdict }
    var digest: String? { decided.decision.digest }

    var decisionWord: String {
        switch verdict {
        case .allow: return "ALLOW"
        case .audit: return "AUDIT"
        case .deny: return "DENY"
        }
    }

    /// The verification error (whole image), when there was one.
    var error: String? { decided.verdict?.error ?? decided.decision.verificationFailure?.description }

    /// The failed check that best names why: the first signature check that failed; nil when
    /// no check failed (no signature, untrusted signers, a policy requirement, defaultAction).
    var failedCheck: FailedCheck? { decided.decision.failedChecks.first }

    /// The policy that decided: the first failing decisive policy, else the first failing one,
    /// else nil (passed, or `defaultAction` decided).
    var decidingPolicy: PolicyResult? {
        let failures = decision.failures
        if verdict == .deny, let enforced = failures.first(where: { $0.action == .enforce }) { return enforced }
        return failures.first
    }

    /// The heading and indented detail lines.
    func text(terminal: Terminal) -> String {
        let colour: Terminal.Colour = verdict == .allow ? .green : (verdict == .audit ? .yellow : .red)
        let word = terminal.paint(decisionWord.padding(toLength: 5, withPad: " ", startingAt: 0), colour)
        let shownDigest = digest.map { display.contains("@") ? "" : " (\($0))" } ?? ""
        var lines = ["\(word) \(display)\(shownDigest)"]
        if let origin {
            for place in origin.places {
                let at = "\(origin.file)\(place.line.map { ":\($0)" } ?? "")"
                lines.append("      in \(origin.objectLabel) \(place.path)\(place.name.map { " (\($0))" } ?? "") at \(at)")
            }
        }
        lines.append("      \(decision.reason)")
        for report in decided.verdict?.signatures ?? [] {
            switch report.status {
            case .verified(let signature):
                lines.append("      signed by \(signature.did)\(signature.handle.map { " (\($0))" } ?? ""), \(signature.keyType.displayName), commit rev \(signature.rev ?? "?"), record \(signature.recordCID)")
            case .failed(let failure):
                lines.append("      signature by \(report.did ?? "an unreadable artifact") failed \(failure)")
            case .untrusted:
                lines.append("      signature by \(report.did ?? "?") ignored: not a DID the matching policies trust")
            }
        }
        // The reason usually quotes the error already ("could not verify: …"): say it once.
        if let error, !decision.reason.contains(error) { lines.append("      error: \(error)") }
        if decided.isIncomplete && verdict != .allow { lines.append("      verification could not complete: retrying may give another answer") }
        for warning in decided.decision.notes { lines.append("      warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let signatures: [JSONValue] = (decided.verdict?.signatures ?? []).map { report in
            var members = [
                JSONMember(name: "did", value: string(report.did)),
                JSONMember(name: "handle", value: string(report.handle)),
                JSONMember(name: "artifact", value: string(report.artifactDigest)),
            ]
            switch report.status {
            case .verified(let signature):
                members += [
                    JSONMember(name: "status", value: .string("verified")),
                    JSONMember(name: "keyType", value: .string(signature.keyType.rawValue)),
                    JSONMember(name: "rev", value: string(signature.rev)),
                    JSONMember(name: "commitCid", value: .string(signature.commitCID.string)),
                    JSONMember(name: "recordCid", value: .string(signature.recordCID.string)),
                    JSONMember(name: "staleIdentity", value: .bool(signature.staleIdentity)),
                ]
            case .failed(let failure):
                members += [
                    JSONMember(name: "status", value: .string("failed")),
                    JSONMember(name: "failedCheck", value: failure.failedCheck.json),
                    JSONMember(name: "reason", value: .string(failure.reason)),
                    JSONMember(name: "transient", value: .bool(failure.isTransient)),
                ]
            case .untrusted:
                members.append(JSONMember(name: "status", value: .string("untrusted")))
            }
            return .object(members)
        }
        let policies: [JSONValue] = decision.results.map { result in
            .object([
                JSONMember(name: "policy", value: .string(result.policy)),
                JSONMember(name: "action", value: .string(result.action.rawValue)),
                JSONMember(name: "passed", value: .bool(result.passed)),
                JSONMember(name: "reason", value: .string(result.reason)),
            ])
        }
        let (seconds, attoseconds) = decided.decision.duration.components
        var members = [
            JSONMember(name: "image", value: .string(display)),
            JSONMember(name: "digest", value: string(digest)),
            JSONMember(name: "namespace", value: string(namespace)),
            JSONMember(name: "decision", value: .string(verdict.rawValue)),
            JSONMember(name: "reason", value: .string(decision.reason)),
            JSONMember(name: "complete", value: .bool(!decided.isIncomplete)),
            JSONMember(name: "policies", value: .array(policies)),
            JSONMember(name: "signatures", value: .array(signatures)),
            JSONMember(name: "error", value: string(error)),
            JSONMember(name: "warnings", value: .array(decided.decision.notes.map(JSONValue.string))),
            JSONMember(name: "durationMs", value: .number(String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15))),
        ]
        if let origin {
            members.append(JSONMember(name: "source", value: .object([
                JSONMember(name: "file", value: .string(origin.file)),
                JSONMember(name: "kind", value: .string(origin.kind)),
                JSONMember(name: "namespace", value: string(origin.namespace)),
                JSONMember(name: "name", value: string(origin.name)),
                JSONMember(name: "line", value: origin.objectLine.map { .number(String($0)) } ?? .null),
                JSONMember(name: "containers", value: .array(origin.places.map { place in
                    .object([
                        JSONMember(name: "path", value: .string(place.path)),
                        JSONMember(name: "name", value: string(place.name)),
                        JSONMember(name: "line", value: place.line.map { .number(String($0)) } ?? .null),
                    ])
                })),
            ])))
        }
        return .object(members)
    }
}

/// The exit codes of the verifying commands (in every `--help` and the README).
enum ExitStatus {
    /// Every image admitted (audit findings are warnings).
    static let admitted: Int32 = 0
    /// An image denied.
    static let denied: Int32 = 1
    /// Usage or input error.
    static let badInput: Int32 = 2
    /// Verification could not complete (network, timeout) for an image that was not admitted,
    /// and nothing was denied on a definite finding: retrying may help.
    static let incomplete: Int32 = 4

    static let helpText = """
        Exit codes: 0 every image admitted (audit findings are printed as warnings); 1 an image is denied; \
        2 usage or input error (unreadable or invalid policy, malformed image reference or manifest); \
        4 verification could not complete (network, timeout) for an image that was not admitted, and \
        nothing was denied on a definite finding: retry.
        """

    /// The code for `outcomes`: 1 when an image is denied on a definite finding, else 4 when an
    /// image not admitted could not be fully verified, else 0; `failOnAudit` counts audited
    /// images as denied.
    static func code(for outcomes: [ImageOutcome], invalidObjects: Int = 0, failOnAudit: Bool = false) -> Int32 {
        if invalidObjects > 0 { return denied }
        let flagged = outcomes.filter { $0.verdict == .deny || (failOnAudit && $0.verdict == .audit) }
        if flagged.contains(where: { !$0.decided.isIncomplete }) { return denied }
        if outcomes.contains(where: { $0.verdict != .allow && $0.decided.isIncomplete }) { return incomplete }
        return admitted
    }
}
