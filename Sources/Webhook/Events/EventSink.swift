import Admission
import Foundation
import HTTPFetch
import Logging
import TrustPolicyWatcher

/// Where the webhook reaches the Kubernetes API: in-cluster defaults, each overridable.
public struct KubernetesAPI: Sendable {
    public var baseURL: String
    public var tokenFile: String
    public var caFile: String

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public init(baseURL: String, tokenFile: String, caFile: String) {
        self.baseURL = baseURL
        self.tokenFile = tokenFile
        self.caFile = caFile
    }

    /// From `KUBERNETES_SERVICE_HOST`/`_PORT` and the service-account mount.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment) -> KubernetesAPI? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else { return nil }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return KubernetesAPI(
            baseURL: "https://\(bracketed):\(port)", tokenFile: "\(serviceAccountDirectory)/token", caFile: "\(serviceAccountDirectory)/ca.crt")
    }
}

/// Sends `events.k8s.io/v1` Events for denials and audit findings without ever holding up a
/// review: events go into a bounded buffer (the oldest dropped when full) that one worker
/// drains at a limited rate.
public final class EventSink: Sendable {
    public struct Options: Sendable {
        /// Events per second, sustained.
        public var ratePerSecond: Double
        /// Events sent at once before the rate applies.
        public var burst: Int
        /// Events waiting; more drop the oldest.
        public var capacity: Int
        public var requestTimeout: Duration

        public init(ratePerSecond: Double = 5, burst: Int = 20, capacity: Int = 256, requestTimeout: Duration = .seconds(5)) {
            self.ratePerSecond = ratePerSecond
            self.burst = burst
            self.capacity = capacity
            self.requestTimeout = requestTimeout
        }
    }

    private let continuation: AsyncStream<KubernetesEvent>.Continuation
    private let worker: Task<Void, Never>
    private let metrics: WebhookMetrics
    /// Events waiting at most (``Options/capacity``): submitting more drops the oldest.
    public let capacity: Int

    public init(api: KubernetesAPI, fetcher: any HTTPFetching, options: Options = Options(), metrics: WebhookMetrics, logger: Logger) {
        let (stream, continuation) = AsyncStream<KubernetesEvent>.makeStream(bufferingPolicy: .bufferingNewest(options.capacity))
        self.continuation = continuation
        self.metrics = metrics
        capacity = options.capacity
        worker = Task {
            var tokens = Double(options.burst)
            var last = ContinuousClock.now
            for await event in stream {
                let now = ContinuousClock.now
                tokens = min(Double(options.burst), tokens + (now - last).inSeconds * options.ratePerSecond)
                last = now
                if tokens < 1 {
                    let wait = (1 - tokens) / options.ratePerSecond
                    try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                    tokens = 1
                    last = .now
                }
                tokens -= 1
                await Self.send(event, api: api, fetcher: fetcher, timeout: options.requestTimeout, metrics: metrics, logger: logger)
            }
        }
    }

    /// Queues `events` and returns at once.
    public func submit(_ events: [KubernetesEvent]) {
        for event in events {
            if case .dropped = continuation.yield(event) { metrics.increment("atcr_events_total", [("result", "dropped")]) }
        }
    }

    /// Stops taking events and waits for the queued ones to go out (shutdown).
    public func finish() async {
        continuation.finish()
        await worker.value
    }

    static func send(
        _ event: KubernetesEvent, api: KubernetesAPI, fetcher: any HTTPFetching, timeout: Duration, metrics: WebhookMetrics, logger: Logger
    ) async {
        // Projected service-account tokens rotate: read the file for every event.
        guard case .success(let (_, tokenBytes)) = WatchedFile.read(api.tokenFile, maxSize: 64 * 1024) else {
            metrics.increment("atcr_events_total", [("result", "failed")])
            logger.error("cannot read the service-account token", metadata: ["path": "\(api.tokenFile)"])
            return
        }
        let token = String(decoding: tokenBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let url = "\(api.baseURL)/apis/events.k8s.io/v1/namespaces/\(event.namespace)/events"
        do {
            let response = try await fetcher.fetch(FetchRequest(
                url: url, method: .post,
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "Accept": "application/json"],
                maxBodyBytes: 64 * 1024, deadline: .now + timeout, body: Array(event.body.utf8)))
            if (200...299).contains(response.status) {
                metrics.increment("atcr_events_total", [("result", "sent")])
            } else {
                metrics.increment("atcr_events_total", [("result", "rejected")])
                logger.warning("the API server refused an event", metadata: [
                    "status": "\(response.status)", "event": "\(event.name)",
                    "error": "\(String(decoding: response.body.prefix(512), as: UTF8.self))",
                ])
            }
        } catch {
            metrics.increment("atcr_events_total", [("result", "failed")])
            logger.warning("could not send an event", metadata: ["error": "\(error)", "event": "\(event.name)"])
        }
    }
}
