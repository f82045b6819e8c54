import ATProto
import Foundation

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
    /// Per DID: the highest rev, and when the DID was last observed (wall clock: a process
    /// hands it to the next one, see ``remembered()``).
    private var highest: LRUStore<DID, Seen>

    private struct Seen: Sendable {
        var rev: TID
        var at: Date
    }

    /// An empty tracker remembering at most `capacity` DIDs (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.highest = LRUStore(capacity: capacity)
    }

    /// Compares `rev` with the highest rev seen for `did`, and records it when it is higher.
    /// `at` is when it was seen: now, or for a rev a previous process handed over, when that
    /// process saw it.
    public func observe(did: DID, rev: TID, at: Date = Date()) -> RevisionCheck {
        guard let seen = highest.peek(did) else {
            highest.set(Seen(rev: rev, at: at), for: did)
            return .newer
        }
        let latest = max(seen.at, at)
        if rev > seen.rev {
            highest.set(Seen(rev: rev, at: latest), for: did)
            return .newer
        }
        highest.set(Seen(rev: seen.rev, at: latest), for: did)
        return rev == seen.rev ? .equal : .older(highestSeen: seen.rev)
    }

    /// The highest rev seen for `did`, if it is remembered.
    public func highestSeen(for did: DID) -> TID? {
        highest.peek(did)?.rev
    }

    /// Every remembered DID with its highest rev and when it was last observed, least recently
    /// observed first: what a process about to exit hands to the next one, which replays them
    /// with ``observe(did:rev:at:)``.
    public func remembered() -> [(did: DID, rev: TID, seenAt: Date)] {
        highest.keysByRecency.reversed().compactMap { did in highest.peek(did).map { (did, $0.rev, $0.at) } }
    }

    /// The number of DIDs remembered.
    public var count: Int { highest.count }
}
