import ATProto
import Foundation
import HTTPFetch
import OCI
import Testbed
import TrustPolicy
import Verifier

/// Latency of one image verification against the test world over HTTPS on loopback.
///
/// Cold: a verifier with every cache empty for each image (the connection pool is kept, as in a
/// running webhook that meets a new image): tag → digest, referrers, artifact manifest and blob,
/// DID document, getRecord, proof verification. Warm: the same image again and again.
/// The world's servers run in this process and share its cores.
func runVerifierBenchmark(_ options: Options) async throws {
    let world = try await TestWorld.start()
    guard let alice = world.accounts["alice"] else { return }
    print("pushing and signing \(options.images) images…")
    var references: [String] = []
    for index in 0..<options.images {
        let repository = "alice/prod-bench-\(index)"
        let image = try world.registry.pushImage(repository: repository, tag: "v1", seed: "bench \(index)")
        let artifact = try world.signer.sign(
            image, name: "prod-bench-\(index)", recordKey: RecordKey(TID(microseconds: 1_764_000_000_000_000 + UInt64(index), clockID: 5)),
            by: alice)
        try world.registry.push(artifact, repository: repository)
        references.append("\(world.registryName)/\(repository):v1")
    }
    guard let policy = PolicyLoader.load(yaml: world.policyYAML, now: Date(), allowInsecureLocalEndpoints: true).policy else { return }
    let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
    let registry = RegistryClient(fetcher: fetcher)
    let resolver = DIDResolver.Options(plcDirectory: world.plcServer.origin, allowInsecureLocal: true)

    func verify(_ verifier: ImageVerifier, _ text: String) async throws -> Duration {
        let reference = try ImageReference(parsing: text)
        let plan = policy.contactPlan(for: ImageName(registry: reference.registry, repository: reference.repository), namespace: nil, now: Date())
        let start = ContinuousClock.now
        let verdict = await verifier.verify(reference, plan: plan, deadline: .now + .seconds(10))
        let elapsed = ContinuousClock.now - start
        guard verdict.verifiedDIDs == [alice.did.string] else {
            throw BenchmarkError.unexpected("\(text): \(verdict.signatures) \(verdict.error ?? "")")
        }
        return elapsed
    }

    // Warm the connection pool once, then measure cold verifications.
    _ = try await verify(ImageVerifier(fetcher: fetcher, registry: registry, options: .init(resolver: resolver)), references[0])
    var cold: [Duration] = []
    for reference in references {
        let verifier = ImageVerifier(fetcher: fetcher, registry: registry, options: .init(resolver: resolver))
        cold.append(try await verify(verifier, reference))
    }
    cold.sort()
    let warmVerifier = ImageVerifier(fetcher: fetcher, registry: registry, options: .init(resolver: resolver))
    _ = try await verify(warmVerifier, references[0])
    var warm: [Duration] = []
    for _ in 0..<options.warm { warm.append(try await verify(warmVerifier, references[0])) }
    warm.sort()
    print("cold (every cache empty, \(cold.count) images, tag-resolved, 6 HTTPS requests each): p50 \(milliseconds(percentile(cold, 50)))  p99 \(milliseconds(percentile(cold, 99)))")
    print("warm (cached evidence, \(warm.count) verifications of one image):                  p50 \(milliseconds(percentile(warm, 50)))  p99 \(milliseconds(percentile(warm, 99)))")
    try await fetcher.shutdown()
    await world.stop()
}

enum BenchmarkError: Error { case unexpected(String) }
