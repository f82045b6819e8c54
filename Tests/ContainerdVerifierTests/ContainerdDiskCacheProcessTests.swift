import ContainerdVerifier
import Foundation
import Testbed
import Testing

/// The disk cache across real verifier processes, as the pulls of one node share it.
@Suite("atcr-containerd-verifier: the disk cache between pulls")
struct ContainerdDiskCacheProcessTests {
    /// Requests the PLC directory and the PDSes received about `did`.
    static func identityAndProofRequests(_ world: TestWorld, about did: String) -> Int {
        let encoded = did.replacingOccurrences(of: ":", with: "%3A")
        return [world.plcServer, world.pdsServer, world.secondPDSServer].reduce(0) { total, server in
            total + server.log.count(containing: did) + server.log.count(containing: encoded)
        }
    }

    @Test("the next pull of an image reuses the signer's DID document and proof: no request to the PLC directory or the PDS about it")
    func secondPullSavesTheRoundTrips() async throws {
        let world = try await TestWorld.start()
        let image = try #require(world.image("signed-k256-digest"))
        let signer = try #require(image.signers.first)
        let environment = try ContainerdVerifierProcessTests.environment(world)

        let first = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: environment)
        #expect(first.exitCode == 0, "\(first.reason) \(first.stderr)")
        let fetched = Self.identityAndProofRequests(world, about: signer)
        #expect(fetched >= 2, "the first pull resolves the DID and fetches the proof")
        let registryRequests = world.registryServer.log.count()

        let second = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: environment)
        #expect(second.exitCode == 0 && second.reason == first.reason, "\(second.reason) \(second.stderr)")
        #expect(Self.identityAndProofRequests(world, about: signer) == fetched, "nothing about \(signer) fetched again")
        #expect(world.registryServer.log.count() > registryRequests, "the signature artifacts are still read from the registry")

        var uncached = environment
        uncached["ATCR_CACHE_DIR"] = "none"
        let third = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: uncached)
        #expect(third.exitCode == 0, "\(third.reason)")
        #expect(Self.identityAndProofRequests(world, about: signer) >= fetched + 2, "without the cache, both are fetched again")
        await world.stop()
    }

    @Test("a PDS replaying an older commit is caught on a later pull: the highest rev seen is kept on disk")
    func replayAcrossPulls() async throws {
        let world = try await TestWorld.shared()
        let baseline = try #require(world.image("replay-baseline")), replayed = try #require(world.image("replayed-commit"))
        let environment = try ContainerdVerifierProcessTests.environment(world)
        let seen = try await ContainerdCall.run(name: baseline.reference, digest: baseline.digest, environment: environment)
        #expect(seen.exitCode == 0, "\(seen.reason) \(seen.stderr)")
        let caught = try await ContainerdCall.run(name: replayed.reference, digest: replayed.digest, environment: environment)
        #expect(caught.exitCode == 1, "\(caught.reason) \(caught.stderr)")
        #expect(caught.reason.contains("replayed-commit"), "\(caught.reason)")

        // What the cache adds: a process that never saw the newer commit cannot tell.
        var forgetful = try ContainerdVerifierProcessTests.environment(world)
        forgetful["ATCR_CACHE_DIR"] = "none"
        let fooled = try await ContainerdCall.run(name: replayed.reference, digest: replayed.digest, environment: forgetful)
        #expect(fooled.exitCode == 0, "\(fooled.reason)")
    }

    @Test("concurrent pulls share the cache safely: every pull judged, the file whole, every signer's rev kept")
    func concurrentPulls() async throws {
        let world = try await TestWorld.shared()
        let environment = try ContainerdVerifierProcessTests.environment(world)
        let images = world.images.filter { $0.expected == .allow && !$0.signers.isEmpty }
        #expect(images.count >= 4)
        let calls = try await withThrowingTaskGroup(of: (String, ContainerdCall).self) { group in
            for image in images {
                group.addTask {
                    (image.scenario, try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: environment))
                }
            }
            var calls: [(String, ContainerdCall)] = []
            for try await call in group { calls.append(call) }
            return calls
        }
        for (scenario, call) in calls {
            #expect(call.exitCode == 0, "\(scenario): \(call.reason) \(call.stderr)")
            #expect(!call.stderr.contains("disk cache"), "\(scenario): \(call.stderr)")
        }
        let directory = try CacheDirectory.prepare(try #require(environment["ATCR_CACHE_DIR"]))
        let snapshot = try directory.read()
        let signers = Set(images.flatMap(\.signers))
        #expect(signers.isSubset(of: Set(snapshot.revisions.map(\.did))), "\(snapshot.revisions.map(\.did))")
        #expect(signers.isSubset(of: Set(snapshot.identities.map(\.did))))
    }

    @Test("a cache directory others may write is not used: the pull is verified over the network, and stderr says why")
    func unsafeDirectory() async throws {
        let world = try await TestWorld.shared()
        let image = try #require(world.image("signed-k256-digest"))
        let environment = try ContainerdVerifierProcessTests.environment(world)
        let path = try #require(environment["ATCR_CACHE_DIR"])
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o777)
        let call = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: environment)
        #expect(call.exitCode == 0, "\(call.reason) \(call.stderr)")
        #expect(call.stderr.contains("disk cache not used") && call.stderr.contains("chmod go-w"), "\(call.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path + "/cache.json"))
    }
}
