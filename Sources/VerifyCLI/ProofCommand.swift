import ATProto
import ArgumentParser
import CommandSettings
import Foundation
import HTTPFetch

/// `atcr-verify proof`: verify a `com.atproto.sync.getRecord` CAR offline.
public struct ProofCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Verify a record proof (a getRecord CAR) offline, for forensics and air-gapped checks.",
        discussion: """
            Runs checks 8–22 of docs/proof-checks.md: every block's hash, the signed commit (DID, low-S signature under \
            the key), the MST path to collection/rkey, and the record.

            --key is a did:key, a Multikey (z…), a legacy multibase point (with --key-type), or the \
            path of a DID-document JSON file (its id must be --did; its #atproto key is used).

            Exit codes: 0 proof valid, record present; 3 proof valid, record absent (revoked or never \
            signed); 1 proof invalid (the failed check is named); 2 bad input.

            Examples:
              atcr-verify proof --car record.car --did did:plc:… --key did:key:z… --rkey 3l…
              atcr-verify proof --car record.car --did did:web:signer.example.com --key did.json --rkey 3l… \
                --expect-digest sha256:… --expect-repository prod-api --json
            """)

    @Option(name: .long, help: "The CAR file (the answer of com.atproto.sync.getRecord).")
    var car: String

    @Option(name: .long, help: "The signer's DID (did:plc or did:web).")
    var did: String

    @Option(name: .long, help: "The signing key: did:key, Multikey, legacy multibase, or a DID-document file.")
    var key: String

    @Option(name: .long, help: "The key's curve, required for a legacy multibase point: k256 or p256.")
    var keyType: KeyType?

    @Option(name: .long, help: "The record's collection (NSID).")
    var collection: String = NSID.atcrManifest.string

    @Option(name: .long, help: "The record key.")
    var rkey: String

    @Option(name: .long, help: "Also require the record to name this image digest (sha256:<hex>).")
    var expectDigest: String?

    @Option(name: .long, help: "Also require the record to name this repository (with --expect-digest).")
    var expectRepository: String?

    @Flag(name: .long, help: "Accept version 2 commits (old repositories).")
    var allowV2Commits = false

    @Option(name: .long, parsing: .unconditional, help: "Largest CAR accepted, in bytes (a single-record proof is a few KB).")
    var maxCarBytes: Int = 64 * 1024 * 1024

    @Flag(name: .long, help: "Print the verdict as JSON.")
    var json = false

    public init() {}

    public func validate() throws {
        if (expectDigest == nil) != (expectRepository == nil) {
            throw ValidationError("--expect-digest and --expect-repository go together")
        }
        var settings = SettingsReader(environment: [:])
        _ = settings.int(maxCarBytes, "--max-car-bytes", default: 64 * 1024 * 1024, atLeast: 1)
        try settings.checkAsUsage()
    }

    public func run() throws {
        let inputs = ProofInputs(
            carPath: car, did: did, key: key, keyType: keyType, collection: collection, recordKey: rkey,
            expectation: expectDigest.flatMap { digest in expectRepository.map { RecordExpectation(digest: digest, repository: $0) } },
            allowVersion2Commits: allowV2Commits, maxCARBytes: maxCarBytes)
        let report = ProofRunner.run(inputs, readFile: { FileReader.read($0, limit: $1) })
        print(json ? report.json.serialized : report.text)
        if report.outcome != .present { throw ExitCode(report.outcome.rawValue) }
    }
}

extension KeyType: ExpressibleByArgument {}

/// The inputs of one `proof` run.
public struct ProofInputs: Sendable {
    public var carPath: String
    public var did: String
    public var key: String
    public var keyType: KeyType?
    public var collection: String
    public var recordKey: String
    public var expectation: RecordExpectation?
    public var allowVersion2Commits: Bool
    public var maxCARBytes: Int

    public init(
        carPath: String, did: String, key: String, keyType: KeyType? = nil, collection: String = NSID.atcrManifest.string,
        recordKey: String, expectation: RecordExpectation? = nil, allowVersion2Commits: Bool = false,
        maxCARBytes: Int = 64 * 1024 * 1024
    ) {
        self.carPath = carPath
        self.did = did
        self.key = key
        self.keyType = keyType
        self.collection = collection
        self.recordKey = recordKey
        self.expectation = expectation
        self.allowVersion2Commits = allowVersion2Commits
        self.maxCARBytes = maxCARBytes
    }
}

/// Runs the proof check over inputs; file access comes from the caller.
public enum ProofRunner {
    /// `readFile(path, limit)` returns at most `limit` bytes, or nil when the path is unreadable.
    public static func run(_ inputs: ProofInputs, readFile: (String, Int) -> [UInt8]?) -> ProofReport {
        func failure(_ outcome: ProofReport.Outcome, _ check: ProofCheck?, _ message: String, key: ResolvedKey? = nil) -> ProofReport {
            ProofReport(
                failure: outcome, did: inputs.did, collection: inputs.collection, recordKey: inputs.recordKey,
                keyType: key?.key.type ?? inputs.keyType, keySource: key?.source, check: check, message: message)
        }
        let did: DID
        do {
            did = try DID(inputs.did)
        } catch {
            return failure(.badInput, .didSyntax, "--did '\(inputs.did)': \(error)")
        }
        let resolved: ResolvedKey
        do {
            resolved = try KeyArgument.resolve(inputs.key, keyType: inputs.keyType, did: did) {
                readFile($0, KeyArgument.maxDocumentSize + 1)
            }
        } catch {
            return failure(.badInput, error.check, error.message)
        }
        let request: RecordProofRequest
        do {
            request = try RecordProofRequest(
                did: inputs.did, key: resolved.key, collection: inputs.collection, recordKey: inputs.recordKey,
                expectation: inputs.expectation)
        } catch {
            return failure(.badInput, error.check, error.reason, key: resolved)
        }
        guard let car = readFile(inputs.carPath, inputs.maxCARBytes + 1) else {
            let reason = FileReader.problem(inputs.carPath).map { ": \($0)" } ?? ""
            return failure(.badInput, nil, "cannot read the CAR file \(inputs.carPath)\(reason)", key: resolved)
        }
        guard car.count <= inputs.maxCARBytes else {
            return failure(.badInput, nil, "\(inputs.carPath) is larger than --max-car-bytes \(inputs.maxCARBytes)", key: resolved)
        }
        let options = RecordProofVerifier.Options(
            carLimits: .init(maxSize: inputs.maxCARBytes, maxBlocks: 1_000_000, maxBlockSize: 2 * 1024 * 1024),
            allowVersion2Commits: inputs.allowVersion2Commits)
        do {
            let proof = try RecordProofVerifier(options: options).verify(car: car, request: request)
            return ProofReport(proof: proof, collection: inputs.collection, recordKey: inputs.recordKey, keySource: resolved.source)
        } catch {
            return failure(.invalid, error.check, error.reason, key: resolved)
        }
    }
}

/// Bounded file reads for the CLI.
public enum FileReader {
    /// At most `limit` bytes of the regular file at `path`, or nil when it cannot be read
    /// (`problem` says why).
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        try? LocalFile.read(path, limit: limit)
    }

    /// Why `path` cannot be read ("no such file", "is a directory, not a file", "permission
    /// denied"), or nil when it can.
    public static func problem(_ path: String) -> String? {
        LocalFile.problem(at: path)
    }
}
