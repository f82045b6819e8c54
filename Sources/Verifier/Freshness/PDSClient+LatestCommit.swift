import ATProto
import HTTPFetch

/// What `com.atproto.sync.getLatestCommit` answered.
public enum LatestCommitAnswer: Sendable, Equatable {
    /// The repository's latest commit.
    case commit(rev: TID, cid: String)
    /// `RepoNotFound`, `RepoTakendown`, `RepoSuspended` or `RepoDeactivated`: the PDS no longer
    /// serves this repository (taken down, or moved to another PDS).
    case unavailable(String)
}

/// Why getLatestCommit gave no answer.
public struct LatestCommitFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status, when the PDS answered.
    public let status: Int?
    /// `Retry-After`, when the PDS sent one.
    public let retryAfter: Duration?
    public let reason: String

    /// HTTP 429: the PDS host rate-limits us.
    public var isRateLimited: Bool { status == 429 }
    public var description: String { reason }
}

extension PDSClient {
    /// The largest getLatestCommit answer read (it is a few dozen bytes).
    static let maxLatestCommitBytes = 16 * 1024

    /// The query-string-encoded getLatestCommit URL.
    public static func getLatestCommitURL(pds: ServiceEndpoint, did: DID) -> String {
        "\(pds.origin)/xrpc/com.atproto.sync.getLatestCommit?did=\(queryValue(did.string))"
    }

    /// Asks `pds` for the latest commit of `did`: a hint for the freshness watch, never
    /// evidence (nothing here is signed).
    public func getLatestCommit(pds: ServiceEndpoint, did: DID, deadline: ContinuousClock.Instant) async throws(LatestCommitFailure) -> LatestCommitAnswer {
        let response: FetchResponse
        do {
            response = try await fetcher.fetch(FetchRequest(
                url: Self.getLatestCommitURL(pds: pds, did: did), headers: ["Accept": "application/json"],
                maxBodyBytes: Self.maxLatestCommitBytes, deadline: deadline))
        } catch {
            throw LatestCommitFailure(status: nil, retryAfter: nil, reason: "\(pds): \(error)")
        }
        let xrpcError = response.status == 200 ? nil : Self.xrpcError(response.body)
        if let name = xrpcError?.name, Self.repositoryErrors.contains(name) { return .unavailable(name) }
        guard response.status == 200 else {
            let detail = xrpcError.map { "\($0.name)\($0.message.map { ": \($0)" } ?? "")" } ?? "HTTP \(response.status)"
            throw LatestCommitFailure(
                status: response.status, retryAfter: HTTPFetcher.retryAfter(response.headers["Retry-After"]),
                reason: "\(pds) answered getLatestCommit for \(did) with \(detail)")
        }
        guard let json = try? JSONParser(maxDepth: 4).parse(response.body), case .string(let revText) = json["rev"],
            let rev = TID(revText), case .string(let cid) = json["cid"]
        else {
            throw LatestCommitFailure(status: 200, retryAfter: nil, reason: "\(pds) answered getLatestCommit for \(did) without a valid rev and cid")
        }
        return .commit(rev: rev, cid: cid)
    }
}
