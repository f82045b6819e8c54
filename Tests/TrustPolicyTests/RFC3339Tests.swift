import Foundation
import Testing
import TrustPolicy

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test("parses date-times to the exact instant", arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-01-01T00:00:00Z", 1_704_067_200),
        ("2024-01-01T01:00:00+01:00", 1_704_067_200),
        ("2023-12-31T19:00:00-05:00", 1_704_067_200),
        ("2024-01-01t00:00:00z", 1_704_067_200),
        ("2024-01-01T00:00:00.5Z", 1_704_067_200.5),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2000-02-29T12:00:00Z", 951_825_600),
        ("2025-12-31T23:59:59Z", 1_767_225_599),
        ("1969-12-31T23:59:59Z", -1),
    ])
    func parses(_ text: String, _ seconds: Double) throws {
        #expect(try RFC3339.parse(text).timeIntervalSince1970 == seconds)
    }

    @Test("rejects what RFC 3339 rejects", arguments: [
        "2024-01-01", "2024-1-01T00:00:00Z", "2024-01-01 00:00:00Z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zjunk",
        "yesterday", "",
    ])
    func rejects(_ text: String) {
        #expect(throws: RFC3339.ParseError.self) { try RFC3339.parse(text) }
    }

    @Test("formats as UTC with whole seconds", arguments: [
        "1970-01-01T00:00:00Z", "2024-02-29T13:14:15Z", "2025-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2400-03-01T00:00:00Z",
    ])
    func roundTrips(_ text: String) throws {
        #expect(RFC3339.format(try RFC3339.parse(text)) == text)
    }
}
