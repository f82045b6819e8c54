/// Static checks on a glob that feed the loader's warnings: these patterns are valid but
/// probably not what the operator meant.
extension ScopeGlob {
    /// The registry-host part of an image scope: everything before the first `/`.
    public var hostPattern: Substring {
        canonicalPattern.prefix { $0 != "/" }
    }

    /// True when the registry-host part contains a wildcard. Such a scope lets a pod author
    /// pick hosts the webhook will contact (`*trusted.io/**` also covers `eviltrusted.io/…`),
    /// so the loader warns about it.
    public var hasWildcardInHost: Bool {
        hostPattern.contains { $0 == "*" || $0 == "?" }
    }

    /// When the pattern spells its literal registry host in a form image names never carry
    /// (`atcr.io:443`, `registry-1.docker.io`, `127.0.0.1:5000`): the host as written and as
    /// it is matched. Nil when the pattern is already canonical.
    public var respelledRegistry: (written: Substring, canonical: Substring)? {
        guard canonicalPattern != pattern else { return nil }
        return (pattern.prefix { $0 != "/" }, hostPattern)
    }

    /// Why this image scope can never match a normalized `registry/repository`, or nil.
    public var imageNeverMatchReason: String? {
        let text = canonicalPattern
        let hasGlobstar = tokens.contains(.globstar)
        if !text.contains("/") && !hasGlobstar {
            return "it has no '/', but an image name is always registry/repository"
        }
        if text.hasPrefix("/") { return "it starts with '/', but an image name starts with its registry" }
        if text.hasSuffix("/") { return "it ends with '/', but a repository never does" }
        if text.contains("//") { return "it contains '//', which no image name does" }
        if let slash = text.firstIndex(of: "/"), text[slash...].contains(":") {
            return "it has ':' after the registry, but a scope matches names without tag or digest"
        }
        let host = hostPattern
        if !hasWildcardInHost, text.contains("/") {
            if host != "localhost", !host.contains("."), !host.contains(":") {
                return "'\(host)' is not a registry host (normalized names start with one, "
                    + "e.g. 'docker.io/\(text)')"
            }
            if host == "docker.io" {
                let rest = text.dropFirst("docker.io/".count)
                if !rest.contains("/") && !hasGlobstar {
                    return "Docker Hub names always have a namespace (e.g. 'docker.io/library/\(rest)')"
                }
            }
        }
        return nil
    }

    /// True when, as a namespace glob, this matches every namespace name (`*`, `**`): namespace
    /// names are single segments, so only wildcards that take any run of characters do.
    public var matchesEveryNamespace: Bool {
        !tokens.isEmpty && tokens.allSatisfy { $0 == .star || $0 == .globstar }
    }

    /// Why this namespace glob can never match a Kubernetes namespace name, or nil.
    /// Namespace names are DNS labels: lowercase letters, digits and `-`.
    public var namespaceNeverMatchReason: String? {
        for token in tokens {
            guard case .literal(let byte) = token else { continue }
            let isLabelCharacter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
            if !isLabelCharacter {
                return "'\(Character(Unicode.Scalar(byte)))' never occurs in a namespace name "
                    + "(lowercase letters, digits and '-')"
            }
        }
        return nil
    }
}
