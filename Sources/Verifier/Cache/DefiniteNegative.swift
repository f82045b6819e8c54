/// A definite negative answer: the thing looked up does not exist, as opposed to a failure to
/// find out. A load throws it to have it cached for ``CacheConfiguration/negativeTTL``; the
/// cache throws it back to every caller, from the load or from the cache. Any other error a
/// load throws is transient and never cached.
public struct DefiniteNegative: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the answer is negative. An open set: the verifier may add its own.
    public struct Reason: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        /// The image has no signature artifact.
        public static let noSignature: Reason = "no-signature"
        /// The DID resolves to nothing (PLC 404 or 410, no did:web document).
        public static let didNotFound: Reason = "did-not-found"
        /// The PDS proves the record absent (revoked or never signed).
        public static let recordAbsent: Reason = "record-absent"
        /// The PDS does not host the DID's repository.
        public static let repoNotFound: Reason = "repo-not-found"

        public var description: String { rawValue }
    }

    /// Why the answer is negative.
    public let reason: Reason
    /// Details for people (what was asked, what answered); never parsed.
    public let detail: String

    /// A definite negative for `reason`.
    public init(_ reason: Reason, detail: String = "") {
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty ? reason.rawValue : "\(reason.rawValue): \(detail)"
    }
}
