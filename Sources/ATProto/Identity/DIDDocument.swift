/// The parts of a DID document atproto uses: `id`, `alsoKnownAs`, verification methods and
/// services (checks 3–6 of docs/proof-checks.md). Parsed from untrusted JSON with the strict parser.
public struct DIDDocument: Sendable, Equatable {
    public struct VerificationMethod: Sendable, Equatable {
        public var id: String
        public var type: String
        public var controller: String
        public var publicKeyMultibase: String?
    }

    public struct Service: Sendable, Equatable {
        public var id: String
        public var type: String
        /// A string for every service atproto uses; other shapes are kept but never used.
        public var endpoint: JSONValue
    }

    public var id: String
    public var alsoKnownAs: [String]
    public var verificationMethods: [VerificationMethod]
    public var services: [Service]

    /// Why a document is not a usable DID document (before any atproto check runs).
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        /// False when the bytes are not JSON at all; true when they are JSON of the wrong shape.
        public var isJSON = true
        public var description: String { "DID document: \(reason)" }
    }

    public init(id: String, alsoKnownAs: [String] = [], verificationMethods: [VerificationMethod], services: [Service]) {
        self.id = id
        self.alsoKnownAs = alsoKnownAs
        self.verificationMethods = verificationMethods
        self.services = services
    }

    /// Parses a DID document from JSON bytes.
    public init<C: Collection>(json bytes: C) throws(ParseError) where C.Element == UInt8 {
        let json: JSONValue
        do {
            json = try JSONParser().parse(bytes)
        } catch {
            throw ParseError(reason: "\(error)", isJSON: false)
        }
        guard case .object = json else { throw ParseError(reason: "not a JSON object") }
        guard case .string(let id) = json["id"] else { throw ParseError(reason: "missing string 'id'") }
        self.id = id
        alsoKnownAs = try Self.strings(json["alsoKnownAs"], field: "alsoKnownAs")
        verificationMethods = try Self.objects(json["verificationMethod"], field: "verificationMethod").map {
            (method) throws(ParseError) -> VerificationMethod in
            guard case .string(let id) = method["id"], case .string(let type) = method["type"],
                case .string(let controller) = method["controller"]
            else { throw ParseError(reason: "a verificationMethod lacks string id, type or controller") }
            var multibase: String?
            if case .string(let value) = method["publicKeyMultibase"] { multibase = value }
            return VerificationMethod(id: id, type: type, controller: controller, publicKeyMultibase: multibase)
        }
        services = try Self.objects(json["service"], field: "service").map { (service) throws(ParseError) -> Service in
            guard case .string(let id) = service["id"], case .string(let type) = service["type"],
                let endpoint = service["serviceEndpoint"]
            else { throw ParseError(reason: "a service lacks string id, type or a serviceEndpoint") }
            return Service(id: id, type: type, endpoint: endpoint)
        }
    }

    private static func strings(_ value: JSONValue?, field: String) throws(ParseError) -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw ParseError(reason: "'\(field)' is not an array") }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw ParseError(reason: "'\(field)' holds a non-string") }
            out.append(text)
        }
        return out
    }

    private static func objects(_ value: JSONValue?, field: String) throws(ParseError) -> [JSONValue] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw ParseError(reason: "'\(field)' is not an array") }
        for item in items {
            guard case .object = item else { throw ParseError(reason: "'\(field)' holds a non-object") }
        }
        return items
    }

    /// Check 3: the document is the one for `did`.
    public func checkID(_ did: DID) throws(ProofError) {
        guard id == did.string else { throw .didDocumentIDMismatch(expected: did.string, found: id) }
    }

    /// Checks 4 and 5: the first `#atproto` verification method controlled by `did`, parsed.
    public func signingKey(for did: DID) throws(ProofError) -> PublicKey {
        let candidates = verificationMethods.filter { $0.id == "#atproto" || $0.id == "\(did.string)#atproto" }
        guard let method = candidates.first(where: { $0.controller == did.string }) else {
            let reason = candidates.first.map { "the #atproto key is controlled by \($0.controller), not the DID" }
                ?? "the document has no verification method with id #atproto"
            throw .noSigningKey(did: did.string, reason: reason)
        }
        guard let multibase = method.publicKeyMultibase else { throw .invalidSigningKey(.missingPublicKeyMultibase) }
        do {
            return try PublicKey(verificationMethodType: method.type, publicKeyMultibase: multibase)
        } catch {
            throw .invalidSigningKey(error)
        }
    }

    /// Check 6: the `#atproto_pds` service's endpoint.
    public func pdsEndpoint(allowInsecureLocal: Bool = false) throws(ProofError) -> ServiceEndpoint {
        guard let service = services.first(where: {
            ($0.id == "#atproto_pds" || $0.id == "\(id)#atproto_pds") && $0.type == "AtprotoPersonalDataServer"
        }) else {
            throw .invalidPDSEndpoint("no #atproto_pds service of type AtprotoPersonalDataServer")
        }
        guard case .string(let text) = service.endpoint else {
            throw .invalidPDSEndpoint("serviceEndpoint is not a URL string")
        }
        do {
            return try ServiceEndpoint(text, allowInsecureLocal: allowInsecureLocal)
        } catch {
            throw .invalidPDSEndpoint(error.reason)
        }
    }

    /// The handle the document claims (`at://<handle>` in alsoKnownAs). Informational only:
    /// never trusted, since it is not verified in the other direction here.
    public var handle: String? {
        alsoKnownAs.lazy.filter { $0.hasPrefix("at://") }.map { String($0.dropFirst(5)) }
            .first(where: Handle.isValidSyntax)
    }
}
