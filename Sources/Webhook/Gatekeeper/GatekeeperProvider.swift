import Admission
import Foundation
import Logging
import TrustPolicy

/// `POST /gatekeeper/verify`: OPA Gatekeeper's external-data provider (docs/gatekeeper.md).
/// Each key (an image reference) is decided by the webhook's own per-image path
/// (``ReviewService/decide(image:namespace:policy:now:deadline:)``: the same policy, verifier,
/// slots and caches as `/validate`), all keys at once, within ``timeout`` so the answer reaches
/// Gatekeeper inside its Provider timeout.
///
/// Keys name the namespace with the image (``ProviderKey``: `NAMESPACE|IMAGE`), so namespace
/// filters apply as in the webhook; an empty namespace (`|IMAGE`) or a bare image gets the strictest decision any namespace could
/// give it (``TrustPolicy/evaluate(_:)``).
public struct GatekeeperProvider: Sendable {
    let service: ReviewService
    let policy: @Sendable () async -> TrustPolicy?
    let metrics: WebhookMetrics
    let logger: Logger
    /// The deadline for a whole request (`--provider-timeout`).
    let timeout: Duration
    /// The most distinct keys one request may name (`--max-images-per-review`).
    let maxKeys: Int

    /// The HTTP answer: always JSON, which Gatekeeper reads whatever the status.
    public struct Answer: Sendable {
        public let status: Int
        public let body: String
    }

    /// Answers the ProviderRequest in `body`.
    public func answer(body: [UInt8]) async -> Answer {
        let deadline = ContinuousClock.now + timeout
        let request: ProviderRequest
        do {
            request = try ProviderRequest.parse(body, maxKeys: maxKeys)
        } catch {
            metrics.increment("atcr_provider_requests_total", [("result", "bad_request")])
            logger.warning("bad ProviderRequest", metadata: ["error": "\(error)"])
            return Answer(status: 400, body: ProviderResponse.systemError(error.description))
        }
        guard let policy = await policy() else {
            metrics.increment("atcr_provider_requests_total", [("result", "not_ready")])
            return Answer(status: 503, body: ProviderResponse.systemError("no valid trust policy is loaded"))
        }
        let now = Date()
        let service = service
        let decisions = await withTaskGroup(of: (Int, ImageDecision).self) { group in
            for (index, key) in request.keys.enumerated() {
                let parts = ProviderKey(key)
                group.addTask { (index, await service.decide(image: parts.image, namespace: parts.namespace, policy: policy, now: now, deadline: deadline)) }
            }
            var collected: [(Int, ImageDecision)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        for decision in decisions {
            metrics.increment("atcr_provider_keys_total", [("decision", decision.verdict.rawValue)])
        }
        metrics.increment("atcr_provider_requests_total", [("result", "answered")])
        return Answer(status: 200, body: ProviderResponse.items(zip(request.keys, decisions).map { (key: $0, decision: $1) }))
    }

    /// A request refused before it was read: a client without the certificate
    /// `--provider-client-ca` requires.
    func refused(_ reason: String) -> Answer {
        metrics.increment("atcr_provider_requests_total", [("result", "forbidden")])
        logger.warning("ProviderRequest refused", metadata: ["reason": "\(reason)"])
        return Answer(status: 403, body: ProviderResponse.systemError(reason))
    }
}
