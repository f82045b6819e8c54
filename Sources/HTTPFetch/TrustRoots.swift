import NIOSSL

/// The extra CA certificates (a private CA, the test world's CA) a fetcher trusts, read and
/// parsed when the fetcher is made: an unreadable or invalid bundle is an error at startup that
/// names the file and the reason, not a TLS failure on every request later.
public struct TrustRoots: Sendable {
    /// The bundle's path; nil: the system's roots only.
    public let path: String?
    let certificates: [NIOSSLCertificate]

    /// The system's roots only.
    public static let system = TrustRoots(path: nil, certificates: [])

    /// Reads the PEM bundle at `path` (nil: none).
    public static func load(_ path: String?) throws(TrustRootsError) -> TrustRoots {
        guard let path else { return .system }
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.read(path, limit: maxBundleBytes + 1)
        } catch {
            throw TrustRootsError(path: path, reason: error.reason)
        }
        guard bytes.count <= maxBundleBytes else { throw TrustRootsError(path: path, reason: "larger than \(maxBundleBytes) bytes") }
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw TrustRootsError(path: path, reason: "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TrustRootsError(path: path, reason: "not a PEM bundle of CA certificates (\(error))")
        }
        guard !certificates.isEmpty else {
            throw TrustRootsError(path: path, reason: "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)")
        }
        return TrustRoots(path: path, certificates: certificates)
    }

    /// Bundles are a few KB; Debian's whole system bundle is about 200 KB.
    public static let maxBundleBytes = 4 << 20
}

/// A CA bundle that cannot be used: the file and the reason.
public struct TrustRootsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
