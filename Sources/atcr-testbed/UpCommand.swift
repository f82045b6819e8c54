import ArgumentParser
import Foundation
import Testbed

/// `atcr-testbed up --state DIR`: starts the world and runs until interrupted.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the local ATCR world (PLC directory, did:web host, PDS, OCI registry) and write DIR/world.json.",
        discussion: """
            Writes DIR/world.json (endpoints, the CA file, accounts, scenario images with their expected \
            verdicts) and DIR/policy.yaml (the trust policy those verdicts assume), then serves until \
            SIGINT or SIGTERM.
            """)

    @Option(name: .long, help: "State directory (created if missing).")
    var state: String

    @Flag(name: .long, help: "Serve plain HTTP instead of TLS (clients then need their plain-http test flag).")
    var plainHTTP = false

    @Flag(name: .long, help: "Turn the registry's referrers API off (clients must use the sha256-<hex> tag fallback).")
    var noReferrersAPI = false

    @Option(name: .long, help: "Simulated network distance in ms: each response waits N ms, each new connection 2N more before its TLS handshake (default 0).")
    var latencyMs = 0

    @Flag(name: .long, help: "Offer HTTP/2 by ALPN next to HTTP/1.1 (TLS only).")
    var http2 = false

    func run() async throws {
        let directory = URL(fileURLWithPath: state)
        let world = try await TestWorld.start(.init(tls: !plainHTTP, referrersAPI: !noReferrersAPI, directory: directory, http2: http2))
        let manifest = try world.writeState(to: directory)
        if latencyMs > 0 { world.setLatency(.milliseconds(latencyMs)) }
        say("atcr-testbed: world up")
        say("  PLC directory  \(world.plcServer.origin)")
        say("  PDS            \(world.pdsServer.origin)")
        say("  registry       \(world.registryServer.origin)")
        say("  did:web host   \(world.didWebServer.origin)")
        say("  second PDS     \(world.secondPDSServer.origin)")
        say("  admin          \(world.adminServer.origin)  (atcr-testbed change --state DIR …)")
        if let ca = world.caPath { say("  CA             \(ca)") }
        if latencyMs > 0 { say("  latency        \(latencyMs) ms per response, \(2 * latencyMs) ms more per new connection") }
        say("  \(world.images.count) scenario images, \(world.accounts.count) accounts: \(manifest)")
        say("verify against it (any scenario image from world.json):")
        say("  " + world.verifyCommand(images: [world.images.first?.reference ?? "IMAGE"], policyPath: directory.appendingPathComponent("policy.yaml").path))
        say("ready")
        await Signals.wait(for: [SIGINT, SIGTERM])
        await world.stop()
        say("atcr-testbed: stopped")
    }
}

/// Writes a line to stdout unbuffered: a supervising script waits for "ready" on a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Waits for a POSIX signal without a signal handler racing the async world.
enum Signals {
    static func wait(for signals: [Int32]) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        var sources: [DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { continuation.yield() }
            source.resume()
            sources.append(source)
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}
