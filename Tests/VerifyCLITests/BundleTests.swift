import ATProto
import Foundation
import Testbed
import Testing

/// `atcr-verify bundle` and `verify --bundle`: air-gapped verification over recorded bytes.
@Suite("atcr-verify bundle")
struct BundleTests {
    @Test("captured, then verified with no request to any server: same verdicts, as of the capture; a changed byte is caught; too old is denied")
    func bundle() async throws {
        let world = try await TestWorld.start()
        let policy = try CLI.writePolicy(world)
        let flags = try CLI.worldFlags(world) + ["--policy", policy]
        let signed = try #require(world.image("signed-k256")).reference, revoked = try #require(world.image("revoked")).reference
        let directory = try CLI.directory("bundle")
        let file = directory.appendingPathComponent("images.bundle").path

        let captured = try await CLI.run(["bundle", signed, revoked, "-o", file] + flags)
        #expect(captured.status == 0, "\(captured.all)")
        #expect(captured.stdout.contains("bundle \(file): 2 images"), "\(captured.stdout)")

        let before = world.servers.map { $0.log.all.count }
        let offline = try await CLI.run(["verify", signed, revoked, "--bundle", file] + flags)
        #expect(offline.status == 1, "\(offline.all)")
        #expect(offline.stdout.hasPrefix("verified offline as of "), "\(offline.stdout)")
        #expect(offline.stdout.contains("ALLOW \(signed)") && offline.stdout.contains("DENY  \(revoked)") && offline.stdout.contains("record-absent"),
                "\(offline.stdout)")
        let allowed = try await CLI.run(["verify", signed, "--bundle", file, "--format", "sarif"] + flags)
        #expect(allowed.status == 0, "\(allowed.all)")
        #expect(world.servers.map { $0.log.all.count } == before, "no request at all while verifying from the bundle")

        // One byte of each record proof changed: the proof checks catch it.
        let json = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        guard case .object(let members) = json, case .array(let exchanges)? = json["exchanges"] else { Issue.record("no exchanges"); return }
        var tampered = 0
        let changed: [JSONValue] = exchanges.map { exchange in
            guard case .string(let url)? = exchange["url"], url.contains("getRecord"),
                  case .object(let fields) = exchange, case .string(let body)? = exchange["body"], var bytes = Data(base64Encoded: body)
            else { return exchange }
            bytes[bytes.count - 5] ^= 0x01
            tampered += 1
            return .object(fields.map { $0.name == "body" ? JSONMember(name: "body", value: .string(bytes.base64EncodedString())) : $0 })
        }
        #expect(tampered >= 1)
        let tamperedFile = directory.appendingPathComponent("tampered.bundle")
        let rebuilt = JSONValue.object(members.map { $0.name == "exchanges" ? JSONMember(name: "exchanges", value: .array(changed)) : $0 })
        try Data(rebuilt.serialized.utf8).write(to: tamperedFile)
        let caught = try await CLI.run(["verify", signed, "--bundle", tamperedFile.path, "--json"] + flags)
        #expect(caught.status == 1, "\(caught.all)")
        #expect(caught.stdout.contains("\"status\":\"failed\"") && caught.stdout.contains("failedCheck"), "\(caught.stdout)")

        try await Task.sleep(for: .milliseconds(1100))
        let old = try await CLI.run(["verify", signed, "--bundle", file, "--max-bundle-age", "0"] + flags)
        #expect(old.status == 1 && old.stderr.contains("--max-bundle-age 0"), "\(old.all)")
        let other = try #require(world.image("signed-p256")).reference
        let missing = try await CLI.run(["verify", other, "--bundle", file] + flags)
        #expect(missing.status == 4 && missing.stdout.contains("not in the offline bundle"), "\(missing.all)")
        let notABundle = try await CLI.run(["verify", signed, "--bundle", policy] + flags)
        #expect(notABundle.status == 2 && notABundle.stderr.contains("atcr-verify bundle"), "\(notABundle.all)")
        #expect(world.servers.map { $0.log.all.count } == before)
        await world.stop()
    }
}
