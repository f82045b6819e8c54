import Foundation
import TrustPolicy

/// Shared test inputs.
enum Fixtures {
    /// The example policy of the ATCR signing document ("Image Signing with ATProto",
    /// section "Trust Policies"), token for token. The copy it came from was a flattened
    /// web page that lost leading whitespace, so the indentation is restored as YAML needs it
    /// (two spaces per level, as in the original markdown); every key, value, comment and
    /// blank line is the seed's. Line numbers below refer to this text.
    static let seedPolicy = """
    # trust-policy.yaml
    version: 1.0

    trustedDIDs:
      did:plc:alice123:
        name: "Alice (DevOps Lead)"
        validFrom: "2024-01-01T00:00:00Z"
        expiresAt: null

      did:plc:bob456:
        name: "Bob (Security Team)"
        validFrom: "2024-06-01T00:00:00Z"
        expiresAt: "2025-12-31T23:59:59Z"

    policies:
      - name: production-images
        scope: "atcr.io/*/prod-*"
        require:
          signature: true
          trustedDIDs:
            - did:plc:alice123
            - did:plc:bob456
          minSignatures: 1
        action: enforce # reject if policy fails

      - name: dev-images
        scope: "atcr.io/*/dev-*"
        require:
          signature: false
        action: audit # log but don't reject

    """

    /// Well-formed stand-ins for the seed's placeholder DIDs (24 base32 characters).
    static let alice = "did:plc:hbrpoigf3cbfnobm2o4rak3v"
    static let bob = "did:plc:rjnvgfygwwqc5hyfsxmecosf"
    static let carol = "did:plc:k3eyy5qahrvhs3k5aqlgtmjx"
    static let ci = "did:plc:ogyr5xkxwnrekpk5yroudocu"
    static let mallory = "did:plc:zrenun7z5jqipq3zxoi7fdhj"

    /// The seed policy with well-formed DIDs: otherwise identical, line for line.
    static let correctedSeedPolicy = seedPolicy
        .replacingOccurrences(of: "did:plc:alice123", with: alice)
        .replacingOccurrences(of: "did:plc:bob456", with: bob)

    /// Real keys from the atproto interop fixtures (`Tests/Fixtures/crypto`).
    static let k256DIDKey = "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
    static let k256Multikey = "zQ3shtxV1FrJfhqE1dvxYRcCknWNjHc3c5X1y3ZSoPDi2aur2"
    static let p256DIDKey = "did:key:zDnaeTiq1PdzvZXUaMdezchcMJQpBdH2VN4pgrrEhMCCbmwSb"

    /// "Today" for every test: 2026-11-22, after Bob's expiry (2025-12-31T23:59:59Z).
    static let now = date("2026-11-22T12:00:00Z")

    static func date(_ text: String) -> Date {
        // Test inputs are literals; a typo should stop the test run loudly.
        try! RFC3339.parse(text)
    }

    /// The repository root (for `examples/`), found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Loads `yaml` at `now`.
    static func load(_ yaml: String, now: Date = Fixtures.now) -> PolicyLoadResult {
        PolicyLoader.load(yaml: yaml, now: now)
    }

    /// Loads `yaml`, which the test expects to be valid.
    static func policy(_ yaml: String, now: Date = Fixtures.now) throws -> TrustPolicy {
        let result = load(yaml, now: now)
        guard let policy = result.policy else {
            throw LoadFailed(errors: result.errors.map(\.description))
        }
        return policy
    }

    struct LoadFailed: Error, CustomStringConvertible {
        var errors: [String]
        var description: String { "policy did not load: \(errors.joined(separator: " | "))" }
    }
}
