import Foundation
import OCI

extension RegistryStorage {
    /// The 401 to answer when `request` lacks what the behaviour demands; nil when allowed.
    func authenticationFailure(_ request: RegistryHTTPRequest, route: RegistryRoute, host: String) -> RegistryHTTPResponse? {
        let authorization = request.header("Authorization")
        switch behavior.authentication {
        case .none:
            return nil
        case .basic(let username, let password):
            if authorization == Self.basic(username, password) { return nil }
            var response = RegistryHTTPResponse.error(401, code: "UNAUTHORIZED", message: "authentication required")
            response.headers.append(("WWW-Authenticate", #"Basic realm="test-registry""#))
            return response
        case .bearer(let service):
            let scope = route.repository.map { "repository:\($0):\(request.method == "GET" || request.method == "HEAD" ? "pull" : "push,pull")" }
            if let authorization, authorization.hasPrefix("Bearer ") {
                let token = String(authorization.dropFirst(7))
                if service.staticTokens.contains(token) { return nil }
                if let issued = tokens[token], issued.expires > .now, Self.scope(issued.scope, covers: route.repository) { return nil }
            }
            let realm = service.realm ?? "\(behavior.scheme)://\(host)/token"
            var challenge = #"Bearer realm="\#(realm)",service="\#(service.service)""#
            if let scope { challenge += #",scope="\#(scope)""# }
            var response = RegistryHTTPResponse.error(401, code: "UNAUTHORIZED", message: "authentication required")
            response.headers.append(("WWW-Authenticate", challenge))
            return response
        }
    }

    /// `GET /token?service=…&scope=…`: a short-lived bearer token, when the credentials (if
    /// required) are right.
    mutating func issueToken(_ request: RegistryHTTPRequest) -> RegistryHTTPResponse {
        guard case .bearer(let service) = behavior.authentication else {
            return .error(404, code: "UNSUPPORTED", message: "this registry issues no tokens")
        }
        if let required = service.credentials, request.header("Authorization") != Self.basic(required.username, required.password) {
            var response = RegistryHTTPResponse.error(401, code: "UNAUTHORIZED", message: "token service credentials required")
            response.headers.append(("WWW-Authenticate", #"Basic realm="token""#))
            return response
        }
        let token = "tok-" + Digest.sha256(of: Array(UUID().uuidString.utf8)).encoded.prefix(32)
        let now = ContinuousClock.now
        tokens = tokens.filter { $0.value.expires > now }
        tokens[token] = (scope: request.query["scope"], expires: now + .seconds(service.lifetime))
        let body = #"{"token":"\#(token)","access_token":"\#(token)","expires_in":\#(service.lifetime)}"#
        return .json(200, Array(body.utf8))
    }

    /// True when a token issued for `scope` may access `repository` (any token for `/v2/`).
    private static func scope(_ scope: String?, covers repository: String?) -> Bool {
        guard let repository else { return true }
        guard let scope else { return false }
        return scope.split(separator: " ").contains { $0.hasPrefix("repository:\(repository):") }
    }

    static func basic(_ username: String, _ password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
