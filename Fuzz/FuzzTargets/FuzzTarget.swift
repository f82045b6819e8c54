/// The parsers that read untrusted bytes, as libFuzzer targets. Each target feeds the bytes to
/// one parser through its public API and checks what must hold for every input: no trap, and,
/// where the parser accepts, the properties that make it safe to rely on (a canonical decoder's
/// re-encoding is the input; a normalized reference parses to itself). A violated property is a
/// `preconditionFailure`, which libFuzzer reports as a crash with the input that caused it.
///
/// `scripts/fuzz` runs them under libFuzzer (with the address sanitizer); the `FuzzTargetTests`
/// replay every seed and every past crash through the same functions in the ordinary test run.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case dagcbor
    case car
    case mst
    case admission
    case policy
    case reference
    case oci
    case diddoc

    /// Runs one input. Never throws: a rejected input is the expected outcome for most bytes.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .dagcbor: FuzzATProto.dagcbor(bytes)
        case .car: FuzzATProto.car(bytes)
        case .mst: FuzzATProto.mst(bytes)
        case .diddoc: FuzzATProto.didDocument(bytes)
        case .admission: FuzzAdmission.review(bytes)
        case .policy: FuzzPolicy.load(bytes)
        case .reference: FuzzOCI.reference(bytes)
        case .oci: FuzzOCI.json(bytes)
        }
    }

    /// Where its seed inputs live, relative to the repository root: the target's own seeds
    /// (Fuzz/seeds/NAME) and the test fixtures of the same format.
    public var seedDirectories: [String] {
        let own = "Fuzz/seeds/\(rawValue)"
        switch self {
        case .admission: return [own, "Tests/AdmissionTests/Fixtures/reviews"]
        default: return [own]
        }
    }

    /// Inputs that once crashed or broke a property (Fuzz/crashes/NAME), replayed by the tests.
    public var crashDirectory: String { "Fuzz/crashes/\(rawValue)" }

    /// What the target reads, for `--help` and the report.
    public var summary: String {
        switch self {
        case .dagcbor: "strict DAG-CBOR decoder (canonical re-encoding equals the input)"
        case .car: "CAR v1 reader (block hashes, limits)"
        case .mst: "MST proof walk over the blocks of a CAR"
        case .admission: "AdmissionReview parser (our JSON parser) and the image plan"
        case .policy: "trust-policy loader (YAML, validation, lint)"
        case .reference: "image-reference parser (normalization is idempotent)"
        case .oci: "OCI manifest and index JSON, signature-artifact checks, signature payload"
        case .diddoc: "DID document parser, signing key and PDS endpoint"
        }
    }
}
