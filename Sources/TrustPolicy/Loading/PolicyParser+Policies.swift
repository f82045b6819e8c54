import ATProto
import Foundation
import Yams

extension PolicyParser {
    static let policyKeys = ["name", "scope", "namespaces", "require", "action"]

    /// `policies`: a non-empty list.
    mutating func parsePolicies(_ top: FieldMapping, path: FieldPath) -> [Policy]? {
        guard let node = top.nonNullValue("policies") else {
            sink.error(path, line: top.line, "policies is required: list at least one policy")
            return nil
        }
        guard case .sequence(let sequence) = node else {
            sink.error(path, node, "expected a list of policies, found \(node.kindDescription)")
            return nil
        }
        if sequence.isEmpty {
            sink.error(path, node, "must list at least one policy")
        }
        var policies: [Policy] = []
        for (index, element) in sequence.enumerated() {
            if let policy = parsePolicy(element, path: path.index(index)) { policies.append(policy) }
        }
        return policies
    }

    private mutating func parsePolicy(_ node: Node, path: FieldPath) -> Policy? {
        guard let fields = FieldMapping(node, path: path, known: Self.policyKeys, sink: &sink) else { return nil }
        let name = parsePolicyName(fields, path: path.field("name"))
        let scopes = parseScopes(fields, path: path.field("scope"))
        let namespaces = fields.nonNullValue("namespaces").flatMap { parseNamespaces($0, path: path.field("namespaces")) }
        let requirement = parseRequire(fields.value("require"), path: path.field("require"), policyLine: fields.line)
        let action: PolicyAction?
        if let actionNode = fields.nonNullValue("action") {
            action = parseEnum(actionNode, path: path.field("action"), as: PolicyAction.self)
        } else {
            sink.error(path.field("action"), line: fields.line, "action is required: enforce or audit")
            action = nil
        }
        guard let name, let scopes, let requirement, let action else { return nil }
        return Policy(name: name, scopes: scopes, namespaces: namespaces, requirement: requirement, action: action)
    }

    private mutating func parsePolicyName(_ fields: FieldMapping, path: FieldPath) -> String? {
        guard let node = fields.nonNullValue("name") else {
            sink.error(path, line: fields.line, "name is required")
            return nil
        }
        guard let name = string(node, path: path) else { return nil }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            sink.error(path, node, "must not be empty")
            return nil
        }
        if let firstLine = policyNameLines[name] {
            let first = firstLine.map { " (first used on line \($0))" } ?? ""
            sink.error(path, node, "duplicate policy name '\(name)'\(first)")
            return nil
        }
        policyNameLines[name] = node.mark?.line
        return name
    }

    /// `scope`: a glob or a list of globs over `registry/repository`.
    private mutating func parseScopes(_ fields: FieldMapping, path: FieldPath) -> [ScopeGlob]? {
        guard let node = fields.nonNullValue("scope") else {
            sink.error(path, line: fields.line, "scope is required, e.g. \"atcr.io/*/prod-*\"")
            return nil
        }
        guard let items = stringOrList(node, path: path) else { return nil }
        if case .sequence(let sequence) = node, sequence.isEmpty {
            sink.error(path, node, "must list at least one scope")
            return nil
        }
        var globs: [ScopeGlob] = []
        var failed = false
        for item in items {
            do {
                let glob = try ScopeGlob(item.text)
                globs.append(glob)
                if glob.hasWildcardInHost {
                    sink.warning(item.path, item.node,
                                 "scope '\(item.text)' has a wildcard in the registry host: pod authors can pick hosts the webhook will contact; name the registry literally")
                }
                if let why = glob.imageNeverMatchReason {
                    sink.warning(item.path, item.node, "scope '\(item.text)' can never match: \(why)")
                } else if let canonical = glob.respelledRegistry {
                    sink.warning(item.path, item.node,
                                 "scope '\(item.text)' spells the registry '\(canonical.written)', which no image name carries "
                                 + "(they say '\(canonical.canonical)'): it is matched as '\(glob.canonicalPattern)'; write that")
                }
            } catch {
                sink.error(item.path, item.node, "invalid scope '\(item.text)': \(error)\(Self.lowercaseSuggestion(item.text, error))")
                failed = true
            }
        }
        return failed ? nil : globs
    }

    /// For a scope refused for an uppercase letter: the scope it probably means (lowercase,
    /// registry canonicalized), when that one is valid.
    static func lowercaseSuggestion(_ text: String, _ error: ScopeGlob.SyntaxError) -> String {
        guard case .invalidCharacter(let character, _) = error, character.isUppercase,
            let lowered = try? ScopeGlob(text.lowercased())
        else { return "" }
        return "; did you mean '\(lowered.canonicalPattern)'?"
    }

    /// `namespaces`: a glob or a list of globs over namespace names.
    private mutating func parseNamespaces(_ node: Node, path: FieldPath) -> [ScopeGlob]? {
        guard let items = stringOrList(node, path: path) else { return nil }
        if case .sequence(let sequence) = node, sequence.isEmpty {
            sink.warning(path, node, "an empty list matches no namespace: this policy never applies in a cluster")
        }
        var globs: [ScopeGlob] = []
        for item in items {
            do {
                let glob = try ScopeGlob(item.text)
                globs.append(glob)
                if let why = glob.namespaceNeverMatchReason {
                    sink.warning(item.path, item.node, "namespace glob '\(item.text)' can never match: \(why)")
                }
            } catch {
                sink.error(item.path, item.node, "invalid namespace glob '\(item.text)': \(error)")
            }
        }
        return globs
    }
}
