import ATProto

/// One named rule of a trust policy: which images it covers and what they must satisfy.
public struct Policy: Sendable, Hashable {
    /// Unique within the file; reported in decisions.
    public var name: String
    /// The image names this policy covers (any one matching is enough).
    public var scopes: [ScopeGlob]
    /// The namespaces this policy applies in; nil means every namespace.
    public var namespaces: [ScopeGlob]?
    /// What an image in scope must satisfy.
    public var requirement: Requirement
    /// What a failure does.
    public var action: PolicyAction

    /// A policy built in code; the loader checks what this initializer does not.
    public init(
        name: String,
        scopes: [ScopeGlob],
        namespaces: [ScopeGlob]? = nil,
        requirement: Requirement,
        action: PolicyAction
    ) {
        self.name = name
        self.scopes = scopes
        self.namespaces = namespaces
        self.requirement = requirement
        self.action = action
    }

    /// What an image must satisfy (`require` in the file).
    public struct Requirement: Sendable, Hashable {
        /// False: the policy always passes (it is still recorded).
        public var signature: Bool
        /// The DIDs whose signatures count, resolved: the explicit list, or every trusted DID.
        public var trustedDIDs: [DID]
        /// How many distinct trusted DIDs must have signed (at least 1).
        public var minSignatures: Int
        /// True: a reference by tag only fails.
        public var digestPinned: Bool

        /// A requirement; `trustedDIDs` is the resolved set (never empty when `signature`).
        public init(signature: Bool = true, trustedDIDs: [DID], minSignatures: Int = 1, digestPinned: Bool = false) {
            self.signature = signature
            self.trustedDIDs = trustedDIDs
            self.minSignatures = minSignatures
            self.digestPinned = digestPinned
        }
    }

    /// True when `image` is in one of the scopes and `namespace` in the namespaces.
    /// A nil `namespace` (not known: containerd, Gatekeeper, the CLI without `--namespace`)
    /// ignores the namespace filter: the policy may apply, so it is evaluated.
    public func matches(_ image: ImageName, namespace: String?) -> Bool {
        guard scopes.contains(where: { $0.matches(image) }) else { return false }
        guard let namespaces, let namespace else { return true }
        return namespaces.contains { $0.matches(namespace) }
    }

    /// True when the policy applies in every namespace: no `namespaces`, or a glob such as `*`.
    public var appliesInEveryNamespace: Bool {
        guard let namespaces else { return true }
        return namespaces.contains(where: \.matchesEveryNamespace)
    }
}
