/// How long the webhook may spend on a review: the API server's `timeout` query parameter
/// (a Go duration such as `10s`; the webhook configuration's `timeoutSeconds`, 1–30 s) minus a
/// margin for rendering and the network.
public enum AdmissionDeadline {
    /// Used when the parameter is absent or invalid (the API server's default is 10 s).
    public static let defaultTimeout: Duration = .seconds(10)
    /// The API server never waits longer (`timeoutSeconds` is at most 30).
    public static let maximumTimeout: Duration = .seconds(30)
    /// The default time kept back from the timeout.
    public static let defaultMargin: Duration = .milliseconds(500)

    /// The caller's timeout: `parameter` parsed as a Go duration; absent, invalid, zero or
    /// negative → `defaultTimeout`; more than `maximumTimeout` → `maximumTimeout`.
    public static func timeout(
        parameter: String?,
        defaultTimeout: Duration = defaultTimeout,
        maximumTimeout: Duration = maximumTimeout
    ) -> Duration {
        guard let parameter, let parsed = GoDuration.parse(parameter), parsed > .zero else {
            return min(defaultTimeout, maximumTimeout)
        }
        return min(parsed, maximumTimeout)
    }

    /// The verification budget: `timeout(parameter:…)` minus `margin`, but never less than
    /// half the timeout (a margin as large as a short timeout would leave no time at all, and
    /// the API server waits the full timeout anyway). A negative margin counts as zero.
    public static func budget(
        timeoutParameter: String?,
        margin: Duration = defaultMargin,
        defaultTimeout: Duration = defaultTimeout,
        maximumTimeout: Duration = maximumTimeout
    ) -> Duration {
        let timeout = timeout(parameter: timeoutParameter, defaultTimeout: defaultTimeout, maximumTimeout: maximumTimeout)
        return max(timeout - max(margin, .zero), timeout / 2)
    }

    /// The value of `timeout` in a URL query string (`timeout=10s&…`, without the `?`),
    /// percent-decoded; nil when absent or undecodable. The first occurrence wins.
    public static func timeoutParameter(inQuery query: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "timeout" else { continue }
            return percentDecoded(parts[1])
        }
        return nil
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
