import Foundation
import Yams

/// Loads a trust policy from YAML text. Pure: no file access and no clock; `now` is only used
/// for warnings (an expired trusted DID is a warning, not an error).
public enum PolicyLoader {
    /// Parses and validates `yaml`, reporting every error at once with its field path and line.
    ///
    /// - Parameters:
    ///   - now: the time warnings are judged at (expired or not-yet-valid DIDs).
    ///   - allowInsecureLocalEndpoints: accept `http://` and loopback `pds` values (the local
    ///     test world only; the verifier has the matching flag).
    public static func load(yaml: String, now: Date, allowInsecureLocalEndpoints: Bool = false) -> PolicyLoadResult {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return PolicyLoadResult(policy: nil, errors: [diagnostic(for: error)], warnings: [])
        }
        guard let root else {
            let empty = PolicyDiagnostic(path: "", line: nil, message: "the policy file is empty")
            return PolicyLoadResult(policy: nil, errors: [empty], warnings: [])
        }
        var parser = PolicyParser(now: now, allowInsecureLocalEndpoints: allowInsecureLocalEndpoints)
        let policy = parser.parse(root)
        let errors = DiagnosticSink.sorted(parser.sink.errors)
        var result = PolicyLoadResult(
            policy: errors.isEmpty ? policy : nil,
            errors: errors,
            warnings: DiagnosticSink.sorted(parser.sink.warnings)
        )
        result.policyLines = parser.policyNameLines.compactMapValues { $0 }
        if case .mapping(let top) = root {
            result.defaultActionLine = top.first { $0.key.string == "defaultAction" }?.value.mark?.line
        }
        return result
    }

    /// A YAML syntax error as a diagnostic with the line libyaml reported.
    static func diagnostic(for error: Error) -> PolicyDiagnostic {
        guard let yamlError = error as? YamlError else {
            return PolicyDiagnostic(path: "", line: nil, message: "not valid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // The context (e.g. "while scanning a quoted scalar") often starts where the mistake
            // is, while the problem mark is where libyaml gave up: say both.
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += context.mark.line == mark.line
                    ? " (\(context.text))"
                    : " (\(context.text) that starts on line \(context.mark.line))"
            }
            return PolicyDiagnostic(path: "", line: mark.line, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PolicyDiagnostic(path: "", line: context.mark.line, message: "YAML error: duplicate key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            return PolicyDiagnostic(path: "", line: nil, message: "not readable as YAML text: \(problem)")
        default:
            return PolicyDiagnostic(path: "", line: nil, message: "not valid YAML: \(yamlError)")
        }
    }
}
