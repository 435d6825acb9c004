import LuaKit
import Testing

/// An error with fields, as the Scalev bindings raise.
struct APIError: LuaErrorConvertible {
    var status: Int64
    var code: String
    var luaMessage: String { "order not found" }
    var luaFields: LuaTable {
        var t = LuaTable()
        t["status"] = .integer(status)
        t["code"] = .string(LuaString(code))
        t["retryable"] = false
        return t
    }
}

@Suite("Host functions")
struct HostFunctionTests {
    @Test("a sync host function receives arguments and returns results")
    func syncCall() async throws {
        let values = try await run("return add(2, 40), greet('ana')") { state in
            state.register("add") { call in [.integer(try call.integer(1) + call.integer(2))] }
            state.register("greet") { call in [.string(LuaString("hi " + (try call.string(1))))] }
        }
        #expect(values == [42, "hi ana"])
    }

    @Test("dotted names create nested tables")
    func dotted() async throws {
        let values = try await run("return shop.orders.count()") { state in
            state.register("shop.orders.count") { _ in [7] }
        }
        #expect(values == [7])
    }

    @Test("a bad argument is Lua's usual message, with the caller's position")
    func badArgument() async throws {
        let error = try await runError("return add('x', 1)") { state in
            state.register("add") { call in [.integer(try call.integer(1) + call.integer(2))] }
        }
        #expect(error.kind == .runtime)
        #expect(error.message == "test:1: bad argument #1 to 'add' (integer expected, got string)")
    }

    @Test("a thrown error reaches Lua as a table with fields that pcall catches")
    func errorTableCaught() async throws {
        let values = try await run("""
            local ok, err = pcall(get_order, 'x')
            return ok, err.status, err.code, err.message, err.retryable, tostring(err)
            """) { state in
            state.register("get_order") { _ in throw APIError(status: 404, code: "not_found") }
        }
        #expect(values == [false, 404, "not_found", "order not found", false, "test:1: order not found"])
    }

    @Test("an uncaught host error fails the run with file:line, fields and a traceback")
    func errorUncaught() async throws {
        let error = try await runError("local x = 1\nget_order('x')") { state in
            state.register("get_order") { _ in throw APIError(status: 404, code: "not_found") }
        }
        #expect(error.kind == .runtime)
        #expect(error.message == "test:2: order not found")
        #expect(error.value["code"] == "not_found")
        #expect(error.traceback?.contains("test:2") == true)
    }

    @Test("a Lua error reaches Swift with position, value and traceback")
    func luaErrorToSwift() async throws {
        let error = try await runError("local function f() error({code = 'E1', message = 'boom'}) end\nf()")
        #expect(error.value["code"] == "E1")
        let plain = try await runError("local t = nil\nreturn t.x")
        #expect(plain.message == "test:2: attempt to index a nil value (local 't')")
        #expect(plain.traceback?.contains("stack traceback") == true)
    }

    @Test("a cyclic error table still reports its message")
    func cyclicErrorTable() async throws {
        let error = try await runError("local e = { message = 'boom' } e.self = e error(e)")
        #expect(error.message == "boom")
    }

    @Test("a syntax error names the line")
    func syntaxError() throws {
        let state = try LuaState()
        #expect(throws: LuaError.self) { _ = try state.compile("local x = = 1", name: "@rule.lua") }
        do {
            _ = try state.compile("local x = 1\nlocal y = = 2", name: "@rule.lua")
        } catch let error as LuaError {
            #expect(error.kind == .syntax)
            #expect(error.message == "rule.lua:2: unexpected symbol near '='")
        }
    }

    @Test("errors inside host calls leave Swift's stack intact: deinit and defer run")
    func swiftFramesUnwind() async throws {
        final class Tracker: @unchecked Sendable {
            var deinits = 0
            var defers = 0
        }
        final class Token {
            let tracker: Tracker
            init(_ tracker: Tracker) { self.tracker = tracker }
            deinit { tracker.deinits += 1 }
        }
        let tracker = Tracker()
        let values = try await run("local n = 0 for i = 1, 1000 do if not pcall(fail) then n = n + 1 end end return n") { state in
            state.register("fail") { _ in
                let token = Token(tracker)
                defer { tracker.defers += 1 }
                _ = token
                throw APIError(status: 500, code: "x")
            }
        }
        #expect(values == [1000])
        #expect(tracker.deinits == 1000)
        #expect(tracker.defers == 1000)
    }
}
