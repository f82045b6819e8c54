import ATProto
import ATProtoWriter
import Foundation
import HTTPFetch
import Testbed
import Testing
@testable import Verifier

@Suite("DID resolution over HTTPS (checks 2–6)")
struct DIDResolverTests {
    static func resolver(_ world: IdentityWorld, insecureLocal: Bool = true) -> DIDResolver {
        DIDResolver(fetcher: world.fetcher, options: .init(plcDirectory: world.plcServer.origin, allowInsecureLocal: insecureLocal))
    }

    static var deadline: ContinuousClock.Instant { .now + .seconds(5) }

    @Test("did:plc through the PLC directory: key, PDS, handle")
    func plc() async throws {
        let world = try await IdentityWorld()
        let identity = try await Self.resolver(world).resolve(world.alice, deadline: Self.deadline)
        #expect(identity.key == world.aliceKey.publicKey)
        #expect(identity.pds.origin == world.pdsServer.origin)
        #expect(identity.handle == "alice.test")
        #expect(world.plcServer.log.count(containing: world.alice.string) == 1)
        await world.stop()
    }

    @Test("unknown and deactivated DIDs fail check 2, definitely; an unreachable directory, transiently")
    func notFound() async throws {
        let world = try await IdentityWorld()
        let resolver = Self.resolver(world)
        let unknown = try DID("did:plc:vvpy7d6y2li5yo73cgbszibl")
        await #expect(throws: SignatureFailure.self) { try await resolver.resolve(unknown, deadline: Self.deadline) }
        do {
            _ = try await resolver.resolve(unknown, deadline: Self.deadline)
        } catch {
            #expect(error.checkNumber == 2 && !error.isTransient)
        }
        world.plc.tombstone(world.alice)
        do {
            _ = try await resolver.resolve(world.alice, deadline: Self.deadline)
            Issue.record("a tombstoned DID resolved")
        } catch {
            #expect(error.checkNumber == 2 && error.reason.contains("deactivated"))
        }
        world.plcServer.faults.add(.init(matching: "", status: 503))
        do {
            _ = try await resolver.resolve(unknown, deadline: Self.deadline)
            Issue.record("resolved through a failing directory")
        } catch {
            #expect(error.isTransient, "\(error)")
            #expect(error.checkNumber == 2)
        }
        await world.stop()
    }

    @Test("a directory answering with another account's document fails check 3")
    func wrongDocument() async throws {
        let world = try await IdentityWorld()
        let other = try DID("did:plc:vvpy7d6y2li5yo73cgbszibl")
        world.plc.publish(world.alice, document: DIDDocumentBuilder.document(did: other, handle: "x.test", key: world.aliceKey.publicKey, pds: world.pdsServer.origin))
        do {
            _ = try await Self.resolver(world).resolve(world.alice, deadline: Self.deadline)
            Issue.record("accepted another DID's document")
        } catch {
            #expect(error.checkNumber == 3)
        }
        await world.stop()
    }

    @Test("a key controlled by another DID fails check 4")
    func foreignController() async throws {
        let world = try await IdentityWorld()
        world.plc.publish(world.alice, document: DIDDocumentBuilder.document(
            did: world.alice, handle: "alice.test", key: world.aliceKey.publicKey, pds: world.pdsServer.origin,
            controller: "did:plc:vvpy7d6y2li5yo73cgbszibl"))
        do {
            _ = try await Self.resolver(world).resolve(world.alice, deadline: Self.deadline)
            Issue.record("accepted a foreign-controlled key")
        } catch {
            #expect(error.checkNumber == 4)
        }
        await world.stop()
    }

    @Test("an oversized document fails check 2 without being read past the bound")
    func oversized() async throws {
        let world = try await IdentityWorld()
        let huge = Array(("{\"id\": \"" + String(repeating: "x", count: 70_000) + "\"}").utf8)
        world.plc.publish(world.alice, document: huge)
        do {
            _ = try await Self.resolver(world).resolve(world.alice, deadline: Self.deadline)
            Issue.record("accepted an oversized document")
        } catch {
            #expect(error.checkNumber == 2 && error.reason.contains("larger than"))
        }
        await world.stop()
    }

    @Test("did:web on localhost resolves only with the test flag, and without it makes no request")
    func didWeb() async throws {
        let world = try await IdentityWorld()
        let did = try DID("did:web:localhost%3A\(world.webServer.port)")
        let key = SigningKey.derived(.p256, seed: "web")
        world.web.publish(DIDDocumentBuilder.document(did: did, handle: "web.test", key: key.publicKey, pds: world.pdsServer.origin))
        let identity = try await Self.resolver(world).resolve(did, deadline: Self.deadline)
        #expect(identity.key == key.publicKey && identity.key.type == .p256)
        world.webServer.log.clear()
        do {
            _ = try await Self.resolver(world, insecureLocal: false).resolve(did, deadline: Self.deadline)
            Issue.record("resolved a localhost did:web without the test flag")
        } catch {
            #expect(error.checkNumber == 1)
            #expect("\(error)".contains("--allow-insecure-local"), "names the flag that allows it: \(error)")
        }
        #expect(world.webServer.log.count() == 0)
        await world.stop()
    }

    @Test("loopback PDS endpoints are refused without the test flag (check 6)")
    func loopbackPDS() async throws {
        let world = try await IdentityWorld()
        do {
            _ = try await Self.resolver(world, insecureLocal: false).resolve(world.alice, deadline: Self.deadline)
            Issue.record("accepted a loopback PDS endpoint in production mode")
        } catch {
            #expect(error.checkNumber == 6)
            #expect("\(error)".contains("--allow-insecure-local"), "names the flag that allows it: \(error)")
        }
        await world.stop()
    }
}

@Suite("PDS getRecord over HTTPS (check 7)")
struct PDSClientTests {
    static var deadline: ContinuousClock.Instant { .now + .seconds(5) }

    @Test("a record's proof verifies; a missing one is record-absent either way the PDS says it")
    func getRecord() async throws {
        let world = try await IdentityWorld()
        let rkey = RecordKey("3m5i3qfug2322")!
        try world.pds.commit(did: world.alice) {
            $0.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "app", digest: "sha256:" + String(repeating: "a", count: 64)))
        }
        let pds = try ServiceEndpoint(world.pdsServer.origin, allowInsecureLocal: true)
        let client = PDSClient(fetcher: world.fetcher)
        let car = try await client.getRecord(pds: pds, did: world.alice, collection: .atcrManifest, recordKey: rkey, deadline: Self.deadline)
        let proof = try RecordProofVerifier().verify(car: car, request: .init(did: world.alice, key: world.aliceKey.publicKey, collection: .atcrManifest, recordKey: rkey))
        #expect(proof.isPresent)

        let missing = RecordKey("3m5i3qfug2333")!
        let absentCAR = try await client.getRecord(pds: pds, did: world.alice, collection: .atcrManifest, recordKey: missing, deadline: Self.deadline)
        #expect(try !RecordProofVerifier().verify(car: absentCAR, request: .init(did: world.alice, key: world.aliceKey.publicKey, collection: .atcrManifest, recordKey: missing)).isPresent)

        world.pds.setRecordNotFoundErrors(did: world.alice, true)
        do {
            _ = try await client.getRecord(pds: pds, did: world.alice, collection: .atcrManifest, recordKey: missing, deadline: Self.deadline)
            Issue.record("RecordNotFound not reported")
        } catch {
            #expect(error.kind == .recordAbsent)
        }
        await world.stop()
    }

    @Test("unknown, taken-down repositories fail check 7 definitely; a 503 transiently", arguments: ["RepoNotFound", "RepoTakendown", "503"])
    func repositoryErrors(_ mode: String) async throws {
        let world = try await IdentityWorld()
        let pds = try ServiceEndpoint(world.pdsServer.origin, allowInsecureLocal: true)
        var did = world.alice
        switch mode {
        case "RepoNotFound": did = try DID("did:plc:vvpy7d6y2li5yo73cgbszibl")
        case "503": world.pdsServer.faults.add(.init(matching: "getRecord", status: 503))
        default: world.pds.setStatus(did: world.alice, mode)
        }
        do {
            _ = try await PDSClient(fetcher: world.fetcher).getRecord(pds: pds, did: did, collection: .atcrManifest, recordKey: RecordKey("3k")!, deadline: Self.deadline)
            Issue.record("no failure for \(mode)")
        } catch {
            #expect(error.checkNumber == 7)
            #expect(error.isTransient == (mode == "503"))
            if mode != "503" { #expect(error.reason.contains(mode)) }
        }
        await world.stop()
    }
}
