import Foundation

/// What the verifier found for one signature artifact of an image.
public struct SignatureEvidence: Sendable, Hashable {
    /// How far verification got.
    public enum Status: Sendable, Hashable {
        /// Every check passed: this DID signed this digest.
        case verified
        /// A check failed; the text names it, e.g. `check 19 (mst-walk): record absent`.
        case failed(String)
        /// Not checked: the signer is not trusted at `now`, so trust-first forbids contacting it.
        case notChecked
    }

    /// The signer DID as the artifact states it (unvalidated: it may be anything); empty when
    /// the artifact was unusable before its signer could be read.
    public var did: String
    /// Whether it verified, and if not, why.
    public var status: Status

    /// Evidence that `did` signed (or claimed to sign) the image.
    public init(did: String, status: Status) {
        self.did = did
        self.status = status
    }
}

/// Everything a decision about one image depends on.
public struct EvaluationInput: Sendable, Hashable {
    /// The image's normalized `registry/repository`.
    public var image: ImageName
    /// True when the reference carried a digest (`@sha256:…`), false for a tag only.
    public var pinnedByDigest: Bool
    /// The pod's namespace; nil when not known (the decision is then the strictest any
    /// namespace could get, see ``TrustPolicy/evaluate(_:)``).
    public var namespace: String?
    /// The time trust windows are judged at.
    public var now: Date
    /// The server's `--audit-only`: every `enforce` (and a `deny` default) acts as `audit`.
    public var auditOnly: Bool
    /// One entry per signature artifact found (several may share a DID).
    public var signatures: [SignatureEvidence]
    /// Set when verification of the whole image failed, e.g. "verification timed out" or
    /// "registry unreachable": every matching policy that requires a signature fails.
    public var verificationError: String?

    /// Everything one decision needs; `now` is an input, never read from a clock here.
    public init(
        image: ImageName,
        pinnedByDigest: Bool,
        namespace: String?,
        now: Date,
        auditOnly: Bool = false,
        signatures: [SignatureEvidence] = [],
        verificationError: String? = nil
    ) {
        self.image = image
        self.pinnedByDigest = pinnedByDigest
        self.namespace = namespace
        self.now = now
        self.auditOnly = auditOnly
        self.signatures = signatures
        self.verificationError = verificationError
    }
}
