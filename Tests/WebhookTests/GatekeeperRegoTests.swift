import Foundation
import Testbed
import Testing
@testable import Webhook

/// manifests/gatekeeper's ConstraintTemplate evaluated by a Rego interpreter (regopy, from
/// scripts/setup-rego), the running provider's real answers standing in for external_data
/// (scripts/gatekeeper-rego-eval). Without regopy these tests fail: run scripts/setup-rego
/// (scripts/setup-debian does).
@Suite("Gatekeeper ConstraintTemplate with the provider's answers")
struct GatekeeperRegoTests {
    /// --provider-timeout for tests that expect every image verified: the default 2 s is short for
    /// cold verifications while the whole suite runs in parallel on a loaded machine.
    static let loadedTimeout: Duration = .seconds(10)

    static let root = DocsAgreementTests.root
    static let python = root.appendingPathComponent(".build-tools/rego-venv/bin/python").path
    static let template = root.appendingPathComponent("manifests/gatekeeper/constrainttemplate.yaml").path

    struct Evaluation {
        let keys: [String]
        let violations: [String]
        let raw: String
    }

    /// Evaluates the template for `object` (JSON text) against `harness`'s provider.
    static func evaluate(_ object: String, harness: WebhookHarness, mode: String = "real") async throws -> Evaluation {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw RegoMissing(description: "regopy is not installed: \(python) is missing; run scripts/setup-rego (scripts/setup-debian does)")
        }
        let file = harness.directory.appendingPathComponent("object-\(UUID().uuidString).json")
        try Data(object.utf8).write(to: file)
        let arguments = [
            root.appendingPathComponent("scripts/gatekeeper-rego-eval").path, template, file.path,
            "--provider", "\(harness.origin)/gatekeeper/verify", "--ca", harness.caPath, "--mode", mode,
        ]
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, String, String), any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: python)
                    process.arguments = arguments
                    let result = try ProcessOutput.run(process)
                    return (result.status, result.stdout, result.stderr)
                })
            }
        }
        guard result.0 == 0 else { throw RegoMissing(description: "gatekeeper-rego-eval exited \(result.0): \(result.2)") }
        let json = JSONValueBox(result.1)
        return Evaluation(keys: json["keys"].array.compactMap(\.string), violations: json["violations"].array.compactMap(\.string), raw: result.1)
    }

    struct RegoMissing: Error, CustomStringConvertible {
        let description: String
    }

    static func pod(_ images: [String], initImages: [String] = []) -> String {
        func list(_ images: [String]) -> String {
            images.enumerated().map { #"{"name":"c\#($0.offset)","image":"\#($0.element)"}"# }.joined(separator: ",")
        }
        return #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod"},"spec":{"containers":[\#(list(images))],"initContainers":[\#(list(initImages))]}}"#
    }

    @Test("signed, unsigned, revoked, untrusted, audit and unmatched images: denied exactly for the images the policy denies")
    func scenarios() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        func image(_ name: String) throws -> String { try #require(world.image(name)).reference }

        let admitted = try await Self.evaluate(Self.pod([try image("signed-k256"), try image("multi-arch"), try image("no-policy"), try image("audit-unsigned")]), harness: harness)
        #expect(admitted.keys.count == 4, "\(admitted.raw)")
        #expect(admitted.keys.allSatisfy { $0.hasPrefix("prod|") }, "each key names the pod's namespace: \(admitted.keys)")
        #expect(admitted.violations.isEmpty, "\(admitted.raw)")

        let denied = [try image("unsigned"), try image("revoked"), try image("untrusted-signer")], p256 = try image("signed-p256")
        let mixed = try await Self.evaluate(Self.pod([p256] + denied), harness: harness)
        #expect(mixed.violations.count == 3, "\(mixed.raw)")
        for reference in denied {
            #expect(mixed.violations.contains { $0.hasPrefix("image \(reference) rejected by atcr-verify: ") && $0.contains("production-images") }, "\(reference): \(mixed.raw)")
        }
        #expect(!mixed.violations.contains { $0.contains(p256) }, "\(mixed.raw)")

        let revoked = try await Self.evaluate(Self.pod([try image("signed-k256")], initImages: [try image("revoked")]), harness: harness)
        #expect(revoked.violations.count == 1 && revoked.violations[0].contains("record-absent"), "init containers count: \(revoked.raw)")
        await harness.stop()
    }

    @Test("workload kinds: a Deployment's and a CronJob's pod templates (no namespace in the request: keys with an empty prefix)")
    func workloads() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        let signed = try #require(world.image("signed-k256")).reference, unsigned = try #require(world.image("unsigned")).reference
        let template = { (image: String) in #"{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"app","image":"\#(image)"}]}}"# }
        let deployment = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":\#(template(unsigned))}}"#
        let cronJob = #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":\#(template(signed))}}}}"#
        let denied = try await Self.evaluate(deployment, harness: harness)
        #expect(denied.keys == ["|\(unsigned)"] && denied.violations.count == 1, "\(denied.raw)")
        #expect(denied.violations[0].hasPrefix("image \(unsigned) rejected by atcr-verify: "), "the message shows the image alone: \(denied.raw)")
        let admitted = try await Self.evaluate(cronJob, harness: harness)
        #expect(admitted.keys == ["|\(signed)"] && admitted.violations.isEmpty, "\(admitted.raw)")
        await harness.stop()
    }

    @Test("an image written with a '|' is denied as an invalid reference, and the message shows all of it")
    func barInImage() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        let written = "dev-1|" + (try #require(world.image("signed-k256")).reference)
        let result = try await Self.evaluate(Self.pod([written]), harness: harness)
        #expect(result.keys == ["prod|\(written)"], "\(result.raw)")
        #expect(result.violations.count == 1 && result.violations[0].hasPrefix("image \(written) rejected by atcr-verify: "), "\(result.raw)")
        #expect(result.violations.first?.contains("is not a valid image reference") == true, "\(result.raw)")
        await harness.stop()
    }

    @Test("never open on a short answer: provider unreachable, empty, null or missing a key deny; a fully cached answer (status 0) does not")
    func shortAnswers() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        let signed = try #require(world.image("signed-k256")).reference, p256 = try #require(world.image("signed-p256")).reference
        let pod = Self.pod([signed, p256])
        for (mode, expected) in [("unreachable", "image verification unavailable (atcr-verify): failed to send"), ("empty", "no verdict from atcr-verify"),
                                 ("null", "no verdict from atcr-verify"), ("drop-first", "no verdict from atcr-verify")] {
            let evaluation = try await Self.evaluate(pod, harness: harness, mode: mode)
            #expect(!evaluation.violations.isEmpty && evaluation.violations.allSatisfy { $0.contains(expected) }, "\(mode): \(evaluation.raw)")
        }
        let dropped = try await Self.evaluate(pod, harness: harness, mode: "drop-first")
        #expect(dropped.violations.count == 1 && dropped.violations[0].contains(min(signed, p256)), "\(dropped.raw)")
        let cached = try await Self.evaluate(pod, harness: harness, mode: "cached")
        #expect(cached.violations.isEmpty, "\(cached.raw)")
        await harness.stop()
    }

    @Test("the provider's own systemError (a request over the key bound) denies")
    func systemError() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) {
            $0.maxImagesPerReview = 1
            $0.providerTimeout = Self.loadedTimeout
        }
        let pod = Self.pod([try #require(world.image("signed-k256")).reference, try #require(world.image("signed-p256")).reference])
        let evaluation = try await Self.evaluate(pod, harness: harness)
        #expect(evaluation.violations.count == 1 && evaluation.violations[0].contains("--max-images-per-review"), "\(evaluation.raw)")
        await harness.stop()
    }

    @Test("an object without images asks nothing and is not denied")
    func noImages() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.providerTimeout = Self.loadedTimeout }
        let evaluation = try await Self.evaluate(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}"#, harness: harness)
        #expect(evaluation.keys.isEmpty && evaluation.violations.isEmpty, "\(evaluation.raw)")
        #expect(harness.server.metrics.value("atcr_provider_requests_total", [("result", "answered")]) == 0, "no request without images")
        await harness.stop()
    }
}
