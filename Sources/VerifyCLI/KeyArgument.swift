import ATProto

/// How the `--key` argument was given, and the key it names.
public struct ResolvedKey: Sendable, Equatable {
    public enum Source: String, Sendable {
        case didKey = "did:key"
        case multikey = "Multikey"
        case legacyMultibase = "legacy multibase"
        case didDocument = "DID document"
    }

    public let key: PublicKey
    public let source: Source
}

/// Why `--key` could not give a key. `check` is set when the failure is one of the numbered checks of docs/proof-checks.md
/// numbered checks (3–5 for a DID document, 5 for a key string).
public struct KeyArgumentError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let check: ProofCheck?

    public var description: String {
        check.map { "\($0): \(message)" } ?? message
    }
}

/// Interprets `--key`: a did:key, a Multikey, a legacy multibase point (curve from
/// `--key-type`: a bare point does not say its curve), or the path of a DID-document file.
public enum KeyArgument {
    /// The largest DID document file read.
    public static let maxDocumentSize = 1024 * 1024

    public static func resolve(
        _ text: String, keyType: KeyType?, did: DID, readFile: (String) -> [UInt8]?
    ) throws(KeyArgumentError) -> ResolvedKey {
        if text.hasPrefix("did:key:") {
            let key = try parse { () throws(KeyError) in try PublicKey(didKey: text) }
            try checkType(key, keyType)
            return ResolvedKey(key: key, source: .didKey)
        }
        if let document = readFile(text) {
            return try fromDocument(document, path: text, did: did, keyType: keyType)
        }
        guard text.hasPrefix("z"), let bytes = Base58.decode(text.dropFirst()) else {
            throw KeyArgumentError(
                message: "--key '\(text)' is not a did:key, a Multikey (z…), a legacy multibase key, or a readable DID-document file",
                check: nil)
        }
        if bytes.count == 35, KeyType.allCases.contains(where: { bytes.starts(with: $0.multicodecPrefix) }) {
            let key = try parse { () throws(KeyError) in try PublicKey(multikey: text) }
            try checkType(key, keyType)
            return ResolvedKey(key: key, source: .multikey)
        }
        guard bytes.count == 33 || bytes.count == 65 else {
            let key = try parse { () throws(KeyError) in try PublicKey(multikey: text) }  // reports the multicodec
            return ResolvedKey(key: key, source: .multikey)
        }
        guard let keyType else {
            throw KeyArgumentError(
                message: "--key is a bare \(bytes.count)-byte point (legacy multibase), which does not say its curve: pass --key-type k256 or p256",
                check: nil)
        }
        let key = try parse { () throws(KeyError) in try PublicKey(legacyMultibase: text, type: keyType) }
        return ResolvedKey(key: key, source: .legacyMultibase)
    }

    private static func fromDocument(
        _ bytes: [UInt8], path: String, did: DID, keyType: KeyType?
    ) throws(KeyArgumentError) -> ResolvedKey {
        guard bytes.count <= maxDocumentSize else {
            throw KeyArgumentError(message: "DID document \(path) is larger than \(maxDocumentSize) bytes", check: nil)
        }
        let document: DIDDocument
        do {
            document = try DIDDocument(json: bytes)
        } catch {
            throw KeyArgumentError(message: "\(path): \(error)", check: nil)
        }
        do {
            try document.checkID(did)
            let key = try document.signingKey(for: did)
            try checkType(key, keyType)
            return ResolvedKey(key: key, source: .didDocument)
        } catch let error as ProofError {
            throw KeyArgumentError(message: "\(path): \(error.reason)", check: error.check)
        } catch let error as KeyArgumentError {
            throw error
        } catch {
            throw KeyArgumentError(message: "\(path): \(error)", check: nil)
        }
    }

    private static func parse(_ body: () throws(KeyError) -> PublicKey) throws(KeyArgumentError) -> PublicKey {
        do {
            return try body()
        } catch {
            throw KeyArgumentError(message: "--key: \(error)", check: .keyParse)
        }
    }

    private static func checkType(_ key: PublicKey, _ expected: KeyType?) throws(KeyArgumentError) {
        if let expected, expected != key.type {
            throw KeyArgumentError(
                message: "--key-type \(expected.rawValue) contradicts the key, which is \(key.type.displayName)", check: nil)
        }
    }
}
