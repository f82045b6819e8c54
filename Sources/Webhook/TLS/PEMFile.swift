import NIOSSL

/// Why a serving certificate or key file cannot be used, in words: the PEM labels a file holds
/// tell "not PEM" from "the certificate and the key are swapped" from "an encrypted key", which
/// BoringSSL reports only as `failedToLoadCertificate` / `failedToLoadPrivateKey`.
enum PEMFile {
    /// The labels of the file's `-----BEGIN …-----` lines, in order.
    static func labels(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var labels: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "-----BEGIN ") {
            let after = rest[start.upperBound...]
            guard let end = after.range(of: "-----") else { break }
            labels.append(String(after[..<end.lowerBound]))
            rest = after[end.upperBound...]
        }
        return labels
    }

    /// The certificate chain in `bytes`, or why there is none.
    static func certificates(_ bytes: [UInt8], path: String) throws(CertificateStoreError) -> [NIOSSLCertificate] {
        let labels = labels(bytes)
        guard labels.contains("CERTIFICATE") else {
            if labels.isEmpty {
                throw CertificateStoreError(path, "not a PEM certificate (no -----BEGIN CERTIFICATE----- line; a DER file converts with `openssl x509 -inform der`)")
            }
            let swapped = labels.contains { $0.hasSuffix("PRIVATE KEY") } ? " (are --tls-cert and --tls-key swapped?)" : ""
            throw CertificateStoreError(path, "holds \(labels.joined(separator: ", ")), not a CERTIFICATE\(swapped)")
        }
        do {
            return try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw CertificateStoreError(path, "a CERTIFICATE block does not parse (\(error))")
        }
    }

    /// The private key in `bytes`, or why there is none.
    static func privateKey(_ bytes: [UInt8], path: String) throws(CertificateStoreError) -> NIOSSLPrivateKey {
        let labels = labels(bytes)
        if labels.contains("ENCRYPTED PRIVATE KEY") {
            throw CertificateStoreError(path, "the private key is encrypted; the webhook needs it unencrypted (`openssl pkey -in KEY -out PLAIN`)")
        }
        guard labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) else {
            if labels.isEmpty { throw CertificateStoreError(path, "not a PEM private key (no -----BEGIN PRIVATE KEY----- line)") }
            let swapped = labels.contains("CERTIFICATE") ? " (are --tls-cert and --tls-key swapped?)" : ""
            throw CertificateStoreError(path, "holds \(labels.joined(separator: ", ")), not a PRIVATE KEY\(swapped)")
        }
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw CertificateStoreError(path, "the private key is of an unsupported type or corrupt (RSA or ECDSA P-256/P-384 expected)")
        }
    }
}
