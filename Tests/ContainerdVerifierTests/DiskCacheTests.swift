import ATProto
import ContainerdVerifier
import Foundation
import OCI
import Synchronization
import Testing
import Verifier

/// The disk cache without a process: the snapshot's merge and bounds, the directory's
/// ownership rules, atomic replacement and locking, and the hand-over through real caches.
@Suite("Disk cache of the containerd verifier")
struct DiskCacheTests {
    static let k256 = "zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N"
    static let commit = "bafyreia2kq243hqq3volwlzkbzzphoeqauk54sc5h7vgogq4ei5fjizxvy"
    static let record = "bafyreiaerlvitye7fjjwodkshtbqqdsmfsdjtnlz4vs6y4trnddshsmd5a"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func identity(_ did: String, at time: Double, pds: String = "https://pds.example.com") -> CacheSnapshot.Identity {
        .init(did: did, key: k256, pds: pds, handle: "alice.example.com", fetchedAt: time)
    }

    static func proof(_ did: String, at time: Double, key: String = k256) -> CacheSnapshot.Proof {
        .init(
            registry: "atcr.io", repository: "alice/app", digest: digest, did: did, handle: nil, key: key,
            rev: "3jzfcijpj2z2a", commit: commit, record: record, pds: "https://pds.example.com", fetchedAt: time)
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-disk-cache-\(UUID().uuidString)").path
        return path
    }

    @Test("merging keeps the most recent document and proof per key and the highest rev per DID, within the bounds")
    func merge() {
        let old = CacheSnapshot(
            identities: [Self.identity("did:plc:a", at: 100), Self.identity("did:plc:b", at: 300)],
            proofs: [Self.proof("did:plc:a", at: 100)],
            revisions: [.init(did: "did:plc:a", rev: "3jzfcijpj2z2b", seenAt: 100)])
        let new = CacheSnapshot(
            identities: [Self.identity("did:plc:a", at: 200, pds: "https://moved.example.com")],
            proofs: [Self.proof("did:plc:a", at: 50)],
            revisions: [.init(did: "did:plc:a", rev: "3jzfcijpj2z2a", seenAt: 200)])
        let merged = old.merged(with: new, now: 1_000)
        #expect(merged.identities.map(\.did) == ["did:plc:b", "did:plc:a"])
        #expect(merged.identities.last?.pds == "https://moved.example.com")
        #expect(merged.proofs == [Self.proof("did:plc:a", at: 100)])
        // A process that saw an older rev later never lowers the highest seen.
        #expect(merged.revisions == [.init(did: "did:plc:a", rev: "3jzfcijpj2z2b", seenAt: 200)])

        var bounds = CacheSnapshot.Bounds()
        bounds.identities = 1
        #expect(old.merged(with: new, bounds: bounds, now: 1_000).identities.map(\.did) == ["did:plc:b"])
    }

    @Test("a rev dated in the future is kept, its time capped at now, so it cannot outrank fresh revs for the bound")
    func futureRevision() {
        let stale = CacheSnapshot(revisions: [.init(did: "did:plc:a", rev: "3jzfcijpj2z2b", seenAt: 9_000)])
        let fresh = CacheSnapshot(revisions: [.init(did: "did:plc:b", rev: "3jzfcijpj2z2c", seenAt: 999)])
        var bounds = CacheSnapshot.Bounds()
        bounds.revisions = 1
        #expect(stale.merged(with: fresh, bounds: bounds, now: 1_000).revisions.map(\.did) == ["did:plc:a"],
                "capped at now (1,000), the old entry still sorts first, as the most recent")
        #expect(stale.merged(with: fresh, now: 1_000).revisions.map(\.seenAt) == [1_000, 999])
        // The file keeps the capped time: a rev seen after that write outranks the old entry.
        let written = stale.merged(with: CacheSnapshot(), now: 1_000)
        let later = CacheSnapshot(revisions: [.init(did: "did:plc:b", rev: "3jzfcijpj2z2c", seenAt: 1_000.5)])
        #expect(written.merged(with: later, bounds: bounds, now: 1_001).revisions.map(\.did) == ["did:plc:b"],
                "uncapped, the future entry would stay first until 9,000")
    }

    @Test("entries past their use, or dated in the future, are dropped")
    func dropping() {
        let snapshot = CacheSnapshot(
            identities: [Self.identity("did:plc:a", at: 0), Self.identity("did:plc:b", at: 900), Self.identity("did:plc:c", at: 1_100)],
            proofs: [Self.proof("did:plc:a", at: 600), Self.proof("did:plc:b", at: 800)])
        let kept = snapshot.dropping(olderThan: (identities: 500, proofs: 300), now: 1_000)
        #expect(kept.identities.map(\.did) == ["did:plc:b"])
        #expect(kept.proofs.map(\.did) == ["did:plc:b"])
    }

    @Test("the file round-trips, is created 0600 in a 0700 directory, and a corrupt file is reported, then replaced")
    func fileRoundTrip() throws {
        let path = try Self.directory()
        let directory = try CacheDirectory.prepare(path)
        #expect(try directory.read() == CacheSnapshot())
        let snapshot = CacheSnapshot(identities: [Self.identity("did:plc:a", at: 10)], revisions: [.init(did: "did:plc:a", rev: "3jzfcijpj2z2a", seenAt: 10)])
        try directory.update(with: snapshot, until: .now + .seconds(1))
        #expect(try directory.read() == snapshot)
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "/cache.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o700)

        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path + "/cache.json"))
        #expect(throws: CacheDirectory.Unusable.self) { try directory.read() }
        try directory.update(with: snapshot, until: .now + .seconds(1))
        #expect(try directory.read() == snapshot)
    }

    @Test("a directory others may write, a relative path, or a cache file that is a symlink is refused")
    func ownership() throws {
        let path = try Self.directory()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        chmod(path, 0o777)
        let refused = #expect(throws: CacheDirectory.Unusable.self) { try CacheDirectory.prepare(path) }
        #expect(refused?.description == "\(path) may be written by others (mode 777): chmod go-w")
        #expect(throws: CacheDirectory.Unusable.self) { try CacheDirectory.prepare("relative/cache") }

        let safe = try Self.directory()
        let directory = try CacheDirectory.prepare(safe)
        try FileManager.default.createSymbolicLink(atPath: safe + "/cache.json", withDestinationPath: "/etc/hostname")
        #expect(throws: CacheDirectory.Unusable.self) { try directory.read() }
    }

    @Test("concurrent writers lose nothing: every writer's revision is in the file")
    func concurrentWriters() throws {
        let path = try Self.directory()
        _ = try CacheDirectory.prepare(path)
        let writers = 12
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: writers) { index in
            do {
                // Each writer opens the directory on its own, as separate processes would.
                let directory = try CacheDirectory.prepare(path)
                let rev = TID(microseconds: UInt64(1_000 + index), clockID: 0).string
                try directory.update(
                    with: CacheSnapshot(revisions: [.init(did: "did:plc:writer\(index)", rev: rev, seenAt: Double(index))]),
                    until: .now + .seconds(10))
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let revisions = try CacheDirectory.prepare(path).read().revisions
        #expect(Set(revisions.map(\.did)) == Set((0..<writers).map { "did:plc:writer\($0)" }))
    }

    @Test("captured from caches and restored into a new process's caches: hits with the same TTLs; what does not parse is dropped")
    func handOver() async throws {
        let did = try DID("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
        let first = VerifierCaches()
        let identity = ResolvedIdentity(
            did: did, key: try PublicKey(multikey: Self.k256), pds: try ServiceEndpoint("https://pds.example.com"), handle: "alice.example.com")
        await first.identities.restore(identity, for: did, age: .seconds(100))
        let snapshot = CacheSnapshot(proofs: [Self.proof(did.string, at: 1_000 - 200)])
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(await snapshot.restore(into: first, now: now, allowInsecureLocal: false).proofs == 1)
        _ = await first.revisions.observe(did: did, rev: try #require(TID("3jzfcijpj2z2b")), at: now.addingTimeInterval(-60))

        let captured = await CacheSnapshot.capture(first, now: now)
        #expect(captured.identities.count == 1 && abs((captured.identities.first?.fetchedAt ?? 0) - 900) < 1)
        #expect(captured.proofs.count == 1 && abs((captured.proofs.first?.fetchedAt ?? 0) - 800) < 1)
        #expect(captured.revisions.map(\.rev) == ["3jzfcijpj2z2b"])
        #expect(captured.revisions.map(\.seenAt) == [940], "when the rev was seen, not when the cache was saved")

        // The next process, 150 s later: the document (250 s old) is fresh, the proof (350 s) is not.
        let next = VerifierCaches()
        let encoded = try JSONDecoder().decode(CacheSnapshot.self, from: JSONEncoder().encode(captured))
        let restored = await encoded.restore(into: next, now: now.addingTimeInterval(150), allowInsecureLocal: false)
        #expect(restored == .init(identities: 1, proofs: 0, revisions: 1, rejected: 0))
        #expect(await next.identities.freshValue(for: did) == identity)
        #expect(await next.revisions.highestSeen(for: did) == TID("3jzfcijpj2z2b"))
        let saved = await CacheSnapshot.capture(next, now: now.addingTimeInterval(150))
        #expect(saved.revisions.map(\.seenAt) == [940], "saved again by a process that did not see the DID: still its time")

        // A key that is not a point on the curve, a plain-http PDS, a bad CID: dropped, never trusted.
        var tampered = captured
        tampered.identities[0].key = "zQ3sh" + String(repeating: "1", count: 44)
        tampered.proofs = [Self.proof(did.string, at: 990)]
        tampered.proofs[0].commit = "bafy-not-a-cid"
        tampered.revisions[0].rev = "not-a-tid"
        let refused = await tampered.restore(into: VerifierCaches(), now: now, allowInsecureLocal: false)
        #expect(refused == .init(identities: 0, proofs: 0, revisions: 0, rejected: 3))
    }
}
