import Foundation
import HTTPFetch
import OCI
import Testbed
import Synchronization
import Testing

@Suite("Registry client: authentication, end to end")
struct AuthClientTests {
    static func bearer(_ service: TokenService = TokenService()) -> RegistryBehavior {
        var behavior = RegistryBehavior()
        behavior.authentication = .bearer(service)
        return behavior
    }

    @Test("anonymous bearer flow: 401 challenge, token from the realm, retried with the token, token cached")
    func anonymousToken() async throws {
        try await Harness.with(behavior: Self.bearer()) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let client = world.client()
            let reference = try world.reference("alice/app:v1")
            #expect(try await client.resolveDigest(reference, deadline: deadline()).digest == image.digest)
            let log = world.registry.log.all
            #expect(log.map(\.status) == [401, 200, 200])
            #expect(log[1].path == "/token")
            #expect(log[1].query?.contains("service=test-registry") == true)
            #expect(log[1].query?.contains("scope=repository%3Aalice%2Fapp%3Apull") == true)
            #expect(log[1].authorization == nil, "anonymous: no credentials to the token service")
            #expect(log[2].authorization?.hasPrefix("Bearer tok-") == true)

            _ = try await client.fetchManifest(world.location("alice/app"), reference: .digest(image.digest), deadline: deadline())
            #expect(world.registry.log.count(pathContains: "/token") == 1, "the token is reused for the same scope")
            #expect(world.registry.log.all.last?.status == 200)
        }
    }

    @Test("tokens expire after expires_in and are fetched again")
    func tokenExpiry() async throws {
        try await Harness.with(behavior: Self.bearer(TokenService(lifetime: 60))) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let skew = Mutex<Duration>(.zero)
            let client = world.client { $0.clock = { .now + skew.withLock { $0 } } }
            let reference = try world.reference("alice/app:v1")
            _ = try await client.resolveDigest(reference, deadline: deadline())
            _ = try await client.resolveDigest(reference, deadline: deadline())
            #expect(world.registry.log.count(pathContains: "/token") == 1)
            skew.withLock { $0 = .seconds(61) }  // the token's 60 s lifetime has passed
            _ = try await client.resolveDigest(reference, deadline: deadline())
            #expect(world.registry.log.count(pathContains: "/token") == 2)
        }
    }

    @Test("concurrent requests share one token fetch")
    func tokenDeduplication() async throws {
        try await Harness.with(behavior: Self.bearer()) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let client = world.client()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        _ = try await client.fetchManifest(world.location("alice/app"), reference: .digest(image.digest), deadline: deadline())
                    }
                }
                try await group.waitForAll()
            }
            #expect(world.registry.log.count(pathContains: "/token") == 1)
        }
    }

    @Test("config.json basic credentials go to the token service, the token to the registry")
    func basicToTokenService() async throws {
        let service = TokenService(credentials: (username: "alice", password: "s3cret"))
        try await Harness.with(behavior: Self.bearer(service)) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let anonymous = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            }
            #expect(anonymous?.kind == .tokenRequestFailed(status: 401, reason: "the token service refused the credentials"))

            world.registry.log.clear()
            let config = #"{"auths":{"\#(world.name)":{"auth":"\#(Data("alice:s3cret".utf8).base64EncodedString())"}}}"#
            let client = world.client(credentials: try RegistryCredentials(dockerConfig: Array(config.utf8)))
            _ = try await client.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            let token = world.registry.log.filter { $0.path == "/token" }
            #expect(token.map(\.authorization) == ["Basic YWxpY2U6czNjcmV0"])
            let registryCalls = world.registry.log.filter { $0.path != "/token" }
            #expect(registryCalls.allSatisfy { $0.authorization?.hasPrefix("Basic") != true }, "the password is not sent to the registry API")
        }
    }

    @Test("a Basic registry gets the config.json credentials, then preemptively")
    func basicRegistry() async throws {
        var behavior = RegistryBehavior()
        behavior.authentication = .basic(username: "bob", password: "pw")
        try await Harness.with(behavior: behavior) { world in
            let image = try world.registry.pushImage(repository: "bob/app", tag: "v1")
            let noCredentials = await registryError {
                _ = try await world.client().resolveDigest(try world.reference("bob/app:v1"), deadline: deadline())
            }
            #expect(noCredentials?.kind == .unauthorized("the registry asks for Basic credentials and none are configured for \(world.name)"))

            world.registry.log.clear()
            let client = world.client(credentials: RegistryCredentials([world.name: .basic(username: "bob", password: "pw")]))
            #expect(try await client.resolveDigest(try world.reference("bob/app:v1"), deadline: deadline()).digest == image.digest)
            #expect(world.registry.log.all.map(\.status) == [401, 200])
            _ = try await client.fetchManifest(world.location("bob/app"), reference: .digest(image.digest), deadline: deadline())
            #expect(world.registry.log.all.map(\.status) == [401, 200, 200], "Basic is sent before a challenge once learned")

            let wrong = world.client(credentials: RegistryCredentials([world.name: .basic(username: "bob", password: "nope")]))
            let rejected = await registryError {
                _ = try await wrong.resolveDigest(try world.reference("bob/app:v1"), deadline: deadline())
            }
            #expect(rejected?.kind == .unauthorized("the registry rejected the credentials or token"))
        }
    }

    @Test("a registrytoken is sent as Bearer straight away; a rejected one is unauthorized")
    func registryToken() async throws {
        try await Harness.with(behavior: Self.bearer(TokenService(staticTokens: ["rt-1"]))) { world in
            let image = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let client = world.client(credentials: RegistryCredentials([world.name: .registryToken("rt-1")]))
            #expect(try await client.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline()).digest == image.digest)
            #expect(world.registry.log.all.map(\.authorization) == ["Bearer rt-1"])
            let wrong = world.client(credentials: RegistryCredentials([world.name: .registryToken("rt-2")]))
            let error = await registryError { _ = try await wrong.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline()) }
            #expect(error?.kind == .unauthorized("the registry rejected the configured registrytoken"))
        }
    }

    @Test("credential helpers and identity tokens fail with a clear message")
    func unsupportedCredentials() async throws {
        try await Harness.with(behavior: Self.bearer()) { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            let config = #"{"auths":{},"credHelpers":{"\#(world.name)":"ecr-login"}}"#
            let helper = world.client(credentials: try RegistryCredentials(dockerConfig: Array(config.utf8)))
            let helperError = await registryError { _ = try await helper.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline()) }
            #expect(helperError?.kind == .credentialHelperUnsupported(helper: "ecr-login"))
            #expect(helperError?.description.contains("credential helpers are not supported") == true)
            #expect(helperError?.isTransient == false)

            let identity = world.client(credentials: RegistryCredentials([world.name: .identityToken("refresh")]))
            let identityError = await registryError { _ = try await identity.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline()) }
            guard case .credentialUnsupported(let message) = identityError?.kind else {
                Issue.record("expected credentialUnsupported, got \(String(describing: identityError))")
                return
            }
            #expect(message.contains("identitytoken"))
            #expect(world.registry.log.count(pathContains: "/token") == 0, "nothing is sent to the token service")
        }
    }

    @Test("credentials are sent only to their own registry")
    func credentialsStayHome() async throws {
        var behavior = RegistryBehavior()
        behavior.authentication = .basic(username: "bob", password: "pw")
        try await Harness.with(behavior: behavior) { home in
            try await Harness.with { other in
                _ = try other.registry.pushImage(repository: "x/app", tag: "v1")
                let credentials = RegistryCredentials([home.name: .basic(username: "bob", password: "pw")])
                let client = RegistryClient(
                    fetcher: other.fetcher, credentials: credentials,
                    configuration: .init(insecureRegistries: [home.name, other.name]))
                _ = try await client.probe(registry: home.name, deadline: deadline())
                _ = try await client.resolveDigest(try other.reference("x/app:v1"), deadline: deadline())
                #expect(home.registry.log.all.last?.authorization == "Basic Ym9iOnB3")
                #expect(!other.registry.log.all.isEmpty)
                #expect(other.registry.log.all.allSatisfy { $0.authorization == nil })
            }
        }
    }

    @Test("a token realm must be https; http only for a registry configured as insecure")
    func realmMustBeHTTPS() async throws {
        let stub = StubFetcher { request in
            if request.url.hasPrefix("https://registry.example/") {
                return FetchResponse(
                    status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://auth.example/token",service="r""#], body: [],
                    url: request.url)
            }
            return FetchResponse(status: 500, headers: [:], body: [], url: request.url)
        }
        let client = RegistryClient(fetcher: stub)
        let error = await registryError { try await client.probe(registry: "registry.example", deadline: deadline()) }
        #expect(error?.kind == .tokenRealmNotHTTPS(realm: "http://auth.example/token"))
        #expect(stub.seen.map(\.url) == ["https://registry.example/v2/"], "the http realm is never contacted")
    }

    @Test("the http realm of an insecure (test) registry is used")
    func insecureRealmAllowed() async throws {
        try await Harness.with(behavior: Self.bearer()) { world in
            try await world.client().probe(registry: world.name, deadline: deadline())
            #expect(world.registry.log.all.map(\.status) == [401, 200, 200])
        }
    }
}
