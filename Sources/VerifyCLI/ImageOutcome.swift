import ATProto
import Foundation
import TrustPolicy
import Verifier

/// One image's verdict and decision, as `atcr-verify verify` prints it.
struct ImageOutcome: Sendable {
    let verdict: ImageVerdict
    let decision: PolicyDecision
    let duration: Duration

    var decisionWord: String {
        switch decision.verdict {
        case .allow: return "ALLOW"
        case .audit: return "AUDIT"
        case .deny: return "DENY"
        }
    }

    var text: String {
        var lines = ["\(decisionWord.padding(toLength: 5, withPad: " ", startingAt: 0)) \(verdict.image)"
            + (verdict.digest.map { verdict.image.digest == nil ? " (\($0))" : "" } ?? "")]
        lines.append("      \(decision.reason)")
        for report in verdict.signatures {
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
        if let error = verdict.error, !decision.reason.contains(error) { lines.append("      error: \(error)") }
        for warning in verdict.warnings { lines.append("      warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let signatures: [JSONValue] = verdict.signatures.map { report in
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
        let (seconds, attoseconds) = duration.components
        return .object([
            JSONMember(name: "image", value: .string(verdict.image.description)),
            JSONMember(name: "digest", value: string(verdict.digest?.description)),
            JSONMember(name: "decision", value: .string(decision.verdict.rawValue)),
            JSONMember(name: "reason", value: .string(decision.reason)),
            JSONMember(name: "policies", value: .array(policies)),
            JSONMember(name: "signatures", value: .array(signatures)),
            JSONMember(name: "error", value: string(verdict.error)),
            JSONMember(name: "warnings", value: .array(verdict.warnings.map(JSONValue.string))),
            JSONMember(name: "durationMs", value: .number(String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15))),
        ])
    }
}
