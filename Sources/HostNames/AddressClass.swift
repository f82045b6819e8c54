/// What kind of destination an address is, as far as "may we be sent there" is concerned.
public enum AddressClass: String, Sendable, Hashable, CustomStringConvertible {
    /// 127.0.0.0/8, ::1, and `localhost` names: the machine itself.
    case loopback
    /// 0.0.0.0/8 and `::`: on Linux a connection to them reaches the machine itself.
    case unspecified
    /// 169.254.0.0/16 and fe80::/10: where cloud metadata services live.
    case linkLocal
    /// 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7 and fec0::/10:
    /// internal networks.
    case privateUse
    /// Anything else.
    case global

    /// The class in words, with its ranges, for error messages.
    public var description: String {
        switch self {
        case .loopback: "a loopback address (127.0.0.0/8, ::1, localhost)"
        case .unspecified: "an unspecified address (0.0.0.0/8, ::)"
        case .linkLocal: "a link-local address (169.254.0.0/16, fe80::/10)"
        case .privateUse: "a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)"
        case .global: "a global address"
        }
    }

    /// True for the machine itself (loopback or unspecified).
    public var isLocal: Bool { self == .loopback || self == .unspecified }
}

extension IPAddress {
    /// The class of this address. IPv6 forms that carry an IPv4 address (IPv4-mapped
    /// `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and
    /// `64:ff9b:1::/48`) are judged by the IPv4 address they reach.
    public var addressClass: AddressClass {
        switch self {
        case .v4(let value):
            return Self.classify(v4: value)
        case .v6(let high, let low):
            if high == 0, low == 0 { return .unspecified }
            if high == 0, low == 1 { return .loopback }
            if let embedded = embeddedIPv4 { return Self.classify(v4: embedded) }
            let top16 = high >> 48
            if top16 & 0xFFC0 == 0xFE80 { return .linkLocal }
            if top16 & 0xFFC0 == 0xFEC0 { return .privateUse }  // site-local (deprecated)
            if top16 & 0xFE00 == 0xFC00 { return .privateUse }  // unique local
            return .global
        }
    }

    /// The IPv4 address an IPv6 address carries in its low 32 bits, for the forms that route
    /// to it (mapped, compatible, NAT64); nil otherwise.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let high, let low) = self else { return nil }
        let low32 = UInt32(truncatingIfNeeded: low)
        let upper32OfLow = low >> 32
        switch (high, upper32OfLow) {
        case (0, 0x0000_FFFF): return low32                   // ::ffff:0:0/96
        case (0, 0): return low32                             // ::/96 (:: and ::1 handled before)
        case (0x0064_FF9B_0000_0000, 0): return low32         // 64:ff9b::/96
        default:
            if high >> 16 == 0x0064_FF9B_0001 { return low32 } // 64:ff9b:1::/48
            return nil
        }
    }

    private static func classify(v4 value: UInt32) -> AddressClass {
        let a = value >> 24
        let b = (value >> 16) & 0xFF
        switch a {
        case 0: return .unspecified
        case 127: return .loopback
        case 10: return .privateUse
        case 169 where b == 254: return .linkLocal
        case 172 where (16...31).contains(b): return .privateUse
        case 192 where b == 168: return .privateUse
        case 100 where (64...127).contains(b): return .privateUse
        default: return .global
        }
    }
}

/// Host names that name the machine itself without DNS.
public enum LocalHostNames {
    /// The names `/etc/hosts` files commonly give the loopback addresses (Debian's and Red
    /// Hat's), so that `localhost4` cannot stand in for `localhost`.
    public static let aliases: Set<String> = [
        "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4",
        "localhost6", "localhost6.localdomain6", "ip6-localhost", "ip6-loopback",
    ]

    /// True for `localhost`, its common `/etc/hosts` aliases and any name under `.localhost`
    /// (RFC 6761 reserves it for loopback). `name` must be lowercase, without a trailing dot.
    public static func isLocal(_ name: some StringProtocol) -> Bool {
        aliases.contains(String(name)) || name.hasSuffix(".localhost")
    }
}
