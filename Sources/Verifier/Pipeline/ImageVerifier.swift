import ATProto
import Foundation
import HTTPFetch
import OCI
import TrustPolicy

/// The verification pipeline for one image (docs/architecture.md, "The pipeline"): reference → digest → signature
/// artifacts → trusted DIDs → DID documents → record proofs → verdict.
///
/// Trust first: nothing is fetched for an image no policy scope matches, and nothing for a DID
/// the matching policies do not trust at `now`. Caches hold evidence (what was proven about a
/// registry, repository, digest and DID), never decisions: the policy is evaluated afresh.
public final class ImageVerifier: Sendable {
    public struct Options: Sendable {
        public var resolver: DIDResolver.Options
        /// How long work may go on after the caller stopped waiting, so a retry hits the cache.
        public var backgroundBudget: Duration
        public var caches: VerifierCaches.Configuration
        /// The size of ``ImageVerifier/slots``: verifications in flight at once, reviews' and
        /// background loads' together.
        public var maxConcurrentVerifications: Int
        /// The most cache loads that go on after every caller gave up on them (each holds one of
        /// the slots; at most half of them).
        public var maxBackgroundLoads: Int

        /// Keep a ``FreshnessLedger``: cached proofs superseded by a newer commit (reported by a
        /// ``FreshnessWatch`` over ``ImageVerifier/freshness``) are fetched afresh before use.
        public var trackFreshness: Bool
        /// Told when a trusted DID's document names another key or PDS (``IdentityChangeMonitor``).
        public var onIdentityChange: (@Sendable (IdentityChange) -> Void)?
        /// Where upstream stages are timed (`atcr_verification_stage_seconds`); by default nowhere.
        public var stageTimer = StageTimer(factory: nil)
        /// When the matching policies trust at most this many DIDs, their documents are resolved
        /// (when not cached) and their PDS connections opened in parallel with the registry steps
        /// (0: never).
        public var maxPrefetchedIdentities = 4

        public init(
            resolver: DIDResolver.Options = .init(), backgroundBudget: Duration = .seconds(30),
            caches: VerifierCaches.Configuration = .init(), maxConcurrentVerifications: Int = 128, maxBackgroundLoads: Int = 64,
            trackFreshness: Bool = false, onIdentityChange: (@Sendable (IdentityChange) -> Void)? = nil
        ) {
            self.resolver = resolver
            self.backgroundBudget = backgroundBudget
            self.caches = caches
            self.maxConcurrentVerifications = maxConcurrentVerifications
            self.maxBackgroundLoads = maxBackgroundLoads
            self.trackFreshness = trackFreshness
            self.onIdentityChange = onIdentityChange
        }
    }

    public let registry: RegistryClient
    public let signatures: SignatureVerifier
    public let caches: VerifierCaches
    public let options: Options
    /// The bound on work in flight: a caller takes one slot per image it verifies (see
    /// ``VerificationSlots``); cache loads nobody waits for any more need a background slot.
    public let slots: VerificationSlots
    /// With `trackFreshness`: the DIDs in use and the latest commits their PDSes reported.
    public let freshness: FreshnessLedger?
    /// DID documents resolved ahead of need, and how many of them went unused.
    public let prefetchStatistics = PrefetchStatistics()

    public init(fetcher: any HTTPFetching, registry: RegistryClient, options: Options = Options()) {
        let slots = VerificationSlots(limit: options.maxConcurrentVerifications, backgroundLimit: options.maxBackgroundLoads)
        let caches = VerifierCaches(configuration: options.caches, slots: slots)
        self.slots = slots
        self.caches = caches
        self.registry = registry
        self.options = options
        freshness = options.trackFreshness ? FreshnessLedger(capacity: options.caches.revisionCapacity) : nil
        var signatures = SignatureVerifier(
            resolver: DIDResolver(fetcher: fetcher, options: options.resolver), pds: PDSClient(fetcher: fetcher),
            identities: caches.identities, revisions: caches.revisions,
            identityChanges: options.onIdentityChange.map { IdentityChangeMonitor(onChange: $0) })
        signatures.stageTimer = options.stageTimer
        self.signatures = signatures
    }

    /// Verifies `image` for the policies of `plan` (from `TrustPolicy.contactPlan`).
    public func verify(_ image: ImageReference, plan: ContactPlan, deadline: ContinuousClock.Instant) async -> ImageVerdict {
        guard plan.matchesAnyPolicy else { return ImageVerdict(image: image, scope: .noMatchingPolicy) }
        guard plan.needsSignatures else { return ImageVerdict(image: image, scope: .noSignatureRequired) }
        let background = max(deadline, .now + options.backgroundBudget)
        // Trust first: only the plan's trusted DIDs, resolved while the registry answers.
        let prefetch = await startPrefetch(plan, deadline: background)
        defer { prefetch?.finish() }

        // Step 2: the digest.
        let digest: Digest
        var warnings: [String] = []
        if let pinned = image.digest {
            digest = pinned
        } else {
            do {
                digest = try await resolveTag(image, deadline: background)
            } catch {
                return ImageVerdict(image: image, scope: .verified, error: error.message, errorIsTransient: error.isTransient)
            }
            // Short enough that an admission warning (120 characters, the image in front) keeps the advice.
            warnings.append("tag resolved to \(digest.description.prefix(19))…; pin the digest (time-of-check race)")
        }

        // Steps 3–4: discover and read the artifacts.
        let discovery: SignatureDiscovery
        do {
            discovery = try await discover(image, digest: digest, deadline: background)
        } catch {
            return ImageVerdict(
                image: image, scope: .verified, digest: digest, resolvedFromTag: image.digest == nil,
                error: error.message, errorIsTransient: error.isTransient, warnings: warnings)
        }

        // Steps 5–8: trust first, then verify each trusted signer once.
        var reports: [SignatureReport] = []
        var bySigner: [String: [FetchedSignature]] = [:]
        var signerOrder: [String] = []
        for artifact in discovery.artifacts {
            switch artifact.result {
            case .failure(let failure):
                reports.append(SignatureReport(
                    did: nil, handle: nil, artifactDigest: artifact.descriptor.digest.description,
                    status: .failed(SignatureFailure(.artifact, failure.description, transient: failure.isTransient))))
            case .success(let fetched):
                let did = fetched.payload.atproto.did
                guard plan.mayContact(did) else {
                    reports.append(SignatureReport(
                        did: did, handle: fetched.payload.atproto.handle, artifactDigest: fetched.manifestDigest.description,
                        status: .untrusted))
                    continue
                }
                if bySigner[did] == nil { signerOrder.append(did) }
                bySigner[did, default: []].append(fetched)
            }
        }
        let expectation = RecordExpectation(digest: digest.description, repository: image.atcrName?.name ?? image.repository)
        let verified = await withTaskGroup(of: (Int, SignatureReport).self) { group in
            for (index, did) in signerOrder.enumerated() {
                guard let trusted = plan.signer(did), let artifacts = bySigner[did] else { continue }
                group.addTask {
                    (index, await self.verifySigner(
                        trusted, artifacts: artifacts, image: image, digest: digest, expectation: expectation, prefetched: prefetch,
                        deadline: background))
                }
            }
            var results: [(Int, SignatureReport)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        reports.append(contentsOf: verified)
        for report in verified {
            if case .verified(let signature) = report.status, signature.staleIdentity {
                warnings.append("the DID document of \(signature.did) was served from cache: its directory is unreachable")
            }
        }
        return ImageVerdict(
            image: image, scope: .verified, digest: digest, resolvedFromTag: image.digest == nil,
            signatures: reports, warnings: warnings)
    }

    /// The cached (or loaded) evidence for `key`, never one superseded by a newer commit the
    /// freshness watch reported: a superseded entry is loaded afresh, and a load that joined
    /// one started before the report is repeated (at most twice).
    private func currentEvidence(
        for key: EvidenceKey, load: @escaping @Sendable () async throws -> VerifiedSignature
    ) async throws -> VerifiedSignature {
        guard let ledger = freshness else { return try await caches.evidence.value(for: key, load: load).value }
        let isCurrent: @Sendable (VerifiedSignature) -> Bool = { ledger.acceptsCached($0) }
        for _ in 0..<3 {
            let verified = try await caches.evidence.value(for: key, isCurrent: isCurrent, load: load).value
            if ledger.isCurrent(verified) {
                ledger.noteUse(verified)
                return verified
            }
        }
        throw SignatureFailure(
            .check(.proofFetch), "the repository of \(key.did) kept changing while its proof was fetched; retry", transient: true)
    }

    /// A failure of the image as a whole.
    struct ImageFailure: Error {
        let message: String
        let isTransient: Bool
    }

    private func resolveTag(_ image: ImageReference, deadline: ContinuousClock.Instant) async throws(ImageFailure) -> Digest {
        let key = TagKey(registry: image.registry, repository: image.repository, tag: image.tag ?? "latest")
        let registry = registry, stageTimer = options.stageTimer
        do {
            return try await caches.tags.value(for: key) { () async throws -> Digest in
                do throws(RegistryError) {
                    let started = ContinuousClock.now
                    defer { stageTimer.record(.digest, since: started) }
                    return try await registry.resolveDigest(image, deadline: deadline).digest
                } catch where !error.isTransient {
                    throw DefiniteNegative("registry", detail: error.description)
                }
            }.value
        } catch let negative as DefiniteNegative {
            throw ImageFailure(message: negative.detail, isTransient: false)
        } catch {
            throw ImageFailure(message: "\(error)", isTransient: true)
        }
    }

    private func discover(_ image: ImageReference, digest: Digest, deadline: ContinuousClock.Instant) async throws(ImageFailure) -> SignatureDiscovery {
        let key = DigestKey(registry: image.registry, repository: image.repository, digest: digest)
        let registry = registry, stageTimer = options.stageTimer
        do {
            return try await caches.discoveries.value(for: key) { () async throws -> SignatureDiscovery in
                let discovery: SignatureDiscovery
                do throws(RegistryError) {
                    let started = ContinuousClock.now
                    defer { stageTimer.record(.discovery, since: started) }
                    discovery = try await registry.signatureArtifacts(for: image, digest: digest, deadline: deadline)
                } catch where !error.isTransient {
                    throw DefiniteNegative("registry", detail: error.description)
                } catch {
                    throw error
                }
                guard !discovery.artifacts.isEmpty else {
                    throw DefiniteNegative(.noSignature, detail: "no ATProto signature artifact refers to \(image.name)@\(digest)")
                }
                // A transient failure reading one artifact must not be remembered for the TTL.
                if discovery.artifacts.contains(where: { if case .failure(let f) = $0.result { return f.isTransient } else { return false } }) {
                    throw TransientDiscovery(discovery: discovery)
                }
                return discovery
            }.value
        } catch let transient as TransientDiscovery {
            return transient.discovery
        } catch let negative as DefiniteNegative where negative.reason == .noSignature {
            return SignatureDiscovery(source: .referrersAPI, artifacts: [])
        } catch let negative as DefiniteNegative {
            throw ImageFailure(message: negative.detail, isTransient: false)
        } catch {
            throw ImageFailure(message: "\(error)", isTransient: true)
        }
    }

    /// A discovery that succeeded but holds a transiently failed artifact: returned to this
    /// caller, never cached.
    struct TransientDiscovery: Error {
        let discovery: SignatureDiscovery
    }

    /// Verifies one trusted signer's artifacts in order until one verifies (cached per
    /// registry, repository, digest and DID).
    private func verifySigner(
        _ trusted: TrustedDID, artifacts: [FetchedSignature], image: ImageReference, digest: Digest,
        expectation: RecordExpectation, prefetched: IdentityPrefetch?, deadline: ContinuousClock.Instant
    ) async -> SignatureReport {
        let did = trusted.did.string
        guard let first = artifacts.first else {
            return SignatureReport(did: did, handle: nil, artifactDigest: nil, status: .failed(SignatureFailure(.artifact, "no artifact")))
        }
        let signer = SignerTrust(trusted)
        let key = EvidenceKey(registry: image.registry, repository: image.repository, digest: digest, did: did)
        let signatures = signatures
        let load = { @Sendable () async throws -> VerifiedSignature in
            var last: SignatureFailure?
            for artifact in artifacts {
                do throws(SignatureFailure) {
                    return try await signatures.verify(
                        signer: signer, recordURI: artifact.payload.atproto.recordUri, expectation: expectation, prefetched: prefetched,
                        deadline: deadline)
                } catch {
                    last = error
                    if error.isTransient { break }
                }
            }
            let failure = last ?? SignatureFailure(.artifact, "no artifact to verify")
            if failure.isTransient { throw failure }
            throw failure.definiteNegative
        }
        do {
            let verified = try await currentEvidence(for: key, load: load)
            return SignatureReport(did: did, handle: verified.handle, artifactDigest: first.manifestDigest.description, status: .verified(verified))
        } catch let failure as SignatureFailure {
            return SignatureReport(did: did, handle: first.payload.atproto.handle, artifactDigest: first.manifestDigest.description, status: .failed(failure))
        } catch let negative as DefiniteNegative {
            return SignatureReport(
                did: did, handle: first.payload.atproto.handle, artifactDigest: first.manifestDigest.description,
                status: .failed(SignatureFailure(negative: negative)))
        } catch {
            return SignatureReport(
                did: did, handle: first.payload.atproto.handle, artifactDigest: first.manifestDigest.description,
                status: .failed(SignatureFailure(.check(.proofFetch), "\(error)", transient: true)))
        }
    }
}
