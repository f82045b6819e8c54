import Foundation

/// Sorts an image's signature evidence against one policy's trusted DIDs: which count toward
/// `minSignatures` (distinct, trusted by this policy, valid at `now`, verified) and, for the
/// reason text, why each other one did not.
struct SignatureTally {
    /// Trusted DIDs that count, in the policy's order.
    var counted: [String] = []
    /// Trusted, valid DIDs whose every signature failed, with the first failed check.
    var failed: [(did: String, check: String)] = []
    /// Trusted DIDs with a signature artifact but outside their trust window at `now`.
    var outOfWindow: [(did: String, validity: TrustedDID.Validity)] = []
    /// Trusted, valid DIDs whose signatures were not checked.
    var unchecked: [String] = []
    /// Signers this policy does not trust (distinct, in evidence order).
    var untrusted: [String] = []
    /// Why artifacts whose signer could not even be read were unusable.
    var unusable: [String] = []
    let evidenceCount: Int

    init(policy: TrustPolicy, requirement: Policy.Requirement, input: EvaluationInput) {
        evidenceCount = input.signatures.count
        let policyDIDs = Set(requirement.trustedDIDs.map(\.string))
        var seenUntrusted: Set<String> = []
        for evidence in input.signatures where !policyDIDs.contains(evidence.did) {
            if evidence.did.isEmpty {
                if case .failed(let text) = evidence.status { unusable.append(text) }
                continue
            }
            if seenUntrusted.insert(evidence.did).inserted { untrusted.append(evidence.did) }
        }
        for did in requirement.trustedDIDs.map(\.string) {
            let evidence = input.signatures.filter { $0.did == did }
            guard !evidence.isEmpty else { continue }
            let validity = policy.trustedDID(did)?.validity(at: input.now) ?? .valid
            guard validity == .valid else {
                outOfWindow.append((did, validity))
                continue
            }
            // Several artifacts by one DID count once, and one verified artifact is enough.
            if evidence.contains(where: { $0.status == .verified }) {
                counted.append(did)
            } else if let check = evidence.lazy.compactMap({ item -> String? in
                if case .failed(let text) = item.status { return text } else { return nil }
            }).first {
                failed.append((did, check))
            } else {
                unchecked.append(did)
            }
        }
    }

    /// Why the policy is not satisfied, naming what was found.
    func shortfallReason(minSignatures: Int) -> String {
        var details: [String] = failed.map { "signature by \($0.did) failed: \($0.check)" }
        details += outOfWindow.map { item in
            switch item.validity {
            case .expired(let at): return "signature by \(item.did) does not count: trust expired at \(RFC3339.format(at))"
            case .notYetValid(let from): return "signature by \(item.did) does not count: not trusted until \(RFC3339.format(from))"
            case .valid: return "signature by \(item.did) does not count"
            }
        }
        details += unchecked.map { "signature by \($0) was not checked" }
        details += unusable.prefix(3).map { "signature artifact unusable: \($0)" }

        let primary: String
        if evidenceCount == 0 {
            primary = minSignatures == 1
                ? "no signature found"
                : "needs \(minSignatures) signatures by trusted DIDs, found none"
        } else if counted.isEmpty && minSignatures == 1 {
            if details.isEmpty {
                return "no signature by a trusted DID (found: \(Self.list(untrusted)))"
            }
            primary = "no valid signature by a trusted DID"
        } else {
            let has = counted.isEmpty ? "" : " (\(Self.list(counted)))"
            primary = "needs \(minSignatures) signatures by trusted DIDs, has \(counted.count)\(has)"
        }
        if !untrusted.isEmpty { details.append("untrusted signers: \(Self.list(untrusted))") }
        return ([primary] + details).joined(separator: "; ")
    }

    /// Why the policy is satisfied.
    func passReason(minSignatures: Int) -> String {
        if counted.count == 1 { return "signed by \(counted[0])" }
        return "signed by \(counted.count) trusted DIDs (needs \(minSignatures)): \(Self.list(counted))"
    }

    /// At most three DIDs, then a count, so a reason stays readable.
    static func list(_ dids: [String]) -> String {
        let shown = dids.prefix(3).joined(separator: ", ")
        return dids.count > 3 ? "\(shown) and \(dids.count - 3) more" : shown
    }
}
