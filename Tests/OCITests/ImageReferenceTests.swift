import OCI
import Testing

@Suite("Image references")
struct ImageReferenceTests {
    static let hex = String(repeating: "ab", count: 32)
    static let hex512 = String(repeating: "cd", count: 64)

    /// (input, registry, repository, tag, digest encoded, normalized description)
    static let valid: [(String, String, String, String?, String?, String)] = [
        ("nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io", "library/nginx", "1.25", nil, "docker.io/library/nginx:1.25"),
        ("library/nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("index.docker.io/nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("registry-1.docker.io/alice/app:v1", "docker.io", "alice/app", "v1", nil, "docker.io/alice/app:v1"),
        ("docker.io/library/nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("docker.io/nginx", "docker.io", "library/nginx", "latest", nil, "docker.io/library/nginx:latest"),
        ("Docker.IO/alice/app", "docker.io", "alice/app", "latest", nil, "docker.io/alice/app:latest"),
        ("alice/app", "docker.io", "alice/app", "latest", nil, "docker.io/alice/app:latest"),
        ("localhost:5000/a/b:tag", "localhost:5000", "a/b", "tag", nil, "localhost:5000/a/b:tag"),
        ("localhost/a", "localhost", "a", "latest", nil, "localhost/a:latest"),
        ("localhost:5000", "docker.io", "library/localhost", "5000", nil, "docker.io/library/localhost:5000"),
        ("host:443/a@sha256:\(hex)", "host:443", "a", nil, hex, "host:443/a@sha256:\(hex)"),  // `host/a` would be Docker Hub's
        ("host.example:443/a@sha256:\(hex)", "host.example", "a", nil, hex, "host.example/a@sha256:\(hex)"),
        ("atcr.io/alice/prod-api:v1@sha256:\(hex)", "atcr.io", "alice/prod-api", "v1", hex, "atcr.io/alice/prod-api:v1@sha256:\(hex)"),
        ("atcr.io/alice.bsky.social/team/app", "atcr.io", "alice.bsky.social/team/app", "latest", nil, "atcr.io/alice.bsky.social/team/app:latest"),
        ("ghcr.io/a__b/c-d/e.f_g---h:T_a.g-1", "ghcr.io", "a__b/c-d/e.f_g---h", "T_a.g-1", nil, "ghcr.io/a__b/c-d/e.f_g---h:T_a.g-1"),
        ("127.0.0.1:5000/x@sha512:\(hex512)", "localhost:5000", "x", nil, hex512, "localhost:5000/x@sha512:\(hex512)"),
        ("[::1]:5000/x:y", "localhost:5000", "x", "y", nil, "localhost:5000/x:y"),
        ("[2001:db8::1]:5000/x:y", "[2001:db8::1]:5000", "x", "y", nil, "[2001:db8::1]:5000/x:y"),
        ("Registry.Example.COM/app", "registry.example.com", "app", "latest", nil, "registry.example.com/app:latest"),
    ]

    @Test("parses and normalizes", arguments: valid)
    func parses(_ row: (String, String, String, String?, String?, String)) throws {
        let (input, registry, repository, tag, digestHex, description) = row
        let reference = try ImageReference(parsing: input)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest?.encoded == digestHex)
        #expect(reference.isPinnedByDigest == (digestHex != nil))
        #expect(reference.name == "\(registry)/\(repository)")
        #expect(reference.description == description)
        // Normalization is idempotent.
        #expect(try ImageReference(parsing: reference.description) == reference)
    }

    /// (input, expected reason)
    static let invalid: [(String, ImageReferenceError.Reason)] = [
        ("", .empty),
        ("Nginx", .uppercaseRepository("Nginx")),
        ("docker.io/Alice/app", .uppercaseRepository("Alice")),
        ("atcr.io/alice/App:v1", .uppercaseRepository("App")),
        ("nginx:", .invalidTag("")),
        ("nginx:-bad", .invalidTag("-bad")),
        ("nginx:.bad", .invalidTag(".bad")),
        ("nginx:\(String(repeating: "t", count: 129))", .invalidTag(String(repeating: "t", count: 129))),
        ("nginx:a+b", .invalidTag("a+b")),
        ("nginx@sha256:abc", .invalidDigest(.invalidHex("sha256:abc", algorithm: "sha256", expectedLength: 64))),
        ("nginx@sha256:\(hex.uppercased())", .invalidDigest(.invalidHex("sha256:\(hex.uppercased())", algorithm: "sha256", expectedLength: 64))),
        ("nginx@\(hex)", .invalidDigest(.missingAlgorithm(hex))),
        ("nginx@SHA256:\(hex)", .invalidDigest(.invalidAlgorithm("SHA256:\(hex)"))),
        ("nginx@sha256:", .invalidDigest(.invalidEncoding("sha256:"))),
        ("nginx@md5:abcd", .unsupportedDigestAlgorithm("md5")),
        ("a//b", .emptyComponent),
        ("/a", .emptyComponent),
        ("a/", .emptyComponent),
        ("atcr.io/", .emptyComponent),
        (":tag", .emptyComponent),
        ("a b", .invalidCharacter(" ")),
        ("a\nb", .invalidCharacter("\n")),
        ("ä/b", .invalidCharacter("ä")),
        ("atcr.io/alice/-app", .invalidRepositoryComponent("-app")),
        ("atcr.io/alice/app-", .invalidRepositoryComponent("app-")),
        ("atcr.io/alice/a..b", .invalidRepositoryComponent("a..b")),
        ("atcr.io/alice/a___b", .invalidRepositoryComponent("a___b")),
        ("atcr.io/alice/a_-b", .invalidRepositoryComponent("a_-b")),
        ("atcr.io/did:plc:abc/app", .invalidRepositoryComponent("did:plc:abc")),
        ("-bad.io/app", .invalidRegistry("-bad.io")),
        ("bad..io/app", .invalidRegistry("bad..io")),
        ("host:0/app", .invalidPort("0")),
        ("host:99999/app", .invalidPort("99999")),
        ("host:x1/app", .invalidPort("x1")),
        ("host:/app", .invalidPort("")),
        ("[zz]:5000/app", .invalidRegistry("[zz]:5000")),
        ("atcr.io/\(String(repeating: "a", count: 250))", .tooLong(258)),
    ]

    @Test("rejects with a reason", arguments: invalid)
    func rejects(_ row: (String, ImageReferenceError.Reason)) {
        let (input, reason) = row
        #expect(throws: ImageReferenceError(input: input, reason: reason)) {
            try ImageReference(parsing: input)
        }
    }

    @Test("error messages name the input and the problem")
    func messages() {
        let error = ImageReferenceError(input: "atcr.io/Alice/app", reason: .uppercaseRepository("Alice"))
        #expect(error.description.contains("'atcr.io/Alice/app'"))
        #expect(error.description.contains("must be lowercase"))
    }

    /// (reference, owner, name)
    static let atcrSplits: [(String, String?, String?)] = [
        ("atcr.io/alice/prod-api:v1", "alice", "prod-api"),
        ("atcr.io/alice.bsky.social/team/app", "alice.bsky.social", "team/app"),
        ("localhost:5000/bob/x", "bob", "x"),
        ("atcr.io/single", nil, nil),
    ]

    @Test("ATCR split: owner segment and the name after it", arguments: atcrSplits)
    func atcrSplit(_ row: (String, String?, String?)) throws {
        let reference = try ImageReference(parsing: row.0)
        #expect(reference.atcrName?.owner == row.1)
        #expect(reference.atcrName?.name == row.2)
    }

    @Test("the API host of docker.io is registry-1.docker.io; others are themselves")
    func apiHost() throws {
        #expect(try ImageReference(parsing: "nginx").repositoryLocation.apiHost == "registry-1.docker.io")
        #expect(try ImageReference(parsing: "index.docker.io/a/b").repositoryLocation.apiHost == "registry-1.docker.io")
        #expect(try ImageReference(parsing: "atcr.io/a/b").repositoryLocation.apiHost == "atcr.io")
        #expect(try ImageReference(parsing: "localhost:5000/a").repositoryLocation.apiHost == "localhost:5000")
    }

    @Test("pinning keeps the tag and adds the digest")
    func pinning() throws {
        let digest = try Digest(parsing: "sha256:\(Self.hex)")
        let pinned = try ImageReference(parsing: "atcr.io/alice/app:v1").pinned(to: digest)
        #expect(pinned.isPinnedByDigest)
        #expect(pinned.description == "atcr.io/alice/app:v1@sha256:\(Self.hex)")
    }
}
