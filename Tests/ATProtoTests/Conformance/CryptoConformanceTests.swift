import ATProto
import ATProtoWriter
import Foundation
import Testing

/// `crypto/` fixtures: signatures (valid, high-S, DER) and did:key derivation on both curves.
@Suite("Crypto conformance (atproto-interop-tests)")
struct CryptoConformanceTests {
    struct SignatureFixture: Decodable, CustomTestStringConvertible, Sendable {
        let comment: String
        let messageBase64: String
        let algorithm: String
        let didDocSuite: String
        let publicKeyDid: String
        let publicKeyMultibase: String
        let signatureBase64: String
        let validSignature: Bool
        let tags: [String]
        var testDescription: String { comment }
    }

    struct K256DIDKey: Decodable, Sendable {
        let privateKeyBytesHex: String
        let publicDidKey: String
    }

    struct P256DIDKey: Decodable, Sendable {
        let privateKeyBytesBase58: String
        let publicDidKey: String
    }

    static let signatures = InteropFixtures.decode([SignatureFixture].self, "crypto/signature-fixtures.json")

    @Test("signature fixtures", arguments: signatures)
    func signature(_ fixture: SignatureFixture) throws {
        let message = try #require(Base64.decode(fixture.messageBase64))
        let signature = try #require(Base64.decode(fixture.signatureBase64))
        let didKey = try PublicKey(didKey: fixture.publicKeyDid)
        #expect(didKey.type.algorithm == fixture.algorithm)
        // The same key through the legacy DID-document path (compressed, no multicodec here).
        let legacy = try PublicKey(verificationMethodType: fixture.didDocSuite, publicKeyMultibase: fixture.publicKeyMultibase)
        #expect(legacy == didKey)

        let result = Result { () throws(SignatureError) in try didKey.verify(signature: signature, message: message) }
        if fixture.validSignature {
            #expect(throws: Never.self) { try result.get() }
        } else if fixture.tags.contains("high-s") {
            #expect(throws: SignatureError.highS) { try result.get() }
        } else if fixture.tags.contains("der-encoded") {
            #expect(throws: SignatureError.invalidLength(signature.count, looksLikeDER: true)) { try result.get() }
        } else {
            Issue.record("unclassified invalid fixture: \(fixture.comment)")
        }
    }

    @Test("the high-S fixtures are plain-ECDSA-valid: only the low-S rule rejects them")
    func highSIsOnlyMalleated() throws {
        for fixture in Self.signatures where fixture.tags.contains("high-s") {
            let key = try PublicKey(didKey: fixture.publicKeyDid)
            let signature = try #require(Base64.decode(fixture.signatureBase64))
            let message = try #require(Base64.decode(fixture.messageBase64))
            let normalized = SigningKey.normalizedLowS(signature, type: key.type)
            #expect(normalized != signature)
            try key.verify(signature: normalized, message: message)
        }
    }

    @Test("did:key from K-256 private keys", arguments: InteropFixtures.decode([K256DIDKey].self, "crypto/w3c_didkey_K256.json").map { ($0.privateKeyBytesHex, $0.publicDidKey) })
    func k256DIDKey(_ privateHex: String, _ expected: String) throws {
        let key = try SigningKey(type: .k256, rawRepresentation: try #require(Hex.decode(privateHex)))
        #expect(key.publicKey.didKey == expected)
        #expect(try PublicKey(didKey: expected) == key.publicKey)
    }

    @Test("did:key from P-256 private keys", arguments: InteropFixtures.decode([P256DIDKey].self, "crypto/w3c_didkey_P256.json").map { ($0.privateKeyBytesBase58, $0.publicDidKey) })
    func p256DIDKey(_ privateBase58: String, _ expected: String) throws {
        let key = try SigningKey(type: .p256, rawRepresentation: try #require(Base58.decode(privateBase58)))
        #expect(key.publicKey.didKey == expected)
        #expect(try PublicKey(didKey: expected) == key.publicKey)
    }

    @Test("legacy uncompressed and Multikey forms of one key are equal (spec example)")
    func legacyUncompressedEqualsMultikey() throws {
        let legacy = try PublicKey(
            legacyMultibase: "zQYEBzXeuTM9UR3rfvNag6L3RNAs5pQZyYPsomTsgQhsxLdEgCrPTLgFna8yqCnxPpNT7DBk6Ym3dgPKNu86vt9GR",
            type: .k256)
        let multikey = try PublicKey(multikey: "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF")
        #expect(legacy == multikey)
        #expect(multikey.multikey == "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF")
    }

    @Test("signing produces low-S signatures that verify, on both curves", arguments: KeyType.allCases)
    func signAndVerify(_ type: KeyType) throws {
        let key = SigningKey.derived(type, seed: "conformance")
        for index in 0..<64 {
            let message = Array("message \(index)".utf8)
            let signature = try key.sign(message)
            #expect(CompactSignature.isLowS(signature, keyType: type))
            try key.publicKey.verify(signature: signature, message: message)
            #expect(throws: SignatureError.highS) {
                try key.publicKey.verify(signature: SigningKey.flippingS(signature, type: type), message: message)
            }
            #expect(throws: SignatureError.invalid) {
                try key.publicKey.verify(signature: signature, message: message + [0])
            }
        }
    }
}
