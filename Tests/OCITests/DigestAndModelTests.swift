import Foundation
import OCI
import Testing

@Suite("Digests and OCI models")
struct DigestAndModelTests {
    @Test("the OCI empty descriptor is the digest of {} and two bytes")
    func emptyDescriptor() {
        #expect(EmptyDescriptor.digest.description == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(EmptyDescriptor.descriptor.size == 2)
        #expect(EmptyDescriptor.descriptor.mediaType == "application/vnd.oci.empty.v1+json")
    }

    @Test("sha256 and matching")
    func hashing() throws {
        let digest = Digest.sha256(of: Array("abc".utf8))
        #expect(digest.description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest.matches(Array("abc".utf8)))
        #expect(!digest.matches(Array("abd".utf8)))
        let sha512 = try Digest(parsing: "sha512:" + String(repeating: "0", count: 128))
        #expect(sha512.isVerifiable)
        #expect(!sha512.matches(Array("abc".utf8)))
        let other = try Digest(parsing: "blake3:abcDEF_-=")
        #expect(!other.isVerifiable)
        #expect(other.recomputed(over: [1, 2, 3]) == nil)
    }

    /// (digest, referrers tag)
    static let referrersTags: [(String, String)] = [
        ("sha256:" + String(repeating: "a", count: 64), "sha256-" + String(repeating: "a", count: 64)),
        ("sha512:" + String(repeating: "b", count: 128), "sha512-" + String(repeating: "b", count: 64)),
        (
            "test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation",
            "test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot"
        ),
    ]

    @Test("OCI 1.1 referrers tag schema", arguments: referrersTags)
    func referrersTag(_ row: (String, String)) throws {
        #expect(try Digest(parsing: row.0).referrersTag == row.1)
    }

    @Test("descriptors round-trip through JSON with artifactType, annotations and subject")
    func descriptorCoding() throws {
        let subject = Descriptor(mediaType: MediaType.ociImageManifest, bytes: Array("image".utf8))
        let manifest = ImageManifest(
            artifactType: MediaType.atprotoSignature, config: EmptyDescriptor.descriptor,
            layers: [Descriptor(mediaType: MediaType.atprotoSignature, bytes: [1, 2, 3])], subject: subject,
            annotations: ["org.opencontainers.image.created": "2025-01-01T00:00:00Z"])
        let bytes = manifest.encoded()
        let decoded = try JSONDecoder().decode(ImageManifest.self, from: Data(bytes))
        #expect(decoded == manifest)
        #expect(decoded.encoded() == bytes, "encoding is deterministic")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""artifactType":"application/vnd.atproto.signature.v1+json""#))
        #expect(!text.contains(#"\/"#), "slashes are not escaped")
    }

    @Test("a descriptor with a malformed digest does not decode")
    func badDescriptor() {
        let json = #"{"mediaType":"a/b","digest":"sha256:xyz","size":1}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Descriptor.self, from: Data(json.utf8)) }
    }
}
