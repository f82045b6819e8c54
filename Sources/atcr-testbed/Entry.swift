import ArgumentParser
import BuildInfo
import Foundation

@main
struct TestbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atcr-testbed",
        abstract: "The local ATCR test world: real signed atproto repositories.",
        version: "atcr-testbed \(BuildInfo.versionText)",
        subcommands: [UpCommand.self, ChangeCommand.self, DemoCommand.self, ProofsCommand.self])
}

/// `atcr-testbed proofs --out DIR`: writes signed proof CARs, DID documents, and
/// `scenarios.tsv` (name, expected exit, description, then the `atcr-verify proof` arguments).
struct ProofsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proofs",
        abstract: "Write getRecord proofs of real signed repositories, one per scenario, for `atcr-verify proof`.")

    @Option(name: .long, help: "Directory to write into (created if missing).")
    var out: String

    func run() throws {
        let scenarios = try ProofSamples(directory: URL(fileURLWithPath: out)).write()
        var table = ""
        for scenario in scenarios {
            var arguments = ["proof", "--car", scenario.car, "--did", scenario.did.string, "--key", scenario.key, "--rkey", scenario.rkey.string]
            if let keyType = scenario.keyType { arguments += ["--key-type", keyType.rawValue] }
            table += ([scenario.name, String(scenario.expectedExit), scenario.description] + arguments).joined(separator: "\t") + "\n"
        }
        try Data(table.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("scenarios.tsv"))
        print("wrote \(scenarios.count) scenarios to \(out)/scenarios.tsv")
    }
}
