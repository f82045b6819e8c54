import ATProto
import Synchronization

/// What the freshness watch knows per trusted DID: where its proofs came from, when one was last
/// used, and the latest commit its PDS reported (a hint).
///
/// A cached proof is *superseded* when a hint that arrived after the proof was requested names
/// a newer rev than the proof's (or the PDS said the repository is unavailable): the pipeline
/// then fetches a fresh proof before deciding and never decides on the superseded one. The
/// hint only ever causes a fetch; decisions rest on verified signed commits, and the
/// `RevisionTracker` still guards against replays. A proof requested after the hint arrived
/// is never superseded by it, so a PDS that reports a rev it does not serve costs one fetch per
/// image, not a loop.
///
/// The pipeline calls ``noteUse(_:)`` for every verified signature it decides on (cheap: one
/// lock), and ``isCurrent(_:)`` for every cached one. Bounded: at most `capacity` DIDs.
public final class FreshnessLedger: Sendable {
    /// The latest commit a PDS reported for a DID.
    public struct Hint: Sendable, Equatable {
        /// nil: the repository is unavailable (`RepoDeactivated`, `RepoTakendown`, …): every
        /// proof requested before `observedAt` is superseded.
        public let rev: TID?
        public let observedAt: ContinuousClock.Instant

        public init(rev: TID?, observedAt: ContinuousClock.Instant) {
            self.rev = rev
            self.observedAt = observedAt
        }
    }

    /// A DID the watch should ask about.
    public struct Active: Sendable, Equatable {
        public let did: DID
        public let pds: ServiceEndpoint
    }

    fileprivate struct Entry {
        var pds: ServiceEndpoint
        var lastUsed: ContinuousClock.Instant
        var hint: Hint?
        /// The highest rev among the proofs used.
        var provenRev: TID?

        init(pds: ServiceEndpoint, lastUsed: ContinuousClock.Instant) {
            self.pds = pds
            self.lastUsed = lastUsed
        }
    }

    private let entries = Mutex<[DID: Entry]>([:])
    private let superseded = Atomic<Int>(0)
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// `signature` was just decided on: its DID is active, and its proofs come from its PDS.
    public func noteUse(_ signature: VerifiedSignature, now: ContinuousClock.Instant = .now) {
        let rev = signature.rev.flatMap(TID.init)
        entries.withLock { entries in
            if entries[signature.did] == nil, entries.count >= capacity,
                let idlest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
            {
                entries[idlest] = nil  // rare: more DIDs in use than the bound
            }
            entries[signature.did, default: Entry(pds: signature.pds, lastUsed: now)].use(pds: signature.pds, rev: rev, at: now)
        }
    }

    /// False when a hint newer than `signature` arrived after it was requested.
    public func isCurrent(_ signature: VerifiedSignature) -> Bool {
        guard let hint = entries.withLock({ $0[signature.did]?.hint }) else { return true }
        return Self.isCurrent(rev: signature.rev.flatMap(TID.init), requestedAt: signature.requestedAt, hint: hint)
    }

    /// ``isCurrent(_:)`` for a cached proof about to be served; counts the superseded ones.
    public func acceptsCached(_ signature: VerifiedSignature) -> Bool {
        let current = isCurrent(signature)
        if !current { _ = superseded.add(1, ordering: .relaxed) }
        return current
    }

    static func isCurrent(rev: TID?, requestedAt: ContinuousClock.Instant, hint: Hint) -> Bool {
        guard requestedAt < hint.observedAt else { return true }
        guard let hinted = hint.rev, let rev else { return false }
        return hinted <= rev
    }

    /// Records what the PDS reported for `did` (a rev, or nil: the repository is unavailable).
    /// A hint equal to the one held keeps its original time, so proofs fetched since stay
    /// current. Returns true when the hint supersedes proofs in use: a rev newer than every
    /// proof used (or an unavailable repository), not reported before.
    @discardableResult
    public func record(_ rev: TID?, for did: DID, at now: ContinuousClock.Instant = .now) -> Bool {
        entries.withLock { entries in
            guard var entry = entries[did] else { return false }
            if let hint = entry.hint, hint.rev == rev { return false }
            entry.hint = Hint(rev: rev, observedAt: now)
            entries[did] = entry
            guard let rev, let proven = entry.provenRev else { return true }
            return rev > proven
        }
    }

    /// The hint held for `did`.
    public func hint(for did: DID) -> Hint? {
        entries.withLock { $0[did]?.hint }
    }

    /// DIDs used since `since`, with the PDS to ask; DIDs idle longer are forgotten.
    public func active(usedSince since: ContinuousClock.Instant) -> [Active] {
        entries.withLock { entries in
            entries = entries.filter { $0.value.lastUsed >= since }
            return entries.map { Active(did: $0.key, pds: $0.value.pds) }
        }
    }

    /// The number of DIDs held.
    public var count: Int { entries.withLock { $0.count } }

    /// Cached proofs found superseded and fetched afresh, so far.
    public var supersededCount: Int { superseded.load(ordering: .relaxed) }
}

extension FreshnessLedger.Entry {
    fileprivate mutating func use(pds: ServiceEndpoint, rev: TID?, at now: ContinuousClock.Instant) {
        lastUsed = now
        if self.pds != pds { self.pds = pds }
        if let rev, provenRev.map({ rev > $0 }) ?? true { provenRev = rev }
    }
}
