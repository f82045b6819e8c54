import ATProto
import ATProtoWriter
import Synchronization
import Testing
@testable import Verifier

/// The rule that decides whether a cached proof may still be used, the per-host budget, and
/// key/PDS change detection, without a network.
@Suite("Freshness ledger, host budget, identity changes")
struct FreshnessLedgerTests {
    static let did = try! DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    static let pds = try! ServiceEndpoint("https://pds.example.com")
    static let key = SigningKey.derived(.k256, seed: "ledger-a").publicKey
    static let otherKey = SigningKey.derived(.k256, seed: "ledger-b").publicKey

    static func rev(_ microseconds: UInt64) -> TID { TID(microseconds: microseconds, clockID: 1) }

    static func signature(rev: TID?, requestedAt: ContinuousClock.Instant, pds: ServiceEndpoint = pds, did: DID = did) -> VerifiedSignature {
        let cid = CID.dagCBOR(block: [0xA0])
        return VerifiedSignature(
            did: did, handle: nil, keyType: .k256, rev: rev?.string, commitCID: cid, recordCID: cid, staleIdentity: false, pds: pds,
            key: key, requestedAt: requestedAt)
    }

    @Test("a proof is superseded only by a newer rev reported after it was requested")
    func supersession() {
        let ledger = FreshnessLedger()
        let t0 = ContinuousClock.now
        let proof = Self.signature(rev: Self.rev(100), requestedAt: t0)
        ledger.noteUse(proof, now: t0)
        #expect(ledger.isCurrent(proof), "no hint yet")

        #expect(!ledger.record(Self.rev(100), for: Self.did, at: t0 + .seconds(1)), "the same rev supersedes nothing")
        #expect(ledger.isCurrent(proof))

        #expect(ledger.record(Self.rev(200), for: Self.did, at: t0 + .seconds(2)), "a newer rev supersedes the proof")
        #expect(!ledger.isCurrent(proof))
        #expect(!ledger.acceptsCached(proof) && ledger.supersededCount == 1)

        let fresh = Self.signature(rev: Self.rev(200), requestedAt: t0 + .seconds(3))
        #expect(ledger.isCurrent(fresh))
        let lagging = Self.signature(rev: Self.rev(150), requestedAt: t0 + .seconds(3))
        #expect(ledger.isCurrent(lagging), "requested after the hint arrived: the freshest the PDS serves, never a loop")
        #expect(!ledger.record(Self.rev(200), for: Self.did, at: t0 + .seconds(4)), "a repeated hint keeps its time")
        #expect(ledger.isCurrent(lagging))
    }

    @Test("an unavailable repository supersedes every proof requested before it")
    func unavailable() {
        let ledger = FreshnessLedger()
        let t0 = ContinuousClock.now
        let proof = Self.signature(rev: Self.rev(100), requestedAt: t0)
        ledger.noteUse(proof, now: t0)
        #expect(ledger.record(nil, for: Self.did, at: t0 + .seconds(1)))
        #expect(!ledger.isCurrent(proof))
        #expect(ledger.isCurrent(Self.signature(rev: Self.rev(100), requestedAt: t0 + .seconds(2))))
        #expect(!ledger.record(Self.rev(300), for: try! DID("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"), at: t0), "unknown DIDs are not recorded")
    }

    @Test("active DIDs: used within the window, with the PDS of their latest proof; idle ones forgotten")
    func active() {
        let ledger = FreshnessLedger()
        let t0 = ContinuousClock.now
        let moved = try! ServiceEndpoint("https://other.example.com")
        ledger.noteUse(Self.signature(rev: Self.rev(1), requestedAt: t0), now: t0)
        ledger.noteUse(Self.signature(rev: Self.rev(2), requestedAt: t0, pds: moved), now: t0 + .seconds(10))
        #expect(ledger.active(usedSince: t0 + .seconds(5)) == [FreshnessLedger.Active(did: Self.did, pds: moved)])
        #expect(ledger.active(usedSince: t0 + .seconds(11)).isEmpty)
        #expect(ledger.count == 0)
    }

    @Test("the per-host budget spaces requests, stretches the cycle, and slows down on 429")
    func hostPace() {
        let t0 = ContinuousClock.now
        var pace = HostPace(rate: 2, now: t0)
        var taken: [Bool] = []
        for offset in [0, 100, 500, 600] { taken.append(pace.take(at: t0 + .milliseconds(offset))) }
        #expect(taken == [true, false, true, false], "2 per second: one slot every 0.5 s")
        #expect(pace.cycle(dids: 10, interval: .seconds(5)) == 5, "10 DIDs at 2/s fit in 5 s")
        #expect(pace.cycle(dids: 100, interval: .seconds(5)) == 50, "100 DIDs at 2/s: a 50 s cycle")
        pace.rateLimited(at: t0 + .seconds(1), retryAfter: .seconds(3))
        #expect(pace.effectiveRate == 1)
        let early = pace.take(at: t0 + .seconds(3)), onTime = pace.take(at: t0 + .seconds(4))
        #expect(!early && onTime, "Retry-After is honoured")
        #expect(pace.cycle(dids: 100, interval: .seconds(5)) == 100)
        pace.succeeded()
        #expect(pace.effectiveRate > 1 && pace.effectiveRate < 2)
    }

    @Test("key and PDS changes: against the last verification, once per new value; against pins")
    func identityChanges() {
        let changes = ChangeLog()
        let monitor = IdentityChangeMonitor { changes.append($0) }
        let newPDS = try! ServiceEndpoint("https://new.example.com")
        let signer = SignerTrust(did: Self.did)
        monitor.resolved(ResolvedIdentity(did: Self.did, key: Self.key, pds: Self.pds, handle: "a.test"), signer: signer)
        #expect(changes.all.isEmpty, "nothing verified yet: no baseline")
        monitor.verified(did: Self.did, key: Self.key, pds: Self.pds)
        monitor.resolved(ResolvedIdentity(did: Self.did, key: Self.otherKey, pds: newPDS, handle: "a.test"), signer: signer)
        monitor.resolved(ResolvedIdentity(did: Self.did, key: Self.otherKey, pds: newPDS, handle: "a.test"), signer: signer)
        #expect(changes.all.map(\.kind) == [.key, .pds], "each change reported once: \(changes.all)")
        #expect(changes.all.first?.old == Self.key.multikey && changes.all.first?.new == Self.otherKey.multikey)
        #expect(changes.all.last?.old == Self.pds.origin && changes.all.last?.new == newPDS.origin)
        monitor.verified(did: Self.did, key: Self.otherKey, pds: newPDS)
        monitor.resolved(ResolvedIdentity(did: Self.did, key: Self.otherKey, pds: newPDS, handle: "a.test"), signer: signer)
        #expect(changes.all.count == 2, "the new baseline")

        let pinned = ChangeLog()
        let pins = IdentityChangeMonitor { pinned.append($0) }
        pins.resolved(
            ResolvedIdentity(did: Self.did, key: Self.otherKey, pds: Self.pds, handle: nil),
            signer: SignerTrust(did: Self.did, pinnedKeys: [Self.key]))
        #expect(pinned.all.count == 1 && pinned.all.first?.againstPin == true && pinned.all.first?.old == Self.key.multikey)
    }
}

/// Collects reported changes.
final class ChangeLog: Sendable {
    private let items = Mutex<[IdentityChange]>([])
    func append(_ change: IdentityChange) { items.withLock { $0.append(change) } }
    var all: [IdentityChange] { items.withLock { $0 } }
}
