import CommandSettings
import Testing

/// Flags and `ATCR_*` variables through one layer: the flag wins, a variable is checked exactly
/// like its flag, and every bad value is reported naming where it came from.
@Suite("SettingsReader")
struct SettingsReaderTests {
    @Test("booleans: true, false, 1 and 0 in any case; the flag wins over the variable", arguments: [
        ("true", true), ("TRUE", true), ("True", true), ("1", true), ("false", false), ("FALSE", false), ("0", false),
    ])
    func booleans(text: String, value: Bool) throws {
        var settings = SettingsReader(environment: ["ATCR_AUDIT_ONLY": text])
        let fromVariable = settings.flag(false, "--audit-only", env: "ATCR_AUDIT_ONLY")
        let asBool = settings.bool(nil, "--enable-events", env: "ATCR_AUDIT_ONLY", default: !value)
        let flagGiven = settings.flag(true, "--audit-only", env: "ATCR_AUDIT_ONLY")
        let disabled = settings.bool(false, "--enable-events", env: "ATCR_AUDIT_ONLY", default: true)
        #expect(fromVariable == value && asBool == value)
        #expect(flagGiven, "the flag wins")
        #expect(disabled == false, "--disable-events wins")
        try settings.check()
    }

    @Test("anything else is not a boolean: an error naming the variable, never a silent default", arguments: ["yes", "no", "on", "2", "t", " "])
    func notBooleans(text: String) {
        var settings = SettingsReader(environment: ["ATCR_AUDIT_ONLY": text])
        _ = settings.flag(false, "--audit-only", env: "ATCR_AUDIT_ONLY")
        #expect(settings.problems.count == 1)
        #expect(settings.problems.first?.contains("ATCR_AUDIT_ONLY='\(text)'") == true, "\(settings.problems)")
        #expect(settings.problems.first?.contains("true, false, 1 or 0") == true)
        #expect(throws: SettingsError.self) { try settings.check() }
    }

    @Test("numbers: not a number or out of range is an error naming the variable or the flag")
    func numbers() {
        var settings = SettingsReader(environment: ["ATCR_PORT": "abc", "ATCR_METRICS_PORT": "-1", "ATCR_CACHE_TTL": " 60 "])
        let values = [
            settings.int(nil, "--port", env: "ATCR_PORT", default: 8443, in: 0...65535),
            settings.int(nil, "--metrics-port", env: "ATCR_METRICS_PORT", default: 9090, in: 0...65535),
            settings.int(nil, "--cache-ttl", env: "ATCR_CACHE_TTL", default: 300, atLeast: 0),
            settings.int(-5, "--negative-cache-ttl", env: "ATCR_NEGATIVE_CACHE_TTL", default: 30, atLeast: 0),
            settings.int(70000, "--port", env: "ATCR_PORT", default: 8443, in: 0...65535),
        ]
        #expect(values == [8443, 9090, 60, 30, 8443], "defaults after a problem; surrounding spaces are trimmed")
        #expect(settings.problems == [
            "ATCR_PORT='abc': not a whole number (set by --port or ATCR_PORT)",
            "ATCR_METRICS_PORT=-1: out of range 0…65535 (set by --metrics-port or ATCR_METRICS_PORT)",
            "--negative-cache-ttl -5: out of range: at least 0 (set by --negative-cache-ttl or ATCR_NEGATIVE_CACHE_TTL)",
            "--port 70000: out of range 0…65535 (set by --port or ATCR_PORT)",
        ])
    }

    @Test("choices list every valid value and the variable")
    func choices() {
        var settings = SettingsReader(environment: ["ATCR_LOG_LEVEL": "loud"])
        let levels = ["trace", "debug", "info"]
        let fromFlag = settings.choice("verbose", "--log-level", env: "ATCR_LOG_LEVEL", default: "info", among: levels)
        let fromVariable = settings.choice(nil, "--log-level", env: "ATCR_LOG_LEVEL", default: "info", among: levels)
        #expect(fromFlag == "info" && fromVariable == "info")
        #expect(settings.problems == [
            "--log-level verbose: not one of trace, debug, info (set by --log-level or ATCR_LOG_LEVEL)",
            "ATCR_LOG_LEVEL=loud: not one of trace, debug, info (set by --log-level or ATCR_LOG_LEVEL)",
        ])
    }

    @Test("flag, else variable, else default; an empty variable is unset; unread ATCR_ variables are listed")
    func precedence() throws {
        var settings = SettingsReader(environment: ["ATCR_HOST": "127.0.0.1", "ATCR_CA_BUNDLE": "", "ATCR_AUDITONLY": "true", "HOME": "/"])
        let flagHost = settings.string("::1", "--host", env: "ATCR_HOST", default: "0.0.0.0")
        let variableHost = settings.string(nil, "--host", env: "ATCR_HOST", default: "0.0.0.0")
        let emptyBundle = settings.string(nil, "--ca-bundle", env: "ATCR_CA_BUNDLE")
        let defaultPort = settings.int(nil, "--port", env: "ATCR_PORT", default: 8443, in: 0...65535)
        #expect(flagHost == "::1" && variableHost == "127.0.0.1" && emptyBundle == nil && defaultPort == 8443)
        #expect(settings.unreadVariables() == ["ATCR_AUDITONLY"], "a typo is noticed; other variables are not ours")
        try settings.check()
    }

    @Test("every problem is reported at once")
    func allAtOnce() {
        var settings = SettingsReader(environment: ["ATCR_AUDIT_ONLY": "yes", "ATCR_PORT": "abc"])
        _ = settings.flag(false, "--audit-only", env: "ATCR_AUDIT_ONLY")
        _ = settings.int(nil, "--port", env: "ATCR_PORT", default: 8443, in: 0...65535)
        settings.report("--plain-http-registry needs --allow-insecure-local")
        do {
            try settings.check()
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.count == 3)
            #expect(error.description.split(separator: "\n").count == 3, "one line each")
        }
    }
}
