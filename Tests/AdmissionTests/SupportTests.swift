import Foundation
import Testing
@testable import Admission

@Suite("MicroTime, text bounds and Kubernetes names")
struct SupportTests {
    static let times: [(Double, String)] = [
        (0, "1970-01-01T00:00:00.000000Z"),
        (1_795_309_323.123456, "2026-11-22T01:02:03.123456Z"),
        (86_399.9999999, "1970-01-01T23:59:59.999999Z"),        // truncated, never into the next second
        (951_782_400, "2000-02-29T00:00:00.000000Z"),            // leap day
        (4_102_444_799.5, "2099-12-31T23:59:59.500000Z"),
        (-1, "1969-12-31T23:59:59.000000Z"),
        (-0.25, "1969-12-31T23:59:59.750000Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000000Z"),
    ]

    @Test("MicroTime: RFC 3339, UTC, exactly six fractional digits", arguments: times)
    func microTime(seconds: Double, expected: String) {
        #expect(MicroTime.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("MicroTime never traps on extreme dates")
    func extremes() {
        for date in [Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: .nan)] {
            #expect(MicroTime.format(date).hasSuffix("Z"))
        }
    }

    @Test("truncate: within the byte budget, on character boundaries, with an ellipsis only when cut")
    func truncate() {
        #expect(TextBounds.truncate("hello", maxBytes: 5) == "hello")
        #expect(TextBounds.truncate("hello!", maxBytes: 5) == "he…")
        #expect(TextBounds.truncate("hello!", maxBytes: 5, ellipsis: "") == "hello")
        #expect(TextBounds.truncate("héllo", maxBytes: 3, ellipsis: "") == "hé")
        #expect(TextBounds.truncate("ééé", maxBytes: 5, ellipsis: "") == "éé")
        #expect(TextBounds.truncate("😀😀", maxBytes: 7, ellipsis: "") == "😀")
        #expect(TextBounds.truncate("abc", maxBytes: 2) == "ab")       // an ellipsis that cannot fit is left off
        #expect(TextBounds.truncate("abc", maxBytes: 0) == "")
        #expect(TextBounds.truncate("🇩🇪🇫🇷", maxBytes: 10, ellipsis: "") == "🇩🇪")
    }

    @Test("truncateMiddle: a third of the room for the beginning, the rest for the end, on character boundaries")
    func truncateMiddle() {
        #expect(TextBounds.truncateMiddle("hello", maxBytes: 5) == "hello")
        #expect(TextBounds.truncateMiddle("abcdefghijklmnop", maxBytes: 12) == "abc…klmnop")  // 9 bytes of room: 3 + 6
        #expect(TextBounds.truncateMiddle("ééééééééé", maxBytes: 12) == "é…ééé")            // 9 bytes of room: 1 é + 3 é
        #expect(TextBounds.truncateMiddle("😀😀😀😀😀", maxBytes: 12) == "…😀😀")             // no whole 😀 in 3 bytes
        #expect(TextBounds.truncateMiddle("abc", maxBytes: 2) == "ab")
        #expect(TextBounds.truncateMiddle("abc", maxBytes: 0) == "")
        for size in 0...40 {
            #expect(TextBounds.truncateMiddle(String(repeating: "🇩🇪x", count: 20), maxBytes: size).utf8.count <= size)
        }
    }

    @Test("singleLine replaces control characters; printable keeps newlines")
    func controlCharacters() {
        #expect(TextBounds.singleLine("a\nb\tc\u{7f}d\u{85}e\u{2029}f") == "a b c d e f")
        #expect(TextBounds.printable("a\nb\tc") == "a\nb c")
        #expect(TextBounds.singleLine("plain") == "plain")
    }

    static let subdomains: [(String, Bool)] = [
        ("p", true), ("my-pod.17a8b", true), ("a.b.c", true), ("0abc", true),
        ("", false), ("-a", false), ("a-", false), ("a..b", false), (".a", false), ("A", false),
        ("a_b", false), (String(repeating: "a", count: 253), true), (String(repeating: "a", count: 254), false),
    ]

    @Test("DNS subdomain names", arguments: subdomains)
    func dnsSubdomain(text: String, valid: Bool) {
        #expect(KubernetesNames.isDNSSubdomain(text) == valid)
    }

    static let qualified: [(String, Bool)] = [
        ("decision", true), ("policies", true), ("findings", true), ("Audit_Key.1", true),
        ("atcr-verify.io/webhook", true), ("verify.atcr-verify.io/decision", true),
        ("", false), ("-x", false), ("x-", false), ("a b", false), ("a/b/c", false), ("/x", false), ("UPPER.io/x", false),
        (String(repeating: "k", count: 63), true), (String(repeating: "k", count: 64), false),
    ]

    @Test("qualified names (audit annotation keys, reportingController)", arguments: qualified)
    func qualifiedName(text: String, valid: Bool) {
        #expect(KubernetesNames.isQualifiedName(text) == valid)
    }

    static let sanitized: [(String, String?)] = [
        ("d", "d"), ("My_Pod", "my-pod"), ("-x-", "x"), ("a..b", "a.b"), ("..", nil), ("___", nil),
        ("d-5d4f8c7b9-", "d-5d4f8c7b9"), ("a.-b", "a.b"), ("ünïcode", "n-code"),
    ]

    @Test("names made into DNS subdomains", arguments: sanitized)
    func dnsFromText(text: String, expected: String?) {
        let made = KubernetesNames.dnsSubdomain(from: text, maxLength: 253)
        #expect(made == expected)
        if let made { #expect(KubernetesNames.isDNSSubdomain(made)) }
    }

    @Test("made names respect the length bound and stay valid when cut")
    func dnsFromTextLength() {
        let text = String(repeating: "ab-", count: 200)
        for limit in [1, 2, 3, 50, 236, 253] {
            let made = KubernetesNames.dnsSubdomain(from: text, maxLength: limit)
            #expect((made?.count ?? 0) <= limit)
            #expect(made.map(KubernetesNames.isDNSSubdomain) ?? false)
        }
    }
}
