import Hummingbird

extension TestRegistry {
    /// The largest request body accepted (manifests and monolithic blob uploads).
    static let maxRequestBody = 16 << 20

    /// Adds the registry's routes to `router`: `/v2/…` (the distribution API) and `/token`
    /// (the token service, when bearer auth is on).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        for method in [HTTPRequest.Method.get, .head, .put, .post, .patch, .delete] {
            router.on("/v2", method: method) { request, _ in try await self.respond(request, token: false) }
            router.on("/v2/**", method: method) { request, _ in try await self.respond(request, token: false) }
        }
        router.on("/token", method: .get) { request, _ in try await self.respond(request, token: true) }
    }

    private func respond(_ request: Request, token: Bool) async throws -> Response {
        var request = request
        let body: [UInt8]
        if [.put, .post, .patch].contains(request.method) {
            let buffer = try await request.collectBody(upTo: Self.maxRequestBody)
            body = Array(buffer.readableBytesView)
        } else {
            body = []
        }
        let plain = RegistryHTTPRequest(
            method: request.method.rawValue, path: request.uri.path, query: FormQuery(request.uri.query),
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) }, body: body)
        let host = request.head.authority ?? "localhost"
        let answer = storage.withLock { state in
            token ? state.issueToken(plain) : state.handle(plain, host: host)
        }
        log.append(
            LoggedRequest(
                method: plain.method, path: plain.path, query: request.uri.query, authorization: plain.header("Authorization"),
                accept: plain.header("Accept"), status: answer.status))
        let response = Response(answer)
        return request.method == .head ? response.createHeadResponse() : response
    }
}

extension Response {
    /// A Hummingbird response from the framework-independent one.
    init(_ answer: RegistryHTTPResponse) {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPFields.Element.Name(name) { fields.append(HTTPFields.Element(name: fieldName, value: value)) }
        }
        self.init(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
