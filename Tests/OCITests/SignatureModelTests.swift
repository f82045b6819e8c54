import Foundation
import OCI
import Testing

@Suite("Signature artifact and signature document")
struct SignatureModelTests {
    static let image = Descriptor(mediaType: MediaType.ociImageManifest, bytes: Array("the signed image".utf8))
    static let payload = SignaturePayload(
        subject: .init(digest: image.digest, mediaType: MediaType.ociImageManifest),
        atproto: .init(
            did: "did:plc:ewvi7nxzyoun6zhxrhs64oiz", handle: "alice.test", pdsEndpoint: "https://pds.test",
            recordUri: "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/io.atcr.manifest/3l4qpz7ajrc2a", commitCid: "bafyreib",
            signedAt: "2025-10-31T12:34:56.789Z"),
        signature: .init(algorithm: "ECDSA-K256-SHA256", keyId: "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto", publicKeyMultibase: "zQ3sh"))

    @Test("the builder produces the wire format of docs/architecture.md")
    func builder() throws {
        let built = SignatureArtifact.build(subject: Self.image, payload: Self.payload)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(built.manifestBytes)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 2)
        #expect(object["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        #expect(object["artifactType"] as? String == "application/vnd.atproto.signature.v1+json")
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["mediaType"] as? String == "application/vnd.oci.empty.v1+json")
        #expect(config["digest"] as? String == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(config["size"] as? Int == 2)
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        #expect(layers.first?["mediaType"] as? String == "application/vnd.atproto.signature.v1+json")
        #expect(layers.first?["digest"] as? String == Digest.sha256(of: Self.payload.encoded()).description)
        let subject = try #require(object["subject"] as? [String: Any])
        #expect(subject["digest"] as? String == Self.image.digest.description)
        #expect(built.descriptor.digest == Digest.sha256(of: built.manifestBytes))
        #expect(built.descriptor.artifactType == MediaType.atprotoSignature)
        #expect(built.blobs == [Array("{}".utf8), Self.payload.encoded()])
        #expect(try SignatureArtifact.validate(built.manifest, mediaType: MediaType.ociImageManifest, imageDigest: Self.image.digest)
            == built.manifest.layers[0])
    }

    @Test("the signature document has the seed's fields and decodes back")
    func payloadRoundTrip() throws {
        let bytes = Self.payload.encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["$type"] as? String == "io.atcr.atproto.signature")
        #expect(object["version"] as? String == "1.0")
        #expect((object["atproto"] as? [String: Any])?["recordUri"] as? String == Self.payload.atproto.recordUri)
        #expect((object["signature"] as? [String: Any])?["keyId"] as? String == "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto")
        #expect(try SignaturePayload(decoding: bytes) == Self.payload)
    }

    @Test("only $type, subject.digest, atproto.did and atproto.recordUri are required")
    func minimalPayload() throws {
        let json = #"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(Self.image.digest)"},"atproto":{"did":"did:web:example.com","recordUri":"at://did:web:example.com/io.atcr.manifest/x"},"extra":[1,2]}"#
        let payload = try SignaturePayload(decoding: Array(json.utf8))
        #expect(payload.atproto.did == "did:web:example.com")
        #expect(payload.atproto.handle == nil)
        #expect(payload.signature == nil)
        #expect(payload.version == nil)
    }

    static let digest = image.digest.description
    /// (document, expected error)
    static let badPayloads: [(String, SignaturePayloadError)] = [
        ("not json", .notJSON("")),
        ("[1]", .notAnObject),
        (#"{"subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#, .missingField("$type")),
        (#"{"$type":"io.atcr.other","subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#, .unexpectedType("io.atcr.other")),
        (#"{"$type":"io.atcr.atproto.signature","atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#, .missingField("subject")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{},"atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#, .missingField("subject.digest")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"sha256:zz"},"atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#,
         .invalidDigest(field: "subject.digest", .invalidHex("sha256:zz", algorithm: "sha256", expectedLength: 64))),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"}}"#, .missingField("atproto")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"recordUri":"at://x"}}"#, .missingField("atproto.did")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":null,"recordUri":"at://x"}}"#, .missingField("atproto.did")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a"}}"#, .missingField("atproto.recordUri")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":5,"recordUri":"at://x"}}"#, .wrongType(field: "atproto.did", expected: "a string")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":"alice","recordUri":"at://x"}}"#,
         .invalidValue(field: "atproto.did", reason: "must be a DID (did:method:identifier)")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a","recordUri":"https://x"}}"#,
         .invalidValue(field: "atproto.recordUri", reason: "must be an at:// URI")),
        (#"{"$type":"io.atcr.atproto.signature","subject":"x","atproto":{"did":"did:plc:a","recordUri":"at://x"}}"#, .wrongType(field: "subject", expected: "an object")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a","recordUri":"at://x","handle":7}}"#,
         .wrongType(field: "atproto.handle", expected: "a string")),
        (#"{"$type":"io.atcr.atproto.signature","subject":{"digest":"\#(digest)"},"atproto":{"did":"did:plc:a","recordUri":"at://x"},"signature":"sig"}"#,
         .wrongType(field: "signature", expected: "an object")),
    ]

    @Test("the strict decoder names the bad field", arguments: badPayloads)
    func strictDecoder(_ row: (String, SignaturePayloadError)) {
        do {
            _ = try SignaturePayload(decoding: Array(row.0.utf8))
            Issue.record("decoded \(row.0)")
        } catch {
            if case .notJSON = row.1, case .notJSON = error { return }
            #expect(error == row.1)
        }
    }

    /// (mutation, expected problem)
    static let badManifests: [(String, @Sendable (inout ImageManifest) -> Void, SignatureArtifactProblem)] = [
        ("other artifact type", { $0.artifactType = "application/vnd.cncf.notary.signature" },
         .notASignatureArtifact("its artifactType is application/vnd.cncf.notary.signature, not application/vnd.atproto.signature.v1+json")),
        ("config not empty", { $0.config = Descriptor(mediaType: "application/vnd.oci.image.config.v1+json", bytes: [1]) },
         .notASignatureArtifact("its config is application/vnd.oci.image.config.v1+json \(Digest.sha256(of: [1])) (1 bytes), not the OCI empty descriptor")),
        ("two layers", { $0.layers.append($0.layers[0]) }, .notASignatureArtifact("it has 2 layers, expected exactly one")),
        ("no layers", { $0.layers = [] }, .notASignatureArtifact("it has 0 layers, expected exactly one")),
        ("wrong layer type", { $0.layers[0].mediaType = "application/json" },
         .notASignatureArtifact("its layer has media type application/json, not application/vnd.atproto.signature.v1+json")),
        ("no subject", { $0.subject = nil }, .subjectMismatch(expected: image.digest, found: nil)),
        ("other subject", { $0.subject?.digest = EmptyDescriptor.digest }, .subjectMismatch(expected: image.digest, found: EmptyDescriptor.digest)),
    ]

    @Test("artifact shape is checked", arguments: badManifests)
    func validation(_ row: (String, @Sendable (inout ImageManifest) -> Void, SignatureArtifactProblem)) {
        var manifest = SignatureArtifact.build(subject: Self.image, payload: Self.payload).manifest
        row.1(&manifest)
        #expect(throws: row.2, "\(row.0)") {
            try SignatureArtifact.validate(manifest, mediaType: MediaType.ociImageManifest, imageDigest: Self.image.digest)
        }
    }

    @Test("a Docker manifest or an index is not a signature artifact")
    func wrongManifestMediaType() {
        let manifest = SignatureArtifact.build(subject: Self.image, payload: Self.payload).manifest
        #expect(throws: SignatureArtifactProblem.self) {
            try SignatureArtifact.validate(manifest, mediaType: MediaType.dockerManifest, imageDigest: Self.image.digest)
        }
    }
}
