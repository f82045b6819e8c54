import Foundation
import OCI
import Testing
@testable import Verifier

@Suite("Cache byte bounds: LRUStore costs, EvidenceCache maxBytes, the verifier's estimates", .timeLimit(.minutes(1)))
struct CacheByteBoundTests {
    @Test("LRUStore evicts least recently used entries until the total cost fits; an entry too big alone is not kept")
    func storeCosts() {
        var store = LRUStore<String, Int>(capacity: 100, maxCost: 10)
        #expect(store.insert(1, for: "a", cost: 4).isEmpty)
        #expect(store.insert(2, for: "b", cost: 4).isEmpty)
        store.touch("a")
        #expect(store.insert(3, for: "c", cost: 2).isEmpty)
        #expect(store.totalCost == 10)
        let evicted = store.insert(4, for: "d", cost: 7)
        #expect(evicted.map(\.key) == ["b", "a"], "the least recently used first, until the total fits")
        #expect(store.keysByRecency == ["d", "c"])
        #expect(store.totalCost == 9)
        #expect(store.insert(5, for: "huge", cost: 11).map(\.key) == ["huge"], "too big alone: not kept, and nothing else goes")
        #expect(store.keysByRecency == ["d", "c"])
        store.insert(6, for: "d", cost: 1)  // replacing updates the total
        #expect(store.totalCost == 3)
        store.remove("d")
        #expect(store.totalCost == 2)
        store.removeAll()
        #expect(store.totalCost == 0 && store.count == 0)
    }

    @Test("an EvidenceCache with maxBytes never holds more than its bound, whatever the entry count")
    func cacheBytes() async throws {
        let cache = EvidenceCache<String, [UInt8]>(
            configuration: CacheConfiguration(capacity: 1_000, maxBytes: 10_000), cost: { _, value in value?.count ?? 0 })
        for index in 0..<50 {
            _ = try await cache.value(for: "k\(index)") { [UInt8](repeating: 0, count: 1_000) }
            let counters = await cache.counters
            #expect(counters.bytes <= 10_000)
        }
        let counters = await cache.counters
        let perEntry = 1_000 + EvidenceCache<String, [UInt8]>.entryOverhead
        #expect(counters.entries == 10_000 / perEntry)
        #expect(counters.evictions == 50 - counters.entries)
        #expect(counters.bytes == counters.entries * perEntry)
        #expect(try await cache.value(for: "k49") { [] }.source == .hit, "the most recent stay")
        #expect(try await cache.value(for: "k0") { [] }.source == .loaded, "the least recent went")

        await #expect(throws: DefiniteNegative.self) {
            try await cache.value(for: "negative") { throw DefiniteNegative(.noSignature, detail: String(repeating: "x", count: 20_000)) }
        }
        #expect(await cache.counters.bytes <= 10_000, "a negative is costed by its text, and a huge one is not kept")
        #expect(try await cache.value(for: "negative") { [1] }.source == .loaded)
    }

    /// A discovery holding one artifact whose manifest carries `annotationBytes` of annotations
    /// (built without encoding it: only the estimate is under test).
    static func discovery(annotationBytes: Int) -> SignatureDiscovery {
        let layer = Descriptor(mediaType: "application/json", bytes: Array("{}".utf8))
        let subject = Descriptor(mediaType: MediaType.ociImageManifest, bytes: Array("subject".utf8))
        let manifest = ImageManifest(
            artifactType: MediaType.atprotoSignature, config: layer, layers: [layer], subject: subject,
            annotations: ["padding": String(repeating: "a", count: annotationBytes)])
        let payload = SignaturePayload(
            subject: .init(digest: subject.digest), atproto: .init(did: "did:plc:alice", recordUri: "at://did:plc:alice/io.atcr.manifest/3k"))
        let manifestDigest = Digest.sha256(of: Array("manifest \(annotationBytes)".utf8))
        let fetched = FetchedSignature(manifestDigest: manifestDigest, manifest: manifest, layer: layer, payloadBytes: Array("{}".utf8), payload: payload)
        let descriptor = Descriptor(
            mediaType: MediaType.ociImageManifest, digest: manifestDigest, size: Int64(annotationBytes + 512), artifactType: MediaType.atprotoSignature)
        return SignatureDiscovery(source: .referrersAPI, artifacts: [.init(descriptor: descriptor, result: .success(fetched))])
    }

    @Test("a discovery with a 4 MiB manifest is estimated at 4 MiB or more; the artifacts cache keeps its share of the total")
    func discoveryEstimate() async throws {
        let big = Self.discovery(annotationBytes: 4 << 20)
        #expect(CacheSizes.of(big) >= 4 << 20)
        #expect(CacheSizes.of(Self.discovery(annotationBytes: 0)) < 4_096, "an ordinary discovery is small")

        var configuration = VerifierCaches.Configuration()
        configuration.limitBytes(to: 32 << 20)
        #expect(configuration.discoveries.maxBytes == 16 << 20)
        #expect(configuration.totalMaxBytes == 32 << 20)
        let caches = VerifierCaches(configuration: configuration)
        for index in 0..<10 {
            let key = DigestKey(registry: "atcr.io", repository: "alice/app", digest: .sha256(of: Array("\(index)".utf8)))
            _ = try await caches.discoveries.value(for: key) { big }  // one value, ten keys: each entry is estimated alike
        }
        let counters = await caches.discoveries.counters
        #expect(counters.bytes <= 16 << 20)
        #expect(counters.entries == 3, "16 MiB holds three 4 MiB discoveries, not ten")
        #expect(counters.evictions == 7)
    }

    @Test("defaults: 64 MiB over the four caches; the DID stale-if-error window is settable, zero disables it")
    func configurationDefaults() {
        var configuration = VerifierCaches.Configuration()
        #expect(configuration.totalMaxBytes == VerifierCaches.Configuration.defaultTotalBytes)
        #expect(configuration.identities.staleIfError == .seconds(3_600))
        configuration.didStaleIfError = .seconds(60)
        #expect(configuration.identities.staleIfError == .seconds(60))
        configuration.didStaleIfError = .zero
        #expect(configuration.identities.staleIfError == nil)
        configuration.limitBytes(to: 1_000_003)
        #expect(configuration.totalMaxBytes == 1_000_003)
    }
}
