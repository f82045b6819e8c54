import Foundation
import HTTPFetch

extension RegistryClient {
    /// The `Authorization` to send before any challenge: a cached token for this registry and
    /// scope, a configured registry token, or Basic credentials for a registry that asked for
    /// Basic before. Credentials are looked up by this request's registry only.
    func preemptiveAuthorization(for request: RegistryRequest) async throws(RegistryError) -> String? {
        let key = TokenStore.Key(registry: request.registry, scope: request.scope ?? "")
        if let token = await tokens.cached(key) { return "Bearer \(token)" }
        switch credentials.credential(for: request.registry) {
        case .registryToken(let token):
            return "Bearer \(token)"
        case .basic(let username, let password) where await tokens.usesBasic(request.registry):
            return Self.basic(username, password)
        default:
            return nil
        }
    }

    /// Answers a 401's challenges: a Bearer token from the realm (anonymous, or with the
    /// registry's Basic credentials), or the Basic credentials themselves.
    func authorize(
        _ request: RegistryRequest, challenges: [AuthChallenge], deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> String {
        let credential = credentials.credential(for: request.registry)
        switch credential {
        case .helper(let helper):
            throw request.error(.credentialHelperUnsupported(helper: helper))
        case .identityToken:
            throw request.error(.credentialUnsupported(
                "the configured identitytoken is an OAuth2 refresh token, which needs a POST to the token service; this client only sends GET/HEAD: configure 'auth' (username:password) or 'registrytoken' instead"))
        case .registryToken:
            throw request.error(.unauthorized("the registry rejected the configured registrytoken"))
        case .basic, nil:
            break
        }
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            return "Bearer " + (try await bearerToken(request, challenge: bearer, credential: credential, deadline: deadline))
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            guard case .basic(let username, let password) = credential else {
                throw request.error(.unauthorized("the registry asks for Basic credentials and none are configured for \(request.registry)"))
            }
            await tokens.markBasic(request.registry)
            return Self.basic(username, password)
        }
        throw request.error(.unauthorized("401 without a Bearer or Basic challenge"))
    }

    private func bearerToken(
        _ request: RegistryRequest, challenge: AuthChallenge, credential: RegistryCredentials.Credential?,
        deadline: ContinuousClock.Instant
    ) async throws(RegistryError) -> String {
        guard let realm = challenge.realm, let realmURL = URL(string: realm), let scheme = realmURL.scheme?.lowercased(),
            realmURL.host?.isEmpty == false
        else {
            throw request.error(.tokenRequestFailed(status: nil, reason: "the Bearer challenge has no usable realm"))
        }
        let insecureAllowed = configuration.insecureRegistries.contains(request.registry)
        guard scheme == "https" || (scheme == "http" && insecureAllowed) else {
            throw request.error(.tokenRealmNotHTTPS(realm: realm))
        }
        var query: [String] = []
        if let service = challenge.service { query.append("service=" + HTTPText.queryEscape(service)) }
        if let scope = challenge.scope ?? request.scope { query.append("scope=" + HTTPText.queryEscape(scope)) }
        let url = realm + (query.isEmpty ? "" : (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"))
        var tokenHeaders = FetchHeaders()
        if case .basic(let username, let password) = credential { tokenHeaders.add("Authorization", Self.basic(username, password)) }
        let headers = tokenHeaders
        let key = TokenStore.Key(registry: request.registry, scope: request.scope ?? "")
        let fetcher = self.fetcher
        return try await tokens.token(key) {
            let sent = tokens.now()
            let response: FetchResponse
            do throws(FetchError) {
                // The realm is the registry's word, not the operator's: the fetcher checks where it leads.
                response = try await fetcher.fetch(
                    FetchRequest(url: url, headers: headers, maxBodyBytes: 64 << 10, deadline: deadline, maxRedirects: 3,
                                 urlNamedByServer: true))
            } catch {
                if case .targetRefused(_, let reason) = error {
                    return .failure(request.error(.tokenRealmRefused(realm: realm, reason: reason)))
                }
                return .failure(request.error(.transport(error)))
            }
            switch Self.parseToken(response) {
            case .success(let (token, lifetime)):
                return .success(TokenStore.Token(value: token, expires: sent + lifetime))
            case .failure(let reason):
                return .failure(request.error(.tokenRequestFailed(status: response.status == 200 ? nil : response.status, reason: reason.description)))
            }
        }
    }

    /// `{"token": …}` or `{"access_token": …}`, with `expires_in` seconds (default 60).
    static func parseToken(_ response: FetchResponse) -> Result<(String, Duration), TokenProblem> {
        guard response.status == 200 else {
            switch response.status {
            case 401: return .failure(TokenProblem("the token service refused the credentials"))
            case 403: return .failure(TokenProblem("the token service denied access"))
            default: return .failure(TokenProblem("the token service answered HTTP \(response.status)"))
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            return .failure(TokenProblem("the token response is not a JSON object"))
        }
        guard let token = (object["token"] as? String) ?? (object["access_token"] as? String), !token.isEmpty else {
            return .failure(TokenProblem("the token response has no token"))
        }
        guard token.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return .failure(TokenProblem("the token contains characters a header cannot carry"))
        }
        var seconds = 60
        if let number = object["expires_in"] as? NSNumber { seconds = number.intValue }
        return .success((token, .seconds(max(0, seconds))))
    }

    static func basic(_ username: String, _ password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// Why a token response was unusable.
struct TokenProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
