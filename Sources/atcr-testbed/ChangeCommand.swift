import ATProto
import ArgumentParser
import Foundation
import Testbed

/// `atcr-testbed change --state DIR KIND …`: changes a running world (`atcr-testbed up`)
/// through its admin endpoint, and prints the change as JSON.
struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change a running world: revoke a signature, commit, rotate a key, move to another PDS, add an account, sign an image.",
        discussion: """
            Talks to the admin endpoint of the world started by `atcr-testbed up --state DIR` (its URL is \
            endpoints.admin in DIR/world.json). Every change ends with a new signed commit; the answer \
            (JSON) names the DID and the new rev. Kinds:
              revoke --scenario NAME | --uri at://…   delete the io.atcr.manifest record(s) (revocation)
              commit --account NAME                   an unrelated commit (a post)
              rotate-key --account NAME               new key in the DID document; later commits signed with it
              move-pds --account NAME                 move to the world's other PDS; the old one answers RepoDeactivated
              account --name NAME [--key-type T]      a new did:plc account (k256 or p256)
              sign --account NAME --repository R --tag T   push a new image and sign it
            """)

    @Option(name: .long, help: "State directory of the running world.")
    var state: String

    @Argument(help: "The change: revoke, commit, rotate-key, move-pds, account, sign.")
    var kind: String

    @Option(name: .long, help: "revoke: a scenario image (every signature of it).") var scenario: String?
    @Option(name: .long, help: "revoke: a record AT-URI.") var uri: String?
    @Option(name: .long, help: "commit, rotate-key, move-pds, sign: the account name.") var account: String?
    @Option(name: .long, help: "account: the new account's name.") var name: String?
    @Option(name: .long, help: "account: k256 (default) or p256.") var keyType: String?
    @Option(name: .long, help: "sign: repository, e.g. alice/prod-new.") var repository: String?
    @Option(name: .long, help: "sign: tag.") var tag: String?

    func validate() throws {
        guard WorldAdmin.routes.contains(kind) else {
            throw ValidationError("unknown change '\(kind)': one of \(WorldAdmin.routes.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let manifest = URL(fileURLWithPath: state).appendingPathComponent("world.json")
        let json = try JSONParser().parse(Array(try Data(contentsOf: manifest)))
        guard case .string(let admin)? = json["endpoints"]?["admin"] else {
            throw ValidationError("\(manifest.path) names no admin endpoint (a world from an older atcr-testbed?)")
        }
        var caFile: String?
        if case .string(let path)? = json["caFile"] { caFile = path }
        var parameters: [String: String] = [:]
        for (name, value) in [
            ("scenario", scenario), ("uri", uri), ("account", account), ("name", name), ("keyType", keyType),
            ("repository", repository), ("tag", tag),
        ] {
            if let value { parameters[name] = value }
        }
        print(try await WorldAdminClient(origin: admin, caFile: caFile).changeText(kind, parameters))
    }
}
