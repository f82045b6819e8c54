import Admission
import Foundation
import HTTPFetch
import Logging
import OCI
import TrustPolicy
import TrustPolicyWatcher
import Verifier
import Webhook

/// The verifier's judgement of one pull: containerd allows the pull on exit 0 and blocks it on
/// any other exit, and shows `reason` (stdout) either way.
public struct PullOutcome: Sendable, Equatable {
    /// 0 allowed (signed as the policy requires, no policy matched and `defaultAction` allows,
    /// or an audit finding); 1 denied by the trust policy (which includes "verification could
    /// not finish" under an enforce policy); 2 the pull could not be judged (invocation, stdin,
    /// settings or policy unusable).
    public let exitCode: Int32
    /// One line, at most ``maxReasonBytes`` (containerd keeps 32 KiB of stdout).
    public let reason: String

    /// Upper bound of `reason`, in UTF-8 bytes: far below containerd's 32 KiB.
    public static let maxReasonBytes = 4096

    public init(exitCode: Int32, reason: String) {
        self.exitCode = exitCode
        self.reason = Self.oneLine(reason)
    }

    /// Exit status: the pull is allowed.
    public static let allowedStatus: Int32 = 0
    /// Exit status: the trust policy denies the image.
    public static let deniedStatus: Int32 = 1
    /// Exit status: the pull could not be judged.
    public static let unusableStatus: Int32 = 2

    /// A pull that could not be judged.
    public static func unusable(_ error: PullInputError) -> PullOutcome {
        PullOutcome(exitCode: unusableStatus, reason: "atcr-verify: pull blocked: \(error)")
    }

    /// Control characters become spaces; the text is cut to ``maxReasonBytes`` on a character boundary.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        var line = String(scalars)
        guard line.utf8.count > maxReasonBytes else { return line }
        while line.utf8.count > maxReasonBytes - 3 { line.removeLast() }
        return line + "…"
    }
}

/// One pull, judged as containerd's image-verifier plugin asks: the arguments and stdin checked
/// (``PullTarget``), the trust policy loaded as the webhook loads it (``PolicyWatcher``), and the
/// image decided by the webhook's own per-image path (``ReviewService/decide(image:namespace:policy:now:deadline:)``:
/// the same contact plan, verifier and policy evaluation) with the digest containerd passed.
/// There is no namespace at this level, so the pull gets the strictest decision any namespace
/// could give it (``TrustPolicy/evaluate(_:)``).
public enum ContainerdPull {
    /// Judges the pull `arguments` and `stdin` describe, finishing by `started + settings.timeout`.
    public static func judge(
        arguments: [String], stdin: [UInt8], settings: PullSettings, started: ContinuousClock.Instant, logger: Logger
    ) async -> PullOutcome {
        let target: PullTarget
        do throws(PullInputError) {
            let parsed = try PullArguments.parse(arguments)
            target = try PullTarget(arguments: parsed, descriptor: try PulledDescriptor.parse(stdin))
        } catch {
            return .unusable(error)
        }
        let watcher = PolicyWatcher(
            path: settings.policyFile, pollInterval: .seconds(3600), logger: logger, allowInsecureLocalEndpoints: settings.allowInsecureLocal)
        await watcher.checkNow()
        guard let policy = await watcher.policy else {
            let why = await watcher.state.lastError ?? "not loaded"
            return .unusable(.configuration("the trust policy \(settings.policyFile) (ATCR_POLICY) cannot be used: \(why)"))
        }
        var credentials = RegistryCredentials.anonymous
        if let path = settings.dockerConfig {
            do {
                credentials = try RegistryCredentials.load(dockerConfigAt: path)
            } catch {
                return .unusable(.configuration("ATCR_DOCKER_CONFIG \(path): \(error)"))
            }
        }
        let fetcher: HTTPFetcher
        do {
            fetcher = try HTTPFetcher(configuration: .init(
                allowInsecureHTTP: settings.allowInsecureLocal, caBundlePath: settings.caBundle,
                serverNamedTargets: ServerNamedTargets(testWorld: settings.allowInsecureLocal, allowPrivate: settings.allowPrivateUpstreams)))
        } catch {
            return .unusable(.configuration("ATCR_CA_BUNDLE \(error)"))
        }
        var caches = VerifierCaches.Configuration()
        caches.didStaleIfError = settings.didStaleIfError
        let verifier = ImageVerifier(
            fetcher: fetcher, registry: RegistryClient(fetcher: fetcher, credentials: credentials),
            // One image, then the process exits: no work may outlive the deadline.
            options: .init(
                resolver: .init(plcDirectory: settings.plcDirectory, allowInsecureLocal: settings.allowInsecureLocal),
                backgroundBudget: .zero, caches: caches))
        let disk = DiskCache.open(settings.cacheDirectory, logger: logger)
        await disk?.load(into: verifier.caches, allowInsecureLocal: settings.allowInsecureLocal)
        let service = ReviewService(
            verifier: verifier, policy: { policy },
            options: .init(auditOnly: settings.auditOnly, defaultTimeout: settings.timeout, auditLines: .none),
            metrics: WebhookMetrics(), logger: logger, events: nil, audit: { _ in })
        let decision = await service.decide(
            image: target.reference.description, namespace: nil, policy: policy, now: Date(), deadline: started + settings.timeout)
        // Saving may wait for another pull's save, but never past the deadline nor a second.
        await disk?.save(from: verifier.caches, configuration: caches, until: min(started + settings.timeout, .now + .seconds(1)))
        // Not awaited: a request still stalled past the deadline would hold the answer until it
        // ends. The process exits right after printing; the task keeps the client alive till then.
        Task.detached { try? await fetcher.shutdown() }
        return outcome(for: decision)
    }

    /// The exit status and the line for a decided image.
    static func outcome(for decision: ImageDecision) -> PullOutcome {
        switch decision.verdict {
        case .deny:
            return PullOutcome(exitCode: PullOutcome.deniedStatus, reason: "atcr-verify: DENY \(decision.summaryLine)")
        case .audit, .allow:
            let signers = decision.signers.isEmpty ? "" : " (signed by \(decision.signers.joined(separator: ", ")))"
            let word = decision.verdict == .audit ? "AUDIT" : "ALLOW"
            return PullOutcome(exitCode: PullOutcome.allowedStatus, reason: "atcr-verify: \(word) \(decision.summaryLine)\(signers)")
        }
    }
}
