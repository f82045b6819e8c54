import ATProto
import HTTPFetch

/// Fetches record proofs: `com.atproto.sync.getRecord` (check 7 of docs/proof-checks.md). The PDS is
/// untrusted: what it answers is verified byte by byte afterwards.
public struct PDSClient: Sendable {
    public let fetcher: any HTTPFetching
    public var maxProofBytes: Int

    /// XRPC errors that say the repository cannot serve proofs: definite, not transient.
    static let repositoryErrors: Set<String> = [
        "RepoNotFound", "RepoTakendown", "RepoSuspended", "RepoDeactivated",
    ]

    public init(fetcher: any HTTPFetching, maxProofBytes: Int = 1024 * 1024) {
        self.fetcher = fetcher
        self.maxProofBytes = maxProofBytes
    }

    /// The query-string-encoded getRecord URL.
    public static func getRecordURL(pds: ServiceEndpoint, did: DID, collection: NSID, recordKey: RecordKey) -> String {
        "\(pds.origin)/xrpc/com.atproto.sync.getRecord?did=\(queryValue(did.string))&collection=\(collection.string)&rkey=\(queryValue(recordKey.string))"
    }

    /// A DID or record key as a query value: they are ASCII, and only `:` and `%` (did:web
    /// ports) need encoding.
    static func queryValue(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ":", with: "%3A")
    }

    /// The CAR for `collection/recordKey` in `did`'s current commit. A `RecordNotFound` answer
    /// is the same outcome as a valid proof of absence: `record-absent`.
    public func getRecord(
        pds: ServiceEndpoint, did: DID, collection: NSID, recordKey: RecordKey, deadline: ContinuousClock.Instant
    ) async throws(SignatureFailure) -> [UInt8] {
        let url = Self.getRecordURL(pds: pds, did: did, collection: collection, recordKey: recordKey)
        let response: FetchResponse
        do {
            response = try await fetcher.fetch(FetchRequest(
                url: url, headers: ["Accept": "application/vnd.ipld.car"], maxBodyBytes: maxProofBytes, deadline: deadline))
        } catch {
            throw SignatureFailure(.check(.proofFetch), "\(pds): \(error)", transient: error.isTransient)
        }
        if response.status == 200 { return response.body }
        let xrpcError = Self.xrpcError(response.body)
        if xrpcError?.name == "RecordNotFound" {
            throw SignatureFailure(.recordAbsent, "the PDS has no record at://\(did)/\(collection)/\(recordKey) (RecordNotFound)")
        }
        let detail = xrpcError.map { "\($0.name)\($0.message.map { ": \($0)" } ?? "")" } ?? "HTTP \(response.status)"
        let transient = response.status >= 500 || response.status == 429
        if let name = xrpcError?.name, Self.repositoryErrors.contains(name) {
            throw SignatureFailure(.check(.proofFetch), "\(pds) cannot serve \(did): \(detail)")
        }
        throw SignatureFailure(.check(.proofFetch), "\(pds) answered getRecord with \(detail)", transient: transient)
    }

    /// `{"error": "...", "message": "..."}`.
    static func xrpcError(_ body: [UInt8]) -> (name: String, message: String?)? {
        guard body.count <= 64 * 1024, let json = try? JSONParser(maxDepth: 8).parse(body),
            case .string(let name) = json["error"]
        else { return nil }
        if case .string(let message) = json["message"] { return (name, message) }
        return (name, nil)
    }
}
