import ScalevSandbox
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses and serialises exactly")
    func roundTrip() {
        let text = #"{"a":[1,-2,3.5,1e3,true,false,null],"b":"q\"\\\/\n\u00e9\ud83d\ude00","c":{},"d":[],"big":9223372036854775807}"#
        let value = JSONValue.parse(Array(text.utf8))
        #expect(value?["a"] == [1, -2, 3.5, 1000.0, true, false, nil])
        #expect(value?["b"] == .string("q\"\\/\né😀"))
        #expect(value?["big"] == .int(Int.max))
        #expect(value.map { JSONValue.parse($0.serialized()) } == value)
        for bad in ["", "{", "[1,]", "01", "\"x", "{\"a\" 1}", "nul", "[1] 2", "\"\u{01}\""] {
            let parsed = JSONValue.parse(Array(bad.utf8))
            #expect(parsed == Optional<JSONValue>.none, "\(bad) -> \(String(describing: parsed))")
        }
    }
}
