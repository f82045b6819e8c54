import HTTPTypes
import Hummingbird
import NIOCore
import NIOSSL
import TrustPolicyWatcher

/// The Gatekeeper external-data provider on the webhook's TLS listener (docs/gatekeeper.md).
extension WebhookServer {
    /// The provider over this server's review service, policy, metrics and bounds.
    var gatekeeperProvider: GatekeeperProvider {
        let watcher = policyWatcher
        return GatekeeperProvider(
            service: service, policy: { await watcher.policy }, metrics: metrics, logger: logger,
            timeout: configuration.providerTimeout, maxKeys: configuration.maxImagesPerReview)
    }

    /// Adds `POST /gatekeeper/verify`. With `--provider-client-ca`, a request on a connection
    /// whose client presented no certificate signed by that CA is refused (403, systemError);
    /// the TLS handshake itself already refused a certificate that does not verify.
    func addGatekeeperRoute(to router: Router<WebhookRequestContext>) {
        let provider = gatekeeperProvider, maxBody = configuration.maxBodyBytes
        let requireCertificate = configuration.providerClientCA != nil
        router.post("gatekeeper/verify") { request, context -> Response in
            if requireCertificate, !(await Self.presentedVerifiedCertificate(context)) {
                let refused = provider.refused("a client certificate signed by the --provider-client-ca CA is required")
                return Self.json(.init(code: refused.status), refused.body)
            }
            let body: [UInt8]
            do {
                var buffer = try await request.body.collect(upTo: maxBody)
                body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                return Self.json(.badRequest, ProviderResponse.systemError("the request body is larger than \(maxBody) bytes"))
            }
            let answer = await provider.answer(body: body)
            return Self.json(.init(code: answer.status), answer.body)
        }
    }

    /// True when the connection's client presented a certificate. With `--provider-client-ca`
    /// the listener verifies presented certificates against that CA during the handshake
    /// (``withProviderClientCA(_:)``), so a certificate here is a verified one. An HTTP/2
    /// request's channel is a stream whose parent holds the TLS handler.
    static func presentedVerifiedCertificate(_ context: WebhookRequestContext) async -> Bool {
        // (An HTTP/1.1 connection's own parent is the listening socket.)
        let connection = context.isHTTP2Stream ? context.channel.parent ?? context.channel : context.channel
        let presented = try? await connection.pipeline.handler(type: NIOSSLServerHandler.self).map { $0.peerCertificate != nil }.get()
        return presented ?? false
    }

    /// The CA certificates of `--provider-client-ca`, or nil when the flag is not set.
    func providerClientCertificates() throws(WebhookStartupError) -> [NIOSSLCertificate]? {
        guard let path = configuration.providerClientCA else { return nil }
        switch WatchedFile.read(path) {
        case .failure(let error):
            throw .file(flag: "--provider-client-ca", path: path, reason: error.reason)
        case .success(let (_, bytes)):
            do {
                return try PEMFile.certificates(bytes, path: path)
            } catch {
                throw .file(flag: "--provider-client-ca", path: path, reason: error.reason)
            }
        }
    }

    /// `tls` plus, with `--provider-client-ca`, client certificates requested and verified
    /// against that CA when presented. Clients that present none (the API server calling
    /// `/validate`) are still served; only `/gatekeeper/verify` then requires one.
    func withProviderClientCA(_ tls: TLSConfiguration) throws(WebhookStartupError) -> TLSConfiguration {
        guard let authorities = try providerClientCertificates() else { return tls }
        var configuration = tls
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates(authorities)
        return configuration
    }
}
