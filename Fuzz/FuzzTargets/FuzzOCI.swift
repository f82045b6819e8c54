import Foundation
import OCI

/// Image references and the registry's JSON: manifests, indexes (referrers), signature payloads.
enum FuzzOCI {
    static func reference(_ bytes: [UInt8]) {
        guard let reference = try? ImageReference(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
        // Normalization is idempotent: the normalized text parses to the same reference, so what
        // a scope glob sees is stable however often a reference is re-read.
        guard let again = try? ImageReference(parsing: reference.description), again == reference else {
            preconditionFailure("reference: \(reference) does not parse back to itself")
        }
    }

    static func json(_ bytes: [UInt8]) {
        let data = Data(bytes)
        let subject = Digest.sha256(of: Array("fuzz".utf8))
        if let manifest = try? JSONDecoder().decode(ImageManifest.self, from: data) {
            _ = try? SignatureArtifact.validate(manifest, mediaType: manifest.mediaType ?? "", imageDigest: subject)
            _ = manifest.encoded()
        }
        if let index = try? JSONDecoder().decode(ImageIndex.self, from: data) {
            _ = index.encoded()
        }
        if let payload = try? SignaturePayload(decoding: bytes) {
            _ = payload.encoded()
        }
    }
}
