import Verifier

extension WebhookServer {
    /// The freshness watch's metrics, read at scrape time: counters (running totals kept by the
    /// watch and the ledger) and gauges. Empty with the watch off.
    func freshnessSamples() -> (counters: [WebhookMetrics.Sample], gauges: [WebhookMetrics.Sample]) {
        guard let freshnessWatch, let ledger = verifier.freshness else { return ([], []) }
        let watch = freshnessWatch.statistics.snapshot
        var counters: [WebhookMetrics.Sample] = FreshnessStatistics.Result.allCases.map { result in
            ("atcr_freshness_checks_total", [("result", result.rawValue)], Double(watch.checks[result] ?? 0))
        }
        counters.append(("atcr_freshness_superseded_proofs_total", [], Double(ledger.supersededCount)))
        var gauges: [WebhookMetrics.Sample] = [
            ("atcr_freshness_watched_dids", [], Double(watch.watched)),
            ("atcr_freshness_unreachable_dids", [], Double(watch.unreachable)),
        ]
        for (host, seconds) in watch.worstCaseLatency.sorted(by: { $0.key < $1.key }) {
            gauges.append(("atcr_freshness_worst_case_latency_seconds", [("host", host)], seconds))
        }
        return (counters, gauges)
    }
}
