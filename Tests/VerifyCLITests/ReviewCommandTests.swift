import ATProto
import Foundation
import HTTPFetch
import Logging
import OCI
import Testbed
import Testing
import TrustPolicy
import Verifier
import Webhook

/// `atcr-verify review FILE|-`: the webhook's answer, offline.
@Suite("atcr-verify review")
struct ReviewCommandTests {
    static func review(_ images: [String], uid: String, namespace: String = "prod") -> String {
        let containers = images.enumerated().map { #"{"name":"c\#($0.offset)","image":"\#($0.element)"}"# }.joined(separator: ",")
        return #"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(uid)","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"\#(namespace)","name":"p","userInfo":{"username":"alice"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"\#(namespace)"},"spec":{"containers":[\#(containers)]}}}}
            """#
    }

    /// The webhook's review service over the world, in this process: the answer to compare with.
    static func webhookAnswer(_ world: TestWorld, body: String) async throws -> String {
        let fetcher = try HTTPFetcher(configuration: .init(
            allowInsecureHTTP: true, caBundlePath: world.caPath, serverNamedTargets: ServerNamedTargets(testWorld: true, allowPrivate: false)))
        let verifier = ImageVerifier(
            fetcher: fetcher, registry: RegistryClient(fetcher: fetcher),
            options: .init(resolver: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: true)))
        let policy = try #require(PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true).policy)
        let service = ReviewService(
            verifier: verifier, policy: { policy }, options: .init(auditLines: .none), metrics: WebhookMetrics(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), events: nil, audit: { _ in })
        let answer = await service.review(body: Array(body.utf8), query: nil)
        try? await fetcher.shutdown()
        return answer.body
    }

    @Test("denied, audited and allowed reviews: the webhook's exact response body; exit 1, 0; a malformed review exits 2 with the 400 body")
    func review() async throws {
        let world = try await TestWorld.shared()
        let policy = try CLI.writePolicy(world)
        let flags = try CLI.worldFlags(world) + ["--policy", policy]
        let directory = try CLI.directory("review")
        let revoked = try #require(world.image("revoked")).reference, audit = try #require(world.image("audit-unsigned")).reference
        let signed = try #require(world.image("signed-k256")).reference

        let denied = Self.review([signed, revoked, audit], uid: "uid-denied")
        let file = directory.appendingPathComponent("review.json")
        try Data(denied.utf8).write(to: file)
        let result = try await CLI.run(["review", file.path] + flags)
        #expect(result.status == 1, "\(result.all)")
        let expected = try await Self.webhookAnswer(world, body: denied)
        #expect(result.stdout == expected + "\n", "CLI:\n\(result.stdout)\nwebhook:\n\(expected)")
        #expect(result.stdout.contains(#""allowed":false"#) && result.stdout.contains("uid-denied") && result.stdout.contains("record-absent"))

        let audited = Self.review([signed, audit], uid: "uid-audit")
        let piped = try await CLI.run(["review", "-"] + flags, stdin: audited)
        #expect(piped.status == 0, "\(piped.all)")
        #expect(piped.stdout == (try await Self.webhookAnswer(world, body: audited)) + "\n")
        #expect(piped.stdout.contains(#""allowed":true"#) && piped.stdout.contains("warnings"))

        let quiet = try await CLI.run(["review", "-", "-q"] + flags, stdin: denied)
        #expect(quiet.status == 1 && quiet.stdout.isEmpty)

        let malformed = try await CLI.run(["review", "-"] + flags, stdin: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#)
        #expect(malformed.status == 2, "\(malformed.all)")
        #expect(malformed.stdout.contains("error") && malformed.stderr.contains("HTTP 400"), "\(malformed.all)")
        let missing = try await CLI.run(["review", "/nonexistent/review.json"] + flags)
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/review.json"), "\(missing.all)")
    }
}

/// `atcr-verify resolve DID`: trust first, then what the verifier would learn.
@Suite("atcr-verify resolve")
struct ResolveCommandTests {
    @Test("a trusted DID: id, handle, key type and Multikey, PDS, latest rev; an untrusted one is refused without a request unless --any")
    func resolve() async throws {
        let world = try await TestWorld.start()
        let policy = try CLI.writePolicy(world)
        let flags = try CLI.worldFlags(world) + ["--policy", policy]
        let alice = try #require(world.accounts["alice"]), mallory = try #require(world.accounts["mallory"])
        let latest = try #require(world.pds.account(alice.did)?.latest.commit.rev?.string)

        let text = try await CLI.run(["resolve", alice.did.string] + flags)
        #expect(text.status == 0, "\(text.all)")
        for fragment in [alice.did.string, alice.handle, alice.key.publicKey.multikey, alice.key.type.displayName, world.pdsServer.origin, latest] {
            #expect(text.stdout.contains(fragment), "\(fragment): \(text.stdout)")
        }
        let json = try await CLI.run(["resolve", alice.did.string, "--json"] + flags)
        let object = try json.json()
        #expect(object["id"] == .string(alice.did.string) && object["latestRev"] == .string(latest), "\(json.stdout)")
        #expect(object["signingKey"]?["multikey"] == .string(alice.key.publicKey.multikey))
        #expect(object["signingKey"]?["type"] == .string(alice.key.type.rawValue))
        #expect(object["pds"] == .string(world.pdsServer.origin))

        let before = world.plcServer.log.count(containing: mallory.did.string)
        let refused = try await CLI.run(["resolve", mallory.did.string] + flags)
        #expect(refused.status == 2 && refused.stderr.contains("not in the trustedDIDs") && refused.stderr.contains("--any"), "\(refused.all)")
        #expect(world.plcServer.log.count(containing: mallory.did.string) == before, "trust first: no request for an untrusted DID")
        let any = try await CLI.run(["resolve", mallory.did.string, "--any"] + CLI.worldFlags(world))
        #expect(any.status == 0 && any.stdout.contains(mallory.key.publicKey.multikey), "\(any.all)")

        let malformed = try await CLI.run(["resolve", "did:nope", "--any"] + CLI.worldFlags(world))
        #expect(malformed.status == 2, "\(malformed.all)")
        let unknown = try await CLI.run(["resolve", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "--any"] + CLI.worldFlags(world))
        #expect(unknown.status == 1 && unknown.stderr.contains("did not resolve"), "\(unknown.all)")
        let unreachable = try await CLI.run(["resolve", alice.did.string, "--plc-url", "http://127.0.0.1:9", "--timeout", "3"] + flags.dropFirst(2))
        #expect(unreachable.status == 4, "\(unreachable.all)")
        await world.stop()
    }
}

/// `atcr-verify coverage`: signed-by-trusted counts.
@Suite("atcr-verify coverage")
struct CoverageCommandTests {
    @Test("per policy and per namespace, unsigned and failing listed; table and JSON; over images and over manifests")
    func coverage() async throws {
        let world = try await TestWorld.shared()
        let policy = try CLI.writePolicy(world)
        let flags = try CLI.worldFlags(world) + ["--policy", policy]
        let images = try ["signed-k256", "revoked", "unsigned", "audit-unsigned"].map { try #require(world.image($0)).reference }
        let json = try await CLI.run(["coverage"] + images + flags + ["--namespace", "prod", "--json"])
        #expect(json.status == 0, "\(json.all)")
        let report = try json.json()
        #expect(report["total"]?["images"] == .number("4") && report["total"]?["signed"] == .number("1"), "\(json.stdout)")
        #expect(report["total"]?["failing"] == .number("3"))
        #expect(report["policies"] == .array([
            .object([JSONMember(name: "policy", value: .string("production-images")), JSONMember(name: "images", value: .number("3")),
                     JSONMember(name: "signed", value: .number("1")), JSONMember(name: "failing", value: .number("2"))]),
            .object([JSONMember(name: "policy", value: .string("dev-images")), JSONMember(name: "images", value: .number("1")),
                     JSONMember(name: "signed", value: .number("0")), JSONMember(name: "failing", value: .number("1"))]),
        ]), "\(json.stdout)")
        if case .array(let unsigned)? = report["unsigned"] {
            #expect(unsigned.map { $0["image"] } == images.dropFirst().map { .string($0) })
        } else { Issue.record("no unsigned list") }

        let table = try await CLI.run(["coverage"] + images + flags)
        #expect(table.status == 0 && table.stdout.contains("production-images") && table.stdout.contains("33%"), "\(table.stdout)")
        #expect(table.stdout.contains("not signed by a trusted DID:") && table.stdout.contains(images[1]), "\(table.stdout)")

        let project = try CheckCommandTests.Project(world)
        let manifests = try await CLI.run(["coverage", "-f", "k8s", "--json"] + CLI.worldFlags(world), directory: project.directory)
        #expect(manifests.status == 0, "\(manifests.all)")
        let namespaces = try manifests.json()["namespaces"]
        #expect(namespaces == .array([
            .object([JSONMember(name: "namespace", value: .string("default")), JSONMember(name: "images", value: .number("1")),
                     JSONMember(name: "signed", value: .number("1")), JSONMember(name: "failing", value: .number("0"))]),
            .object([JSONMember(name: "namespace", value: .string("prod")), JSONMember(name: "images", value: .number("3")),
                     JSONMember(name: "signed", value: .number("1")), JSONMember(name: "failing", value: .number("2"))]),
            .object([JSONMember(name: "namespace", value: .string("dev")), JSONMember(name: "images", value: .number("1")),
                     JSONMember(name: "signed", value: .number("1")), JSONMember(name: "failing", value: .number("0"))]),
        ]), "\(manifests.stdout)")
        let none = try await CLI.run(["coverage"] + flags)
        #expect(none.status == 2)
    }

    @Test("--min-coverage gates: below it exits 1 with the report still printed and the shortfall on stderr; at it exits 0; out of range is a usage error")
    func minimum() async throws {
        let world = try await TestWorld.shared()
        let flags = try CLI.worldFlags(world) + ["--policy", try CLI.writePolicy(world)]
        let images = try ["signed-k256", "unsigned", "signed-p256"].map { try #require(world.image($0)).reference }
        let below = try await CLI.run(["coverage"] + images + flags + ["--min-coverage", "67"])
        #expect(below.status == 1, "\(below.all)")
        #expect(below.stdout.contains("production-images"), "the report is printed: \(below.stdout)")
        #expect(below.stderr.contains("coverage 2 of 3 images signed by a trusted DID (67%) is below --min-coverage 67%: 1 more must be signed"),
                "2/3 is 66.7%, below 67 though shown rounded: \(below.stderr)")
        let reached = try await CLI.run(["coverage"] + images + flags + ["--min-coverage", "66.6", "--quiet"])
        #expect(reached.status == 0 && reached.stdout.isEmpty, "\(reached.all)")
        let unscoped = try await CLI.run(["coverage", try #require(world.image("no-policy")).reference] + flags + ["--min-coverage", "100"])
        #expect(unscoped.status == 0, "no image in a policy's scope: nothing to fall short of: \(unscoped.all)")
        for bad in ["101", "-1", "abc", "33.334"] {
            let usage = try await CLI.run(["coverage"] + images + flags + ["--min-coverage", bad])
            #expect(usage.status == 2, "\(bad): \(usage.all)")
        }
    }
}
