import Foundation
import Logging
import Verifier

/// The verifier caches of one pull, carried to the next pull through ``CacheDirectory``: each
/// pull is a new process, and without this every pull would resolve every DID and fetch every
/// record proof again, and a PDS replaying an older commit would go unnoticed (the highest rev
/// seen per DID is what catches it). What is loaded goes through the caches' own TTLs and
/// stale-if-error windows, so a disk entry is used exactly as long as it would have been in a
/// webhook that stayed up.
public struct DiskCache: Sendable {
    public let directory: CacheDirectory
    let logger: Logger

    /// The cache in `path`, or nil when `path` is nil (turned off) or cannot be used (logged:
    /// the pull is then verified over the network, as without a cache).
    public static func open(_ path: String?, logger: Logger) -> DiskCache? {
        guard let path else { return nil }
        do {
            return DiskCache(directory: try CacheDirectory.prepare(path), logger: logger)
        } catch {
            logger.warning("disk cache not used: \(error)")
            return nil
        }
    }

    /// Puts the cached entries into `caches`; an unreadable file is ignored (and replaced on save).
    @discardableResult
    public func load(into caches: VerifierCaches, now: Date = Date(), allowInsecureLocal: Bool) async -> CacheSnapshot.Restored {
        do {
            let restored = try await directory.read().restore(into: caches, now: now, allowInsecureLocal: allowInsecureLocal)
            if restored.rejected > 0 { logger.warning("disk cache: \(restored.rejected) entries did not parse and were dropped") }
            return restored
        } catch {
            logger.warning("disk cache not read: \(error)")
            return CacheSnapshot.Restored()
        }
    }

    /// Adds what this pull learned to the file, when it learned anything (a DID document or a
    /// proof was fetched), dropping entries past their use under `configuration`. Gives up at
    /// `deadline` rather than delay the answer.
    public func save(
        from caches: VerifierCaches, configuration: VerifierCaches.Configuration, now: Date = Date(), until deadline: ContinuousClock.Instant
    ) async {
        let counters = await caches.counters()
        let fetched = (counters["did_documents"]?.loads ?? 0) + (counters["signatures"]?.loads ?? 0)
        guard fetched > 0 else { return }
        let snapshot = await CacheSnapshot.capture(caches, now: now)
        let identityLife = configuration.identities.ttl + (configuration.identities.staleIfError ?? .zero)
        let maxAge = (identities: identityLife.inSeconds, proofs: configuration.evidence.ttl.inSeconds)
        let wallNow = now.timeIntervalSince1970
        do {
            try directory.update(with: snapshot, until: deadline) { $0.dropping(olderThan: maxAge, now: wallNow) }
        } catch {
            logger.warning("disk cache not saved: \(error)")
        }
    }
}
