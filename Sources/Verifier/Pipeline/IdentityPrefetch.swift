import ATProto
import HTTPFetch
import Synchronization
import TrustPolicy

/// The DID documents one review resolves ahead of need: those of the trusted DIDs that may sign
/// the image (the contact plan's, so trust first holds), started with the registry steps so
/// neither waits for the other. The signature step takes a document from here instead of
/// fetching it again; what nobody took is counted as unused.
public final class IdentityPrefetch: Sendable {
    typealias Resolution = Task<Result<ResolvedIdentity, SignatureFailure>, Never>
    private let tasks = Mutex<[DID: Resolution]>([:])
    private let statistics: PrefetchStatistics

    init(statistics: PrefetchStatistics) {
        self.statistics = statistics
    }

    /// The prefetched resolution of `did`, once: a second call (a re-resolution after a failed
    /// check) fetches afresh.
    func take(_ did: DID) -> Resolution? {
        let taken = tasks.withLock { $0.removeValue(forKey: did) }
        if taken != nil { statistics.record(used: 1) }
        return taken
    }

    func put(_ did: DID, _ resolution: Resolution) {
        tasks.withLock { $0[did] = resolution }
    }

    /// Counts every resolution nobody took as unused, forgets it, and returns it.
    func finish() -> [(DID, Resolution)] {
        let unused = tasks.withLock { table in
            defer { table.removeAll() }
            return Array(table)
        }
        if !unused.isEmpty { statistics.record(unused: unused.count) }
        return unused.map { ($0.key, $0.value) }
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
    /// resolving the documents of those neither cached nor fully pinned, and opens connections
    /// to their PDSes as soon as those are known. Returns at once.
    func startPrefetch(_ plan: ContactPlan, deadline: ContinuousClock.Instant) async -> IdentityPrefetch? {
        // Only when few DIDs may sign: with more, guessing would fetch documents mostly unused.
        let limit = options.maxPrefetchedIdentities
        guard limit > 0, !plan.trustedSigners.isEmpty, plan.trustedSigners.count <= limit else { return nil }
        let prefetch = IdentityPrefetch(statistics: prefetchStatistics)
        let resolver = signatures.resolver, fetcher = signatures.pds.fetcher, stageTimer = options.stageTimer
        var started = 0
        for trusted in plan.trustedSigners {
            let pinnedPDS = trusted.pds
            if !trusted.publicKeys.isEmpty, let pinnedPDS {
                Task { await fetcher.preconnect(pinnedPDS.origin, deadline: deadline) }
                continue
            }
            if let cached = await caches.identities.freshValue(for: trusted.did) {
                let pds = pinnedPDS ?? cached.pds
                Task { await fetcher.preconnect(pds.origin, deadline: deadline) }
                continue
            }
            let did = trusted.did
            started += 1
            prefetch.put(did, Task {
                do throws(SignatureFailure) {
                    let started = ContinuousClock.now
                    defer { stageTimer.record(.didResolution, since: started) }
                    let identity = try await resolver.resolve(did, deadline: deadline)
                    let pds = pinnedPDS ?? identity.pds
                    Task { await fetcher.preconnect(pds.origin, deadline: deadline) }
                    return .success(identity)
                } catch {
                    return .failure(error)
                }
            })
        }
        prefetchStatistics.record(prefetched: started)
        return prefetch
    }

    /// Counts the prefetched documents no signature took, and keeps those that resolved in the
    /// DID document cache (unless it holds one already): the next review by any of these DIDs
    /// needs no resolution, and the next review of an image of the same policies prefetches
    /// nothing. Not awaited: a resolution still running is not waited for.
    func finishPrefetch(_ prefetch: IdentityPrefetch?) {
        guard let unused = prefetch?.finish(), !unused.isEmpty else { return }
        let identities = caches.identities
        Task {
            for (did, resolution) in unused {
                // Resolved during this review: its age is at most the review's, well inside the TTL.
                if case .success(let identity) = await resolution.value { await identities.restore(identity, for: did, age: .zero) }
            }
        }
    }
}
