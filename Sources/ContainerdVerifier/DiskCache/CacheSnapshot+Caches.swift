import ATProto
import Foundation
import OCI
import Verifier

extension CacheSnapshot {
    /// What `caches` hold that a later process may use: DID documents and proofs still fresh or
    /// within their stale-if-error window, dated by wall clock (`now` minus their age), and the
    /// highest rev seen per DID with when it was last seen. Proofs made with a DID document
    /// served stale are left out.
    public static func capture(_ caches: VerifierCaches, now: Date) async -> CacheSnapshot {
        let wallNow = now.timeIntervalSince1970
        var snapshot = CacheSnapshot()
        for (did, identity, age) in await caches.identities.usableEntries() {
            snapshot.identities.append(Identity(
                did: did.string, key: identity.key.multikey, pds: identity.pds.origin, handle: identity.handle,
                fetchedAt: wallNow - age.inSeconds))
        }
        for (key, proof, age) in await caches.evidence.usableEntries() where !proof.staleIdentity {
            snapshot.proofs.append(Proof(
                registry: key.registry, repository: key.repository, digest: key.digest.description, did: key.did, handle: proof.handle,
                key: proof.key.multikey, rev: proof.rev, commit: proof.commitCID.string, record: proof.recordCID.string,
                pds: proof.pds.origin, fetchedAt: wallNow - age.inSeconds))
        }
        for (did, rev, seenAt) in await caches.revisions.remembered() {
            snapshot.revisions.append(Revision(did: did.string, rev: rev.string, seenAt: min(seenAt.timeIntervalSince1970, wallNow)))
        }
        return snapshot
    }

    /// How many entries of each kind went into the caches.
    public struct Restored: Sendable, Equatable {
        public var identities = 0
        public var proofs = 0
        public var revisions = 0
        /// Entries that did not parse or check (dropped).
        public var rejected = 0

        public init(identities: Int = 0, proofs: Int = 0, revisions: Int = 0, rejected: Int = 0) {
            self.identities = identities
            self.proofs = proofs
            self.revisions = revisions
            self.rejected = rejected
        }
    }

    /// Puts this snapshot's entries into `caches` as if loaded `now - fetchedAt` ago, so the
    /// caches' own TTLs and stale-if-error windows decide what is still used; every rev is
    /// observed by the revision tracker, dated when it was last seen. Every field is parsed as
    /// when it was first fetched (DID, key on its curve, PDS origin, CIDs, digest, TID); an
    /// entry that fails is dropped.
    @discardableResult
    public func restore(into caches: VerifierCaches, now: Date, allowInsecureLocal: Bool) async -> Restored {
        let wallNow = now.timeIntervalSince1970
        let monotonicNow = ContinuousClock.now
        var restored = Restored()
        // Oldest first, so the most recent are the most recently used in the LRU order.
        for entry in identities.reversed() {
            guard let age = Self.age(of: entry.fetchedAt, now: wallNow),
                let did = try? DID(entry.did), let key = try? PublicKey(multikey: entry.key),
                let pds = try? ServiceEndpoint(entry.pds, allowInsecureLocal: allowInsecureLocal)
            else {
                restored.rejected += 1
                continue
            }
            let identity = ResolvedIdentity(did: did, key: key, pds: pds, handle: entry.handle)
            if await caches.identities.restore(identity, for: did, age: age) { restored.identities += 1 }
        }
        for entry in proofs.reversed() {
            guard let age = Self.age(of: entry.fetchedAt, now: wallNow),
                let did = try? DID(entry.did), did.string == entry.did, let digest = Digest(entry.digest),
                let key = try? PublicKey(multikey: entry.key), let commit = try? CID(string: entry.commit),
                let record = try? CID(string: entry.record), entry.rev.map({ TID($0) != nil }) ?? true,
                let pds = try? ServiceEndpoint(entry.pds, allowInsecureLocal: allowInsecureLocal)
            else {
                restored.rejected += 1
                continue
            }
            let proof = VerifiedSignature(
                did: did, handle: entry.handle, keyType: key.type, rev: entry.rev, commitCID: commit, recordCID: record,
                staleIdentity: false, pds: pds, key: key, requestedAt: monotonicNow - age)
            let cacheKey = EvidenceKey(registry: entry.registry, repository: entry.repository, digest: digest, did: entry.did)
            if await caches.evidence.restore(proof, for: cacheKey, age: age) { restored.proofs += 1 }
        }
        for entry in revisions.reversed() {
            guard let did = try? DID(entry.did), let rev = TID(entry.rev), entry.seenAt.isFinite else {
                restored.rejected += 1
                continue
            }
            // A date in the future (the clock went back) counts as now: the rev itself still holds.
            _ = await caches.revisions.observe(did: did, rev: rev, at: Date(timeIntervalSince1970: min(entry.seenAt, wallNow)))
            restored.revisions += 1
        }
        return restored
    }

    /// The age of an entry fetched at `fetchedAt`; nil when it lies in the future (the clock
    /// went back, or the file is not ours): such an entry's freshness is unknown.
    static func age(of fetchedAt: Double, now: Double) -> Duration? {
        let seconds = now - fetchedAt
        guard seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64(min(seconds, 1e9) * 1000))
    }
}
