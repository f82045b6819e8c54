import Foundation
import HTTPFetch
import Hummingbird
import Testing
import Testbed

/// HTTP/2 with upstreams that offer it: parallel requests to one host share one connection.
@Suite("HTTPFetch: HTTP/2 by ALPN")
struct HTTP2Tests {
    /// Sends one request, then `parallel` at once, to a TLS server offering h2 or not; returns
    /// the connections it accepted.
    static func connections(http2: Bool, parallel: Int) async throws -> Int {
        let ca = try TestCertificateAuthority()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("h2-\(UUID().uuidString)")
        let caPath = try ca.write(to: directory)
        let server = try await TestServer.start(name: "h2", tls: try ca.serverTLSConfiguration(), http2: http2) { router in
            router.get("slow") { _, _ -> String in
                try await Task.sleep(for: .milliseconds(100))
                return "slow"
            }
        }
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: caPath))
        let request = FetchRequest(url: server.origin + "/slow", maxBodyBytes: 1_000, deadline: .now + .seconds(10))
        #expect(try await fetcher.fetch(request).status == 200)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<parallel { group.addTask { try await fetcher.fetch(request).status } }
            for try await status in group { #expect(status == 200) }
        }
        let accepted = server.connections.accepted
        try await fetcher.shutdown()
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
        return accepted
    }

    @Test("a server offering h2: eight parallel requests ride the one connection")
    func sharedConnection() async throws {
        #expect(try await Self.connections(http2: true, parallel: 8) == 1)
    }

    @Test("an HTTP/1.1-only server: parallel requests need connections of their own (what h2 saves)")
    func http1NeedsMore() async throws {
        #expect(try await Self.connections(http2: false, parallel: 8) > 1)
    }
}
