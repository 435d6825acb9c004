import LuaKit
import Testing

@Suite("JSON codec")
struct JSONTests {
    @Test("the edge cases of json_cases.lua all pass")
    func cases() throws {
        let state = try LuaState()
        let checked = try state.call(try luaResource("json_cases.lua"), name: "@json_cases.lua")
        #expect((checked.first?.integerValue ?? 0) > 50)
    }

    @Test("decode errors name the byte offset")
    func errorOffset() throws {
        let state = try LuaState()
        let values = try state.call("return pcall(json.decode, '{\"a\": 1,, }')")
        #expect(values[0] == false)
        #expect(values[1].stringValue?.contains("byte") == true, "\(values[1])")
    }

    @Test("integers up to 2^63-1 survive Lua -> JSON -> Swift")
    func integers() throws {
        let state = try LuaState()
        let values = try state.call("""
            local s = json.encode({ big = math.maxinteger, small = math.mininteger, f = 1.0, z = -0.0 })
            local t = json.decode(s)
            return t.big, t.small, math.type(t.f), 1 / t.z
            """)
        #expect(values == [.integer(.max), .integer(.min), "float", .number(-.infinity)])
    }
}
