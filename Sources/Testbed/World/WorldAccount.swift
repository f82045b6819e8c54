import ATProto
import ATProtoWriter
import Crypto

/// An account of the test world: a DID (did:plc derived from its name, or a did:web on a
/// localhost port), a signing key, and a handle. Reproducible from its name.
public struct WorldAccount: Sendable, Equatable {
    public let name: String
    public let did: DID
    public let handle: String
    public let key: SigningKey

    public static func == (lhs: WorldAccount, rhs: WorldAccount) -> Bool {
        lhs.did == rhs.did && lhs.key.publicKey == rhs.key.publicKey
    }

    /// A did:plc account: the identifier is base32 of SHA-256("plc:<name>"), 24 characters.
    public static func plc(_ name: String, keyType: KeyType, keySeed: String? = nil) throws -> WorldAccount {
        let identifier = Base32.encode(Array(SHA256.hash(data: Array("plc:\(name)".utf8))).prefix(15))
        return WorldAccount(
            name: name, did: try DID("did:plc:\(identifier)"), handle: "\(name).test",
            key: SigningKey.derived(keyType, seed: keySeed ?? "world-\(name)"))
    }

    /// A did:web account served from `localhost:<port>` (test worlds only).
    public static func web(_ name: String, port: Int, keyType: KeyType) throws -> WorldAccount {
        WorldAccount(
            name: name, did: try DID("did:web:localhost%3A\(port)"), handle: "\(name).test",
            key: SigningKey.derived(keyType, seed: "world-\(name)"))
    }

    /// The account's DID document naming `pds`, with `key` (default: the account's own).
    public func document(pds: String, key: PublicKey? = nil) -> [UInt8] {
        DIDDocumentBuilder.document(did: did, handle: handle, key: key ?? self.key.publicKey, pds: pds)
    }
}
