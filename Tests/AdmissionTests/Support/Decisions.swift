import ATProto
import TrustPolicy
@testable import Admission

/// Hand-built policy decisions, shaped as `TrustPolicy.evaluate(_:)` reports them.
enum Decisions {
    static let alice = "did:plc:hbrpoigf3cbfnobm2o4rak3v"
    static let mallory = "did:plc:zrenun7z5jqipq3zxoi7fdhj"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func result(_ policy: String, _ action: PolicyAction, passed: Bool, reason: String,
                       configured: PolicyAction? = nil, signers: [String] = []) -> PolicyResult {
        PolicyResult(policy: policy, action: action, configuredAction: configured ?? action,
                     passed: passed, reason: reason, signers: signers)
    }

    static func allow(_ image: String) -> ImageDecision {
        ImageDecision(image: image, digest: digest, decision: PolicyDecision(
            verdict: .allow,
            results: [result("production-images", .enforce, passed: true, reason: "signed by \(alice)", signers: [alice])],
            reason: "satisfies production-images"
        ), duration: .milliseconds(12))
    }

    static func deny(_ image: String, reason: String = "no signature by a trusted DID (found: \(mallory))",
                     policy: String = "production-images") -> ImageDecision {
        ImageDecision(image: image, digest: digest, decision: PolicyDecision(
            verdict: .deny,
            results: [result(policy, .enforce, passed: false, reason: reason)],
            reason: "violates policy \(policy): \(reason)"
        ), failedChecks: [FailedCheck(.keyParse)], duration: .milliseconds(30))
    }

    static func audit(_ image: String, reason: String = "no signature found", policy: String = "staging-images") -> ImageDecision {
        ImageDecision(image: image, decision: PolicyDecision(
            verdict: .audit,
            results: [result(policy, .audit, passed: false, reason: reason)],
            reason: "violates policy \(policy): \(reason)"
        ), duration: .milliseconds(7))
    }
}
