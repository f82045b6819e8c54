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
        let issuer = try TestIssuer(
            name: try DistinguishedName {
                OrganizationName("atcr-verify test world")
                CommonName(commonName)
            },
            validity: validity)
        let (server, serverKey) = try issuer.issue(
            commonName: "localhost",
            alternativeNames: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))],
            usages: [.serverAuth])
        caPEM = try issuer.certificate.serializeAsPEM().pemString
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
