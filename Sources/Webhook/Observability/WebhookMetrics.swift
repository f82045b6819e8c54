import CoreMetrics
import BuildInfo
import Foundation
import Prometheus
import Synchronization

/// The webhook's Prometheus metrics, kept in a swift-prometheus registry of this server's own
/// (tests run several servers in one process) and rendered in the Prometheus text format.
///
/// Every metric name the webhook writes is declared once in ``catalog`` with its help text, so
/// `/metrics` carries a `# HELP` line for each and a name can never be registered with two
/// different help texts (swift-prometheus traps on that). Libraries below the webhook (the
/// verifier's per-stage timings) record through swift-metrics with ``factory``, which registers
/// their names with the catalog's help texts too.
public final class WebhookMetrics: Sendable {
    /// Verification and review latency buckets, in seconds (1 ms … 10 s).
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    /// A swift-metrics factory writing into ``registry`` with the catalog's help texts (for
    /// libraries that take one).
    public let factory: any MetricsFactory
    private let scraped = Mutex<[String: Double]>([:])

    public init() {
        factory = CatalogMetricsFactory(
            registry: registry, durationBuckets: Self.buckets.map { .nanoseconds(Int64($0 * 1e9)) }, valueBuckets: Self.buckets)
        set("atcr_build_info", [("version", BuildInfo.version), ("commit", BuildInfo.commit)], to: 1)
    }

    /// Adds `value` to counter `name` with `labels`.
    public func increment(_ name: String, _ labels: [(String, String)] = [], by value: Double = 1) {
        Self.add(value, to: registry.makeCounter(descriptor: Self.descriptor(name), labels: labels))
    }

    /// Whole amounts go to the counter's integer part, so the exposition prints `1`, not `1.0`.
    private static func add(_ value: Double, to counter: Prometheus.Counter) {
        if value == value.rounded(), abs(value) < 1e15 { counter.increment(by: Int64(value)) } else { counter.increment(by: value) }
    }

    /// Sets gauge `name` with `labels` to `value`.
    public func set(_ name: String, _ labels: [(String, String)] = [], to value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: labels).set(to: value)
    }

    /// Records one finished image verification's duration.
    public func observeVerification(_ duration: Duration) {
        observe("atcr_verification_duration_seconds", duration)
    }

    /// Records the time taken to answer one AdmissionReview.
    public func observeReview(_ duration: Duration) {
        observe("atcr_admission_review_duration_seconds", duration)
    }

    private func observe(_ name: String, _ duration: Duration) {
        registry.makeValueHistogram(descriptor: Self.descriptor(name), labels: [], buckets: Self.buckets).record(duration.inSeconds)
    }

    /// Brings counter `name` up to `total`, a running total its owner keeps (cache and
    /// resolution counters are read from their owners at scrape time).
    public func advance(_ name: String, _ labels: [(String, String)], to total: Double) {
        let key = name + Self.render(labels)
        let delta = scraped.withLock { seen -> Double in
            let delta = total - (seen[key] ?? 0)
            if delta > 0 { seen[key] = total }
            return delta
        }
        let counter = registry.makeCounter(descriptor: Self.descriptor(name), labels: labels)
        if delta > 0 { Self.add(delta, to: counter) }
    }

    /// The current value of a counter (tests).
    public func value(_ name: String, _ labels: [(String, String)] = []) -> Double {
        let prefix = name + Self.render(labels) + " "
        for line in render().split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count)) ?? 0
        }
        return 0
    }

    /// The Prometheus text exposition.
    public func render() -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Help text of every metric the webhook writes.
    static let catalog: [String: String] = [
        "atcr_build_info": "The running build: its version and git commit (always 1).",
        "atcr_verifications_total": "Image verifications by result (verified: a trusted signature verified; failed: none did; error: could not finish).",
        "atcr_verification_duration_seconds": "Time to verify one image (finished verifications).",
        "atcr_verification_stage_seconds": "Time of each upstream stage of a verification that was not served from a cache, by stage (digest: tag to digest; discovery: signature artifacts; did_resolution: DID document; record_proof: getRecord and the proof's checks).",
        "atcr_admission_review_duration_seconds": "Time to answer one AdmissionReview, from the body read to the answer.",
        "atcr_did_resolutions_total": "DID document resolutions by result.",
        "atcr_cache_hits_total": "Verifier cache hits, by cache.",
        "atcr_cache_misses_total": "Verifier cache misses, by cache.",
        "atcr_admission_reviews_total": "AdmissionReviews answered, by decision (allow, audit, deny; bad_request: malformed review, HTTP 400; error: no valid policy loaded, HTTP 503).",
        "atcr_mutation_reviews_total": "POST /mutate answers (pin-digests), by result (pinned; nothing_to_pin; timed_out; not_applicable: not a Pod CREATE or ephemeral-containers UPDATE; over_image_bound; not_ready: no policy; bad_request). Always allowed.",
        "atcr_pinned_images_total": "Container images /mutate rewrote from a verified tag to its verified digest.",
        "atcr_policy_reloads_total": "Trust-policy loads, by result.",
        "atcr_certificate_reloads_total": "Serving-certificate loads, by result.",
        "atcr_serving_certificate_expiry_timestamp_seconds": "When the serving certificate in use expires (Unix time).",
        "atcr_upstream_errors_total": "Failed requests to registries, DID directories and PDSes, by kind.",
        "atcr_events_total": "Kubernetes Events, by result (sent, rejected, dropped, failed).",
        "atcr_admission_reviews_over_image_bound_total": "AdmissionReviews naming more images than --max-images-per-review (none verified).",
        "atcr_provider_requests_total": "Gatekeeper ProviderRequests (POST /gatekeeper/verify), by result (answered; bad_request: malformed or over --max-images-per-review; not_ready: no valid policy; forbidden: no client certificate).",
        "atcr_provider_keys_total": "Gatekeeper ProviderRequest keys (images) answered, by decision (allow, audit, deny).",
        "atcr_verifications_in_flight": "Images being verified for reviews now (each holds a verification slot).",
        "atcr_verification_slot_waiters": "Images waiting for a verification slot now (--max-concurrent-verifications).",
        "atcr_background_loads": "Cache loads going on after their review gave up, each holding a background slot.",
        "atcr_cache_bytes": "Estimated bytes held by each verifier cache (bounded by --cache-max-bytes).",
        "atcr_cache_evictions_total": "Verifier cache entries evicted by the entry or byte bound, by cache.",
        "atcr_prefetched_did_documents_total": "DID documents of trusted DIDs resolved in parallel with the registry steps, by use (used: a signature needed it; unused: none did).",
        "atcr_preconnects_total": "Connections opened ahead of need (GET / to an upstream without a recent request), by result (made, skipped).",
        "atcr_warmups_total": "Background warmups at start-up and after a policy change (--warmup).",
        "atcr_did_changes_total": "Trusted DIDs whose document named another signing key or PDS than last verified with (or than pinned), by kind.",
        "atcr_freshness_checks_total": "Freshness-watch getLatestCommit requests, by result (changed, unchanged, unavailable, rate_limited, error).",
        "atcr_freshness_superseded_proofs_total": "Cached record proofs superseded by a newer commit and fetched afresh before a decision.",
        "atcr_freshness_watched_dids": "Trusted DIDs the freshness watch asks about (proofs used within the cache TTL).",
        "atcr_freshness_unreachable_dids": "Watched DIDs whose PDS did not answer the last check: their cached proofs are used until the TTL.",
        "atcr_freshness_worst_case_latency_seconds": "Per PDS host: the longest a revocation can go unnoticed (one watch cycle).",
    ]

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: catalog[name] ?? "")
    }

    static func render(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }
}
