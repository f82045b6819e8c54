import OCI
import Testing

/// The registry of a reference is normalized to the place the kubelet's runtime contacts, so
/// that a scope sees every spelling of it (issue 18: `atcr.io:443/alice/prod-evil:v1` matched no
/// `atcr.io/**` scope and fell to the default action, while the kubelet pulled it from atcr.io).
/// The forms are the ones containerd and CRI-O accept: distribution's reference grammar (any
/// digits as a port, DNS-style labels, bracketed hex IPv6) with Docker's normalization.
@Suite("Registry normalization: what the runtime contacts")
struct RegistryNormalizationTests {
    /// (reference as a pod spec may write it, canonical `registry/repository`)
    static let sameRegistry: [(String, String)] = [
        // The https default port is no port; a port is a number.
        ("atcr.io:443/alice/prod-evil:v1", "atcr.io/alice/prod-evil"),
        ("atcr.io:0443/alice/prod-evil:v1", "atcr.io/alice/prod-evil"),
        ("atcr.io:00000443/alice/prod-evil", "atcr.io/alice/prod-evil"),
        ("ATCR.IO:443/alice/prod-evil@sha256:" + String(repeating: "ab", count: 32), "atcr.io/alice/prod-evil"),
        ("Atcr.Io/alice/prod-evil", "atcr.io/alice/prod-evil"),
        ("registry.example.com:05000/team/app", "registry.example.com:5000/team/app"),
        ("registry.example.com:80/team/app", "registry.example.com:80/team/app"),
        // Docker Hub has one name, whichever alias and port.
        ("docker.io:443/library/nginx", "docker.io/library/nginx"),
        ("index.docker.io:443/library/nginx", "docker.io/library/nginx"),
        ("index.docker.io:0443/alice/app", "docker.io/alice/app"),
        ("registry-1.docker.io/alice/app", "docker.io/alice/app"),
        ("registry-1.docker.io:443/alice/app", "docker.io/alice/app"),
        ("REGISTRY-1.DOCKER.IO/nginx", "docker.io/library/nginx"),
        ("registry-1.docker.io:5000/alice/app", "registry-1.docker.io:5000/alice/app"),  // another port: not Hub
        // A first component without '.', ':' or exactly `localhost` is a Docker Hub namespace.
        ("localhost4/app", "docker.io/localhost4/app"),
        // The machine itself has one name, however it is spelled.
        ("localhost:5000/app", "localhost:5000/app"),
        ("LOCALHOST:5000/app", "localhost:5000/app"),
        ("localhost:443/app", "localhost/app"),
        ("127.0.0.1:5000/app", "localhost:5000/app"),
        ("127.1.2.3:5000/app", "localhost:5000/app"),
        ("127.1:5000/app", "localhost:5000/app"),
        ("2130706433:5000/app", "localhost:5000/app"),
        ("0x7f.0.0.1:5000/app", "localhost:5000/app"),
        ("0177.0.0.1:5000/app", "localhost:5000/app"),
        ("0.0.0.0:5000/app", "localhost:5000/app"),
        ("[::1]:5000/app", "localhost:5000/app"),
        ("[0:0:0:0:0:0:0:1]:5000/app", "localhost:5000/app"),
        ("[::]:5000/app", "localhost:5000/app"),
        ("[::ffff:7f00:1]:5000/app", "localhost:5000/app"),
        ("localhost4:5000/app", "localhost:5000/app"),
        ("ip6-localhost:5000/app", "localhost:5000/app"),
        ("localhost.localdomain:5000/app", "localhost:5000/app"),
        ("registry.localhost:5000/app", "localhost:5000/app"),
        // Other IP literals: one text per address.
        ("10.0.0.5:5000/app", "10.0.0.5:5000/app"),
        ("10.0.0.5:443/app", "10.0.0.5/app"),
        ("10.5:5000/app", "10.0.0.5:5000/app"),
        ("012.0.0.5:5000/app", "10.0.0.5:5000/app"),
        ("0xa.0.0.5:5000/app", "10.0.0.5:5000/app"),
        ("[2001:DB8:0:0:0:0:0:1]:5000/app", "[2001:db8::1]:5000/app"),
        ("[2001:db8::1]:443/app", "[2001:db8::1]/app"),
        ("[2001:0db8:0000:0000:0001:0000:0000:0001]/app", "[2001:db8::1:0:0:1]/app"),
    ]

    @Test("every spelling is normalized to the registry the pull contacts", arguments: sameRegistry)
    func normalizes(_ input: String, _ name: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.name == name)
        // The canonical text is itself a valid reference that normalizes to itself.
        #expect(try ImageReference(parsing: reference.description) == reference)
    }

    /// References the reference grammar refuses (so the runtime would not pull them either):
    /// refused here too, which denies the image.
    static let refused: [(String, ImageReferenceError.Reason)] = [
        ("atcr.io./alice/app", .invalidRegistry("atcr.io.")),                // trailing dot
        ("atcr..io/alice/app", .invalidRegistry("atcr..io")),
        ("atcr.io%2f/alice/app", .invalidRegistry("atcr.io%2f")),            // percent-encoding
        ("a_b.io/alice/app", .invalidRegistry("a_b.io")),
        ("[::ffff:127.0.0.1]:5000/app", .invalidRegistry("[::ffff:127.0.0.1]:5000")),  // no dotted tail in brackets
        ("[fe80::1%eth0]/app", .invalidRegistry("[fe80::1%eth0]")),           // no zone
        ("[1:2:3:4:5:6:7:8:9]/app", .invalidRegistry("[1:2:3:4:5:6:7:8:9]")),
        ("[::1]5000/app", .invalidRegistry("[::1]5000")),
        ("atcr.io:65536/app", .invalidPort("65536")),
        ("atcr.io:0000/app", .invalidPort("0000")),
        ("atcr.io:+443/app", .invalidPort("+443")),
        ("atcr.io:443:443/app", .invalidPort("443:443")),
    ]

    @Test("what the grammar refuses is refused", arguments: refused)
    func refuses(_ input: String, _ reason: ImageReferenceError.Reason) {
        #expect(throws: ImageReferenceError(input: input, reason: reason)) {
            try ImageReference(parsing: input)
        }
    }

    @Test("a repository location and a credentials key canonicalize like a reference")
    func oneCanonicalization() {
        #expect(RepositoryLocation(registry: "ATCR.io:443", repository: "a/b").registry == "atcr.io")
        #expect(RepositoryLocation(registry: "registry-1.docker.io", repository: "a/b").apiHost == "registry-1.docker.io")
        #expect(RepositoryLocation(registry: "127.0.0.1:5000", repository: "a").registry == "localhost:5000")
        #expect(RegistryCredentials.canonicalHost("https://registry-1.docker.io:443/v2/") == "docker.io")
        #expect(RegistryCredentials.canonicalHost("ATCR.io:0443") == "atcr.io")
        let credentials = RegistryCredentials(["atcr.io:443": .registryToken("t")])
        #expect(credentials.credential(for: "atcr.io") == .registryToken("t"))
    }
}
