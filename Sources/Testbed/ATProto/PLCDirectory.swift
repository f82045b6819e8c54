import ATProto
import Foundation
import Hummingbird
import Synchronization

/// An in-memory PLC directory: `GET /<did>` answers the DID document (404 for an unknown DID,
/// 410 for a tombstoned one), as `https://plc.directory` does.
public final class PLCDirectory: Sendable {
    private let documents = Mutex<[String: [UInt8]]>([:])
    private let tombstones = Mutex<Set<String>>([])

    public init() {}

    /// Publishes (or replaces) the document of `did`.
    public func publish(_ did: DID, document: [UInt8]) {
        documents.withLock { $0[did.string] = document }
    }

    /// Marks `did` deactivated: the directory answers 410 Gone.
    public func tombstone(_ did: DID) {
        tombstones.withLock { _ = $0.insert(did.string) }
    }

    /// Adds the directory's routes to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get(":did") { _, context in
            let did = try context.parameters.require("did")
            if self.tombstones.withLock({ $0.contains(did) }) {
                return Self.json(.gone, #"{"message":"DID not available: \#(did)"}"#)
            }
            guard let document = self.documents.withLock({ $0[did] }) else {
                return Self.json(.notFound, #"{"message":"DID not registered: \#(did)"}"#)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/did+ld+json"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// A did:web host: serves `/.well-known/did.json` for `did:web:localhost%3A<port>`.
public final class DIDWebHost: Sendable {
    private let document = Mutex<[UInt8]?>(nil)

    public init() {}

    public func publish(_ bytes: [UInt8]) {
        document.withLock { $0 = bytes }
    }

    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get(".well-known/did.json") { _, _ in
            guard let bytes = self.document.withLock({ $0 }) else {
                return PLCDirectory.json(.notFound, #"{"message":"no DID document"}"#)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}

/// Builds atproto DID documents the way the PLC directory renders them.
public enum DIDDocumentBuilder {
    /// A document with the `#atproto` Multikey and the `#atproto_pds` service.
    public static func document(did: DID, handle: String, key: PublicKey, pds: String, controller: String? = nil) -> [UInt8] {
        let members: [JSONMember] = [
            JSONMember(name: "@context", value: .array([
                .string("https://www.w3.org/ns/did/v1"), .string("https://w3id.org/security/multikey/v1"),
                .string("https://w3id.org/security/suites/secp256k1-2019/v1"),
            ])),
            JSONMember(name: "id", value: .string(did.string)),
            JSONMember(name: "alsoKnownAs", value: .array([.string("at://\(handle)")])),
            JSONMember(name: "verificationMethod", value: .array([.object([
                JSONMember(name: "id", value: .string("\(did.string)#atproto")),
                JSONMember(name: "type", value: .string("Multikey")),
                JSONMember(name: "controller", value: .string(controller ?? did.string)),
                JSONMember(name: "publicKeyMultibase", value: .string(key.multikey)),
            ])])),
            JSONMember(name: "service", value: .array([.object([
                JSONMember(name: "id", value: .string("#atproto_pds")),
                JSONMember(name: "type", value: .string("AtprotoPersonalDataServer")),
                JSONMember(name: "serviceEndpoint", value: .string(pds)),
            ])])),
        ]
        return Array(JSONValue.object(members).serialized.utf8)
    }
}
