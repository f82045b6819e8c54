import Foundation
import Logging
import TrustPolicy

/// Loads the trust-policy file and reloads it when it changes, including the way a mounted
/// ConfigMap changes (the kubelet swaps the `..data` symlink).
///
/// Changes are detected by polling `stat()` (inode, size, mtime, following symlinks) and
/// confirmed by the content's SHA-256. A new policy replaces the old one in a single
/// assignment; a file with errors, or one that cannot be read, leaves the last good policy in
/// force, counts a failure and logs every error. Run `run()` in a task for the lifetime of the
/// server (cancel it to stop); tests call `checkNow()`.
public actor PolicyWatcher {
    /// The watched path, e.g. `/etc/atcr-verify/policy.yaml` (a symlink into `..data`).
    public nonisolated let path: String
    /// How often `run()` checks the file.
    public nonisolated let pollInterval: Duration

    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let allowInsecureLocalEndpoints: Bool

    private var current = PolicyWatcherState()
    /// What the last check saw, so an unchanged file costs one `stat` per poll.
    private var lastSeen: Observation?
    /// Digest of the last text a load was attempted on (kept or rejected), so a touch or a
    /// swap to identical content neither reloads nor counts twice.
    private var lastAttemptedSHA256: String?

    private enum Observation: Equatable {
        case file(FileIdentity)
        case unreadable(String)
    }

    /// - Parameters:
    ///   - clock: the time used for warnings (expired DIDs) and timestamps; injectable for tests.
    ///   - allowInsecureLocalEndpoints: passed to `PolicyLoader` (local test world only).
    public init(
        path: String,
        pollInterval: Duration = .seconds(1),
        logger: Logger = Logger(label: "atcr-verify.policy"),
        clock: @escaping @Sendable () -> Date = { Date() },
        allowInsecureLocalEndpoints: Bool = false
    ) {
        self.path = path
        self.pollInterval = pollInterval
        self.logger = logger
        self.clock = clock
        self.allowInsecureLocalEndpoints = allowInsecureLocalEndpoints
    }

    /// A snapshot of the state.
    public var state: PolicyWatcherState { current }

    /// The policy in force, or nil until one valid policy has loaded.
    public var policy: TrustPolicy? { current.policy }

    /// True once a valid policy has loaded (`/readyz`).
    public var isReady: Bool { current.isReady }

    /// Checks the file now, loads it when it changed, and says what happened.
    @discardableResult
    public func checkNow() -> PolicyCheckOutcome {
        switch WatchedFile.identity(of: path) {
        case .failure(let error):
            return noteUnreadable(error)
        case .success(let identity):
            guard lastSeen != .file(identity) else { return .unchanged }
        }
        switch WatchedFile.read(path) {
        case .failure(let error):
            return noteUnreadable(error)
        case .success(let (identity, bytes)):
            lastSeen = .file(identity)
            return consider(bytes)
        }
    }

    /// Checks at once, then every `pollInterval` until the calling task is cancelled.
    public func run() async {
        checkNow()
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                return  // cancelled
            }
            checkNow()
        }
    }

    private func consider(_ bytes: [UInt8]) -> PolicyCheckOutcome {
        let digest = PolicyContentDigest.sha256Hex(bytes)
        guard digest != lastAttemptedSHA256 else { return .unchanged }
        lastAttemptedSHA256 = digest

        let now = clock()
        current.lastAttemptAt = now
        let result = PolicyLoader.load(
            yaml: String(decoding: bytes, as: UTF8.self),
            now: now,
            allowInsecureLocalEndpoints: allowInsecureLocalEndpoints
        )
        guard let policy = result.policy else {
            current.reloadFailures += 1
            current.lastErrors = result.errors
            current.lastError = "\(result.errors.count) error(s) in \(path); first: \(result.errors.first?.description ?? "unknown")"
            logger.error("trust policy rejected; keeping the last good policy", metadata: [
                "path": "\(path)", "sha256": "\(digest)", "errors": "\(result.errors.count)",
                "inForce": "\(current.contentSHA256 ?? "none")",
            ])
            for error in result.errors {
                logger.error("trust policy error: \(error.description)", metadata: ["path": "\(path)"])
            }
            return .rejected
        }
        // One assignment: readers see either the old state or the new one, never a mix.
        var next = current
        next.policy = policy
        next.contentSHA256 = digest
        next.loadedAt = now
        next.warnings = result.warnings
        next.lastError = nil
        next.lastErrors = []
        next.reloadSuccesses += 1
        current = next
        logger.info("trust policy loaded", metadata: [
            "path": "\(path)", "sha256": "\(digest)",
            "policies": "\(policy.policies.count)", "trustedDIDs": "\(policy.trustedDIDs.count)",
            "warnings": "\(result.warnings.count)",
        ])
        for warning in result.warnings {
            logger.warning("trust policy warning: \(warning.description)", metadata: ["path": "\(path)"])
        }
        return .loaded
    }

    private func noteUnreadable(_ error: WatchedFileError) -> PolicyCheckOutcome {
        // Count each new unreadable state once, not once per poll.
        guard lastSeen != .unreadable(error.reason) else { return .unchanged }
        lastSeen = .unreadable(error.reason)
        lastAttemptedSHA256 = nil  // whatever comes back next is loaded afresh
        current.lastAttemptAt = clock()
        current.reloadFailures += 1
        current.lastError = error.description
        current.lastErrors = []
        logger.error("trust policy file unreadable; keeping the last good policy", metadata: [
            "path": "\(path)", "error": "\(error.reason)", "inForce": "\(current.contentSHA256 ?? "none")",
        ])
        return .unreadable
    }
}
