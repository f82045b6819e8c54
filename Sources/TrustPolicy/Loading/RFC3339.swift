import Foundation

/// A strict RFC 3339 `date-time` parser: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
///
/// Written by hand (civil-date arithmetic, no `Calendar`, no formatter) so it is pure,
/// `Sendable`, and rejects what RFC 3339 rejects: missing offsets, impossible dates
/// (2025-02-29), hours past 23.
public enum RFC3339 {
    /// Why a string is not an RFC 3339 date-time.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The offending text and what is wrong with it.
        public let reason: String
        public var description: String { reason }
    }

    /// Parses `text`; a leap second (`:60`) is read as the last second of its minute.
    public static func parse(_ text: String) throws(ParseError) -> Date {
        let b = Array(text.utf8)
        func fail(_ reason: String) -> ParseError {
            ParseError(reason: "'\(text)' is not an RFC 3339 timestamp (\(reason)); expected e.g. 2024-01-01T00:00:00Z")
        }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ i: Int, _ allowed: String) -> Bool {
            i < b.count && allowed.utf8.contains(b[i])
        }
        guard let year = number(0..<4), byte(4, "-"), let month = number(5..<7), byte(7, "-"),
              let day = number(8..<10)
        else { throw fail("the date must be YYYY-MM-DD") }
        guard byte(10, "Tt") else { throw fail("missing 'T' and time") }
        guard let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"),
              let second = number(17..<19)
        else { throw fail("the time must be HH:MM:SS") }
        guard (1...12).contains(month) else { throw fail("month \(month)") }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else { throw fail("day \(day)") }
        guard hour <= 23, minute <= 59, second <= 60 else { throw fail("time out of range") }

        var index = 19
        var fraction = 0.0
        if byte(index, ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[index]) {
                fraction += Double(b[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { throw fail("empty fraction of a second") }
        }
        var offsetSeconds = 0
        if byte(index, "Zz") {
            index += 1
        } else if byte(index, "+-") {
            let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
            guard let offsetHour = number(index + 1..<index + 3), byte(index + 3, ":"),
                  let offsetMinute = number(index + 4..<index + 6), offsetHour <= 23, offsetMinute <= 59
            else { throw fail("the offset must be Z or ±HH:MM") }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        } else {
            throw fail("missing time zone offset (Z or ±HH:MM)")
        }
        guard index == b.count else { throw fail("unexpected text after the offset") }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `date` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), for messages.
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondsOfDay = total - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay % 3600 / 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm, proleptic Gregorian).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (also used for Kubernetes MicroTime).
    package static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
