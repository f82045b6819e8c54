import Testing
@testable import Admission

@Suite("Go durations and the admission deadline")
struct DeadlineTests {
    static let valid: [(String, Int64)] = [
        ("10s", 10_000_000_000),
        ("1m0s", 60_000_000_000),
        ("500ms", 500_000_000),
        ("1h2m3.5s", 3_723_500_000_000),
        ("2.5s", 2_500_000_000),
        ("0", 0),
        ("-0", 0),
        ("+5s", 5_000_000_000),
        ("-1.5h", -5_400_000_000_000),
        (".5s", 500_000_000),
        ("1.s", 1_000_000_000),
        ("30s", 30_000_000_000),
        ("1ns", 1),
        ("1us", 1_000),
        ("1\u{00B5}s", 1_000),
        ("1\u{03BC}s", 1_000),
        ("1.000000001s", 1_000_000_001),
        ("1.0000000019s", 1_000_000_001), // extra fraction digits are dropped, as Go does
        ("000000000000000000000000010s", 10_000_000_000),
        ("2562047h47m16.854775807s", Int64.max),
        ("-2562047h47m16.854775808s", Int64.min),
        ("1h1h", 7_200_000_000_000),
        ("3m120s", 300_000_000_000),
    ]

    static let invalid: [String] = [
        "", "s", "10", "1.5", ".", "-", "+", "-.s", "10 s", " 10s", "10s ", "1e3s", "10S", "10sec", "1d",
        "2562047h47m16.854775808s", "9223372036854775808ns", "99999999999999999999h", "1h-1m", "\u{0}",
        "10s\n", "١٠s",
    ]

    @Test("valid Go durations", arguments: valid)
    func parsesValid(text: String, nanoseconds: Int64) {
        #expect(GoDuration.nanoseconds(text) == nanoseconds, "\(text)")
    }

    @Test("invalid Go durations", arguments: invalid)
    func rejectsInvalid(text: String) {
        #expect(GoDuration.parse(text) == nil, "\(text)")
    }

    @Test("parse yields a Duration")
    func duration() {
        #expect(GoDuration.parse("1m30s") == .seconds(90))
        #expect(GoDuration.parse("250ms") == .milliseconds(250))
    }

    static let budgets: [(String?, Duration, Duration)] = [
        // (parameter, margin, budget)
        (nil, .milliseconds(500), .milliseconds(9_500)),       // absent: default 10 s
        ("10s", .milliseconds(500), .milliseconds(9_500)),
        ("1m0s", .milliseconds(500), .milliseconds(29_500)),   // clamped to 30 s first
        ("30s", .seconds(1), .seconds(29)),
        ("5s", .zero, .seconds(5)),
        ("2.5s", .milliseconds(500), .seconds(2)),
        ("1s", .milliseconds(500), .milliseconds(500)),
        ("1s", .milliseconds(800), .milliseconds(500)),        // never below half the timeout
        ("500ms", .milliseconds(500), .milliseconds(250)),
        ("1h2m3.5s", .milliseconds(500), .milliseconds(29_500)),
        ("garbage", .milliseconds(500), .milliseconds(9_500)), // invalid: default
        ("0s", .milliseconds(500), .milliseconds(9_500)),      // zero: default
        ("-5s", .milliseconds(500), .milliseconds(9_500)),     // negative: default
        ("10s", .milliseconds(-300), .seconds(10)),            // negative margin counts as zero
    ]

    @Test("budget = timeout (default 10 s, at most 30 s) minus margin, at least half the timeout", arguments: budgets)
    func budget(parameter: String?, margin: Duration, expected: Duration) {
        #expect(AdmissionDeadline.budget(timeoutParameter: parameter, margin: margin) == expected)
    }

    @Test("the default and maximum are parameters too")
    func parameters() {
        #expect(AdmissionDeadline.timeout(parameter: nil, defaultTimeout: .seconds(4)) == .seconds(4))
        #expect(AdmissionDeadline.timeout(parameter: "20s", maximumTimeout: .seconds(15)) == .seconds(15))
        #expect(AdmissionDeadline.timeout(parameter: "20s") == .seconds(20))
        #expect(AdmissionDeadline.budget(timeoutParameter: "bad", margin: .seconds(1), defaultTimeout: .seconds(6)) == .seconds(5))
    }

    static let queries: [(String, String?)] = [
        ("timeout=10s", "10s"),
        ("foo=bar&timeout=1m0s", "1m0s"),
        ("timeout=10s&timeout=2s", "10s"),
        ("timeout=1%C2%B5s", "1\u{00B5}s"),
        ("timeout=", ""),
        ("timeouts=10s", nil),
        ("", nil),
        ("timeout=%ZZ", nil),
        ("timeout=%C2", nil),
    ]

    @Test("the timeout parameter from a query string", arguments: queries)
    func query(query: String, expected: String?) {
        #expect(AdmissionDeadline.timeoutParameter(inQuery: query) == expected)
    }
}
