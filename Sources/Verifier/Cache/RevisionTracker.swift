import ATProto

/// The freshness rule (docs/architecture.md, pipeline step 8): per DID, the highest commit `rev` seen, so a PDS
/// serving an older commit (to resurrect a deleted record) is noticed.
///
/// Revs are TIDs, which sort as strings. The verifier calls ``observe(did:rev:)`` for every
/// verified commit; on ``RevisionCheck/older(highestSeen:)`` it fetches the proof once more and
/// observes the new rev; only a rev that is still older fails, as `replayed-commit`.
///
/// Bounded: at most `capacity` DIDs, the least recently observed forgotten first (a forgotten
/// DID's next rev counts as newer).
public actor RevisionTracker {
    /// The most DIDs remembered.
    public nonisolated let capacity: Int
    private var highest: LRUStore<DID, TID>

    /// An empty tracker remembering at most `capacity` DIDs (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.highest = LRUStore(capacity: capacity)
    }

    /// Compares `rev` with the highest rev seen for `did`, and records it when it is higher.
    public func observe(did: DID, rev: TID) -> RevisionCheck {
        guard let seen = highest.peek(did) else {
            highest.set(rev, for: did)
            return .newer
        }
        if rev > seen {
            highest.set(rev, for: did)
            return .newer
        }
        highest.touch(did)
        return rev == seen ? .equal : .older(highestSeen: seen)
    }

    /// The highest rev seen for `did`, if it is remembered.
    public func highestSeen(for did: DID) -> TID? {
        highest.peek(did)
    }

    /// Every remembered DID with its highest rev, least recently observed first: what a
    /// process about to exit hands to the next one, which replays them with ``observe(did:rev:)``.
    public func remembered() -> [(did: DID, rev: TID)] {
        highest.keysByRecency.reversed().compactMap { did in highest.peek(did).map { (did, $0) } }
    }

    /// The number of DIDs remembered.
    public var count: Int { highest.count }
}
