import ATProto
import Foundation
import Testing
import TrustPolicy
@testable import Admission

/// Deterministic fuzzing: random bytes, byte-level mutations of every fixture review, and
/// JSON-level type confusion. Every input must yield a request or a typed error, and every
/// request must go through planning and rendering without trapping, producing valid JSON.
@Suite("No input crashes the admission path")
struct FuzzTests {
    /// SplitMix64: a fixed seed makes every run see the same inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Verdict { case parsed, rejected }

    /// Runs the whole pure path; returns whether the body parsed.
    @discardableResult
    static func exercise(_ body: [UInt8]) -> Verdict {
        do {
            let request = try AdmissionReview.parseRequest(body)
            let plan = AdmissionPlan(request: request)
            // Alternate verdicts so deny, audit and allow paths all run.
            let decisions = plan.toVerify.enumerated().map { index, use -> ImageDecision in
                switch index % 3 {
                case 0: Decisions.deny(use.image)
                case 1: Decisions.audit(use.image)
                default: Decisions.allow(use.image)
                }
            }
            let outcome = AdmissionOutcome(request: request, plan: plan, decisions: decisions)
            let response = try? JSONParser().parse(Array(outcome.response.body.utf8))
            #expect(response?["response"]?["uid"] == .string(request.uid))
            #expect(outcome.response.warnings.count <= 11)
            #expect(outcome.response.warnings.allSatisfy { $0.utf8.count <= 120 })
            let now = Date(timeIntervalSince1970: 1_795_309_323)
            for line in outcome.auditEvents(at: now).map(\.jsonLine) {
                #expect((try? JSONParser().parse(Array(line.utf8))) != nil)
            }
            for event in outcome.kubernetesEvents(at: now, reportingInstance: "w") {
                #expect(KubernetesNames.isDNSSubdomain(event.name))
                #expect(event.note.utf8.count <= KubernetesEvent.Limits.note)
            }
            return .parsed
        } catch {
            #expect(!error.code.isEmpty)
            #expect((try? JSONParser().parse(Array(error.jsonBody.utf8))) != nil)
            return .rejected
        }
    }

    @Test("random bytes")
    func randomBytes() {
        var rng = Generator(state: 0xA7C0_0001)
        let alphabet = Array("{}[]\",:0123456789-+.eEtruefalsn \\u\n".utf8)
        for round in 0..<3000 {
            let length = Int.random(in: 0...300, using: &rng)
            let body: [UInt8] = (0..<length).map { _ in
                // Half the rounds draw from JSON's alphabet so the parser gets further.
                round.isMultiple(of: 2) ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng) ?? 0
            }
            Self.exercise(body)
        }
    }

    @Test("byte mutations of every fixture review")
    func byteMutations() throws {
        var rng = Generator(state: 0xA7C0_0002)
        var parsed = 0
        var rejected = 0
        let interesting = Array("{}[]\",:0\\".utf8) + [0x00, 0xFF, 0xC3, 0x80]
        for name in try Fixtures.reviewNames() {
            let original = try Fixtures.reviewBytes(name)
            for _ in 0..<250 {
                var body = original
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    guard !body.isEmpty else { break }
                    let at = Int.random(in: 0..<body.count, using: &rng)
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0: body[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1: body.insert(interesting.randomElement(using: &rng) ?? 0, at: at)
                    case 2: body.remove(at: at)
                    case 3: body = Array(body[..<at])
                    default:
                        let end = min(body.count, at + Int.random(in: 1...64, using: &rng))
                        body.insert(contentsOf: body[at..<end], at: at)
                    }
                }
                switch Self.exercise(body) {
                case .parsed: parsed += 1
                case .rejected: rejected += 1
                }
            }
        }
        // Both outcomes occur, so both paths were exercised.
        #expect(parsed > 0)
        #expect(rejected > 0)
    }

    /// A random JSON value of bounded size.
    static func randomValue(_ rng: inout Generator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(["0", "-1", "1e400", "3.5", "99999999999999999999"].randomElement(using: &rng) ?? "0")
        case 3: return .string(["", " ", "nginx", "CREATE", "\n", "é😀", "@sha256:", String(repeating: "a", count: 300)].randomElement(using: &rng) ?? "")
        case 4: return .string("admission.k8s.io/v1")
        case 5: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0...3, using: &rng)).map { index in
                JSONMember(name: ["image", "name", "spec", "containers", "metadata", "k\(index)"][index % 6], value: randomValue(&rng, depth: depth + 1))
            })
        }
    }

    /// Every member path in `value`, as `replacing(_:with:)` paths.
    static func paths(_ value: JSONValue, prefix: [String] = []) -> [[String]] {
        switch value {
        case .object(let members):
            return members.flatMap { [prefix + [$0.name]] + paths($0.value, prefix: prefix + [$0.name]) }
        case .array(let items):
            return items.indices.flatMap { [prefix + ["#\($0)"]] + paths(items[$0], prefix: prefix + ["#\($0)"]) }
        default:
            return []
        }
    }

    @Test("type confusion: any field replaced by any value, or removed")
    func typeConfusion() throws {
        var rng = Generator(state: 0xA7C0_0003)
        var parsed = 0
        var rejected = 0
        for name in try Fixtures.reviewNames() {
            let document = try JSONParser().parse(try Fixtures.reviewBytes(name))
            let allPaths = Self.paths(document)
            for _ in 0..<200 {
                var mutated = document
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    guard let path = allPaths.randomElement(using: &rng) else { break }
                    let replacement: JSONValue? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : Self.randomValue(&rng)
                    mutated = mutated.replacing(path, with: replacement)
                }
                switch Self.exercise(mutated.bytes) {
                case .parsed: parsed += 1
                case .rejected: rejected += 1
                }
            }
        }
        #expect(parsed > 100)
        #expect(rejected > 100)
    }
}
