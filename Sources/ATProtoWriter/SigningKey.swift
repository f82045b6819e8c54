import ATProto
import CSecp256k1
import Crypto
import Foundation

/// Why a private key could not be made or used.
public enum SigningKeyError: Error, Equatable, Sendable {
    case invalidPrivateKey
    case signingFailed
}

/// A private key that signs the way atproto requires: ECDSA over SHA-256 of the message,
/// 64-byte compact `r‖s`, low-S on both curves.
public struct SigningKey: Sendable {
    public let type: KeyType
    /// The 32-byte private scalar.
    public let rawRepresentation: [UInt8]
    public let publicKey: PublicKey

    /// Imports a 32-byte private scalar.
    public init(type: KeyType, rawRepresentation raw: [UInt8]) throws(SigningKeyError) {
        guard raw.count == 32 else { throw .invalidPrivateKey }
        self.type = type
        rawRepresentation = raw
        switch type {
        case .k256:
            let context = atcr_secp256k1_context_static()
            guard secp256k1_ec_seckey_verify(context, raw) == 1 else { throw .invalidPrivateKey }
            var point = [UInt8](repeating: 0, count: 33)
            let ok = Self.withSigningContext { context in
                var key = secp256k1_pubkey()
                guard secp256k1_ec_pubkey_create(context, &key, raw) == 1 else { return false }
                var length = 33
                return secp256k1_ec_pubkey_serialize(context, &point, &length, &key, UInt32(SECP256K1_EC_COMPRESSED)) == 1
            }
            guard ok, let key = try? PublicKey(type: .k256, sec1: point) else { throw .invalidPrivateKey }
            publicKey = key
        case .p256:
            guard let key = try? P256.Signing.PrivateKey(rawRepresentation: raw),
                let publicKey = try? PublicKey(type: .p256, sec1: Array(key.publicKey.compressedRepresentation))
            else { throw .invalidPrivateKey }
            self.publicKey = publicKey
        }
    }

    /// A fresh random key.
    public static func generate(_ type: KeyType) -> SigningKey {
        var generator = SystemRandomNumberGenerator()
        while true {
            let raw = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if let key = try? SigningKey(type: type, rawRepresentation: raw) { return key }
        }
    }

    /// A key derived deterministically from a seed string (the test world's accounts are
    /// reproducible from their names).
    public static func derived(_ type: KeyType, seed: String) -> SigningKey {
        var counter = 0
        while true {
            let raw = Array(SHA256.hash(data: Array("\(type.rawValue):\(seed):\(counter)".utf8)))
            if let key = try? SigningKey(type: type, rawRepresentation: raw) { return key }
            counter += 1
        }
    }

    /// Signs SHA-256(`message`); the signature is low-S.
    public func sign<M: DataProtocol>(_ message: M) throws(SigningKeyError) -> [UInt8] {
        let digest = Array(SHA256.hash(data: message))
        switch type {
        case .k256:
            var compact = [UInt8](repeating: 0, count: 64)
            let ok = Self.withSigningContext { context in
                var signature = secp256k1_ecdsa_signature()
                // Default nonce function: RFC 6979; libsecp256k1 always produces low-S.
                guard secp256k1_ecdsa_sign(context, &signature, digest, rawRepresentation, nil, nil) == 1 else {
                    return false
                }
                return secp256k1_ecdsa_signature_serialize_compact(context, &compact, &signature) == 1
            }
            guard ok else { throw .signingFailed }
            return compact
        case .p256:
            guard let key = try? P256.Signing.PrivateKey(rawRepresentation: rawRepresentation),
                let signature = try? key.signature(for: SHA256.hash(data: message))
            else { throw .signingFailed }
            return Self.normalizedLowS(Array(signature.rawRepresentation), type: .p256)
        }
    }

    /// Returns the signature with `s` replaced by `n − s` when it is above n/2.
    public static func normalizedLowS(_ signature: [UInt8], type: KeyType) -> [UInt8] {
        CompactSignature.isLowS(signature, keyType: type) ? signature : flippingS(signature, type: type)
    }

    /// The malleated twin of a signature: `(r, n − s)`. It verifies under plain ECDSA but not
    /// under atproto's low-S rule; the test world uses it for the high-S scenario.
    public static func flippingS(_ signature: [UInt8], type: KeyType) -> [UInt8] {
        let order = type.order
        var s = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(order[index]) - Int(signature[32 + index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            s[index] = UInt8(difference)
        }
        return Array(signature[0..<32]) + s
    }

    /// Runs `body` with a signing-capable context. libsecp256k1's static context cannot sign,
    /// and a context per call keeps this free of shared mutable state.
    private static func withSigningContext<T>(_ body: (OpaquePointer) -> T) -> T {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("secp256k1_context_create failed (out of memory)")
        }
        defer { secp256k1_context_destroy(context) }
        return body(context)
    }
}
