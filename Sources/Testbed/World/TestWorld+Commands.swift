import Foundation

extension TestWorld {
    /// The `atcr-verify` flags that verify images against this running world: its policy, its
    /// PLC directory and CA, the test-world switch, and the plain-http registry when the world
    /// serves plain HTTP. `atcr-testbed up` and `scripts/demo --keep` print them.
    public func verifyArguments(policyPath: String) -> [String] {
        var arguments = ["--policy", policyPath, "--plc-url", plcServer.origin]
        if let caPath { arguments += ["--ca-bundle", caPath] }
        arguments.append("--allow-insecure-local")
        if !options.tls { arguments += ["--plain-http-registry", registryName] }
        return arguments
    }

    /// A ready-to-paste `atcr-verify` command line for `images` (a shell-quoted string).
    public func verifyCommand(binary: String = "atcr-verify", images: [String], policyPath: String) -> String {
        ([binary] + images + verifyArguments(policyPath: policyPath)).map(Self.shellQuoted).joined(separator: " ")
    }

    /// `text` as one shell word.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./:=@,+%".unicodeScalars.contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
