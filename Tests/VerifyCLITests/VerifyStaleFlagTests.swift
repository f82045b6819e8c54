import Testing

/// `atcr-verify verify --did-stale-if-error`: the webhook's knob, for the same caches.
@Suite("atcr-verify verify --did-stale-if-error")
struct VerifyStaleFlagTests {
    @Test("listed in --help; a negative window is refused by name")
    func staleFlag() throws {
        let help = try ProofCommandTests.run(["verify", "--help"])
        #expect(help.stdout.contains("--did-stale-if-error"), "\(help.stdout)")
        let refused = try ProofCommandTests.run(["atcr.io/alice/app:v1", "--policy", PolicyLintCommandTests.example, "--did-stale-if-error=-1"])
        #expect(refused.status != 0 && refused.stderr.contains("--did-stale-if-error -1: out of range: at least 0"), "\(refused.stderr)")
    }
}
