/// Go's `time.ParseDuration`, as the API server formats the webhook `timeout` query parameter
/// (`10s`, `1m0s`, `500ms`, `1h2m3.5s`). Follows Go's grammar: an optional sign, then one or
/// more decimal numbers each with a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`); `0`
/// alone needs no unit; the total must fit in an Int64 of nanoseconds.
public enum GoDuration {
    private static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000, // micro sign
        "\u{03BC}s": 1_000, // Greek small letter mu
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    /// The duration, or nil when `text` is not a Go duration (or overflows).
    public static func parse(_ text: String) -> Duration? {
        nanoseconds(text).map { Duration.nanoseconds($0) }
    }

    /// The duration in nanoseconds, or nil.
    public static func nanoseconds(_ text: String) -> Int64? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        if bytes.elementsEqual("0".utf8) { return 0 }
        guard !bytes.isEmpty else { return nil }

        let limit = UInt64(1) << 63
        var total: UInt64 = 0
        while !bytes.isEmpty {
            guard let first = bytes.first, first == UInt8(ascii: ".") || isDigit(first) else { return nil }
            // The integer part.
            let integerStart = bytes.count
            var value: UInt64 = 0
            while let byte = bytes.first, isDigit(byte) {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2, sum <= limit else { return nil }
                value = sum
                bytes = bytes.dropFirst()
            }
            let hasInteger = bytes.count != integerStart
            // The fraction: digits beyond what fits are ignored, as Go does.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hasFraction = false
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                let fractionStart = bytes.count
                var overflowed = false
                while let byte = bytes.first, isDigit(byte) {
                    if !overflowed {
                        let (times10, overflow1) = fraction.multipliedReportingOverflow(by: 10)
                        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                        if overflow1 || overflow2 || sum > limit {
                            overflowed = true
                        } else {
                            fraction = sum
                            scale *= 10
                        }
                    }
                    bytes = bytes.dropFirst()
                }
                hasFraction = bytes.count != fractionStart
            }
            guard hasInteger || hasFraction else { return nil }
            // The unit: everything up to the next digit or dot.
            var unitBytes: [UInt8] = []
            while let byte = bytes.first, byte != UInt8(ascii: "."), !isDigit(byte) {
                unitBytes.append(byte)
                bytes = bytes.dropFirst()
            }
            guard !unitBytes.isEmpty, let unitName = String(validating: unitBytes, as: UTF8.self),
                  let unit = units[unitName]
            else { return nil }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow, scaled <= limit else { return nil }
            value = scaled
            if fraction > 0 {
                let extra = Double(fraction) * (Double(unit) / scale)
                guard extra < Double(limit) else { return nil }
                let (sum, overflow) = value.addingReportingOverflow(UInt64(extra))
                guard !overflow, sum <= limit else { return nil }
                value = sum
            }
            let (sum, overflow2) = total.addingReportingOverflow(value)
            guard !overflow2, sum <= limit else { return nil }
            total = sum
        }
        if negative { return total == limit ? Int64.min : -Int64(total) }
        guard total < limit else { return nil }
        return Int64(total)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
