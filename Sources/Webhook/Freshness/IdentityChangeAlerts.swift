import Admission
import Foundation
import Logging
import Synchronization
import Verifier

/// The webhook's own Pod, from the downward API (`POD_NAME`, `POD_NAMESPACE`, `POD_UID`):
/// what Events about the webhook itself are about.
public struct PodIdentity: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var uid: String?

    public init(name: String, namespace: String, uid: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}

/// What the webhook does when a trusted DID's document names another signing key or PDS: a
/// warning naming the DID and the old and new key (Multikey) or endpoint,
/// `atcr_did_changes_total{kind}`, and a Kubernetes Event (`Warning`, `TrustedDIDKeyChanged` or
/// `TrustedDIDPDSChanged`) about the webhook's own Pod, at most one per DID and kind per
/// `eventInterval`. docs/operations.md says what an operator does about it.
final class IdentityChangeAlerts: Sendable {
    let metrics: WebhookMetrics
    let logger: Logger
    let events: EventSink?
    let pod: PodIdentity?
    let eventInterval: Duration
    private let lastEvent = Mutex<[String: ContinuousClock.Instant]>([:])

    init(metrics: WebhookMetrics, logger: Logger, events: EventSink?, pod: PodIdentity?, eventInterval: Duration = .seconds(600)) {
        self.metrics = metrics
        self.logger = logger
        self.events = events
        self.pod = pod
        self.eventInterval = eventInterval
    }

    func report(_ change: IdentityChange) {
        metrics.increment("atcr_did_changes_total", [("kind", change.kind.rawValue)])
        logger.warning("trusted DID changed its \(change.kind == .key ? "signing key" : "PDS")", metadata: [
            "did": "\(change.did)", "kind": "\(change.kind.rawValue)", "old": "\(change.old)", "new": "\(change.new)",
            "against": "\(change.againstPin ? "policy pin" : "last verified")", "error": "\(change)",
        ])
        guard let events, let pod, takeEventSlot(for: change) else { return }
        events.submit([Self.event(for: change, pod: pod, at: Date())])
    }

    /// True when no Event for this DID and kind went out within `eventInterval`.
    private func takeEventSlot(for change: IdentityChange) -> Bool {
        let key = "\(change.did.string) \(change.kind.rawValue)"
        let now = ContinuousClock.now
        return lastEvent.withLock { sent in
            if let last = sent[key], now - last < eventInterval { return false }
            if sent.count >= 10_000 { sent = sent.filter { now - $0.value < eventInterval } }
            sent[key] = now
            return true
        }
    }

    static func event(for change: IdentityChange, pod: PodIdentity, at time: Date) -> KubernetesEvent {
        let reason = change.kind == .key ? "TrustedDIDKeyChanged" : "TrustedDIDPDSChanged"
        let advice: String
        switch (change.kind, change.againstPin) {
        case (.key, true):
            advice = "signatures by it fail until the pinned publicKeys are updated: confirm the rotation with the DID's owner first"
        case (.pds, true):
            advice = "proofs are still fetched from the pinned PDS: update the pin once the DID's owner confirms the move"
        case (_, false):
            advice = "signatures are now verified with it: confirm the change with the DID's owner, and remove the DID from the trust policy if it was not theirs"
        }
        return KubernetesEvent.aboutPod(
            name: pod.name, namespace: pod.namespace, uid: pod.uid, at: time, reason: reason, action: "ResolveDID",
            note: "\(change); \(advice)", discriminator: "\(change.did) \(change.kind.rawValue) \(change.new) \(time.timeIntervalSince1970)")
    }
}
