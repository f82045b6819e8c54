import Foundation
import HTTPFetch
import Testing

/// Where a redirect or a token realm may lead: no loopback, unspecified or link-local address
/// outside the test world, private ranges only when the operator allows them.
@Suite("Server-named targets", .serialized)
struct ServerNamedTargetsTests {
    /// (URL, refused under publicOnly, refused under privateAllowed, words the reason contains)
    static let table: [(String, Bool, Bool, String)] = [
        ("https://registry.example.com/v2/", false, false, ""),
        ("https://8.8.8.8/x", false, false, ""),
        ("https://[2001:db8::1]:5000/x", false, false, ""),
        ("https://localhost.example.com/x", false, false, ""),
        ("https://127.0.0.1/x", true, true, "127.0.0.1 is a loopback address"),
        ("https://127.9.9.9:8443/x", true, true, "loopback"),
        ("https://localhost/x", true, true, "localhost is a loopback address"),
        ("https://LOCALHOST./x", true, true, "loopback"),
        ("https://registry.localhost/x", true, true, "loopback"),
        ("https://localhost4/x", true, true, "loopback"),
        ("https://[::1]/x", true, true, "::1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/x", true, true, "loopback"),
        ("https://[::ffff:7f00:1]/x", true, true, "loopback"),
        ("https://2130706433/x", true, true, "loopback"),
        ("https://0x7f.1/x", true, true, "loopback"),
        ("https://127.0.0.1./x", true, true, "loopback"),
        ("https://%31%32%37.0.0.1/x", true, true, "loopback"),
        ("https://0.0.0.0/x", true, true, "unspecified"),
        ("https://[::]/x", true, true, "unspecified"),
        ("https://169.254.169.254/latest/meta-data/", true, true, "169.254.169.254 is a link-local address"),
        ("https://[fe80::1%25eth0]/x", true, true, "link-local"),
        ("https://[::ffff:169.254.169.254]/x", true, true, "link-local"),
        ("https://[::ffff:a9fe:a9fe]/x", true, true, "link-local"),
        ("https://[64:ff9b::a9fe:a9fe]/x", true, true, "link-local"),
        ("https://10.0.0.7/x", true, false, "10.0.0.7 is a private address"),
        ("https://172.16.5.4/x", true, false, "--allow-private-upstreams"),
        ("https://192.168.1.10:5000/x", true, false, "private"),
        ("https://100.64.0.1/x", true, false, "private"),
        ("https://[fd00::2]/x", true, false, "private"),
        ("https://[::ffff:10.0.0.7]/x", true, false, "private"),
        ("https://012.0.0.7/x", true, false, "private"),
    ]

    @Test("each setting refuses what it should, and says why", arguments: table)
    func refusal(_ text: String, _ refusedPublic: Bool, _ refusedPrivate: Bool, _ words: String) throws {
        let url = try #require(URL(string: text))
        let publicOnly = ServerNamedTargets.publicOnly.refusal(of: url)
        #expect((publicOnly != nil) == refusedPublic)
        #expect((ServerNamedTargets.privateAllowed.refusal(of: url) != nil) == refusedPrivate)
        #expect(ServerNamedTargets.any.refusal(of: url) == nil)
        if let publicOnly { #expect(publicOnly.contains(words), "\(publicOnly)") }
    }

    @Test("the flags select the setting: the test world allows anything, else private only when asked")
    func fromFlags() {
        #expect(ServerNamedTargets(testWorld: false, allowPrivate: false) == .publicOnly)
        #expect(ServerNamedTargets(testWorld: false, allowPrivate: true) == .privateAllowed)
        #expect(ServerNamedTargets(testWorld: true, allowPrivate: false) == .any)
        #expect(FetchConfiguration().serverNamedTargets == .publicOnly, "refusing is the default")
    }

    @Test("a redirect to a loopback address: refused without the test flag (not contacted), followed with it")
    func redirectToLoopback() async throws {
        let world = try await HTTPFetcherTests.Fixture()
        let url = "\(world.main.origin)/to-loopback-ip"
        for targets in [ServerNamedTargets.publicOnly, .privateAllowed] {
            let fetcher = try world.fetcher(targets: targets)
            await #expect(throws: FetchError.redirectRefused(
                from: url,
                reason: "https://127.0.0.1:\(world.other.port)/blob: 127.0.0.1 is a loopback address (127.0.0.0/8, ::1, localhost): "
                    + "a URL a server names may not lead there (only the local test world's --allow-insecure-local allows it)")) {
                try await fetcher.fetch(HTTPFetcherTests.request(url, redirects: 5))
            }
            try await fetcher.shutdown()
        }
        #expect(world.other.log.count() == 0, "a refused target is never contacted")
        let testWorld = try world.fetcher(targets: .any)
        // `try?`: a failure is recorded by the expectations, and the fetcher is still shut down.
        let followed = try? await testWorld.fetch(HTTPFetcherTests.request(url, redirects: 5))
        #expect(followed?.status == 200 && followed?.body == Array("blob from other".utf8))
        #expect(followed?.url == "https://127.0.0.1:\(world.other.port)/blob")
        try await testWorld.shutdown()
        await world.stop()
    }

    /// The error `fetcher` fails `url` with (nil when it succeeds), following up to 5 redirects.
    static func failure(_ fetcher: HTTPFetcher, _ url: String) async -> FetchError? {
        do throws(FetchError) {
            _ = try await fetcher.fetch(HTTPFetcherTests.request(url, redirects: 5))
            return nil
        } catch {
            return error
        }
    }

    @Test("a redirect to the metadata address is refused even with private ranges allowed; a private one only without")
    func redirectToMetadataAndPrivate() async throws {
        let world = try await HTTPFetcherTests.Fixture()
        for targets in [ServerNamedTargets.publicOnly, .privateAllowed] {
            let fetcher = try world.fetcher(targets: targets)
            let error = await Self.failure(fetcher, "\(world.main.origin)/to-metadata")
            try await fetcher.shutdown()
            guard case .redirectRefused(_, let reason)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(reason.contains("169.254.169.254 is a link-local address"))
            #expect(error?.description.contains("refused redirect from \(world.main.origin)/to-metadata") == true)
            #expect(error?.isTransient == false)
        }
        let strict = try world.fetcher(targets: .publicOnly)
        let error = await Self.failure(strict, "\(world.main.origin)/to-private")
        if case .redirectRefused(_, let reason)? = error {
            #expect(reason.contains("10.0.0.7 is a private address"))
            #expect(reason.contains("--allow-private-upstreams"))
        } else {
            Issue.record("\(String(describing: error))")
        }
        try await strict.shutdown()
        await world.stop()
    }

    @Test("a URL the request marks as server-named is checked before any connection")
    func markedRequest() async throws {
        let world = try await HTTPFetcherTests.Fixture()
        let fetcher = try world.fetcher(targets: .publicOnly)
        var request = HTTPFetcherTests.request("\(world.main.origin)/hello")
        request.urlNamedByServer = true
        do throws(FetchError) {
            _ = try await fetcher.fetch(request)
            Issue.record("fetched a server-named loopback URL")
        } catch {
            guard case .targetRefused(let url, let reason) = error else { Issue.record("\(error)"); return }
            #expect(url == "\(world.main.origin)/hello")
            #expect(reason.hasPrefix("localhost is a loopback address"))
        }
        #expect(world.main.log.count() == 0)
        request.urlNamedByServer = false
        let direct = try? await fetcher.fetch(request)
        #expect(direct?.status == 200, "the operator's own URLs are not judged here")
        try await fetcher.shutdown()
        await world.stop()
    }
}
