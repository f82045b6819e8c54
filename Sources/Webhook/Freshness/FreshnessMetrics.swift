import Verifier

extension WebhookServer {
    /// Brings the freshness watch's metrics up to date at scrape time: counters from the running
    /// totals kept by the watch and the ledger, and gauges. Nothing with the watch off.
    func recordFreshness() {
        guard let freshnessWatch, let ledger = verifier.freshness else { return }
        let watch = freshnessWatch.statistics.snapshot
        for result in FreshnessStatistics.Result.allCases {
            metrics.advance("atcr_freshness_checks_total", [("result", result.rawValue)], to: Double(watch.checks[result] ?? 0))
        }
        metrics.advance("atcr_freshness_superseded_proofs_total", [], to: Double(ledger.supersededCount))
        metrics.set("atcr_freshness_watched_dids", to: Double(watch.watched))
        metrics.set("atcr_freshness_unreachable_dids", to: Double(watch.unreachable))
        for (host, seconds) in watch.worstCaseLatency.sorted(by: { $0.key < $1.key }) {
            metrics.set("atcr_freshness_worst_case_latency_seconds", [("host", host)], to: seconds)
        }
    }
}
