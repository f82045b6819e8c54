/// What a policy does when it fails.
public enum PolicyAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// A failing policy denies the image.
    case enforce
    /// A failing policy admits the image with a finding (warning, audit annotation, event).
    case audit
}

/// What happens to an image that no policy's scope (and namespaces) matches.
public enum DefaultAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Admit silently (the default).
    case allow
    /// Admit with a finding.
    case audit
    /// Deny.
    case deny
}
