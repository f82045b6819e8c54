/// The two curves atproto signs with.
public enum KeyType: String, Sendable, Hashable, CaseIterable, Codable {
    /// secp256k1, ES256K.
    case k256
    /// secp256r1 / NIST P-256, ES256.
    case p256

    /// The JWT-style algorithm name.
    public var algorithm: String { self == .k256 ? "ES256K" : "ES256" }

    /// The human name, e.g. `K-256`.
    public var displayName: String { self == .k256 ? "K-256" : "P-256" }

    /// The varint multicodec prefix of a Multikey / did:key of this type.
    public var multicodecPrefix: [UInt8] { self == .k256 ? [0xE7, 0x01] : [0x80, 0x24] }

    /// The legacy DID-document verification-method type of this curve.
    public var legacyVerificationMethodType: String {
        self == .k256 ? "EcdsaSecp256k1VerificationKey2019" : "EcdsaSecp256r1VerificationKey2019"
    }

    /// The group order n, big-endian.
    public var order: [UInt8] { self == .k256 ? Self.k256Order : Self.p256Order }

    /// ⌊n/2⌋, big-endian: the largest `s` a low-S signature may have.
    public var halfOrder: [UInt8] { self == .k256 ? Self.k256HalfOrder : Self.p256HalfOrder }

    private static let k256Order = orderBytes(.k256)
    private static let p256Order = orderBytes(.p256)
    private static let k256HalfOrder = halfOrderBytes(.k256)
    private static let p256HalfOrder = halfOrderBytes(.p256)

    private static func orderBytes(_ type: KeyType) -> [UInt8] {
        switch type {
        case .k256:
            return [
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
                0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
            ]
        case .p256:
            return [
                0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
            ]
        }
    }

    private static func halfOrderBytes(_ type: KeyType) -> [UInt8] {
        switch type {
        case .k256:
            return [
                0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
            ]
        case .p256:
            return [
                0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
            ]
        }
    }
}

/// Big-endian comparison of equal-length unsigned integers.
@inline(__always)
func bigEndianCompare<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Int
where A.Element == UInt8, B.Element == UInt8 {
    for (left, right) in zip(lhs, rhs) where left != right {
        return left < right ? -1 : 1
    }
    return 0
}
