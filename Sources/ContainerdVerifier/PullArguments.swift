/// The command line containerd 2.x's `bindir` image-verifier plugin runs a verifier with,
/// always these three Go-style flags in this order (docs/containerd.md):
///
/// ```
/// <bin_dir>/atcr-containerd-verifier -name <ref> -digest <sha256:…> -stdin-media-type application/vnd.oci.descriptor.v1+json
/// ```
///
/// Parsed as Go's `flag` package parses: `-flag value`, `-flag=value`, and the same with two
/// dashes. Anything else (an unknown flag, a repeated one, a positional argument) is refused:
/// a verifier that guessed would decide a pull it does not understand.
public struct PullArguments: Sendable, Equatable {
    /// The only stdin media type containerd sends: one OCI descriptor, as JSON.
    public static let descriptorMediaType = "application/vnd.oci.descriptor.v1+json"

    /// `-name`: the image reference as containerd resolved it (for CRI the normalized docker
    /// reference, e.g. `docker.io/library/nginx:1.27`).
    public let name: String
    /// `-digest`: the digest of the top-level descriptor (for a multi-arch image the index's).
    public let digest: String
    /// `-stdin-media-type`: what stdin holds.
    public let stdinMediaType: String

    public init(name: String, digest: String, stdinMediaType: String = PullArguments.descriptorMediaType) {
        self.name = name
        self.digest = digest
        self.stdinMediaType = stdinMediaType
    }

    /// The flags this verifier takes.
    static let flags = ["name", "digest", "stdin-media-type"]

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) throws(PullInputError) -> PullArguments {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else {
                throw .usage("unexpected argument '\(argument)'")
            }
            var body = argument.dropFirst(argument.hasPrefix("--") ? 2 : 1)
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                value = String(body[body.index(after: equals)...])
                body = body[..<equals]
            }
            let flag = String(body)
            if flag == "h" || flag == "help" { throw .usage("help requested") }
            guard flags.contains(flag) else { throw .usage("unknown flag -\(flag)") }
            guard values[flag] == nil else { throw .usage("-\(flag) given twice") }
            if value == nil {
                guard index < arguments.count else { throw .usage("-\(flag) needs a value") }
                value = arguments[index]
                index += 1
            }
            values[flag] = value
        }
        guard let name = values["name"], !name.isEmpty else { throw .usage("-name is missing") }
        guard let digest = values["digest"], !digest.isEmpty else { throw .usage("-digest is missing") }
        guard let mediaType = values["stdin-media-type"] else { throw .usage("-stdin-media-type is missing") }
        guard mediaType == descriptorMediaType else {
            throw .usage("-stdin-media-type \(mediaType) is not supported (only \(descriptorMediaType))")
        }
        return PullArguments(name: name, digest: digest, stdinMediaType: mediaType)
    }

    /// What `-help` (and every usage error) prints after the problem.
    public static let usage = """
        usage: atcr-containerd-verifier -name REF -digest DIGEST -stdin-media-type \(descriptorMediaType) < descriptor.json
        (run by containerd's image-verifier bindir plugin; configured by ATCR_* variables, see docs/containerd.md)
        """
}
