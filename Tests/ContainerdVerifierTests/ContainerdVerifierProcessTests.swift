import Foundation
import Testbed
import Testing

/// The built `atcr-containerd-verifier`, called as containerd calls it (``ContainerdCall``),
/// against the local world: real TLS, registry, PLC directory, PDS and signed repositories.
@Suite("atcr-containerd-verifier as containerd runs it")
struct ContainerdVerifierProcessTests {
    /// containerd's environment for a node configured for `world` (the world's policy, PLC
    /// directory and CA, and the test-world switch).
    static func environment(_ world: TestWorld, _ extra: [String: String] = [:]) throws -> [String: String] {
        let state = world.directory.appendingPathComponent("containerd-\(UUID().uuidString)")
        try world.writeState(to: state)
        var environment = [
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "ATCR_POLICY": state.appendingPathComponent("policy.yaml").path,
            "ATCR_PLC_URL": world.plcServer.origin,
            "ATCR_CA_BUNDLE": try #require(world.caPath),
            "ATCR_ALLOW_INSECURE_LOCAL": "true",
            // A disk cache of this environment's own: calls with one environment share it, as
            // the pulls of one node do.
            "ATCR_CACHE_DIR": state.appendingPathComponent("cache").path,
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    /// `registry/repository` of the image's reference (no tag, no digest).
    static func repository(_ image: WorldImage) -> String {
        let name = String(image.reference.split(separator: "@")[0])
        guard let slash = name.lastIndex(of: "/"), let colon = name[slash...].lastIndex(of: ":") else { return name }
        return String(name[..<colon])
    }

    static func mediaType(_ image: WorldImage) -> String {
        image.scenario == "multi-arch" ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json"
    }

    @Test("every scenario of the world: admitted ones exit 0, denied ones exit 1 naming the image, the policy and the failed check")
    func scenarios() async throws {
        let world = try await TestWorld.shared()
        let environment = try Self.environment(world)
        for image in world.images {
            let call = try await ContainerdCall.run(
                name: image.reference, digest: image.digest,
                stdin: ContainerdCall.descriptor(digest: image.digest, mediaType: Self.mediaType(image)), environment: environment)
            #expect(!call.killed, "\(image.scenario): finished well inside containerd's 10 s (took \(call.elapsed))")
            #expect(call.stdout.utf8.count < 32 * 1024 && !call.reason.contains("\n"), "\(image.scenario): one line: \(call.stdout)")
            #expect(call.reason.contains(Self.repository(image)), "\(image.scenario): names the image: \(call.reason)")
            switch image.expected {
            case .allow:
                #expect(call.exitCode == 0, "\(image.scenario): \(call.reason) \(call.stderr)")
                #expect(call.reason.hasPrefix("atcr-verify: ALLOW"), "\(image.scenario): \(call.reason)")
                for signer in image.signers { #expect(call.reason.contains(signer), "\(image.scenario): names the signer: \(call.reason)") }
                if image.policy == nil { #expect(call.reason.contains("no policy matches"), "\(call.reason)") }
            case .audit:
                #expect(call.exitCode == 0, "\(image.scenario): \(call.reason) \(call.stderr)")
                #expect(call.reason.hasPrefix("atcr-verify: AUDIT") && call.reason.contains("dev-images"), "\(image.scenario): \(call.reason)")
            case .deny:
                // A replayed commit is caught because an earlier pull (replay-baseline) saw the
                // newer commit and left its rev in the disk cache.
                #expect(call.exitCode == 1, "\(image.scenario): \(call.reason) \(call.stderr)")
                #expect(call.reason.hasPrefix("atcr-verify: DENY"), "\(image.scenario): \(call.reason)")
                if let policy = image.policy { #expect(call.reason.contains(policy), "\(image.scenario): names the policy: \(call.reason)") }
                if let check = image.failedCheck, !["no-signature", "untrusted", "min-signatures"].contains(check) {
                    #expect(call.reason.contains(check), "\(image.scenario): names the failed check \(check): \(call.reason)")
                }
            }
        }
    }

    @Test("the digest containerd passes is the one verified: the signed tag with another image's digest is denied")
    func digestNotTag() async throws {
        let world = try await TestWorld.shared()
        let signed = try #require(world.image("signed-k256")), unsigned = try #require(world.image("unsigned"))
        let call = try await ContainerdCall.run(name: signed.reference, digest: unsigned.digest, environment: try Self.environment(world))
        #expect(call.exitCode == 1, "\(call.reason)")
        #expect(call.reason.contains(unsigned.digest) && call.reason.contains("production-images"), "\(call.reason)")
    }

    @Test("inputs that disagree are refused: -name pinning another digest, a descriptor naming another digest")
    func disagreeingInputs() async throws {
        let world = try await TestWorld.shared()
        let environment = try Self.environment(world)
        let pinned = try #require(world.image("signed-k256-digest")), other = try #require(world.image("signed-p256"))
        let renamed = try await ContainerdCall.run(name: pinned.reference, digest: other.digest, environment: environment)
        #expect(renamed.exitCode == 2, "\(renamed.reason)")
        #expect(renamed.reason.contains("pins \(pinned.digest) but -digest is \(other.digest)"), "\(renamed.reason)")
        let swapped = try await ContainerdCall.run(
            name: pinned.reference, digest: pinned.digest, stdin: ContainerdCall.descriptor(digest: other.digest), environment: environment)
        #expect(swapped.exitCode == 2, "\(swapped.reason)")
        #expect(swapped.reason.contains("the descriptor on stdin names \(other.digest) but -digest is \(pinned.digest)"), "\(swapped.reason)")
    }

    @Test("a malformed descriptor is refused with a clear reason", arguments: [
        ("empty stdin", "", "stdin is empty"),
        ("not JSON", "{mediaType: oops}\n", "invalid JSON"),
        ("an array", "[]\n", "not a JSON object"),
        ("no digest", #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1}"#, "no digest"),
        ("a bad digest", #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:xyz","size":1}"#, "digest"),
        ("no size", #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "a", count: 64))"}"#, "no size"),
        ("too large", String(repeating: " ", count: 70 * 1024) + "{}", "larger than 65536 bytes"),
    ])
    func malformedDescriptor(_ name: String, _ stdin: String, _ reason: String) async throws {
        let world = try await TestWorld.shared()
        let image = try #require(world.image("signed-k256"))
        let call = try await ContainerdCall.run(name: image.reference, digest: image.digest, stdin: Array(stdin.utf8), environment: try Self.environment(world))
        #expect(call.exitCode == 2, "\(name): \(call.reason)")
        #expect(call.reason.contains("invalid descriptor on stdin") && call.reason.contains(reason), "\(name): \(call.reason)")
    }

    @Test("a missing or invalid policy, or an unusable setting, blocks the pull with a reason naming it")
    func unusableConfiguration() async throws {
        let world = try await TestWorld.shared()
        let image = try #require(world.image("signed-k256"))
        let missing = try await ContainerdCall.run(
            name: image.reference, digest: image.digest, environment: try Self.environment(world, ["ATCR_POLICY": "/nonexistent/policy.yaml"]))
        #expect(missing.exitCode == 2, "\(missing.reason)")
        #expect(missing.reason.contains("the trust policy /nonexistent/policy.yaml (ATCR_POLICY) cannot be used"), "\(missing.reason)")

        let directory = world.directory.appendingPathComponent("bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let invalid = directory.appendingPathComponent("policy.yaml")
        try Data("version: 1.0\npolicies: [oops\n".utf8).write(to: invalid)
        let broken = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: try Self.environment(world, ["ATCR_POLICY": invalid.path]))
        #expect(broken.exitCode == 2 && broken.reason.contains("cannot be used"), "\(broken.reason)")

        let timeout = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: try Self.environment(world, ["ATCR_TIMEOUT": "ten"]))
        #expect(timeout.exitCode == 2, "\(timeout.reason)")
        #expect(timeout.reason.contains("ATCR_TIMEOUT='ten': not a whole number"), "\(timeout.reason)")
    }

    @Test("an invocation that is not containerd's is refused", arguments: [
        (["-name", "x"], "-digest is missing"),
        (["-name", "x", "-digest", "sha256:1", "-stdin-media-type", "application/json"], "is not supported"),
        (["-name", "x", "-digest", "sha256:1", "-stdin-media-type", ContainerdCall.descriptorMediaType, "-operation", "run"], "unknown flag -operation"),
        (["-name", "x", "-name", "y"], "-name given twice"),
        (["positional"], "unexpected argument 'positional'"),
    ])
    func badInvocation(_ arguments: [String], _ reason: String) async throws {
        let world = try await TestWorld.shared()
        let call = try await ContainerdCall.run(name: "", digest: "", environment: try Self.environment(world), arguments: arguments)
        #expect(call.exitCode == 2, "\(call.reason)")
        #expect(call.reason.contains("invalid invocation") && call.reason.contains(reason), "\(call.reason)")
    }

    @Test("a stalled PDS: denied naming the timeout at ATCR_TIMEOUT, well before containerd would kill it")
    func stalledUpstream() async throws {
        let world = try await TestWorld.start()
        world.pdsServer.faults.add(.init(matching: "getRecord", stall: .seconds(30)))
        let image = try #require(world.image("signed-k256-digest"))
        let call = try await ContainerdCall.run(name: image.reference, digest: image.digest, environment: try Self.environment(world, ["ATCR_TIMEOUT": "2"]))
        #expect(call.exitCode == 1, "\(call.reason) \(call.stderr)")
        #expect(call.reason.contains("timed out"), "names the timeout (the fetch cut off at the deadline): \(call.reason)")
        #expect(call.elapsed >= .milliseconds(1_500), "not before ATCR_TIMEOUT (took \(call.elapsed))")
        #expect(call.elapsed < .seconds(6), "answered at about ATCR_TIMEOUT (took \(call.elapsed))")
        await world.stop()
    }

    @Test("a verifier still running at containerd's timeout is killed with its process group: no exit 0, the pull is blocked")
    func killedAtTimeout() async throws {
        let world = try await TestWorld.start()
        world.pdsServer.faults.add(.init(matching: "getRecord", stall: .seconds(30)))
        let image = try #require(world.image("signed-k256-digest"))
        let call = try await ContainerdCall.run(
            name: image.reference, digest: image.digest, environment: try Self.environment(world, ["ATCR_TIMEOUT": "20"]), timeout: .seconds(2))
        #expect(call.killed && call.exitCode == nil && !call.allowsPull, "\(call.reason)")
        #expect(call.elapsed < .seconds(5))
        await world.stop()
    }
}
