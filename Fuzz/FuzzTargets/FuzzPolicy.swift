import Foundation
import TrustPolicy

/// The trust-policy loader: YAML, validation with paths and lines, globs, lint.
enum FuzzPolicy {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01, fixed: runs repeat

    static func load(_ bytes: [UInt8]) {
        let result = PolicyLoader.load(yaml: String(decoding: bytes, as: UTF8.self), now: now)
        guard let policy = result.policy else { return }
        // A loaded policy evaluates any name without trapping.
        for name in ["atcr.io/alice/prod-api", "docker.io/library/nginx", "localhost:5000/a/b"] {
            guard let image = ImageName(name) else { continue }
            _ = policy.contactPlan(for: image, namespace: "production", now: now)
        }
    }
}
