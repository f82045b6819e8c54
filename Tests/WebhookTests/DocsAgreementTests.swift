import Foundation
import Testing
@testable import Webhook

/// The documentation and the product say the same thing, and the repository stands alone: what
/// a person reads in docs/ is what the code does, and no text points at files outside it.
@Suite("docs and product agree")
struct DocsAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the HELP of atcr_admission_reviews_total lists every decision label the metrics reference lists")
    func decisionLabels() throws {
        let operations = try String(contentsOf: Self.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let row = try #require(operations.split(separator: "\n").first { $0.hasPrefix("| `atcr_admission_reviews_total`") })
        let labels = row.split(separator: "|")[1...].joined().components(separatedBy: "`decision`:").last?
            .split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) } ?? []
        #expect(labels == ["allow", "audit", "deny", "bad_request", "error"], "the reference's labels: \(labels)")
        let metrics = WebhookMetrics()
        metrics.increment("atcr_admission_reviews_total", [("decision", "allow")])
        let help = try #require(metrics.render().split(separator: "\n").first { $0.hasPrefix("# HELP atcr_admission_reviews_total ") })
        for label in labels { #expect(help.contains(label), "HELP lacks \(label): \(help)") }
    }

    @Test("no source, test, doc, manifest or script cites a design file that is not in the repository")
    func standsAlone() throws {
        let outside = ["ATPROTO.md", "DESIGN.md", "DESIGN §", "INTEGRATIONS.md", "shared/seeds/", " seeds/"]
        var citing: [String] = []
        for folder in ["Sources", "Tests", "docs", "manifests", "scripts", "examples", "Benchmarks", "certs"] {
            let enumerator = FileManager.default.enumerator(at: Self.root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard ["swift", "md", "yaml", "sh", ""].contains(url.pathExtension), url.path != #filePath,
                    let text = try? String(contentsOf: url, encoding: .utf8)
                else { continue }
                for name in outside where text.contains(name) { citing.append("\(url.path): \(name)") }
            }
        }
        for file in ["README.md", "Makefile", "Dockerfile"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            for name in outside where text.contains(name) { citing.append("\(file): \(name)") }
        }
        #expect(citing.isEmpty, "cite the project's docs (docs/proof-checks.md, docs/architecture.md) instead: \(citing)")
    }
}
