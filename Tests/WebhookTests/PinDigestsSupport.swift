import AsyncHTTPClient
import Foundation
import NIOCore
import Testbed
import Testing

/// JSON Patch implementations other than ours, to apply what `/mutate` answers: kubectl's
/// (`kubectl patch --local`, the evanphx/json-patch library the API server itself applies
/// admission patches with) and Python's `jsonpatch` (Debian's python3-jsonpatch, installed by
/// scripts/setup-debian). A missing tool is an error, never a skipped check.
enum ExternalJSONPatch {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `object` (JSON text) patched by `kubectl patch --local -f FILE --type=json -p PATCH -o json`.
    static func kubectl(object: String, patch: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pin-\(UUID().uuidString).json")
        try Data(object.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, out, err) = try run("/usr/bin/env", ["kubectl", "patch", "--local", "-f", file.path, "--type=json", "-p", patch, "-o", "json"])
        if status == 127 { throw Failure(description: "kubectl is not installed: the JSON Patch check needs it (see README, scripts/check-deployment)") }
        guard status == 0 else { throw Failure(description: "kubectl patch failed (\(status)): \(err)") }
        return out
    }

    /// `object` patched by Python's jsonpatch under Debian's /usr/bin/python3.
    static func python(object: String, patch: String) throws -> String {
        let script = "import json, sys, jsonpatch; doc = json.loads(sys.argv[1]); print(json.dumps(jsonpatch.JsonPatch(json.loads(sys.argv[2])).apply(doc)))"
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw Failure(description: "/usr/bin/python3 is missing: run scripts/setup-debian")
        }
        let (status, out, err) = try run("/usr/bin/python3", ["-c", script, object, patch])
        if err.contains("No module named 'jsonpatch'") {
            throw Failure(description: "python3-jsonpatch is not installed: run scripts/setup-debian")
        }
        guard status == 0 else { throw Failure(description: "jsonpatch failed (\(status)): \(err)") }
        return out
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}

/// Pods and AdmissionReviews for the pin-digests tests, as JSON-compatible dictionaries.
enum PinReviews {
    /// A Pod named `name` in `prod` with these containers (name, image) per list.
    static func pod(
        name: String = "p", containers: [(String, String)], initContainers: [(String, String)] = [], ephemeral: [(String, String)] = [],
        imageVolumes: [(String, String)] = []
    ) -> [String: Any] {
        func list(_ entries: [(String, String)]) -> [[String: Any]] {
            entries.map { ["name": $0.0, "image": $0.1, "imagePullPolicy": "IfNotPresent"] }
        }
        var spec: [String: Any] = ["containers": list(containers), "restartPolicy": "Always"]
        if !initContainers.isEmpty { spec["initContainers"] = list(initContainers) }
        if !ephemeral.isEmpty { spec["ephemeralContainers"] = list(ephemeral) }
        if !imageVolumes.isEmpty {
            // A configMap volume first, so the image volumes' indexes are not their order alone.
            spec["volumes"] = [["name": "config", "configMap": ["name": "app-config"]] as [String: Any]]
                + imageVolumes.map { ["name": $0.0, "image": ["reference": $0.1, "pullPolicy": "IfNotPresent"]] as [String: Any] }
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": name, "namespace": "prod", "labels": ["app": "pin"]] as [String: Any],
            "spec": spec,
        ]
    }

    /// The AdmissionReview the API server sends for `object`.
    static func review(
        _ object: [String: Any], uid: String = UUID().uuidString, operation: String = "CREATE", subResource: String? = nil,
        old: [String: Any]? = nil
    ) throws -> [UInt8] {
        var request: [String: Any] = [
            "uid": uid, "kind": ["group": "", "version": "v1", "kind": "Pod"], "resource": ["group": "", "version": "v1", "resource": "pods"],
            "operation": operation, "namespace": "prod", "name": (object["metadata"] as? [String: Any])?["name"] ?? "p",
            "userInfo": ["username": "alice"], "object": object,
        ]
        if let subResource { request["subResource"] = subResource }
        if let old { request["oldObject"] = old }
        let review: [String: Any] = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request]
        return Array(try JSONSerialization.data(withJSONObject: review, options: [.sortedKeys]))
    }

    static func text(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// `object` with the image of `list[index]` set to `image`.
    static func setting(_ object: [String: Any], _ list: String, _ index: Int, to image: String) -> [String: Any] {
        var object = object
        var spec = object["spec"] as? [String: Any] ?? [:]
        var entries = spec[list] as? [[String: Any]] ?? []
        if list == "volumes" {
            entries[index]["image"] = ["reference": image, "pullPolicy": "IfNotPresent"]
        } else {
            entries[index]["image"] = image
        }
        spec[list] = entries
        object["spec"] = spec
        return object
    }
}

/// What `/mutate` answered.
struct MutateAnswer {
    let status: Int
    let body: String
    /// The decoded JSON Patch text; nil when the answer carries none.
    let patch: String?
    let response: JSONValueBox

    init(status: Int, body: String) throws {
        self.status = status
        self.body = body
        response = JSONValueBox(body)["response"]
        if let encoded = response["patch"].string {
            #expect(response["patchType"].string == "JSONPatch", "\(body)")
            let data = try #require(Data(base64Encoded: encoded), "patch is not standard padded base64: \(encoded)")
            patch = String(decoding: data, as: UTF8.self)
        } else {
            patch = nil
        }
    }

    /// `object` with the patch applied by kubectl and by Python's jsonpatch; both must agree.
    func applied(to object: [String: Any]) throws -> [String: Any] {
        let patch = try #require(patch, "no patch in \(body)")
        let original = try PinReviews.text(object)
        let byKubectl = try PinReviews.object(try ExternalJSONPatch.kubectl(object: original, patch: patch))
        let byPython = try PinReviews.object(try ExternalJSONPatch.python(object: original, patch: patch))
        #expect(NSDictionary(dictionary: byKubectl).isEqual(to: byPython), "kubectl and jsonpatch disagree: \(byKubectl) vs \(byPython)")
        return byKubectl
    }
}

extension WebhookProcess {
    /// POSTs `body` to /mutate.
    func mutate(_ body: [UInt8], query: String = "timeout=10s", using client: HTTPClient) async throws -> MutateAnswer {
        let reply = try await post(body, to: "/mutate", query: query, using: client)
        return try MutateAnswer(status: reply.status, body: reply.body)
    }
}

extension WebhookHarness {
    /// POSTs `body` to /mutate.
    func mutate(_ body: [UInt8], query: String = "timeout=10s") async throws -> MutateAnswer {
        let reply = try await post(body, to: "/mutate", query: query)
        return try MutateAnswer(status: reply.status, body: reply.body)
    }
}

extension TestWorld {
    /// Requests the world's servers received, but the freshness watch's getLatestCommit polls
    /// (they run on their own clock, not for a review).
    var reviewRequests: [LoggedRequest] {
        servers.flatMap { $0.log.filter { !$0.path.contains("getLatestCommit") } }
    }

    /// The count of ``reviewRequests`` once no new one has arrived for 300 ms (at most 5 s):
    /// a review answers without waiting for a DID document it prefetched and did not need,
    /// whose request may reach the server after the answer (on a loaded machine, well after).
    func settledReviewRequestCount() async throws -> Int {
        var count = reviewRequests.count
        let giveUp = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(300))
            let now = reviewRequests.count
            if now == count { return count }
            count = now
        }
        return count
    }
}
