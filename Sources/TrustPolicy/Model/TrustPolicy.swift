import ATProto

/// A validated trust policy: which DIDs are trusted, and which rules apply to which images.
///
/// Only `PolicyLoader` builds one from YAML, and only when the file has no errors; the
/// memberwise initializer exists for tests and programmatic use.
public struct TrustPolicy: Sendable, Hashable {
    /// The file format version (always 1).
    public var version: Int
    /// What happens to images no policy matches.
    public var defaultAction: DefaultAction
    /// The trusted DIDs, in file order.
    public var trustedDIDs: [TrustedDID]
    /// The rules, in file order.
    public var policies: [Policy]

    /// A policy built in code (tests, programmatic use); it is not validated.
    public init(version: Int = 1, defaultAction: DefaultAction = .allow, trustedDIDs: [TrustedDID], policies: [Policy]) {
        self.version = version
        self.defaultAction = defaultAction
        self.trustedDIDs = trustedDIDs
        self.policies = policies
    }

    /// The entry for `did` (compared exactly, as DIDs are case-sensitive), if trusted at all.
    public func trustedDID(_ did: String) -> TrustedDID? {
        trustedDIDs.first { $0.did.string == did }
    }

    /// Every policy whose scope matches `image` and whose namespaces include `namespace`
    /// (a nil namespace ignores namespace filters), in file order.
    public func matchingPolicies(for image: ImageName, namespace: String?) -> [Policy] {
        policies.filter { $0.matches(image, namespace: namespace) }
    }

    /// True when at least one policy applies. When false, `defaultAction` alone decides and
    /// the verifier must not contact the image's registry at all.
    public func hasMatchingPolicy(for image: ImageName, namespace: String?) -> Bool {
        policies.contains { $0.matches(image, namespace: namespace) }
    }
}
