import Testing
import TrustPolicy

/// One valid file and the single warning it must produce.
struct WarningCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var path: String
    var line: Int
    var message: String

    var testDescription: String { name }
}

/// A valid policy with Alice (valid) and Bob (expired 2025-12-31) trusted; `scope`, `extra`
/// (lines inserted after `scope`) and `require` vary. It ends with `defaultAction: deny`, so
/// the enforce policy draws no default-allow warning.
private func file(scope: String = "\"atcr.io/*/prod-*\"", extra: String = "", require: String = "      signature: true\n") -> String {
    """
    version: 1.0
    trustedDIDs:
      did:plc:hbrpoigf3cbfnobm2o4rak3v:
        validFrom: "2024-01-01T00:00:00Z"
    policies:
      - name: prod
        scope: \(scope)

    """ + extra + "    require:\n" + require + "    action: enforce\ndefaultAction: deny\n"
}

@Suite("Validation warnings: valid files that are probably not what was meant")
struct ValidationWarningTests {
    static let cases: [WarningCase] = [
        WarningCase(
            name: "trusted DID not valid yet",
            yaml: file().replacingOccurrences(of: "2024-01-01T00:00:00Z", with: "2027-01-01T00:00:00Z")
                .replacingOccurrences(of: "      signature: true\n", with: "      signature: false\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 4,
            message: "not trusted until 2027-01-01T00:00:00Z"),
        WarningCase(
            name: "wildcard in the registry host",
            yaml: file(scope: "\"*.trusted.io/x/*\""),
            path: "policies[0].scope", line: 7, message: "wildcard in the registry host"),
        WarningCase(
            name: "globstar as the registry host",
            yaml: file(scope: "[\"atcr.io/**\", \"**/prod-*\"]"),
            path: "policies[0].scope[1]", line: 7, message: "wildcard in the registry host"),
        WarningCase(
            name: "scope without '/' can never match",
            yaml: file(scope: "\"nginx\""),
            path: "policies[0].scope", line: 7, message: "can never match: it has no '/'"),
        WarningCase(
            name: "scope without a registry host can never match",
            yaml: file(scope: "\"alice/*\""),
            path: "policies[0].scope", line: 7, message: "'alice' is not a registry host"),
        WarningCase(
            name: "Docker Hub scope without a namespace can never match",
            yaml: file(scope: "\"docker.io/nginx\""),
            path: "policies[0].scope", line: 7, message: "docker.io/library/nginx"),
        WarningCase(
            name: "scope with a tag can never match",
            yaml: file(scope: "\"atcr.io/alice/api:latest\""),
            path: "policies[0].scope", line: 7, message: "':' after the registry"),
        WarningCase(
            name: "scope ending in '/' can never match",
            yaml: file(scope: "\"atcr.io/alice/\""),
            path: "policies[0].scope", line: 7, message: "ends with '/'"),
        WarningCase(
            name: "namespace glob that can never match",
            yaml: file(extra: "    namespaces: [\"prod\", \"team/prod\"]\n"),
            path: "policies[0].namespaces[1]", line: 8, message: "'/' never occurs in a namespace name"),
        WarningCase(
            name: "empty namespaces list",
            yaml: file(extra: "    namespaces: []\n"),
            path: "policies[0].namespaces", line: 8, message: "never applies"),
        WarningCase(
            name: "requirements ignored when signature is false",
            yaml: file(require: "      signature: false\n      minSignatures: 1\n"),
            path: "policies[0].require.minSignatures", line: 10, message: "has no effect"),
        // A registry spelled as no image name carries it: matched as canonical, and said so.
        WarningCase(
            name: "the default https port in the scope's registry",
            yaml: file(scope: "\"atcr.io:443/**\""),
            path: "policies[0].scope", line: 7,
            message: "spells the registry 'atcr.io:443', which no image name carries (they say 'atcr.io'): it is matched as 'atcr.io/**'; write that"),
        WarningCase(
            name: "a port with leading zeros",
            yaml: file(scope: "\"registry.example.com:05000/team/*\""),
            path: "policies[0].scope", line: 7, message: "matched as 'registry.example.com:5000/team/*'"),
        WarningCase(
            name: "Docker Hub's API host",
            yaml: file(scope: "\"registry-1.docker.io/**\""),
            path: "policies[0].scope", line: 7, message: "matched as 'docker.io/**'"),
        WarningCase(
            name: "Docker Hub's legacy index",
            yaml: file(scope: "[\"atcr.io/**\", \"index.docker.io/library/*\"]"),
            path: "policies[0].scope[1]", line: 7, message: "matched as 'docker.io/library/*'"),
        WarningCase(
            name: "a loopback address for localhost",
            yaml: file(scope: "\"127.0.0.1:5000/**\""),
            path: "policies[0].scope", line: 7, message: "matched as 'localhost:5000/**'"),
        WarningCase(
            name: "DID listed twice",
            yaml: file(require: "      trustedDIDs: [did:plc:hbrpoigf3cbfnobm2o4rak3v, did:plc:hbrpoigf3cbfnobm2o4rak3v]\n"),
            path: "policies[0].require.trustedDIDs[1]", line: 9, message: "listed twice"),
        WarningCase(
            name: "fewer DIDs valid now than minSignatures",
            yaml: file().replacingOccurrences(of: "    validFrom: \"2024-01-01T00:00:00Z\"\n", with: """
                    validFrom: "2024-01-01T00:00:00Z"
                    expiresAt: "2025-01-01T00:00:00Z"

                """),
            path: "policies[0].require", line: 10, message: "only 0 of the 1 trusted DIDs are valid"),
    ]

    @Test("warns, at the exact path and line, and still loads", arguments: cases)
    func warns(_ testCase: WarningCase) throws {
        let result = Fixtures.load(testCase.yaml)
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        #expect(result.policy != nil)
        // The last case's cause (an expired DID) is a warning of its own; the rest have one.
        let warnings = result.warnings.filter { !$0.message.contains("trust expired") }
        #expect(warnings.count == 1, "\(result.warnings.map(\.description))")
        let warning = try #require(warnings.first)
        #expect(warning.path == testCase.path)
        #expect(warning.line == testCase.line)
        #expect(warning.message.contains(testCase.message), "\(warning.message)")
    }

    @Test("the spoofing-resistant host forms draw no warning", arguments: [
        "atcr.io/*/prod-*", "docker.io/library/*", "localhost:5000/**", "ghcr.io/org/**", "10.0.0.5:5000/**",
    ])
    func literalHostsAreQuiet(_ scope: String) {
        let result = Fixtures.load(file(scope: "\"\(scope)\""))
        #expect(result.errors.isEmpty)
        #expect(result.warnings.isEmpty, "\(result.warnings.map(\.description))")
    }
}

@Suite("Default allow, said out loud")
struct DefaultAllowWarningTests {
    /// One enforce or audit policy, and `defaultAction` as given (nil: not written).
    static func policy(defaultAction: String?, action: String = "enforce") -> String {
        """
        version: 1.0
        \(defaultAction.map { "defaultAction: \($0)" } ?? "# defaultAction not written")
        trustedDIDs:
          did:plc:hbrpoigf3cbfnobm2o4rak3v: {}
        policies:
          - name: prod
            scope: "atcr.io/**"
            action: \(action)
        """
    }

    @Test("enforce policies with defaultAction allow, written or by default: a warning that says what it means")
    func warns() throws {
        for (defaultAction, line) in [("allow", 2), (nil, nil)] as [(String?, Int?)] {
            let result = Fixtures.load(Self.policy(defaultAction: defaultAction))
            #expect(result.policy != nil)
            let warning = try #require(result.warnings.first, "\(String(describing: defaultAction))")
            #expect(result.warnings.count == 1)
            #expect(warning.path == "defaultAction")
            #expect(warning.line == line)
            #expect(warning.message.contains("an image outside every scope is admitted unverified"))
            #expect(warning.message.contains("defaultAction: deny (or audit)"))
            #expect(warning.message.contains("require.signature: false"))
        }
    }

    @Test("no warning with deny or audit, or when nothing is enforced", arguments: [
        ("deny", "enforce"), ("audit", "enforce"), ("allow", "audit"), (nil, "audit"),
    ] as [(String?, String)])
    func quiet(_ defaultAction: String?, _ action: String) {
        let result = Fixtures.load(Self.policy(defaultAction: defaultAction, action: action))
        #expect(result.policy != nil)
        #expect(result.warnings.isEmpty, "\(result.warnings.map(\.description))")
    }

    @Test("an unreadable defaultAction is an error, not also a warning")
    func noPileUp() {
        let result = Fixtures.load(Self.policy(defaultAction: "block"))
        #expect(result.errors.map(\.path) == ["defaultAction"])
        #expect(result.warnings.isEmpty)
    }
}

@Suite("Every error at once")
struct EveryErrorAtOnceTests {
    @Test("a file with many distinct mistakes reports all of them, in file order")
    func reportsAll() {
        let yaml = """
        version: 2.0
        defaultAction: block
        trustedDIDs:
          did:plc:alice123:
            name: Alice
            validFrom: "yesterday"
          did:plc:rjnvgfygwwqc5hyfsxmecosf:
            validFrom: "2025-01-01T00:00:00Z"
            expiresAt: "2024-01-01T00:00:00Z"
            pds: "http://pds.example"
        policies:
          - name: prod
            scope: "atcr.io/Alice/*"
            require:
              signature: yes please
              trustedDIDs: [did:plc:ogyr5xkxwnrekpk5yroudocu]
              minSignature: 2
            action: enforce
          - name: prod
            scope: ["atcr.io/dev-*", "atcr.io/{a,b}/*"]
            require:
              minSignatures: 0
            action: warn
        """
        let result = Fixtures.load(yaml)
        #expect(result.policy == nil)
        let found = result.errors.map { "\($0.line ?? 0) \($0.path)" }
        #expect(found == [
            "1 version",
            "2 defaultAction",
            #"4 trustedDIDs["did:plc:alice123"]"#,
            #"6 trustedDIDs["did:plc:alice123"].validFrom"#,
            #"8 trustedDIDs["did:plc:rjnvgfygwwqc5hyfsxmecosf"].validFrom"#,
            #"10 trustedDIDs["did:plc:rjnvgfygwwqc5hyfsxmecosf"].pds"#,
            "13 policies[0].scope",
            "15 policies[0].require.signature",
            "16 policies[0].require.trustedDIDs[0]",
            "17 policies[0].require.minSignature",
            "19 policies[1].name",
            "20 policies[1].scope[1]",
            "22 policies[1].require.minSignatures",
            "23 policies[1].action",
        ], "\(result.errors.map(\.description).joined(separator: "\n"))")
    }
}
