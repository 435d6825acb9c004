import LuaKit
import Testing

@Suite("Values between Swift and Lua")
struct ValueTests {
    @Test("integers stay integers at the edges")
    func integerEdges() async throws {
        let values = try await run("return math.maxinteger, math.mininteger, 0, -1, math.type(math.maxinteger)")
        #expect(values == [.integer(.max), .integer(.min), .integer(0), .integer(-1), "integer"])
    }

    @Test("floats keep -0.0, NaN and infinities")
    func floatEdges() async throws {
        let values = try await run("return -0.0, 0/0, 1/0, -1/0, 0.1, 2^53")
        guard case .number(let negativeZero) = values[0], case .number(let nan) = values[1] else {
            Issue.record("not floats: \(values)")
            return
        }
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(nan.isNaN)
        #expect(values[2] == .number(.infinity))
        #expect(values[3] == .number(-.infinity))
        #expect(values[4] == .number(0.1))
        #expect(values[5] == .number(9007199254740992))
    }

    @Test("strings are bytes: embedded NUL and invalid UTF-8 survive both ways")
    func stringBytes() async throws {
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xFE]
        let state = try LuaState()
        state.setGlobal("s", .string(LuaString(bytes: bytes)))
        let values = try state.call("return #s, s, s:byte(4)")
        #expect(values == [.integer(5), .string(LuaString(bytes: bytes)), .integer(0xFF)])
        #expect(LuaString(bytes: bytes).text == nil)
    }

    @Test("arrays, objects and the empty array stay distinguishable")
    func tables() async throws {
        let state = try LuaState()
        state.setGlobal("empty_array", .table(LuaTable(array: [])))
        state.setGlobal("empty_object", .table(LuaTable()))
        let values = try state.call("""
            return json.encode(empty_array), json.encode(empty_object), {1, 2, 3}, {a = 1, [10] = true},
                   json.decode('[]'), json.decode('{}')
            """)
        #expect(values[0] == "[]")
        #expect(values[1] == "{}")
        #expect(values[2].tableValue?.array == [1, 2, 3])
        #expect(values[3]["a"] == 1)
        #expect(values[3].tableValue?[.integer(10)] == true)
        #expect(values[4].tableValue?.isArray == true)
        #expect(values[5].tableValue?.isArray == false)
    }

    @Test("json.null round-trips through Swift as .null")
    func null() async throws {
        let state = try LuaState()
        state.setGlobal("n", .null)
        let values = try state.call("return n == json.null, {1, json.null, 3}")
        #expect(values[0] == true)
        #expect(values[1].tableValue?.array == [1, .null, 3])
    }

    @Test("deep tables convert; cyclic tables are an error, not a hang")
    func deepAndCyclic() async throws {
        let state = try LuaState()
        let deep = try state.call("local t = {} local c = t for i = 1, 150 do c.x = {} c = c.x end c.leaf = 1 return t")
        var cursor = deep[0]
        for _ in 0..<150 { cursor = cursor["x"] }
        #expect(cursor["leaf"] == 1)
        #expect(throws: LuaError.self) {
            _ = try state.call("local t = {} t.self = t return t")
        }
    }

    @Test("a copy out of Lua has a node and byte budget: shared subtables count at every visit")
    func copyBudget() async throws {
        let state = try LuaState(limits: LuaLimits(memory: 16 << 20))
        var received = 0
        state.register("take") { call in
            _ = try call.arguments()
            received += 1
            return []
        }
        let shared = "local t = {} for i = 1, 24 do t = { t, t } end "
        let returned = #expect(throws: LuaError.self) { _ = try state.call(shared + "return t") }
        #expect(returned?.message.hasPrefix("value too large to copy out of Lua: more than") == true, "\(returned?.message ?? "")")
        let passed = try state.call(shared + "local ok, e = pcall(take, 1, t) return ok, e")
        #expect(passed[0] == false)
        #expect(passed[1].stringValue?.contains("value too large to copy out of Lua") == true, "\(passed)")
        // what the memory limit leaves bounds the bytes: a 4 MiB string copied 8 times in one call is over it
        let strings = try state.call("local s = ('x'):rep(4 << 20) local ok, e = pcall(take, {s, s, s, s, s, s, s, s}) return ok, e")
        #expect(strings[0] == false)
        #expect(strings[1].stringValue?.contains("(what the memory limit leaves)") == true, "\(strings)")
        // the state stays healthy, and an ordinary value copies
        let small = try state.call("local t = {} for i = 1, 1000 do t[i] = { id = i, tags = { 'a', 'b' } } end take(t) return #t")
        #expect(small == [1000] && received == 1)
    }

    @Test("the copy of a long sequence is not sized from its border")
    func sequenceBorder() async throws {
        let state = try LuaState()
        let values = try state.call("local t = { 1, 2, 3 } t[1 << 40] = 4 return t")
        #expect(values[0].tableValue?.array == [1, 2, 3])
        #expect(values[0].tableValue?.fields[.integer(1 << 40)] == 4)
    }

    @Test("Swift tables push into Lua with their contents")
    func pushNested() async throws {
        let state = try LuaState()
        let order: LuaValue = ["id": 42, "tags": ["vip", "paid"], "total": "125000.00", "note": .null]
        state.setGlobal("order", order)
        let values = try state.call("return order.id, #order.tags, order.tags[2], order.total, order.note == json.null")
        #expect(values == [42, 2, "paid", "125000.00", true])
        #expect(state.global("order") == order)
    }

    @Test("Codable values convert both ways")
    func codable() async throws {
        struct Order: Codable, Equatable {
            var id: Int64
            var total: String
            var tags: [String]
            var paid: Bool
            var note: String?
            var weight: Double
        }
        let order = Order(id: .max, total: "125000.00", tags: ["vip"], paid: true, note: nil, weight: 1.5)
        let value = try LuaValue(encoding: order)
        let state = try LuaState()
        state.setGlobal("order", value)
        let back = try state.call("order.tags[#order.tags + 1] = 'checked' return order")[0]
        var expected = order
        expected.tags.append("checked")
        #expect(try back.decode(Order.self) == expected)
        #expect(throws: (any Error).self) { _ = try LuaValue.string("x").decode(Order.self) }
    }
}
