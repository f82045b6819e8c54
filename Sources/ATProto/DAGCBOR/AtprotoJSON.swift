
/// The atproto data model's JSON form and its mapping to DAG-CBOR:
/// `{"$link": cid}` is a link, `{"$bytes": base64}` a byte string, integers only (a JSON
/// `123.0` is the integer 123, `1.5` is refused), `$type` a non-empty string, and a
/// `$type: "blob"` object carries `ref` (a link), `mimeType` (string) and `size` (integer).
public enum AtprotoJSON {
    /// Why JSON is not valid atproto data.
    public struct DataModelError: Error, Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path.isEmpty ? "$" : path): \(reason)" }
    }

    /// Converts a record (a JSON object at the top level) to its DAG-CBOR value.
    public static func record(fromJSON json: JSONValue) throws(DataModelError) -> DAGCBORValue {
        guard case .object = json else {
            throw DataModelError(path: "", reason: "a record must be a JSON object")
        }
        return try value(fromJSON: json, path: "")
    }

    /// Converts any atproto JSON value to its DAG-CBOR value.
    public static func value(fromJSON json: JSONValue, path: String) throws(DataModelError) -> DAGCBORValue {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .text(text)
        case .number(let text): return .integer(try integer(text, path: path))
        case .array(let items):
            var out: [DAGCBORValue] = []
            for (index, item) in items.enumerated() {
                out.append(try value(fromJSON: item, path: "\(path)[\(index)]"))
            }
            return .array(out)
        case .object(let members):
            return try object(members, path: path)
        }
    }

    private static func object(_ members: [JSONMember], path: String) throws(DataModelError) -> DAGCBORValue {
        let names = Set(members.map(\.name))
        if names.contains("$link") {
            guard members.count == 1, case .string(let text) = members[0].value else {
                throw DataModelError(path: path, reason: "$link must be the only member and a string")
            }
            do {
                return .link(try CID(string: text))
            } catch {
                throw DataModelError(path: path, reason: "$link is not a CID: \(error)")
            }
        }
        if names.contains("$bytes") {
            guard members.count == 1, case .string(let text) = members[0].value,
                let bytes = Base64.decode(text)
            else {
                throw DataModelError(path: path, reason: "$bytes must be the only member and unpadded base64")
            }
            return .bytes(bytes)
        }
        var dictionary: [String: DAGCBORValue] = [:]
        for member in members {
            dictionary[member.name] = try value(fromJSON: member.value, path: "\(path).\(member.name)")
        }
        if let type = dictionary["$type"] {
            guard case .text(let name) = type, !name.isEmpty else {
                throw DataModelError(path: "\(path).$type", reason: "$type must be a non-empty string")
            }
            if name == "blob" { try checkBlob(dictionary, path: path) }
        }
        return .map(DAGCBORMap(dictionary))
    }

    private static func checkBlob(_ blob: [String: DAGCBORValue], path: String) throws(DataModelError) {
        guard case .link = blob["ref"] else {
            throw DataModelError(path: "\(path).ref", reason: "a blob needs a ref link")
        }
        guard case .text = blob["mimeType"] else {
            throw DataModelError(path: "\(path).mimeType", reason: "a blob needs a string mimeType")
        }
        guard case .integer(let size) = blob["size"], size >= 0 else {
            throw DataModelError(path: "\(path).size", reason: "a blob needs a non-negative integer size")
        }
    }

    private static func integer(_ text: String, path: String) throws(DataModelError) -> Int64 {
        if let value = Int64(text) { return value }
        // Written with a fraction or exponent: allowed only when the value is an exact integer.
        guard let double = Double(text), double.isFinite, double.rounded() == double,
            double >= -9_007_199_254_740_991, double <= 9_007_199_254_740_991
        else {
            throw DataModelError(path: path, reason: "\(text) is not an integer (atproto has no floats)")
        }
        return Int64(double)
    }

    /// Converts a DAG-CBOR value to atproto JSON.
    public static func json(from value: DAGCBORValue) -> JSONValue {
        switch value {
        case .integer(let int): return .number(String(int))
        case .bytes(let bytes): return .object([JSONMember(name: "$bytes", value: .string(Base64.encode(bytes)))])
        case .text(let text): return .string(text)
        case .array(let items): return .array(items.map(json(from:)))
        case .map(let map): return .object(map.entries.map { JSONMember(name: $0.key, value: json(from: $0.value)) })
        case .link(let cid): return .object([JSONMember(name: "$link", value: .string(cid.string))])
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        }
    }
}

extension JSONValue {
    /// Compact JSON text, members in their stored order.
    public var serialized: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .string(let text): JSONValue.writeString(text, to: &out)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.name, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes `text` as a JSON string: UTF-8 copied as is, `"`, `\\` and control characters escaped.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
