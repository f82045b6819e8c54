import Foundation
import NIOCore
import NIOSSL
import Synchronization
import TrustPolicyWatcher

/// The serving certificate and key, re-read when their files change (a Secret volume update
/// swaps the `..data` symlink). Every TLS handshake asks the store for the current pair, so a
/// rotation needs no restart and drops no connection: established connections keep the
/// certificate they started with, new handshakes get the new one.
public final class CertificateStore: Sendable {
    struct Loaded: Sendable {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let identity: [FileIdentity]
        let loadedAt: Date
    }

    public let certificatePath: String
    public let keyPath: String
    struct State {
        var current: Loaded?
        var lastProblem: CertificateStoreError?
        /// What the files were (nil: missing) at the last failed attempt: unchanged files are
        /// not re-read, re-counted and re-logged every poll.
        var failedIdentities: [FileIdentity?]?
        var reloads = 0
        var failures = 0
    }

    private let state = Mutex(State())

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// True once a certificate and key have loaded.
    public var isLoaded: Bool { state.withLock { $0.current != nil } }

    /// When the leaf certificate in use stops being valid (`notAfter`).
    public var expiry: Date? {
        state.withLock { $0.current?.chain.first }.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) }
    }

    /// The last load error, if the latest attempt failed.
    public var lastError: String? { state.withLock { $0.lastProblem?.description } }

    /// Successful loads and failed attempts so far.
    public var counters: (reloads: Int, failures: Int) { state.withLock { ($0.reloads, $0.failures) } }

    /// Reloads when either file changed (or nothing is loaded yet). Keeps the last good pair
    /// when the new files are unreadable or do not match.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let identities = [WatchedFile.identity(of: certificatePath), WatchedFile.identity(of: keyPath)].map { try? $0.get() }
        let (current, failed) = state.withLock { ($0.current, $0.failedIdentities) }
        if let current, identities == current.identity.map(Optional.some) { return false }
        if identities == failed { return false }
        do {
            let loaded = try load()
            state.withLock {
                $0.current = loaded
                $0.lastProblem = nil
                $0.failedIdentities = nil
                $0.reloads += 1
            }
            return true
        } catch {
            state.withLock {
                $0.lastProblem = error
                $0.failedIdentities = identities
                $0.failures += 1
            }
            return false
        }
    }

    private func load() throws(CertificateStoreError) -> Loaded {
        let certificate = try Self.read(certificatePath)
        let key = try Self.read(keyPath)
        let chain = try PEMFile.certificates(certificate.1, path: certificatePath)
        let privateKey = try PEMFile.privateKey(key.1, path: keyPath)
        // A mismatched pair would fail every handshake: refuse it and keep the last good one.
        var probe = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        probe.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: probe)
        } catch {
            throw CertificateStoreError(keyPath, "the private key does not match the certificate \(certificatePath)")
        }
        return Loaded(chain: chain, key: privateKey, identity: [certificate.0, key.0], loadedAt: Date())
    }

    private static func read(_ path: String) throws(CertificateStoreError) -> (FileIdentity, [UInt8]) {
        switch WatchedFile.read(path) {
        case .success(let file): return file
        case .failure(let error): throw CertificateStoreError(path, error.reason.lowercased(), isMissing: error.isMissing)
        }
    }

    /// Why the files cannot serve at startup, or nil when they can, or may soon: a file that
    /// does not exist yet in a directory that does (a Secret volume whose files are late) is
    /// waited for — the replica stays not ready, with the reason in `/readyz` — while a
    /// missing directory (nothing mounted there), an unreadable file or an invalid pair is an
    /// error for a person to fix.
    public func startupProblem() -> CertificateStoreError? {
        reloadIfChanged()
        guard !isLoaded else { return nil }
        let problem = state.withLock { $0.lastProblem }
        guard let problem, problem.isMissing else { return problem }
        let directory = (problem.path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue { return nil }
        return CertificateStoreError(problem.path, "no such file, and no directory \(directory) (mount the TLS Secret there, or pass --tls-cert and --tls-key)")
    }

    /// A server TLS configuration (TLS 1.2+, `alpn`) whose certificate comes from this store at
    /// every handshake. Before a certificate has loaded, handshakes fail (the replica is not
    /// ready) and succeed as soon as one loads, without a restart.
    public func tlsConfiguration(alpn: [String]) -> TLSConfiguration {
        var configuration: TLSConfiguration
        if let loaded = state.withLock({ $0.current }) {
            configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: loaded.chain.map { .certificate($0) }, privateKey: .privateKey(loaded.key))
        } else {
            // The server settings without a certificate yet (NIOSSL has no server maker without one).
            configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
        }
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        configuration.sslContextCallback = { [self] _, promise in
            let (current, problem) = state.withLock { ($0.current, $0.lastProblem) }
            guard let current else {
                promise.fail(problem ?? CertificateStoreError(certificatePath, "no certificate loaded yet"))
                return
            }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = current.chain.map { .certificate($0) }
            override.privateKey = .privateKey(current.key)
            promise.succeed(override)
        }
        return configuration
    }
}

/// Why the serving certificate or key cannot be used: the file and the reason.
public struct CertificateStoreError: Error, Sendable, CustomStringConvertible {
    /// The file at fault.
    public let path: String
    /// What is wrong with it, in words.
    public let reason: String
    /// True when the file does not exist (yet).
    public let isMissing: Bool

    init(_ path: String, _ reason: String, isMissing: Bool = false) {
        self.path = path
        self.reason = reason
        self.isMissing = isMissing
    }

    public var description: String { "\(path): \(reason)" }
}
