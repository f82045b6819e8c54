import OCI
import Testbed
import Testing

@Suite("Registry client: referrers API, pagination and tag-schema fallback, end to end")
struct ReferrersClientTests {
    /// Pushes an image with `signatures` ATProto signature artifacts and one SBOM artifact.
    static func populate(_ registry: TestRegistry, signatures: Int) throws -> (image: Descriptor, signatures: [Descriptor]) {
        let image = try registry.pushImage(repository: "alice/app", tag: "v1")
        var pushed: [Descriptor] = []
        for index in 0..<signatures {
            let payload = signaturePayload(for: image.digest, rkey: "rkey\(index)")
            pushed.append(try registry.push(SignatureArtifact.build(subject: image, payload: payload), repository: "alice/app"))
        }
        let sbomBytes = Array(#"{"spdxVersion":"SPDX-2.3"}"#.utf8)
        try registry.putBlob(sbomBytes, repository: "alice/app")
        try registry.putBlob(EmptyDescriptor.bytes, repository: "alice/app")
        let sbom = ImageManifest(
            artifactType: "application/spdx+json", config: EmptyDescriptor.descriptor,
            layers: [Descriptor(mediaType: "application/spdx+json", bytes: sbomBytes)], subject: image)
        try registry.putManifest(sbom.encoded(), mediaType: MediaType.ociImageManifest, repository: "alice/app")
        return (image, pushed.sorted { $0.digest < $1.digest })
    }

    @Test("the artifactType filter is percent-encoded and applied", arguments: [true, false])
    func filter(registryHonoursFilter: Bool) async throws {
        var behavior = RegistryBehavior()
        behavior.honoursArtifactTypeFilter = registryHonoursFilter
        try await Harness.with(behavior: behavior) { world in
            let (image, signatures) = try Self.populate(world.registry, signatures: 2)
            let list = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            #expect(list.source == .referrersAPI)
            #expect(list.descriptors.map(\.digest) == signatures.map(\.digest))
            #expect(list.descriptors.allSatisfy { $0.artifactType == MediaType.atprotoSignature })
            let request = try #require(world.registry.log.filter { $0.path.contains("/referrers/") }.first)
            #expect(request.path == "/v2/alice/app/referrers/\(image.digest)")
            #expect(request.query == "artifactType=application%2Fvnd.atproto.signature.v1%2Bjson")
            #expect(request.accept == MediaType.ociImageIndex)
        }
    }

    /// (link base: nil relative, "" absolute to the registry itself)
    @Test("Link rel=next pages are followed, relative or absolute", arguments: [false, true])
    func pagination(absoluteLinks: Bool) async throws {
        var behavior = RegistryBehavior()
        behavior.referrersPageSize = 1
        try await Harness.with(behavior: behavior) { world in
            // Absolute links name the registry as clients reach it (its canonical name, localhost:<port>).
            if absoluteLinks { world.registry.configure { $0.linkBase = "http://\(world.name)" } }
            let (image, signatures) = try Self.populate(world.registry, signatures: 3)
            let list = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            #expect(list.descriptors.map(\.digest) == signatures.map(\.digest))
            #expect(list.pages == 3)
            let pages = world.registry.log.filter { $0.path.contains("/referrers/") }
            #expect(pages.count == 3)
            #expect(pages.dropFirst().allSatisfy { $0.query?.contains("last=sha256") == true })
            #expect(pages.allSatisfy { $0.query?.contains("artifactType=application%2Fvnd.atproto.signature.v1%2Bjson") == true })
        }
    }

    @Test("a pagination link to another host is refused, not followed")
    func foreignLink() async throws {
        var behavior = RegistryBehavior()
        behavior.referrersPageSize = 1
        try await Harness.with(behavior: behavior) { world in
            world.registry.configure { $0.linkBase = world.blobServer.origin }
            let (image, _) = try Self.populate(world.registry, signatures: 2)
            let error = await registryError {
                _ = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            }
            guard case .foreignPaginationLink(let link) = error?.kind else {
                Issue.record("expected foreignPaginationLink, got \(String(describing: error))")
                return
            }
            #expect(link.hasPrefix(world.blobServer.origin))
            #expect(world.blobHost.log.all.isEmpty)
        }
    }

    @Test("the number of signature referrers and of pages is bounded")
    func bounds() async throws {
        var behavior = RegistryBehavior()
        behavior.referrersPageSize = 1
        try await Harness.with(behavior: behavior) { world in
            let (image, _) = try Self.populate(world.registry, signatures: 3)
            let tooMany = await registryError {
                _ = try await world.client { $0.maxReferrers = 2 }
                    .referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            }
            #expect(tooMany?.kind == .tooManyReferrers(limit: 2))
            #expect(tooMany?.isTransient == false)
            let tooManyPages = await registryError {
                _ = try await world.client { $0.maxReferrerPages = 2 }
                    .referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            }
            #expect(tooManyPages?.kind == .tooManyReferrerPages(limit: 2))
        }
    }

    @Test("the default bound is 16 signature artifacts")
    func defaultBound() async throws {
        try await Harness.with { world in
            let (image, _) = try Self.populate(world.registry, signatures: 17)
            let error = await registryError {
                _ = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            }
            #expect(error?.kind == .tooManyReferrers(limit: 16))
        }
    }

    @Test("with the referrers API off (404), the sha256-<hex> tag index is read and filtered")
    func fallback() async throws {
        var behavior = RegistryBehavior()
        behavior.referrersAPI = false
        try await Harness.with(behavior: behavior) { world in
            let (image, signatures) = try Self.populate(world.registry, signatures: 2)
            let list = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            let tag = "sha256-" + image.digest.encoded
            #expect(list.source == .tagSchema(tag: tag))
            #expect(list.descriptors.map(\.digest) == signatures.map(\.digest))
            #expect(world.registry.log.all.map(\.line) == [
                "GET /v2/alice/app/referrers/\(image.digest)?artifactType=application%2Fvnd.atproto.signature.v1%2Bjson",
                "GET /v2/alice/app/manifests/\(tag)",
            ])
            #expect(world.registry.log.all.map(\.status) == [404, 200])
        }
    }

    @Test("no referrers API and no fallback tag: no referrers, not an error")
    func fallbackEmpty() async throws {
        var behavior = RegistryBehavior()
        behavior.referrersAPI = false
        try await Harness.with(behavior: behavior) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let list = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            #expect(list == ReferrerList(source: .tagSchema(tag: image.digest.referrersTag), descriptors: [], pages: 0))
        }
    }

    @Test("an image without signatures has an empty referrers list")
    func none() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let list = try await world.client().referrers(world.location("alice/app"), subject: image.digest, deadline: deadline())
            #expect(list == ReferrerList(source: .referrersAPI, descriptors: [], pages: 1))
        }
    }
}
