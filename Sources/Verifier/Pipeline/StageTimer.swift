import CoreMetrics

/// An upstream stage of a verification, timed when it does upstream work (a cache load), so
/// the histogram shows where a slow verification waits: `atcr_verification_stage_seconds`.
public enum VerificationStage: String, Sendable, CaseIterable {
    /// Tag to digest (`HEAD` of the manifest).
    case digest
    /// The image's signature artifacts: referrers, artifact manifests, their blobs.
    case discovery
    /// One signer's DID document.
    case didResolution = "did_resolution"
    /// One signer's `getRecord` and the record proof's checks.
    case recordProof = "record_proof"
}

/// Times stages into swift-metrics timers of a factory the caller gives (none: nothing is
/// recorded), never the global one: several webhooks share a test process.
public struct StageTimer: Sendable {
    /// The metric the stages are recorded in, labelled `stage`.
    public static let metricName = "atcr_verification_stage_seconds"

    private let timers: [VerificationStage: CoreMetrics.Timer]

    /// Timers made by `factory`; nil records nothing.
    public init(factory: (any MetricsFactory)?) {
        guard let factory else {
            timers = [:]
            return
        }
        var timers: [VerificationStage: CoreMetrics.Timer] = [:]
        for stage in VerificationStage.allCases {
            timers[stage] = CoreMetrics.Timer(label: Self.metricName, dimensions: [("stage", stage.rawValue)], factory: factory)
        }
        self.timers = timers
    }

    /// Records the time from `started` to now under `stage` (call it from a `defer`, so failures
    /// are timed too).
    public func record(_ stage: VerificationStage, since started: ContinuousClock.Instant) {
        guard let timer = timers[stage] else { return }
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
