import ATProto
import Foundation
import Testbed

/// One AdmissionReview the demo sends, and what the world's policy must decide.
struct DemoRow {
    let object: String
    let image: String
    let expected: String
    let review: [UInt8]
    let uid: String
}

/// The reviews of the demo: the world's scenarios as Pods, plus a Deployment, a CronJob and a
/// dry run, in the order the API server would plausibly send them.
struct DemoReviews {
    let world: TestWorld

    func all() async throws -> [DemoRow] {
        var rows: [DemoRow] = []
        func pod(_ scenario: String, name: String? = nil, dryRun: Bool = false) {
            guard let image = world.image(scenario) else { return }
            let uid = UUID().uuidString.lowercased()
            rows.append(DemoRow(
                object: "Pod/\(name ?? scenario)\(dryRun ? " (dry run)" : "")", image: image.reference,
                expected: image.expected.rawValue,
                review: Self.review(uid: uid, kind: "Pod", name: name ?? scenario, spec: Self.podSpec(image.reference), dryRun: dryRun), uid: uid))
        }
        func workload(_ kind: String, _ group: String, _ resource: String, scenario: String, cron: Bool = false) {
            guard let image = world.image(scenario) else { return }
            let template = #"{"metadata":{"labels":{"app":"demo"}},"spec":\#(Self.podSpec(image.reference))}"#
            let spec = cron
                ? #"{"schedule":"0 * * * *","jobTemplate":{"spec":{"template":\#(template)}}}"#
                : #"{"replicas":3,"selector":{"matchLabels":{"app":"demo"}},"template":\#(template)}"#
            let uid = UUID().uuidString.lowercased()
            rows.append(DemoRow(
                object: "\(kind)/\(scenario)", image: image.reference, expected: image.expected.rawValue,
                review: Self.review(uid: uid, kind: kind, group: group, resource: resource, name: scenario, spec: spec), uid: uid))
        }
        for scenario in ["signed-k256", "signed-k256-digest", "signed-p256", "signed-did-web", "two-signers", "one-of-two", "unsigned",
                         "untrusted-signer", "revoked", "wrong-digest", "wrong-repository", "replay-baseline", "replayed-commit",
                         "rotated-key", "high-s", "subject-mismatch", "tampered-blob", "multi-arch", "multi-arch-platform",
                         "audit-unsigned", "no-policy"] {
            pod(scenario)
        }
        workload("Deployment", "apps", "deployments", scenario: "signed-p256")
        workload("CronJob", "batch", "cronjobs", scenario: "unsigned", cron: true)
        pod("unsigned", name: "unsigned-dry-run", dryRun: true)
        return rows
    }

    static func podSpec(_ image: String) -> String {
        #"{"containers":[{"name":"app","image":"\#(image)"}],"initContainers":[]}"#
    }

    static func review(
        uid: String, kind: String, group: String = "", resource: String = "pods", name: String, spec: String, dryRun: Bool = false
    ) -> [UInt8] {
        let apiVersion = group.isEmpty ? "v1" : "\(group)/v1"
        return Array(#"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(uid)","kind":{"group":"\#(group)","version":"v1","kind":"\#(kind)"},"resource":{"group":"\#(group)","version":"v1","resource":"\#(resource)"},"operation":"CREATE","namespace":"prod","name":"\#(name)","userInfo":{"username":"demo@example.com"},"dryRun":\#(dryRun),"object":{"apiVersion":"\#(apiVersion)","kind":"\#(kind)","metadata":{"name":"\#(name)","namespace":"prod"},"spec":\#(spec)}}}
            """#.utf8)
    }
}

/// What the webhook decided for one review, from its answer and its audit line.
struct DemoOutcome {
    let decision: String
    let policy: String
    let reason: String

    /// `audit` is the webhook's audit line for the review (matched by uid), when found.
    init(status: Int, body: [UInt8], audit: [String: Any]?, names: [String: String]) {
        func named(_ text: String) -> String {
            names.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let response = object["response"] as? [String: Any]
        else {
            decision = "error"
            policy = "-"
            reason = "HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))"
            return
        }
        let allowed = response["allowed"] as? Bool ?? false
        let result = audit?["result"] as? String
        decision = allowed ? (result == "audit" ? "audit" : "allow") : "deny"
        policy = (audit?["policy"] as? String) ?? "-"
        let signers = (audit?["signers"] as? [String] ?? []).map(named)
        let checks = (audit?["failedChecks"] as? [[String: Any]] ?? []).map { check in
            FailedCheck(number: check["number"] as? Int, name: check["name"] as? String ?? "?").description
        }
        let reasons = (audit?["reasons"] as? [String] ?? []).map(named)
        switch decision {
        case "allow":
            reason = signers.isEmpty ? "no policy applies (defaultAction)" : "signed by \(signers.joined(separator: " and "))"
        default:
            let text = reasons.first.map { $0.components(separatedBy: "): ").dropFirst().joined(separator: "): ") } ?? ""
            let plain = (text.isEmpty ? (reasons.first ?? "") : text).replacingOccurrences(of: "no valid signature by a trusted DID; ", with: "")
            reason = checks.isEmpty ? plain : "\(checks.joined(separator: ", ")) — \(plain)"
        }
    }
}

/// The demo's table.
struct DemoTable {
    private var lines: [[String]] = [["OBJECT", "IMAGE", "DECISION", "POLICY", "REASON", "LATENCY"]]

    mutating func add(row: DemoRow, outcome: DemoOutcome, latency: Duration) {
        let image = row.image.split(separator: "/", maxSplits: 1).last.map(String.init) ?? row.image
        let shortImage = image.count > 44 ? String(image.prefix(30)) + "…" + String(image.suffix(8)) : image
        let (seconds, attoseconds) = latency.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let mark = outcome.decision == row.expected ? "" : " (expected \(row.expected))"
        let reason = outcome.reason.count > 90 ? String(outcome.reason.prefix(89)) + "…" : outcome.reason
        lines.append([row.object, shortImage, outcome.decision.uppercased() + mark, outcome.policy, reason, String(format: "%.1f ms", milliseconds)])
    }

    func render() -> String {
        let widths = (0..<6).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { index, cell in
                index == line.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
