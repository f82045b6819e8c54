import ContainerdVerifier
import OCI
import Testing

/// The pure pieces: containerd's command line, the descriptor on stdin, the settings, the reason line.
@Suite("containerd verifier inputs")
struct PullInputTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let other = "sha256:" + String(repeating: "cd", count: 32)
    static let mediaType = PullArguments.descriptorMediaType

    @Test("Go flag spellings: -flag value, -flag=value, --flag value, --flag=value")
    func flagSpellings() throws {
        let expected = PullArguments(name: "docker.io/library/nginx:1.27", digest: Self.digest)
        for arguments in [
            ["-name", "docker.io/library/nginx:1.27", "-digest", Self.digest, "-stdin-media-type", Self.mediaType],
            ["-name=docker.io/library/nginx:1.27", "-digest=\(Self.digest)", "-stdin-media-type=\(Self.mediaType)"],
            ["--name", "docker.io/library/nginx:1.27", "--digest", Self.digest, "--stdin-media-type", Self.mediaType],
            ["-stdin-media-type", Self.mediaType, "--digest=\(Self.digest)", "-name", "docker.io/library/nginx:1.27"],
        ] {
            #expect(try PullArguments.parse(arguments) == expected, "\(arguments)")
        }
    }

    @Test("anything but containerd's invocation is a usage error")
    func usageErrors() {
        for (arguments, expected) in [
            ([String](), "-name is missing"),
            (["-name", "a"], "-digest is missing"),
            (["-name", "a", "-digest", Self.digest], "-stdin-media-type is missing"),
            (["-name"], "-name needs a value"),
            (["-help"], "help requested"),
            (["--", "-name", "a"], "unexpected argument '--'"),
        ] {
            #expect(throws: PullInputError.usage(expected), "\(arguments)") { try PullArguments.parse(arguments) }
        }
    }

    @Test("the descriptor as containerd encodes it, extra fields ignored")
    func descriptor() throws {
        let text = #"{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"\#(Self.digest)","size":10229,"annotations":{"a":"b"},"platform":{"architecture":"amd64","os":"linux"}}"# + "\n"
        let parsed = try PulledDescriptor.parse(Array(text.utf8))
        #expect(parsed == PulledDescriptor(mediaType: "application/vnd.oci.image.index.v1+json", digest: try Digest(parsing: Self.digest), size: 10229))
        #expect(throws: PullInputError.descriptor("no size (a whole number of bytes, at least 0)")) {
            try PulledDescriptor.parse(Array(#"{"mediaType":"m","digest":"\#(Self.digest)","size":-1}"#.utf8))
        }
        #expect(throws: PullInputError.descriptor("no mediaType string")) {
            try PulledDescriptor.parse(Array(#"{"digest":"\#(Self.digest)","size":1}"#.utf8))
        }
    }

    @Test("the target is -name pinned to -digest; disagreeing inputs are refused")
    func target() throws {
        let descriptor = PulledDescriptor(mediaType: "m", digest: try Digest(parsing: Self.digest), size: 1)
        let byTag = try PullTarget(arguments: PullArguments(name: "nginx:1.27", digest: Self.digest), descriptor: descriptor)
        #expect(byTag.reference.description == "docker.io/library/nginx:1.27@\(Self.digest)")
        let byDigest = try PullTarget(arguments: PullArguments(name: "ghcr.io/a/b@\(Self.digest)", digest: Self.digest), descriptor: descriptor)
        #expect(byDigest.reference.description == "ghcr.io/a/b@\(Self.digest)")
        #expect(throws: PullInputError.self) { try PullTarget(arguments: PullArguments(name: "ghcr.io/a/b@\(Self.other)", digest: Self.digest), descriptor: descriptor) }
        #expect(throws: PullInputError.self) { try PullTarget(arguments: PullArguments(name: "ghcr.io/a/b:v1", digest: Self.other), descriptor: descriptor) }
        #expect(throws: PullInputError.self) { try PullTarget(arguments: PullArguments(name: "ghcr.io/A/B:v1", digest: Self.digest), descriptor: descriptor) }
        #expect(throws: PullInputError.self) { try PullTarget(arguments: PullArguments(name: "ghcr.io/a/b:v1", digest: "md5:x"), descriptor: descriptor) }
    }

    @Test("settings come from ATCR_* variables only; problems name the variable")
    func settings() throws {
        let defaults = try PullSettings.read(environment: [:])
        #expect(defaults.policyFile == "/etc/atcr-verify/policy/policy.yaml")
        #expect(defaults.timeout == .seconds(8) && !defaults.allowInsecureLocal && defaults.plcDirectory == "https://plc.directory")
        let set = try PullSettings.read(environment: [
            "ATCR_POLICY": "/p.yaml", "ATCR_TIMEOUT": "5", "ATCR_ALLOW_INSECURE_LOCAL": "TRUE", "ATCR_CA_BUNDLE": "/ca.pem",
            "ATCR_PLC_URL": "https://plc.example", "ATCR_DOCKER_CONFIG": "/d.json", "ATCR_TYPO": "1", "PATH": "/bin",
        ])
        #expect(set.policyFile == "/p.yaml" && set.timeout == .seconds(5) && set.allowInsecureLocal)
        #expect(set.caBundle == "/ca.pem" && set.plcDirectory == "https://plc.example" && set.dockerConfig == "/d.json")
        #expect(set.unknownVariables == ["ATCR_TYPO"])
        do {
            _ = try PullSettings.read(environment: ["ATCR_TIMEOUT": "0", "ATCR_AUDIT_ONLY": "maybe"])
            Issue.record("accepted")
        } catch {
            #expect(error.problems.contains("ATCR_TIMEOUT=0: out of range 1…60"), "\(error.problems)")
            #expect(error.problems.contains("ATCR_AUDIT_ONLY='maybe': not a boolean: true, false, 1 or 0"), "\(error.problems)")
        }
    }

    @Test("the reason is one line within 4 KiB, whatever it quotes")
    func reasonBound() {
        let outcome = PullOutcome(exitCode: 1, reason: "line one\nline two\t" + String(repeating: "é", count: 5000))
        #expect(!outcome.reason.contains("\n") && !outcome.reason.contains("\t"))
        #expect(outcome.reason.utf8.count <= PullOutcome.maxReasonBytes && outcome.reason.hasSuffix("…"))
    }
}
