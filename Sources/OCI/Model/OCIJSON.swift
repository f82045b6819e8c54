import Foundation

/// The one JSON encoding this module writes: sorted keys, no escaped slashes, so the same value
/// always gives the same bytes (and so the same digest).
public enum OCIJSON {
    /// Encodes `value` deterministically. The models here always encode; a failure is a
    /// programming error and traps.
    public static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            preconditionFailure("encoding \(Value.self) cannot fail: \(error)")
        }
    }

    /// Decodes `Value` from `bytes`, with the decoder's complaint as a readable string on failure.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Result<Value, JSONProblem> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(bytes)))
        } catch let error as DecodingError {
            return .failure(JSONProblem(message: describe(error)))
        } catch {
            return .failure(JSONProblem(message: "\(error)"))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)'" + (parent == "the document" ? "" : " in \(parent)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Why a JSON document did not decode as the expected model.
struct JSONProblem: Error {
    var message: String
}
