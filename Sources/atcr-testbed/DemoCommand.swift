import ArgumentParser
import Foundation
import HTTPFetch
import Testbed

/// `atcr-testbed demo --webhook PATH`: the README's first command. Starts the world, starts the
/// real `atcr-webhook` over TLS against it, sends AdmissionReviews the way the API server does,
/// and prints what was decided.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the webhook against the local world and print its decisions for every kind of image.")

    @Option(name: .long, help: "The atcr-webhook binary.")
    var webhook: String

    @Option(name: .long, help: "State directory for the world (certificates, policy, world.json).")
    var state: String = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-demo").path

    @Flag(name: .long, help: "Keep the world and the webhook running afterwards (until Ctrl-C).")
    var keep = false

    /// `atcr-verify`, beside the webhook binary (both come from the same build).
    var verifyBinary: String {
        URL(fileURLWithPath: webhook).deletingLastPathComponent().appendingPathComponent("atcr-verify").path
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: state)
        try? FileManager.default.removeItem(at: directory)
        let world = try await TestWorld.start(.init(directory: directory))
        try world.writeState(to: directory)
        let webhook = try await DemoWebhook.start(binary: webhook, world: world, directory: directory)
        let fetcher = try HTTPFetcher(configuration: .init(caBundlePath: world.caPath))
        let rows = try await DemoReviews(world: world).all()

        say("atcr-verify demo: the webhook at \(webhook.origin) deciding AdmissionReviews for the local ATCR world")
        say("(world: PLC \(world.plcServer.origin), PDS \(world.pdsServer.origin), registry \(world.registryServer.origin); policy \(directory.path)/policy.yaml)")
        say("")
        var answers: [(DemoRow, FetchResponse, Duration)] = []
        for row in rows {
            let started = ContinuousClock.now
            let response = try await fetcher.fetch(FetchRequest(
                url: "\(webhook.origin)/validate?timeout=10s", method: .post, headers: ["Content-Type": "application/json"],
                maxBodyBytes: 1 << 20, deadline: .now + .seconds(15), body: row.review))
            answers.append((row, response, ContinuousClock.now - started))
        }
        try await Task.sleep(for: .milliseconds(200))  // the audit lines are written as each review ends
        let auditLines = webhook.auditLines()
        var names: [String: String] = [:]
        for account in world.accounts.values { names[account.did.string] = account.handle }
        var table = DemoTable()
        var failures = 0
        for (row, response, elapsed) in answers {
            let outcome = DemoOutcome(status: response.status, body: response.body, audit: auditLines[row.uid], names: names)
            if outcome.decision != row.expected { failures += 1 }
            table.add(row: row, outcome: outcome, latency: elapsed)
        }
        say(table.render())
        say("")
        say("\(rows.count) reviews, \(rows.count - failures) decided as the world's scenarios expect.")
        say("Full denial messages and one audit line per image: \(directory.path)/audit.jsonl; webhook log: \(directory.path)/webhook.log")
        if failures > 0 { say("MISMATCH: \(failures) review(s) were not decided as expected") }
        let pinning = try await DemoPinning(world: world, origin: webhook.origin, fetcher: fetcher).run()
        say("")
        for line in pinning.lines { say(line) }
        if !pinning.ok {
            say("MISMATCH: the tag was not pinned and admitted as expected")
            failures += 1
        }
        try await fetcher.shutdown()

        if keep {
            let example = world.image("signed-k256")?.reference ?? ""
            say("")
            say("The webhook keeps running. Try it:")
            say("  curl --cacert \(directory.path)/ca.pem -X POST -H 'Content-Type: application/json' \\")
            say("    '\(webhook.origin)/validate?timeout=10s' \\")
            say(#"    -d '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"prod","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"\#(example)"}]}}}}'"#)
            say("  curl --cacert \(directory.path)/ca.pem \(webhook.origin)/metrics")
            say("The same decisions from the CLI, against the same world:")
            say("  " + world.verifyCommand(
                binary: verifyBinary, images: [example, world.image("revoked")?.reference ?? ""].filter { !$0.isEmpty },
                policyPath: directory.appendingPathComponent("policy.yaml").path))
            say("Ctrl-C stops everything.")
            await Signals.wait(for: [SIGINT, SIGTERM])
        }
        webhook.stop()
        await world.stop()
        if failures > 0 { throw ExitCode(1) }
    }
}

/// The `atcr-webhook` process the demo runs.
struct DemoWebhook {
    let process: Process
    let origin: String
    let auditPath: String

    /// The webhook's audit lines (stdout), by review uid (the first image's line).
    func auditLines() -> [String: [String: Any]] {
        let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
        var lines: [String: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let uid = object["uid"] as? String, lines[uid] == nil
            else { continue }
            lines[uid] = object
        }
        return lines
    }

    static func start(binary: String, world: TestWorld, directory: URL) async throws -> DemoWebhook {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0",
            "--tls-cert", directory.appendingPathComponent("server.pem").path,
            "--tls-key", directory.appendingPathComponent("server-key.pem").path,
            "--policy", directory.appendingPathComponent("policy.yaml").path,
            "--plc-url", world.plcServer.origin, "--ca-bundle", world.caPath ?? "",
            "--allow-insecure-local", "--disable-events", "--log-level", "info",
        ]
        let logs = directory.appendingPathComponent("webhook.log")
        FileManager.default.createFile(atPath: logs.path, contents: nil)
        let audit = directory.appendingPathComponent("audit.jsonl")
        FileManager.default.createFile(atPath: audit.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logs)
        process.standardOutput = try FileHandle(forWritingTo: audit)
        try process.run()
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: logs, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains(#""message":"listening""#) }),
                let range = line.range(of: #""port":"[0-9]+""#, options: .regularExpression),
                let port = Int(line[range].dropFirst(8).dropLast())
            {
                return DemoWebhook(process: process, origin: "https://localhost:\(port)", auditPath: audit.path)
            }
            guard process.isRunning else { break }
        }
        process.terminate()
        throw ValidationError("atcr-webhook did not start; see \(logs.path)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
