import Foundation
import Testing
import TrustPolicy

@Suite("policy lint output")
struct LintReportTests {
    private func report(_ yaml: String) -> PolicyLintReport {
        PolicyLintReport(file: "trust-policy.yaml", result: Fixtures.load(yaml), now: Fixtures.now)
    }

    @Test("errors: one compiler-style line each, then the counts; exit 1")
    func invalidText() {
        let lint = report(Fixtures.seedPolicy)
        #expect(lint.exitCode == 1)
        #expect(lint.text() == """
        trust-policy.yaml:5: error: trustedDIDs["did:plc:alice123"]: did:plc:alice123 is not a well-formed atproto DID: not a did:plc identifier: expected 24 base32 characters after did:plc:, found 8
        trust-policy.yaml:10: error: trustedDIDs["did:plc:bob456"]: did:plc:bob456 is not a well-formed atproto DID: not a did:plc identifier: expected 24 base32 characters after did:plc:, found 6
        trust-policy.yaml:13: warning: trustedDIDs["did:plc:bob456"].expiresAt: trust expired at 2025-12-31T23:59:59Z; signatures by this DID no longer count
        trust-policy.yaml: warning: defaultAction: allow (the default) while enforce policies exist: an image outside every scope is admitted unverified; end with defaultAction: deny (or audit) and give what may run unverified its own scopes with require.signature: false
        trust-policy.yaml: 2 errors, 2 warnings

        """)
    }

    @Test("valid: warnings, then ok with a summary of policies, trusted DIDs and scopes; exit 0")
    func validText() {
        let lint = report(Fixtures.correctedSeedPolicy)
        #expect(lint.exitCode == 0)
        #expect(lint.text() == """
        trust-policy.yaml:13: warning: trustedDIDs["\(Fixtures.bob)"].expiresAt: trust expired at 2025-12-31T23:59:59Z; signatures by this DID no longer count
        trust-policy.yaml: warning: defaultAction: allow (the default) while enforce policies exist: an image outside every scope is admitted unverified; end with defaultAction: deny (or audit) and give what may run unverified its own scopes with require.signature: false
        ok: 2 policies, 2 trusted DIDs (1 valid now), defaultAction allow, 2 warnings
          production-images  enforce  atcr.io/*/prod-*
          dev-images         audit    atcr.io/*/dev-*

        """)
    }

    @Test("a diagnostic without a line prints the file alone")
    func noLine() {
        #expect(report("# empty\n").text() == "trust-policy.yaml: error: the policy file is empty\ntrust-policy.yaml: 1 error, 0 warnings\n")
    }

    @Test("--json: valid, errors, warnings (path, line, message) and summary")
    func json() throws {
        let invalid = try parse(report(Fixtures.seedPolicy).json())
        #expect(invalid["valid"] as? Bool == false)
        #expect(invalid["file"] as? String == "trust-policy.yaml")
        #expect(invalid["summary"] is NSNull)
        let errors = try #require(invalid["errors"] as? [[String: Any]])
        #expect(errors.map { $0["path"] as? String } == [#"trustedDIDs["did:plc:alice123"]"#, #"trustedDIDs["did:plc:bob456"]"#])
        #expect(errors.map { $0["line"] as? Int } == [5, 10])
        #expect(errors.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
        #expect((invalid["warnings"] as? [Any])?.count == 2)

        let valid = try parse(report(Fixtures.correctedSeedPolicy).json())
        #expect(valid["valid"] as? Bool == true)
        #expect((valid["errors"] as? [Any])?.isEmpty == true)
        let summary = try #require(valid["summary"] as? [String: Any])
        #expect(summary["trustedDIDs"] as? Int == 2)
        #expect(summary["trustedDIDsValidNow"] as? Int == 1)
        #expect(summary["defaultAction"] as? String == "allow")
        let policies = try #require(summary["policies"] as? [[String: Any]])
        #expect(policies.map { $0["name"] as? String } == ["production-images", "dev-images"])
        #expect(policies.map { $0["scopes"] as? [String] } == [["atcr.io/*/prod-*"], ["atcr.io/*/dev-*"]])
    }

    @Test("a line that is unknown is null in JSON, not missing")
    func jsonNullLine() throws {
        let object = try parse(report("").json())
        let error = try #require((object["errors"] as? [[String: Any]])?.first)
        #expect(error["line"] is NSNull)
        #expect(error["path"] as? String == "")
    }

    @Test("an unreadable file: exit 2, text or JSON")
    func unreadable() throws {
        #expect(PolicyLintReport.unreadableExitCode == 2)
        #expect(PolicyLintReport.unreadable(file: "p.yaml", reason: "no such file", json: false)
            == "p.yaml: error: cannot read p.yaml: no such file\n")
        let object = try parse(PolicyLintReport.unreadable(file: "p.yaml", reason: "no such file", json: true))
        #expect(object["valid"] as? Bool == false)
        #expect((object["errors"] as? [[String: Any]])?.first?["message"] as? String == "cannot read p.yaml: no such file")
    }

    private func parse(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any])
    }
}
