import ATProto
import OCI

/// Estimated bytes of what the verifier caches, for ``CacheConfiguration/maxBytes``: the text
/// each value holds plus a fixed allowance per string, array and structure. Estimates, not
/// measurements: they grow with exactly what an upstream controls (annotations, layers, payload
/// bytes), so a 4 MiB artifact manifest costs at least its 4 MiB of text.
enum CacheSizes {
    /// Allowance per heap object (a string's or an array's storage) and per small structure.
    static let object = 32

    static func of(_ text: String) -> Int { object + text.utf8.count }
    static func of(_ text: String?) -> Int { text.map(of) ?? 0 }
    static func of(_ digest: Digest) -> Int { of(digest.algorithm) + of(digest.encoded) }

    static func of(_ annotations: [String: String]?) -> Int {
        guard let annotations else { return 0 }
        return annotations.reduce(object) { $0 + of($1.key) + of($1.value) }
    }

    static func of(_ descriptor: Descriptor) -> Int {
        var size = object + of(descriptor.mediaType) + of(descriptor.digest) + of(descriptor.artifactType)
        size += of(descriptor.annotations) + of(descriptor.data)
        size += (descriptor.urls ?? []).reduce(0) { $0 + of($1) }
        if let platform = descriptor.platform {
            size += object + of(platform.architecture) + of(platform.os) + of(platform.variant) + of(platform.osVersion)
        }
        return size
    }

    static func of(_ manifest: ImageManifest) -> Int {
        var size = object + of(manifest.mediaType) + of(manifest.artifactType) + of(manifest.config)
        size += manifest.layers.reduce(object) { $0 + of($1) }
        size += manifest.subject.map(of) ?? 0
        return size + of(manifest.annotations)
    }

    static func of(_ payload: SignaturePayload) -> Int {
        let atproto = payload.atproto
        var size = object + of(payload.version) + of(payload.subject.digest) + of(payload.subject.mediaType)
        size += of(atproto.did) + of(atproto.handle) + of(atproto.pdsEndpoint) + of(atproto.recordUri)
        size += of(atproto.commitCid) + of(atproto.signedAt)
        if let signature = payload.signature {
            size += of(signature.algorithm) + of(signature.keyId) + of(signature.publicKeyMultibase)
        }
        return size
    }

    static func of(_ discovery: SignatureDiscovery) -> Int {
        discovery.artifacts.reduce(object) { size, artifact in
            var entry = of(artifact.descriptor)
            switch artifact.result {
            case .success(let fetched):
                entry += of(fetched.manifestDigest) + of(fetched.manifest) + of(fetched.layer)
                entry += object + fetched.payloadBytes.count + of(fetched.payload)
            case .failure(let failure):
                entry += of(failure.description)
            }
            return size + entry
        }
    }

    static func of(_ identity: ResolvedIdentity) -> Int {
        of(identity.did.string) + object + identity.key.compressed.count + 96  // the parsed key
            + of(identity.pds.description) + of(identity.handle)
    }

    static func of(_ signature: VerifiedSignature) -> Int {
        of(signature.did.string) + of(signature.handle) + of(signature.rev) + 2 * (object + 40)  // two CIDs
    }

    static func of(_ key: TagKey) -> Int { of(key.registry) + of(key.repository) + of(key.tag) }
    static func of(_ key: DigestKey) -> Int { of(key.registry) + of(key.repository) + of(key.digest) }
    static func of(_ key: EvidenceKey) -> Int { of(key.registry) + of(key.repository) + of(key.digest) + of(key.did) }
}
