import ATProto
import Foundation
import Testbed
import Testing

/// `atcr-verify IMAGE… --policy FILE` (the CI use) through the real binary against the world.
/// Tests against the in-process world wait for the binary on a thread of their own
/// (`runOffPool`), so the world keeps the cooperative threads it answers on.
@Suite("atcr-verify verify")
struct VerifyCommandTests {
    @Test("signed images exit 0; a denied one exits 1 and names the image, policy and failed check")
    func verify() async throws {
        let world = try await TestWorld.start()
        let common = try Self.worldArguments(world)
        let signed = try #require(world.image("signed-k256")), p256 = try #require(world.image("signed-p256"))
        let allowed = try await ProofCommandTests.runOffPool([signed.reference, p256.reference] + common)
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        let alice = try #require(world.accounts["alice"])
        #expect(allowed.stdout.contains("ALLOW") && allowed.stdout.contains("signed by \(alice.did.string)"))

        let revoked = try #require(world.image("revoked"))
        let denied = try await ProofCommandTests.runOffPool(["verify", revoked.reference, "--json"] + common)
        #expect(denied.status == 1, "\(denied.stdout)\(denied.stderr)")
        let json = try JSONParser().parse(Array(denied.stdout.utf8))
        guard case .array(let results) = json, let first = results.first else { Issue.record("no JSON array: \(denied.stdout)"); return }
        #expect(first["decision"] == .string("deny"))
        #expect(first["image"] == .string(revoked.reference))
        if case .string(let reason) = first["reason"] {
            #expect(reason.contains("production-images") && reason.contains("record-absent"), "\(reason)")
        } else { Issue.record("no reason") }
        if case .array(let signatures) = first["signatures"] {
            #expect(signatures.first?["failedCheck"]?["name"] == .string("record-absent"), "the one failedCheck shape, {number, name}")
            #expect(signatures.first?["failedCheck"]?["number"] == .null)
            #expect(signatures.first?["checkNumber"] == nil)
        }

        let audit = try #require(world.image("audit-unsigned"))
        let audited = try await ProofCommandTests.runOffPool([audit.reference] + common)
        #expect(audited.status == 0 && audited.stdout.contains("AUDIT"), "\(audited.stdout)")
        await world.stop()
    }

    @Test("issue 18: atcr.io:443/… is atcr.io/…, so the atcr.io/** policy decides it, not defaultAction")
    func explicitDefaultPort() throws {
        let policy = InteropPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/policies/registry-spellings.yaml").path
        let images = [
            "atcr.io:443/alice/prod-evil:v1", "atcr.io:0443/alice/prod-evil:v1", "ATCR.IO:443/alice/prod-evil:v1",
            "registry-1.docker.io:443/library/nginx:1.27", "index.docker.io:443/library/nginx:1.27", "ghcr.io:443/alice/app:v1",
        ]
        let result = try ProofCommandTests.run(["verify"] + images + ["--policy", policy])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "ALLOW atcr.io/alice/prod-evil:v1\n      satisfies atcr-unverified\n").count == 4,
                "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "ALLOW docker.io/library/nginx:1.27\n      satisfies hub-unverified\n").count == 3,
                "\(result.stdout)")
        #expect(result.stdout.contains("DENY  ghcr.io/alice/app:v1\n      no policy matches ghcr.io/alice/app; defaultAction is deny"),
                "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "no policy matches").count == 2, "only ghcr.io falls to the default: \(result.stdout)")
    }

    @Test("the world's registry by another spelling (127.0.0.1, a zero-padded port) is verified and denied like the canonical one")
    func respelledWorldRegistry() async throws {
        let world = try await TestWorld.shared()  // read only: no world of its own to build
        let common = try Self.worldArguments(world)
        let revoked = try #require(world.image("revoked"))
        let port = try #require(world.registryName.split(separator: ":").last)
        for host in ["127.0.0.1:\(port)", "localhost:00\(port)"] {
            let image = revoked.reference.replacingOccurrences(of: "\(world.registryName)/", with: "\(host)/")
            let result = try await ProofCommandTests.runOffPool(["verify", image] + common)
            #expect(result.status == 1, "\(image): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("DENY  \(revoked.reference)"), "\(result.stdout)")
            #expect(result.stdout.contains("production-images") && result.stdout.contains("record-absent"), "\(result.stdout)")
        }
    }

    /// `--policy` (the world's, written to a state directory of this call's own), the world's
    /// PLC directory and CA, and the test-world flag.
    static func worldArguments(_ world: TestWorld) throws -> [String] {
        let state = world.directory.appendingPathComponent("state-\(UUID().uuidString)")
        try world.writeState(to: state)
        let policy = state.appendingPathComponent("policy.yaml").path
        return ["--policy", policy, "--plc-url", world.plcServer.origin, "--ca-bundle", try #require(world.caPath), "--allow-insecure-local"]
    }

    @Test("without --ca-bundle: the host that failed TLS verification and what to do, said once, within --timeout")
    func untrustedCA() async throws {
        let world = try await TestWorld.start()
        let state = world.directory.appendingPathComponent("state")
        try world.writeState(to: state)
        let image = try #require(world.image("signed-k256"))
        let started = ContinuousClock.now
        let result = try await ProofCommandTests.runOffPool([
            image.reference, "--policy", state.appendingPathComponent("policy.yaml").path, "--plc-url", world.plcServer.origin,
            "--allow-insecure-local", "--timeout", "4",
        ])
        let elapsed = ContinuousClock.now - started
        // A TLS failure is a network failure: the image is denied (fail closed) but verification
        // could not complete, so exit 4 (issue 14), not 1.
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "TLS verification of \(world.registryName) failed").count == 2, "once: \(result.stdout)")
        #expect(result.stdout.components(separatedBy: "--ca-bundle").count == 2, "names --ca-bundle once: \(result.stdout)")
        #expect(!result.stdout.contains("BoringSSL") && !result.stdout.contains("handshake.cc"), "\(result.stdout)")
        #expect(elapsed < .seconds(9), "--timeout 4 bounds the TLS handshake and its retries, not the 10 s connect timeout (took \(elapsed))")
        await world.stop()
    }

    @Test("out-of-range values are said to be out of range, not 'missing'; --version names the build")
    func valuesAndVersion() async throws {
        for value in ["-5", "0", "601"] {
            let result = try await ProofCommandTests.runOffPool(["atcr.io/alice/app:v1", "--policy", PolicyLintCommandTests.example, "--timeout", value])
            #expect(result.status == 2)
            #expect(result.stderr.contains("--timeout \(value): out of range 1…600"), "\(result.stderr)")
        }
        let version = try await ProofCommandTests.runOffPool(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("atcr-verify 0.") && version.stdout.contains("(commit "), "\(version.stdout)")
    }

    @Test("bad input exits 2: an invalid policy, a malformed reference")
    func badInput() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let invalid = directory.appendingPathComponent("policy.yaml")
        try Data("version: 1.0\ntrustedDIDs:\n  did:plc:alice123:\n    name: x\npolicies: []\n".utf8).write(to: invalid)
        let result = try ProofCommandTests.run(["atcr.io/alice/app:v1", "--policy", invalid.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("did:plc:alice123"), "\(result.stderr)")
        let example = PolicyLintCommandTests.example
        let malformed = try ProofCommandTests.run(["atcr.io/Alice/App:v1", "--policy", example])
        #expect(malformed.status == 2 && malformed.stderr.contains("atcr.io/Alice/App"), "\(malformed.stderr)")
    }
}
