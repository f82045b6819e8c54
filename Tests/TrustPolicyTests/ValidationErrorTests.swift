import Testing
import TrustPolicy

/// One invalid file and the error it must produce (exact path and line; message fragment).
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var path: String
    var line: Int?
    var message: String
    /// Every case is written to have exactly one error, so a cascade of follow-on errors
    /// (one mistake reported several times) fails the test.
    var count = 1

    var testDescription: String { name }
}

/// A valid policy with one trusted DID (Alice) and one policy; `body` replaces the policy's
/// `require:` block and `action:` (lines 9 onward). Line numbers in the cases count from here.
/// It ends with `defaultAction: deny`, so the enforce policy draws no default-allow warning.
private func file(trusted: String = defaultTrusted, policy: String = defaultPolicy) -> String {
    "version: 1.0\ntrustedDIDs:\n" + trusted + "policies:\n" + policy + "defaultAction: deny\n"
}

private let defaultTrusted = """
      did:plc:hbrpoigf3cbfnobm2o4rak3v:
        name: Alice
        validFrom: "2024-01-01T00:00:00Z"

    """  // lines 3–5

private let defaultPolicy = """
      - name: prod
        scope: "atcr.io/*/prod-*"
        require:
          signature: true
          minSignatures: 1
        action: enforce

    """  // lines 7–12 (line 6 is "policies:")

@Suite("Validation errors: each class with its path and line")
struct ValidationErrorTests {
    @Test("the base file is valid")
    func baseIsValid() {
        let result = Fixtures.load(file())
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    static let cases: [ErrorCase] = [
        ErrorCase(
            name: "unknown key with a suggestion",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignature: 1")),
            path: "policies[0].require.minSignature", line: 11,
            message: "unknown key 'minSignature' (did you mean 'minSignatures'?)"),
        ErrorCase(
            name: "unknown top-level key with a suggestion",
            yaml: file() + "defaultActoin: deny\n",
            path: "defaultActoin", line: 14, message: "did you mean 'defaultAction'?"),
        ErrorCase(
            name: "unknown key without a plausible suggestion",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "name: Alice", with: "colour: blue")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].colour"#, line: 4, message: "unknown key 'colour'"),
        ErrorCase(
            name: "malformed did:plc (wrong length)",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "hbrpoigf3cbfnobm2o4rak3v", with: "alice123"))
                .replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 1"),
            path: #"trustedDIDs["did:plc:alice123"]"#, line: 3, message: "not a well-formed atproto DID"),
        ErrorCase(
            name: "did:plc with a character outside base32",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "hbrpoigf3cbfnobm2o4rak3v", with: "hbrpoigf3cbfnobm2o4rak31")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak31"]"#, line: 3, message: "'1' is not a base32 character"),
        ErrorCase(
            name: "unsupported DID method",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "did:plc:hbrpoigf3cbfnobm2o4rak3v", with: "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")),
            path: #"trustedDIDs["did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"]"#, line: 3,
            message: "DID method 'key' is not supported"),
        ErrorCase(
            name: "did:web with a path",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "did:plc:hbrpoigf3cbfnobm2o4rak3v", with: "did:web:example.com:team")),
            path: #"trustedDIDs["did:web:example.com:team"]"#, line: 3, message: "path segments are not allowed"),
        ErrorCase(
            name: "timestamp that is not RFC 3339 (date only)",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "2024-01-01T00:00:00Z", with: "2024-01-01")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 5, message: "not an RFC 3339 timestamp"),
        ErrorCase(
            name: "timestamp with an impossible date",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "2024-01-01T00:00:00Z", with: "2025-02-29T00:00:00Z")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 5, message: "day 29"),
        ErrorCase(
            name: "timestamp without an offset",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "2024-01-01T00:00:00Z", with: "2024-01-01T00:00:00")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 5, message: "missing time zone offset"),
        ErrorCase(
            name: "timestamp of the wrong YAML type",
            yaml: file(trusted: defaultTrusted.replacingOccurrences(of: "\"2024-01-01T00:00:00Z\"", with: "2024")),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 5, message: "found an integer"),
        ErrorCase(
            name: "validFrom after expiresAt",
            yaml: file(trusted: defaultTrusted + "    expiresAt: \"2023-01-01T00:00:00Z\"\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].validFrom"#, line: 5,
            message: "validFrom 2024-01-01T00:00:00Z is not before expiresAt 2023-01-01T00:00:00Z"),
        ErrorCase(
            name: "invalid publicKeys entry",
            yaml: file(trusted: defaultTrusted + "    publicKeys: [\"zNotAKey\"]\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].publicKeys[0]"#, line: 6,
            message: "not a Multikey or did:key public key"),
        ErrorCase(
            name: "empty publicKeys",
            yaml: file(trusted: defaultTrusted + "    publicKeys: []\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].publicKeys"#, line: 6, message: "at least one key"),
        ErrorCase(
            name: "pds that is not an https origin",
            yaml: file(trusted: defaultTrusted + "    pds: \"http://pds.example.com\"\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].pds"#, line: 6, message: "is not https"),
        ErrorCase(
            name: "pds with a path",
            yaml: file(trusted: defaultTrusted + "    pds: \"https://pds.example.com/xrpc\"\n"),
            path: #"trustedDIDs["did:plc:hbrpoigf3cbfnobm2o4rak3v"].pds"#, line: 6, message: "origin only"),
        ErrorCase(
            name: "minSignatures below 1",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 0")),
            path: "policies[0].require.minSignatures", line: 11, message: "must be at least 1"),
        ErrorCase(
            name: "minSignatures larger than the trusted set",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 2")),
            path: "policies[0].require.minSignatures", line: 11,
            message: "needs 2 signatures but only 1 DID is declared in trustedDIDs"),
        ErrorCase(
            name: "minSignatures larger than the policy's own list",
            yaml: file(policy: defaultPolicy.replacingOccurrences(
                of: "minSignatures: 1", with: "trustedDIDs: [did:plc:hbrpoigf3cbfnobm2o4rak3v]\n      minSignatures: 2")),
            path: "policies[0].require.minSignatures", line: 12, message: "only 1 DID is listed"),
        ErrorCase(
            name: "minSignatures of the wrong type",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: \"1\"")),
            path: "policies[0].require.minSignatures", line: 11, message: "expected a whole number written in decimal, such as 2, found a string"),
        // YAML 1.1 base-60 integers: Yams' Node.int multiplies them out unchecked and traps on
        // overflow (found by the policy fuzzer, Fuzz/crashes/policy/); read as text instead.
        ErrorCase(
            name: "minSignatures in base 60, large enough to overflow",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: +222222222000000000:0")),
            path: "policies[0].require.minSignatures", line: 11,
            message: "expected a whole number written in decimal, such as 2, found +222222222000000000:0 (YAML 1.1 reads a:b as base 60"),
        ErrorCase(
            name: "minSignatures in base 60",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 0:1")),
            path: "policies[0].require.minSignatures", line: 11, message: "expected a whole number written in decimal"),
        // YAML 1.1 reads 010 as octal 8, YAML 1.2 as 10: refused rather than guessed.
        ErrorCase(
            name: "minSignatures with a leading zero",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 010")),
            path: "policies[0].require.minSignatures", line: 11,
            message: "found 010 (YAML 1.1 reads a leading 0 as octal; write it without the leading zero)"),
        ErrorCase(
            name: "minSignatures in hexadecimal",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignatures: 0x2")),
            path: "policies[0].require.minSignatures", line: 11, message: "found 0x2 (write the number in decimal)"),
        ErrorCase(
            name: "version with a leading zero",
            yaml: file().replacingOccurrences(of: "version: 1.0", with: "version: 01"),
            path: "version", line: 1, message: "unsupported version 01"),
        ErrorCase(
            name: "version in base 60, large enough to overflow",
            yaml: file().replacingOccurrences(of: "version: 1.0", with: "version: +222222222000000000:0"),
            path: "version", line: 1, message: "unsupported version +222222222000000000:0"),
        ErrorCase(
            name: "version 1 in base 60",
            yaml: file().replacingOccurrences(of: "version: 1.0", with: "version: 0:1"),
            path: "version", line: 1, message: "unsupported version 0:1"),
        ErrorCase(
            name: "signature of the wrong type",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "signature: true", with: "signature: \"true\"")),
            path: "policies[0].require.signature", line: 10, message: "expected true or false, found a string"),
        ErrorCase(
            name: "reference to a DID not declared in trustedDIDs",
            yaml: file(policy: defaultPolicy.replacingOccurrences(
                of: "minSignatures: 1",
                with: "trustedDIDs:\n        - did:plc:hbrpoigf3cbfnobm2o4rak3v\n        - did:plc:rjnvgfygwwqc5hyfsxmecosf\n      minSignatures: 1")),
            path: "policies[0].require.trustedDIDs[1]", line: 13,
            message: "did:plc:rjnvgfygwwqc5hyfsxmecosf is not declared in trustedDIDs"),
        ErrorCase(
            name: "reference that is not a DID at all",
            yaml: file(policy: defaultPolicy.replacingOccurrences(
                of: "minSignatures: 1", with: "trustedDIDs: [did:plc:hbrpoigf3cbfnobm2o4rak3v, alice]")),
            path: "policies[0].require.trustedDIDs[1]", line: 11, message: "alice is not a well-formed atproto DID"),
        ErrorCase(
            name: "invalid glob character (uppercase)",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "atcr.io/*/prod-*", with: "atcr.io/Alice/*")),
            path: "policies[0].scope", line: 8, message: "invalid character 'A' at position 9 (image and namespace names are lowercase)"),
        ErrorCase(
            name: "invalid glob character (character class)",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "\"atcr.io/*/prod-*\"", with: "[\"atcr.io/*/prod-*\", \"atcr.io/[ab]/*\"]")),
            path: "policies[0].scope[1]", line: 8, message: "invalid character '['"),
        ErrorCase(
            name: "three stars in a row",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "atcr.io/*/prod-*", with: "atcr.io/***")),
            path: "policies[0].scope", line: 8, message: "'***' at position 9"),
        ErrorCase(
            name: "empty scope list",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "\"atcr.io/*/prod-*\"", with: "[]")),
            path: "policies[0].scope", line: 8, message: "at least one scope"),
        ErrorCase(
            name: "scope of the wrong type",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "\"atcr.io/*/prod-*\"", with: "42")),
            path: "policies[0].scope", line: 8, message: "expected a string or a list of strings, found an integer"),
        ErrorCase(
            name: "invalid namespace glob",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "    require:", with: "    namespaces: [\"Prod\"]\n    require:")),
            path: "policies[0].namespaces[0]", line: 9, message: "invalid namespace glob 'Prod'"),
        ErrorCase(
            name: "duplicate policy name",
            yaml: file(policy: defaultPolicy + defaultPolicy),
            path: "policies[1].name", line: 13, message: "duplicate policy name 'prod' (first used on line 7)"),
        ErrorCase(
            name: "unknown action with a suggestion",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "action: enforce", with: "action: enforced")),
            path: "policies[0].action", line: 12, message: "unknown value 'enforced' (did you mean 'enforce'?); expected one of: enforce, audit"),
        ErrorCase(
            name: "missing action",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "    action: enforce\n", with: "")),
            path: "policies[0].action", line: 7, message: "action is required"),
        ErrorCase(
            name: "missing scope",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "    scope: \"atcr.io/*/prod-*\"\n", with: "")),
            path: "policies[0].scope", line: 7, message: "scope is required"),
        ErrorCase(
            name: "unknown defaultAction",
            yaml: file().replacingOccurrences(of: "defaultAction: deny", with: "defaultAction: reject"),
            path: "defaultAction", line: 13, message: "unknown value 'reject'; expected one of: allow, audit, deny"),
        ErrorCase(
            name: "unsupported version (number)",
            yaml: file().replacingOccurrences(of: "version: 1.0", with: "version: 2.0"),
            path: "version", line: 1, message: "unsupported version 2.0"),
        ErrorCase(
            name: "unsupported version (string)",
            yaml: file().replacingOccurrences(of: "version: 1.0", with: "version: \"1.1\""),
            path: "version", line: 1, message: "unsupported version 1.1"),
        ErrorCase(
            name: "missing version",
            yaml: file().replacingOccurrences(of: "version: 1.0\n", with: ""),
            path: "version", line: 1, message: "version is required"),
        ErrorCase(
            name: "policies of the wrong type",
            yaml: "version: 1.0\npolicies:\n  name: prod\n",
            path: "policies", line: 3, message: "expected a list of policies, found a mapping"),
        ErrorCase(
            name: "empty policies list",
            yaml: "version: 1.0\ntrustedDIDs: {}\npolicies: []\n",
            path: "policies", line: 3, message: "must list at least one policy"),
        ErrorCase(
            name: "missing policies",
            yaml: "version: 1.0\ntrustedDIDs: {}\n",
            path: "policies", line: 1, message: "policies is required"),
        ErrorCase(
            name: "trustedDIDs of the wrong type",
            yaml: file(trusted: "  42\n"),
            path: "trustedDIDs", line: 3, message: "expected a mapping from DID to its entry, or a list of DIDs, found an integer"),
        ErrorCase(
            name: "YAML syntax error, with its line",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "\"atcr.io/*/prod-*\"", with: "\"atcr.io/*/prod-*")),
            path: "", line: 14, message: "while scanning a quoted scalar that starts on line 8"),
        ErrorCase(
            name: "duplicate key in one mapping",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "    action: enforce", with: "    action: enforce\n    action: audit")),
            path: "", line: 12, message: "duplicate key 'action'"),
        ErrorCase(
            name: "empty file",
            yaml: "# nothing but a comment\n",
            path: "", line: nil, message: "the policy file is empty"),
        ErrorCase(
            name: "document that is not a mapping",
            yaml: "- version: 1.0\n",
            path: "", line: 1, message: "a trust policy is a mapping"),
        ErrorCase(
            name: "YAML merge keys are refused",
            yaml: file(policy: defaultPolicy.replacingOccurrences(of: "    require:", with: "    <<: {action: audit}\n    require:")),
            path: "policies[0].<<", line: 9, message: "merge keys"),
    ]

    @Test("reports the error at its exact path and line", arguments: cases)
    func reportsError(_ testCase: ErrorCase) throws {
        let result = Fixtures.load(testCase.yaml)
        #expect(result.policy == nil)
        #expect(result.errors.count == testCase.count, "\(result.errors.map(\.description))")
        let match = result.errors.first { $0.path == testCase.path && $0.line == testCase.line }
        let error = try #require(match, "no error at \(testCase.path) line \(String(describing: testCase.line)); got \(result.errors.map(\.description))")
        #expect(error.message.contains(testCase.message), "\(error.message)")
    }

    @Test("the description reads 'path: message (line N)'")
    func descriptionFormat() throws {
        let yaml = file(policy: defaultPolicy.replacingOccurrences(
            of: "minSignatures: 1",
            with: "trustedDIDs:\n        - did:plc:hbrpoigf3cbfnobm2o4rak3v\n        - did:plc:rjnvgfygwwqc5hyfsxmecosf\n      minSignatures: 1"))
        let error = try #require(Fixtures.load(yaml).errors.first)
        #expect(error.description == "policies[0].require.trustedDIDs[1]: did:plc:rjnvgfygwwqc5hyfsxmecosf is not declared in trustedDIDs (line 13)")
    }

    @Test("version 1.0, 1, +1, \"1.0\" and \"1\" are all version 1", arguments: ["1.0", "1", "+1", "\"1.0\"", "\"1\""])
    func acceptedVersions(_ written: String) throws {
        let policy = try Fixtures.policy(file().replacingOccurrences(of: "version: 1.0", with: "version: \(written)"))
        #expect(policy.version == 1)
    }

    @Test("a reference to a malformed declared DID adds no error of its own")
    func noCascadeFromMalformedKey() {
        // Two malformed keys, referenced three times (twice by one policy, once by another),
        // with minSignatures 2: still exactly the two errors at the keys.
        let yaml = """
        version: 1.0
        trustedDIDs:
          did:plc:alice123: {}
          did:plc:bob456: {}
        policies:
          - name: a
            scope: "atcr.io/**"
            require: {trustedDIDs: [did:plc:alice123, did:plc:bob456], minSignatures: 2}
            action: enforce
          - name: b
            scope: "atcr.io/**"
            require: {trustedDIDs: [did:plc:bob456]}
            action: audit
        """
        let result = Fixtures.load(yaml)
        #expect(result.errors.map(\.line) == [3, 4], "\(result.errors.map(\.description))")
    }
}
