import Yams

/// Collects every error and warning while a policy is read, so the loader never stops at the
/// first problem.
struct DiagnosticSink {
    private(set) var errors: [PolicyDiagnostic] = []
    private(set) var warnings: [PolicyDiagnostic] = []

    mutating func error(_ path: FieldPath, _ node: Node?, _ message: String) {
        errors.append(PolicyDiagnostic(path: path.description, line: node?.mark?.line, message: message))
    }

    mutating func error(_ path: FieldPath, line: Int?, _ message: String) {
        errors.append(PolicyDiagnostic(path: path.description, line: line, message: message))
    }

    mutating func warning(_ path: FieldPath, _ node: Node?, _ message: String) {
        warnings.append(PolicyDiagnostic(path: path.description, line: node?.mark?.line, message: message))
    }

    mutating func warning(_ path: FieldPath, line: Int?, _ message: String) {
        warnings.append(PolicyDiagnostic(path: path.description, line: line, message: message))
    }

    /// Findings in file order (stable for equal lines); findings without a line come last.
    static func sorted(_ diagnostics: [PolicyDiagnostic]) -> [PolicyDiagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let l = lhs.element.line ?? Int.max
            let r = rhs.element.line ?? Int.max
            return l != r ? l < r : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
