import ATProto
import Foundation
import Yams

/// Reads a composed YAML document into a `TrustPolicy`, reporting every problem to `sink`.
/// One pass per section; nothing stops at the first error.
struct PolicyParser {
    static let topLevelKeys = ["version", "defaultAction", "trustedDIDs", "policies"]

    var sink = DiagnosticSink()
    let now: Date
    let allowInsecureLocalEndpoints: Bool

    /// Every key written under `trustedDIDs`, as written, with its entry when the key is a
    /// well-formed DID. Policy references resolve against the raw keys, so a reference to a
    /// malformed key is not reported a second time as "not declared".
    var declaredDIDs: [String: TrustedDID?] = [:]
    var declaredOrder: [String] = []
    var policyNameLines: [String: Int?] = [:]
    /// True when `trustedDIDs` is not a mapping: its size then says nothing, so checks that
    /// count trusted DIDs stay quiet instead of piling follow-on errors on the real one.
    var trustedDIDsUnreadable = false

    init(now: Date, allowInsecureLocalEndpoints: Bool) {
        self.now = now
        self.allowInsecureLocalEndpoints = allowInsecureLocalEndpoints
    }

    /// The policy, or nil when any error was reported.
    mutating func parse(_ root: Node) -> TrustPolicy? {
        guard case .mapping = root else {
            sink.error(.root, root, "a trust policy is a mapping with version, trustedDIDs and policies; found \(root.kindDescription)")
            return nil
        }
        guard let top = FieldMapping(root, path: .root, known: Self.topLevelKeys, sink: &sink) else { return nil }
        let version = parseVersion(top)
        let defaultAction = parseEnum(top.nonNullValue("defaultAction"), path: .root.field("defaultAction"), as: DefaultAction.self)
        let trusted = parseTrustedDIDs(top.nonNullValue("trustedDIDs"), path: .root.field("trustedDIDs"))
        let policies = parsePolicies(top, path: .root.field("policies"))
        if let policies { warnAboutDefaultAllow(defaultAction, node: top.nonNullValue("defaultAction"), policies: policies) }
        guard sink.errors.isEmpty, let version, let policies else { return nil }
        return TrustPolicy(
            version: version,
            defaultAction: defaultAction ?? .allow,
            trustedDIDs: trusted,
            policies: policies
        )
    }

    /// Enforce policies with `defaultAction: allow` (written or by default) protect only their
    /// scopes: an image outside every scope is admitted unverified. That is a legitimate
    /// rollout state, but it must be said out loud.
    mutating func warnAboutDefaultAllow(_ action: DefaultAction?, node: Node?, policies: [Policy]) {
        guard node == nil || action != nil else { return }  // an unreadable value has its own error
        guard (action ?? .allow) == .allow, policies.contains(where: { $0.action == .enforce }) else { return }
        let spelled = action == nil ? "allow (the default)" : "allow"
        sink.warning(.root.field("defaultAction"), line: node?.mark?.line,
                     "\(spelled) while enforce policies exist: an image outside every scope is admitted unverified; "
                     + "end with defaultAction: deny (or audit) and give what may run unverified its own scopes with require.signature: false")
    }

    /// `version: 1.0` is a YAML float; `1` and `"1.0"` mean the same.
    mutating func parseVersion(_ top: FieldMapping) -> Int? {
        let path = FieldPath.root.field("version")
        guard let node = top.nonNullValue("version") else {
            sink.error(path, line: top.line, "version is required (this verifier reads version 1.0)")
            return nil
        }
        let accepted: Bool
        let written = node.scalar?.string ?? ""
        switch node.tagName {
        // Read from the text, never through Yams' number constructors (see `wholeNumber`).
        case .float: accepted = Double(written) == 1.0
        case .int: accepted = Self.wholeNumber(written) == 1
        case .str: accepted = ["1", "1.0"].contains(node.stringValue ?? "")
        default:
            sink.error(path, node, "expected a version number, found \(node.kindDescription)")
            return nil
        }
        guard accepted else {
            sink.error(path, node, "unsupported version \(written.isEmpty ? node.kindDescription : written) (this verifier reads version 1.0)")
            return nil
        }
        return 1
    }

    // MARK: - Typed scalars

    /// A string scalar, or nil with an error.
    mutating func string(_ node: Node, path: FieldPath, what: String = "a string") -> String? {
        guard let text = node.stringValue else {
            let hint = node.scalar != nil ? " (quote it if it is meant as text)" : ""
            sink.error(path, node, "expected \(what), found \(node.kindDescription)\(hint)")
            return nil
        }
        return text
    }

    /// A boolean scalar (`true`/`false`), or nil with an error.
    mutating func bool(_ node: Node, path: FieldPath) -> Bool? {
        guard node.tagName == .bool, let value = node.bool else {
            sink.error(path, node, "expected true or false, found \(node.kindDescription)")
            return nil
        }
        return value
    }

    /// An integer scalar written in decimal, or nil with an error.
    mutating func int(_ node: Node, path: FieldPath) -> Int? {
        guard node.tagName == .int, let text = node.scalar?.string else {
            sink.error(path, node, "expected a whole number written in decimal, such as 2, found \(node.kindDescription)")
            return nil
        }
        guard let value = Self.wholeNumber(text) else {
            sink.error(path, node, "expected a whole number written in decimal, such as 2, found \(text)\(Self.yaml11Hint(text))")
            return nil
        }
        return value
    }

    /// `text` as a decimal whole number (an optional sign, then digits with no leading zero),
    /// nil otherwise or when it does not fit an `Int`. Yams' own `Node.int` also reads YAML
    /// 1.1's base-60 form (`1:30`) by multiplying without overflow checks, so a long one such as
    /// `+222222222000000000:0` traps the process: a policy file must never do that. A leading
    /// zero is refused because YAML 1.1 reads `010` as octal 8 and YAML 1.2 as 10: whichever we
    /// chose, some reader of the file would see another number.
    static func wholeNumber(_ text: String) -> Int? {
        // Int(_:radix:) takes one optional sign, then ASCII digits only.
        guard let value = Int(text, radix: 10), !hasLeadingZero(text) else { return nil }
        return value
    }

    /// Why a YAML integer that is not plain decimal is refused, for the error message.
    static func yaml11Hint(_ text: String) -> String {
        let digits = unsigned(text)
        if digits.contains(":") { return " (YAML 1.1 reads a:b as base 60; write the number in decimal)" }
        if digits.hasPrefix("0x") || digits.hasPrefix("0b") { return " (write the number in decimal)" }
        if hasLeadingZero(text) { return " (YAML 1.1 reads a leading 0 as octal; write it without the leading zero)" }
        return ""
    }

    private static func hasLeadingZero(_ text: String) -> Bool {
        let digits = unsigned(text)
        return digits.count > 1 && digits.hasPrefix("0")
    }

    private static func unsigned(_ text: String) -> Substring {
        text.drop(while: { $0 == "+" || $0 == "-" })
    }

    /// An RFC 3339 timestamp (quoted or not), or nil with an error.
    mutating func timestamp(_ node: Node, path: FieldPath) -> Date? {
        guard let text = node.timestampText else {
            sink.error(path, node, "expected an RFC 3339 timestamp such as \"2024-01-01T00:00:00Z\", found \(node.kindDescription)")
            return nil
        }
        do {
            return try RFC3339.parse(text)
        } catch {
            sink.error(path, node, error.reason)
            return nil
        }
    }

    /// One of an enum's raw values, with a suggestion when it looks like a typo.
    mutating func parseEnum<E: RawRepresentable & CaseIterable>(_ node: Node?, path: FieldPath, as type: E.Type) -> E?
    where E.RawValue == String {
        guard let node, let text = string(node, path: path) else { return nil }
        if let value = E(rawValue: text) { return value }
        let allowed = E.allCases.map(\.rawValue)
        sink.error(path, node, "unknown value '\(text)'\(KeySuggestion.hint(for: text, in: allowed)); expected one of: \(allowed.joined(separator: ", "))")
        return nil
    }

    /// A string or a list of strings, each with its own path (`scope` or `scope[1]`) and node.
    mutating func stringOrList(_ node: Node, path: FieldPath) -> [(text: String, path: FieldPath, node: Node)]? {
        if case .sequence(let sequence) = node {
            var items: [(String, FieldPath, Node)] = []
            for (index, element) in sequence.enumerated() {
                if let text = string(element, path: path.index(index)) { items.append((text, path.index(index), element)) }
            }
            return items
        }
        guard let text = string(node, path: path, what: "a string or a list of strings") else { return nil }
        return [(text, path, node)]
    }
}
