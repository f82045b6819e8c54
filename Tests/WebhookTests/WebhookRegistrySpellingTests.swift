import Foundation
import HTTPFetch
import Logging
import Testbed
import Testing
@testable import Webhook

/// Issue 18 at the admission level: an image is decided by the policy whatever spelling of its
/// registry the pod uses, and image volumes are decided like containers.
@Suite("Webhook: registry spellings and image volumes are decided by the policy")
struct WebhookRegistrySpellingTests {
    /// A Pod with `containers` and image volumes, as the API server sends it.
    static func pod(containers: [String], imageVolumes: [String]) -> [UInt8] {
        let containerList = containers.enumerated().map { #"{"name":"c\#($0.offset)","image":"\#($0.element)"}"# }
        let volumeList = imageVolumes.enumerated().map {
            #"{"name":"v\#($0.offset)","image":{"reference":"\#($0.element)","pullPolicy":"IfNotPresent"}}"#
        }
        let object = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod"},"spec":{"volumes":[\#(volumeList.joined(separator: ","))],"containers":[\#(containerList.joined(separator: ","))]}}"#
        return Array(#"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(UUID().uuidString)","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"prod","name":"p","userInfo":{"username":"alice"},"object":\#(object)}}
            """#.utf8)
    }

    @Test("the world's registry spelled as 127.0.0.1, [::1] or with a zero-padded port: the production policy still denies")
    func respelledWorldRegistry() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let unsigned = try #require(world.image("unsigned"))
        let port = try #require(world.registryName.split(separator: ":").last)
        #expect(world.registryName == "localhost:\(port)")
        for host in ["127.0.0.1:\(port)", "[::1]:\(port)", "localhost:0\(port)", "LOCALHOST:\(port)"] {
            let image = unsigned.reference.replacingOccurrences(of: "\(world.registryName)/", with: "\(host)/")
            #expect(image != unsigned.reference)
            let reply = try await harness.post(Reviews.pod([image]))
            let response = reply.json["response"]
            #expect(response["allowed"].bool == false, "\(image): \(reply.body)")
            let message = response["status"]["message"].string ?? ""
            #expect(message.contains(image) && message.contains("production-images"), "\(message)")
        }
        await harness.stop()
    }

    @Test("atcr.io:443 and registry-1.docker.io:443 are decided by the atcr.io/** and docker.io/** policies, not by defaultAction")
    func explicitDefaultPort() async throws {
        let world = try await TestWorld.shared()
        let policy = CertsScriptTests.repository.appendingPathComponent("Tests/Fixtures/policies/registry-spellings.yaml")
        let harness = try await WebhookHarness(world: world) { $0.policyFile = policy.path }
        for image in [
            "atcr.io:443/alice/prod-evil:v1", "atcr.io:0443/alice/prod-evil:v1", "ATCR.IO:443/alice/prod-evil:v1",
            "registry-1.docker.io:443/library/nginx:1.27", "index.docker.io:443/library/nginx:1.27",
        ] {
            let reply = try await harness.post(Reviews.pod([image]))
            #expect(reply.json["response"]["allowed"].bool == true, "\(image): \(reply.body)")
        }
        let lines = harness.audit.all
        #expect(lines.filter { $0.contains(#""policies":[{"name":"atcr-unverified""#) }.count == 3, "\(lines)")
        #expect(lines.filter { $0.contains(#""policies":[{"name":"hub-unverified""#) }.count == 2, "\(lines)")
        let outside = try await harness.post(Reviews.pod(["ghcr.io:443/alice/app:v1"]))
        #expect(outside.json["response"]["allowed"].bool == false)
        #expect(outside.json["response"]["status"]["message"].string?.contains("no policy matches ghcr.io/alice/app; defaultAction is deny") == true,
                "\(outside.body)")
        await harness.stop()
    }

    @Test("--allow-private-upstreams and --allow-insecure-local select where redirects and token realms may lead")
    func upstreamFlags() async throws {
        let cases: [(Bool, Bool, ServerNamedTargets)] = [
            (false, false, .publicOnly), (false, true, .privateAllowed), (true, false, .any), (true, true, .any),
        ]
        for (insecureLocal, privateUpstreams, expected) in cases {
            var configuration = WebhookConfiguration()
            configuration.allowInsecureLocal = insecureLocal
            configuration.allowPrivateUpstreams = privateUpstreams
            configuration.eventsEnabled = false
            let server = try WebhookServer(configuration: configuration, logger: Logger(label: "webhook-test"), audit: { _ in })
            #expect(server.fetcher.configuration.serverNamedTargets == expected)
            try await server.fetcher.shutdown()
        }
    }

    @Test("an unsigned image volume denies a pod whose container is signed; the audit line names the volume")
    func imageVolume() async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world)
        let signed = try #require(world.image("signed-k256")), unsigned = try #require(world.image("unsigned"))
        let reply = try await harness.post(Self.pod(containers: [signed.reference], imageVolumes: [unsigned.reference]))
        let response = reply.json["response"]
        #expect(response["allowed"].bool == false, "\(reply.body)")
        let message = response["status"]["message"].string ?? ""
        #expect(message.contains(unsigned.reference) && message.contains("production-images"), "\(message)")
        let line = try #require(harness.audit.all.first { $0.contains(unsigned.reference) })
        #expect(line.contains(#""containers":["spec.volumes[0].image"]"#), "\(line)")
        // Signed in both places: admitted.
        let both = try await harness.post(Self.pod(containers: [signed.reference], imageVolumes: [signed.reference]))
        #expect(both.json["response"]["allowed"].bool == true, "\(both.body)")
        await harness.stop()
    }
}
