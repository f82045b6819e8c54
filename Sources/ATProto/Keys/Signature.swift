/// Why a signature was refused, in the order the checks run (checks 14, 16, 17 of docs/proof-checks.md).
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Check 14: not 64 bytes; `looksLikeDER` when it has the shape of an ASN.1 DER signature.
    case invalidLength(Int, looksLikeDER: Bool)
    /// Check 14: r or s is 0 or not below the group order.
    case scalarOutOfRange(String)
    /// Check 16: s > n/2 (a malleated signature; atproto requires low-S on both curves).
    case highS
    /// Check 17: the ECDSA equation does not hold for this key and message.
    case invalid

    /// The number of the check (docs/proof-checks.md) this failure belongs to.
    public var checkNumber: Int {
        switch self {
        case .invalidLength, .scalarOutOfRange: return 14
        case .highS: return 16
        case .invalid: return 17
        }
    }

    public var description: String {
        switch self {
        case .invalidLength(let length, let der):
            return der
                ? "signature is \(length) bytes of ASN.1 DER; atproto requires the 64-byte compact r‖s form"
                : "signature is \(length) bytes; atproto requires 64 bytes (r‖s)"
        case .scalarOutOfRange(let which): return "signature \(which) is zero or not below the curve order"
        case .highS: return "signature is not low-S (s > n/2): a malleated or non-canonical signature"
        case .invalid: return "signature does not verify under the key"
        }
    }
}

/// Shape and canonical-form checks on a compact ECDSA signature, shared by both curves.
public enum CompactSignature {
    /// Check 14: 64 bytes, 0 < r < n, 0 < s < n.
    public static func checkShape(_ signature: [UInt8], keyType: KeyType) throws(SignatureError) {
        guard signature.count == 64 else {
            // DER: SEQUENCE (0x30) whose length byte covers the rest.
            let der = signature.count >= 8 && signature.count <= 72 && signature[0] == 0x30
                && Int(signature[1]) == signature.count - 2
            throw .invalidLength(signature.count, looksLikeDER: der)
        }
        let order = keyType.order
        for (name, range) in [("r", 0..<32), ("s", 32..<64)] {
            let scalar = signature[range]
            if scalar.allSatisfy({ $0 == 0 }) || bigEndianCompare(scalar, order) >= 0 {
                throw .scalarOutOfRange(name)
            }
        }
    }

    /// Check 16: s ≤ n/2.
    public static func isLowS(_ signature: [UInt8], keyType: KeyType) -> Bool {
        bigEndianCompare(signature[32..<64], keyType.halfOrder) <= 0
    }
}
