import ATProto
import Testing

@Suite("Strict JSON parser")
struct JSONParserTests {
    @Test("escapes, surrogate pairs and raw UTF-8 decode exactly")
    func strings() throws {
        let text = #"{"a":"plain","b":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00","c":"é😀"}"#
        let value = try JSONParser().parse(Array(text.utf8))
        #expect(value["a"] == .string("plain"))
        #expect(value["b"] == .string("q\"b\\s/n\nt\tué😀"))
        #expect(value["c"] == .string("é😀"))
        #expect(JSONValue.string("q\"\n\u{01}").serialized == #""q\"\n\u0001""#)
    }

    @Test("malformed input is refused with a reason", arguments: [
        #"{"a":1,"a":2}"#, "[1,]", #"{"a" 1}"#, "01", "1.", "-", "1e", #""\x""#, #""\ud800""#, #""\u12g4""#,
        "\"a\u{01}\"", "tru", "[1 2]", "{", #"{"a":1} x"#, "",
    ])
    func malformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser().parse(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 is refused, in plain and escaped strings")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }
    }

    @Test("duplicate keys are caught in large objects too")
    func largeObjectDuplicates() {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONParseError.self) { try JSONParser().parse(Array("{\(members),\"k3\":0}".utf8)) }
        #expect(throws: Never.self) { try JSONParser().parse(Array("{\(members)}".utf8)) }
    }

    @Test("numbers keep their written form; depth is bounded")
    func numbersAndDepth() throws {
        #expect(try JSONParser().parse(Array("[-0.5e+10, 123, 0]".utf8)) == .array([.number("-0.5e+10"), .number("123"), .number("0")]))
        #expect(throws: JSONParseError.self) { try JSONParser(maxDepth: 8).parse(Array((String(repeating: "[", count: 10) + String(repeating: "]", count: 10)).utf8)) }
    }
}
