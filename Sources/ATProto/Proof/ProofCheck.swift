/// The numbered checks of a record proof (docs/proof-checks.md). Every failure names one of them,
/// so a denial can say exactly which check an image failed.
public enum ProofCheck: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case didSyntax = 1
    case didResolution = 2
    case didDocumentID = 3
    case signingKey = 4
    case keyParse = 5
    case pdsEndpoint = 6
    case proofFetch = 7
    case carHeader = 8
    case carSection = 9
    case blockHash = 10
    case commitBlock = 11
    case commitDecode = 12
    case commitDID = 13
    case signatureShape = 14
    case unsignedBytes = 15
    case lowS = 16
    case signatureVerify = 17
    case recordPath = 18
    case mstWalk = 19
    case recordBlock = 20
    case recordDecode = 21
    case recordContent = 22
    case policy = 23

    /// The check's stable machine name, e.g. `block-hash`.
    public var name: String {
        switch self {
        case .didSyntax: return "did-syntax"
        case .didResolution: return "did-resolution"
        case .didDocumentID: return "did-document-id"
        case .signingKey: return "signing-key"
        case .keyParse: return "key-parse"
        case .pdsEndpoint: return "pds-endpoint"
        case .proofFetch: return "proof-fetch"
        case .carHeader: return "car-header"
        case .carSection: return "car-section"
        case .blockHash: return "block-hash"
        case .commitBlock: return "commit-block"
        case .commitDecode: return "commit-decode"
        case .commitDID: return "commit-did"
        case .signatureShape: return "signature-shape"
        case .unsignedBytes: return "unsigned-bytes"
        case .lowS: return "low-s"
        case .signatureVerify: return "signature-verify"
        case .recordPath: return "record-path"
        case .mstWalk: return "mst-walk"
        case .recordBlock: return "record-block"
        case .recordDecode: return "record-decode"
        case .recordContent: return "record-content"
        case .policy: return "policy"
        }
    }

    /// `check 10 (block-hash)`.
    public var description: String { "check \(rawValue) (\(name))" }

    public static func < (lhs: ProofCheck, rhs: ProofCheck) -> Bool { lhs.rawValue < rhs.rawValue }
}
