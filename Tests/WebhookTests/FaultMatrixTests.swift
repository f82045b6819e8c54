import Foundation
import Synchronization
import Testbed
import Testing
@testable import Webhook

/// Every upstream fault of the local world, under `enforce` and under `audit`: the review is
/// answered at once (the upstream refused, failed or answered nonsense) or at its deadline (the
/// upstream stalled), its reason names the fault, and once the fault is gone the same image is
/// admitted at once: a transient failure never becomes a cached negative.
@Suite("Fault matrix", .serialized)
struct FaultMatrixTests {
    /// When a faulty review must be answered.
    enum Timing: Sendable {
        /// Well before the deadline: the fault is definite (refused, an error status, bad bytes).
        case atOnce
        /// At the review's deadline: the upstream stays silent or drips.
        case atDeadline
        /// Slowly but within the deadline: the upstream is slow, not broken.
        case slowly
    }

    /// One row: which server misbehaves and how, the image that needs it, what the reason says.
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let image: String
        let server: KeyPath<TestWorld, TestServer> & Sendable
        let fault: Fault
        /// A fragment the denial and the audit finding must contain (case-insensitive); nil: the
        /// image is admitted in spite of the fault.
        let reason: String?
        let timing: Timing

        var testDescription: String { name }
    }

    /// How the server misbehaves.
    enum Fault: Sendable {
        /// Stops listening: connection refused.
        case down
        /// An injected fault on matching requests.
        case inject(FaultSwitch.Fault)
    }

    /// The review's deadline. The rows run one at a time, but beside the rest of the suite on a
    /// CI machine's cores: "at once" means well before it (a fault retried until the deadline
    /// would take all of it), not the ~10 ms a quiet machine shows (`make bench-report`).
    static let deadlineSeconds = 12
    /// Longer than the deadline, short enough that the load that outlives the review finishes
    /// (and is cached) soon after the fault is gone.
    static let stall: Duration = .seconds(15)

    static let rows: [Row] = [
        Row(name: "PLC directory down", image: "signed-k256-digest", server: \.plcServer, fault: .down,
            reason: "unreachable: connection refused", timing: .atOnce),
        Row(name: "PLC directory slow", image: "signed-k256-digest", server: \.plcServer,
            fault: .inject(.init(matching: "/did:plc:", stall: .seconds(1))), reason: nil, timing: .slowly),
        Row(name: "PLC directory stalled", image: "signed-k256-digest", server: \.plcServer,
            fault: .inject(.init(matching: "/did:plc:", stall: stall)), reason: "timed out", timing: .atDeadline),
        Row(name: "PLC directory answering garbage", image: "signed-k256-digest", server: \.plcServer,
            fault: .inject(.init(matching: "/did:plc:", body: .replace(Array("<html>502 Bad Gateway</html>".utf8)))),
            reason: "DID document: invalid JSON", timing: .atOnce),
        Row(name: "did:web host down", image: "signed-did-web", server: \.didWebServer, fault: .down,
            reason: "unreachable: connection refused", timing: .atOnce),
        Row(name: "PDS stalled", image: "signed-k256-digest", server: \.pdsServer,
            fault: .inject(.init(matching: "getRecord", stall: stall)), reason: "timed out", timing: .atDeadline),
        Row(name: "PDS slow-drip", image: "signed-k256-digest", server: \.pdsServer,
            fault: .inject(.init(matching: "getRecord", body: .drip(pieces: 16, interval: .seconds(1)))),
            reason: "timed out", timing: .atDeadline),
        Row(name: "PDS truncated CAR", image: "signed-k256-digest", server: \.pdsServer,
            fault: .inject(.init(matching: "getRecord", body: .truncate(keeping: 200))), reason: "truncated", timing: .atOnce),
        Row(name: "PDS oversized CAR", image: "signed-k256-digest", server: \.pdsServer,
            fault: .inject(.init(matching: "getRecord", body: .pad(bytes: 2 << 20, with: 0))), reason: "larger than 1048576 bytes",
            timing: .atOnce),
        Row(name: "PDS 500", image: "signed-k256-digest", server: \.pdsServer,
            fault: .inject(.init(matching: "getRecord", status: 500)), reason: "HTTP 500", timing: .atOnce),
        Row(name: "registry 503", image: "signed-k256", server: \.registryServer,
            fault: .inject(.init(matching: "/manifests/", status: 503)), reason: "503", timing: .atOnce),
        Row(name: "registry 429 with Retry-After", image: "signed-k256", server: \.registryServer,
            fault: .inject(.init(matching: "/manifests/", status: 429, headers: ["Retry-After": "120"])), reason: "429", timing: .atOnce),
        Row(name: "registry redirect loop", image: "signed-k256", server: \.registryServer,
            fault: .inject(.init(matching: "/blobs/", status: 307, headers: ["Location": "/v2/alice/prod-api/blobs/sha256:loop"])),
            reason: "redirect", timing: .atOnce),
        Row(name: "registry serving the wrong digest", image: "signed-k256", server: \.registryServer,
            fault: .inject(.init(matching: "/manifests/sha256:", body: .pad(bytes: 1, with: 0x20))), reason: "the registry served other bytes",
            timing: .atOnce),
        Row(name: "registry connection refused", image: "signed-k256", server: \.registryServer, fault: .down,
            reason: "unreachable: connection refused", timing: .atOnce),
    ]

    @Test("a fault is answered in time, named, and forgotten once it is gone", arguments: rows)
    func fault(_ row: Row) async throws {
        let world = try await TestWorld.start()
        let enforce = try await WebhookHarness(world: world) { $0.freshnessInterval = .zero }
        let audit = try await WebhookHarness(world: world) {
            $0.freshnessInterval = .zero
            $0.auditOnly = true
        }
        let image = try #require(world.image(row.image)).reference
        let server = world[keyPath: row.server]
        switch row.fault {
        case .down: await server.stop()
        case .inject(let fault): server.faults.add(fault)
        }

        async let enforced = Self.review(image, on: enforce)
        async let audited = Self.review(image, on: audit)
        let (denial, finding) = try await (enforced, audited)
        Self.report(row, denial, finding)
        for (mode, answer) in [("enforce", denial), ("audit", finding)] {
            switch row.timing {
            case .atOnce:
                #expect(answer.elapsed < .seconds(Self.deadlineSeconds - 4), "\(row.name), \(mode): answered in \(answer.elapsed), not at once")
            case .atDeadline:
                #expect(answer.elapsed >= .seconds(Self.deadlineSeconds) - .milliseconds(1_000), "\(row.name), \(mode): \(answer.elapsed)")
                #expect(answer.elapsed < .seconds(Self.deadlineSeconds + 3), "\(row.name), \(mode): \(answer.elapsed)")
            case .slowly:
                #expect(answer.elapsed < .seconds(Self.deadlineSeconds), "\(row.name), \(mode): \(answer.elapsed)")
            }
        }
        guard let reason = row.reason else {
            #expect(denial.allowed == true, "\(row.name): a slow upstream within the deadline admits: \(denial.body)")
            #expect(finding.allowed == true && finding.findings.isEmpty, "\(row.name): \(finding.body)")
            await Self.stop(world, enforce, audit)
            return
        }
        #expect(denial.allowed == false, "\(row.name): enforce must deny: \(denial.body)")
        #expect(denial.message.localizedCaseInsensitiveContains(reason), "\(row.name): the denial names the fault: \(denial.message)")
        #expect(finding.allowed == true, "\(row.name): audit admits: \(finding.body)")
        #expect(finding.findings.contains { $0.localizedCaseInsensitiveContains(reason) },
                "\(row.name): the audit finding names the fault: \(finding.findings)")
        #expect(finding.warnings.contains { $0.contains("fails audit policy") }, "\(row.name): and kubectl shows a warning: \(finding.warnings)")

        switch row.fault {
        case .down: try await server.resume()
        case .inject: server.faults.clear()
        }
        // A stalled load outlives its review (bounded by the stall here); nothing negative is
        // kept from any fault, so the image is admitted as soon as the upstream answers again.
        let recovered = try await WebhookOperationsTests.waitUntil(Double(Self.deadlineSeconds) * 2) {
            try await Self.review(image, on: enforce).allowed == true
        }
        #expect(recovered, "\(row.name): once the fault is gone the image is admitted (no cached negative)")
        #expect(try await Self.review(image, on: audit).findings.isEmpty, "\(row.name): and audit has nothing to report")
        await Self.stop(world, enforce, audit)
    }

    /// With `ATCR_FAULT_MATRIX_REPORT=FILE` (set by scripts/bench-report), one tab-separated
    /// line per row: fault, enforce's answer and time, audit's answer and time.
    static func report(_ row: Row, _ denial: Answer, _ finding: Answer) {
        guard let path = ProcessInfo.processInfo.environment["ATCR_FAULT_MATRIX_REPORT"] else { return }
        func text(_ answer: Answer) -> String {
            let verdict = answer.allowed == true ? (answer.findings.isEmpty ? "admitted" : "admitted, finding") : "denied"
            return "\(verdict)\t\(Int((answer.elapsed / .milliseconds(1)).rounded())) ms"
        }
        let line = "\(row.name)\t\(text(denial))\t\(text(finding))\t\(row.reason ?? "-")\n"
        reportLock.withLock { _ in
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: path) else { return }
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        }
    }

    /// Rows run in parallel; their report lines are appended one at a time.
    static let reportLock = Mutex(())

    static func stop(_ world: TestWorld, _ harnesses: WebhookHarness...) async {
        for harness in harnesses { await harness.stop() }
        await world.stop()
    }

    @Test("a cached DID document keeps admitting through a directory outage, within its stale-if-error bound")
    func staleIfError() async throws {
        let world = try await TestWorld.start()
        let tolerant = try await WebhookHarness(world: world) {
            $0.freshnessInterval = .zero
            $0.cacheTTL = .milliseconds(300)
            $0.didStaleIfError = .seconds(3_600)
        }
        let strict = try await WebhookHarness(world: world) {
            $0.freshnessInterval = .zero
            $0.cacheTTL = .milliseconds(300)
            $0.didStaleIfError = .zero
        }
        let image = try #require(world.image("signed-k256-digest")).reference
        #expect(try await Self.review(image, on: tolerant).allowed == true)
        #expect(try await Self.review(image, on: strict).allowed == true)

        await world.plcServer.stop()
        try await Task.sleep(for: .milliseconds(600))  // every cached entry has expired
        let served = try await Self.review(image, on: tolerant)
        #expect(served.allowed == true, "within its stale-if-error bound the cached document admits: \(served.body)")
        #expect(served.warnings.contains { $0.contains("served from cache") }, "and says so: \(served.warnings)")
        let refused = try await Self.review(image, on: strict)
        #expect(refused.allowed == false, "with no stale-if-error the outage denies: \(refused.body)")
        #expect(refused.message.contains("unreachable: connection refused"), "\(refused.message)")

        await tolerant.stop()
        await strict.stop()
        await world.stop()
    }

    /// One review's answer and how long it took.
    struct Answer {
        let allowed: Bool?
        let message: String
        let warnings: [String]
        /// The audit annotation's findings' reasons (whole, where warnings are cut to 120 bytes).
        let findings: [String]
        let body: String
        let elapsed: Duration
    }

    static func review(_ image: String, on harness: WebhookHarness) async throws -> Answer {
        let started = ContinuousClock.now
        let reply = try await harness.post(Reviews.pod([image]), query: "timeout=\(deadlineSeconds)s")
        let response = reply.json["response"]
        let findings = JSONValueBox(response["auditAnnotations"]["findings"].string ?? "[]").array.compactMap { $0["reason"].string }
        return Answer(
            allowed: response["allowed"].bool, message: response["status"]["message"].string ?? "",
            warnings: response["warnings"].array.compactMap(\.string), findings: findings, body: reply.body,
            elapsed: ContinuousClock.now - started)
    }
}
