import ATProto
import Foundation

/// Identifies exactly which policy text is in force (for `/readyz`, metrics and logs).
public enum PolicyContentDigest {
    /// Lowercase hex SHA-256 of `bytes` (computed with ATProto's CID hashing).
    public static func sha256Hex<C: DataProtocol>(_ bytes: C) -> String {
        Hex.encode(CID.compute(codec: CID.Codec.raw, block: bytes).digest)
    }
}
