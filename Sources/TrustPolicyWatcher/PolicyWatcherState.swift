import Foundation
import TrustPolicy

/// What the watcher knows, for the webhook (`/readyz`), metrics and logs.
public struct PolicyWatcherState: Sendable {
    /// The policy in force: the last one that loaded without errors.
    public var policy: TrustPolicy?
    /// Lowercase hex SHA-256 of the text of the policy in force.
    public var contentSHA256: String?
    /// When the policy in force was loaded (by the watcher's clock).
    public var loadedAt: Date?
    /// Warnings of the policy in force.
    public var warnings: [PolicyDiagnostic] = []
    /// Why the most recent load attempt failed; nil when it succeeded. While set, the file on
    /// disk is not the policy in force.
    public var lastError: String?
    /// Every error of the most recent failed attempt (empty when it succeeded or the file was
    /// unreadable).
    public var lastErrors: [PolicyDiagnostic] = []
    /// When the most recent load attempt happened.
    public var lastAttemptAt: Date?
    /// Loads that put a policy in force (including the first).
    public var reloadSuccesses = 0
    /// Loads that were rejected or could not read the file.
    public var reloadFailures = 0

    /// The state before the first load: not ready, nothing counted.
    public init() {}

    /// True once a valid policy has loaded; stays true when later versions are rejected.
    public var isReady: Bool { policy != nil }
}

/// What one check of the file did.
public enum PolicyCheckOutcome: Sendable, Hashable {
    /// Nothing changed since the last check (or the text is the one last tried).
    case unchanged
    /// A new policy is in force.
    case loaded
    /// The file changed but has errors; the previous policy (if any) stays in force.
    case rejected
    /// The file could not be read (deleted, unreadable); the previous policy stays in force.
    case unreadable
}
