/// A failed check as every JSON the project writes names it (docs/proof-checks.md, "In JSON"):
/// `{"number": 10, "name": "block-hash"}` for a numbered check of a record proof, and
/// `{"number": null, "name": "record-absent"}` for an outcome without a number
/// (`record-absent`, `replayed-commit`, `artifact-invalid`, and the test world's scenario
/// classes). `proof --json`, `verify --json`, the audit lines and `world.json` all use it.
public struct FailedCheck: Sendable, Hashable, CustomStringConvertible {
    /// The check's number (1–23), or nil for an outcome without one.
    public let number: Int?
    /// The stable machine name, e.g. `block-hash`, `record-absent`.
    public let name: String

    public init(number: Int?, name: String) {
        self.number = number
        self.name = name
    }

    /// A numbered check.
    public init(_ check: ProofCheck) {
        self.init(number: check.rawValue, name: check.name)
    }

    /// From its text form: `check 10 (block-hash)`, or a bare name such as `record-absent`.
    public init(text: String) {
        if text.hasPrefix("check "), let open = text.firstIndex(of: "("), text.hasSuffix(")"),
            let number = Int(text.dropFirst(6).prefix { $0.isNumber })
        {
            self.init(number: number, name: String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
        } else {
            self.init(number: nil, name: text)
        }
    }

    /// `check 10 (block-hash)`, or the bare name.
    public var description: String {
        number.map { "check \($0) (\(name))" } ?? name
    }

    /// `{"number": 10, "name": "block-hash"}`.
    public var json: JSONValue {
        .object([
            JSONMember(name: "number", value: number.map { .number(String($0)) } ?? .null),
            JSONMember(name: "name", value: .string(name)),
        ])
    }
}
