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
        let issuer = try TestIssuer(name: try DistinguishedName { CommonName(commonName) }, validity: 86_400)
        let (certificate, clientKey) = try issuer.issue(commonName: client, alternativeNames: [.dnsName(client)], usages: [.serverAuth, .clientAuth])
        caPEM = try issuer.certificate.serializeAsPEM().pemString
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
