import OCI
import Testbed
import Testing

@Suite("Registry client: signature artifacts of an image (pipeline steps 3-4, docs/architecture.md), end to end")
struct SignatureArtifactsTests {
    static let repository = "alice/app"

    /// Pushes an artifact for `image` whose manifest is `manifest` with its `layer` bytes.
    static func pushRaw(_ registry: TestRegistry, manifest: ImageManifest, layer: [UInt8]) throws -> Descriptor {
        try registry.putBlob(EmptyDescriptor.bytes, repository: repository)
        try registry.putBlob(layer, repository: repository)
        return try registry.putManifest(manifest.encoded(), mediaType: MediaType.ociImageManifest, repository: repository)
    }

    @Test("good artifacts are read; each bad one fails on its own with the precise reason")
    func mixed() async throws {
        try await Harness.with { world in
            let registry = world.registry
            let image = try registry.pushImage(repository: Self.repository, tag: "v1")
            let other = try registry.pushImage(repository: Self.repository, tag: "other", seed: "other")
            var expected: [Digest: String] = [:]

            let good = try registry.push(SignatureArtifact.build(subject: image, payload: signaturePayload(for: image.digest)), repository: Self.repository)
            expected[good.digest] = "ok did:plc:ewvi7nxzyoun6zhxrhs64oiz"
            let second = try registry.push(
                SignatureArtifact.build(subject: image, payload: signaturePayload(for: image.digest, did: "did:web:bob.test")),
                repository: Self.repository)
            expected[second.digest] = "ok did:web:bob.test"

            let otherSubject = try registry.push(
                SignatureArtifact.build(subject: image, payload: signaturePayload(for: other.digest, did: "did:plc:payloadsubject")),
                repository: Self.repository)
            expected[otherSubject.digest] = "payloadSubjectMismatch"

            let invalid = try registry.push(
                SignatureArtifact.build(subject: image, payloadBytes: Array(#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(image.digest)"},"atproto":{"recordUri":"at://x"}}"#.utf8)),
                repository: Self.repository)
            expected[invalid.digest] = "payload missingField(atproto.did)"

            let tampered = SignatureArtifact.build(subject: image, payload: signaturePayload(for: image.digest, did: "did:plc:tampered"))
            let tamperedDescriptor = try registry.push(tampered, repository: Self.repository)
            registry.serveBlob(tampered.manifest.layers[0].digest, as: signaturePayload(for: image.digest, did: "did:plc:mallory").encoded())
            expected[tamperedDescriptor.digest] = "registry digestMismatch transient"

            let wrongLayerBytes = signaturePayload(for: image.digest, did: "did:plc:wronglayer").encoded()
            let wrongLayer = try Self.pushRaw(
                registry,
                manifest: ImageManifest(
                    artifactType: MediaType.atprotoSignature, config: EmptyDescriptor.descriptor,
                    layers: [Descriptor(mediaType: "application/json", bytes: wrongLayerBytes)], subject: image),
                layer: wrongLayerBytes)
            expected[wrongLayer.digest] = "artifact notASignatureArtifact"

            let hugeBytes = Array(#"{"$type":"io.atcr.atproto.signature","pad":""#.utf8) + [UInt8](repeating: 0x61, count: 70 * 1024) + Array(#""}"#.utf8)
            let huge = try registry.push(SignatureArtifact.build(subject: image, payloadBytes: hugeBytes), repository: Self.repository)
            expected[huge.digest] = "registry blobTooLarge"

            let flaky = SignatureArtifact.build(subject: image, payload: signaturePayload(for: image.digest, did: "did:plc:flaky"))
            let flakyDescriptor = try registry.push(flaky, repository: Self.repository)
            registry.configure {
                $0.faults = [RegistryFault(status: 500, count: 1, pathContains: "/blobs/\(flaky.manifest.layers[0].digest)")]
            }
            expected[flakyDescriptor.digest] = "registry serverError transient"

            let discovery = try await world.client().signatureArtifacts(
                for: try world.reference("\(Self.repository):v1"), digest: image.digest, deadline: deadline())
            #expect(discovery.source == .referrersAPI)
            #expect(discovery.artifacts.count == expected.count)
            #expect(discovery.artifacts.map(\.descriptor.digest) == expected.keys.sorted())
            for artifact in discovery.artifacts {
                #expect(Self.summary(artifact.result) == expected[artifact.descriptor.digest], "\(artifact.descriptor.digest)")
            }
            let goodResult = try #require(try discovery.artifacts.first { $0.descriptor.digest == good.digest }?.result.get())
            #expect(goodResult.payload == signaturePayload(for: image.digest))
            #expect(goodResult.manifestDigest == good.digest)
            #expect(goodResult.payloadBytes == signaturePayload(for: image.digest).encoded())
            #expect(world.registry.log.count(pathContains: "/blobs/\(huge.digest)") == 0)
        }
    }

    static func summary(_ result: Result<FetchedSignature, SignatureArtifactFailure>) -> String {
        switch result {
        case .success(let signature): return "ok \(signature.payload.atproto.did)"
        case .failure(.payloadSubjectMismatch): return "payloadSubjectMismatch"
        case .failure(.payload(.missingField(let field))): return "payload missingField(\(field))"
        case .failure(.payload(let error)): return "payload \(error)"
        case .failure(.artifact(.notASignatureArtifact)): return "artifact notASignatureArtifact"
        case .failure(.artifact(.subjectMismatch)): return "artifact subjectMismatch"
        case .failure(.registry(let error)):
            let name: String
            switch error.kind {
            case .digestMismatch: name = "digestMismatch"
            case .blobTooLarge: name = "blobTooLarge"
            case .serverError: name = "serverError"
            default: name = "\(error.kind)"
            }
            return "registry \(name)" + (error.isTransient ? " transient" : "")
        }
    }

    @Test("through the tag-schema fallback: an artifact whose subject names another image is rejected, the good one read")
    func fallbackWithSubjectMismatch() async throws {
        var behavior = RegistryBehavior()
        behavior.referrersAPI = false
        behavior.maintainsReferrersTag = false
        try await Harness.with(behavior: behavior) { world in
            let registry = world.registry
            let image = try registry.pushImage(repository: Self.repository, tag: "v1")
            let other = try registry.pushImage(repository: Self.repository, tag: "other", seed: "other")
            let good = try registry.push(SignatureArtifact.build(subject: image, payload: signaturePayload(for: image.digest)), repository: Self.repository)
            let misplaced = try registry.push(
                SignatureArtifact.build(subject: other, payload: signaturePayload(for: image.digest, did: "did:plc:misplaced")),
                repository: Self.repository)
            // The pusher's fallback index lists both under the image (a confused or hostile pusher).
            try registry.putManifest(
                ImageIndex(manifests: [good, misplaced]).encoded(), mediaType: MediaType.ociImageIndex, repository: Self.repository,
                tag: image.digest.referrersTag)

            let discovery = try await world.client().signatureArtifacts(
                for: try world.reference("\(Self.repository):v1"), digest: image.digest, deadline: deadline())
            #expect(discovery.source == .tagSchema(tag: image.digest.referrersTag))
            #expect(discovery.artifacts.map(\.descriptor.digest) == [good.digest, misplaced.digest])
            #expect(Self.summary(discovery.artifacts[0].result) == "ok did:plc:ewvi7nxzyoun6zhxrhs64oiz")
            guard case .failure(.artifact(.subjectMismatch(let expected, let found))) = discovery.artifacts[1].result else {
                Issue.record("expected a subject mismatch, got \(discovery.artifacts[1].result)")
                return
            }
            #expect(expected == image.digest)
            #expect(found == other.digest)
        }
    }

    @Test("an unsigned image has no artifacts; a failing discovery throws")
    func unsignedAndFailing() async throws {
        try await Harness.with { world in
            let image = try world.registry.pushImage(repository: Self.repository, tag: "v1")
            let discovery = try await world.client().signatureArtifacts(
                for: try world.reference("\(Self.repository):v1"), digest: image.digest, deadline: deadline())
            #expect(discovery.artifacts.isEmpty)
            world.registry.configure { $0.faults = [RegistryFault(status: 502, count: 1, pathContains: "/referrers/")] }
            let error = await registryError {
                _ = try await world.client().signatureArtifacts(
                    for: try world.reference("\(Self.repository):v1"), digest: image.digest, deadline: deadline())
            }
            #expect(error?.kind == .serverError(status: 502))
            #expect(error?.isTransient == true)
        }
    }
}
