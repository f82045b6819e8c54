import ATProto
import Testing
import Verifier

@Suite("RevisionTracker")
struct RevisionTrackerTests {
    static func rev(_ microseconds: UInt64) -> TID { TID(microseconds: microseconds, clockID: 0) }

    /// A distinct did:plc for each index.
    static func did(_ index: Int) throws -> DID {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var suffix = ""
        var rest = index
        for _ in 0..<4 {
            suffix.append(alphabet[rest % 32])
            rest /= 32
        }
        return try DID("did:plc:" + String(repeating: "a", count: 20) + suffix)
    }

    @Test("the first rev of a DID is newer; higher is newer, equal is equal, lower is older")
    func ordering() async throws {
        let tracker = RevisionTracker()
        let did = try Self.did(1)
        #expect(await tracker.observe(did: did, rev: Self.rev(1_000)) == .newer)
        #expect(await tracker.observe(did: did, rev: Self.rev(2_000)) == .newer)
        #expect(await tracker.observe(did: did, rev: Self.rev(2_000)) == .equal)
        #expect(await tracker.observe(did: did, rev: Self.rev(1_000)) == .older(highestSeen: Self.rev(2_000)))
        #expect(await tracker.highestSeen(for: did) == Self.rev(2_000))
    }

    @Test("an older rev does not lower the highest seen: a replay stays older when refetched")
    func olderDoesNotLower() async throws {
        let tracker = RevisionTracker()
        let did = try Self.did(1)
        _ = await tracker.observe(did: did, rev: Self.rev(5_000))
        #expect(await tracker.observe(did: did, rev: Self.rev(4_000)) == .older(highestSeen: Self.rev(5_000)))
        #expect(await tracker.observe(did: did, rev: Self.rev(4_000)) == .older(highestSeen: Self.rev(5_000)))
        #expect(await tracker.observe(did: did, rev: Self.rev(5_000)) == .equal)
    }

    @Test("DIDs are tracked separately")
    func perDID() async throws {
        let tracker = RevisionTracker()
        _ = await tracker.observe(did: try Self.did(1), rev: Self.rev(9_000))
        #expect(await tracker.observe(did: try Self.did(2), rev: Self.rev(1_000)) == .newer)
        #expect(await tracker.highestSeen(for: try Self.did(1)) == Self.rev(9_000))
    }

    @Test("revs compare as strings, which for TIDs is by time")
    func stringOrder() async throws {
        let tracker = RevisionTracker()
        let did = try Self.did(1)
        let earlier = try #require(TID("3jzfcijpj2z2a"))
        let later = try #require(TID("3jzfcijpj2z2b"))
        _ = await tracker.observe(did: did, rev: later)
        #expect(await tracker.observe(did: did, rev: earlier) == .older(highestSeen: later))
    }

    @Test("bounded: past capacity the least recently observed DID is forgotten")
    func bounded() async throws {
        let tracker = RevisionTracker(capacity: 2)
        _ = await tracker.observe(did: try Self.did(1), rev: Self.rev(100))
        _ = await tracker.observe(did: try Self.did(2), rev: Self.rev(100))
        _ = await tracker.observe(did: try Self.did(1), rev: Self.rev(100))  // 1 is now the most recent
        _ = await tracker.observe(did: try Self.did(3), rev: Self.rev(100))  // forgets 2
        #expect(await tracker.count == 2)
        #expect(await tracker.highestSeen(for: try Self.did(2)) == nil)
        #expect(await tracker.highestSeen(for: try Self.did(1)) == Self.rev(100))
        #expect(await tracker.highestSeen(for: try Self.did(3)) == Self.rev(100))
        for index in 10..<50 { _ = await tracker.observe(did: try Self.did(index), rev: Self.rev(1)) }
        #expect(await tracker.count == 2)
    }
}
