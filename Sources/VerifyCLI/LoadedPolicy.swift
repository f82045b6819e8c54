import Foundation
import TrustPolicy

/// The trust policy a command runs with: which file (`--policy`, else `$ATCR_POLICY`, else
/// `.atcr/trust-policy.yaml` in the working directory, where the CI examples keep it), the
/// validated policy, and the lines its policies are on (for SARIF locations).
struct LoadedPolicy: Sendable {
    /// Where CI keeps the policy when neither `--policy` nor `$ATCR_POLICY` says.
    static let conventionalPath = ".atcr/trust-policy.yaml"
    /// The variable read when `--policy` is absent.
    static let environmentVariable = "ATCR_POLICY"

    /// The file as given (or found).
    let path: String
    let policy: TrustPolicy
    let load: PolicyLoadResult

    /// The file to read: `explicit`, else `$ATCR_POLICY`, else the conventional file when it
    /// exists; nil when none applies.
    static func path(explicit: String?, environment: [String: String], fileExists: (String) -> Bool) -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return fromEnvironment }
        return fileExists(conventionalPath) ? conventionalPath : nil
    }

    /// Reads and validates the policy; a `CLIFailure` (exit 2) names the file and what to do.
    static func load(explicit: String?, environment: [String: String], now: Date, allowInsecureLocal: Bool) throws -> LoadedPolicy {
        guard let path = path(explicit: explicit, environment: environment, fileExists: { FileManager.default.fileExists(atPath: $0) }) else {
            throw CLIFailure(
                "no trust policy: --policy is not given, $\(environmentVariable) is not set, and \(conventionalPath) does not exist in "
                    + "\(FileManager.default.currentDirectoryPath); pass --policy FILE, set \(environmentVariable)=FILE, or create "
                    + "\(conventionalPath) (see examples/trust-policy.yaml)")
        }
        let via = explicit != nil ? "" : (environment[environmentVariable].map { _ in " (from $\(environmentVariable))" } ?? "")
        guard let bytes = FileReader.read(path, limit: PolicyLintCommand.maxFileSize + 1), bytes.count <= PolicyLintCommand.maxFileSize else {
            throw CLIFailure(
                "cannot read the policy file \(path)\(via): \(FileReader.problem(path) ?? "larger than \(PolicyLintCommand.maxFileSize) bytes")")
        }
        let loaded = PolicyLoader.load(yaml: String(decoding: bytes, as: UTF8.self), now: now, allowInsecureLocalEndpoints: allowInsecureLocal)
        guard let policy = loaded.policy else {
            throw CLIFailure(
                "the policy \(path)\(via) is invalid (atcr-verify policy lint \(path) lists every problem):\n"
                    + loaded.errors.map { "  \($0)" }.joined(separator: "\n"))
        }
        return LoadedPolicy(path: path, policy: policy, load: loaded)
    }

    /// The line of policy `name`, else of `defaultAction`, else 1.
    func line(ofPolicy name: String?) -> Int {
        name.flatMap { load.policyLines[$0] } ?? load.defaultActionLine ?? 1
    }
}
