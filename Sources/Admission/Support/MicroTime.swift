import Foundation
import TrustPolicy

/// Timestamps as Kubernetes writes them: RFC 3339 in UTC with exactly six fractional digits,
/// `2026-11-22T01:02:03.123456Z` (`metav1.MicroTime`). Used for an Event's `eventTime` and the
/// audit line's `time`. Pure arithmetic on the civil calendar: no formatter, no locale.
public enum MicroTime {
    /// `date` in UTC with microsecond precision (truncated toward the past, never rounded up
    /// into the next second).
    public static func format(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        // Dates beyond what an Int64 of microseconds holds (±292,000 years) are clamped.
        let total = micros.isFinite
            ? Int64(max(min(micros, 9.2e18), -9.2e18))
            : 0
        let (seconds, fraction) = floorDivide(total, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let civil = RFC3339.civilFromDays(Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
            + "." + pad(fraction, 6) + "Z"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(abs(value))
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
