/// An IP address written as a literal: the forms a client library would connect to without
/// asking DNS. Parsing is deliberately as lenient as the C resolver for IPv4 (`127.1`,
/// `0x7f.0.0.1`, `2130706433` all reach 127.0.0.1 through `getaddrinfo`), so that no spelling
/// of an address escapes a check that looks at its value.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first.
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves, most significant first.
    case v6(high: UInt64, low: UInt64)

    /// Parses an IPv4 literal in any form `inet_aton` accepts: one to four dot-separated parts,
    /// each decimal, octal (leading `0`) or hexadecimal (`0x`), the last part filling the
    /// remaining bytes (`10.1` is 10.0.0.1). Nil for anything else, including empty parts.
    public init?(ipv4 text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = Self.legacyNumber(part) else { return nil }
            values.append(value)
        }
        var address: UInt64 = 0
        for value in values.dropLast() {
            guard value <= 0xFF else { return nil }
            address = address << 8 | value
        }
        let lastBits = 8 * (5 - values.count)
        guard let last = values.last, last < (UInt64(1) << lastBits) else { return nil }
        address = address << lastBits | last
        self = .v4(UInt32(truncatingIfNeeded: address))
    }

    /// Parses an IPv6 literal without brackets or zone: up to eight groups of one to four hex
    /// digits, at most one `::`, optionally ending in a dotted-decimal IPv4 address.
    public init?(ipv6 text: Substring) {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var rest = text
        if rest.hasPrefix("::") {
            sawGap = true
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix(":") {
            return nil
        }
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let group = rest[..<end]
            var groups: [UInt16]
            if group.contains(".") {
                // A dotted IPv4 tail: strict four decimal parts, and nothing may follow it.
                guard end == rest.endIndex, let v4 = Self.strictIPv4(group) else { return nil }
                groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            } else {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16),
                    group.allSatisfy(\.isHexDigit)
                else { return nil }
                groups = [value]
            }
            if sawGap { tail += groups } else { head += groups }
            rest = rest[end...]
            if rest.hasPrefix("::") {
                guard !sawGap else { return nil }
                sawGap = true
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                guard !rest.isEmpty else { return nil }  // a trailing single ':'
            }
        }
        let count = head.count + tail.count
        guard sawGap ? count <= 7 : count == 8 else { return nil }
        let groups = head + [UInt16](repeating: 0, count: 8 - count) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        self = .v6(high: high, low: low)
    }

    /// An IPv4 literal (any `inet_aton` form) or an IPv6 literal, with or without brackets.
    public init?(literal text: Substring) {
        if text.hasPrefix("["), text.hasSuffix("]") {
            self.init(ipv6: text.dropFirst().dropLast())
        } else if text.contains(":") {
            self.init(ipv6: text)
        } else {
            self.init(ipv4: text)
        }
    }

    /// The eight 16-bit groups of an IPv6 address.
    var groups: [UInt16] {
        guard case .v6(let high, let low) = self else { return [] }
        return (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) }
    }

    /// Dotted decimal for IPv4; for IPv6 the RFC 5952 text (lowercase, no leading zeros, the
    /// longest run of two or more zero groups as `::`), always in hex so that it is also valid
    /// inside an image reference's brackets.
    public var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String((value >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
        case .v6:
            let groups = self.groups
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.length >= 2 else { return hex.joined(separator: ":") }
            let before = hex[0..<best.start].joined(separator: ":")
            let after = hex[(best.start + best.length)...].joined(separator: ":")
            return before + "::" + after
        }
    }

    /// One `inet_aton` number: `0x…` hex, `0…` octal, else decimal; at least one digit.
    /// Values past 2^32 are capped (they are out of range for every position anyway).
    private static func legacyNumber(_ text: Substring) -> UInt64? {
        guard let first = text.first, first.isASCII, first.isNumber else { return nil }
        var digits = text
        var radix: UInt64 = 10
        if text.count > 1, first == "0" {
            if let second = text.dropFirst().first, second == "x" || second == "X" {
                radix = 16
                digits = text.dropFirst(2)
                guard !digits.isEmpty else { return nil }
            } else {
                radix = 8
                digits = text.dropFirst()
            }
        }
        var value: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, character.isASCII, UInt64(digit) < radix else { return nil }
            value = min(value * radix + UInt64(digit), UInt64(1) << 33)
        }
        return value
    }

    /// Exactly four decimal parts of 0-255 without leading zeros, as RFC 4291 requires for an
    /// IPv4 tail inside an IPv6 literal.
    private static func strictIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }
}
