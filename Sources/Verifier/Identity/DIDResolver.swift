import ATProto
import HTTPFetch
import Synchronization

/// What the verifier needs of a DID: its signing key, its PDS, and (informational) its handle.
public struct ResolvedIdentity: Sendable, Equatable {
    public let did: DID
    public let key: PublicKey
    public let pds: ServiceEndpoint
    public let handle: String?

    public init(did: DID, key: PublicKey, pds: ServiceEndpoint, handle: String?) {
        self.did = did
        self.key = key
        self.pds = pds
        self.handle = handle
    }
}

/// Resolves DIDs (checks 2–6 of docs/proof-checks.md): did:plc through the PLC directory, did:web through
/// `https://<host>/.well-known/did.json`. Only ever called for DIDs the policy trusts.
public struct DIDResolver: Sendable {
    public struct Options: Sendable {
        /// The PLC directory, e.g. `https://plc.directory`.
        public var plcDirectory: String
        /// The local test world: accept `did:web:localhost%3A<port>`, and http/loopback PDS endpoints.
        public var allowInsecureLocal: Bool
        /// Scheme used for `did:web:localhost%3A<port>` (the test world may run plain http).
        public var localDIDWebScheme: String
        public var maxDocumentBytes: Int

        public init(
            plcDirectory: String = "https://plc.directory", allowInsecureLocal: Bool = false,
            localDIDWebScheme: String = "https", maxDocumentBytes: Int = 64 * 1024
        ) {
            self.plcDirectory = plcDirectory
            self.allowInsecureLocal = allowInsecureLocal
            self.localDIDWebScheme = localDIDWebScheme
            self.maxDocumentBytes = maxDocumentBytes
        }
    }

    public let fetcher: any HTTPFetching
    public let options: Options
    /// Resolutions by outcome, for metrics (shared by copies of this resolver).
    public let statistics = ResolutionStatistics()

    public init(fetcher: any HTTPFetching, options: Options = Options()) {
        self.fetcher = fetcher
        self.options = options
    }

    /// The URL of `did`'s document.
    public func documentURL(for did: DID) throws(SignatureFailure) -> String {
        switch did.method {
        case .plc:
            let base = options.plcDirectory.hasSuffix("/") ? String(options.plcDirectory.dropLast()) : options.plcDirectory
            return "\(base)/\(did.string)"
        case .web:
            guard let (host, port) = did.webHost else { throw SignatureFailure(.check(.didSyntax), "not a did:web") }
            if let port {
                guard options.allowInsecureLocal else {
                    throw SignatureFailure(
                        .check(.didSyntax), "\(did) is a localhost test-world DID; it resolves only with --allow-insecure-local")
                }
                return "\(options.localDIDWebScheme)://\(host):\(port)/.well-known/did.json"
            }
            return "https://\(host)/.well-known/did.json"
        }
    }

    /// Fetches and checks the document; throws the first failed check.
    public func resolve(_ did: DID, deadline: ContinuousClock.Instant) async throws(SignatureFailure) -> ResolvedIdentity {
        do {
            let identity = try await resolveUncounted(did, deadline: deadline)
            statistics.record(success: true)
            return identity
        } catch {
            statistics.record(success: false)
            throw error
        }
    }

    private func resolveUncounted(_ did: DID, deadline: ContinuousClock.Instant) async throws(SignatureFailure) -> ResolvedIdentity {
        let url = try documentURL(for: did)
        let response: FetchResponse
        do {
            response = try await fetcher.fetch(FetchRequest(
                url: url, headers: ["Accept": "application/did+ld+json, application/json"],
                maxBodyBytes: options.maxDocumentBytes, deadline: deadline))
        } catch {
            throw SignatureFailure(.check(.didResolution), "\(did): \(error)", transient: error.isTransient)
        }
        switch response.status {
        case 200: break
        case 404: throw SignatureFailure(.check(.didResolution), "\(did) not found (HTTP 404 from \(url))")
        case 410: throw SignatureFailure(.check(.didResolution), "\(did) is deactivated (HTTP 410 from \(url))")
        default:
            throw SignatureFailure(
                .check(.didResolution), "\(did): HTTP \(response.status) from \(url)", transient: response.status >= 500 || response.status == 429)
        }
        return try Self.identity(did: did, documentBytes: response.body, allowInsecureLocal: options.allowInsecureLocal)
    }

    /// Checks 3–6 on a fetched document.
    public static func identity(did: DID, documentBytes: [UInt8], allowInsecureLocal: Bool) throws(SignatureFailure) -> ResolvedIdentity {
        let document: DIDDocument
        do {
            document = try DIDDocument(json: documentBytes)
        } catch {
            // Not JSON at all (an error page, a cut-off answer): the directory or a proxy on the
            // way is broken, and may be repaired; a JSON document that is wrong is definite.
            throw SignatureFailure(.check(.didResolution), "\(did): \(error)", transient: !error.isJSON)
        }
        do {
            try document.checkID(did)
            let key = try document.signingKey(for: did)
            let pds = try document.pdsEndpoint(allowInsecureLocal: allowInsecureLocal)
            return ResolvedIdentity(did: did, key: key, pds: pds, handle: document.handle)
        } catch {
            throw SignatureFailure(error)
        }
    }
}

/// Counts DID resolutions by outcome.
public final class ResolutionStatistics: Sendable {
    private let counts = Mutex<(success: Int, failure: Int)>((0, 0))

    public init() {}

    func record(success: Bool) {
        counts.withLock { if success { $0.success += 1 } else { $0.failure += 1 } }
    }

    /// Successful and failed resolutions so far.
    public var snapshot: (success: Int, failure: Int) { counts.withLock { $0 } }
}
