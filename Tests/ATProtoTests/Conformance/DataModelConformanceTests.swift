import ATProto
import Foundation
import Testing

/// `data-model/` fixtures: atproto JSON → canonical DAG-CBOR → CID, and back.
@Suite("Data model conformance (atproto-interop-tests)")
struct DataModelConformanceTests {
    /// Reads a fixture file with our own JSON parser: Foundation's would blur `123.0` and `123`.
    static func cases(_ path: String) -> [JSONValue] {
        guard case .array(let items) = try? JSONParser().parse(InteropFixtures.data(path)) else {
            fatalError("\(path) is not a JSON array")
        }
        return items
    }

    @Test("JSON → DAG-CBOR bytes and CID; bytes → decode → re-encode byte-identical", arguments: cases("data-model/data-model-fixtures.json"))
    func fixture(_ item: JSONValue) throws {
        guard case .string(let cborBase64) = item["cbor_base64"], case .string(let cidString) = item["cid"],
            let json = item["json"]
        else { Issue.record("malformed fixture"); return }
        let expectedBytes = try #require(Base64.decode(cborBase64))

        let value = try AtprotoJSON.record(fromJSON: json)
        let encoded = DAGCBOREncoder.encode(value)
        #expect(encoded == expectedBytes)
        #expect(CID.dagCBOR(block: encoded).string == cidString)

        let decoded = try DAGCBORDecoder().decode(expectedBytes)
        #expect(decoded == value)
        #expect(DAGCBOREncoder.encode(decoded) == expectedBytes)

        // And back to JSON: the same data model value.
        #expect(try AtprotoJSON.record(fromJSON: AtprotoJSON.json(from: decoded)) == value)
    }

    @Test("valid atproto JSON is accepted", arguments: cases("data-model/data-model-valid.json"))
    func valid(_ item: JSONValue) throws {
        let json = try #require(item["json"])
        let value = try AtprotoJSON.record(fromJSON: json)
        let bytes = DAGCBOREncoder.encode(value)
        #expect(try DAGCBORDecoder().decode(bytes) == value)
    }

    @Test("invalid atproto JSON is refused", arguments: cases("data-model/data-model-invalid.json"))
    func invalid(_ item: JSONValue) throws {
        let json = try #require(item["json"])
        #expect(throws: AtprotoJSON.DataModelError.self) { try AtprotoJSON.record(fromJSON: json) }
    }

    @Test("an integer-like float is the integer")
    func integerLikeFloat() throws {
        let json = try JSONParser().parse(Array(#"{"a": 123.0, "b": -4e2}"#.utf8))
        #expect(try AtprotoJSON.record(fromJSON: json) == .map(DAGCBORMap(["a": .integer(123), "b": .integer(-400)])))
    }
}
