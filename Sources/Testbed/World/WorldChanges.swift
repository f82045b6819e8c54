import ATProto
import ATProtoWriter
import OCI
import Synchronization

/// What one live change did: the account, the rev of the new signed commit, and what moved.
public struct WorldChange: Sendable, Equatable {
    public var did: String
    /// The rev of the commit the change signed (every change ends with a new commit).
    public var rev: String
    /// The record deleted (revoke) or written (sign).
    public var uri: String?
    /// The image signed (sign): its reference by tag and its digest.
    public var reference: String?
    public var digest: String?
    /// A key rotation: the Multikeys before and after.
    public var oldKey: String?
    public var newKey: String?
    /// A move: the PDS origins before and after.
    public var oldPDS: String?
    public var newPDS: String?

    init(did: DID, rev: TID?) {
        self.did = did.string
        self.rev = rev?.string ?? ""
    }

    /// The admin endpoint's answer.
    public var json: JSONValue {
        var members = [JSONMember(name: "did", value: .string(did)), JSONMember(name: "rev", value: .string(rev))]
        for (name, value) in [
            ("uri", uri), ("reference", reference), ("digest", digest), ("oldKey", oldKey), ("newKey", newKey),
            ("oldPDS", oldPDS), ("newPDS", newPDS),
        ] {
            if let value { members.append(JSONMember(name: name, value: .string(value))) }
        }
        return .object(members)
    }
}

/// Why a live change could not be made.
public struct WorldChangeError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Changes a running world the way account owners and PDS operators do, each ending in a new
/// signed commit: revoke a signature (delete its record), an unrelated commit (a post), rotate
/// an account's signing key (new DID document, later commits signed with the new key), move an
/// account to the world's other PDS (new DID document, the old PDS answers `RepoDeactivated`),
/// add an account, sign a new image. `atcr-testbed change` reaches these through the world's
/// admin endpoint (``WorldAdmin``).
public final class WorldChanges: Sendable {
    private struct State {
        var added: [String: WorldAccount] = [:]
        /// Index into `pdses` of the PDS an account lives on (absent: the first).
        var location: [String: Int] = [:]
        var rotations: [String: Int] = [:]
        var clock: UInt64 = 1_764_100_000_000_000
    }

    let plc: PLCDirectory
    let didWeb: DIDWebHost
    let registry: TestRegistry
    let registryName: String
    /// The world's PDSes and their origins; accounts start on the first.
    let pdses: [(server: PersonalDataServer, origin: String)]
    let initial: [String: WorldAccount]
    let images: [WorldImage]
    private let state = Mutex(State())

    init(
        plc: PLCDirectory, didWeb: DIDWebHost, registry: TestRegistry, registryName: String,
        pdses: [(server: PersonalDataServer, origin: String)], accounts: [String: WorldAccount], images: [WorldImage]
    ) {
        self.plc = plc
        self.didWeb = didWeb
        self.registry = registry
        self.registryName = registryName
        self.pdses = pdses
        initial = accounts
        self.images = images
    }

    /// The account called `name`: one of the world's or one added since.
    public func account(named name: String) throws(WorldChangeError) -> WorldAccount {
        if let account = initial[name] ?? state.withLock({ $0.added[name] }) { return account }
        throw WorldChangeError(description: "no account '\(name)'")
    }

    /// The PDS `did` lives on now, and its origin.
    public func home(of did: DID) -> (server: PersonalDataServer, origin: String) {
        pdses[state.withLock { $0.location[did.string] } ?? 0]
    }

    /// The key `did` signs its commits with now.
    public func currentKey(of did: DID) -> PublicKey? {
        home(of: did).server.account(did)?.signer.publicKey
    }

    // MARK: - Changes

    /// Deletes the record `uri` (an `io.atcr.manifest` AT-URI) in a new signed commit: the
    /// signature that points at it is revoked.
    public func revoke(recordURI uri: String) throws(WorldChangeError) -> WorldChange {
        let parsed: ATURI
        let did: DID
        do {
            parsed = try ATURI(uri)
            did = try DID(parsed.authority)
        } catch {
            throw WorldChangeError(description: "'\(uri)' is not a record AT-URI: \(error)")
        }
        guard let collection = parsed.collection, let recordKey = parsed.recordKey else {
            throw WorldChangeError(description: "'\(uri)' does not name a record")
        }
        let pds = home(of: did).server
        guard pds.account(did)?.latest.recordCID(collection: collection, recordKey: recordKey) != nil else {
            throw WorldChangeError(description: "\(uri) is not in the current commit of \(did)")
        }
        var change = WorldChange(did: did, rev: try commit(did) { $0.delete(collection: collection, recordKey: recordKey) })
        change.uri = uri
        return change
    }

    /// Revokes every signature of the scenario image called `scenario`.
    public func revoke(scenario: String) throws(WorldChangeError) -> [WorldChange] {
        guard let image = images.first(where: { $0.scenario == scenario }) else {
            throw WorldChangeError(description: "no scenario '\(scenario)'")
        }
        guard !image.recordURIs.isEmpty else { throw WorldChangeError(description: "scenario '\(scenario)' has no signature record") }
        var changes: [WorldChange] = []
        for uri in image.recordURIs { changes.append(try revoke(recordURI: uri)) }
        return changes
    }

    /// A commit that touches no `io.atcr.manifest` record (a post), as an active account makes
    /// all the time.
    public func unrelatedCommit(account name: String) throws(WorldChangeError) -> WorldChange {
        let account = try account(named: name)
        let recordKey = nextRecordKey()
        let post: DAGCBORValue = .map(DAGCBORMap([
            "$type": .text("app.bsky.feed.post"), "text": .text("an unrelated post"), "createdAt": .text("2026-12-01T00:00:00.000Z"),
        ]))
        guard let collection = NSID("app.bsky.feed.post") else { throw WorldChangeError(description: "bad collection") }
        return WorldChange(did: account.did, rev: try commit(account.did) { $0.put(collection: collection, recordKey: recordKey, record: post) })
    }

    /// Rotates the account's signing key: publishes a DID document with a new key (of the same
    /// type), then signs a new commit with it. Earlier commits keep their old signatures.
    public func rotateKey(account name: String) throws(WorldChangeError) -> WorldChange {
        let account = try account(named: name)
        let count = state.withLock { state -> Int in
            state.rotations[account.did.string, default: 0] += 1
            return state.rotations[account.did.string, default: 1]
        }
        let newKey = SigningKey.derived(account.key.type, seed: "world-\(account.name)-rotation-\(count)")
        let (pds, origin) = home(of: account.did)
        let oldKey = currentKey(of: account.did)
        publish(account, key: newKey.publicKey, pds: origin)
        do {
            try pds.setSigner(did: account.did, newKey)
        } catch {
            throw WorldChangeError(description: "\(error)")
        }
        var change = WorldChange(did: account.did, rev: try commit(account.did) { _ in })
        change.oldKey = oldKey?.multikey
        change.newKey = newKey.publicKey.multikey
        return change
    }

    /// Moves the account to the world's other PDS: the new PDS takes its repository, the DID
    /// document names the new endpoint, the old PDS answers `RepoDeactivated`, and the new PDS
    /// signs a new commit.
    public func movePDS(account name: String) throws(WorldChangeError) -> WorldChange {
        let account = try account(named: name)
        let from = state.withLock { $0.location[account.did.string] } ?? 0
        let to = (from + 1) % pdses.count
        guard from != to, let moving = pdses[from].server.account(account.did) else {
            throw WorldChangeError(description: "\(name) cannot move: the world has one PDS, or the account is not on it")
        }
        pdses[to].server.adopt(did: account.did, account: moving)
        state.withLock { $0.location[account.did.string] = to }
        publish(account, key: moving.signer.publicKey, pds: pdses[to].origin)
        pdses[from].server.setStatus(did: account.did, "RepoDeactivated")
        var change = WorldChange(did: account.did, rev: try commit(account.did) { _ in })
        change.oldPDS = pdses[from].origin
        change.newPDS = pdses[to].origin
        return change
    }

    /// Creates a did:plc account called `name` on the first PDS (trusted by no policy until
    /// someone adds it).
    public func addAccount(name: String, keyType: KeyType = .k256) throws(WorldChangeError) -> WorldChange {
        guard (try? account(named: name)) == nil else { throw WorldChangeError(description: "account '\(name)' exists") }
        let account: WorldAccount
        do {
            account = try WorldAccount.plc(name, keyType: keyType)
            try pdses[0].server.createAccount(did: account.did, signer: account.key)
        } catch {
            throw WorldChangeError(description: "cannot create account '\(name)': \(error)")
        }
        state.withLock { $0.added[name] = account }
        publish(account, key: account.key.publicKey, pds: pdses[0].origin)
        var change = WorldChange(did: account.did, rev: pdses[0].server.account(account.did)?.latest.commit.rev)
        change.newKey = account.key.publicKey.multikey
        return change
    }

    /// Pushes a new image to `repository:tag` and signs it as `account` (a new record in a new
    /// signed commit, and a signature artifact in the registry).
    public func signImage(account name: String, repository: String, tag: String) throws(WorldChangeError) -> WorldChange {
        let account = try account(named: name)
        let recordKey = nextRecordKey()
        let (pds, origin) = home(of: account.did)
        do {
            let image = try registry.pushImage(repository: repository, tag: tag, seed: "\(repository):\(tag):\(recordKey.string)")
            let shortName = repository.split(separator: "/", maxSplits: 1).last.map(String.init) ?? repository
            let artifact = try WorldSigner(pds: pds, pdsOrigin: origin).sign(image, name: shortName, recordKey: recordKey, by: account)
            try registry.push(artifact, repository: repository)
            var change = WorldChange(did: account.did, rev: pds.account(account.did)?.latest.commit.rev)
            change.uri = ATURI(did: account.did, collection: .atcrManifest, recordKey: recordKey).string
            change.reference = "\(registryName)/\(repository):\(tag)"
            change.digest = image.digest.description
            return change
        } catch {
            throw WorldChangeError(description: "cannot sign \(repository):\(tag) as \(name): \(error)")
        }
    }

    // MARK: - Building blocks

    private func commit(_ did: DID, _ change: (inout Repository) -> Void) throws(WorldChangeError) -> TID? {
        do {
            return try home(of: did).server.commit(did: did, change).commit.rev
        } catch {
            throw WorldChangeError(description: "cannot commit for \(did): \(error)")
        }
    }

    private func publish(_ account: WorldAccount, key: PublicKey, pds: String) {
        let document = account.document(pds: pds, key: key)
        if account.did.method == .web { didWeb.publish(document) } else { plc.publish(account.did, document: document) }
    }

    private func nextRecordKey() -> RecordKey {
        let micros = state.withLock { state -> UInt64 in
            state.clock += 1_000
            return state.clock
        }
        return RecordKey(TID(microseconds: micros, clockID: 11))
    }
}
