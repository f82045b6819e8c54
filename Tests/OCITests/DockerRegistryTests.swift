import Foundation
import HTTPFetch
import OCI
import Testbed
import Testing

@Suite(
    "Against the real Debian docker-registry (distribution 2.8)",
    .enabled(if: DockerRegistryProcess.binary != nil, "docker-registry is not installed (apt-get install -y docker-registry)"))
struct DockerRegistryTests {
    @Test("push an image and its signature artifact, then discover it through the tag-schema fallback and read it")
    func signatureThroughFallback() async throws {
        let registry = try await DockerRegistryProcess()
        defer { registry.stop() }
        let fetcher = try HTTPFetcher(configuration: FetchConfiguration(allowInsecureHTTP: true))
        do {
            try await Self.exercise(registry.authority, fetcher: fetcher)
        } catch {
            try? await fetcher.shutdown()
            throw error
        }
        try await fetcher.shutdown()
    }

    static func exercise(_ authority: String, fetcher: HTTPFetcher) async throws {
        let pusher = RegistryPusher(baseURL: "http://\(authority)")
        let repository = "alice/prod-api"
        let image = try await pusher.pushImage(repository: repository, tag: "v1")
        let payload = signaturePayload(for: image.digest)
        let signature = try await pusher.push(SignatureArtifact.build(subject: image, payload: payload), repository: repository, updateReferrersTag: true)
        // Another kind of referrer in the same fallback index, which must be filtered out.
        let sbomBytes = Array(#"{"spdxVersion":"SPDX-2.3"}"#.utf8)
        try await pusher.pushBlob(sbomBytes, repository: repository)
        let sbom = ImageManifest(
            artifactType: "application/spdx+json", config: EmptyDescriptor.descriptor,
            layers: [Descriptor(mediaType: "application/spdx+json", bytes: sbomBytes)], subject: image)
        let sbomDigest = try await pusher.pushManifest(sbom.encoded(), mediaType: MediaType.ociImageManifest, repository: repository)
        try await pusher.addReferrer(
            Descriptor(mediaType: MediaType.ociImageManifest, bytes: sbom.encoded(), artifactType: "application/spdx+json"),
            subject: image.digest, repository: repository)
        #expect(sbomDigest != signature.digest)

        let client = RegistryClient(fetcher: fetcher, configuration: .init(insecureRegistries: [authority]))
        try await client.probe(registry: authority, deadline: deadline())
        let reference = try ImageReference(parsing: "\(authority)/\(repository):v1")
        let resolved = try await client.resolveDigest(reference, deadline: deadline())
        #expect(resolved.digest == image.digest)
        #expect(resolved.source == .head)

        // Distribution 2.8 has no referrers API: it answers 404.
        let referrersAPI = try await fetcher.fetch(
            FetchRequest(url: "http://\(authority)/v2/\(repository)/referrers/\(image.digest)", maxBodyBytes: 4096, deadline: deadline()))
        #expect(referrersAPI.status == 404)

        let discovery = try await client.signatureArtifacts(for: reference, digest: resolved.digest, deadline: deadline())
        #expect(discovery.source == .tagSchema(tag: "sha256-\(image.digest.encoded)"))
        #expect(discovery.artifacts.map(\.descriptor.digest) == [signature.digest])
        let read = try #require(try discovery.artifacts.first?.result.get())
        #expect(read.payload == payload)
        #expect(read.manifest.subject?.digest == image.digest)
        #expect(read.manifestDigest == signature.digest)

        // The registry stored the artifact byte for byte, subject included.
        let stored = try await client.fetchManifest(
            RepositoryLocation(registry: authority, repository: repository), reference: .digest(signature.digest), deadline: deadline())
        #expect(try stored.imageManifest().artifactType == MediaType.atprotoSignature)
    }
}
