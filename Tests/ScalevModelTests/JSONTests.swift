import ScalevModel
import Testing

@Suite("JSON")
struct JSONTests {
    @Test("integers stay integers, null and empty containers survive, strings round-trip")
    func roundTrip() throws {
        let text = #"{"big":9223372036854775807,"neg":-12,"pi":3.25,"exp":1e3,"none":null,"list":[],"map":{},"text":"a\"b\\c\n\u00e9 😀 \ud83d\ude00"}"#
        let value = try JSON(parsing: Array(text.utf8))
        #expect(value["big"] == .integer(9_223_372_036_854_775_807))
        #expect(value["neg"] == .integer(-12))
        #expect(value["pi"] == .double(3.25))
        #expect(value["exp"] == .double(1000))
        #expect(value["none"] == .null)
        #expect(value["list"] == .array([]))
        #expect(value["map"] == .object([:]))
        #expect(value["text"] == .string("a\"b\\c\né 😀 😀"))
        #expect(try JSON(parsing: value.encoded()) == value)
        #expect(String(decoding: JSON.object(["b": 1, "a": [true, nil, "x"]]).encoded(), as: UTF8.self) == #"{"a":[true,null,"x"],"b":1}"#)
    }

    @Test("parses and encodes exactly: escapes, surrogate pairs, the largest integer")
    func exact() {
        let text = #"{"a":[1,-2,3.5,1e3,true,false,null],"b":"q\"\\\/\n\u00e9\ud83d\ude00","c":{},"d":[],"big":9223372036854775807}"#
        let value = try? JSON(parsing: Array(text.utf8))
        #expect(value?["a"] == [1, -2, 3.5, 1000.0, true, false, nil])
        #expect(value?["b"] == .string("q\"\\/\né😀"))
        #expect(value?["big"] == .integer(Int64.max))
        #expect(value.map { try? JSON(parsing: $0.encoded()) } == value)
    }

    @Test("invalid JSON is refused with a position", arguments: [
        "", "{", "[1,]", "01", "\"abc", "{\"a\" 1}", "nul", "[1] x", "\"\\ud800\"", "\"x", "[1] 2", "\"\u{01}\"",
    ])
    func invalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: Array(text.utf8)) }
    }
}
