import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing

/// A registry picks where its redirects and token realms lead; the client follows only to
/// addresses the configuration allows (issue 18): never loopback, unspecified or link-local
/// outside the test world, private ranges only when the operator allows them.
@Suite("Registry client: where redirects and token realms may lead, end to end")
struct UpstreamTargetTests {
    static func fetch(_ targets: ServerNamedTargets) -> FetchConfiguration {
        FetchConfiguration(allowInsecureHTTP: true, serverNamedTargets: targets)
    }

    @Test("a blob redirect to the blob host's loopback address: refused without the test flag, followed with it")
    func blobRedirectToLoopback() async throws {
        let bytes = Array("signature".utf8)
        let descriptor = Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes)
        for targets in [ServerNamedTargets.publicOnly, .privateAllowed] {
            try await Harness.with(fetch: Self.fetch(targets)) { world in
                try world.registry.putBlob(bytes, repository: "alice/app")
                world.registry.configure { $0.blobRedirectBase = world.blobServer.origin }
                #expect(world.blobServer.origin.hasPrefix("http://127.0.0.1:"))
                let error = await registryError {
                    _ = try await world.client().fetchBlob(world.location("alice/app"), descriptor: descriptor, maxBytes: 1024, deadline: deadline())
                }
                guard case .transport(.redirectRefused(_, let reason)) = error?.kind else {
                    Issue.record("expected a refused redirect, got \(String(describing: error))")
                    return
                }
                #expect(reason.contains("\(world.blobServer.origin)/blobs/"))
                #expect(reason.contains("127.0.0.1 is a loopback address"))
                #expect(error?.description.contains("GET blob") == true, "\(String(describing: error))")
                #expect(error?.isTransient == false)
                #expect(world.blobHost.log.all.isEmpty, "the refused target was never contacted")
            }
        }
        try await Harness.with(fetch: Self.fetch(.any)) { world in
            try world.registry.putBlob(bytes, repository: "alice/app")
            world.registry.configure { $0.blobRedirectBase = world.blobServer.origin }
            let fetched = try await world.client().fetchBlob(world.location("alice/app"), descriptor: descriptor, maxBytes: 1024, deadline: deadline())
            #expect(fetched == bytes)
            #expect(world.blobHost.log.all.count == 1)
        }
    }

    @Test("a blob redirect to the cloud metadata address is refused, whatever the operator allowed short of the test world")
    func blobRedirectToMetadata() async throws {
        for targets in [ServerNamedTargets.publicOnly, .privateAllowed] {
            try await Harness.with(fetch: Self.fetch(targets)) { world in
                let bytes = Array("signature".utf8)
                try world.registry.putBlob(bytes, repository: "alice/app")
                world.registry.configure { $0.blobRedirectBase = "https://169.254.169.254" }
                let error = await registryError {
                    _ = try await world.client().fetchBlob(
                        world.location("alice/app"), descriptor: Descriptor(mediaType: MediaType.atprotoSignature, bytes: bytes),
                        maxBytes: 1024, deadline: deadline())
                }
                guard case .transport(.redirectRefused(_, let reason)) = error?.kind else {
                    Issue.record("expected a refused redirect, got \(String(describing: error))")
                    return
                }
                #expect(reason.hasPrefix("https://169.254.169.254/blobs/"))
                #expect(reason.contains("169.254.169.254 is a link-local address"))
            }
        }
    }

    @Test("a token realm on the metadata address or on loopback is refused before any request to it")
    func tokenRealm() async throws {
        var metadata = RegistryBehavior()
        metadata.authentication = .bearer(TokenService(realm: "https://169.254.169.254/token"))
        try await Harness.with(behavior: metadata, fetch: Self.fetch(.privateAllowed)) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let error = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            }
            guard case .tokenRealmRefused(let realm, let reason) = error?.kind else {
                Issue.record("expected a refused token realm, got \(String(describing: error))")
                return
            }
            #expect(realm == "https://169.254.169.254/token")
            #expect(reason.contains("link-local"))
            #expect(error?.description.contains("refused token realm https://169.254.169.254/token: 169.254.169.254 is a link-local address") == true)
            #expect(error?.isTransient == false)
        }
        // The registry's own token endpoint, on loopback: the test world's flag is what allows it.
        var own = RegistryBehavior()
        own.authentication = .bearer(TokenService())
        try await Harness.with(behavior: own, fetch: Self.fetch(.publicOnly)) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let error = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            }
            guard case .tokenRealmRefused(_, let reason) = error?.kind else {
                Issue.record("expected a refused token realm, got \(String(describing: error))")
                return
            }
            #expect(reason.hasPrefix("localhost is a loopback address"))
            #expect(world.registry.log.count(pathContains: "/token") == 0)
        }
        try await Harness.with(behavior: own, fetch: Self.fetch(.any)) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            #expect(try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline()).digest == image.digest)
        }
    }
}
