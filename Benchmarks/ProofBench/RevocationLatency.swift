import ATProto
import Foundation
import Testbed

/// Revocation latency of the real webhook (default flags: freshness interval 5 s, 2 requests/s
/// per PDS host, cache TTL 300 s) against the local world:
///
/// 1. `rounds` times: sign a new image, keep one sequential stream of reviews of it going (one
///    every 20 ms, answered from the cache), wait a random 0–interval, delete its record in a
///    new signed commit, and time the deletion to the first denial. p50 and max.
/// 2. Unrelated commits: one commit per second by the same account for `window` seconds while
///    the stream goes on: wrong denials (must be 0) and the getRecord requests they cost.
/// 3. The watch's upstream cost: 1, 10 and 100 trusted DIDs in use on one PDS host,
///    getLatestCommit requests per minute measured at the PDS over `window` seconds, and the
///    webhook's worst-case latency gauge for the host.
func runRevocationBenchmark(_ options: Options) async throws {
    let world = try await TestWorld.start()
    let interval = options.interval
    print("world up; webhook flags: --freshness-interval \(interval) (defaults otherwise); \(options.rounds) revocations")
    let webhook = try await WebhookProcess(world: world, policy: world.policyYAML, extra: ["--freshness-interval", "\(interval)"])

    // 1. Revocation latency.
    var latencies: [Duration] = []
    var wrong = 0
    for round in 0..<options.rounds {
        let signed = try world.changes.signImage(account: "alice", repository: "alice/prod-revoke-\(round)", tag: "v1")
        guard let reference = signed.reference, let digest = signed.digest, let uri = signed.uri else { continue }
        let image = reference.replacingOccurrences(of: ":v1", with: "@\(digest)")
        guard try await webhook.admits(image) else { throw BenchmarkError.unexpected("\(image) was not admitted before its revocation") }
        let settle = ContinuousClock.now + .milliseconds(Int.random(in: 0...Int(interval * 1000)))
        while ContinuousClock.now < settle {
            if try await !webhook.admits(image) { wrong += 1 }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = try world.changes.revoke(recordURI: uri)
        let revoked = ContinuousClock.now
        while try await webhook.admits(image) {
            guard ContinuousClock.now - revoked < .seconds(120) else { throw BenchmarkError.unexpected("\(image) still admitted after 120 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let latency = ContinuousClock.now - revoked
        latencies.append(latency)
        print("  revocation \(round + 1): denied after \(seconds(latency))")
    }
    latencies.sort()
    print("revocation → first denial over \(latencies.count) revocations: p50 \(seconds(percentile(latencies, 50)))  max \(seconds(latencies.last ?? .zero))  (goal ≤ \(interval + 1) s; without the watch: up to the 300 s TTL)")
    print("wrong denials before the revocations: \(wrong)")

    // 2. Unrelated commits.
    let stable = try world.changes.signImage(account: "alice", repository: "alice/prod-stable", tag: "v1")
    guard let stableImage = stable.reference?.replacingOccurrences(of: ":v1", with: "@\(stable.digest ?? "")") else { return }
    _ = try await webhook.admits(stableImage)
    let getRecordsBefore = world.pdsServer.log.count(pathContains: "getRecord")
    var reviews = 0, denials = 0, commits = 0
    let end = ContinuousClock.now + .seconds(options.window)
    var nextCommit = ContinuousClock.now
    while ContinuousClock.now < end {
        if ContinuousClock.now >= nextCommit {
            _ = try world.changes.unrelatedCommit(account: "alice")
            commits += 1
            nextCommit = nextCommit + .seconds(1)
        }
        reviews += 1
        if try await !webhook.admits(stableImage) { denials += 1 }
        try await Task.sleep(for: .milliseconds(20))
    }
    let getRecords = world.pdsServer.log.count(pathContains: "getRecord") - getRecordsBefore
    print("unrelated commits: \(commits) commits in \(Int(options.window)) s, \(reviews) reviews, \(denials) wrong denials, \(getRecords) getRecord requests (one per image reviewed after a change was seen)")
    await webhook.stop()

    // 3. Upstream cost by number of trusted DIDs.
    let accounts = try (1...100).map { index -> (did: String, image: String) in
        let name = String(format: "bench%03d", index)
        let account = try world.changes.addAccount(name: name)
        let signed = try world.changes.signImage(account: name, repository: "\(name)/prod-app", tag: "v1")
        return (account.did, (signed.reference ?? "").replacingOccurrences(of: ":v1", with: "@\(signed.digest ?? "")"))
    }
    for count in [1, 10, 100] {
        let chosen = Array(accounts.prefix(count))
        let policy = benchPolicy(registry: world.registryName, dids: chosen.map(\.did))
        let process = try await WebhookProcess(world: world, policy: policy, extra: ["--freshness-interval", "\(interval)"])
        for item in chosen {
            guard try await process.admits(item.image) else { throw BenchmarkError.unexpected("\(item.image) not admitted") }
        }
        try await Task.sleep(for: .milliseconds(Int(interval * 1000)))  // the first round of checks
        let before = world.pdsServer.log.count(pathContains: "getLatestCommit")
        try await Task.sleep(for: .milliseconds(Int(options.window * 1000)))
        let requests = world.pdsServer.log.count(pathContains: "getLatestCommit") - before
        let gauge = try await process.metrics().split(separator: "\n")
            .first { $0.hasPrefix("atcr_freshness_worst_case_latency_seconds") }.map { String($0.split(separator: " ").last ?? "?") } ?? "?"
        print(String(format: "%3d trusted DIDs on one PDS host: %6.1f getLatestCommit requests/min (per replica), worst-case revocation latency %@ s",
                     count, Double(requests) * 60 / options.window, gauge))
        await process.stop()
    }
    await world.stop()
}

/// A policy trusting `dids` for every `*/prod-*` repository of `registry`.
func benchPolicy(registry: String, dids: [String]) -> String {
    var lines = ["version: 1.0", "defaultAction: allow", "trustedDIDs:"]
    for (index, did) in dids.enumerated() {
        lines += ["  \(did):", "    name: \"bench \(index)\"", "    validFrom: \"2024-01-01T00:00:00Z\"", "    expiresAt: null"]
    }
    lines += [
        "policies:", "  - name: production-images", "    scope: \"\(registry)/*/prod-*\"", "    require:", "      signature: true",
        "      minSignatures: 1", "    action: enforce",
    ]
    return lines.joined(separator: "\n") + "\n"
}

func seconds(_ duration: Duration) -> String {
    let (whole, atto) = duration.components
    return String(format: "%.2f s", Double(whole) + Double(atto) / 1e18)
}
