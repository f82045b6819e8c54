import Foundation
import HTTPFetch
import Testbed

/// The demo's last part: a Pod naming an image by tag sent to `POST /mutate` (the optional
/// pin-digests webhook), the returned JSON Patch applied as the API server would, and the pinned
/// Pod sent to `/validate`, which admits it without the tag warning and without contacting any
/// upstream (the evidence `/mutate` used is in the cache).
struct DemoPinning {
    let world: TestWorld
    let origin: String
    let fetcher: HTTPFetcher

    /// The lines to print, and whether everything came out as expected.
    func run() async throws -> (lines: [String], ok: Bool) {
        guard let image = world.image("signed-k256") else { return (["(no signed-k256 scenario: pinning not shown)"], false) }
        let uid = UUID().uuidString.lowercased()
        let tagged = DemoReviews.review(uid: uid, kind: "Pod", name: "pinned", spec: DemoReviews.podSpec(image.reference))
        let mutate = try await post("mutate", tagged)
        guard let response = mutate["response"] as? [String: Any], response["allowed"] as? Bool == true,
            response["patchType"] as? String == "JSONPatch", let encoded = response["patch"] as? String,
            let patchData = Data(base64Encoded: encoded),
            let operations = try JSONSerialization.jsonObject(with: patchData) as? [[String: Any]]
        else { return (["/mutate did not answer with a JSON Patch: \(mutate)"], false) }
        var lines = ["Pinning a tag (the optional pin-digests webhook, POST /mutate; docs/operations.md):"]
        lines.append("  Pod/pinned names \(image.reference); /mutate answers allowed, with the JSON Patch:")
        var pinned = image.reference
        for operation in operations {
            let op = operation["op"] as? String ?? "?", path = operation["path"] as? String ?? "?", value = operation["value"] as? String ?? ""
            lines.append("    \(op) \(path) \(op == "test" ? "==" : "=") \(value)")
            if op == "replace", path == "/spec/containers/0/image" { pinned = value }
        }
        let expected = "\(image.reference)@\(image.digest)"
        var ok = pinned == expected
        if !ok { lines.append("  MISMATCH: expected the image pinned to \(expected)") }
        let before = upstreamRequests()
        let validated = try await post("validate", DemoReviews.review(
            uid: UUID().uuidString.lowercased(), kind: "Pod", name: "pinned", spec: DemoReviews.podSpec(pinned)))
        let answer = validated["response"] as? [String: Any] ?? [:]
        let allowed = answer["allowed"] as? Bool == true
        let warned = (answer["warnings"] as? [String] ?? []).contains { $0.contains("tag resolved to") }
        let requests = upstreamRequests() - before
        lines.append("  /validate of the pinned Pod: \(allowed ? "ALLOW" : "DENY"), \(warned ? "still warns about the tag" : "no tag warning"), "
            + "\(requests) upstream request\(requests == 1 ? "" : "s") (the evidence /mutate used was cached)")
        ok = ok && allowed && !warned && requests == 0
        return (lines, ok)
    }

    private func post(_ path: String, _ body: [UInt8]) async throws -> [String: Any] {
        let response = try await fetcher.fetch(FetchRequest(
            url: "\(origin)/\(path)?timeout=10s", method: .post, headers: ["Content-Type": "application/json"],
            maxBodyBytes: 1 << 20, deadline: .now + .seconds(15), body: body))
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? ["status": response.status]
    }

    /// Requests the world's servers received for reviews (the freshness watch's polls aside).
    private func upstreamRequests() -> Int {
        world.servers.reduce(0) { $0 + $1.log.filter { !$0.path.contains("getLatestCommit") }.count }
    }
}
