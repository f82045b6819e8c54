/// atproto handle syntax: a DNS hostname of at least two labels whose last label starts with
/// a letter, at most 253 characters, labels of 1–63 `[a-zA-Z0-9-]` not starting or ending in `-`.
/// Handles are informational in atcr-verify (never trusted); the syntax also vets did:web hosts.
public enum Handle {
    /// The longest handle.
    public static let maxLength = 253

    /// Top-level domains that atproto will not resolve (the handle spec's disallowed list).
    public static let disallowedTLDs: Set<String> = [
        "alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion",
    ]

    /// True when `string` has handle syntax.
    public static func isValidSyntax(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard isHostnameLabel(label) else { return false }
        }
        guard let tld = labels.last, let first = tld.first, isAlpha(first) else { return false }
        return true
    }

    static func isHostnameLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard (1...63).contains(label.count),
            let first = label.first, let last = label.last,
            isAlphanumeric(first), isAlphanumeric(last)
        else { return false }
        return label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}

/// An at-identifier: a handle or a DID (generic syntax).
public enum ATIdentifier {
    /// True when `string` is a handle or has generic DID syntax.
    public static func isValidSyntax(_ string: String) -> Bool {
        string.hasPrefix("did:") ? DIDSyntax.isValid(string) : Handle.isValidSyntax(string)
    }
}
