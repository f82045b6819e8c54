import ATProto
import Foundation
import OCI
import Testbed
import Testing
import TrustPolicy
@testable import Verifier

/// The verifier against the real local world over HTTPS, for every scenario: the verdict the
/// world's policy reaches, and the exact failed check.
@Suite("Verifier against the test world")
struct WorldScenarioTests {
    static let scenarios = [
        "signed-k256", "signed-k256-digest", "signed-p256", "signed-did-web", "two-signers", "one-of-two", "unsigned",
        "untrusted-signer", "wrong-digest", "wrong-repository", "revoked", "replay-baseline", "replayed-commit",
        "rotated-key", "high-s", "subject-mismatch", "tampered-blob", "multi-arch", "multi-arch-platform",
        "audit-unsigned", "no-policy",
    ]

    @Test("every scenario gets its expected verdict and failed check", arguments: scenarios)
    func scenario(_ name: String) async throws {
        let world = try await TestWorld.shared()
        let image = try #require(world.image(name), "the world has no scenario \(name)")
        let verifier = try WorldVerifier(world)
        defer { Task { await verifier.shutdown() } }
        if let first = image.after, let prerequisite = world.image(first) {
            _ = try await verifier.decide(prerequisite.reference)
        }
        let (verdict, decision) = try await verifier.decide(image.reference)

        let expected: PolicyDecision.Verdict = switch image.expected {
        case .allow: .allow
        case .audit: .audit
        case .deny: .deny
        }
        #expect(decision.verdict == expected, "\(name): \(decision.reason) / \(verdict.signatures)")
        if let policy = image.policy { #expect(decision.results.contains { $0.policy == policy }, "\(name) decided by \(decision.results.map(\.policy))") }

        let failures = verdict.signatures.compactMap { report -> SignatureFailure? in
            if case .failed(let failure) = report.status { return failure } else { return nil }
        }
        switch image.failedCheck {
        case nil:
            #expect(failures.isEmpty, "\(name): unexpected failures \(failures)")
            if image.expected == .allow, image.policy != nil {
                #expect(Set(verdict.verifiedDIDs) == Set(image.signers), "\(name): verified \(verdict.verifiedDIDs)")
            }
        case "no-signature":
            #expect(verdict.signatures.isEmpty && verdict.error == nil, "\(name): \(verdict.signatures) \(verdict.error ?? "")")
        case "untrusted":
            #expect(!verdict.signatures.isEmpty && verdict.signatures.allSatisfy { $0.status == .untrusted })
            #expect(decision.reason.contains(image.signers[0]), "a denial names the untrusted signer it found: \(decision.reason)")
        case "min-signatures":
            #expect(verdict.verifiedDIDs.count == 1 && failures.isEmpty)
        case let check?:
            #expect(failures.map(\.checkName) == [check], "\(name): \(failures)")
        }
        if image.digest.hasPrefix("sha256:"), image.policy != nil {
            #expect(verdict.digest?.description == image.digest)
        }
    }

    @Test("no policy scope matches: no registry, DID or PDS request at all")
    func noRequestsOutsideScope() async throws {
        let world = try await TestWorld.start()
        let verifier = try WorldVerifier(world)
        let image = try #require(world.image("no-policy"))
        for server in world.servers { server.log.clear() }
        let (verdict, decision) = try await verifier.decide(image.reference)
        #expect(verdict.scope == .noMatchingPolicy && decision.verdict == .allow)
        #expect(world.servers.allSatisfy { $0.log.count() == 0 }, "requests: \(world.servers.map { $0.log.all.map(\.line) })")
        await verifier.shutdown()
        await world.stop()
    }

    @Test("trust first: an untrusted signer's DID document and PDS are never contacted")
    func trustFirst() async throws {
        let world = try await TestWorld.start()
        let verifier = try WorldVerifier(world)
        let image = try #require(world.image("untrusted-signer"))
        let mallory = try #require(world.accounts["mallory"])
        for server in world.servers { server.log.clear() }
        let (_, decision) = try await verifier.decide(image.reference)
        #expect(decision.verdict == .deny)
        #expect(world.plcServer.log.count() == 0, "no DID resolution for an untrusted DID: \(world.plcServer.log.all.map(\.line))")
        #expect(world.pdsServer.log.count() == 0, "no proof fetch for an untrusted DID")
        #expect(world.registryServer.log.count() > 0, "the registry was asked (the image is in scope)")
        #expect(!world.plcServer.log.all.contains { $0.line.contains(mallory.did.string) })
        await verifier.shutdown()
        await world.stop()
    }

    @Test("caches: a second verification of the same image makes no request; concurrent ones share fetches")
    func cachesAndDeduplication() async throws {
        let world = try await TestWorld.start()
        let verifier = try WorldVerifier(world)
        let image = try #require(world.image("signed-k256-digest"))
        for server in world.servers { server.log.clear() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let (_, decision) = try await verifier.decide(image.reference)
                    #expect(decision.verdict == .allow)
                }
            }
            try await group.waitForAll()
        }
        #expect(world.plcServer.log.count() == 1, "20 concurrent verifications, one DID resolution")
        #expect(world.pdsServer.log.count() == 1, "and one proof fetch")
        let before = world.servers.map { $0.log.count() }
        let (_, again) = try await verifier.decide(image.reference)
        #expect(again.verdict == .allow)
        #expect(world.servers.map { $0.log.count() } == before, "a warm verification makes no request")
        await verifier.shutdown()
        await world.stop()
    }
}
