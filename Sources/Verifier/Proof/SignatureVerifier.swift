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

    public init(
        resolver: DIDResolver, pds: PDSClient, identities: EvidenceCache<DID, ResolvedIdentity>,
        revisions: RevisionTracker, proofs: RecordProofVerifier = RecordProofVerifier()
    ) {
        self.resolver = resolver
        self.pds = pds
        self.identities = identities
        self.revisions = revisions
        self.proofs = proofs
    }

    /// Verifies that `signer`'s current commit holds `recordURI` naming `expectation`.
    public func verify(
        signer: SignerTrust, recordURI: String, expectation: RecordExpectation, deadline: ContinuousClock.Instant
    ) async throws(SignatureFailure) -> VerifiedSignature {
        let (collection, recordKey) = try Self.recordPath(recordURI, signer: signer.did)
        var (identity, cached) = try await identity(for: signer, deadline: deadline)
        var car = try await pds.getRecord(
            pds: signer.pinnedPDS ?? identity.pds, did: signer.did, collection: collection, recordKey: recordKey,
            deadline: deadline)
        var proof: RecordProof
        do {
            proof = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
        } catch let failure where failure.kind == .check(.signatureVerify) && cached && signer.pinnedKeys.isEmpty {
            // The key may have rotated since the document was cached: resolve once more.
            await identities.invalidate(signer.did)
            (identity, cached) = try await self.identity(for: signer, deadline: deadline)
            proof = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
        }
        if let rev = proof.rev, case .older(let highest) = await revisions.observe(did: signer.did, rev: rev) {
            // An older commit than one already seen: fetch once more before calling it a replay.
            car = try await pds.getRecord(
                pds: signer.pinnedPDS ?? identity.pds, did: signer.did, collection: collection, recordKey: recordKey,
                deadline: deadline)
            proof = try verifyProof(car, signer: signer, identity: identity, collection: collection, recordKey: recordKey, expectation: expectation)
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
        return VerifiedSignature(
            did: signer.did, handle: identity.handle, keyType: proof.keyType, rev: proof.rev?.string,
            commitCID: proof.commitCID, recordCID: record.cid, staleIdentity: identity.isStale)
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
    private func identity(for signer: SignerTrust, deadline: ContinuousClock.Instant) async throws(SignatureFailure) -> (Identity, Bool) {
        if signer.isFullyPinned, let pds = signer.pinnedPDS {
            return (Identity(pds: pds, keys: signer.pinnedKeys, handle: nil, isStale: false), false)
        }
        let resolver = resolver
        let result: CacheResult<ResolvedIdentity>
        do {
            result = try await identities.value(for: signer.did) { () async throws -> ResolvedIdentity in
                do throws(SignatureFailure) {
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
        let keys = signer.pinnedKeys.isEmpty ? [resolved.key] : signer.pinnedKeys
        let identity = Identity(pds: signer.pinnedPDS ?? resolved.pds, keys: keys, handle: resolved.handle, isStale: result.isStale)
        return (identity, result.source == .hit || result.isStale)
    }

    private struct Identity {
        let pds: ServiceEndpoint
        let keys: [PublicKey]
        let handle: String?
        let isStale: Bool
    }

    /// Checks 8–22 under each candidate key; the first that verifies wins.
    private func verifyProof(
        _ car: [UInt8], signer: SignerTrust, identity: Identity, collection: NSID, recordKey: RecordKey,
        expectation: RecordExpectation
    ) throws(SignatureFailure) -> RecordProof {
        var lastFailure: ProofError?
        for key in identity.keys {
            do {
                return try proofs.verify(
                    car: car,
                    request: RecordProofRequest(did: signer.did, key: key, collection: collection, recordKey: recordKey, expectation: expectation))
            } catch {
                lastFailure = error
                // Only a signature that fails under this key is worth trying the next key for.
                guard error.check == .signatureVerify || error.check == .lowS else { break }
            }
        }
        guard let lastFailure else { throw SignatureFailure(.check(.signingKey), "no key to verify with") }
        throw SignatureFailure(lastFailure)
    }
}
