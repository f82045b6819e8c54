import Crypto
import Foundation
import NIOSSL
import X509

/// A throwaway CA and a serving certificate for `localhost`, for hosting a `LoopbackServer`
/// over TLS in tests (clients use `https://localhost:<port>`; an IP address SAN would need
/// SwiftASN1, which Testbed does not declare). (The world's own CA can replace it: `LoopbackServer`
/// takes any `TLSConfiguration`.)
public struct LoopbackTLS: Sendable {
    /// The server side: the leaf certificate and its key.
    public let serverConfiguration: TLSConfiguration
    /// The CA certificate, PEM: what a client trusts (`FetchConfiguration.caBundlePath`).
    public let caPEM: String

    /// Makes a fresh CA (P-256) and a leaf it signs, valid for an hour either side of now.
    public static func make() throws -> LoopbackTLS {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("atcr-verify test CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 3600, issuer: caName, subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 3600, issuer: caName,
            subject: try DistinguishedName { CommonName("localhost") },
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost")])
            },
            issuerPrivateKey: .init(caKey))
        let leafPEM = try leaf.serializeAsPEM().pemString
        let caPEM = try ca.serializeAsPEM().pemString
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(leafPEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem)))
        return LoopbackTLS(serverConfiguration: configuration, caPEM: caPEM)
    }

    /// Writes the CA certificate to `path` (for `FetchConfiguration.caBundlePath`).
    public func writeCA(to path: String) throws {
        try Data(caPEM.utf8).write(to: URL(fileURLWithPath: path))
    }
}
