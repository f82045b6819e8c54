import ATProto
import Foundation
import HTTPFetch
import Testbed
import Testing

/// Live changes to a running world through its admin endpoint: each ends in a new signed commit
/// that the PDS, the PLC directory and a verifier see.
@Suite("Live world changes")
struct WorldChangesTests {
    /// Reads the world over HTTPS as a verifier would.
    struct Reader {
        let world: TestWorld
        let fetcher: HTTPFetcher

        func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
            let response = try await fetcher.fetch(FetchRequest(url: url, maxBodyBytes: 1 << 20, deadline: .now + .seconds(5)))
            return (response.status, response.body)
        }

        func latestRev(_ did: DID, on origin: String) async throws -> (status: Int, rev: String?, error: String?) {
            let (status, body) = try await get("\(origin)/xrpc/com.atproto.sync.getLatestCommit?did=\(did.string)")
            let json = try JSONParser().parse(body)
            var rev: String?, error: String?
            if case .string(let value)? = json["rev"] { rev = value }
            if case .string(let value)? = json["error"] { error = value }
            return (status, rev, error)
        }

        func identity(_ did: DID) async throws -> ResolvedIdentity {
            let (_, body) = try await get("\(world.plcServer.origin)/\(did.string)")
            let document = try DIDDocument(json: body)
            return ResolvedIdentity(
                did: did, key: try document.signingKey(for: did), pds: try document.pdsEndpoint(allowInsecureLocal: true), handle: nil)
        }

        /// The proof for `uri` from `origin`, verified under `key`.
        func proof(_ uri: String, on origin: String, key: PublicKey) async throws -> RecordProof {
            let parsed = try ATURI(uri)
            let did = try DID(parsed.authority)
            let collection = try #require(parsed.collection), recordKey = try #require(parsed.recordKey)
            let (status, car) = try await get(
                "\(origin)/xrpc/com.atproto.sync.getRecord?did=\(did.string)&collection=\(collection.string)&rkey=\(recordKey.string)")
            #expect(status == 200)
            return try RecordProofVerifier().verify(
                car: car, request: RecordProofRequest(did: did, key: key, collection: collection, recordKey: recordKey))
        }
    }

    struct ResolvedIdentity {
        let did: DID
        let key: PublicKey
        let pds: ServiceEndpoint
        let handle: String?
    }

    @Test("revoke, unrelated commit, key rotation, PDS move, new account and image: each a new signed commit")
    func changes() async throws {
        let world = try await TestWorld.start()
        let reader = Reader(world: world, fetcher: try HTTPFetcher(configuration: .init(caBundlePath: world.caPath)))
        let outcome: Result<Void, any Error>
        do {
            outcome = .success(try await Self.changes(world, reader: reader))
        } catch {
            outcome = .failure(error)
        }
        try await reader.fetcher.shutdown()
        await world.stop()
        try outcome.get()
    }

    static func changes(_ world: TestWorld, reader: Reader) async throws {
        let admin = WorldAdminClient(world: world)
        let alice = try #require(world.accounts["alice"]), bob = try #require(world.accounts["bob"]), carol = try #require(world.accounts["carol"])
        let pds = world.pdsServer.origin

        // An unrelated commit: a newer rev, the signatures untouched.
        let before = try await reader.latestRev(alice.did, on: pds).rev
        let commit = try #require(try await admin.change("commit", ["account": "alice"]).first)
        #expect(commit.did == alice.did.string && commit.rev > (before ?? ""))
        #expect(try await reader.latestRev(alice.did, on: pds).rev == commit.rev)
        let aliceRecord = try #require(world.image("signed-k256")?.recordURIs.first)
        #expect(try await reader.proof(aliceRecord, on: pds, key: alice.key.publicKey).record != nil)

        // Revoke: a valid proof of absence at the new rev.
        let image = try #require(world.image("signed-p256"))
        let revoke = try #require(try await admin.change("revoke", ["scenario": "signed-p256"]).first)
        #expect(revoke.uri == image.recordURIs.first && revoke.did == carol.did.string)
        let absent = try await reader.proof(try #require(revoke.uri), on: pds, key: carol.key.publicKey)
        #expect(absent.record == nil && absent.rev?.string == revoke.rev)

        // Key rotation: the document names the new key; the latest commit verifies only under it.
        let rotation = try #require(try await admin.change("rotate-key", ["account": "alice"]).first)
        #expect(rotation.oldKey == alice.key.publicKey.multikey)
        let rotated = try await reader.identity(alice.did)
        #expect(rotated.key.multikey == rotation.newKey && rotated.key != alice.key.publicKey)
        #expect(try await reader.proof(aliceRecord, on: pds, key: rotated.key).rev?.string == rotation.rev)
        await #expect(throws: ProofError.self) { _ = try await reader.proof(aliceRecord, on: pds, key: alice.key.publicKey) }

        // A PDS move: the document names the second PDS; the first answers RepoDeactivated.
        let move = try #require(try await admin.change("move-pds", ["account": "bob"]).first)
        #expect(move.oldPDS == pds && move.newPDS == world.secondPDSServer.origin)
        #expect(try await reader.identity(bob.did).pds.origin == world.secondPDSServer.origin)
        let old = try await reader.latestRev(bob.did, on: pds)
        #expect(old.status == 400 && old.error == "RepoDeactivated")
        #expect(try await reader.latestRev(bob.did, on: world.secondPDSServer.origin).rev == move.rev)
        let bobRecord = try #require(world.image("two-signers")?.recordURIs.first { $0.contains(bob.did.string) })
        #expect(try await reader.proof(bobRecord, on: world.secondPDSServer.origin, key: bob.key.publicKey).record != nil)

        // A new account signs a new image.
        let account = try #require(try await admin.change("account", ["name": "zed"]).first)
        let zed = try DID(account.did)
        #expect(try await reader.identity(zed).key.multikey == account.newKey)
        let signed = try #require(try await admin.change("sign", ["account": "zed", "repository": "zed/prod-new", "tag": "v1"]).first)
        #expect(signed.reference == "\(world.registryName)/zed/prod-new:v1")
        let key = try PublicKey(multikey: try #require(account.newKey))
        #expect(try await reader.proof(try #require(signed.uri), on: pds, key: key).record != nil)

        // Refusals name what is wrong.
        await #expect(throws: WorldAdminClient.Refused.self) { _ = try await admin.change("revoke", ["scenario": "no-such-scenario"]) }
        await #expect(throws: WorldAdminClient.Refused.self) { _ = try await admin.change("commit", [:]) }
    }

    @Test("atcr-testbed change: the subcommand reaches the admin endpoint named in world.json")
    func subcommand() async throws {
        let world = try await TestWorld.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("change-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try world.writeState(to: directory)
        let process = Process()
        process.executableURL = BuiltProduct.url(named: "atcr-testbed")
        process.arguments = ["change", "--state", directory.path, "commit", "--account", "alice"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        // The admin endpoint it calls runs on this process's concurrency pool: wait without
        // blocking a thread of it.
        let status = try await withCheckedThrowingContinuation { (exited: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { exited.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                exited.resume(throwing: error)
            }
        }
        let text = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(status == 0)
        let alice = try #require(world.accounts["alice"])
        #expect(text.contains(alice.did.string), "\(text)")
        #expect(text.contains(world.pds.account(alice.did)?.latest.commit.rev?.string ?? "none"))
        await world.stop()
    }
}
