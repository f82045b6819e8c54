import ATProto
import Synchronization

/// A trusted DID whose document now names another signing key or PDS than the one this process
/// last verified with, or than the policy pins.
public struct IdentityChange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case key
        case pds
    }

    public let did: DID
    public let kind: Kind
    /// The key (Multikey) or PDS origin before: last verified with, or pinned.
    public let old: String
    /// What the DID document names now.
    public let new: String
    /// `old` is the policy's pin, not something this process verified with.
    public let againstPin: Bool
    /// Informational, from the document.
    public let handle: String?

    public var description: String {
        let what = kind == .key ? "signing key" : "PDS"
        let before = againstPin ? "the policy pins \(old)" : "was \(old), last verified by this replica"
        return "the DID document of trusted \(did)\(handle.map { " (\($0))" } ?? "") names \(what) \(new) (\(before))"
    }
}

/// Notices key and PDS changes of trusted DIDs: each fresh resolution is compared with the key
/// and PDS of the last verification (and with the policy's pins). Each distinct new value is
/// reported once until a verification moves the baseline; rate limits for alerts are the
/// receiver's. Bounded: at most `capacity` DIDs, the oldest forgotten first.
public final class IdentityChangeMonitor: Sendable {
    private struct Baseline {
        var key: PublicKey?
        var pds: ServiceEndpoint?
        /// `kind:value` pairs already reported against this baseline.
        var reported: Set<String> = []
    }

    private let state: Mutex<LRUStore<DID, Baseline>>
    private let onChange: @Sendable (IdentityChange) -> Void
    public let capacity: Int

    /// A monitor calling `onChange` (synchronously, so keep it quick) for every change.
    public init(capacity: Int = 10_000, onChange: @escaping @Sendable (IdentityChange) -> Void) {
        self.capacity = max(1, capacity)
        self.onChange = onChange
        state = Mutex(LRUStore(capacity: max(1, capacity)))
    }

    /// A document of `signer` was just fetched (not served from the cache).
    public func resolved(_ identity: ResolvedIdentity, signer: SignerTrust) {
        var changes: [IdentityChange] = []
        state.withLock { all in
            var baseline = all.peek(signer.did) ?? Baseline()
            func report(_ kind: IdentityChange.Kind, old: String, new: String, againstPin: Bool) {
                guard baseline.reported.insert("\(kind.rawValue):\(new)").inserted else { return }
                changes.append(IdentityChange(did: signer.did, kind: kind, old: old, new: new, againstPin: againstPin, handle: identity.handle))
            }
            if !signer.pinnedKeys.isEmpty {
                if !signer.pinnedKeys.contains(identity.key) {
                    report(.key, old: signer.pinnedKeys.map(\.multikey).joined(separator: ", "), new: identity.key.multikey, againstPin: true)
                }
            } else if let key = baseline.key, key != identity.key {
                report(.key, old: key.multikey, new: identity.key.multikey, againstPin: false)
            }
            if let pinned = signer.pinnedPDS {
                if pinned != identity.pds { report(.pds, old: pinned.origin, new: identity.pds.origin, againstPin: true) }
            } else if let pds = baseline.pds, pds != identity.pds {
                report(.pds, old: pds.origin, new: identity.pds.origin, againstPin: false)
            }
            _ = all.set(baseline, for: signer.did)
        }
        for change in changes { onChange(change) }
    }

    /// A commit of `did` verified under `key`, fetched from `pds`: the new baseline.
    public func verified(did: DID, key: PublicKey, pds: ServiceEndpoint) {
        state.withLock { all in
            let known = all.peek(did)
            guard known?.key != key || known?.pds != pds else { return }
            _ = all.set(Baseline(key: key, pds: pds), for: did)
        }
    }
}
