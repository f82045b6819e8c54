import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A private CA and a client certificate it issues (extended key usage `clientAuth`), for tests
/// of servers that verify their clients, as Gatekeeper's webhook certificate is presented to an
/// external-data provider.
public struct TestClientCertificates: Sendable {
    /// The CA certificate, PEM: what the server trusts for clients.
    public let caPEM: String
    /// The client certificate, PEM.
    public let certificatePEM: String
    /// The client certificate's private key, PEM.
    public let keyPEM: String

    /// A fresh CA called `commonName` and a client certificate `client` valid for a day.
    public init(commonName: String = "test client CA", client: String = "gatekeeper-webhook-service.gatekeeper-system.svc") throws {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName(commonName) }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + 86_400,
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(caKey.publicKey))
            },
            issuerPrivateKey: .init(caKey))
        let clientKey = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(clientKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + 86_400,
            issuer: caName, subject: try DistinguishedName { CommonName(client) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName(client)])
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(caKey.publicKey)).keyIdentifier)
            },
            issuerPrivateKey: .init(caKey))
        caPEM = try ca.serializeAsPEM().pemString
        certificatePEM = try certificate.serializeAsPEM().pemString
        keyPEM = clientKey.pemRepresentation
    }

    /// `base` presenting the client certificate.
    public func presenting(in base: TLSConfiguration) throws -> TLSConfiguration {
        var configuration = base
        configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        return configuration
    }
}
