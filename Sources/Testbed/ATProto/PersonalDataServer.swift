import ATProto
import ATProtoWriter
import Foundation
import Hummingbird
import Synchronization

/// A PDS that answers `com.atproto.sync.getRecord` (a CAR: the current signed commit, the MST
/// nodes on the record's path, and the record or a proof of its absence) and
/// `com.atproto.sync.getLatestCommit`, from real signed repositories.
public final class PersonalDataServer: Sendable {
    /// What the PDS serves for one account.
    public struct Account: Sendable {
        public var repository: Repository
        public var signer: SigningKey
        /// The snapshot served: normally the latest commit; a replaying PDS keeps an old one.
        public var served: RepositorySnapshot
        /// The latest signed snapshot, whatever is served.
        public var latest: RepositorySnapshot
        /// When set, getRecord answers this XRPC error (`RepoTakendown`, …).
        public var status: String?
        /// Answer a missing record with 400 RecordNotFound instead of a proof of absence.
        public var recordNotFoundErrors: Bool
        /// Per record key: an older snapshot served for that record only (a PDS that replays
        /// an old commit to resurrect one deleted record).
        public var replayedRecords: [String: RepositorySnapshot] = [:]
    }

    private let accounts = Mutex<[String: Account]>([:])
    private let clock = Mutex<UInt64>(1_763_700_000_000_000)

    public init() {}

    /// Creates an empty signed repository for `did`.
    public func createAccount(did: DID, signer: SigningKey) throws {
        let repository = Repository(did: did)
        let snapshot = try repository.commit(rev: nextRev(), signer: signer)
        accounts.withLock {
            $0[did.string] = Account(repository: repository, signer: signer, served: snapshot, latest: snapshot, status: nil, recordNotFoundErrors: false)
        }
    }

    /// Applies `change` to the repository of `did` and signs a new commit (with `signer`, or
    /// the account's key; `transform` may deliberately spoil the signature). Returns it.
    @discardableResult
    public func commit(
        did: DID, signer: SigningKey? = nil, signature transform: (@Sendable ([UInt8]) -> [UInt8])? = nil,
        _ change: (inout Repository) -> Void
    ) throws -> RepositorySnapshot {
        let rev = nextRev()
        return try accounts.withLock { (all: inout [String: Account]) throws -> RepositorySnapshot in
            guard var account = all[did.string] else { throw PDSError.unknownAccount(did.string) }
            change(&account.repository)
            let snapshot = try account.repository.commit(
                rev: rev, signer: signer ?? account.signer, prev: nil, signature: transform)
            account.latest = snapshot
            account.served = snapshot
            all[did.string] = account
            return snapshot
        }
    }

    /// Serves `snapshot` (an older commit) for `did` from now on: the replay scenario.
    public func replay(did: DID, snapshot: RepositorySnapshot) {
        accounts.withLock { $0[did.string]?.served = snapshot }
    }

    /// Serves `snapshot` for one record of `did` only; every other record gets the latest commit.
    public func replay(did: DID, recordKey: RecordKey, snapshot: RepositorySnapshot) {
        accounts.withLock { $0[did.string]?.replayedRecords[recordKey.string] = snapshot }
    }

    /// Sets an XRPC error status for `did` (nil: serve normally).
    public func setStatus(did: DID, _ status: String?) {
        accounts.withLock { $0[did.string]?.status = status }
    }

    /// Answer missing records with 400 RecordNotFound (some PDS implementations do).
    public func setRecordNotFoundErrors(did: DID, _ on: Bool) {
        accounts.withLock { $0[did.string]?.recordNotFoundErrors = on }
    }

    /// The account's state.
    public func account(_ did: DID) -> Account? {
        accounts.withLock { $0[did.string] }
    }

    /// Signs the account's later commits with `key` (a key rotation; earlier commits keep
    /// their old signatures). Returns the key it replaced.
    @discardableResult
    public func setSigner(did: DID, _ key: SigningKey) throws -> SigningKey {
        try accounts.withLock { (all: inout [String: Account]) throws -> SigningKey in
            guard let old = all[did.string]?.signer else { throw PDSError.unknownAccount(did.string) }
            all[did.string]?.signer = key
            return old
        }
    }

    /// Takes in an account moved from another PDS (its repository, key and commits), serving
    /// its latest commit. Later commits here get revs above the moved ones.
    public func adopt(did: DID, account: Account) {
        var moved = account
        moved.served = account.latest
        moved.status = nil
        moved.replayedRecords = [:]
        let latest = account.latest.commit.rev?.microseconds ?? 0
        clock.withLock { $0 = max($0, latest) }
        accounts.withLock { $0[did.string] = moved }
    }

    private func nextRev() -> TID {
        clock.withLock { value in
            value += 1_000
            return TID(microseconds: value, clockID: 7)
        }
    }

    enum PDSError: Error { case unknownAccount(String) }

    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("xrpc/com.atproto.sync.getRecord") { request, _ in
            let query = request.uri.queryParameters
            guard let didText = query["did"].map(String.init), let collectionText = query["collection"].map(String.init),
                let rkeyText = query["rkey"].map(String.init)
            else { return Self.error(400, "InvalidRequest", "did, collection and rkey are required") }
            guard let collection = NSID(collectionText), let rkey = RecordKey(rkeyText) else {
                return Self.error(400, "InvalidRequest", "invalid collection or rkey")
            }
            guard let account = self.accounts.withLock({ $0[didText] }) else {
                return Self.error(400, "RepoNotFound", "Could not find repo for DID: \(didText)")
            }
            if let status = account.status { return Self.error(400, status, "repository unavailable: \(status)") }
            let snapshot = account.replayedRecords[rkey.string] ?? account.served
            if account.recordNotFoundErrors, snapshot.recordCID(collection: collection, recordKey: rkey) == nil {
                return Self.error(400, "RecordNotFound", "Could not locate record: at://\(didText)/\(collection)/\(rkey)")
            }
            let car = snapshot.proofCAR(collection: collection, recordKey: rkey)
            return Response(
                status: .ok, headers: [.contentType: "application/vnd.ipld.car"], body: .init(byteBuffer: ByteBuffer(bytes: car)))
        }
        router.get("xrpc/com.atproto.sync.getLatestCommit") { request, _ in
            guard let did = request.uri.queryParameters["did"].map(String.init) else {
                return Self.error(400, "InvalidRequest", "did is required")
            }
            guard let account = self.accounts.withLock({ $0[did] }) else {
                return Self.error(400, "RepoNotFound", "Could not find repo for DID: \(did)")
            }
            if let status = account.status { return Self.error(400, status, "repository unavailable: \(status)") }
            let body = JSONValue.object([
                JSONMember(name: "cid", value: .string(account.served.commitCID.string)),
                JSONMember(name: "rev", value: .string(account.served.commit.rev?.string ?? "")),
            ]).serialized
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static func error(_ status: Int, _ name: String, _ message: String) -> Response {
        let body = JSONValue.object([JSONMember(name: "error", value: .string(name)), JSONMember(name: "message", value: .string(message))])
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
    }
}
