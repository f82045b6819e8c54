import ATProto
import Foundation
import HTTPFetch
import OCI
import Testbed
import TrustPolicy
import Verifier

/// The review's critical path at internet latency: the world's servers answer after a simulated
/// round trip (`--latency-ms`, default 50; each new connection costs two more), and one image
/// is verified (docs/benchmarks-coldpath.md):
///
/// - cold by tag / by digest: no pooled connection to any upstream and empty caches, with a
///   fetcher as a running webhook holds it (its TLS context, the trust roots, already built by
///   an earlier connection elsewhere);
/// - cold, new client: the same with a fetcher made just before, so building its TLS context
///   (loading the trust roots: ~10 ms of CPU here) is on the path too, as for a process's very
///   first review;
/// - warm, next image: connections pooled and the signer's DID document cached by an earlier
///   review, a never-seen image (by tag and by digest);
/// - caches off: warm connections, every cache TTL zero (each review fetches everything).
///
/// The policy trusts two DIDs for the production images (alice signs them).
///
/// Each case runs `--rounds` times on fresh images; the median is reported in ms and in round
/// trips (ms / latency), with the upstream requests and new connections one review cost.
/// The world offers HTTP/2 by ALPN, as public registries, PDSes and the PLC directory do
/// (`--http1`: HTTP/1.1 only). `--prefetch 0` turns the DID prefetch off (the sequential
/// pipeline, for before/after).
func runColdPathBenchmark(_ options: Options) async throws {
    let world = try await TestWorld.start(.init(http2: !options.http1))
    guard let alice = world.accounts["alice"] else { return }
    let rounds = max(1, options.rounds)
    let latency = Duration.milliseconds(options.latencyMs)
    var nextIndex = 0
    func freshImage() throws -> (tag: String, digest: String) {
        nextIndex += 1
        let repository = "alice/prod-cold-\(nextIndex)"
        let image = try world.registry.pushImage(repository: repository, tag: "v1", seed: "cold \(nextIndex)")
        let artifact = try world.signer.sign(
            image, name: "prod-cold-\(nextIndex)", recordKey: RecordKey(TID(microseconds: 1_765_000_000_000_000 + UInt64(nextIndex), clockID: 7)),
            by: alice)
        try world.registry.push(artifact, repository: repository)
        return ("\(world.registryName)/\(repository):v1", "\(world.registryName)/\(repository)@\(image.digest)")
    }
    // A production policy trusting two DIDs (a CI signer and a release manager, say): alice signs.
    guard let bob = world.accounts["bob"] else { return }
    var yaml = ["version: 1.0", "defaultAction: allow", "trustedDIDs:"]
    for account in [alice, bob] {
        yaml += ["  \(account.did.string):", "    name: \"\(account.name)\"", "    validFrom: \"2024-01-01T00:00:00Z\"", "    expiresAt: null"]
    }
    yaml += ["policies:", "  - name: production-images", "    scope: \"\(world.registryName)/*/prod-*\"", "    require:", "      signature: true", "    action: enforce"]
    guard let policy = PolicyLoader.load(yaml: yaml.joined(separator: "\n") + "\n", now: Date(), allowInsecureLocalEndpoints: true).policy else { return }
    let resolver = DIDResolver.Options(plcDirectory: world.plcServer.origin, allowInsecureLocal: true)
    func verifier(_ fetcher: HTTPFetcher, cachesOff: Bool = false) -> ImageVerifier {
        var verifierOptions = ImageVerifier.Options(resolver: resolver)
        verifierOptions.maxPrefetchedIdentities = options.prefetch
        if cachesOff {
            verifierOptions.caches.identities.ttl = .zero
            verifierOptions.caches.evidence.ttl = .zero
            verifierOptions.caches.tags.ttl = .zero
            verifierOptions.caches.discoveries.ttl = .zero
        }
        return ImageVerifier(fetcher: fetcher, registry: RegistryClient(fetcher: fetcher), options: verifierOptions)
    }
    struct Sample { var time: Duration; var requests: Int; var connections: Int }
    func review(_ verifier: ImageVerifier, _ text: String) async throws -> Sample {
        let reference = try ImageReference(parsing: text)
        let plan = policy.contactPlan(for: ImageName(registry: reference.registry, repository: reference.repository), namespace: nil, now: Date())
        let requests = world.requestCount, connections = world.connectionCount
        let start = ContinuousClock.now
        let verdict = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(20))
        let elapsed = ContinuousClock.now - start
        guard verdict.verifiedDIDs == [alice.did.string] else {
            throw BenchmarkError.unexpected("\(text): \(verdict.signatures) \(verdict.error ?? "")")
        }
        // Let background work (an unused prefetch, a preconnect) land before counting.
        try await Task.sleep(for: latency * 4 + .milliseconds(50))
        return Sample(time: elapsed, requests: world.requestCount - requests, connections: world.connectionCount - connections)
    }
    func fetcher() throws -> HTTPFetcher { try HTTPFetcher(configuration: .init(caBundlePath: world.caPath)) }
    /// A new fetcher that has made one TLS connection, to the world's admin endpoint (no
    /// latency, not an upstream of any review): its TLS context is built, no upstream pooled.
    func runningFetcher() async throws -> HTTPFetcher {
        let client = try fetcher()
        await client.preconnect(world.adminServer.origin, deadline: .now + .seconds(10))
        return client
    }

    world.setLatency(latency)
    print("latency \(options.latencyMs) ms per response, \(2 * options.latencyMs) ms per new connection; \(options.http1 ? "HTTP/1.1 only" : "HTTP/2 offered"); DID prefetch \(options.prefetch); \(rounds) rounds, median")
    var rows: [(String, [Sample])] = [("cold connections, by tag", []), ("cold connections, by digest", []),
        ("warm connections, next image, by tag", []), ("warm connections, next image, by digest", []),
        ("warm connections, caches off, by tag", []), ("cold, new client, by tag", [])]
    for _ in 0..<rounds {
        for (row, byTag) in [(0, true), (1, false)] {
            let client = try await runningFetcher()
            let image = try freshImage()
            rows[row].1.append(try await review(verifier(client), byTag ? image.tag : image.digest))
            try await client.shutdown()
        }
        let newClient = try fetcher()
        rows[5].1.append(try await review(verifier(newClient), try freshImage().tag))
        try await newClient.shutdown()
        let client = try fetcher()
        let warm = verifier(client)
        _ = try await review(warm, try freshImage().tag)  // pools the connections, caches the DID document
        rows[2].1.append(try await review(warm, try freshImage().tag))
        rows[3].1.append(try await review(warm, try freshImage().digest))
        let uncached = verifier(client, cachesOff: true)
        _ = try await review(uncached, try freshImage().tag)
        rows[4].1.append(try await review(uncached, try freshImage().tag))
        try await client.shutdown()
    }
    let unit = Double(options.latencyMs)
    print("case                                      ms   round trips  requests  new connections")
    for (name, samples) in rows {
        let times = samples.map(\.time).sorted()
        let median = percentile(times, 50)
        let ms = Double(median.components.seconds) * 1000 + Double(median.components.attoseconds) / 1e15
        let requests = samples.map(\.requests).sorted()[samples.count / 2]
        let connections = samples.map(\.connections).sorted()[samples.count / 2]
        // Typed, not inferred: as a CVarArg, a literal 0 would pass as an Int and shift the columns.
        let roundTrips: Double = unit > 0 ? ms / unit : 0
        let figures = String(format: " %6.0f  %6.1f       %4d      %4d", ms, roundTrips, requests, connections)
        print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + figures)
    }
    await world.stop()
}
