import CoreMetrics
import Prometheus

/// A swift-metrics factory over the webhook's Prometheus registry that registers every metric
/// with its help text from ``WebhookMetrics/catalog``: libraries below the webhook (the
/// verifier's per-stage timers) instrument themselves with plain swift-metrics, and `/metrics`
/// still carries one `# HELP` line per name (swift-prometheus traps when one name is registered
/// with two help texts, so nothing may register a catalog name without its text).
struct CatalogMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let durationBuckets: [Duration]
    let valueBuckets: [Double]

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: WebhookMetrics.descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: WebhookMetrics.descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let descriptor = WebhookMetrics.descriptor(label)
        guard aggregate else { return registry.makeGauge(descriptor: descriptor, labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor, labels: dimensions, buckets: valueBuckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: WebhookMetrics.descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: WebhookMetrics.descriptor(label), labels: dimensions, buckets: durationBuckets)
    }

    // Series stay registered for the process's life: a scrape must never lose a series.
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
