/// Why a pull cannot be judged at all: the invocation, stdin or the configuration is unusable.
/// The verifier then exits 2, which containerd treats as a rejection (fail closed), with the
/// reason on stdout.
public enum PullInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command line is not the one containerd passes.
    case usage(String)
    /// stdin does not hold one OCI descriptor, or not the one `-digest` names.
    case descriptor(String)
    /// `-name` and `-digest` do not name one image.
    case reference(String)
    /// The `ATCR_*` settings, the trust policy or another file cannot be used.
    case configuration(String)

    public var description: String {
        switch self {
        case .usage(let text): "invalid invocation: \(text) (expected -name REF -digest DIGEST -stdin-media-type \(PullArguments.descriptorMediaType))"
        case .descriptor(let text): "invalid descriptor on stdin: \(text)"
        case .reference(let text): text
        case .configuration(let text): "configuration: \(text)"
        }
    }
}
