import TrustPolicy

extension SignerTrust {
    /// What the policy pins for `trusted`: its keys and PDS, if any.
    init(_ trusted: TrustedDID) {
        self.init(did: trusted.did, pinnedKeys: trusted.publicKeys, pinnedPDS: trusted.pds)
    }
}
