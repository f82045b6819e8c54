import Foundation
import Testbed
import Testing
@testable import Webhook

/// `--audit-lines`: all (default), findings (denials and audit findings), none.
@Suite("Webhook audit lines")
struct WebhookAuditLinesTests {
    @Test("findings keeps denials and audit findings only; none writes nothing; all writes every image decision", arguments: AuditLines.allCases)
    func auditLines(_ setting: AuditLines) async throws {
        let world = try await TestWorld.shared()
        let harness = try await WebhookHarness(world: world) { $0.auditLines = setting }
        let images = try ["signed-k256-digest", "unsigned", "audit-unsigned"].map { try #require(world.image($0)).reference }
        for image in images { _ = try await harness.post(Reviews.pod([image])) }
        let results = harness.audit.all.map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["result"] as? String ?? "?"
        }
        switch setting {
        case .all: #expect(results == ["allow", "deny", "audit"], "\(results)")
        case .findings: #expect(results == ["deny", "audit"], "\(results)")
        case .none: #expect(results.isEmpty, "\(results)")
        }
        await harness.stop()
    }
}
