import Foundation
import Testing

@testable import OCI

@Suite("Auth challenges, docker config.json, HTTP text")
struct AuthConfigTests {
    @Test("WWW-Authenticate Bearer with quoted parameters")
    func bearerChallenge() {
        let challenges = AuthChallenge.parse([
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#
        ])
        #expect(challenges == [
            AuthChallenge(
                scheme: "Bearer",
                parameters: ["realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:samalba/my-app:pull,push"])
        ])
    }

    @Test("several challenges, unquoted values, escapes and odd spacing")
    func multipleChallenges() {
        let challenges = AuthChallenge.parse([#"Basic realm="a \"quoted\" realm", Bearer  realm=https://r.example/token , service = svc"#])
        #expect(challenges.count == 2)
        #expect(challenges[0].scheme == "basic")
        #expect(challenges[0].realm == #"a "quoted" realm"#)
        #expect(challenges[1].scheme == "bearer")
        #expect(challenges[1].realm == "https://r.example/token")
        #expect(challenges[1].service == "svc")
    }

    @Test("garbage yields no invented challenge")
    func garbage() {
        #expect(AuthChallenge.parse([""]).isEmpty)
        #expect(AuthChallenge.parse([#"realm="x""#]).isEmpty)
        #expect(AuthChallenge.parse([#"Bearer realm="unterminated"#]).isEmpty, "a malformed challenge is dropped, not half-used")
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("config.json: auth, username/password, identitytoken, registrytoken, helpers, store")
    func dockerConfig() throws {
        let json = """
            {
              "auths": {
                "https://index.docker.io/v1/": {"auth": "\(Self.base64("hubuser:hub:pass"))"},
                "ghcr.io": {"username": "gh", "password": "pw"},
                "http://localhost:5000/v2/": {"registrytoken": "rt-123"},
                "acr.example.io": {"identitytoken": "refresh-xyz", "auth": "\(Self.base64("00000000-0000:x"))"},
                "stored.example": {}
              },
              "credHelpers": {"gcr.io": "gcloud", "ghcr.io": "ghcr-helper-wins"},
              "credsStore": "desktop"
            }
            """
        let credentials = try RegistryCredentials(dockerConfig: Array(json.utf8))
        #expect(credentials.credential(for: "docker.io") == .basic(username: "hubuser", password: "hub:pass"))
        #expect(credentials.credential(for: "index.docker.io") == .basic(username: "hubuser", password: "hub:pass"))
        #expect(credentials.credential(for: "localhost:5000") == .registryToken("rt-123"))
        #expect(credentials.credential(for: "acr.example.io") == .identityToken("refresh-xyz"))
        #expect(credentials.credential(for: "gcr.io") == .helper("gcloud"))
        #expect(credentials.credential(for: "ghcr.io") == .helper("ghcr-helper-wins"))
        #expect(credentials.credential(for: "stored.example") == .helper("desktop"))
        #expect(credentials.credential(for: "quay.io") == nil, "hosts not listed stay anonymous even with a credsStore")
        #expect(credentials.credential(for: "localhost:5001") == nil, "the port is part of the host")
    }

    /// (config.json, expected error)
    static let badConfigs: [(String, DockerConfigError)] = [
        ("[]", .notJSON("the top level is not an object")),
        (#"{"auths": []}"#, .invalidField("auths", reason: "must be an object")),
        (#"{"auths": {"h": "x"}}"#, .invalidField("auths.h", reason: "must be an object")),
        (#"{"auths": {"h": {"auth": "not base64!"}}}"#, .invalidField("auths.h.auth", reason: "must be base64 of 'username:password'")),
        (#"{"auths": {"h": {"auth": "\#(base64("nocolon"))"}}}"#, .invalidField("auths.h.auth", reason: "must be base64 of 'username:password'")),
        (#"{"auths": {"h": {"auth": 5}}}"#, .invalidField("auths.h.auth", reason: "must be a string")),
        (#"{"credHelpers": {"h": 1}}"#, .invalidField("credHelpers.h", reason: "must be a string")),
        (#"{"credsStore": true}"#, .invalidField("credsStore", reason: "must be a string")),
    ]

    @Test("a malformed config.json is refused with the field", arguments: badConfigs)
    func badConfig(_ row: (String, DockerConfigError)) {
        #expect(throws: row.1) { try RegistryCredentials(dockerConfig: Array(row.0.utf8)) }
    }

    @Test("config.json is read from a file, with a size bound")
    func loadFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oci-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.json").path
        try Data(#"{"auths":{"r.example":{"auth":"\#(Self.base64("u:p"))"}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try RegistryCredentials.load(dockerConfigAt: path).credential(for: "r.example") == .basic(username: "u", password: "p"))
        try Data(count: RegistryCredentials.maxConfigBytes + 1).write(to: URL(fileURLWithPath: path))
        #expect(throws: DockerConfigError.tooLarge(path: path, limit: RegistryCredentials.maxConfigBytes)) {
            try RegistryCredentials.load(dockerConfigAt: path)
        }
        #expect(throws: DockerConfigError.self) { try RegistryCredentials.load(dockerConfigAt: path + ".missing") }
    }

    @Test("query values are percent-encoded: + and / never raw")
    func queryEscape() {
        #expect(HTTPText.queryEscape("application/vnd.atproto.signature.v1+json") == "application%2Fvnd.atproto.signature.v1%2Bjson")
        #expect(HTTPText.queryEscape("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull")
        #expect(HTTPText.queryEscape("a b~c") == "a%20b~c")
    }

    /// (Link header values, next target)
    static let links: [([String], String?)] = [
        ([#"</v2/a/referrers/sha256:x?last=y>; rel="next""#], "/v2/a/referrers/sha256:x?last=y"),
        ([#"<https://r.example/v2/a/tags/list?n=2&last=b>; rel=next"#], "https://r.example/v2/a/tags/list?n=2&last=b"),
        ([#"</first>; rel="prev", </second>; rel="next""#], "/second"),
        ([#"</p>; rel="prev next""#], "/p"),
        ([#"</p>; rel="prev""#], nil),
        (["garbage"], nil),
        ([], nil),
    ]

    @Test("Link rel=next", arguments: links)
    func linkHeader(_ row: ([String], String?)) {
        #expect(HTTPText.nextLink(row.0) == row.1)
    }

    @Test("links resolve against the page URL; origins compare scheme, host and port")
    func resolution() {
        #expect(HTTPText.resolve("/v2/a?b=c", against: "http://127.0.0.1:5000/v2/x/referrers/d?q=1") == "http://127.0.0.1:5000/v2/a?b=c")
        #expect(HTTPText.origin(of: "https://Registry.Example:443/v2/") == "https://registry.example")
        #expect(HTTPText.origin(of: "http://127.0.0.1:5000/x") == "http://127.0.0.1:5000")
        #expect(HTTPText.origin(of: "http://127.0.0.1:5000/x") != HTTPText.origin(of: "http://127.0.0.1:5001/x"))
    }
}
