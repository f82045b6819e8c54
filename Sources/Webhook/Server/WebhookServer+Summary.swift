import BuildInfo
import Logging

extension WebhookServer {
    /// The fields of the startup log line: the build, and the effective settings a person checks
    /// first — the mode, the ports, the policy file, the cache lifetimes, and whether Events are
    /// sent (and where, or why not).
    public var startupSummary: Logger.Metadata {
        let events: String
        if let api = eventAPI {
            events = "on (\(api.baseURL))"
        } else if configuration.eventsEnabled {
            events = "off (not in a cluster, and no --kube-api)"
        } else {
            events = "off (--disable-events / ATCR_EVENTS=false)"
        }
        return [
            "version": "\(BuildInfo.version)",
            "commit": "\(BuildInfo.commit)",
            "mode": "\(configuration.auditOnly ? "audit-only (every enforce policy acts as audit)" : "enforce (policies act as written)")",
            "host": "\(configuration.host)",
            "port": "\(configuration.port)",
            "metricsPort": "\(configuration.metricsPort == 0 ? "off" : String(configuration.metricsPort))",
            "policy": "\(configuration.policyFile)",
            "certificate": "\(configuration.certificateFile)",
            "cacheTTL": "\(configuration.cacheTTL.components.seconds)s",
            "negativeCacheTTL": "\(configuration.negativeCacheTTL.components.seconds)s",
            "defaultTimeout": "\(configuration.defaultTimeout.components.seconds)s",
            "events": "\(events)",
            "plcURL": "\(configuration.plcDirectory)",
            "caBundle": "\(configuration.caBundle ?? "none")",
            "dockerConfig": "\(configuration.dockerConfig ?? "none")",
            "insecureLocal": "\(configuration.allowInsecureLocal)",
            "warmup": "\(configuration.warmup ? "on" : "off (--no-warmup / ATCR_WARMUP=false)")",
        ]
    }
}
