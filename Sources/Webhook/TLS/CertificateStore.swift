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
    private let state = Mutex<(current: Loaded?, lastError: String?, reloads: Int, failures: Int)>((nil, nil, 0, 0))

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
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Successful loads and failed attempts so far.
    public var counters: (reloads: Int, failures: Int) { state.withLock { ($0.reloads, $0.failures) } }

    /// Reloads when either file changed (or nothing is loaded yet). Keeps the last good pair
    /// when the new files are unreadable or do not match.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let identities = [WatchedFile.identity(of: certificatePath), WatchedFile.identity(of: keyPath)].compactMap { try? $0.get() }
        let current = state.withLock { $0.current }
        if let current, identities.count == 2, identities == current.identity { return false }
        do {
            let loaded = try load()
            state.withLock { $0 = (loaded, nil, $0.reloads + 1, $0.failures) }
            return true
        } catch {
            state.withLock { $0.lastError = "\(error)"; $0.failures += 1 }
            return false
        }
    }

    private func load() throws -> Loaded {
        let certificate = try WatchedFile.read(certificatePath).get()
        let key = try WatchedFile.read(keyPath).get()
        let chain = try NIOSSLCertificate.fromPEMBytes(certificate.1)
        guard !chain.isEmpty else { throw CertificateStoreError("\(certificatePath) holds no PEM certificate") }
        let privateKey = try NIOSSLPrivateKey(bytes: key.1, format: .pem)
        // A mismatched pair would fail every handshake: refuse it and keep the last good one.
        var probe = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        probe.minimumTLSVersion = .tlsv12
        _ = try NIOSSLContext(configuration: probe)
        return Loaded(chain: chain, key: privateKey, identity: [certificate.0, key.0], loadedAt: Date())
    }

    /// A server TLS configuration (TLS 1.2+, `alpn`) whose certificate comes from this store at
    /// every handshake.
    public func tlsConfiguration(alpn: [String]) throws -> TLSConfiguration {
        guard let loaded = state.withLock({ $0.current }) else {
            throw CertificateStoreError(lastError ?? "no certificate loaded from \(certificatePath)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: loaded.chain.map { .certificate($0) }, privateKey: .privateKey(loaded.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        configuration.sslContextCallback = { [self] _, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let current = state.withLock({ $0.current }) {
                override.certificateChain = current.chain.map { .certificate($0) }
                override.privateKey = .privateKey(current.key)
            }
            promise.succeed(override)
        }
        return configuration
    }
}

public struct CertificateStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
