import Foundation
import Hummingbird
import OCI

/// A stand-in for the S3 bucket ATCR serves blobs from: `GET /blobs/<digest>?X-Amz-Signature=…`
/// answers the registry's blob, and like S3 refuses a request that also carries an
/// `Authorization` header (400), or has no valid signature (403).
public final class TestBlobHost: Sendable {
    private let registry: TestRegistry
    /// Every request this host answered.
    public let log = RequestLog()

    public init(serving registry: TestRegistry) {
        self.registry = registry
    }

    /// Adds `/blobs/<digest>` to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/blobs/:digest") { request, context in
            self.respond(request, digestText: context.parameters.get("digest") ?? "")
        }
    }

    /// The presigned-URL signature the registry puts in its redirects.
    static func signature(for digest: Digest) -> String {
        String(Digest.sha256(of: Array("presigned:\(digest)".utf8)).encoded.prefix(24))
    }

    private func respond(_ request: Request, digestText: String) -> Response {
        let query = FormQuery(request.uri.query)
        let authorization = request.headers[.authorization]
        let answer: RegistryHTTPResponse
        if authorization != nil {
            answer = .json(
                400, Array("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>".utf8),
                contentType: "application/xml")
        } else if let digest = Digest(digestText), query["X-Amz-Signature"] == Self.signature(for: digest),
            let bytes = registry.storage.withLock({ state in
                state.servedBlobOverrides[digest] ?? state.repositories.values.lazy.compactMap { $0.blobs[digest] }.first
            })
        {
            answer = RegistryHTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: bytes)
        } else {
            answer = .json(403, Array("<Error><Code>AccessDenied</Code></Error>".utf8), contentType: "application/xml")
        }
        log.append(
            LoggedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query, authorization: authorization,
                accept: request.headers[.accept], status: answer.status))
        return Response(answer)
    }
}
