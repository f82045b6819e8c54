import Foundation

/// The signature metadata JSON that ATCR stores as the one layer of a signature artifact
/// (`$type: io.atcr.atproto.signature`).
///
/// Only `$type`, `subject.digest`, `atproto.did` and `atproto.recordUri` are required; the rest
/// (handle, PDS endpoint, commit CID, key id, public key…) is informational and is never trusted
/// by the verifier: it is reported, and checked against nothing.
public struct SignaturePayload: Sendable, Hashable {
    public static let type = "io.atcr.atproto.signature"

    public struct Subject: Sendable, Hashable {
        /// The signed image's manifest digest.
        public var digest: Digest
        public var mediaType: String?

        public init(digest: Digest, mediaType: String? = nil) {
            self.digest = digest
            self.mediaType = mediaType
        }
    }

    public struct ATProto: Sendable, Hashable {
        /// The signer's DID (syntax is checked by the verifier, not here).
        public var did: String
        public var handle: String?
        public var pdsEndpoint: String?
        /// `at://<did>/io.atcr.manifest/<rkey>`.
        public var recordUri: String
        /// Historical: reported, never required.
        public var commitCid: String?
        public var signedAt: String?

        public init(
            did: String, handle: String? = nil, pdsEndpoint: String? = nil, recordUri: String,
            commitCid: String? = nil, signedAt: String? = nil
        ) {
            self.did = did
            self.handle = handle
            self.pdsEndpoint = pdsEndpoint
            self.recordUri = recordUri
            self.commitCid = commitCid
            self.signedAt = signedAt
        }
    }

    public struct Signature: Sendable, Hashable {
        public var algorithm: String?
        public var keyId: String?
        public var publicKeyMultibase: String?

        public init(algorithm: String? = nil, keyId: String? = nil, publicKeyMultibase: String? = nil) {
            self.algorithm = algorithm
            self.keyId = keyId
            self.publicKeyMultibase = publicKeyMultibase
        }
    }

    public var version: String?
    public var subject: Subject
    public var atproto: ATProto
    public var signature: Signature?

    public init(version: String? = "1.0", subject: Subject, atproto: ATProto, signature: Signature? = nil) {
        self.version = version
        self.subject = subject
        self.atproto = atproto
        self.signature = signature
    }

    /// The wire bytes: deterministic JSON with `$type` first among sorted keys.
    public func encoded() -> [UInt8] {
        var atprotoObject: [String: String] = ["did": atproto.did, "recordUri": atproto.recordUri]
        atprotoObject["handle"] = atproto.handle
        atprotoObject["pdsEndpoint"] = atproto.pdsEndpoint
        atprotoObject["commitCid"] = atproto.commitCid
        atprotoObject["signedAt"] = atproto.signedAt
        var subjectObject: [String: String] = ["digest": subject.digest.description]
        subjectObject["mediaType"] = subject.mediaType
        var document = Wire(type: Self.type, version: version, subject: subjectObject, atproto: atprotoObject)
        if let signature {
            var signatureObject: [String: String] = [:]
            signatureObject["algorithm"] = signature.algorithm
            signatureObject["keyId"] = signature.keyId
            signatureObject["publicKeyMultibase"] = signature.publicKeyMultibase
            document.signature = signatureObject
        }
        return OCIJSON.encode(document)
    }

    private struct Wire: Encodable {
        var type: String
        var version: String?
        var subject: [String: String]
        var atproto: [String: String]
        var signature: [String: String]?

        enum CodingKeys: String, CodingKey {
            case type = "$type"
            case version, subject, atproto, signature
        }
    }
}

/// Why a signature blob is not a valid ATCR signature document; names the field.
public enum SignaturePayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    case notJSON(String)
    case notAnObject
    case missingField(String)
    case wrongType(field: String, expected: String)
    case unexpectedType(String)
    case invalidDigest(field: String, DigestError)
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case .notJSON(let reason): return "signature blob is not JSON: \(reason)"
        case .notAnObject: return "signature blob is not a JSON object"
        case .missingField(let field): return "signature blob lacks the required field '\(field)'"
        case .wrongType(let field, let expected): return "signature blob field '\(field)' must be \(expected)"
        case .unexpectedType(let type):
            return "signature blob has $type '\(type)', expected '\(SignaturePayload.type)'"
        case .invalidDigest(let field, let error): return "signature blob field '\(field)': \(error)"
        case .invalidValue(let field, let reason): return "signature blob field '\(field)' \(reason)"
        }
    }
}

extension SignaturePayload {
    /// Decodes and checks a signature blob strictly: required fields present and typed,
    /// `$type` exact, `subject.digest` a well-formed digest, `atproto.did` a `did:` string,
    /// `atproto.recordUri` an `at://` URI. Optional fields, when present and not null, must be
    /// strings (objects for `signature`); unknown fields are ignored.
    public init(decoding bytes: [UInt8]) throws(SignaturePayloadError) {
        let root: [String: Any]
        do {
            let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
            guard let dictionary = object as? [String: Any] else { throw SignaturePayloadError.notAnObject }
            root = dictionary
        } catch let error as SignaturePayloadError {
            throw error
        } catch {
            throw .notJSON((error as NSError).localizedDescription)
        }
        let type = try Self.string(root, "$type", path: "$type")
        guard type == Self.type else { throw .unexpectedType(type) }
        let version = try Self.optionalString(root, "version", path: "version")

        let subjectObject = try Self.object(root, "subject", path: "subject")
        let digestText = try Self.string(subjectObject, "digest", path: "subject.digest")
        let digest: Digest
        do throws(DigestError) {
            digest = try Digest(parsing: digestText)
        } catch {
            throw .invalidDigest(field: "subject.digest", error)
        }
        let subject = Subject(
            digest: digest, mediaType: try Self.optionalString(subjectObject, "mediaType", path: "subject.mediaType"))

        let atprotoObject = try Self.object(root, "atproto", path: "atproto")
        let did = try Self.string(atprotoObject, "did", path: "atproto.did")
        guard did.hasPrefix("did:"), did.count > 4 else {
            throw .invalidValue(field: "atproto.did", reason: "must be a DID (did:method:identifier)")
        }
        let recordUri = try Self.string(atprotoObject, "recordUri", path: "atproto.recordUri")
        guard recordUri.hasPrefix("at://"), recordUri.count > 5 else {
            throw .invalidValue(field: "atproto.recordUri", reason: "must be an at:// URI")
        }
        let atproto = ATProto(
            did: did,
            handle: try Self.optionalString(atprotoObject, "handle", path: "atproto.handle"),
            pdsEndpoint: try Self.optionalString(atprotoObject, "pdsEndpoint", path: "atproto.pdsEndpoint"),
            recordUri: recordUri,
            commitCid: try Self.optionalString(atprotoObject, "commitCid", path: "atproto.commitCid"),
            signedAt: try Self.optionalString(atprotoObject, "signedAt", path: "atproto.signedAt"))

        var signature: Signature?
        if let value = root["signature"], !(value is NSNull) {
            guard let object = value as? [String: Any] else { throw .wrongType(field: "signature", expected: "an object") }
            signature = Signature(
                algorithm: try Self.optionalString(object, "algorithm", path: "signature.algorithm"),
                keyId: try Self.optionalString(object, "keyId", path: "signature.keyId"),
                publicKeyMultibase: try Self.optionalString(object, "publicKeyMultibase", path: "signature.publicKeyMultibase"))
        }
        self.init(version: version, subject: subject, atproto: atproto, signature: signature)
    }

    private static func object(_ parent: [String: Any], _ key: String, path: String) throws(SignaturePayloadError) -> [String: Any] {
        guard let value = parent[key], !(value is NSNull) else { throw .missingField(path) }
        guard let object = value as? [String: Any] else { throw .wrongType(field: path, expected: "an object") }
        return object
    }

    private static func string(_ parent: [String: Any], _ key: String, path: String) throws(SignaturePayloadError) -> String {
        guard let value = parent[key], !(value is NSNull) else { throw .missingField(path) }
        guard let text = value as? String else { throw .wrongType(field: path, expected: "a string") }
        guard !text.isEmpty else { throw .invalidValue(field: path, reason: "must not be empty") }
        return text
    }

    private static func optionalString(_ parent: [String: Any], _ key: String, path: String) throws(SignaturePayloadError) -> String? {
        guard let value = parent[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw .wrongType(field: path, expected: "a string") }
        return text
    }
}
