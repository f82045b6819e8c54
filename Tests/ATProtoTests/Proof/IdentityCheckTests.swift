import ATProto
import ATProtoWriter
import Testing

/// Checks 1 and 3–6: DID syntax, and what is taken from a DID document.
@Suite("DID and key checks (1, 3–6)")
struct IdentityCheckTests {
    static let did = try! DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    static let key = SigningKey.derived(.k256, seed: "identity")

    static func document(
        id: String = did.string, methodID: String = "\(did.string)#atproto", controller: String = did.string,
        type: String = "Multikey", multibase: String = key.publicKey.multikey,
        service: String = ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example.com"}"##
    ) throws -> DIDDocument {
        let json = """
            {"@context": ["https://www.w3.org/ns/did/v1"], "id": "\(id)", "alsoKnownAs": ["at://alice.example.com"],
             "verificationMethod": [{"id": "\(methodID)", "type": "\(type)", "controller": "\(controller)", "publicKeyMultibase": "\(multibase)"}],
             "service": [\(service)]}
            """
        return try DIDDocument(json: Array(json.utf8))
    }

    @Test("a PLC-style document yields its key, PDS and handle")
    func wellFormed() throws {
        let doc = try Self.document()
        try doc.checkID(Self.did)
        #expect(try doc.signingKey(for: Self.did) == Self.key.publicKey)
        #expect(try doc.pdsEndpoint().origin == "https://pds.example.com")
        #expect(doc.handle == "alice.example.com")
        // A relative `#atproto` id is the same method.
        #expect(try Self.document(methodID: "#atproto").signingKey(for: Self.did) == Self.key.publicKey)
    }

    @Test("1: malformed and unsupported DIDs", arguments: ["did:plc:alice123", "did:web:evil.com:foo", "did:web:ex%61mple.com", "did:key:zQ3sh", "DID:plc:x"])
    func didSyntax(_ text: String) {
        expectCheck(.didSyntax) {
            _ = try RecordProofRequest(did: text, key: Self.key.publicKey, collection: "io.atcr.manifest", recordKey: "3k")
        }
    }

    @Test("3: a document for another DID")
    func documentID() throws {
        let doc = try Self.document(id: "did:plc:vvpy7d6y2li5yo73cgbszibl")
        expectCheck(.didDocumentID) { try doc.checkID(Self.did) }
    }

    @Test("4: the #atproto key controlled by another DID; no #atproto key")
    func signingKey() throws {
        let foreign = try Self.document(controller: "did:plc:vvpy7d6y2li5yo73cgbszibl")
        let error = expectCheck(.signingKey) { _ = try foreign.signingKey(for: Self.did) }
        #expect(error?.reason.contains("controlled by did:plc:vvpy7d6y2li5yo73cgbszibl") == true)
        let other = try Self.document(methodID: "\(Self.did.string)#other")
        expectCheck(.signingKey) { _ = try other.signingKey(for: Self.did) }
    }

    @Test("5: unknown multicodec, a point off the curve, an unknown method type, a bare legacy point under Multikey")
    func keyParse() throws {
        let unknown = "z" + Base58.encode([0xED, 0x01] + [UInt8](repeating: 7, count: 32))  // ed25519
        expectCheck(.keyParse) { _ = try Self.document(multibase: unknown).signingKey(for: Self.did) }
        let offCurve = "z" + Base58.encode([0xE7, 0x01, 0x02] + [UInt8](repeating: 0xFF, count: 32))
        expectCheck(.keyParse) { _ = try Self.document(multibase: offCurve).signingKey(for: Self.did) }
        expectCheck(.keyParse) { _ = try Self.document(type: "Ed25519VerificationKey2020").signingKey(for: Self.did) }
        let legacy = "z" + Base58.encode(Self.key.publicKey.compressed)
        expectCheck(.keyParse) { _ = try Self.document(multibase: legacy).signingKey(for: Self.did) }
        // …which is fine under its legacy type.
        #expect(try Self.document(type: "EcdsaSecp256k1VerificationKey2019", multibase: legacy).signingKey(for: Self.did) == Self.key.publicKey)
    }

    @Test("6: PDS endpoints that are not an https origin", arguments: [
        ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "http://pds.example.com"}"##,
        ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example.com/xrpc"}"##,
        ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://user@pds.example.com"}"##,
        ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://127.0.0.1:8443"}"##,
        ##"{"id": "#atproto_pds", "type": "SomethingElse", "serviceEndpoint": "https://pds.example.com"}"##,
        ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": {"origins": []}}"##,
    ])
    func pdsEndpoint(_ service: String) throws {
        let doc = try Self.document(service: service)
        expectCheck(.pdsEndpoint) { _ = try doc.pdsEndpoint() }
    }

    @Test("6: loopback and http only with the local test-world flag")
    func localEndpoints() throws {
        let doc = try Self.document(service: ##"{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "http://127.0.0.1:8443"}"##)
        let endpoint = try doc.pdsEndpoint(allowInsecureLocal: true)
        #expect(endpoint.origin == "http://127.0.0.1:8443")
    }

    @Test("malformed document JSON is a clear parse error, never a crash", arguments: [
        "", "[]", #"{"id": 5}"#, #"{"id": "x", "id": "y"}"#, #"{"id": "x", "verificationMethod": {}}"#,
        String(repeating: "[", count: 500), #"{"id": "x", "service": [{"id": "a"}]}"#,
    ])
    func badDocuments(_ json: String) {
        #expect(throws: DIDDocument.ParseError.self) { try DIDDocument(json: Array(json.utf8)) }
    }

    @Test("did:web host and localhost port")
    func didWeb() throws {
        let web = try DID("did:web:localhost%3A8443")
        #expect(web.webHost?.host == "localhost" && web.webHost?.port == 8443)
        #expect(web.isLocalhostWithPort)
        #expect(try DID("did:web:example.com").webHost?.port == nil)
        #expect(throws: DID.SyntaxError.self) { try DID("did:web:Example.com") }
        #expect(throws: DID.SyntaxError.self) { try DID("did:web:laptop.local") }
        #expect(throws: DID.SyntaxError.self) { try DID("did:web:localhost%3A0") }
    }
}
