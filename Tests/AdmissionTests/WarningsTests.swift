import Testing
import TrustPolicy
@testable import Admission

/// Warnings: one per image that failed an audit policy, each ≤ 120 characters, at most 10 plus
/// one summary line.
@Suite("Audit warnings")
struct WarningsTests {
    @Test("one warning per failing image, none for allowed or denied ones")
    func onePerImage() {
        let lines = AuditWarnings.lines(for: [
            Decisions.allow("atcr.io/alice/a:v1"),
            Decisions.audit("atcr.io/alice/b:v1"),
            Decisions.deny("atcr.io/alice/c:v1"),
            Decisions.audit("atcr.io/alice/d:v1", reason: "needs 2 signatures by trusted DIDs, has 1"),
        ])
        #expect(lines == [
            "atcr.io/alice/b:v1 fails audit policy staging-images: no signature found",
            "atcr.io/alice/d:v1 fails audit policy staging-images: needs 2 signatures by trusted DIDs, has 1",
        ])
    }

    @Test("a line of exactly 120 bytes is kept whole; 121 is cut to 120, losing its middle")
    func lengthBound() {
        let prefix = "atcr.io/alice/b:v1 fails audit policy staging-images: "
        let exact = String(repeating: "x", count: 120 - prefix.utf8.count)
        let kept = AuditWarnings.failureLine(Decisions.audit("atcr.io/alice/b:v1", reason: exact))
        #expect(kept.utf8.count == 120)
        #expect(kept == prefix + exact)

        let cut = AuditWarnings.failureLine(Decisions.audit("atcr.io/alice/b:v1", reason: exact + "y"))
        #expect(cut.utf8.count == 120)
        #expect(cut.hasPrefix("atcr.io/alice/b:v1 fails audit"), "the image leads")
        #expect(cut.hasSuffix("xxy"), "the end of the reason survives: \(cut)")
        #expect(cut.contains("…"))
        #expect(cut.count == 118)
    }

    @Test("multi-byte text is cut on a character boundary, never over 120 bytes")
    func multiByte() {
        for filler in ["é", "😀", "🇩🇪", "e\u{301}"] {
            let line = AuditWarnings.failureLine(Decisions.audit("atcr.io/a/b:v1", reason: String(repeating: filler, count: 100)))
            #expect(line.utf8.count <= 120)
            #expect(line.utf8.count > 110)
            #expect(line.contains("…"))
            #expect(line.hasSuffix(filler))
        }
    }

    @Test("a cut reason keeps its cause: the end of the text")
    func causeSurvives() {
        let reason = "could not verify: localhost:33343/alice/prod-api: HEAD manifest v1: could not fetch "
            + "https://localhost:33343/v2/alice/prod-api/manifests/v1: localhost:33343 unreachable: connection refused"
        let line = AuditWarnings.failureLine(Decisions.audit("localhost:33343/alice/prod-api:v1", reason: reason))
        #expect(line.utf8.count <= 120)
        #expect(line.hasPrefix("localhost:33343/alice/prod-api:v1 fails audit policy staging-images: could"), "\(line)")
        #expect(line.hasSuffix("unreachable: connection refused"), "\(line)")
    }

    @Test("digests in warnings are shortened to 12 hex digits")
    func shortDigest() {
        let line = AuditWarnings.failureLine(Decisions.audit("atcr.io/alice/prod-api@" + Decisions.digest))
        #expect(line == "atcr.io/alice/prod-api@sha256:abababababab… fails audit policy staging-images: no signature found")
    }

    @Test("defaultAction audit: the decision's reason")
    func defaultAudit() {
        let decision = ImageDecision(image: "docker.io/library/redis:7", decision: PolicyDecision(
            verdict: .audit, results: [], reason: "no policy matches docker.io/library/redis; defaultAction is audit"))
        #expect(AuditWarnings.failureLine(decision)
            == "docker.io/library/redis:7: no policy matches docker.io/library/redis; defaultAction is audit")
    }

    @Test("count bound", arguments: [(0, 0), (1, 1), (10, 10), (11, 11), (13, 11), (200, 11)])
    func countBound(failing: Int, expectedLines: Int) {
        let decisions = (0..<failing).map { Decisions.audit("atcr.io/alice/img-\($0):v1") }
        let lines = AuditWarnings.lines(for: decisions)
        #expect(lines.count == expectedLines)
        #expect(lines.allSatisfy { $0.utf8.count <= 120 })
        if failing > 10 {
            #expect(lines.prefix(10).map { String($0.prefix(20)) } == (0..<10).map { String("atcr.io/alice/img-\($0):v1".prefix(20)) })
            let omitted = failing - 10
            #expect(lines.last == "…and \(omitted) more \(omitted == 1 ? "image failed" : "images failed") audit policies")
        }
    }

    @Test("the summary wording")
    func summaries() {
        #expect(AuditWarnings.summary(failures: 3, notes: 0) == "…and 3 more images failed audit policies")
        #expect(AuditWarnings.summary(failures: 1, notes: 0) == "…and 1 more image failed audit policies")
        #expect(AuditWarnings.summary(failures: 0, notes: 2) == "…and 2 more warnings")
        #expect(AuditWarnings.summary(failures: 2, notes: 1) == "…and 2 more images failed audit policies, plus 1 more warning")
    }

    @Test("notes follow the failures and share the bound")
    func notes() {
        var tagged = Decisions.allow("atcr.io/alice/prod-api:v1")
        tagged.notes = ["resolved by tag at admission time; pin a digest to avoid a time-of-check race"]
        #expect(AuditWarnings.lines(for: [tagged, Decisions.audit("atcr.io/alice/b:v1")]) == [
            "atcr.io/alice/b:v1 fails audit policy staging-images: no signature found",
            "atcr.io/alice/prod-api:v1: resolved by tag at admission time; pin a digest to avoid a time-of-check race",
        ])
        let many = (0..<9).map { Decisions.audit("atcr.io/alice/img-\($0):v1") }
        var noted = Decisions.allow("atcr.io/alice/x:v1")
        noted.notes = ["n1", "n2", "n3"]
        let lines = AuditWarnings.lines(for: many + [noted])
        #expect(lines.count == 11)
        #expect(lines[9] == "atcr.io/alice/x:v1: n1")
        #expect(lines[10] == "…and 2 more warnings")
    }

    @Test("warnings are single lines even when the input is not")
    func singleLine() {
        let line = AuditWarnings.failureLine(Decisions.audit("atcr.io/a/b:v1", reason: "one\ntwo\r\nthree\u{2028}four"))
        #expect(line == "atcr.io/a/b:v1 fails audit policy staging-images: one two  three four")
    }
}
