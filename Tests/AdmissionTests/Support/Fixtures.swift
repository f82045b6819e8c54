import ATProto
import Foundation
@testable import Admission

/// The fixture files beside this test target, found from this file's path (no bundle
/// resources needed): kubectl-generated objects in `Fixtures/objects`, AdmissionReview
/// envelopes around them in `Fixtures/reviews` (made by `Fixtures/make-reviews.sh`).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Raw bytes of `reviews/<name>.json`.
    static func reviewBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent("reviews/\(name).json")))
    }

    /// `reviews/<name>.json` parsed with the module's own parser.
    static func request(_ name: String) throws -> AdmissionRequest {
        try AdmissionReview.parseRequest(try reviewBytes(name))
    }

    /// `objects/<name>.json` as a JSON value.
    static func object(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent("objects/\(name).json"))
        return try JSONParser().parse(Array(data))
    }

    /// The review file names (without `.json`), sorted.
    static func reviewNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("reviews").path)
            .filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    /// A valid review as JSON with `request` members replaced (or removed, for `nil`).
    static func review(_ base: String = "pod-create", replacing changes: [String: JSONValue?] = [:]) throws -> JSONValue {
        let document = try JSONParser().parse(try reviewBytes(base))
        guard case .object(var top) = document,
              let index = top.firstIndex(where: { $0.name == "request" }),
              case .object(var request) = top[index].value
        else { throw FixtureError.malformed(base) }
        for (key, value) in changes {
            request.removeAll { $0.name == key }
            if let value { request.append(JSONMember(name: key, value: value)) }
        }
        top[index] = JSONMember(name: "request", value: .object(request))
        return .object(top)
    }

    enum FixtureError: Error { case malformed(String) }
}

extension JSONValue {
    /// Bytes of the compact serialization.
    var bytes: [UInt8] { Array(serialized.utf8) }

    /// `self` with the member at `path` (object keys, or `#n` for array index n) replaced.
    func replacing(_ path: [String], with value: JSONValue?) -> JSONValue {
        guard let key = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(var members):
            if let index = members.firstIndex(where: { $0.name == key }) {
                if rest.isEmpty && value == nil {
                    members.remove(at: index)
                } else {
                    members[index] = JSONMember(name: key, value: members[index].value.replacing(rest, with: value))
                }
            } else if let value {
                members.append(JSONMember(name: key, value: JSONValue.object([]).replacing(rest, with: value)))
            }
            return .object(members)
        case .array(var items):
            guard key.hasPrefix("#"), let index = Int(key.dropFirst()), items.indices.contains(index) else { return self }
            items[index] = items[index].replacing(rest, with: value)
            return .array(items)
        default:
            return self
        }
    }
}
