import HostNames
import Testing

@Suite("Registry host canonicalization")
struct RegistryHostTests {
    @Test("canonical names", arguments: [
        ("atcr.io", "atcr.io"), ("ATCR.io:443", "atcr.io"), ("atcr.io:0443", "atcr.io"), ("atcr.io:5000", "atcr.io:5000"),
        ("atcr.io:005000", "atcr.io:5000"), ("docker.io", "docker.io"), ("index.docker.io", "docker.io"),
        ("registry-1.docker.io:443", "docker.io"), ("Index.Docker.IO:0443", "docker.io"), ("docker.io:8443", "docker.io:8443"),
        ("localhost", "localhost"), ("127.0.0.1:5000", "localhost:5000"), ("[::1]", "localhost"), ("0:5000", "localhost:5000"),
        ("registry:443", "registry:443"), ("REGISTRY:0443", "registry:443"), ("registry:5000", "registry:5000"),
        ("10.0.0.5:5000", "10.0.0.5:5000"), ("[2001:DB8::0:1]:443", "[2001:db8::1]"), ("[fd00::2]:5000", "[fd00::2]:5000"),
    ])
    func canonical(_ text: String, _ expected: String) throws {
        #expect(try RegistryHost.canonical(parsing: Substring(text)) == expected)
        #expect(RegistryHost.canonical(text) == expected)
        // Canonical names are fixed points.
        #expect(RegistryHost.canonical(expected) == expected)
    }

    @Test("refused with the part at fault", arguments: [
        ("", RegistryHost.ParseError.invalidHost), ("atcr.io.", .invalidHost), ("-atcr.io", .invalidHost), ("a_b", .invalidHost),
        ("[::1", .invalidHost), ("[]", .invalidHost), ("[::ffff:1.2.3.4]", .invalidHost), ("[fe80::1%25lo]", .invalidHost),
        ("atcr.io:", .invalidPort("")), ("atcr.io:0", .invalidPort("0")), ("atcr.io:65536", .invalidPort("65536")),
        ("atcr.io:1e3", .invalidPort("1e3")), ("[::1]:x", .invalidPort("x")),
    ])
    func refused(_ text: String, _ error: RegistryHost.ParseError) {
        #expect(throws: error) { try RegistryHost.canonical(parsing: Substring(text)) }
    }

    @Test("text the grammar refuses is only lowercased by the lenient form")
    func lenient() {
        #expect(RegistryHost.canonical("Not A Host") == "not a host")
        #expect(RegistryHost.canonical("atcr.io.") == "atcr.io.")
    }
}
