@testable import LuaKit
import Testing

/// A shopping cart as a host keeps it: a value type the scripts see as userdata.
struct Cart: Sendable {
    var id: String
    var items: [Int64]
    var note = ""

    static let type: LuaUserdataType<Cart> = {
        var type = LuaUserdataType<Cart>("Cart")
        type.method("total") { cart, call in
            let discount = call.isNil(2) ? 0 : try call.integer(2)
            return [.integer(cart.items.reduce(0, +) - discount)]
        }
        type.asyncMethod("checkout") { cart, arguments in
            await Task.yield()
            return [.string(LuaString("paid \(cart.id) by \(arguments.first?.stringValue ?? "?")"))]
        }
        type.field("id", get: { .string(LuaString($0.id)) })
        type.field("note", get: { .string(LuaString($0.note)) }, set: { cart, value in
            guard let text = value.stringValue else { throw LuaError(.usage, "note must be a string") }
            cart.note = text
        })
        type.toString { "Cart(\($0.id), \($0.items.count) items)" }
        type.equals { $0.id == $1.id }
        type.length { $0.items.count }
        type.callable { cart, call in [.integer(cart.items[Int(try call.integer(2)) - 1])] }
        return type
    }()
}

/// A state with `new_cart(id)` making carts and `note_of(cart)` reading one back.
private func cartState() throws -> LuaState {
    let state = try LuaState()
    state.registerRaw("new_cart") { call in
        call.push(Cart(id: try call.string(1), items: [100, 250]), as: Cart.type)
        return 1
    }
    state.register("note_of") { call in [.string(LuaString(try call.userdata(1, as: Cart.type).note))] }
    return state
}

@Suite("Userdata types")
struct LuaUserdataTypeTests {
    @Test("a method receives the Swift value and its arguments")
    func method() throws {
        let state = try cartState()
        #expect(try state.call("local c = new_cart('A'); return c:total(), c:total(50)") == [350, 300])
    }

    @Test("an async method suspends the script, inside pcall too")
    func asyncMethod() async throws {
        let state = try cartState()
        #expect(try await state.run("local c = new_cart('A'); return c:checkout('card'), pcall(c.checkout, c, 'cash')")
            == ["paid A by card", true, "paid A by cash"])
    }

    @Test("fields read, a settable field is written back to the Swift value, others refuse")
    func fields() throws {
        let state = try cartState()
        #expect(try state.call("""
            local c = new_cart('A')
            c.note = 'gift'
            return c.id, c.note, note_of(c), c.missing
            """) == ["A", "gift", "gift", nil])
        let readOnly = try #require(throws: LuaError.self) { try state.call("new_cart('A').id = 'B'") }
        #expect(readOnly.message == "(chunk):1: field 'id' of Cart is read-only")
        let unknown = try #require(throws: LuaError.self) { try state.call("new_cart('A').colour = 1") }
        #expect(unknown.message == "(chunk):1: Cart has no field 'colour'")
        let setterError = try #require(throws: LuaError.self) { try state.call("new_cart('A').note = 5") }
        #expect(setterError.message == "(chunk):1: note must be a string")
    }

    @Test("metamethods: __tostring, __eq, __len, __call")
    func metamethods() throws {
        let state = try cartState()
        #expect(try state.call("""
            local a, b, c = new_cart('A'), new_cart('A'), new_cart('C')
            return tostring(a), a == b, a == c, #a, a(2)
            """) == ["Cart(A, 2 items)", true, false, 2, 250])
    }

    @Test("a wrong argument names the type expected and the type given")
    func wrongType() throws {
        let state = try cartState()
        let table = try #require(throws: LuaError.self) { try state.call("return note_of({})") }
        #expect(table.message == "(chunk):1: bad argument #1 to 'note_of' (Cart expected, got table)")
        let dot = try #require(throws: LuaError.self) { try state.call("local c = new_cart('A'); return c.total()") }
        #expect(dot.message == "(chunk):1: bad argument #1 to 'total' (Cart expected, got no value)")
        var other = LuaUserdataType<Int>("Counter")
        other.method("value") { n, _ in [.integer(Int64(n))] }
        state.registerRaw("counter") { call in
            call.push(7, as: other)
            return 1
        }
        let wrongUserdata = try #require(throws: LuaError.self) { try state.call("return note_of(counter())") }
        #expect(wrongUserdata.message == "(chunk):1: bad argument #1 to 'note_of' (Cart expected, got Counter)")
    }

    @Test("the metatable is protected: getmetatable gives the name, setmetatable fails")
    func protectedMetatable() throws {
        let state = try cartState()
        #expect(try state.call("return getmetatable(new_cart('A'))") == ["Cart"])
        #expect(throws: LuaError.self) { try state.call("setmetatable(new_cart('A'), {})") }
        let trusted = try LuaState(profile: .trusted)
        trusted.registerRaw("new_cart") { call in
            call.push(Cart(id: "T", items: []), as: Cart.type)
            return 1
        }
        #expect(try trusted.call("local c = new_cart(); return getmetatable(c), pcall(setmetatable, c, {})") == ["Cart", false,
            "bad argument #1 to 'setmetatable' (table expected, got Cart)"])
    }

    @Test("a value made by the host is passed in as an argument and read back")
    func madeByHost() throws {
        let state = try cartState()
        let cart = state.userdata(Cart(id: "H", items: [5]), as: Cart.type)
        state.setGlobal("current", cart)
        #expect(try state.call("return current:total(), note_of(...)", arguments: [cart]) == [5, ""])
    }

    @Test("values whose userdata Lua collected are released; live ones stay")
    func released() throws {
        let state = try cartState()
        _ = try state.call("keep = new_cart('kept'); for i = 1, 100000 do local c = new_cart('x' .. i) end")
        #expect(state.userdataValues.count < 50_000)
        _ = try state.call("collectgarbage()")
        state.userdataValues.sweep(state.L)
        #expect(state.userdataValues.count == 1)
        #expect(try state.call("return keep.id, note_of(keep)") == ["kept", ""])
        state.close()
        #expect(state.userdataValues.count == 0)
    }
}
