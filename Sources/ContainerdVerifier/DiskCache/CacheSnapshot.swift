import Foundation

/// What one verifier process hands to the next through the disk cache (docs/containerd.md,
/// "The disk cache"): DID documents and verified record proofs with the wall-clock time they
/// were fetched, and the highest commit rev seen per DID. Plain strings, re-parsed and re-checked
/// on load (``CacheSnapshot/restore(into:now:allowInsecureLocal:)``); anything that does not
/// parse is dropped, never trusted.
///
/// Pure: merging and bounding do no I/O (``CacheDirectory`` reads and writes the file).
public struct CacheSnapshot: Codable, Sendable, Equatable {
    /// The format; a file of another version is ignored (and replaced on the next save).
    public static let formatVersion = 1

    /// The most entries kept of each kind, newest first (about 4 MiB of JSON at most).
    public struct Bounds: Sendable, Equatable {
        public var identities = 1_024
        public var proofs = 4_096
        public var revisions = 8_192

        public init() {}
    }

    /// A resolved DID document: what the verifier keeps of it.
    public struct Identity: Codable, Sendable, Equatable {
        public var did: String
        /// Multikey of the signing key.
        public var key: String
        public var pds: String
        public var handle: String?
        /// Seconds since 1970 when it was resolved.
        public var fetchedAt: Double

        public init(did: String, key: String, pds: String, handle: String?, fetchedAt: Double) {
            self.did = did
            self.key = key
            self.pds = pds
            self.handle = handle
            self.fetchedAt = fetchedAt
        }
    }

    /// A verified record proof for one image digest and signer.
    public struct Proof: Codable, Sendable, Equatable {
        public var registry: String
        public var repository: String
        public var digest: String
        public var did: String
        public var handle: String?
        /// Multikey of the key the commit verified under.
        public var key: String
        public var rev: String?
        public var commit: String
        public var record: String
        public var pds: String
        /// Seconds since 1970 when the proof was requested.
        public var fetchedAt: Double

        public init(
            registry: String, repository: String, digest: String, did: String, handle: String?, key: String, rev: String?, commit: String,
            record: String, pds: String, fetchedAt: Double
        ) {
            self.registry = registry
            self.repository = repository
            self.digest = digest
            self.did = did
            self.handle = handle
            self.key = key
            self.rev = rev
            self.commit = commit
            self.record = record
            self.pds = pds
            self.fetchedAt = fetchedAt
        }
    }

    /// The highest commit rev seen for a DID (replay detection across pulls).
    public struct Revision: Codable, Sendable, Equatable {
        public var did: String
        public var rev: String
        /// Seconds since 1970 when it was last seen: the least recent are dropped first.
        public var seenAt: Double

        public init(did: String, rev: String, seenAt: Double) {
            self.did = did
            self.rev = rev
            self.seenAt = seenAt
        }
    }

    public var version = Self.formatVersion
    public var identities: [Identity] = []
    public var proofs: [Proof] = []
    public var revisions: [Revision] = []

    public init(identities: [Identity] = [], proofs: [Proof] = [], revisions: [Revision] = []) {
        self.identities = identities
        self.proofs = proofs
        self.revisions = revisions
    }

    /// True when there is nothing to keep.
    public var isEmpty: Bool { identities.isEmpty && proofs.isEmpty && revisions.isEmpty }

    /// This snapshot with `newer` folded in: per DID document and per proof the more recently
    /// fetched one, per DID the highest rev (revs are TIDs, which sort as strings); then each
    /// kind cut to its bound, the most recent kept. A rev's `seenAt` is capped at `now`: revs are
    /// never dropped by age (they are the rollback floor), so one dated in the future (written
    /// before the clock stepped back) would otherwise outrank every fresh rev for the bound.
    public func merged(with newer: CacheSnapshot, bounds: Bounds = Bounds(), now: Double) -> CacheSnapshot {
        var merged = CacheSnapshot()
        merged.identities = Self.newest(identities + newer.identities, by: \.did, time: \.fetchedAt, limit: bounds.identities)
        merged.proofs = Self.newest(
            proofs + newer.proofs, by: { "\($0.registry)\u{0}\($0.repository)\u{0}\($0.digest)\u{0}\($0.did)" }, time: \.fetchedAt,
            limit: bounds.proofs)
        var highest: [String: Revision] = [:]
        for var revision in revisions + newer.revisions {
            revision.seenAt = min(revision.seenAt, now)
            guard let seen = highest[revision.did] else {
                highest[revision.did] = revision
                continue
            }
            highest[revision.did] = Revision(
                did: revision.did, rev: max(seen.rev, revision.rev), seenAt: max(seen.seenAt, revision.seenAt))
        }
        merged.revisions = Array(highest.values.sorted { ($0.seenAt, $0.did) > ($1.seenAt, $1.did) }.prefix(bounds.revisions))
        return merged
    }

    /// This snapshot without the DID documents and proofs fetched more than `maxAge` seconds
    /// before `now` (or after it: a clock that went back makes an entry's age unknown).
    public func dropping(olderThan maxAge: (identities: Double, proofs: Double), now: Double) -> CacheSnapshot {
        var kept = self
        kept.identities.removeAll { !(0...maxAge.identities).contains(now - $0.fetchedAt) }
        kept.proofs.removeAll { !(0...maxAge.proofs).contains(now - $0.fetchedAt) }
        return kept
    }

    /// One entry per key, the most recent; at most `limit`, most recent first.
    private static func newest<Entry, Key: Hashable & Comparable>(
        _ entries: [Entry], by key: (Entry) -> Key, time: KeyPath<Entry, Double>, limit: Int
    ) -> [Entry] {
        var latest: [Key: Entry] = [:]
        for entry in entries {
            let id = key(entry)
            if let held = latest[id], held[keyPath: time] >= entry[keyPath: time] { continue }
            latest[id] = entry
        }
        let ordered = latest.sorted { ($0.value[keyPath: time], $0.key) > ($1.value[keyPath: time], $1.key) }
        return ordered.prefix(max(0, limit)).map(\.value)
    }
}
