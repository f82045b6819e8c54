import Foundation
import Testbed
import Testing

/// `atcr-verify verify --did-stale-if-error`: the webhook's knob, for the same caches.
@Suite("atcr-verify verify --did-stale-if-error")
struct VerifyStaleFlagTests {
    @Test("listed in --help; 0 verifies as usual; a negative window is refused")
    func staleFlag() async throws {
        let help = try ProofCommandTests.run(["verify", "--help"])
        #expect(help.stdout.contains("--did-stale-if-error"), "\(help.stdout)")
        let world = try await TestWorld.start()
        let state = world.directory.appendingPathComponent("state")
        try world.writeState(to: state)
        let common = [
            "--policy", state.appendingPathComponent("policy.yaml").path, "--plc-url", world.plcServer.origin,
            "--ca-bundle", try #require(world.caPath), "--allow-insecure-local",
        ]
        let signed = try #require(world.image("signed-k256")).reference
        let allowed = try ProofCommandTests.run([signed, "--did-stale-if-error", "0"] + common)
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        let refused = try ProofCommandTests.run([signed, "--did-stale-if-error", "-1"] + common)
        #expect(refused.status != 0 && refused.stderr.contains("--did-stale-if-error"), "\(refused.stderr)")
        await world.stop()
    }
}
