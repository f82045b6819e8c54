import ATProto
import Foundation

/// What a verified signature proves, reported with every verdict.
public struct VerifiedSignature: Sendable, Equatable {
    public let did: DID
    /// Informational: from the DID document, never trusted.
    public let handle: String?
    public let keyType: KeyType
    public let rev: String?
    public let commitCID: CID
    public let recordCID: CID
    /// The DID document came from the cache past its TTL because the directory was down.
    public let staleIdentity: Bool
    /// The PDS the proof came from (pinned, or from the DID document): where the freshness
    /// watch asks for the latest commit.
    public let pds: ServiceEndpoint
    /// The key the commit verified under.
    public let key: PublicKey
    /// When the proof was requested: the PDS state it shows is at least this recent.
    public let requestedAt: ContinuousClock.Instant

    public init(
        did: DID, handle: String?, keyType: KeyType, rev: String?, commitCID: CID, recordCID: CID, staleIdentity: Bool,
        pds: ServiceEndpoint, key: PublicKey, requestedAt: ContinuousClock.Instant
    ) {
        self.did = did
        self.handle = handle
        self.keyType = keyType
        self.rev = rev
        self.commitCID = commitCID
        self.recordCID = recordCID
        self.staleIdentity = staleIdentity
        self.pds = pds
        self.key = key
        self.requestedAt = requestedAt
    }
}

/// How to reach and check one trusted DID: pinned keys and PDS from the policy, if any.
public struct SignerTrust: Sendable, Equatable {
    public let did: DID
    /// Keys pinned by the policy; they replace the document's key.
    public let pinnedKeys: [PublicKey]
    /// A PDS pinned by the policy; with pinned keys too, no DID resolution happens at all.
    public let pinnedPDS: ServiceEndpoint?

    public init(did: DID, pinnedKeys: [PublicKey] = [], pinnedPDS: ServiceEndpoint? = nil) {
        self.did = did
        self.pinnedKeys = pinnedKeys
        self.pinnedPDS = pinnedPDS
    }

    public var isFullyPinned: Bool { !pinnedKeys.isEmpty && pinnedPDS != nil }
}

/// Steps 6–8 of the pipeline for one signature by a trusted DID: resolve the DID (cached,
/// stale-if-error), fetch the record proof from its PDS, verify it offline against the image,
/// and apply the freshness rule.
public struct SignatureVerifier: Sendable {
    public let resolver: DIDResolver
    public let pds: PDSClient
    public let identities: EvidenceCache<DID, ResolvedIdentity>
    public let revisions: RevisionTracker
    public let proofs: RecordProofVerifier
    /// Told about every fresh resolution and verification, to notice key and PDS changes.
    public let identityChanges: IdentityChangeMonitor?
    /// Times DID resolutions and record proofs (`atcr_verification_stage_seconds`).
    public var stageTimer = StageTimer(factory: nil)

    public init(
        resolver: DIDResolver, pds: PDSClient, identities: EvidenceCache<DID, ResolvedIdentity>,
        revisions: RevisionTracker, proofs: RecordProofVerifier = RecordProofVerifier(), identityChanges: IdentityChangeMonitor? = nil
    ) {
        self.resolver = resolver
        self.pds = pds
        self.identities = identities
        self.revisions = revisions
        self.proofs = proofs
        self.identityChanges = identityChanges
    }

    /// Verifies that `signer`'s current commit holds `recordURI` naming `expectation`. A document
    /// in `prefetched` (being resolved into the cache since the review began) counts as fresh.
    public func verify(
        signer: SignerTrust, recordURI: String, expectation: RecordExpectation, prefetched: IdentityPrefetch? = nil,
        deadline: ContinuousClock.Instant
    ) async throws(SignatureFailure) -> VerifiedSignature {
        let (collection, recordKey) = try Self.recordPath(recordURI, signer: signer.did)
        var (identity, cached) = try await identity(for: signer, prefetched: prefetched, deadline: deadline)
        let requestedAt = ContinuousClock.now
        defer { stageTimer.record(.recordProof, since: requestedAt) }
        var car: [UInt8]
        do {
            car = try await pds.getRecord(
                pds: identity.pds, did: signer.did, collection: collection, recordKey: recordKey, deadline: deadline)
        } catch let failure where failure.kind == .check(.proofFetch) && !failure.isTransient && cached && signer.pinnedPDS == nil {
            // The repository may have moved to another PDS since the document was cached
            // (the old one answers RepoDeactivated or RepoNotFound): resolve once more.
            let previous = identity.pds
            (identity, cached) = try await reresolve(signer, deadline: deadline)
            guard identity.pds != previous else { throw failure }
            car = try await pds.getRecord(
                pds: identity.pds, did: signer.did, collection: collection, recordKey: recordKey, deadline: deadline)
        }
        var (proof, key): (RecordProof, PublicKey)
        do {
            (proof, key) = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
        } catch let failure where failure.kind == .check(.signatureVerify) && cached {
            // The key may have rotated since the document was cached: resolve once more. Under
            // pinned keys the pins still decide; the fresh document names the new key in the
            // denial (and the key-change alert).
            (identity, cached) = try await reresolve(signer, deadline: deadline)
            (proof, key) = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
        }
        if let rev = proof.rev, case .older(let highest) = await revisions.observe(did: signer.did, rev: rev) {
            // An older commit than one already seen: fetch once more before calling it a replay.
            car = try await pds.getRecord(
                pds: identity.pds, did: signer.did, collection: collection, recordKey: recordKey, deadline: deadline)
            (proof, key) = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
            if let again = proof.rev, case .older = await revisions.observe(did: signer.did, rev: again) {
                throw SignatureFailure(
                    .replayedCommit,
                    "the PDS served commit rev \(again), older than rev \(highest) already seen for \(signer.did): a replayed commit")
            }
        }
        guard let record = proof.record else {
            throw SignatureFailure(
                .recordAbsent,
                "the current commit (rev \(proof.rev?.string ?? "?")) of \(signer.did) has no record \(collection)/\(recordKey): revoked or never signed")
        }
        identityChanges?.verified(did: signer.did, key: key, pds: identity.pds)
        return VerifiedSignature(
            did: signer.did, handle: identity.handle, keyType: proof.keyType, rev: proof.rev?.string,
            commitCID: proof.commitCID, recordCID: record.cid, staleIdentity: identity.isStale, pds: identity.pds, key: key,
            requestedAt: requestedAt)
    }

    /// Resolves `signer`'s document into the identity cache (a cached one is kept, a load in
    /// flight is joined), for a warm-up or a prefetch; returns the PDS to use, nil when
    /// resolution failed.
    public func warmIdentity(_ signer: SignerTrust, deadline: ContinuousClock.Instant) async -> ServiceEndpoint? {
        do {
            return try await identity(for: signer, deadline: deadline).0.pds
        } catch {
            return nil
        }
    }

    /// Forgets the cached document of `signer` and resolves it again.
    private func reresolve(_ signer: SignerTrust, deadline: ContinuousClock.Instant) async throws(SignatureFailure) -> (Identity, Bool) {
        await identities.invalidate(signer.did)
        return try await identity(for: signer, deadline: deadline)
    }

    /// The record's collection and key, from a `recordUri` that must name the signer and
    /// `io.atcr.manifest`.
    static func recordPath(_ uri: String, signer: DID) throws(SignatureFailure) -> (NSID, RecordKey) {
        let parsed: ATURI
        do {
            parsed = try ATURI(uri)
        } catch {
            throw SignatureFailure(.check(.recordPath), "recordUri '\(uri)': \(error)")
        }
        guard parsed.authority == signer.string else {
            throw SignatureFailure(.artifact, "recordUri \(uri) names \(parsed.authority), not the signer \(signer)")
        }
        guard let collection = parsed.collection, collection == .atcrManifest else {
            throw SignatureFailure(.artifact, "recordUri \(uri) is not an io.atcr.manifest record")
        }
        guard let recordKey = parsed.recordKey, parsed.fragment == nil else {
            throw SignatureFailure(.artifact, "recordUri \(uri) does not name one record")
        }
        return (collection, recordKey)
    }

    /// The identity to use, and whether it came from the cache (a candidate for re-resolution).
    private func identity(
        for signer: SignerTrust, prefetched: IdentityPrefetch? = nil, deadline: ContinuousClock.Instant
    ) async throws(SignatureFailure) -> (Identity, Bool) {
        if signer.isFullyPinned, let pds = signer.pinnedPDS {
            return (Identity(pds: pds, keys: signer.pinnedKeys, handle: nil, isStale: false), false)
        }
        let resolver = resolver
        let fetchedDuringReview = prefetched?.take(signer.did) ?? false
        let result: CacheResult<ResolvedIdentity>
        do {
            result = try await identities.value(for: signer.did) { () async throws -> ResolvedIdentity in
                do throws(SignatureFailure) {
                    let started = ContinuousClock.now
                    defer { stageTimer.record(.didResolution, since: started) }
                    return try await resolver.resolve(signer.did, deadline: deadline)
                } catch where !error.isTransient {
                    throw error.definiteNegative  // cached briefly; transient failures are not
                } catch {
                    throw error
                }
            }
        } catch let failure as SignatureFailure {
            throw failure
        } catch let negative as DefiniteNegative {
            throw SignatureFailure(negative: negative)
        } catch {
            throw SignatureFailure(.check(.didResolution), "\(signer.did): \(error)", transient: true)
        }
        let resolved = result.value
        if result.source == .loaded { identityChanges?.resolved(resolved, signer: signer) }
        let keys = signer.pinnedKeys.isEmpty ? [resolved.key] : signer.pinnedKeys
        let identity = Identity(
            pds: signer.pinnedPDS ?? resolved.pds, keys: keys, handle: resolved.handle, isStale: result.isStale, documentKey: resolved.key)
        // A hit on a document this review prefetched is as fresh as a load: no re-resolution.
        return (identity, (result.source == .hit && !fetchedDuringReview) || result.isStale)
    }

    private struct Identity {
        let pds: ServiceEndpoint
        let keys: [PublicKey]
        let handle: String?
        let isStale: Bool
        /// The key the DID document lists (nil when the DID is fully pinned and not resolved).
        var documentKey: PublicKey? = nil
    }

    /// Checks 8–22 under each candidate key; the first that verifies wins (returned with it).
    private func verifyProof(
        _ car: [UInt8], signer: SignerTrust, identity: Identity, collection: NSID, recordKey: RecordKey,
        expectation: RecordExpectation
    ) throws(SignatureFailure) -> (RecordProof, PublicKey) {
        var lastFailure: ProofError?
        for key in identity.keys {
            do {
                let proof = try proofs.verify(
                    car: car,
                    request: RecordProofRequest(did: signer.did, key: key, collection: collection, recordKey: recordKey, expectation: expectation))
                return (proof, key)
            } catch {
                lastFailure = error
                // Only a signature that fails under this key is worth trying the next key for.
                guard error.check == .signatureVerify || error.check == .lowS else { break }
            }
        }
        guard let lastFailure else { throw SignatureFailure(.check(.signingKey), "no key to verify with") }
        if lastFailure.check == .signatureVerify, !signer.pinnedKeys.isEmpty {
            throw SignatureFailure(.check(.signatureVerify), Self.pinnedKeyReason(lastFailure.reason, signer: signer, documentKey: identity.documentKey))
        }
        throw SignatureFailure(lastFailure)
    }

    /// A signature failure under keys pinned in the policy names the pin, and the document's
    /// key when it differs: a legitimate rotation needs the pin updated.
    static func pinnedKeyReason(_ reason: String, signer: SignerTrust, documentKey: PublicKey?) -> String {
        let pins = signer.pinnedKeys.map(\.multikey).joined(separator: ", ")
        var text = "\(reason); the commit is not signed by the publicKeys pinned for \(signer.did) in the trust policy (\(pins))"
        if let documentKey, !signer.pinnedKeys.contains(documentKey) {
            text += "; its DID document now lists \(documentKey.multikey): if that rotation is legitimate, update the pin"
        }
        return text
    }
}
