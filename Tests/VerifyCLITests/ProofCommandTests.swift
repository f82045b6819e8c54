import ATProto
import ATProtoWriter
import Foundation
import Testbed
import Testing
import VerifyCLI

/// `atcr-verify proof` end to end: the real binary, real files, exit codes and JSON.
@Suite("atcr-verify proof")
struct ProofCommandTests {
    /// A signed repository written to a temporary directory: proof CARs and a DID document.
    struct Files {
        let directory: URL
        let did: DID
        let key: SigningKey
        let rkey: String
        let digest = "sha256:" + String(repeating: "0f", count: 32)

        init(_ type: KeyType = .k256) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("atcr-proof-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            did = try DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
            key = SigningKey.derived(type, seed: "cli-\(type)")
            rkey = TID(microseconds: 1_763_000_000_000_000, clockID: 3).string
            var repo = Repository(did: did)
            for index in 0..<50 {
                let rkey = try #require(RecordKey(TID(microseconds: 1_762_000_000_000_000 + UInt64(index), clockID: 3).string))
                repo.put(collection: .atcrManifest, recordKey: rkey, record: ATCRManifest.record(repository: "filler-\(index)", digest: digest))
            }
            let target = try #require(RecordKey(rkey))
            repo.put(collection: .atcrManifest, recordKey: target, record: ATCRManifest.record(repository: "prod-api", digest: digest))
            let signed = try repo.commit(rev: TID(microseconds: 1_763_000_000_000_001, clockID: 0), signer: key)
            try write("present.car", signed.proofCAR(collection: .atcrManifest, recordKey: target))
            var tampered = signed.proofCAR(collection: .atcrManifest, recordKey: target)
            tampered[tampered.count - 2] ^= 0x01
            try write("tampered.car", tampered)
            repo.delete(collection: .atcrManifest, recordKey: target)
            let deleted = try repo.commit(rev: TID(microseconds: 1_763_000_000_000_002, clockID: 0), signer: key)
            try write("absent.car", deleted.proofCAR(collection: .atcrManifest, recordKey: target))
            let document = """
                {"id": "\(did.string)", "alsoKnownAs": ["at://alice.test"],
                 "verificationMethod": [{"id": "\(did.string)#atproto", "type": "Multikey", "controller": "\(did.string)", "publicKeyMultibase": "\(key.publicKey.multikey)"}],
                 "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example.com"}]}
                """
            try write("did.json", Array(document.utf8))
            try write("garbage.json", Array("{not json".utf8))
        }

        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        func arguments(car: String = "present.car", key: String? = nil, extra: [String] = []) -> [String] {
            ["proof", "--car", path(car), "--did", did.string, "--key", key ?? self.key.publicKey.didKey,
             "--collection", "io.atcr.manifest", "--rkey", rkey] + extra
        }
    }

    /// `run` on a thread of its own: waiting for a process must not hold one of the few threads
    /// every async test shares (a slow process would stall the others' deadlines).
    static func runOffPool(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try run(arguments) }) }
        }
    }

    /// Runs the built `atcr-verify` binary.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let located = ProcessInfo.processInfo.environment["ATCR_VERIFY_BIN"].map(URL.init(fileURLWithPath:))
            ?? BuiltProduct.url(named: "atcr-verify")
        let process = Process()
        process.executableURL = located
        process.arguments = arguments
        return try ProcessOutput.run(process)
    }


    static func json(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    @Test("exit 0 and the JSON fields for a valid proof of a present record, every key form", arguments: KeyType.allCases)
    func present(_ type: KeyType) throws {
        let files = try Files(type)
        defer { files.remove() }
        let legacy = "z" + Base58.encode(files.key.publicKey.compressed)
        for (key, extra) in [(files.key.publicKey.didKey, []), (files.key.publicKey.multikey, []),
                             (legacy, ["--key-type", type.rawValue]), (files.path("did.json"), [])] {
            let result = try Self.run(files.arguments(key: key, extra: extra + ["--json"]))
            #expect(result.status == 0, "\(result.stderr)")
            let json = try Self.json(result.stdout)
            #expect(json["valid"] == .bool(true) && json["present"] == .bool(true))
            #expect(json["failedCheck"] == .null)
            #expect(json["did"] == .string(files.did.string))
            #expect(json["keyType"] == .string(type.rawValue))
            if case .string(let cid) = json["recordCid"] { #expect(cid.hasPrefix("bafyrei")) } else { Issue.record("no recordCid") }
            if case .string(let cid) = json["commitCid"] { #expect(cid.hasPrefix("bafyrei")) } else { Issue.record("no commitCid") }
            #expect(json["rev"] == .string(TID(microseconds: 1_763_000_000_000_001, clockID: 0).string))
            #expect(json["record"]?["repository"] == .string("prod-api"))
        }
    }

    @Test("exit 3 for a valid proof of absence; exit 1 naming check 10 for a tampered CAR")
    func absentAndInvalid() throws {
        let files = try Files()
        defer { files.remove() }
        let absent = try Self.run(files.arguments(car: "absent.car"))
        #expect(absent.status == 3)
        #expect(absent.stdout.contains("ABSENT"))
        let tampered = try Self.run(files.arguments(car: "tampered.car", extra: ["--json"]))
        #expect(tampered.status == 1)
        let json = try Self.json(tampered.stdout)
        #expect(json["valid"] == .bool(false))
        #expect(json["failedCheck"]?["number"] == .number("10"))
        #expect(json["failedCheck"]?["name"] == .string("block-hash"))
    }

    @Test("exit 1 naming check 17 for the wrong key; 22 for another digest")
    func wrongKeyAndDigest() throws {
        let files = try Files()
        defer { files.remove() }
        let other = SigningKey.derived(.k256, seed: "someone else").publicKey.didKey
        let wrong = try Self.run(files.arguments(key: other))
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("check 17 (signature-verify)"))
        let digest = try Self.run(files.arguments(extra: ["--expect-digest", "sha256:" + String(repeating: "1", count: 64), "--expect-repository", "prod-api"]))
        #expect(digest.status == 1)
        #expect(digest.stdout.contains("check 22 (record-content)"))
        let matching = try Self.run(files.arguments(extra: ["--expect-digest", files.digest, "--expect-repository", "prod-api"]))
        #expect(matching.status == 0)
    }

    @Test("exit 2 with a clear message for every unusable input, never a crash", arguments: [
        ("missing CAR", ["--car-missing"]),
        ("malformed DID", ["--did", "did:plc:alice123"]),
        ("malformed key", ["--key", "zzzz"]),
        ("legacy key without --key-type", ["--key", "LEGACY"]),
        ("contradicting --key-type", ["--key-type", "p256"]),
        ("DID document that does not parse", ["--key", "GARBAGE"]),
        ("bad record key", ["--rkey", ".."]),
        ("unknown option", ["--frobnicate"]),
        ("oversized CAR", ["--max-car-bytes", "10"]),
    ])
    func badInput(_ name: String, _ change: [String]) throws {
        let files = try Files()
        defer { files.remove() }
        var arguments = files.arguments()
        var index = 0
        while index < change.count {
            let flag = change[index]
            if flag == "--car-missing" {
                arguments[2] = files.path("nope.car"); index += 1; continue
            }
            if flag == "--frobnicate" { arguments.append(flag); index += 1; continue }
            var value = change[index + 1]
            if value == "LEGACY" { value = "z" + Base58.encode(files.key.publicKey.compressed) }
            if value == "GARBAGE" { value = files.path("garbage.json") }
            if let position = arguments.firstIndex(of: flag) { arguments[position + 1] = value } else { arguments += [flag, value] }
            index += 2
        }
        let result = try Self.run(arguments)
        #expect(result.status == 2, "\(name): status \(result.status) \(result.stdout) \(result.stderr)")
        #expect(!(result.stdout + result.stderr).isEmpty, "\(name) must explain itself")
        #expect(!(result.stdout + result.stderr).contains("Fatal error"))
    }

    @Test("a DID document for another DID is bad input naming check 3")
    func documentForAnotherDID() throws {
        let files = try Files()
        defer { files.remove() }
        var arguments = files.arguments(key: files.path("did.json"), extra: ["--json"])
        arguments[arguments.firstIndex(of: "--did")! + 1] = "did:plc:vvpy7d6y2li5yo73cgbszibl"
        let result = try Self.run(arguments)
        #expect(result.status == 2)
        #expect(try Self.json(result.stdout)["failedCheck"]?["number"] == .number("3"))
    }

    @Test("--help exits 0")
    func help() throws {
        let result = try Self.run(["proof", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--key-type"))
    }
}
