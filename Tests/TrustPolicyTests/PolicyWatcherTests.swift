import Foundation
import Logging
import Synchronization
import Testing
import TrustPolicy
import TrustPolicyWatcher

/// Two valid policies and an invalid one. `version2` has exactly `version1`'s byte length, so
/// a swap between them changes neither size nor (when forced) mtime: only the inode.
private let version1 = Fixtures.correctedSeedPolicy
private let version2 = Fixtures.correctedSeedPolicy.replacingOccurrences(of: "production-images", with: "production-imagez")
private let invalid = Fixtures.correctedSeedPolicy.replacingOccurrences(of: "minSignatures: 1", with: "minSignature: 1")

private let loadTime = Fixtures.now
private func makeWatcher(_ path: String, clock: Date = loadTime, interval: Duration = .seconds(1)) -> PolicyWatcher {
    PolicyWatcher(path: path, pollInterval: interval, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, clock: { clock })
}

@Suite("Policy watcher (hot reload)")
struct PolicyWatcherTests {
    @Test("loads at start: ready, fingerprinted, counted, warnings judged at the injected clock")
    func initialLoad() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        #expect(await !watcher.isReady)
        #expect(await watcher.checkNow() == .loaded)
        let state = await watcher.state
        #expect(state.isReady)
        #expect(state.policy?.policies.first?.name == "production-images")
        #expect(state.contentSHA256 == PolicyContentDigest.sha256Hex(Array(version1.utf8)))
        #expect(state.contentSHA256?.count == 64)
        #expect(state.loadedAt == loadTime)
        #expect(state.reloadSuccesses == 1)
        #expect(state.reloadFailures == 0)
        #expect(state.lastError == nil)
        // Bob expired before the injected "now"; the seed's enforce policy beside the default allow.
        #expect(state.warnings.map(\.path) == [#"trustedDIDs["\#(Fixtures.bob)"].expiresAt"#, "defaultAction"])

        let earlier = makeWatcher(volume.policyPath, clock: Fixtures.date("2025-01-01T00:00:00Z"))
        #expect(await earlier.checkNow() == .loaded)
        #expect(await earlier.state.warnings.map(\.path) == ["defaultAction"])
    }

    @Test("an unchanged file is not reloaded")
    func unchanged() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        await watcher.checkNow()
        #expect(await watcher.checkNow() == .unchanged)
        #expect(await watcher.checkNow() == .unchanged)
        #expect(await watcher.state.reloadSuccesses == 1)
    }

    @Test("a kubelet ..data swap is seen through the symlinks, even with equal size and mtime")
    func symlinkSwap() async throws {
        let volume = try ConfigMapVolume()
        let mtime = Fixtures.date("2026-11-22T01:00:00Z")
        try volume.publish(version1, modified: mtime)
        let watcher = makeWatcher(volume.policyPath)
        #expect(await watcher.checkNow() == .loaded)

        try volume.publish(version2, modified: mtime)
        // What lstat (FileManager.attributesOfItem) sees did not change at all:
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: volume.policyPath)
        #expect(link == "..data/policy.yaml")
        #expect(version1.utf8.count == version2.utf8.count)

        #expect(await watcher.checkNow() == .loaded)
        let state = await watcher.state
        #expect(state.policy?.policies.first?.name == "production-imagez")
        #expect(state.contentSHA256 == PolicyContentDigest.sha256Hex(Array(version2.utf8)))
        #expect(state.reloadSuccesses == 2)
    }

    @Test("a swap to identical content is not a reload")
    func identicalContent() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        await watcher.checkNow()
        try volume.publish(version1)
        #expect(await watcher.checkNow() == .unchanged)
        #expect(await watcher.state.reloadSuccesses == 1)
    }

    @Test("valid → invalid keeps the last good policy and records the errors → valid again")
    func invalidThenValid() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        await watcher.checkNow()
        let good = await watcher.state.contentSHA256

        try volume.publish(invalid)
        #expect(await watcher.checkNow() == .rejected)
        var state = await watcher.state
        #expect(state.isReady)
        #expect(state.policy?.policies.first?.name == "production-images")
        #expect(state.contentSHA256 == good)
        #expect(state.reloadFailures == 1)
        #expect(state.reloadSuccesses == 1)
        #expect(state.lastErrors.map(\.path) == ["policies[0].require.minSignature"])
        #expect(state.lastError?.contains("unknown key 'minSignature'") == true)

        // Polling the same bad file again does not count again.
        #expect(await watcher.checkNow() == .unchanged)
        #expect(await watcher.state.reloadFailures == 1)

        try volume.publish(version2)
        #expect(await watcher.checkNow() == .loaded)
        state = await watcher.state
        #expect(state.policy?.policies.first?.name == "production-imagez")
        #expect(state.lastError == nil)
        #expect(state.lastErrors.isEmpty)
        #expect(state.reloadSuccesses == 2)
        #expect(state.reloadFailures == 1)
    }

    @Test("reverting a rejected edit to the text in force clears the error")
    func revertToCurrent() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        await watcher.checkNow()
        try volume.publish(invalid)
        await watcher.checkNow()
        try volume.publish(version1)
        #expect(await watcher.checkNow() == .loaded)
        #expect(await watcher.state.lastError == nil)
    }

    @Test("a deleted file keeps the policy, counts one failure, and recovers")
    func deleted() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath)
        await watcher.checkNow()

        try volume.deletePolicyFile()
        #expect(await watcher.checkNow() == .unreadable)
        var state = await watcher.state
        #expect(state.isReady)
        #expect(state.policy != nil)
        #expect(state.reloadFailures == 1)
        #expect(state.lastError?.contains("No such file") == true)
        #expect(await watcher.checkNow() == .unchanged)
        #expect(await watcher.state.reloadFailures == 1)

        try volume.restorePolicyFile()
        #expect(await watcher.checkNow() == .loaded)
        state = await watcher.state
        #expect(state.lastError == nil)
        #expect(state.reloadSuccesses == 2)
    }

    @Test("starting with an invalid file: not ready, the errors recorded")
    func startInvalid() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(Fixtures.seedPolicy)
        let watcher = makeWatcher(volume.policyPath)
        #expect(await watcher.checkNow() == .rejected)
        let state = await watcher.state
        #expect(!state.isReady)
        #expect(state.policy == nil)
        #expect(state.contentSHA256 == nil)
        #expect(state.reloadFailures == 1)
        #expect(state.lastErrors.count == 2)

        try volume.publish(version1)
        #expect(await watcher.checkNow() == .loaded)
        #expect(await watcher.isReady)
    }

    @Test("starting with no file: not ready, unreadable")
    func startMissing() async throws {
        let volume = try ConfigMapVolume()
        let watcher = makeWatcher(volume.policyPath)
        #expect(await watcher.checkNow() == .unreadable)
        #expect(await !watcher.isReady)
        #expect(await watcher.state.reloadFailures == 1)
    }

    @Test("a plain file edited in place is reloaded too")
    func plainFile() async throws {
        let volume = try ConfigMapVolume()
        let path = volume.root.appendingPathComponent("plain.yaml").path
        try Data(version1.utf8).write(to: URL(fileURLWithPath: path))
        let watcher = makeWatcher(path)
        #expect(await watcher.checkNow() == .loaded)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(version2.utf8))
        try handle.close()
        #expect(await watcher.checkNow() == .loaded)
        #expect(await watcher.policy?.policies.first?.name == "production-imagez")
    }

    @Test("run() loads at once and picks up a swap by polling; cancelling stops it")
    func runLoop() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let watcher = makeWatcher(volume.policyPath, interval: .milliseconds(10))
        let task = Task { await watcher.run() }
        defer { task.cancel() }

        #expect(try await eventually { await watcher.state.reloadSuccesses == 1 })
        try volume.publish(version2)
        #expect(try await eventually { await watcher.policy?.policies.first?.name == "production-imagez" })
        task.cancel()
        await task.value  // returns promptly once cancelled
    }

    /// Polls `condition` every few milliseconds for up to five seconds.
    private func eventually(_ condition: @Sendable () async -> Bool) async throws -> Bool {
        for _ in 0..<1000 {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// Keeps every log record, so a test can assert what was logged.
final class RecordingLogHandler: LogHandler, Sendable {
    private let records = Mutex<[(level: Logger.Level, message: String)]>([])

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        records.withLock { $0.append((event.level, event.message.description)) }
    }

    var messages: [(level: Logger.Level, message: String)] { records.withLock { $0 } }
}

@Suite("Policy watcher logging")
struct PolicyWatcherLoggingTests {
    @Test("every validation error of a rejected policy is logged at error level, and the load at info")
    func logsEveryError() async throws {
        let volume = try ConfigMapVolume()
        try volume.publish(version1)
        let handler = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let watcher = PolicyWatcher(path: volume.policyPath, pollInterval: .seconds(1), logger: logger, clock: { loadTime })
        #expect(await watcher.checkNow() == .loaded)
        #expect(handler.messages.contains { $0.level == .info && $0.message.contains("loaded") })

        let broken = version1.replacingOccurrences(of: "minSignatures: 1", with: "minSignature: 1")
            .replacingOccurrences(of: "action: enforce", with: "action: enforse")
        try volume.publish(broken)
        #expect(await watcher.checkNow() == .rejected)
        let errors = handler.messages.filter { $0.level == .error }
        #expect(errors.contains { $0.message.contains("minSignature") })
        #expect(errors.contains { $0.message.contains("enforse") })
        #expect(errors.contains { $0.message.contains("keeping the last good policy") })
    }
}
