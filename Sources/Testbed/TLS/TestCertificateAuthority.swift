import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A private CA for the local test world and the serving certificate it issues for
/// `localhost` and `127.0.0.1`. Clients trust the world by trusting `caPEM` (a CA bundle file),
/// exactly as an operator would trust a private CA.
public struct TestCertificateAuthority: Sendable {
    /// The CA certificate, PEM.
    public let caPEM: String
    /// The serving certificate (localhost, 127.0.0.1), PEM.
    public let serverCertificatePEM: String
    /// The serving certificate's private key, PEM.
    public let serverKeyPEM: String

    /// Generates a fresh CA and serving certificate valid for `validity` from one hour ago.
    public init(commonName: String = "atcr-testbed CA", validity: TimeInterval = 30 * 86_400) throws {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("atcr-verify test world")
            CommonName(commonName)
        }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + validity,
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(caKey.publicKey))
            },
            issuerPrivateKey: .init(caKey))

        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + validity,
            issuer: caName, subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                ])
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(caKey.publicKey)).keyIdentifier)
            },
            issuerPrivateKey: .init(caKey))

        caPEM = try ca.serializeAsPEM().pemString
        serverCertificatePEM = try server.serializeAsPEM().pemString
        serverKeyPEM = serverKey.pemRepresentation
    }

    /// A TLS 1.2+ server configuration presenting the serving certificate, offering `alpn`.
    public func serverTLSConfiguration(alpn: [String] = ["http/1.1"]) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serverCertificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKeyPEM.utf8), format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        return configuration
    }

    /// Writes `ca.pem`, `server.pem` and `server-key.pem` into `directory`; returns the CA path.
    @discardableResult
    public func write(to directory: URL) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = directory.appendingPathComponent("ca.pem")
        try Data(caPEM.utf8).write(to: ca)
        try Data(serverCertificatePEM.utf8).write(to: directory.appendingPathComponent("server.pem"))
        try Data(serverKeyPEM.utf8).write(to: directory.appendingPathComponent("server-key.pem"))
        return ca.path
    }
}
