import ATProto
import BuildInfo
import Foundation

/// SARIF 2.1.0 for GitHub code scanning (docs/ci.md): one result per denied or audited image,
/// `ruleId` the failed check (`atcr/check/<name>`) or else the failing policy
/// (`atcr/policy/<name>`), `level` error (deny) or warning (audit), a location on every
/// result (the manifest line that names the image, else the trust-policy file at the failing
/// policy's line), and `tool.driver` with the rules used.
struct SARIFReport {
    static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    /// One rule: a stable id and the texts GitHub shows.
    struct Rule: Sendable {
        let id: String
        let name: String
        let short: String
        let full: String
        let help: String
    }

    /// One finding before rendering.
    struct Finding: Sendable {
        let rule: Rule
        let level: String
        let message: String
        let file: String
        let line: Int
        /// More places naming the same image (other containers).
        let related: [(file: String, line: Int)]
        let properties: [JSONMember]
    }

    let policy: LoadedPolicy
    let workingDirectory: String

    init(policy: LoadedPolicy, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.policy = policy
        self.workingDirectory = workingDirectory
    }

    /// The finding for one image, or nil when it was admitted without a finding.
    func finding(for outcome: ImageOutcome) -> Finding? {
        guard outcome.verdict != .allow else { return nil }
        let deciding = outcome.decidingPolicy
        let rule = Self.rule(check: outcome.failedCheck, policy: deciding?.policy, incomplete: outcome.decided.isIncomplete,
                             noPolicy: !outcome.decision.matchedAnyPolicy)
        let digest = outcome.digest ?? "digest not resolved"
        let policyText = deciding.map { "policy \($0.policy) (\($0.action.rawValue))" }
            ?? (outcome.decision.matchedAnyPolicy ? "the matching policies" : "defaultAction (no policy matches)")
        let check = outcome.failedCheck?.description
            ?? (outcome.decided.isIncomplete ? "verification incomplete" : (deciding == nil ? "defaultAction" : "policy requirement"))
        let verb = outcome.verdict == .deny ? "denied" : "admitted with an audit finding"
        var message = "\(outcome.display) (\(digest)) is \(verb) by \(policyText); failed check: \(check). \(outcome.decision.reason)"
        if let origin = outcome.origin { message += " [\(origin.objectLabel)]" }
        let (file, line, related): (String, Int, [(String, Int)])
        if let origin = outcome.origin {
            file = origin.file
            line = origin.line ?? 1
            related = origin.places.dropFirst().map { (origin.file, $0.line ?? line) }
        } else {
            file = policy.path
            line = policy.line(ofPolicy: deciding?.policy)
            related = []
        }
        var properties = [
            JSONMember(name: "image", value: .string(outcome.display)),
            JSONMember(name: "digest", value: outcome.digest.map(JSONValue.string) ?? .null),
            JSONMember(name: "decision", value: .string(outcome.verdict.rawValue)),
            JSONMember(name: "policy", value: deciding.map { .string($0.policy) } ?? .null),
            JSONMember(name: "check", value: .string(check)),
        ]
        if let namespace = outcome.namespace { properties.append(JSONMember(name: "namespace", value: .string(namespace))) }
        return Finding(rule: rule, level: outcome.verdict == .deny ? "error" : "warning", message: message, file: file, line: line,
                       related: related, properties: properties)
    }

    /// The rule of a finding: the failed check, else the failing policy, else defaultAction.
    static func rule(check: FailedCheck?, policy: String?, incomplete: Bool, noPolicy: Bool) -> Rule {
        if let check {
            let id = "atcr/check/\(check.name)"
            let numbered = check.number.map { "check \($0) of docs/proof-checks.md" } ?? "a verifier outcome"
            return Rule(id: id, name: "Check_\(check.name)", short: "Signature check \(check.name) failed",
                        full: "A signature by a trusted DID failed \(check.description) (\(numbered)).",
                        help: "The signature does not prove the image: see docs/proof-checks.md for what \(check.name) checks, re-sign the image digest, or fix the signer's repository.")
        }
        if incomplete && policy != nil {
            return Rule(id: "atcr/verification-incomplete", name: "VerificationIncomplete",
                        short: "Verification could not complete",
                        full: "The registry, DID directory or PDS could not be reached in time, so a policy requiring a signature failed closed.",
                        help: "Retry; check network access to the registry, the PLC directory and the signer's PDS, or raise --timeout.")
        }
        if let policy {
            return Rule(id: "atcr/policy/\(policy)", name: "Policy_\(policy.filter { $0.isLetter || $0.isNumber })",
                        short: "Trust policy \(policy) not satisfied",
                        full: "The image is in the scope of trust policy \(policy) but does not satisfy its requirements (signatures by trusted DIDs, digest pinning).",
                        help: "Sign the image digest with a DID that policy \(policy) trusts (atcr-verify resolve DID shows what is trusted), pin the digest when required, or change the policy.")
        }
        if noPolicy {
            return Rule(id: "atcr/default-action", name: "DefaultAction", short: "No trust policy matches the image",
                        full: "No policy's scope matches the image, and the trust policy's defaultAction does not allow it.",
                        help: "Add a policy whose scope covers the image, or use an image a policy covers.")
        }
        return Rule(id: "atcr/invalid", name: "Invalid", short: "The image or object is invalid",
                    full: "The image reference does not parse, or the object is malformed; the webhook refuses it.",
                    help: "Fix the image reference or the object.")
    }

    /// The whole log for `findings`: one run, the rules used (sorted by id), one result each.
    func render(_ findings: [Finding]) -> String {
        var rules: [String: Rule] = [:]
        for finding in findings { rules[finding.rule.id] = finding.rule }
        let ordered = rules.values.sorted { $0.id < $1.id }
        let index = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1.id, $0) })
        let results: [JSONValue] = findings.map { finding in
            var members = [
                JSONMember(name: "ruleId", value: .string(finding.rule.id)),
                JSONMember(name: "ruleIndex", value: .number(String(index[finding.rule.id] ?? 0))),
                JSONMember(name: "level", value: .string(finding.level)),
                JSONMember(name: "message", value: .object([JSONMember(name: "text", value: .string(finding.message))])),
                JSONMember(name: "locations", value: .array([location(finding.file, finding.line)])),
            ]
            if !finding.related.isEmpty {
                members.append(JSONMember(name: "relatedLocations", value: .array(finding.related.enumerated().map { offset, place in
                    var related = location(place.file, place.line)
                    if case .object(let parts) = related {
                        related = .object([JSONMember(name: "id", value: .number(String(offset + 1)))] + parts)
                    }
                    return related
                })))
            }
            members.append(JSONMember(name: "properties", value: .object(finding.properties)))
            return .object(members)
        }
        let driver = JSONValue.object([
            JSONMember(name: "name", value: .string("atcr-verify")),
            JSONMember(name: "version", value: .string(BuildInfo.version)),
            JSONMember(name: "semanticVersion", value: .string(BuildInfo.version)),
            JSONMember(name: "informationUri", value: .string("https://atcr.io")),
            JSONMember(name: "rules", value: .array(ordered.map(Self.json))),
        ])
        let run = JSONValue.object([
            JSONMember(name: "tool", value: .object([JSONMember(name: "driver", value: driver)])),
            JSONMember(name: "originalUriBaseIds", value: .object([
                JSONMember(name: "SRCROOT", value: .object([JSONMember(name: "uri", value: .string(directoryURI))])),
            ])),
            JSONMember(name: "results", value: .array(results)),
        ])
        return JSONValue.object([
            JSONMember(name: "$schema", value: .string(Self.schema)),
            JSONMember(name: "version", value: .string("2.1.0")),
            JSONMember(name: "runs", value: .array([run])),
        ]).serialized + "\n"
    }

    private static func json(_ rule: Rule) -> JSONValue {
        .object([
            JSONMember(name: "id", value: .string(rule.id)),
            JSONMember(name: "name", value: .string(rule.name)),
            JSONMember(name: "shortDescription", value: .object([JSONMember(name: "text", value: .string(rule.short))])),
            JSONMember(name: "fullDescription", value: .object([JSONMember(name: "text", value: .string(rule.full))])),
            JSONMember(name: "help", value: .object([JSONMember(name: "text", value: .string(rule.help))])),
            JSONMember(name: "properties", value: .object([
                JSONMember(name: "tags", value: .array([.string("security"), .string("supply-chain")])),
                JSONMember(name: "precision", value: .string("very-high")),
                JSONMember(name: "security-severity", value: .string("8.0")),
            ])),
        ])
    }

    /// The working directory as a file URI ending in `/`.
    private var directoryURI: String {
        URL(fileURLWithPath: workingDirectory, isDirectory: true).absoluteString
    }

    /// A physical location: repository-relative (against SRCROOT, the working directory) when
    /// the file is under it, else an absolute file URI; standard input is `stdin`.
    private func location(_ file: String, _ line: Int) -> JSONValue {
        var artifact: [JSONMember]
        let absolute = URL(fileURLWithPath: file, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true)).standardizedFileURL.path
        let base = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path
        if file == "-" {
            artifact = [JSONMember(name: "uri", value: .string("stdin"))]
        } else if absolute.hasPrefix(base + "/") {
            let relative = String(absolute.dropFirst(base.count + 1))
            artifact = [
                JSONMember(name: "uri", value: .string(relative.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? relative)),
                JSONMember(name: "uriBaseId", value: .string("SRCROOT")),
            ]
        } else {
            artifact = [JSONMember(name: "uri", value: .string(URL(fileURLWithPath: absolute).absoluteString))]
        }
        return .object([
            JSONMember(name: "physicalLocation", value: .object([
                JSONMember(name: "artifactLocation", value: .object(artifact)),
                JSONMember(name: "region", value: .object([JSONMember(name: "startLine", value: .number(String(max(1, line))))])),
            ])),
        ])
    }
}
