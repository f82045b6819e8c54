import ATProto
import Foundation
import Hummingbird

/// The world's admin endpoint: live changes over HTTP, for a world running in another process
/// (`atcr-testbed up`). Loopback only, on its own port (`endpoints.admin` in world.json), over
/// the world's TLS. Every route is a POST answering `{"changes":[{did, rev, …}]}`, or 400
/// `{"error": "…"}`:
///
/// | route | query | change |
/// |---|---|---|
/// | `/admin/revoke` | `uri=at://…` or `scenario=NAME` | delete the record(s) in a new commit |
/// | `/admin/commit` | `account=NAME` | an unrelated commit (a post) |
/// | `/admin/rotate-key` | `account=NAME` | new key in the DID document, a commit signed with it |
/// | `/admin/move-pds` | `account=NAME` | to the other PDS; the old one answers `RepoDeactivated` |
/// | `/admin/account` | `name=NAME`, optional `keyType=k256\|p256` | a new did:plc account |
/// | `/admin/sign` | `account=NAME&repository=R&tag=T` | push a new image and sign it |
public enum WorldAdmin {
    /// The routes a change can be asked for by (`atcr-testbed change` uses the same names).
    public static let routes = ["revoke", "commit", "rotate-key", "move-pds", "account", "sign"]

    /// Adds the admin routes for `changes` to `router`.
    public static func addRoutes(to router: Router<BasicRequestContext>, changes: WorldChanges) {
        for route in routes {
            router.post("admin/\(route)") { request, _ -> Response in
                let query = request.uri.queryParameters
                var parameters: [String: String] = [:]
                for (name, value) in query { parameters[String(name)] = String(value) }
                do {
                    let made = try apply(route, parameters, to: changes)
                    return json(.ok, .object([JSONMember(name: "changes", value: .array(made.map(\.json)))]))
                } catch {
                    return json(.badRequest, .object([JSONMember(name: "error", value: .string("\(error)"))]))
                }
            }
        }
    }

    /// Makes the change `route` names with `parameters`.
    public static func apply(_ route: String, _ parameters: [String: String], to changes: WorldChanges) throws(WorldChangeError) -> [WorldChange] {
        func require(_ name: String) throws(WorldChangeError) -> String {
            guard let value = parameters[name], !value.isEmpty else { throw WorldChangeError(description: "\(route) needs '\(name)'") }
            return value
        }
        switch route {
        case "revoke":
            if let uri = parameters["uri"] { return [try changes.revoke(recordURI: uri)] }
            return try changes.revoke(scenario: try require("scenario"))
        case "commit": return [try changes.unrelatedCommit(account: try require("account"))]
        case "rotate-key": return [try changes.rotateKey(account: try require("account"))]
        case "move-pds": return [try changes.movePDS(account: try require("account"))]
        case "account":
            let keyType = try parameters["keyType"].map { text throws(WorldChangeError) -> KeyType in
                guard let type = KeyType(rawValue: text) else { throw WorldChangeError(description: "keyType must be k256 or p256") }
                return type
            } ?? .k256
            return [try changes.addAccount(name: try require("name"), keyType: keyType)]
        case "sign":
            return [try changes.signImage(account: try require("account"), repository: try require("repository"), tag: try require("tag"))]
        default:
            throw WorldChangeError(description: "no change '\(route)' (one of \(routes.joined(separator: ", ")))")
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }
}
