import Foundation
import Synchronization

/// The webhook's Prometheus metrics (DESIGN §6): counters kept here, cache and reload counters
/// read from their owners at scrape time, rendered in the Prometheus text format.
public final class WebhookMetrics: Sendable {
    /// Histogram bucket upper bounds, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct State {
        var counters: [String: [String: Double]] = [:]  // name → rendered label set → value
        var histogramCounts = [Int](repeating: 0, count: WebhookMetrics.buckets.count)
        var histogramSum = 0.0
        var histogramCount = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds `value` to counter `name` with `labels`.
    public func increment(_ name: String, _ labels: [(String, String)] = [], by value: Double = 1) {
        let key = Self.render(labels)
        state.withLock { $0.counters[name, default: [:]][key, default: 0] += value }
    }

    /// Records one verification's duration.
    public func observeVerification(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        state.withLock { state in
            for (index, bound) in Self.buckets.enumerated() where value <= bound { state.histogramCounts[index] += 1 }
            state.histogramSum += value
            state.histogramCount += 1
        }
    }

    /// The current value of a counter (tests).
    public func value(_ name: String, _ labels: [(String, String)] = []) -> Double {
        state.withLock { $0.counters[name]?[Self.render(labels)] ?? 0 }
    }

    static let help: [String: String] = [
        "atcr_verifications_total": "Image verifications by result (verified: a trusted signature verified; failed: none did; error: could not finish).",
        "atcr_did_resolutions_total": "DID document resolutions by result.",
        "atcr_cache_hits_total": "Verifier cache hits, by cache.",
        "atcr_cache_misses_total": "Verifier cache misses, by cache.",
        "atcr_admission_reviews_total": "AdmissionReviews answered, by decision (allow, audit, deny, bad_request).",
        "atcr_policy_reloads_total": "Trust-policy loads, by result.",
        "atcr_certificate_reloads_total": "Serving-certificate loads, by result.",
        "atcr_upstream_errors_total": "Failed requests to registries, DID directories and PDSes, by kind.",
        "atcr_events_total": "Kubernetes Events, by result (sent, rejected, dropped, failed).",
        "atcr_did_changes_total": "Trusted DIDs whose document named another signing key or PDS than last verified with (or than pinned), by kind.",
        "atcr_freshness_checks_total": "Freshness-watch getLatestCommit requests, by result (changed, unchanged, unavailable, rate_limited, error).",
        "atcr_freshness_superseded_proofs_total": "Cached record proofs superseded by a newer commit and fetched afresh before a decision.",
        "atcr_freshness_watched_dids": "Trusted DIDs the freshness watch asks about (proofs used within the cache TTL).",
        "atcr_freshness_unreachable_dids": "Watched DIDs whose PDS did not answer the last check: their cached proofs are used until the TTL.",
        "atcr_freshness_worst_case_latency_seconds": "Per PDS host: the longest a revocation can go unnoticed (one watch cycle).",
    ]

    /// A sample read from its owner at scrape time.
    public typealias Sample = (name: String, labels: [(String, String)], value: Double)

    /// The Prometheus text exposition, with `extra` counters and `gauges` read from their owners now.
    public func render(extra: [Sample] = [], gauges: [Sample] = []) -> String {
        var counters = state.withLock { $0.counters }
        for item in extra { counters[item.name, default: [:]][Self.render(item.labels), default: 0] += item.value }
        var gaugeValues: [String: [String: Double]] = [:]
        for item in gauges { gaugeValues[item.name, default: [:]][Self.render(item.labels)] = item.value }
        var out = ""
        for (type, families) in [("counter", counters), ("gauge", gaugeValues)] {
            for name in families.keys.sorted() {
                if let help = Self.help[name] { out += "# HELP \(name) \(help)\n" }
                out += "# TYPE \(name) \(type)\n"
                for (labels, value) in families[name, default: [:]].sorted(by: { $0.key < $1.key }) {
                    out += "\(name)\(labels) \(Self.number(value))\n"
                }
            }
        }
        let histogram = state.withLock { ($0.histogramCounts, $0.histogramSum, $0.histogramCount) }
        out += "# HELP atcr_verification_duration_seconds Time to verify one image.\n"
        out += "# TYPE atcr_verification_duration_seconds histogram\n"
        for (index, bound) in Self.buckets.enumerated() {
            out += "atcr_verification_duration_seconds_bucket{le=\"\(Self.number(bound))\"} \(histogram.0[index])\n"
        }
        out += "atcr_verification_duration_seconds_bucket{le=\"+Inf\"} \(histogram.2)\n"
        out += "atcr_verification_duration_seconds_sum \(Self.number(histogram.1))\n"
        out += "atcr_verification_duration_seconds_count \(histogram.2)\n"
        return out
    }

    static func render(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        var out = "{"
        for (index, (name, value)) in labels.enumerated() {
            if index > 0 { out += "," }
            out += name
            out += "=\""
            // Label values here are fixed words; escape only when one needs it.
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) {
                out += value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    .replacingOccurrences(of: "\n", with: "\\n")
            } else {
                out += value
            }
            out += "\""
        }
        return out + "}"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
