import ATProto
import Foundation
import OCI
import TrustPolicy

/// What happened to one signature artifact of an image.
public struct SignatureReport: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Every check passed.
        case verified(VerifiedSignature)
        /// A check failed (the failure names it).
        case failed(SignatureFailure)
        /// The signer is not trusted by any matching policy at `now`: nothing was fetched for it.
        case untrusted
    }

    /// The signer DID the artifact claims (unvalidated text), or nil when the artifact was
    /// unreadable before its DID could be read.
    public let did: String?
    /// Informational: from the artifact or the DID document.
    public let handle: String?
    public let artifactDigest: String?
    public let status: Status

    public init(did: String?, handle: String?, artifactDigest: String?, status: Status) {
        self.did = did
        self.handle = handle
        self.artifactDigest = artifactDigest
        self.status = status
    }

    /// The evidence the trust policy evaluates.
    public var evidence: SignatureEvidence {
        switch status {
        case .verified: return SignatureEvidence(did: did ?? "", status: .verified)
        case .failed(let failure):
            guard let did else {
                // The signer is unknown: the policy reports the artifact's failure by itself.
                let artifact = artifactDigest.map { " (artifact \($0.prefix(19))…)" } ?? ""
                return SignatureEvidence(did: "", status: .failed(failure.description + artifact))
            }
            return SignatureEvidence(did: did, status: .failed(failure.description))
        case .untrusted: return SignatureEvidence(did: did ?? "", status: .notChecked)
        }
    }
}

/// Everything the verifier established about one image: its digest and each signature's fate,
/// or why the image could not be verified at all. Evidence only: the policy decides.
public struct ImageVerdict: Sendable, Equatable {
    public enum Scope: Sendable, Equatable {
        /// No policy scope matches: nothing was fetched; `defaultAction` decides.
        case noMatchingPolicy
        /// Matching policies require no signature: nothing was fetched.
        case noSignatureRequired
        /// Signatures were looked for.
        case verified
    }

    public let image: ImageReference
    public let scope: Scope
    /// The manifest digest that must be signed (from the reference, or the tag's resolution).
    public let digest: Digest?
    /// True when the digest came from resolving a tag (a time-of-check race).
    public let resolvedFromTag: Bool
    public let signatures: [SignatureReport]
    /// Why the image as a whole could not be verified (registry down, not found, timed out).
    public let error: String?
    /// True when `error` may go away on retry.
    public let errorIsTransient: Bool
    /// Things a user should know even when admitted (tag resolution, stale DID documents).
    public let warnings: [String]

    public init(
        image: ImageReference, scope: Scope, digest: Digest? = nil, resolvedFromTag: Bool = false,
        signatures: [SignatureReport] = [], error: String? = nil, errorIsTransient: Bool = false, warnings: [String] = []
    ) {
        self.image = image
        self.scope = scope
        self.digest = digest
        self.resolvedFromTag = resolvedFromTag
        self.signatures = signatures
        self.error = error
        self.errorIsTransient = errorIsTransient
        self.warnings = warnings
    }

    /// The signers whose signatures verified, once each.
    public var verifiedDIDs: [String] {
        var seen = Set<String>()
        return signatures.compactMap { report in
            guard case .verified = report.status, let did = report.did, seen.insert(did).inserted else { return nil }
            return did
        }
    }

    /// The trust policy's input for this image.
    public func evaluationInput(namespace: String?, now: Date, auditOnly: Bool) -> EvaluationInput {
        EvaluationInput(
            image: ImageName(registry: image.registry, repository: image.repository),
            pinnedByDigest: image.isPinnedByDigest, namespace: namespace, now: now, auditOnly: auditOnly,
            signatures: signatures.map(\.evidence), verificationError: error)
    }
}
