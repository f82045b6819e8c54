import ATProto
import Foundation
import Testbed
import Testing

/// `atcr-verify verify`: formats, --quiet, input order, exit codes 0/1/2/4 and the policy's
/// default location, through the real binary against the world.
@Suite("atcr-verify verify: formats and exit codes")
struct VerifyOutputTests {
    @Test("json keeps the input order; sarif validates, one result per denied or audited image, stable ruleIds, policy-line locations; --quiet prints nothing")
    func formats() async throws {
        let world = try await TestWorld.shared()
        let policy = try CLI.writePolicy(world)
        let flags = try CLI.worldFlags(world) + ["--policy", policy]
        let names = ["revoked", "signed-k256", "audit-unsigned", "signed-p256", "unsigned"]
        let images = try names.map { try #require(world.image($0)).reference }

        let json = try await CLI.run(["verify"] + images + flags + ["--format", "json", "--concurrency", "3"])
        #expect(json.status == 1, "\(json.all)")
        guard case .array(let results) = try json.json() else { Issue.record("not an array: \(json.stdout)"); return }
        #expect(results.map { $0["image"] } == images.map { .string($0) }, "input order")
        #expect(results.map { $0["decision"] } == ["deny", "allow", "audit", "allow", "deny"].map { .string($0) })
        #expect(results.allSatisfy { $0["complete"] == .bool(true) })

        let sarif = try await CLI.run(["verify"] + images + flags + ["--format", "sarif"])
        #expect(sarif.status == 1, "\(sarif.all)")
        try SARIFValidator.validate(sarif.stdout)
        let log = try sarif.json()
        guard case .array(let runs) = log["runs"], let run = runs.first, case .array(let findings) = run["results"] else {
            Issue.record("no results: \(sarif.stdout)"); return
        }
        #expect(findings.count == 3, "revoked, audit-unsigned, unsigned: \(sarif.stdout)")
        #expect(findings.map { $0["ruleId"] } == [
            .string("atcr/check/record-absent"), .string("atcr/policy/dev-images"), .string("atcr/policy/production-images"),
        ])
        #expect(findings.map { $0["level"] } == [.string("error"), .string("warning"), .string("error")])
        let policyLines = world.policyYAML.components(separatedBy: "\n")
        func line(of policyName: String) -> Int { (policyLines.firstIndex { $0.contains("name: \(policyName)") } ?? -2) + 1 }
        for (finding, policyName) in zip(findings, ["production-images", "dev-images", "production-images"]) {
            let location = finding["locations"].flatMap { if case .array(let list) = $0 { list.first } else { nil } }
            #expect(location?["physicalLocation"]?["region"]?["startLine"] == .number(String(line(of: policyName))), "\(finding)")
            #expect(location?["physicalLocation"]?["artifactLocation"]?["uri"] == .string(URL(fileURLWithPath: policy).absoluteString))
            if case .string(let text)? = finding["message"]?["text"] {
                #expect(text.contains(policyName) && text.contains("sha256:") && text.contains("failed check"), "\(text)")
            } else { Issue.record("no message") }
        }
        let revoked = try #require(world.image("revoked"))
        if case .string(let text)? = findings.first?["message"]?["text"] {
            #expect(text.contains(revoked.reference) && text.contains(revoked.digest) && text.contains("record-absent"), "\(text)")
        }
        let driver = run["tool"]?["driver"]
        #expect(driver?["name"] == .string("atcr-verify") && driver?["version"] != nil)
        if case .array(let rules)? = driver?["rules"] {
            #expect(rules.map { $0["id"] } == [
                .string("atcr/check/record-absent"), .string("atcr/policy/dev-images"), .string("atcr/policy/production-images"),
            ])
        } else { Issue.record("no rules") }
        let again = try await CLI.run(["verify"] + images + flags + ["--format", "sarif"])
        #expect(try again.json()["runs"]?.ruleIds == log["runs"]?.ruleIds, "ruleIds are stable across runs")

        let quiet = try await CLI.run(["verify"] + images + flags + ["--quiet"])
        #expect(quiet.status == 1 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.all)")
        let quietAllowed = try await CLI.run(["verify", images[1], images[3]] + flags + ["-q"])
        #expect(quietAllowed.status == 0 && quietAllowed.stdout.isEmpty, "\(quietAllowed.all)")

        let file = try CLI.directory("out").appendingPathComponent("out.sarif")
        let written = try await CLI.run(["verify", images[0]] + flags + ["--format", "sarif", "--output", file.path, "--quiet"])
        #expect(written.status == 1 && written.stdout.isEmpty)
        try SARIFValidator.validate(try String(contentsOf: file, encoding: .utf8))

        let text = try await CLI.run(["verify"] + images + flags, environment: ["NO_COLOR": "1"])
        #expect(!text.all.contains("\u{1B}"), "no colour and no progress without a terminal")
        let order = images.compactMap { text.stdout.range(of: "\($0)\n")?.lowerBound ?? text.stdout.range(of: "\($0) (")?.lowerBound }
        #expect(order == order.sorted() && order.count == names.count, "text in input order: \(text.stdout)")

        let contradiction = try await CLI.run(["verify", images[1]] + flags + ["--json", "--format", "sarif"])
        #expect(contradiction.status == 2 && contradiction.stderr.contains("--json contradicts --format sarif"), "\(contradiction.all)")
        let failOnAudit = try await CLI.run(["verify", images[2]] + flags + ["--fail-on-audit", "-q"])
        #expect(failOnAudit.status == 1)
    }

    @Test("exit 4 when verification cannot complete (registry unreachable) and nothing is denied on a finding; 1 when something is")
    func incomplete() async throws {
        let world = try await TestWorld.shared()
        let alice = try #require(world.accounts["alice"])
        let directory = try CLI.directory("incomplete")
        let policy = directory.appendingPathComponent("policy.yaml")
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        let yaml = world.policyYAML.replacingOccurrences(of: "policies:\n", with: """
            policies:
              - name: unreachable
                scope: "localhost:9/**"
                require:
                  signature: true
                  trustedDIDs: [\(alice.did.string)]
                action: enforce

            """)
        try Data(yaml.utf8).write(to: policy)
        let flags = try CLI.worldFlags(world) + ["--policy", policy.path, "--plain-http-registry", "localhost:9", "--timeout", "5"]
        let unreachable = "localhost:9/alice/prod-api:v1"
        let result = try await CLI.run(["verify", unreachable] + flags + ["--json"])
        #expect(result.status == 4, "\(result.all)")
        let first = try result.json()
        if case .array(let items) = first {
            #expect(items.first?["decision"] == .string("deny") && items.first?["complete"] == .bool(false), "\(result.stdout)")
        }
        let text = try await CLI.run(["verify", unreachable] + flags)
        #expect(text.status == 4 && text.stdout.contains("could not complete"), "\(text.all)")
        let signed = try #require(world.image("signed-k256")).reference
        let stillOK = try await CLI.run(["verify", unreachable, signed] + flags + ["-q"])
        #expect(stillOK.status == 4)
        let revoked = try #require(world.image("revoked")).reference
        let definite = try await CLI.run(["verify", unreachable, revoked] + flags + ["-q"])
        #expect(definite.status == 1, "a definite denial wins over an incomplete one")
        let sarif = try await CLI.run(["verify", unreachable] + flags + ["--format", "sarif"])
        try SARIFValidator.validate(sarif.stdout)
        #expect(sarif.stdout.contains("atcr/verification-incomplete"), "\(sarif.stdout)")
    }

    @Test("--policy defaults to $ATCR_POLICY, else .atcr/trust-policy.yaml; without either the error names both")
    func policyDefault() async throws {
        let world = try await TestWorld.shared()
        let signed = try #require(world.image("signed-k256")).reference
        let flags = try CLI.worldFlags(world)
        let project = try CLI.directory("project")
        _ = try CLI.writePolicy(world, to: project, name: ".atcr/trust-policy.yaml")
        let conventional = try await CLI.run(["verify", signed] + flags, directory: project)
        #expect(conventional.status == 0 && conventional.stdout.contains("ALLOW"), "\(conventional.all)")

        let elsewhere = try CLI.writePolicy(world)
        let empty = try CLI.directory("empty")
        let fromEnvironment = try await CLI.run([signed] + flags, environment: ["ATCR_POLICY": elsewhere], directory: empty)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.all)")

        let missing = try await CLI.run([signed] + flags, directory: empty)
        #expect(missing.status == 2, "\(missing.all)")
        #expect(missing.stderr.contains("ATCR_POLICY") && missing.stderr.contains(".atcr/trust-policy.yaml"), "\(missing.stderr)")
        let badVariable = try await CLI.run([signed] + flags, environment: ["ATCR_POLICY": "/nonexistent/p.yaml"], directory: empty)
        #expect(badVariable.status == 2 && badVariable.stderr.contains("/nonexistent/p.yaml (from $ATCR_POLICY)"), "\(badVariable.stderr)")
    }

    @Test("on a terminal (script(1) gives one): colour and progress; NO_COLOR: no colour; --quiet: nothing at all")
    func terminal() async throws {
        let world = try await TestWorld.shared()
        let flags = try CLI.worldFlags(world) + ["--policy", try CLI.writePolicy(world)]
        let signed = try #require(world.image("signed-k256")).reference
        let binary = ProcessInfo.processInfo.environment["ATCR_VERIFY_BIN"] ?? BuiltProduct.url(named: "atcr-verify").path
        let command = ([binary, "verify", signed] + flags).map { "'\($0)'" }.joined(separator: " ")
        let coloured = try await CLI.run(["-qec", command, "/dev/null"], executable: "/usr/bin/script")
        #expect(coloured.status == 0, "\(coloured.all)")
        #expect(coloured.stdout.contains("\u{1B}[32mALLOW"), "green on a terminal: \(coloured.stdout.debugDescription)")
        #expect(coloured.stdout.contains("1/1 images verified"), "progress on a terminal: \(coloured.stdout.debugDescription)")
        let plain = try await CLI.run(["-qec", command, "/dev/null"], environment: ["NO_COLOR": "1"], executable: "/usr/bin/script")
        #expect(plain.status == 0 && plain.stdout.contains("ALLOW") && !plain.stdout.contains("\u{1B}[32m"), "\(plain.stdout.debugDescription)")
        let quiet = try await CLI.run(["-qec", command + " --quiet", "/dev/null"], executable: "/usr/bin/script")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "nothing, not even progress: \(quiet.stdout.debugDescription)")
    }

    @Test("every command's --help has examples; verify's lists exit codes 0, 1, 2 and 4")
    func help() async throws {
        for command in [["verify"], ["check"], ["review"], ["resolve"], ["coverage"], ["bundle"], ["proof"], ["policy", "lint"]] {
            let help = try await CLI.run(command + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("Examples:"), "\(command): \(help.all)")
            #expect(help.stdout.contains("Exit codes:"), "\(command)")
        }
        let verify = try await CLI.run(["verify", "--help"])
        let flat = verify.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for fragment in ["0 every image admitted", "1 an image is denied", "2 usage or input error", "4 verification could not complete",
                         "--format", "--quiet", "ATCR_POLICY"] {
            #expect(flat.contains(fragment), "\(fragment): \(verify.stdout)")
        }
    }
}

extension JSONValue {
    /// Every result's ruleId in a SARIF `runs` array.
    var ruleIds: [String] {
        guard case .array(let runs) = self else { return [] }
        return runs.flatMap { run -> [String] in
            guard case .array(let results)? = run["results"] else { return [] }
            return results.compactMap { if case .string(let id)? = $0["ruleId"] { id } else { nil } }
        }
    }
}
