import HTTPFetch
import OCI
import Testbed
import Testing

@Suite("Registry client: probe and manifests, end to end")
struct ManifestClientTests {
    @Test("/v2/ probe answers; a server that is not a registry fails with its status")
    func probe() async throws {
        try await Harness.with { world in
            try await world.client().probe(registry: world.name, deadline: deadline())
            let notRegistry = RegistryClient(
                fetcher: world.fetcher, configuration: .init(insecureRegistries: [world.blobServer.authority]))
            let error = await registryError { try await notRegistry.probe(registry: world.blobServer.authority, deadline: deadline()) }
            #expect(error?.kind == .unexpectedStatus(404))
            #expect(error?.isTransient == false)
        }
    }

    @Test("a tag resolves with HEAD and Docker-Content-Digest, sending the Accept list of docs/architecture.md")
    func resolveWithHead() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let resolved = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            #expect(resolved == ResolvedDigest(digest: image.digest, mediaType: MediaType.ociImageManifest, source: .head))
            let requests = world.registry.log.filter { $0.path.contains("/manifests/") }
            #expect(requests.map(\.method) == ["HEAD"])
            #expect(requests.first?.accept == MediaType.manifestAccept.joined(separator: ", "))
        }
    }

    @Test("without Docker-Content-Digest the tag is resolved by GET and sha256 of the bytes")
    func resolveWithGet() async throws {
        var behavior = RegistryBehavior()
        behavior.omitsDigestHeader = true
        try await Harness.with(behavior: behavior) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let resolved = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            #expect(resolved.digest == image.digest)
            #expect(resolved.source == .get)
            #expect(world.registry.log.filter { $0.path.contains("/manifests/") }.map(\.method) == ["HEAD", "GET"])
        }
    }

    @Test("a pinned reference resolves without any request")
    func pinned() async throws {
        try await Harness.with { world in
            let digest = Digest.sha256(of: [1])
            let resolved = try await world.client().resolveDigest(try world.reference("alice/app@\(digest)"), deadline: deadline())
            #expect(resolved == ResolvedDigest(digest: digest, mediaType: nil, source: .reference))
            #expect(world.registry.log.all.isEmpty)
        }
    }

    @Test("an unknown tag is manifestNotFound, a definite answer naming registry and repository")
    func notFound() async throws {
        try await Harness.with { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let error = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("alice/app:nope"), deadline: deadline())
            }
            #expect(error?.kind == .manifestNotFound(reference: "nope"))
            #expect(error?.registry == world.name)
            #expect(error?.repository == "alice/app")
            #expect(error?.isTransient == false)
            #expect(error?.description.contains("\(world.name)/alice/app") == true)
        }
    }

    @Test("a registry that lies about Docker-Content-Digest on GET is caught")
    func lyingDigestHeader() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let lie = Digest.sha256(of: Array("another image".utf8))
            world.registry.configure { $0.digestHeaderLies[image.digest] = lie }
            let error = await registryError {
                _ = try await world.client().fetchManifest(world.location("alice/app"), reference: .tag("v1"), deadline: deadline())
            }
            #expect(error?.kind == .digestMismatch(expected: lie, actual: image.digest))
        }
    }

    @Test("bytes that do not hash to the requested digest are refused")
    func tamperedManifest() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let forged = ImageManifest(config: EmptyDescriptor.descriptor, layers: []).encoded()
            world.registry.serveManifest(image.digest, as: forged)
            let error = await registryError {
                _ = try await world.client().fetchManifest(world.location("alice/app"), reference: .digest(image.digest), deadline: deadline())
            }
            #expect(error?.kind == .digestMismatch(expected: image.digest, actual: Digest.sha256(of: forged)))
            #expect(error?.isTransient == true, "a broken cache on the way may be repaired: never a cached negative")
        }
    }

    @Test("a fetched manifest is the exact bytes, decoded, with digest and media type")
    func fetchAndDecode() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1", seed: "decode")
            let fetched = try await world.client().fetchManifest(
                world.location("alice/app"), reference: .digest(image.digest), expectedSize: image.size, deadline: deadline())
            #expect(fetched.digest == image.digest)
            #expect(fetched.mediaType == MediaType.ociImageManifest)
            #expect(Digest.sha256(of: fetched.bytes) == image.digest)
            #expect(try fetched.imageManifest().layers.count == 1)
            #expect(throws: RegistryError.self) { try fetched.imageIndex() }
        }
    }

    @Test("the registry answers 404 when Accept omits the manifest's media type")
    func acceptMatters() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let error = await registryError {
                _ = try await world.client().fetchManifest(
                    world.location("alice/app"), reference: .digest(image.digest), accept: [MediaType.ociImageIndex], deadline: deadline())
            }
            #expect(error?.kind == .manifestNotFound(reference: image.digest.description))
        }
    }

    @Test("manifests are size-bounded, before and while fetching")
    func manifestBound() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let client = world.client { $0.maxManifestBytes = 100 }
            let whileFetching = await registryError {
                _ = try await client.fetchManifest(world.location("alice/app"), reference: .tag("v1"), deadline: deadline())
            }
            #expect(whileFetching?.kind == .manifestTooLarge(limit: 100))
            world.registry.log.clear()
            let declared = await registryError {
                _ = try await client.fetchManifest(
                    world.location("alice/app"), reference: .digest(image.digest), expectedSize: 101, deadline: deadline())
            }
            #expect(declared?.kind == .manifestTooLarge(limit: 100))
            #expect(world.registry.log.all.isEmpty, "a descriptor already over the bound is not fetched")
        }
    }

    @Test("a size that differs from the descriptor's is refused")
    func sizeMismatch() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let error = await registryError {
                _ = try await world.client().fetchManifest(
                    world.location("alice/app"), reference: .digest(image.digest), expectedSize: image.size + 1, deadline: deadline())
            }
            #expect(error?.kind == .sizeMismatch(expected: image.size + 1, actual: Int(image.size)))
        }
    }
}
