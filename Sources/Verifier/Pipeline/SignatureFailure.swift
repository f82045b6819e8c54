import ATProto

/// Why one signature did not verify. Each names exactly one failed check: a numbered check of
/// the record proof (1–22), or one of the verifier's own outcomes.
public struct SignatureFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A numbered check of a record proof (docs/proof-checks.md).
        case check(ProofCheck)
        /// The proof is valid and shows the record absent: revoked (deleted) or never signed.
        case recordAbsent
        /// The PDS served a commit older than one already seen for this DID, twice.
        case replayedCommit
        /// The signature artifact itself is unusable (subject, layer, JSON, record URI).
        case artifact
    }

    public let kind: Kind
    public let reason: String
    /// Transient failures (timeouts, 5xx, refused connections) are never cached.
    public let isTransient: Bool

    public init(_ kind: Kind, _ reason: String, transient: Bool = false) {
        self.kind = kind
        self.reason = reason
        isTransient = transient
    }

    /// A failed check of a record proof. CAR framing failures (checks 8 and 9: the bytes are not
    /// a whole CAR, e.g. cut short) say nothing about the signature: they are transient, so a
    /// repaired PDS is believed at once; every later check fails on well-formed content and is
    /// definite.
    public init(_ error: ProofError) {
        self.init(.check(error.check), error.reason, transient: error.check == .carHeader || error.check == .carSection)
    }

    /// The failed check's stable name: `check 10 (block-hash)`, `record-absent`, …
    public var checkName: String {
        switch kind {
        case .check(let check): return check.description
        case .recordAbsent: return "record-absent"
        case .replayedCommit: return "replayed-commit"
        case .artifact: return "artifact-invalid"
        }
    }

    /// The failed check as JSON names it: `{number, name}`.
    public var failedCheck: FailedCheck {
        switch kind {
        case .check(let check): return FailedCheck(check)
        default: return FailedCheck(number: nil, name: checkName)
        }
    }

    /// The number of the check (docs/proof-checks.md), when there is one.
    public var checkNumber: Int? {
        if case .check(let check) = kind { return check.rawValue }
        return nil
    }

    public var description: String { "\(checkName): \(reason)" }
}
