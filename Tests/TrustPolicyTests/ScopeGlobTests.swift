import Testing
import TrustPolicy

@Suite("Scope globs")
struct ScopeGlobTests {
    /// (pattern, normalized image name, matches?)
    static let matchTable: [(String, String, Bool)] = [
        // Host spoofing: a wildcard never crosses '/', and matching is anchored at both ends.
        ("*.trusted.io/x/*", "a.trusted.io/x/z", true),
        ("*.trusted.io/x/*", "a.b.trusted.io/x/z", true),
        ("*.trusted.io/x/*", "evil.io/y.trusted.io/x/z", false),
        ("*.trusted.io/x/*", "trusted.io/x/z", false),
        ("*.trusted.io/x/*", "a.trusted.io.evil.io/x/z", false),
        ("*trusted.io/**", "eviltrusted.io/a", true),  // why a host wildcard draws a warning
        ("atcr.io/*/prod-*", "atcr.io.evil.com/alice/prod-api", false),
        ("atcr.io/*/prod-*", "evilatcr.io/alice/prod-api", false),
        ("atcr.io/*/prod-*", "evil.com/atcr.io/alice/prod-api", false),
        // One '*' is one path segment.
        ("atcr.io/*/prod-*", "atcr.io/alice/prod-api", true),
        ("atcr.io/*/prod-*", "atcr.io/alice/prod-", true),
        ("atcr.io/*/prod-*", "atcr.io/alice/team/prod-api", false),
        ("atcr.io/*/prod-*", "atcr.io/alice/prod-api/extra", false),
        ("atcr.io/*/prod-*", "atcr.io/alice/dev-api", false),
        ("atcr.io/*/prod-*", "atcr.io/prod-api", false),
        // '**' crosses '/'.
        ("atcr.io/**", "atcr.io/alice", true),
        ("atcr.io/**", "atcr.io/alice/team/app", true),
        ("atcr.io/**", "atcr.iox/alice", false),
        ("atcr.io/**/prod-*", "atcr.io/alice/prod-api", true),
        ("atcr.io/**/prod-*", "atcr.io/alice/team/prod-api", true),
        ("atcr.io/**/prod-*", "atcr.io/prod-api", false),  // the literal '/' on both sides stays
        ("atcr.io/**/prod-*", "atcr.io/alice/prod-api/sub", false),
        ("**", "anything.io/at/all", true),
        ("atcr.io/**-api", "atcr.io/a/b-api", true),
        ("atcr.io/**-api", "atcr.io/a/b-api/c", false),
        // '?' is one character, never '/'.
        ("atcr.io/?/app", "atcr.io/a/app", true),
        ("atcr.io/?/app", "atcr.io/ab/app", false),
        ("atcr.io/?/app", "atcr.io//app", false),
        ("atcr.io/a?app", "atcr.io/a/app", false),
        // Literals are literal.
        ("atcr.io/a.b", "atcr.io/axb", false),
        ("atcr.io/a_b-c", "atcr.io/a_b-c", true),
        // Ports.
        ("localhost:5000/*", "localhost:5000/app", true),
        ("localhost:5000/*", "localhost:5001/app", false),
        ("registry.example.com:*/app", "registry.example.com:5000/app", true),
        ("registry.example.com:*/app", "registry.example.com:443/app", false),  // 443 is no port at all
        // The default https port is no port, on either side (issue 18: an explicit :443 bypassed scopes).
        ("atcr.io/**", "atcr.io:443/alice/prod-evil", true),
        ("atcr.io/**", "atcr.io:0443/alice/prod-evil", true),
        ("atcr.io/**", "ATCR.IO:443/alice/prod-evil", true),
        ("atcr.io:443/**", "atcr.io/alice/prod-evil", true),
        ("localhost:5000/*", "127.0.0.1:5000/app", true),
        ("localhost:5000/*", "[::1]:5000/app", true),
        ("127.0.0.1:5000/*", "localhost:5000/app", true),
        // Docker Hub: index.docker.io and docker.io are one registry, on either side.
        ("docker.io/library/*", "index.docker.io/library/nginx", true),
        ("index.docker.io/library/*", "docker.io/library/nginx", true),
        ("index.docker.io/library/*", "index.docker.io/library/nginx", true),
        ("docker.io/library/*", "registry-1.docker.io/library/nginx", true),
        ("docker.io/library/*", "registry-1.docker.io:443/library/nginx", true),
        ("registry-1.docker.io/library/*", "docker.io/library/nginx", true),
        ("docker.io/**", "registry-1.docker.io:5000/library/nginx", false),
        ("docker.io/library/*", "docker.io/library/nginx/extra", false),
        ("docker.io/library/*", "docker.io/alice/nginx", false),
        // Registry hosts are case-insensitive: the name's host is canonicalized.
        ("atcr.io/*/prod-*", "ATCR.IO/alice/prod-api", true),
    ]

    @Test("matches image names exactly as docs/trust-policy.md defines", arguments: matchTable)
    func matches(_ pattern: String, _ name: String, _ expected: Bool) throws {
        let glob = try ScopeGlob(pattern)
        let image = try #require(ImageName(name))
        #expect(glob.matches(image) == expected)
    }

    @Test("raw text matching is anchored too")
    func rawAnchoring() throws {
        let glob = try ScopeGlob("atcr.io/**")
        #expect(!glob.matches("atcr.io"))
        #expect(glob.matches("atcr.io/"))
        #expect(!glob.matches("xatcr.io/a"))
    }

    @Test("namespace globs", arguments: [
        ("prod-*", "prod-eu", true), ("prod-*", "prod", false), ("prod-*", "staging-prod-eu", false),
        ("team-?", "team-a", true), ("team-?", "team-ab", false), ("*", "default", true), ("kube-system", "kube-system", true),
    ])
    func namespaces(_ pattern: String, _ namespace: String, _ expected: Bool) throws {
        #expect(try ScopeGlob(pattern).matches(namespace) == expected)
    }

    @Test("rejects characters outside the literal set", arguments: [
        ("", nil), ("atcr.io/Alice/*", "A"), ("atcr.io/[ab]/*", "["), ("atcr.io/{a,b}", "{"), ("atcr.io/a b", " "),
        ("atcr.io/a\\*", "\\"), ("atcr.io/a+b", "+"), ("atcr.io/é", "é"), ("atcr.io/a@sha256", "@"), ("atcr.io/a!", "!"),
    ] as [(String, Character?)])
    func rejectsInvalidCharacters(_ pattern: String, _ bad: Character?) {
        #expect {
            _ = try ScopeGlob(pattern)
        } throws: { error in
            guard let error = error as? ScopeGlob.SyntaxError else { return false }
            switch error {
            case .empty: return bad == nil
            case .invalidCharacter(let character, _): return character == bad
            case .tooManyStars: return false
            }
        }
    }

    @Test("three or more stars in a row are an error, with the position as written")
    func tooManyStars() {
        #expect(throws: ScopeGlob.SyntaxError.tooManyStars(position: 9)) { try ScopeGlob("atcr.io/***") }
        #expect(throws: ScopeGlob.SyntaxError.tooManyStars(position: 17)) { try ScopeGlob("index.docker.io/****") }
        #expect(throws: ScopeGlob.SyntaxError.tooManyStars(position: 9)) { try ScopeGlob("10.1:80/***") }  // the host grows
    }

    @Test("a literal registry host is matched in its canonical spelling; wildcard hosts and namespaces are left alone", arguments: [
        ("atcr.io:443/**", "atcr.io/**"), ("registry-1.docker.io/library/*", "docker.io/library/*"),
        ("127.0.0.1:5000/*", "localhost:5000/*"), ("registry.example.com:05000/a", "registry.example.com:5000/a"),
        ("*.docker.io:443/**", "*.docker.io:443/**"), ("atcr.io:4?3/**", "atcr.io:4?3/**"), ("123/x", "123/x"),
        ("alice/*", "alice/*"), ("0", "0"), ("prod-*", "prod-*"),
    ])
    func canonicalHost(_ pattern: String, _ canonical: String) throws {
        let glob = try ScopeGlob(pattern)
        #expect(glob.canonicalPattern == canonical)
        #expect(glob.pattern == pattern)
        #expect((glob.respelledRegistry != nil) == (pattern != canonical))
    }

    @Test("an uppercase scope is an error that suggests the canonical scope")
    func uppercaseSuggestion() {
        let yaml = """
            version: 1.0
            defaultAction: deny
            policies:
              - name: prod
                scope: ["ATCR.io:443/**", "atcr.io/Alice/*", "atcr.io/{a}"]
                require: {signature: false}
                action: enforce
            """
        let messages = Fixtures.load(yaml).errors.map(\.message)
        #expect(messages.count == 3)
        #expect(messages[0].hasSuffix("did you mean 'atcr.io/**'?"), "\(messages[0])")
        #expect(messages[1].hasSuffix("did you mean 'atcr.io/alice/*'?"), "\(messages[1])")
        #expect(!messages[2].contains("did you mean"))
    }

    @Test("the allowed literal set and wildcards parse", arguments: [
        "atcr.io/*/prod-*", "localhost:5000/a_b/c-d.e/**", "ghcr.io/org/?pp", "0.1.2.3:80/x",
    ])
    func validPatterns(_ pattern: String) throws {
        #expect(try ScopeGlob(pattern).pattern == pattern)
    }

    @Test("host analysis: wildcard in host", arguments: [
        ("*.trusted.io/x/*", true), ("**/x", true), ("atcr.i?/x", true), ("atcr.io/*/x", false), ("localhost:5000/**", false),
    ])
    func hostWildcard(_ pattern: String, _ expected: Bool) throws {
        #expect(try ScopeGlob(pattern).hasWildcardInHost == expected)
    }

    @Test("no exponential blow-up on adversarial patterns", .timeLimit(.minutes(1)))
    func noBacktracking() throws {
        // A backtracking matcher needs ~n^k steps here; the DP needs pattern × name.
        let glob = try ScopeGlob("**a**a**a**a**a**a**a**a**a**a**b")
        let name = String(repeating: "a", count: 20_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!glob.matches(name)) }
        #expect(elapsed < .seconds(5))
        #expect(try ScopeGlob("*a*a*a*a*a*a*b").matches(String(repeating: "a", count: 20_000)) == false)
    }
}

@Suite("Image names")
struct ImageNameTests {
    @Test("parses registry/repository and canonicalizes the registry", arguments: [
        ("atcr.io/alice/app", "atcr.io", "alice/app"),
        ("localhost:5000/app", "localhost:5000", "app"),
        ("index.docker.io/library/nginx", "docker.io", "library/nginx"),
        ("INDEX.Docker.IO/library/nginx", "docker.io", "library/nginx"),
        ("Registry.Example.com/a/b", "registry.example.com", "a/b"),
        ("atcr.io:443/alice/prod-evil", "atcr.io", "alice/prod-evil"),
        ("atcr.io:0443/alice/prod-evil", "atcr.io", "alice/prod-evil"),
        ("registry-1.docker.io/library/nginx", "docker.io", "library/nginx"),
        ("index.docker.io:443/library/nginx", "docker.io", "library/nginx"),
        ("127.0.0.1:5000/app", "localhost:5000", "app"),
    ])
    func parses(_ text: String, _ registry: String, _ repository: String) throws {
        let name = try #require(ImageName(text))
        #expect(name.registry == registry)
        #expect(name.repository == repository)
        #expect(name.description == "\(registry)/\(repository)")
    }

    @Test("refuses text that is not a bare name", arguments: [
        "nginx", "atcr.io/", "/alice/app", "atcr.io/alice/app:latest", "atcr.io/alice/app@sha256:abcd", "",
    ])
    func refuses(_ text: String) {
        #expect(ImageName(text) == nil)
    }
}
