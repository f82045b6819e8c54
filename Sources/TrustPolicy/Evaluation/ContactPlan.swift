import Foundation

/// Which DIDs the verifier may contact for one image (trust first: docs/architecture.md, pipeline step 5): the
/// union, over matching policies that require a signature, of their trusted DIDs valid at
/// `now`. No request is ever made for any other DID.
public struct ContactPlan: Sendable, Hashable {
    /// Names of the policies whose scope (and namespaces) match, in file order.
    public var matchingPolicies: [String]
    /// True when a matching policy requires a signature, so signatures must be discovered.
    public var needsSignatures: Bool
    /// The DIDs that may be resolved and whose PDS may be contacted, with their pinned keys
    /// and PDS, in file order.
    public var trustedSigners: [TrustedDID]

    /// Builds a plan; `TrustPolicy.contactPlan(for:namespace:now:)` is the usual way.
    public init(matchingPolicies: [String], needsSignatures: Bool, trustedSigners: [TrustedDID]) {
        self.matchingPolicies = matchingPolicies
        self.needsSignatures = needsSignatures
        self.trustedSigners = trustedSigners
    }

    /// False: `defaultAction` decides alone and the verifier makes no registry request.
    public var matchesAnyPolicy: Bool { !matchingPolicies.isEmpty }

    /// The entry for `did` when the verifier may contact it (exact comparison).
    public func signer(_ did: String) -> TrustedDID? {
        trustedSigners.first { $0.did.string == did }
    }

    /// True when the verifier may resolve `did` and fetch its record proof.
    public func mayContact(_ did: String) -> Bool {
        signer(did) != nil
    }
}

extension TrustPolicy {
    /// The trust-first contact plan for `image` in `namespace` at `now`.
    public func contactPlan(for image: ImageName, namespace: String?, now: Date) -> ContactPlan {
        let matching = matchingPolicies(for: image, namespace: namespace)
        let requiring = matching.filter(\.requirement.signature)
        let allowed = Set(requiring.flatMap { $0.requirement.trustedDIDs.map(\.string) })
        let signers = trustedDIDs.filter { allowed.contains($0.did.string) && $0.isValid(at: now) }
        return ContactPlan(
            matchingPolicies: matching.map(\.name),
            needsSignatures: !requiring.isEmpty,
            trustedSigners: signers
        )
    }
}
