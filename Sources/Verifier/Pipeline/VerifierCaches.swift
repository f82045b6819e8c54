import ATProto
import OCI

/// The verifier's caches: evidence only, bounded, with TTLs (docs/architecture.md, "Caches").
public struct VerifierCaches: Sendable {
    public struct Configuration: Sendable {
        /// DID documents: 5 minutes, served stale for up to an hour while the directory is down.
        public var identities = CacheConfiguration(capacity: 10_000, ttl: .seconds(300), negativeTTL: .seconds(30), staleIfError: .seconds(3_600))
        /// Verified signatures per (registry, repository, digest, DID).
        public var evidence = CacheConfiguration(capacity: 50_000, ttl: .seconds(300), negativeTTL: .seconds(30))
        /// Tag → digest: short, the tag may move.
        public var tags = CacheConfiguration(capacity: 10_000, ttl: .seconds(30), negativeTTL: .seconds(30))
        /// Signature artifacts of a digest; "no signature" is a definite negative.
        public var discoveries = CacheConfiguration(capacity: 20_000, ttl: .seconds(300), negativeTTL: .seconds(30))
        /// DIDs whose highest commit rev is remembered (replay detection).
        public var revisionCapacity = 100_000

        public init() {}
    }

    public let identities: EvidenceCache<DID, ResolvedIdentity>
    public let evidence: EvidenceCache<EvidenceKey, VerifiedSignature>
    public let tags: EvidenceCache<TagKey, Digest>
    public let discoveries: EvidenceCache<DigestKey, SignatureDiscovery>
    public let revisions: RevisionTracker

    public init(configuration: Configuration = Configuration()) {
        identities = EvidenceCache(configuration: configuration.identities)
        evidence = EvidenceCache(configuration: configuration.evidence)
        tags = EvidenceCache(configuration: configuration.tags)
        discoveries = EvidenceCache(configuration: configuration.discoveries)
        revisions = RevisionTracker(capacity: configuration.revisionCapacity)
    }

    /// Counters of every cache, by name, for metrics.
    public func counters() async -> [String: CacheCounters] {
        [
            "did_documents": await identities.counters,
            "signatures": await evidence.counters,
            "tags": await tags.counters,
            "artifacts": await discoveries.counters,
        ]
    }
}

public struct TagKey: Hashable, Sendable {
    public let registry: String
    public let repository: String
    public let tag: String
}

public struct DigestKey: Hashable, Sendable {
    public let registry: String
    public let repository: String
    public let digest: Digest
}

public struct EvidenceKey: Hashable, Sendable {
    public let registry: String
    public let repository: String
    public let digest: Digest
    public let did: String
}

extension SignatureFailure {
    /// This failure as a cacheable definite negative (reason: the check's stable name).
    var definiteNegative: DefiniteNegative {
        let reason: String
        switch kind {
        case .check(let check): reason = "check-\(check.rawValue)"
        case .recordAbsent: reason = "record-absent"
        case .replayedCommit: reason = "replayed-commit"
        case .artifact: reason = "artifact-invalid"
        }
        return DefiniteNegative(DefiniteNegative.Reason(rawValue: reason), detail: self.reason)
    }

    /// The failure a cached definite negative stands for.
    init(negative: DefiniteNegative) {
        let raw = negative.reason.rawValue
        let kind: Kind
        if raw.hasPrefix("check-"), let number = Int(raw.dropFirst(6)), let check = ProofCheck(rawValue: number) {
            kind = .check(check)
        } else if raw == "record-absent" {
            kind = .recordAbsent
        } else if raw == "replayed-commit" {
            kind = .replayedCommit
        } else {
            kind = .artifact
        }
        self.init(kind, negative.detail)
    }
}
