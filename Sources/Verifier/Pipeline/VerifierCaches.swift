import ATProto
import OCI

/// The verifier's caches: evidence only, bounded, with TTLs (docs/architecture.md, "Caches").
public struct VerifierCaches: Sendable {
    public struct Configuration: Sendable {
        /// DID documents: 5 minutes, served stale for up to an hour while the directory is down
        /// (``didStaleIfError``).
        public var identities = CacheConfiguration(
            capacity: 10_000, ttl: .seconds(300), negativeTTL: .seconds(30), staleIfError: Self.defaultDIDStaleIfError)
        /// Verified signatures per (registry, repository, digest, DID).
        public var evidence = CacheConfiguration(capacity: 50_000, ttl: .seconds(300), negativeTTL: .seconds(30))
        /// Tag → digest: short, the tag may move.
        public var tags = CacheConfiguration(capacity: 10_000, ttl: .seconds(30), negativeTTL: .seconds(30))
        /// Signature artifacts of a digest; "no signature" is a definite negative.
        public var discoveries = CacheConfiguration(capacity: 20_000, ttl: .seconds(300), negativeTTL: .seconds(30))
        /// DIDs whose highest commit rev is remembered (replay detection).
        public var revisionCapacity = 100_000

        /// The default of ``didStaleIfError``: an hour.
        public static let defaultDIDStaleIfError = Duration.seconds(3_600)
        /// The default of ``limitBytes(to:)``: 64 MiB of estimated entries over the four caches.
        public static let defaultTotalBytes = 64 << 20

        public init() {
            limitBytes(to: Self.defaultTotalBytes)
        }

        /// How long an expired DID document may stand in while its directory cannot be reached
        /// (a key rotated out in that window keeps verifying); nil or zero: never.
        public var didStaleIfError: Duration? {
            get { identities.staleIfError }
            set { identities.staleIfError = newValue.flatMap { $0 > .zero ? $0 : nil } }
        }

        /// Bounds the four caches' estimated bytes to `total` together: half for signature
        /// artifacts (manifests of up to 4 MiB each), a quarter for verified signatures, an
        /// eighth each for DID documents and tags.
        public mutating func limitBytes(to total: Int) {
            let total = max(0, total)
            discoveries.maxBytes = total / 2
            evidence.maxBytes = total / 4
            identities.maxBytes = total / 8
            tags.maxBytes = total - total / 2 - total / 4 - total / 8
        }

        /// The four caches' byte bounds together.
        public var totalMaxBytes: Int {
            [identities, evidence, tags, discoveries].reduce(0) { $0 + ($1.maxBytes ?? 0) }
        }
    }

    public let identities: EvidenceCache<DID, ResolvedIdentity>
    public let evidence: EvidenceCache<EvidenceKey, VerifiedSignature>
    public let tags: EvidenceCache<TagKey, Digest>
    public let discoveries: EvidenceCache<DigestKey, SignatureDiscovery>
    public let revisions: RevisionTracker

    /// The caches; a load every caller gave up on goes on only with a background slot of
    /// `slots` (nil: always).
    public init(configuration: Configuration = Configuration(), slots: VerificationSlots? = nil) {
        identities = EvidenceCache(
            configuration: configuration.identities, cost: { CacheSizes.of($0.string) + ($1.map(CacheSizes.of) ?? 0) }, slots: slots)
        evidence = EvidenceCache(
            configuration: configuration.evidence, cost: { CacheSizes.of($0) + ($1.map(CacheSizes.of) ?? 0) }, slots: slots)
        tags = EvidenceCache(
            configuration: configuration.tags, cost: { CacheSizes.of($0) + ($1.map(CacheSizes.of) ?? 0) }, slots: slots)
        discoveries = EvidenceCache(
            configuration: configuration.discoveries, cost: { CacheSizes.of($0) + ($1.map(CacheSizes.of) ?? 0) }, slots: slots)
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

    public init(registry: String, repository: String, digest: Digest, did: String) {
        self.registry = registry
        self.repository = repository
        self.digest = digest
        self.did = did
    }
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
