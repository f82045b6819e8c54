import Foundation
import Testbed

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `atcr-containerd-verifier` exactly as containerd 2.x's `bindir` plugin runs a
/// verifier (pkg/imageverifier/bindir): the three single-dash flags, the descriptor written to
/// stdin as `json.NewEncoder` writes it (compact, then a newline) and stdin closed, a new
/// process group (`Setpgid`), and at the per-verifier timeout `kill(-pgid, SIGKILL)`. stdout
/// is the reason; containerd keeps 32 KiB of it and trims surrounding whitespace.
struct ContainerdCall: Sendable {
    /// The exit status when the verifier exited by itself; nil when it was killed.
    let exitCode: Int32?
    /// True when the timeout killed the process group.
    let killed: Bool
    let stdout: String
    let stderr: String
    let elapsed: Duration

    /// What containerd reports as the reason: stdout trimmed.
    var reason: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// containerd allows the pull only on a normal exit 0.
    var allowsPull: Bool { exitCode == 0 }

    static let descriptorMediaType = "application/vnd.oci.descriptor.v1+json"

    /// The descriptor line containerd writes for `digest`.
    static func descriptor(digest: String, mediaType: String = "application/vnd.oci.image.manifest.v1+json", size: Int = 1234) -> [UInt8] {
        Array(#"{"mediaType":"\#(mediaType)","digest":"\#(digest)","size":\#(size)}"#.utf8) + [0x0A]
    }

    /// Calls the verifier for `name` and `digest` with `stdin` (default: the descriptor for
    /// `digest`), `environment` only (containerd's, which the verifier inherits), killing its
    /// process group after `timeout` (containerd's default `per_verifier_timeout`). Runs on a
    /// thread of its own so the in-process test world keeps the cooperative threads.
    static func run(
        name: String, digest: String, stdin: [UInt8]? = nil, environment: [String: String], timeout: Duration = .seconds(10),
        arguments: [String]? = nil
    ) async throws -> ContainerdCall {
        let argv = arguments ?? ["-name", name, "-digest", digest, "-stdin-media-type", descriptorMediaType]
        let input = stdin ?? descriptor(digest: digest)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try spawnAndWait(argv, stdin: input, environment: environment, timeout: timeout) })
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private static func spawnAndWait(_ arguments: [String], stdin: [UInt8], environment: [String: String], timeout: Duration) throws -> ContainerdCall {
        signal(SIGPIPE, SIG_IGN)  // a verifier that exits without reading stdin must not kill the test runner
        let executable = BuiltProduct.url(named: "atcr-containerd-verifier").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("containerd-call-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("stdout").path, errPath = directory.appendingPathComponent("stderr").path
        let outFD = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        var pipeFDs: [Int32] = [0, 0]
        guard outFD >= 0, errFD >= 0, pipe(&pipeFDs) == 0 else { throw SpawnError(description: "open/pipe failed: errno \(errno)") }
        // Close-on-exec, so no other child the tests start keeps the write end (and our stdin) open.
        for descriptor in pipeFDs { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(pipeFDs[0])
        close(outFD)
        close(errFD)
        guard spawned == 0 else {
            close(pipeFDs[1])
            throw SpawnError(description: "posix_spawn \(executable) failed: \(spawned)")
        }
        // containerd writes stdin asynchronously, then closes it.
        let writeEnd = pipeFDs[1]
        let writer = Thread {
            stdin.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
            }
            close(writeEnd)
        }
        writer.start()

        var status: Int32 = 0
        var killed = false
        let deadline = started + timeout
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw SpawnError(description: "waitpid failed: errno \(errno)") }
            if !killed && ContinuousClock.now >= deadline {
                kill(-pid, SIGKILL)  // the whole process group, as containerd's cmd.Cancel does
                killed = true
            }
            usleep(5_000)
        }
        let elapsed = ContinuousClock.now - started
        let exited = status & 0x7f == 0
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return ContainerdCall(
            exitCode: exited ? (status >> 8) & 0xff : nil, killed: killed, stdout: String(stdout.prefix(32 * 1024)), stderr: stderr,
            elapsed: elapsed)
    }
}
