import ATProto
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Asks a running world's admin endpoint (``WorldAdmin``) for a live change: what
/// `atcr-testbed change` and the tests use.
public struct WorldAdminClient: Sendable {
    /// The admin endpoint's origin (`endpoints.admin` in world.json).
    public let origin: String
    /// The world's CA (nil: a plain-HTTP world).
    public let caFile: String?

    public init(origin: String, caFile: String?) {
        self.origin = origin
        self.caFile = caFile
    }

    /// The client for `world`'s admin endpoint.
    public init(world: TestWorld) {
        self.init(origin: world.adminServer.origin, caFile: world.caPath)
    }

    /// Why the world did not make the change.
    public struct Refused: Error, CustomStringConvertible {
        public let status: Int
        public let description: String
    }

    /// Makes the change `route` (one of ``WorldAdmin/routes``) with `parameters`; returns the
    /// answer's text (`{"changes":[…]}`).
    public func changeText(_ route: String, _ parameters: [String: String]) async throws -> String {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(tlsConfiguration: tls))
        let query = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: "\(origin)/admin/\(route)?\(query)")
        request.method = .POST
        let outcome: Result<(Int, String), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            outcome = .success((Int(response.status.code), String(buffer: body)))
        } catch {
            outcome = .failure(error)
        }
        try await client.shutdown()
        let (status, text) = try outcome.get()
        guard status == 200 else { throw Refused(status: status, description: "the world refused \(route): \(text)") }
        return text
    }

    /// ``changeText(_:_:)``, decoded.
    public func change(_ route: String, _ parameters: [String: String]) async throws -> [WorldChange] {
        let text = try await changeText(route, parameters)
        guard case .array(let items)? = try JSONParser().parse(Array(text.utf8))["changes"] else { return [] }
        return items.compactMap(WorldChange.init(json:))
    }

    /// Percent-encodes a query value (AT-URIs carry `:` and `/`).
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}

extension WorldChange {
    /// A change from the admin endpoint's JSON.
    public init?(json: JSONValue) {
        func string(_ name: String) -> String? {
            if case .string(let value)? = json[name] { return value }
            return nil
        }
        guard let did = string("did") else { return nil }
        self.did = did
        rev = string("rev") ?? ""
        uri = string("uri")
        reference = string("reference")
        digest = string("digest")
        oldKey = string("oldKey")
        newKey = string("newKey")
        oldPDS = string("oldPDS")
        newPDS = string("newPDS")
    }
}
