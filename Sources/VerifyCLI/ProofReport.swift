import ATProto

/// The outcome of `atcr-verify proof`, rendered as text or JSON, with its exit code.
public struct ProofReport: Sendable {
    /// Exit codes of `atcr-verify proof`.
    public enum Outcome: Int32, Sendable {
        /// The proof is valid and the record is present.
        case present = 0
        /// The proof is invalid: a numbered check failed.
        case invalid = 1
        /// An input was unusable (unreadable file, malformed DID, key or path).
        case badInput = 2
        /// The proof is valid and shows the record absent (revoked or never signed).
        case absent = 3
    }

    public let outcome: Outcome
    public let did: String
    public let collection: String
    public let recordKey: String
    public let keyType: KeyType?
    public let keySource: ResolvedKey.Source?
    public let proof: RecordProof?
    public let failedCheck: ProofCheck?
    public let message: String?

    /// A verified proof, present or absent.
    public init(proof: RecordProof, collection: String, recordKey: String, keySource: ResolvedKey.Source) {
        outcome = proof.isPresent ? .present : .absent
        did = proof.did.string
        self.collection = collection
        self.recordKey = recordKey
        keyType = proof.keyType
        self.keySource = keySource
        self.proof = proof
        failedCheck = nil
        message = nil
    }

    /// A failure: a numbered check (`invalid`), or unusable input (`badInput`).
    public init(
        failure outcome: Outcome, did: String, collection: String, recordKey: String, keyType: KeyType?,
        keySource: ResolvedKey.Source?, check: ProofCheck?, message: String
    ) {
        self.outcome = outcome
        self.did = did
        self.collection = collection
        self.recordKey = recordKey
        self.keyType = keyType
        self.keySource = keySource
        proof = nil
        failedCheck = check
        self.message = message
    }

    var recordURI: String { "at://\(did)/\(collection)/\(recordKey)" }

    /// The machine-readable form.
    public var json: JSONValue {
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var members: [JSONMember] = [
            JSONMember(name: "valid", value: .bool(outcome == .present || outcome == .absent)),
            JSONMember(name: "present", value: .bool(outcome == .present)),
            JSONMember(name: "failedCheck", value: failedCheck.map { FailedCheck($0).json } ?? .null),
            JSONMember(name: "error", value: string(message)),
            JSONMember(name: "exitCode", value: .number(String(outcome.rawValue))),
            JSONMember(name: "did", value: .string(did)),
            JSONMember(name: "keyType", value: string(keyType?.rawValue)),
            JSONMember(name: "keySource", value: string(keySource?.rawValue)),
            JSONMember(name: "recordUri", value: .string(recordURI)),
            JSONMember(name: "commitCid", value: string(proof?.commitCID.string)),
            JSONMember(name: "rev", value: string(proof?.rev?.string)),
            JSONMember(name: "dataCid", value: string(proof?.commit.data.string)),
            JSONMember(name: "recordCid", value: string(proof?.record?.cid.string)),
            JSONMember(name: "mstPath", value: proof.map { .array($0.mstPath.map { .string($0.string) }) } ?? .null),
        ]
        members.append(JSONMember(name: "record", value: proof?.record.map { AtprotoJSON.json(from: .map($0.value)) } ?? .null))
        return .object(members)
    }

    /// The human-readable form.
    public var text: String {
        var lines: [String] = []
        switch outcome {
        case .present: lines.append("proof VALID: record present in the signed repository")
        case .absent: lines.append("proof VALID: record ABSENT from the signed repository (revoked or never signed)")
        case .invalid: lines.append("proof INVALID: \(failedCheck.map { "\($0): " } ?? "")\(message ?? "")")
        case .badInput: lines.append("bad input: \(failedCheck.map { "\($0): " } ?? "")\(message ?? "")")
        }
        lines.append("  record   \(recordURI)")
        if let keyType { lines.append("  key      \(keyType.displayName) (\(keySource?.rawValue ?? "given"))") }
        if let proof {
            lines.append("  commit   \(proof.commitCID) rev \(proof.rev?.string ?? "none (v2)")")
            lines.append("  tree     \(proof.commit.data), \(proof.mstPath.count) node(s) on the path")
            if let record = proof.record {
                lines.append("  cid      \(record.cid)")
                if case .text(let repository) = record.value["repository"], case .text(let digest) = record.value["digest"] {
                    lines.append("  image    \(repository)@\(digest)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
