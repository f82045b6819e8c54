/// The canonical DAG-CBOR encoder: shortest integer and length forms, definite lengths,
/// map keys in canonical order, links as tag 42. Its output for a decoded value is the
/// input byte for byte (the decoder accepts nothing else).
public enum DAGCBOREncoder {
    /// Encodes `value` canonically.
    public static func encode(_ value: DAGCBORValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// Appends the canonical encoding of `value` to `out`.
    public static func append(_ value: DAGCBORValue, to out: inout [UInt8]) {
        switch value {
        case .integer(let int):
            if int >= 0 {
                appendHead(major: 0, UInt64(int), to: &out)
            } else {
                appendHead(major: 1, UInt64(-1 - int), to: &out)
            }
        case .bytes(let bytes):
            appendHead(major: 2, UInt64(bytes.count), to: &out)
            out += bytes
        case .text(let text):
            appendText(text, to: &out)
        case .array(let items):
            appendHead(major: 4, UInt64(items.count), to: &out)
            for item in items { append(item, to: &out) }
        case .map(let map):
            appendHead(major: 5, UInt64(map.entries.count), to: &out)
            for entry in map.entries {
                appendText(entry.key, to: &out)
                append(entry.value, to: &out)
            }
        case .link(let cid):
            appendLink(cid, to: &out)
        case .bool(let flag):
            out.append(flag ? 0xF5 : 0xF4)
        case .null:
            out.append(0xF6)
        }
    }

    /// Appends a text string.
    public static func appendText(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        appendHead(major: 3, UInt64(utf8.count), to: &out)
        out += utf8
    }

    /// Appends a CID link: `D8 2A`, then a byte string `00 ‖ binary CID`.
    public static func appendLink(_ cid: CID, to out: inout [UInt8]) {
        out += [0xD8, 0x2A]
        appendHead(major: 2, UInt64(cid.bytes.count + 1), to: &out)
        out.append(0x00)
        out += cid.bytes
    }

    /// Appends an initial byte and argument in the shortest form.
    public static func appendHead(major: UInt8, _ argument: UInt64, to out: inout [UInt8]) {
        let prefix = major << 5
        switch argument {
        case 0..<24:
            out.append(prefix | UInt8(argument))
        case 24...0xFF:
            out += [prefix | 24, UInt8(argument)]
        case 0x100...0xFFFF:
            out += [prefix | 25, UInt8(argument >> 8), UInt8(argument & 0xFF)]
        case 0x1_0000...0xFFFF_FFFF:
            out.append(prefix | 26)
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xFF)) }
        default:
            out.append(prefix | 27)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xFF)) }
        }
    }
}
