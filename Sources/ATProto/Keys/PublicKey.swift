import CSecp256k1
import Crypto
import Foundation

/// Why a key string or point was refused (check 5 of docs/proof-checks.md).
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case notMultibase
    case invalidBase58
    case unsupportedMulticodec([UInt8])
    case invalidPointLength(Int)
    case invalidPointPrefix(UInt8)
    case notOnCurve(KeyType)
    case notDIDKey
    case unsupportedVerificationMethodType(String)
    case missingPublicKeyMultibase

    public var description: String {
        switch self {
        case .notMultibase: return "key is not a multibase base58btc string (must start with 'z')"
        case .invalidBase58: return "key is not valid base58btc"
        case .unsupportedMulticodec(let prefix):
            return "key multicodec \(Hex.encode(prefix)) is neither K-256 (e701) nor P-256 (8024)"
        case .invalidPointLength(let n): return "public key point is \(n) bytes; expected 33 (compressed) or 65 (uncompressed)"
        case .invalidPointPrefix(let b): return String(format: "public key point starts with 0x%02x; expected 02/03 or 04", b)
        case .notOnCurve(let type): return "public key is not a point on \(type.displayName)"
        case .notDIDKey: return "not a did:key (must start with did:key:z)"
        case .unsupportedVerificationMethodType(let type):
            return "verification method type '\(type)' is not Multikey or a 2019 secp256k1/secp256r1 type"
        case .missingPublicKeyMultibase: return "verification method has no publicKeyMultibase"
        }
    }
}

/// A K-256 or P-256 public key, parsed once and ready to verify atproto signatures.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    public let type: KeyType
    /// The 33-byte compressed SEC1 point.
    public let compressed: [UInt8]
    private let parsed: Parsed

    private enum Parsed: Sendable {
        case k256(secp256k1_pubkey)
        case p256(P256.Signing.PublicKey)
    }

    /// Parses a SEC1 point: 33 bytes compressed or 65 bytes uncompressed (`04‖X‖Y`).
    /// The point must lie on the curve.
    public init(type: KeyType, sec1 point: [UInt8]) throws(KeyError) {
        switch point.count {
        case 33: guard point[0] == 0x02 || point[0] == 0x03 else { throw .invalidPointPrefix(point[0]) }
        case 65: guard point[0] == 0x04 else { throw .invalidPointPrefix(point[0]) }
        default: throw .invalidPointLength(point.count)
        }
        self.type = type
        switch type {
        case .k256:
            let context = atcr_secp256k1_context_static()
            var key = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(context, &key, point, point.count) == 1 else {
                throw .notOnCurve(.k256)
            }
            var output = [UInt8](repeating: 0, count: 33)
            var length = 33
            secp256k1_ec_pubkey_serialize(context, &output, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
            compressed = output
            parsed = .k256(key)
        case .p256:
            let key: P256.Signing.PublicKey
            do {
                key = point.count == 33
                    ? try P256.Signing.PublicKey(compressedRepresentation: point)
                    : try P256.Signing.PublicKey(x963Representation: point)
            } catch {
                throw .notOnCurve(.p256)
            }
            compressed = Array(key.compressedRepresentation)
            parsed = .p256(key)
        }
    }

    /// Parses a Multikey value: `z` + base58btc(multicodec ‖ 33-byte compressed point).
    public init(multikey: String) throws(KeyError) {
        let bytes = try Self.decodeMultibase(multikey)
        let type: KeyType
        if bytes.starts(with: KeyType.k256.multicodecPrefix) {
            type = .k256
        } else if bytes.starts(with: KeyType.p256.multicodecPrefix) {
            type = .p256
        } else {
            throw .unsupportedMulticodec(Array(bytes.prefix(2)))
        }
        let point = Array(bytes.dropFirst(2))
        guard point.count == 33 else { throw .invalidPointLength(point.count) }
        try self.init(type: type, sec1: point)
    }

    /// Parses `did:key:` + a Multikey value.
    public init(didKey: String) throws(KeyError) {
        guard didKey.hasPrefix("did:key:") else { throw .notDIDKey }
        try self.init(multikey: String(didKey.dropFirst(8)))
    }

    /// Parses a legacy 2019-type `publicKeyMultibase`: `z` + base58btc of the raw SEC1 point,
    /// no multicodec (65 bytes in real documents, 33 in the interop fixtures).
    public init(legacyMultibase: String, type: KeyType) throws(KeyError) {
        try self.init(type: type, sec1: try Self.decodeMultibase(legacyMultibase))
    }

    /// Parses a DID-document verification method's key material by its `type`.
    public init(verificationMethodType: String, publicKeyMultibase: String) throws(KeyError) {
        switch verificationMethodType {
        case "Multikey": try self.init(multikey: publicKeyMultibase)
        case KeyType.k256.legacyVerificationMethodType: try self.init(legacyMultibase: publicKeyMultibase, type: .k256)
        case KeyType.p256.legacyVerificationMethodType: try self.init(legacyMultibase: publicKeyMultibase, type: .p256)
        default: throw .unsupportedVerificationMethodType(verificationMethodType)
        }
    }

    private static func decodeMultibase(_ text: String) throws(KeyError) -> [UInt8] {
        guard text.first == "z" else { throw .notMultibase }
        guard let bytes = Base58.decode(text.dropFirst()) else { throw .invalidBase58 }
        return bytes
    }

    /// The Multikey form: `z` + base58btc(multicodec ‖ compressed point).
    public var multikey: String { "z" + Base58.encode(type.multicodecPrefix + compressed) }

    /// The did:key form.
    public var didKey: String { "did:key:" + multikey }

    public var description: String { didKey }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.type == rhs.type && lhs.compressed == rhs.compressed
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(compressed)
    }

    /// Verifies an atproto signature over `message`: SHA-256 of the message, then checks
    /// 14 (64-byte compact, scalars in range), 16 (low-S) and 17 (ECDSA) in that order.
    public func verify<M: DataProtocol>(signature: [UInt8], message: M) throws(SignatureError) {
        try verify(signature: signature, digest: SHA256.hash(data: message))
    }

    /// As `verify(signature:message:)`, for a message already hashed with SHA-256.
    public func verify(signature: [UInt8], digest: SHA256Digest) throws(SignatureError) {
        try CompactSignature.checkShape(signature, keyType: type)
        guard CompactSignature.isLowS(signature, keyType: type) else { throw .highS }
        switch parsed {
        case .k256(var key):
            let context = atcr_secp256k1_context_static()
            var parsedSignature = secp256k1_ecdsa_signature()
            guard secp256k1_ecdsa_signature_parse_compact(context, &parsedSignature, signature) == 1 else {
                throw .scalarOutOfRange("r or s")
            }
            let digestBytes = Array(digest)
            guard secp256k1_ecdsa_verify(context, &parsedSignature, digestBytes, &key) == 1 else { throw .invalid }
        case .p256(let key):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                key.isValidSignature(ecdsa, for: digest)
            else { throw .invalid }
        }
    }
}
