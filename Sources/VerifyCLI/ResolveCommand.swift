import ATProto
import ArgumentParser
import CommandSettings
import Foundation
import TrustPolicy
import Verifier

/// `atcr-verify resolve DID`: what the verifier would learn about a signer.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a trusted DID as the verifier does: document id, handle, signing key, PDS and latest commit rev.",
        discussion: """
            Trust first, as in verification: a DID the trust policy does not list is refused before any \
            request is made, unless --any. A DID whose key and PDS the policy pins is not resolved at \
            all (the pins are what the verifier uses); its latest commit is still asked of the pinned PDS.

            Exit codes: 0 resolved; 1 resolution failed (not found, deactivated, bad document); \
            2 usage or input error (malformed DID, DID not trusted without --any, no policy); \
            4 the directory or PDS could not be reached in time: retry.

            Examples:
              atcr-verify resolve did:plc:ewvi7nxzyoun6zhxrhs64oiz
              atcr-verify resolve did:web:signer.example.com --json
              atcr-verify resolve did:plc:… --any --policy /dev/null
            """)

    @Argument(help: "The DID (did:plc or did:web).")
    var did: String

    @OptionGroup var verifier: VerifierOptions

    @Flag(name: .long, help: "Resolve a DID the policy does not trust (no policy file needed).")
    var any = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing on stdout; the exit code says the result.")
    var quiet = false

    func validate() throws {
        var settings = SettingsReader(environment: [:])
        verifier.check(into: &settings)
        try settings.checkAsUsage()
    }

    func run() async throws {
        let parsed: DID
        do {
            parsed = try DID(did)
        } catch {
            throw CLIFailure("\(did) is not a DID: \(error) (expected did:plc:… or did:web:…)")
        }
        var trusted: TrustedDID?
        var policy = TrustPolicy(trustedDIDs: [], policies: [])
        if !any {
            let loaded = try verifier.loadPolicy(now: Date())
            guard let entry = loaded.policy.trustedDID(parsed.string) else {
                throw CLIFailure(
                    "\(parsed) is not in the trustedDIDs of \(loaded.path): refused, no request made (trust first); "
                        + "add it to the policy, or pass --any to resolve it anyway")
            }
            trusted = entry
            policy = loaded.policy
        }
        let session = try verifier.makeSession(policy: policy)
        let deadline = ContinuousClock.now + session.timeout
        let identity: ResolvedIdentity
        let source: String
        if let trusted, trusted.isFullyPinned, let key = trusted.publicKeys.first, let pds = trusted.pds {
            identity = ResolvedIdentity(did: parsed, key: key, pds: pds, handle: nil)
            source = "policy pins (not resolved)"
        } else {
            do {
                identity = try await DIDResolver(fetcher: session.fetcher, options: session.resolver).resolve(parsed, deadline: deadline)
            } catch {
                await session.shutdown()
                FileHandle.standardError.write(Data("atcr-verify: \(parsed) did not resolve: \(error)\n".utf8))
                throw ExitCode(error.isTransient ? ExitStatus.incomplete : ExitStatus.denied)
            }
            source = (try? DIDResolver(fetcher: session.fetcher, options: session.resolver).documentURL(for: parsed)) ?? "DID document"
        }
        var rev: String?
        var revProblem: String?
        do {
            switch try await PDSClient(fetcher: session.fetcher).getLatestCommit(pds: identity.pds, did: parsed, deadline: deadline) {
            case .commit(let latest, _): rev = latest.string
            case .unavailable(let reason): revProblem = "the PDS does not serve this repository (\(reason))"
            }
        } catch {
            revProblem = "getLatestCommit failed: \(error)"
        }
        await session.shutdown()
        let pinnedKeys = trusted?.publicKeys.map(\.multikey) ?? []
        let report: String
        if json {
            func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            report = JSONValue.object([
                JSONMember(name: "id", value: .string(identity.did.string)),
                JSONMember(name: "handle", value: string(identity.handle)),
                JSONMember(name: "signingKey", value: .object([
                    JSONMember(name: "type", value: .string(identity.key.type.rawValue)),
                    JSONMember(name: "multikey", value: .string(identity.key.multikey)),
                ])),
                JSONMember(name: "pds", value: .string(identity.pds.origin)),
                JSONMember(name: "latestRev", value: string(rev)),
                JSONMember(name: "latestRevError", value: string(revProblem)),
                JSONMember(name: "source", value: .string(source)),
                JSONMember(name: "trusted", value: .bool(trusted != nil)),
                JSONMember(name: "trustName", value: string(trusted?.name)),
                JSONMember(name: "pinnedKeys", value: .array(pinnedKeys.map(JSONValue.string))),
            ]).serialized + "\n"
        } else {
            var lines = [
                "id           \(identity.did)",
                "handle       \(identity.handle ?? "(none in the document)")",
                "signing key  \(identity.key.type.displayName), Multikey \(identity.key.multikey)",
                "PDS          \(identity.pds.origin)",
                "latest rev   \(rev ?? "unknown: \(revProblem ?? "")")",
                "source       \(source)",
                "trust        \(trusted.map { "trusted\($0.name.map { " as \"\($0)\"" } ?? "")" } ?? "not checked (--any)")",
            ]
            if !pinnedKeys.isEmpty && !(trusted?.isFullyPinned ?? false) {
                let matches = pinnedKeys.contains(identity.key.multikey)
                lines.append("pinned keys  \(pinnedKeys.joined(separator: ", "))\(matches ? "" : " (the policy's pins replace the document's key)")")
            }
            report = lines.joined(separator: "\n") + "\n"
        }
        try OutputOptions.emit(report, output: nil, quiet: quiet)
    }
}
