import ATProto
import HTTPFetch
import Synchronization
import TrustPolicy

/// The DID documents one review resolves ahead of need: those of the trusted DIDs that may sign
/// the image (the contact plan's, so trust first holds), started with the registry steps so
/// neither waits for the other. The resolutions go through the DID document cache, so they
/// share one request with every concurrent review's (of another image of the same pod, say) and
/// with the signature step, which joins the load or finds the result. This table only records
/// which DIDs this review prefetched: a document it finds there was fetched during the review
/// (fresh, not a candidate for re-resolution), and what nobody used is counted as unused.
public final class IdentityPrefetch: Sendable {
    private let pending = Mutex<Set<DID>>([])
    private let statistics: PrefetchStatistics

    init(statistics: PrefetchStatistics) {
        self.statistics = statistics
    }

    /// True, once, when this review prefetched `did`: its document in the cache was fetched
    /// during this review.
    func take(_ did: DID) -> Bool {
        let taken = pending.withLock { $0.remove(did) != nil }
        if taken { statistics.record(used: 1) }
        return taken
    }

    func put(_ did: DID) {
        pending.withLock { _ = $0.insert(did) }
    }

    /// Counts every prefetched document nobody took as unused and forgets it. Those documents
    /// are in the DID document cache already (a resolution still running lands there when it
    /// finishes): the next review by any of these DIDs needs no resolution.
    func finish() {
        let unused = pending.withLock { table in
            defer { table.removeAll() }
            return table.count
        }
        if unused > 0 { statistics.record(unused: unused) }
    }
}

/// Prefetched DID documents and preconnects, for metrics.
public final class PrefetchStatistics: Sendable {
    private let counts = Mutex<(prefetched: Int, used: Int, unused: Int)>((0, 0, 0))

    public init() {}

    func record(prefetched: Int = 0, used: Int = 0, unused: Int = 0) {
        counts.withLock {
            $0.prefetched += prefetched
            $0.used += used
            $0.unused += unused
        }
    }

    /// DID documents resolved ahead of need; those a signature took; those none did (the rest
    /// are in flight).
    public var snapshot: (prefetched: Int, used: Int, unused: Int) { counts.withLock { $0 } }
}

extension ImageVerifier {
    /// When the plan names at most ``Options/maxPrefetchedIdentities`` trusted DIDs: starts
    /// resolving, into the DID document cache, the documents of those neither cached nor fully
    /// pinned, and opens connections to their PDSes as soon as those are known. Returns at once.
    func startPrefetch(_ plan: ContactPlan, deadline: ContinuousClock.Instant) async -> IdentityPrefetch? {
        // Only when few DIDs may sign: with more, guessing would fetch documents mostly unused.
        let limit = options.maxPrefetchedIdentities
        guard limit > 0, !plan.trustedSigners.isEmpty, plan.trustedSigners.count <= limit else { return nil }
        let prefetch = IdentityPrefetch(statistics: prefetchStatistics)
        let signatures = signatures, fetcher = signatures.pds.fetcher
        var started = 0
        for signer in plan.trustedSigners.map(SignerTrust.init) {
            if signer.isFullyPinned, let pds = signer.pinnedPDS {
                Task { await fetcher.preconnect(pds.origin, deadline: deadline) }
                continue
            }
            if let cached = await caches.identities.freshValue(for: signer.did) {
                let pds = signer.pinnedPDS ?? cached.pds
                Task { await fetcher.preconnect(pds.origin, deadline: deadline) }
                continue
            }
            started += 1
            prefetch.put(signer.did)
            Task {
                // A failure is the signature step's to report: a transient one is not cached,
                // so that step tries again; a definite one is cached briefly and read from there.
                guard let pds = await signatures.warmIdentity(signer, deadline: deadline) else { return }
                await fetcher.preconnect(pds.origin, deadline: deadline)
            }
        }
        prefetchStatistics.record(prefetched: started)
        return prefetch
    }
}
