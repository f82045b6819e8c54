import Foundation
import HTTPFetch
import Hummingbird
import NIOCore
import Testing
import Testbed

/// HTTPFetcher against real servers on loopback: TLS with a private CA, bounds, deadlines,
/// redirects, Retry-After.
@Suite("HTTPFetch against real servers")
struct HTTPFetcherTests {
    /// A TLS server and a second TLS server (another origin), plus a plain-http one, all with
    /// the routes the tests need; the CA bundle written to a temporary file.
    final class Fixture: Sendable {
        let ca: TestCertificateAuthority
        let caPath: String
        let directory: URL
        let main: TestServer
        let other: TestServer
        let plain: TestServer

        init() async throws {
            ca = try TestCertificateAuthority()
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString)")
            caPath = try ca.write(to: directory)
            let tls = try ca.serverTLSConfiguration()
            other = try await TestServer.start(name: "other", tls: tls) { router in
                router.get("blob") { _, _ in "blob from other" }
            }
            plain = try await TestServer.start(name: "plain", tls: nil) { router in
                router.get("hello") { _, _ in "plain hello" }
            }
            let otherOrigin = other.origin, plainOrigin = plain.origin, otherPort = other.port
            main = try await TestServer.start(name: "main", tls: tls) { router in
                router.get("hello") { _, _ in "hello" }
                router.get("big") { _, _ in String(repeating: "x", count: 10_000) }
                router.get("chunked") { _, _ in
                    Response(status: .ok, body: ResponseBody { writer in
                        for _ in 0..<10 { try await writer.write(ByteBuffer(string: String(repeating: "y", count: 1_000))) }
                        try await writer.finish(nil)
                    })
                }
                router.get("drip") { _, _ in
                    Response(status: .ok, body: ResponseBody { writer in
                        for _ in 0..<600 {  // a minute of dripping: far longer than any deadline here
                            try await writer.write(ByteBuffer(string: "."))
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        try await writer.finish(nil)
                    })
                }
                router.get("to-other") { _, _ in Response(status: .found, headers: [.location: "\(otherOrigin)/blob"]) }
                router.get("to-self") { _, _ in Response(status: .temporaryRedirect, headers: [.location: "/hello"]) }
                router.get("to-plain") { _, _ in Response(status: .found, headers: [.location: "\(plainOrigin)/hello"]) }
                router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
                // Server-named targets: the other server by its loopback address, cloud metadata, a private host.
                router.get("to-loopback-ip") { _, _ in Response(status: .found, headers: [.location: "https://127.0.0.1:\(otherPort)/blob"]) }
                router.get("to-metadata") { _, _ in
                    Response(status: .temporaryRedirect, headers: [.location: "https://169.254.169.254/latest/meta-data/"])
                }
                router.get("to-private") { _, _ in Response(status: .found, headers: [.location: "https://10.0.0.7/blob"]) }
            }
        }

        /// A fetcher for this world; every server is on loopback, so redirects between them
        /// need the test world's `.any` (the default here).
        func fetcher(insecure: Bool = false, trustCA: Bool = true, targets: ServerNamedTargets = .any) throws -> HTTPFetcher {
            try HTTPFetcher(configuration: .init(allowInsecureHTTP: insecure, caBundlePath: trustCA ? caPath : nil, serverNamedTargets: targets))
        }

        func stop() async {
            await main.stop()
            await other.stop()
            await plain.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// A request; `seconds` is generous by default (two TLS handshakes on a loaded 2-core
    /// machine have taken over 5 s during a full test run): tests of the deadline pass their own.
    static func request(_ url: String, maxBytes: Int = 1 << 20, seconds: Double = 30, redirects: Int = 0, authorization: String? = nil) -> FetchRequest {
        var headers = FetchHeaders()
        if let authorization { headers.add("Authorization", authorization) }
        return FetchRequest(url: url, headers: headers, maxBodyBytes: maxBytes, deadline: .now + .milliseconds(Int(seconds * 1000)), maxRedirects: redirects)
    }

    @Test("TLS with the private CA bundle works; without it the server is not trusted")
    func tlsTrust() async throws {
        let world = try await Fixture()
        let trusted = try world.fetcher()
        do {
            let response = try await trusted.fetch(Self.request("\(world.main.origin)/hello"))
            #expect(response.status == 200 && response.body == Array("hello".utf8))
        } catch {
            Issue.record("the trusted fetch failed: \(error)")  // recorded; the fetchers are still shut down below
        }
        let untrusted = try world.fetcher(trustCA: false)
        let started = ContinuousClock.now
        do {
            _ = try await untrusted.fetch(Self.request("\(world.main.origin)/hello", seconds: 6))
            Issue.record("a server signed by an unknown CA was trusted")
        } catch {
            let authority = world.main.origin.replacingOccurrences(of: "https://", with: "")
            #expect("\(error)".contains("TLS verification of \(authority) failed"), "names the host, in words, not just 'timed out': \(error)")
            #expect("\(error)".contains("--ca-bundle"), "says what to do: \(error)")
            #expect(!"\(error)".contains("BoringSSL"), "no raw BoringSSL error stack: \(error)")
            #expect(ContinuousClock.now - started < .seconds(9), "the request's deadline (6 s) bounds the handshake and its retries, not the 10 s connect timeout")
        }
        try await trusted.shutdown()
        try await untrusted.shutdown()
        await world.stop()
    }

    @Test("a fetcher dropped without shutdown() (an error path) closes its client instead of trapping")
    func droppedFetcher() async throws {
        let world = try await Fixture()
        do {
            let fetcher = try world.fetcher()
            let response = try await fetcher.fetch(Self.request("\(world.main.origin)/hello"))
            #expect(response.status == 200)
        }
        try await Task.sleep(for: .milliseconds(200))  // the client's shutdown finishes; a trap would end the whole run here
        await world.stop()
    }

    @Test("an unusable CA bundle fails when the fetcher is made, naming the file and the reason")
    func caBundleProblems() throws {
        let world = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: world, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: world) }
        let garbage = world.appendingPathComponent("garbage.pem")
        try Data("not a certificate".utf8).write(to: garbage)
        for (path, reason) in [("/nope.pem", "no such file"), (world.path, "is a directory"), (garbage.path, "holds no PEM certificate")] {
            #expect {
                _ = try HTTPFetcher(configuration: .init(caBundlePath: path))
            } throws: { error in
                guard let error = error as? TrustRootsError else { return false }
                return error.path == path && error.reason.hasPrefix(reason)
            }
        }
    }

    @Test("plain http only with the explicit flag")
    func plainHTTP() async throws {
        let world = try await Fixture()
        let strict = try world.fetcher()
        let url = "\(world.plain.origin)/hello"
        await #expect(throws: FetchError.insecureURL(url)) { try await strict.fetch(Self.request(url)) }
        #expect(world.plain.log.count() == 0, "a refused URL must not be contacted")
        let insecure = try world.fetcher(insecure: true)
        #expect(try await insecure.fetch(Self.request(url)).body == Array("plain hello".utf8))
        try await strict.shutdown()
        try await insecure.shutdown()
        await world.stop()
    }

    @Test("bodies over the bound fail, with or without Content-Length")
    func bodyBound() async throws {
        let world = try await Fixture()
        let fetcher = try world.fetcher()
        for path in ["big", "chunked"] {
            let url = "\(world.main.origin)/\(path)"
            await #expect(throws: FetchError.bodyTooLarge(url: url, limit: 1_024)) {
                try await fetcher.fetch(Self.request(url, maxBytes: 1_024))
            }
            #expect(try await fetcher.fetch(Self.request(url, maxBytes: 20_000)).body.count == 10_000)
        }
        try await fetcher.shutdown()
        await world.stop()
    }

    @Test("a server that drips one byte at a time cannot outlive the deadline")
    func drip() async throws {
        let world = try await Fixture()
        let fetcher = try world.fetcher()
        let start = ContinuousClock.now
        let url = "\(world.main.origin)/drip"
        await #expect(throws: FetchError.timedOut(url)) { try await fetcher.fetch(Self.request(url, seconds: 1)) }
        let elapsed = ContinuousClock.now - start
        // The drip lasts a minute; ending near the 1 s deadline (with room for a loaded machine) is the point.
        #expect(elapsed < .seconds(20), "the whole request is bounded by its deadline (took \(elapsed))")
        try await fetcher.shutdown()
        await world.stop()
    }

    @Test("redirects: Authorization dropped when leaving the origin, kept on the same origin")
    func redirectCredentials() async throws {
        let world = try await Fixture()
        let fetcher = try world.fetcher()
        do {
            let away = try await fetcher.fetch(Self.request("\(world.main.origin)/to-other", redirects: 3, authorization: "Bearer secret"))
            #expect(away.status == 200 && away.body == Array("blob from other".utf8))
            #expect(away.url == "\(world.other.origin)/blob")
            #expect(world.other.log.all.allSatisfy { $0.authorization == nil }, "credentials must not follow a redirect to another host")
            let same = try await fetcher.fetch(Self.request("\(world.main.origin)/to-self", redirects: 3, authorization: "Bearer secret"))
            #expect(same.status == 200)
            #expect(world.main.log.all.last?.authorization == "Bearer secret")
        } catch {
            Issue.record("fetch failed: \(error)")  // recorded, and the fetcher still shut down (a dropped client traps)
        }
        try await fetcher.shutdown()
        await world.stop()
    }

    @Test("redirects to plain http are refused; loops end; maxRedirects 0 returns the 3xx")
    func redirectPolicy() async throws {
        let world = try await Fixture()
        let fetcher = try world.fetcher()
        await #expect(throws: FetchError.self) { try await fetcher.fetch(Self.request("\(world.main.origin)/to-plain", redirects: 3)) }
        // Not even with the test flag that allows plain http: a redirect never downgrades.
        let insecure = try world.fetcher(insecure: true)
        await #expect(throws: FetchError.self) { try await insecure.fetch(Self.request("\(world.main.origin)/to-plain", redirects: 3)) }
        try await insecure.shutdown()
        #expect(world.plain.log.count() == 0)
        await #expect(throws: FetchError.tooManyRedirects("\(world.main.origin)/loop")) {
            try await fetcher.fetch(Self.request("\(world.main.origin)/loop", redirects: 4))
        }
        #expect(try await fetcher.fetch(Self.request("\(world.main.origin)/to-other")).status == 302)
        try await fetcher.shutdown()
        await world.stop()
    }

    @Test("503 with Retry-After is retried while the deadline allows, and not beyond it")
    func retryAfter() async throws {
        let world = try await Fixture()
        let fetcher = try world.fetcher()
        world.main.faults.add(.init(matching: "/hello", status: 503, headers: ["Retry-After": "1"], times: 1))
        let retried = try await fetcher.fetch(Self.request("\(world.main.origin)/hello", seconds: 20))
        #expect(retried.status == 200)
        #expect(world.main.log.count(containing: "/hello") == 2)
        world.main.faults.add(.init(matching: "/hello", status: 429, headers: ["Retry-After": "3"], times: 1))
        let refused = try await fetcher.fetch(Self.request("\(world.main.origin)/hello", seconds: 1))
        #expect(refused.status == 429, "no retry when the wait would pass the deadline")
        try await fetcher.shutdown()
        await world.stop()
    }
}
