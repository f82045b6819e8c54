/// A failed check of a record proof. Each case belongs to exactly one numbered check
/// (`check`), and its description says what was wrong in words a person can act on.
public enum ProofError: Error, Equatable, Sendable, CustomStringConvertible {
    // A. DID and key (checks 1, 3–6; 2 is the network fetch, reported by the resolver)
    case didSyntax(String, DID.SyntaxError)
    case didDocumentIDMismatch(expected: String, found: String)
    case noSigningKey(did: String, reason: String)
    case invalidSigningKey(KeyError)
    case invalidPDSEndpoint(String)

    // C. CAR (8–10)
    case carHeader(String)
    case carSection(offset: Int, String)
    case blockCIDUnsupported(CID, String)
    case blockHashMismatch(CID)

    // D. Commit (11–17)
    case commitBlockMissing(CID)
    case commitBlockNotDAGCBOR(CID)
    case commitMalformed(String)
    case commitDIDMismatch(expected: String, found: String)
    case signature(SignatureError)
    case unsignedBytesMismatch

    // E. MST (18–20)
    case invalidRecordPath(String)
    case mstMalformed(node: CID, String)
    case mstIncomplete(missing: CID)
    case recordBlockMissing(CID)
    case recordBlockNotDAGCBOR(CID)

    // F. Record (21–22)
    case recordMalformed(String)
    case recordTypeMismatch(expected: String, found: String?)
    case recordFieldInvalid(field: String, String)
    case recordDigestMismatch(expected: String, found: String)
    case recordRepositoryMismatch(expected: String, found: String)

    /// The numbered check this failure belongs to.
    public var check: ProofCheck {
        switch self {
        case .didSyntax: return .didSyntax
        case .didDocumentIDMismatch: return .didDocumentID
        case .noSigningKey: return .signingKey
        case .invalidSigningKey: return .keyParse
        case .invalidPDSEndpoint: return .pdsEndpoint
        case .carHeader: return .carHeader
        case .carSection: return .carSection
        case .blockCIDUnsupported, .blockHashMismatch: return .blockHash
        case .commitBlockMissing, .commitBlockNotDAGCBOR: return .commitBlock
        case .commitMalformed: return .commitDecode
        case .commitDIDMismatch: return .commitDID
        case .signature(let error):
            switch error.checkNumber {
            case 14: return .signatureShape
            case 16: return .lowS
            default: return .signatureVerify
            }
        case .unsignedBytesMismatch: return .unsignedBytes
        case .invalidRecordPath: return .recordPath
        case .mstMalformed, .mstIncomplete: return .mstWalk
        case .recordBlockMissing, .recordBlockNotDAGCBOR: return .recordBlock
        case .recordMalformed, .recordTypeMismatch: return .recordDecode
        case .recordFieldInvalid, .recordDigestMismatch, .recordRepositoryMismatch: return .recordContent
        }
    }

    /// What went wrong, without the check prefix.
    public var reason: String {
        switch self {
        case .didSyntax(let did, let error): return "'\(did)': \(error)"
        case .didDocumentIDMismatch(let expected, let found):
            return "DID document id is \(found), not \(expected) (the server answered with another account's document)"
        case .noSigningKey(let did, let reason): return "no #atproto signing key for \(did): \(reason)"
        case .invalidSigningKey(let error): return "signing key: \(error)"
        case .invalidPDSEndpoint(let why): return "PDS endpoint: \(why)"
        case .carHeader(let why): return "CAR header: \(why)"
        case .carSection(let offset, let why): return "CAR section at byte \(offset): \(why)"
        case .blockCIDUnsupported(let cid, let why): return "block \(cid): \(why)"
        case .blockHashMismatch(let cid): return "block \(cid): its bytes do not hash to its CID (tampered)"
        case .commitBlockMissing(let cid): return "the CAR's root commit block \(cid) is not in the CAR"
        case .commitBlockNotDAGCBOR(let cid): return "the CAR's root \(cid) is not a dag-cbor block"
        case .commitMalformed(let why): return "commit: \(why)"
        case .commitDIDMismatch(let expected, let found):
            return "commit is for \(found), not \(expected) (a validly signed commit of another account)"
        case .signature(let error): return "commit signature: \(error)"
        case .unsignedBytesMismatch:
            return "the commit does not re-encode to its signed block, so its unsigned bytes cannot be derived"
        case .invalidRecordPath(let why): return "record path: \(why)"
        case .mstMalformed(let node, let why): return "MST node \(node): \(why)"
        case .mstIncomplete(let missing): return "incomplete proof: MST node \(missing) on the record's path is not in the CAR"
        case .recordBlockMissing(let cid): return "the record block \(cid) that the MST names is not in the CAR"
        case .recordBlockNotDAGCBOR(let cid): return "the record CID \(cid) is not a dag-cbor sha2-256 CIDv1"
        case .recordMalformed(let why): return "record: \(why)"
        case .recordTypeMismatch(let expected, let found):
            return "record $type is \(found.map { "'\($0)'" } ?? "missing"), expected '\(expected)'"
        case .recordFieldInvalid(let field, let why): return "record field \(field): \(why)"
        case .recordDigestMismatch(let expected, let found):
            return "record names digest \(found), not the image digest \(expected)"
        case .recordRepositoryMismatch(let expected, let found):
            return "record names repository '\(found)', not '\(expected)'"
        }
    }

    /// `check 10 (block-hash): block bafy…: its bytes do not hash to its CID (tampered)`.
    public var description: String { "\(check): \(reason)" }
}
