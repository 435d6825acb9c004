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

    @Test("a table whose metatable has __json is encoded as what __json returns")
    func jsonHook() throws {
        let state = try LuaState()
        let values = try state.call("""
            local amount = setmetatable({ sen = 150 }, { __metatable = "m", __json = function(t) return ("%d.%02d"):format(t.sen // 100, t.sen % 100) end })
            local nested = setmetatable({}, { __json = function() return { list = { 1, amount } } end })
            local loop = setmetatable({}, { __json = function(t) return t end })
            local bad = setmetatable({}, { __json = "text" })
            local _, e1 = pcall(json.encode, { x = loop })
            local _, e2 = pcall(json.encode, { bad })
            local _, e3 = pcall(json.encode, setmetatable({}, { __json = function() error("no way") end }))
            return json.encode({ total = amount }), json.encode(nested), e1, e2, e3
            """)
        #expect(values[0] == "{\"total\":\"1.50\"}")
        #expect(values[1] == "{\"list\":[1,\"1.50\"]}")
        #expect(values[2].stringValue?.contains("__json returned a table with a __json of its own at $.x") == true, "\(values[2])")
        #expect(values[3].stringValue?.contains("__json is not a function at $[1]") == true, "\(values[3])")
        #expect(values[4].stringValue?.contains("no way") == true, "\(values[4])")
    }
}
