import Foundation

/// What `atcr-verify policy lint` prints, kept here (pure) so it is testable without the binary.
public struct PolicyLintReport: Sendable {
    /// Exit status for a file that could not be read.
    public static let unreadableExitCode: Int32 = 2
    /// Exit status for a file with validation errors.
    public static let invalidExitCode: Int32 = 1

    /// The file name as the user gave it (used as a prefix, like a compiler).
    public var file: String
    /// What the loader found.
    public var result: PolicyLoadResult
    /// The time the summary's "valid now" counts use.
    public var now: Date

    /// A report on `result`, read from `file`, judged at `now`.
    public init(file: String, result: PolicyLoadResult, now: Date) {
        self.file = file
        self.result = result
        self.now = now
    }

    /// 0 when valid (warnings allowed), 1 with errors.
    public var exitCode: Int32 { result.isValid ? 0 : Self.invalidExitCode }

    /// The machine-readable summary of a valid policy.
    public var summary: Summary? { result.policy.map { Summary($0, now: now) } }

    /// Human output: one `FILE:LINE: error: PATH: MESSAGE` line per finding, then a verdict.
    public func text() -> String {
        var lines: [String] = []
        for error in result.errors { lines.append(render(error, severity: "error")) }
        for warning in result.warnings { lines.append(render(warning, severity: "warning")) }
        guard let summary else {
            lines.append("\(file): \(Self.count(result.errors.count, "error")), \(Self.count(result.warnings.count, "warning"))")
            return lines.joined(separator: "\n") + "\n"
        }
        var verdict = "ok: \(Self.count(summary.policies.count, "policy", "policies")), "
            + "\(Self.count(summary.trustedDIDs, "trusted DID")) (\(summary.trustedDIDsValidNow) valid now), "
            + "defaultAction \(summary.defaultAction.rawValue)"
        if !result.warnings.isEmpty { verdict += ", \(Self.count(result.warnings.count, "warning"))" }
        lines.append(verdict)
        let width = summary.policies.map(\.name.count).max() ?? 0
        for policy in summary.policies {
            let padded = policy.name.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(padded)  \(policy.action.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(policy.scopes.joined(separator: ", "))"
            if let namespaces = policy.namespaces { line += "  (namespaces: \(namespaces.joined(separator: ", ")))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"file", "valid", "errors", "warnings", "summary"}`, pretty-printed with sorted keys.
    public func json() -> String {
        Self.encode(JSONReport(file: file, valid: result.isValid, errors: result.errors, warnings: result.warnings, summary: summary))
    }

    /// What to print when `file` cannot be read (exit status `unreadableExitCode`).
    public static func unreadable(file: String, reason: String, json: Bool) -> String {
        let diagnostic = PolicyDiagnostic(path: "", line: nil, message: "cannot read \(file): \(reason)")
        guard json else { return "\(file): error: \(diagnostic.message)\n" }
        return encode(JSONReport(file: file, valid: false, errors: [diagnostic], warnings: [], summary: nil))
    }

    /// A valid policy at a glance.
    public struct Summary: Sendable, Hashable, Codable {
        /// One policy at a glance.
        public struct PolicySummary: Sendable, Hashable, Codable {
            public var name: String
            public var action: PolicyAction
            /// `require.signature`.
            public var signature: Bool
            /// The scope globs as written.
            public var scopes: [String]
            /// The namespace globs as written; nil when the policy applies in every namespace.
            public var namespaces: [String]?
        }

        public var defaultAction: DefaultAction
        public var policies: [PolicySummary]
        /// How many DIDs are declared under `trustedDIDs`.
        public var trustedDIDs: Int
        /// How many of them are valid at the report's `now`.
        public var trustedDIDsValidNow: Int

        init(_ policy: TrustPolicy, now: Date) {
            defaultAction = policy.defaultAction
            policies = policy.policies.map {
                PolicySummary(name: $0.name, action: $0.action, signature: $0.requirement.signature,
                              scopes: $0.scopes.map(\.pattern), namespaces: $0.namespaces?.map(\.pattern))
            }
            trustedDIDs = policy.trustedDIDs.count
            trustedDIDsValidNow = policy.trustedDIDs.filter { $0.isValid(at: now) }.count
        }
    }

    private struct JSONReport: Encodable {
        var file: String
        var valid: Bool
        var errors: [PolicyDiagnostic]
        var warnings: [PolicyDiagnostic]
        var summary: Summary?

        private enum CodingKeys: String, CodingKey { case file, valid, errors, warnings, summary }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(valid, forKey: .valid)
            try container.encode(errors, forKey: .errors)
            try container.encode(warnings, forKey: .warnings)
            try container.encode(summary, forKey: .summary)  // null when invalid
        }
    }

    private static func encode(_ report: JSONReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and booleans cannot fail; the fallback keeps output valid JSON.
        guard let data = try? encoder.encode(report) else { return "{\"valid\": false}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func render(_ diagnostic: PolicyDiagnostic, severity: String) -> String {
        let location = diagnostic.line.map { "\(file):\($0)" } ?? file
        let path = diagnostic.path.isEmpty ? "" : "\(diagnostic.path): "
        return "\(location): \(severity): \(path)\(diagnostic.message)"
    }

    private static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : (plural ?? singular + "s"))"
    }
}
