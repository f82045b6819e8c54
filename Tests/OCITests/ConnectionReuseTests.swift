import HTTPFetch
import OCI
import Testbed
import Testing

@Suite("Registry client: pooled connections survive HEAD")
struct ConnectionReuseTests {
    @Test("many tag resolutions (HEAD) and manifest reads share one connection to the registry")
    func oneConnection() async throws {
        try await Harness.with { world in
            var digests: [Digest] = []
            for index in 0..<12 { digests.append(try world.registry.pushImage(repository: "alice/app", tag: "v\(index)", seed: "\(index)").digest) }
            let client = world.client()
            for (index, digest) in digests.enumerated() {
                let resolved = try await client.resolveDigest(try world.reference("alice/app:v\(index)"), deadline: deadline())
                #expect(resolved.digest == digest)
                #expect(resolved.source == .head)
            }
            // A GET after the HEADs rides the same connection too.
            _ = try await client.resolveDigest(try world.reference("alice/app:v0"), deadline: deadline())
            #expect(world.registry.log.count(pathContains: "/manifests/", method: "HEAD") == 13)
            #expect(world.server.connections.accepted == 1)
        }
    }

    @Test("a preconnect (GET /, answered 404) leaves a pooled connection the next request uses")
    func preconnectPools() async throws {
        try await Harness.with { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            // The origin the client reaches the registry by (`http://localhost:<port>`).
            let origin = world.client().origin(world.name)
            await world.fetcher.preconnect(origin, deadline: deadline())
            #expect(world.server.connections.accepted == 1)
            _ = try await world.client().resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            #expect(world.server.connections.accepted == 1)
            #expect(world.fetcher.preconnects.snapshot.made == 1)
            await world.fetcher.preconnect(origin, deadline: deadline())
            #expect(world.fetcher.preconnects.snapshot.skipped == 1, "a recent request: nothing to open")
        }
    }

    @Test("with the latency shaping on, each response waits its round trip and reuse still holds")
    func latencyShaping() async throws {
        try await Harness.with { world in
            _ = try world.registry.pushImage(repository: "alice/app", tag: "v1")
            world.server.latency.roundTrip = .milliseconds(40)
            let client = world.client()
            let start = ContinuousClock.now
            _ = try await client.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            let first = ContinuousClock.now - start
            // A new connection (2 round trips) plus the response (1): at least 120 ms.
            #expect(first >= .milliseconds(120))
            let again = ContinuousClock.now
            _ = try await client.resolveDigest(try world.reference("alice/app:v1"), deadline: deadline())
            #expect(ContinuousClock.now - again >= .milliseconds(40))
            #expect(world.server.connections.accepted == 1)
        }
    }
}
