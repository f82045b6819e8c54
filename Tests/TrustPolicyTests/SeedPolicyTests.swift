import Foundation
import Testing
import TrustPolicy

@Suite("The seed's example policy")
struct SeedPolicyTests {
    @Test("loads with exactly two errors: the placeholder DIDs")
    func seedHasTwoErrors() {
        let result = Fixtures.load(Fixtures.seedPolicy)
        #expect(result.policy == nil)
        #expect(result.errors.map(\.path) == [#"trustedDIDs["did:plc:alice123"]"#, #"trustedDIDs["did:plc:bob456"]"#])
        #expect(result.errors.map(\.line) == [5, 10])
        #expect(result.errors[0].message.contains("did:plc:alice123 is not a well-formed atproto DID"))
        #expect(result.errors[0].message.contains("24 base32 characters"))
        #expect(result.errors[0].description.hasSuffix("(line 5)"))
    }

    @Test("with well-formed DIDs: no errors, two warnings (Bob's trust expired; enforce with the default allow)")
    func correctedSeedIsClean() throws {
        let result = Fixtures.load(Fixtures.correctedSeedPolicy)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.count == 2)
        let warning = try #require(result.warnings.first)
        #expect(warning.path == "trustedDIDs[\"\(Fixtures.bob)\"].expiresAt")
        #expect(warning.line == 13)
        #expect(warning.message.contains("expired at 2025-12-31T23:59:59Z"))
        let defaultAllow = try #require(result.warnings.last)
        #expect(defaultAllow.path == "defaultAction")
        #expect(defaultAllow.line == nil)
        #expect(defaultAllow.message.hasPrefix("allow (the default) while enforce policies exist"))
    }

    @Test("before Bob's expiry the corrected seed's only warning is the default allow")
    func onlyDefaultAllowBeforeExpiry() {
        let result = Fixtures.load(Fixtures.correctedSeedPolicy, now: Fixtures.date("2025-06-01T00:00:00Z"))
        #expect(result.errors.isEmpty)
        #expect(result.warnings.map(\.path) == ["defaultAction"])
    }

    @Test("decodes every field of the seed format")
    func decodesSeedModel() throws {
        let policy = try Fixtures.policy(Fixtures.correctedSeedPolicy)
        #expect(policy.version == 1)
        #expect(policy.defaultAction == .allow)
        #expect(policy.trustedDIDs.map(\.did.string) == [Fixtures.alice, Fixtures.bob])
        let alice = try #require(policy.trustedDID(Fixtures.alice))
        #expect(alice.name == "Alice (DevOps Lead)")
        #expect(alice.validFrom == Fixtures.date("2024-01-01T00:00:00Z"))
        #expect(alice.expiresAt == nil)
        #expect(policy.trustedDID(Fixtures.bob)?.expiresAt == Fixtures.date("2025-12-31T23:59:59Z"))

        #expect(policy.policies.map(\.name) == ["production-images", "dev-images"])
        let production = policy.policies[0]
        #expect(production.scopes.map(\.pattern) == ["atcr.io/*/prod-*"])
        #expect(production.namespaces == nil)
        #expect(production.requirement.signature)
        #expect(production.requirement.trustedDIDs.map(\.string) == [Fixtures.alice, Fixtures.bob])
        #expect(production.requirement.minSignatures == 1)
        #expect(production.requirement.digestPinned == false)
        #expect(production.action == .enforce)
        #expect(policy.policies[1].requirement.signature == false)
        #expect(policy.policies[1].action == .audit)
    }

    @Test("the seed's best-practice list form of trustedDIDs: each DID trusted at all times, with no pins")
    func listForm() throws {
        let yaml = """
            version: 1.0
            trustedDIDs:
              - \(Fixtures.alice)
              - \(Fixtures.bob)
            policies:
              - name: production-images
                scope: "atcr.io/*/prod-*"
                require:
                  signature: true
                  minSignatures: 2
                action: enforce
            """
        let result = Fixtures.load(yaml)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.map(\.path) == ["defaultAction"], "only the default-allow warning: \(result.warnings)")
        let policy = try #require(result.policy)
        #expect(policy.trustedDIDs.map(\.did.string) == [Fixtures.alice, Fixtures.bob])
        for trusted in policy.trustedDIDs {
            #expect(trusted.validFrom == nil && trusted.expiresAt == nil && trusted.publicKeys.isEmpty && trusted.pds == nil && trusted.name == nil)
        }
        #expect(policy.policies[0].requirement.trustedDIDs.map(\.string) == [Fixtures.alice, Fixtures.bob], "the default: every listed DID")
    }

    @Test("the list form keeps its checks: a malformed DID and a DID listed twice are errors with their line")
    func listFormErrors() {
        let yaml = """
            version: 1.0
            trustedDIDs:
              - did:plc:your-org-team
              - \(Fixtures.alice)
              - \(Fixtures.alice)
            policies:
              - name: p
                scope: "atcr.io/**"
                require:
                  signature: true
                action: enforce
            """
        let result = Fixtures.load(yaml)
        #expect(result.policy == nil)
        #expect(result.errors.map(\.path) == ["trustedDIDs[0]", "trustedDIDs[2]"])
        #expect(result.errors.map(\.line) == [3, 5])
        #expect(result.errors.first?.message.contains("not a well-formed atproto DID") == true)
        #expect(result.errors.last?.message.contains("listed twice") == true)
    }

    @Test("the shipped examples/trust-policy.yaml is the corrected seed: no errors, the two warnings it announces")
    func shippedExample() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("examples/trust-policy.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let result = Fixtures.load(text)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.count == 2)
        #expect(result.warnings.first?.path.hasSuffix(".expiresAt") == true)
        #expect(result.warnings.last?.path == "defaultAction")
        let policy = try #require(result.policy)
        #expect(policy.policies.map(\.name) == ["production-images", "dev-images"])
        #expect(policy.trustedDIDs.count == 2)
    }
}
