import Crypto
import Foundation
import SwiftASN1
import X509

/// A private P-256 CA of the test world and the leaf certificates it issues: the serving
/// certificate of ``TestCertificateAuthority`` and the client certificate of
/// ``TestClientCertificates`` come from here, so both are shaped alike.
struct TestIssuer {
    let key: P256.Signing.PrivateKey
    let name: DistinguishedName
    let certificate: Certificate
    /// The certificates' validity: from an hour before `now` to `validity` after it.
    let notValidBefore: Date
    let notValidAfter: Date

    /// A self-signed CA called `name`.
    init(name: DistinguishedName, validity: TimeInterval, now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let (notValidBefore, notValidAfter) = (now - 3_600, now + validity)
        self.key = key
        self.name = name
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter,
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
    }

    /// A leaf certificate for `commonName` with `alternativeNames` and the extended key `usages`,
    /// and its private key.
    func issue(
        commonName: String, alternativeNames: [GeneralName], usages: [ExtendedKeyUsage.Usage]
    ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter,
            issuer: name, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(usages)
                SubjectAlternativeNames(alternativeNames)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(key.publicKey)).keyIdentifier)
            },
            issuerPrivateKey: .init(key))
        return (leaf, leafKey)
    }
}
