import HostNames
import Testing

@Suite("IP literals and their classes")
struct IPAddressTests {
    /// (IPv4 text in a form the C resolver accepts, dotted decimal it reaches)
    static let ipv4: [(String, String)] = [
        ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"), ("0X7F.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
        ("169.254.169.254", "169.254.169.254"), ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"), ("2852039166", "169.254.169.254"),
        ("10.1", "10.0.0.1"), ("0", "0.0.0.0"), ("00", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
    ]

    @Test("IPv4 in every inet_aton form", arguments: ipv4)
    func ipv4Forms(_ text: String, _ dotted: String) throws {
        #expect(try #require(IPAddress(ipv4: Substring(text))).description == dotted)
    }

    @Test("not IPv4 literals", arguments: [
        "", ".", "1.2.3.4.5", "1..2", "1.2.3.", ".1.2.3", "256.0.0.1", "1.256.0.1", "1.2.65536", "4294967296", "08", "0x",
        "0xg", "1.2.3.a", "atcr.io", "+1", "1e3", "１２７.0.0.1",
    ])
    func notIPv4(_ text: String) {
        #expect(IPAddress(ipv4: Substring(text)) == nil)
    }

    /// (IPv6 text, RFC 5952 text)
    static let ipv6: [(String, String)] = [
        ("::", "::"), ("::1", "::1"), ("0:0:0:0:0:0:0:1", "::1"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:db8::0:1", "2001:db8::1"), ("fe80::1", "fe80::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("1::", "1::"), ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("::ffff:7f00:1", "::ffff:7f00:1"), ("64:ff9b::169.254.169.254", "64:ff9b::a9fe:a9fe"),
        ("0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"),
    ]

    @Test("IPv6 parses and prints as RFC 5952", arguments: ipv6)
    func ipv6Forms(_ text: String, _ canonical: String) throws {
        #expect(try #require(IPAddress(ipv6: Substring(text))).description == canonical)
    }

    @Test("not IPv6 literals", arguments: [
        "", ":", ":::", "1:2", "1::2::3", ":1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "g::1", "::1:",
        "::ffff:127.1", "::127.0.0.1:1", "::ffff:01.2.3.4", "+1::",
    ])
    func notIPv6(_ text: String) {
        #expect(IPAddress(ipv6: Substring(text)) == nil)
    }

    /// (literal, class)
    static let classes: [(String, AddressClass)] = [
        ("127.0.0.1", .loopback), ("127.255.0.9", .loopback), ("::1", .loopback), ("[::1]", .loopback),
        ("::ffff:127.0.0.1", .loopback), ("::127.0.0.1", .loopback), ("64:ff9b::7f00:1", .loopback), ("2130706433", .loopback),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified), ("::ffff:0.0.0.0", .unspecified),
        ("169.254.169.254", .linkLocal), ("169.254.0.1", .linkLocal), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("::ffff:169.254.169.254", .linkLocal), ("64:ff9b:1::a9fe:a9fe", .linkLocal),
        ("10.0.0.1", .privateUse), ("172.16.0.1", .privateUse), ("172.31.255.255", .privateUse), ("192.168.1.1", .privateUse),
        ("100.64.0.1", .privateUse), ("100.127.255.255", .privateUse), ("fc00::1", .privateUse), ("fd00::2", .privateUse),
        ("fec0::1", .privateUse), ("::ffff:10.0.0.1", .privateUse),
        ("172.15.0.1", .global), ("172.32.0.1", .global), ("100.63.0.1", .global), ("100.128.0.1", .global),
        ("169.253.0.1", .global), ("192.169.0.1", .global), ("8.8.8.8", .global), ("2001:db8::1", .global),
        ("fe00::1", .global), ("64:ff9b::808:808", .global), ("::ffff:8.8.8.8", .global), ("2002:7f00:1::", .global),
    ]

    @Test("address classes, including IPv6 forms that reach an IPv4 address", arguments: classes)
    func classify(_ text: String, _ expected: AddressClass) throws {
        #expect(try #require(IPAddress(literal: Substring(text))).addressClass == expected)
    }

    @Test("localhost names", arguments: [
        ("localhost", true), ("localhost4", true), ("ip6-loopback", true), ("localhost.localdomain", true),
        ("a.b.localhost", true), ("localhost.example.com", false), ("mylocalhost", false), ("atcr.io", false),
    ])
    func localNames(_ name: String, _ expected: Bool) {
        #expect(LocalHostNames.isLocal(name) == expected)
    }
}
