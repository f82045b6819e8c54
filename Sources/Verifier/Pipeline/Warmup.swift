import ATProto
import Foundation
import HTTPFetch
import TrustPolicy

/// What a warmup opens and resolves for one trust policy: connections to the PLC directory, to
/// the registries the policies' scopes name literally and to the PDSes pinned in the policy, and
/// the DID documents of the trusted DIDs valid now (into the identity cache). Bounded.
public struct WarmupPlan: Sendable, Equatable {
    /// Origins to open a connection to (`https://host[:port]`).
    public var origins: [String]
    /// Trusted DIDs whose documents to resolve (none fully pinned).
    public var signers: [SignerTrust]

    /// The plan for `policy` at `now`: at most `maxOrigins` origins and `maxDIDs` DIDs, in file
    /// order. Pure. `registryOrigin` maps a registry name to its API origin.
    public static func make(
        policy: TrustPolicy, plcDirectory: String, registryOrigin: (String) -> String, now: Date, maxOrigins: Int = 32, maxDIDs: Int = 64
    ) -> WarmupPlan {
        let valid = policy.trustedDIDs.filter { $0.isValid(at: now) }
        var origins: [String] = [plcDirectory]
        for scope in policy.policies.flatMap(\.scopes) {
            if let registry = literalRegistry(scope.canonicalPattern) { origins.append(registryOrigin(registry)) }
        }
        origins += valid.compactMap { $0.pds?.origin }
        var seen = Set<String>()
        origins = origins.filter { seen.insert($0).inserted }
        let signers = valid.filter { $0.publicKeys.isEmpty || $0.pds == nil }
            .map(SignerTrust.init)
        return WarmupPlan(origins: Array(origins.prefix(maxOrigins)), signers: Array(signers.prefix(maxDIDs)))
    }

    /// The registry of a scope pattern when it names one literally (`ghcr.io/org/**`), nil when
    /// the host part is a glob or not a registry host.
    static func literalRegistry(_ pattern: String) -> String? {
        guard let slash = pattern.firstIndex(of: "/") else { return nil }
        let host = String(pattern[..<slash])
        guard !host.contains("*"), !host.contains("?"), host.contains(".") || host.contains(":") || host == "localhost" else { return nil }
        return host
    }
}

extension ImageVerifier {
    /// Runs `plan`: opens its connections and resolves its DIDs' documents into the identity
    /// cache (opening their PDS connections too), at most `concurrency` at a time, all by
    /// `deadline`. Failures are only logged by their later reviews: a warmup never fails.
    /// Returns the number of documents resolved.
    @discardableResult
    public func warm(_ plan: WarmupPlan, concurrency: Int = 8, deadline: ContinuousClock.Instant) async -> Int {
        let signatures = self.signatures
        let fetcher = signatures.pds.fetcher
        enum Job: Sendable {
            case connect(String)
            case resolve(SignerTrust)
        }
        let jobs = plan.origins.map(Job.connect) + plan.signers.map(Job.resolve)
        let run: @Sendable (Job) async -> Int = { job in
            switch job {
            case .connect(let origin):
                await fetcher.preconnect(origin, deadline: deadline)
                return 0
            case .resolve(let signer):
                guard let pds = await signatures.warmIdentity(signer, deadline: deadline) else { return 0 }
                await fetcher.preconnect(pds.origin, deadline: deadline)
                return 1
            }
        }
        return await withTaskGroup(of: Int.self) { group in
            var pending = jobs.makeIterator(), resolved = 0
            for _ in 0..<max(1, concurrency) {
                guard let job = pending.next() else { break }
                group.addTask { await run(job) }
            }
            for await count in group {
                resolved += count
                if let job = pending.next() { group.addTask { await run(job) } }
            }
            return resolved
        }
    }
}
