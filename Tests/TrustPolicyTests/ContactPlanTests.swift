import Foundation
import Testing
import TrustPolicy

@Suite("Contact plan (trust first)")
struct ContactPlanTests {
    private func plan(_ image: String, namespace: String? = "default", now: Date = Fixtures.now) throws -> ContactPlan {
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        return policy.contactPlan(for: try #require(ImageName(image)), namespace: namespace, now: now)
    }

    @Test("only the matching policies' trusted DIDs that are valid now", arguments: [
        // production trusts Alice, Bob (expired) and Carol (not yet): only Alice may be contacted.
        ("atcr.io/alice/prod-api", ["production"], true, [Fixtures.alice]),
        // two-person trusts every declared DID: the valid ones are Alice and CI.
        ("atcr.io/alice/critical-db", ["two-person"], true, [Fixtures.alice, Fixtures.ci]),
        // two matching policies: the union of their DIDs.
        ("atcr.io/alice/shared-lib", ["shared-enforce", "shared-audit"], true, [Fixtures.alice, Fixtures.ci]),
        // signature: false needs no signature and contacts nobody.
        ("atcr.io/alice/dev-api", ["dev"], false, []),
        // no match: no registry request, nobody contacted.
        ("docker.io/library/nginx", [], false, []),
    ])
    func trustFirst(_ image: String, _ policies: [String], _ needsSignatures: Bool, _ dids: [String]) throws {
        let plan = try plan(image)
        #expect(plan.matchingPolicies == policies)
        #expect(plan.matchesAnyPolicy == !policies.isEmpty)
        #expect(plan.needsSignatures == needsSignatures)
        #expect(plan.trustedSigners.map(\.did.string) == dids)
    }

    @Test("an untrusted or out-of-window DID may never be contacted")
    func mayContact() throws {
        let plan = try plan("atcr.io/alice/prod-api")
        #expect(plan.mayContact(Fixtures.alice))
        #expect(!plan.mayContact(Fixtures.mallory))
        #expect(!plan.mayContact(Fixtures.bob))    // expired
        #expect(!plan.mayContact(Fixtures.carol))  // not yet valid
        #expect(!plan.mayContact(Fixtures.ci))     // trusted, but not by a matching policy
        #expect(!plan.mayContact(Fixtures.alice.uppercased()))  // DIDs compare exactly
    }

    @Test("the plan follows now: Carol becomes contactable when her window opens")
    func followsNow() throws {
        let later = try plan("atcr.io/alice/prod-api", now: Fixtures.date("2027-01-01T00:00:00Z"))
        #expect(later.trustedSigners.map(\.did.string) == [Fixtures.alice, Fixtures.carol])
    }

    @Test("namespaces decide whether a policy (and so any request) applies")
    func namespaces() throws {
        #expect(try plan("ghcr.io/org/app", namespace: "prod-eu").trustedSigners.map(\.did.string) == [Fixtures.ci])
        let outside = try plan("ghcr.io/org/app", namespace: "dev")
        #expect(!outside.matchesAnyPolicy)
        #expect(outside.trustedSigners.isEmpty)
        let policy = try Fixtures.policy(evaluationPolicyYAML)
        let image = try #require(ImageName("ghcr.io/org/app"))
        #expect(!policy.hasMatchingPolicy(for: image, namespace: "dev"))
        #expect(policy.hasMatchingPolicy(for: image, namespace: "prod-eu"))
    }

    @Test("pinned keys and PDS travel with the signer")
    func pins() throws {
        let yaml = """
        version: 1.0
        trustedDIDs:
          \(Fixtures.alice):
            publicKeys: ["\(Fixtures.k256Multikey)", "\(Fixtures.p256DIDKey)"]
            pds: "https://pds.example.com"
          \(Fixtures.ci):
            publicKeys: ["\(Fixtures.k256DIDKey)"]
        policies:
          - {name: all, scope: "atcr.io/**", action: enforce}
        """
        let policy = try Fixtures.policy(yaml)
        let plan = policy.contactPlan(for: try #require(ImageName("atcr.io/a/b")), namespace: nil, now: Fixtures.now)
        let alice = try #require(plan.signer(Fixtures.alice))
        #expect(alice.publicKeys.map(\.didKey) == ["did:key:" + Fixtures.k256Multikey, Fixtures.p256DIDKey])
        #expect(alice.pds?.origin == "https://pds.example.com")
        #expect(alice.isFullyPinned)
        let ci = try #require(plan.signer(Fixtures.ci))
        #expect(ci.publicKeys.map(\.didKey) == [Fixtures.k256DIDKey])
        #expect(!ci.isFullyPinned)
    }

    @Test("local test-world PDS endpoints need the explicit flag")
    func insecureLocal() {
        let yaml = """
        version: 1.0
        trustedDIDs:
          \(Fixtures.alice): {pds: "http://localhost:2583"}
        policies:
          - {name: all, scope: "localhost:5000/**", action: enforce}
        """
        #expect(!PolicyLoader.load(yaml: yaml, now: Fixtures.now).isValid)
        let local = PolicyLoader.load(yaml: yaml, now: Fixtures.now, allowInsecureLocalEndpoints: true)
        #expect(local.policy?.trustedDID(Fixtures.alice)?.pds?.origin == "http://localhost:2583")
    }
}
