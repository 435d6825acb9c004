import LuaKit
import Testing

/// Work that no Lua hook sees — loops in C, message handlers, finalizers — and the limits that
/// must end it anyway. Unstopped, each loop here runs for hours or centuries; stopped, it ends
/// within its limit plus ``grace``, which is generous: these tests run in parallel, each a busy
/// loop, on a shared two-core machine.
@Suite("Limits where no hook reaches")
struct HookBlindSpotTests {
    static let grace: Duration = .seconds(10)
    static let deadline: Duration = .milliseconds(300)

    /// Ends with `source`'s error, checking that it came within the deadline plus the grace.
    func stoppedByDeadline(_ source: String, limits: LuaLimits = LuaLimits(deadline: HookBlindSpotTests.deadline)) async throws -> LuaError {
        let clock = ContinuousClock()
        let start = clock.now
        let error = try await runError(source, limits: limits)
        #expect(clock.now - start < (limits.deadline ?? .zero) + Self.grace)
        return error
    }

    static let proxy = "setmetatable({}, { __len = function() return 1 << 62 end })"
    /// A table whose every read walks an __index chain of 1,990 tables.
    static let chain = """
        local base = {} for i = 1, 900000 do base[i] = '' end
        local t = base for _ = 1, 1990 do t = setmetatable({}, { __index = t }) end
        """

    @Test("C loops over a range the script chooses stop at the deadline", arguments: [
        "table.move({}, 1, math.maxinteger, 1)",
        "table.move({}, 2, math.maxinteger, 1)",
        "table.insert(\(HookBlindSpotTests.proxy), 1, 'x')",
        "table.remove(\(HookBlindSpotTests.proxy), 1)",
        "table.concat(setmetatable({}, { __index = function() return '' end }), '', 1, math.maxinteger)",
        "\(HookBlindSpotTests.chain) table.concat(t, '', 1, 900000)",
        "\(HookBlindSpotTests.chain) table.unpack(t, 1, 900000)",
    ])
    func cLoops(source: String) async throws {
        let error = try await stoppedByDeadline(source)
        #expect(error.kind == .limit(.deadline(Self.deadline)))
        #expect(error.message == "deadline of 300 ms exceeded")
    }

    @Test("the same loops are charged to the instruction budget", arguments: [
        "table.move({}, 1, math.maxinteger, 1)",
        "table.insert(\(HookBlindSpotTests.proxy), 1, 'x')",
        "table.remove(\(HookBlindSpotTests.proxy), 1)",
        "load(string.rep('a = 1 ', 1 << 20))",
        "local done load(function() if not done then done = true return string.rep('a = 1 ', 1 << 20) end end)",
        "local t = {} for _ = 1, 40 do t = { t, t } end json.encode(t)",
        "json.decode('[' .. string.rep('1,', 1 << 20) .. '1]')",
    ])
    func charged(source: String) async throws {
        let error = try await runError(source, limits: LuaLimits(deadline: .seconds(30), instructions: 500_000))
        #expect(error.kind == .limit(.instructions(500_000)))
        #expect(error.message == "instruction limit of 500000 exceeded")
    }

    @Test("string.rep of nothing returns at once, however many times")
    func emptyRep() async throws {
        let values = try await run("""
            return string.rep('', math.maxinteger), string.rep('', math.maxinteger, ''), ('x'):rep(3, ', '),
                   ('ab'):rep(1), (''):rep(3, '-'), ('x'):rep(0, 'sep'), #('abc'):rep(100000, '--')
            """, limits: LuaLimits(deadline: Self.deadline, instructions: 1_000_000))
        #expect(values == ["", "", "x, x, x", "ab", "--", "", 499_998])
    }

    @Test("os.date refuses a format of millions of conversions and keeps ordinary ones")
    func dateFormat() async throws {
        let values = try await run("""
            local ok, e = pcall(function() local s = os.date(('%c'):rep(1000000)) return s end)
            return ok, e, os.date('!%Y-%m-%d', 0), os.date('!*t', 0).year, type(os.date())
            """, limits: LuaLimits(deadline: Self.deadline))
        #expect(values == [false, "test:1: bad argument #1 to 'date' (format longer than 4096 bytes)", "1970-01-01", 1970, "string"])
    }

    @Test("json.encode of a table that shares its subtables stops at the deadline")
    func sharedSubtables() async throws {
        let error = try await stoppedByDeadline("local t = {} for _ = 1, 40 do t = { t, t } end return #json.encode(t)")
        #expect(error.kind == .limit(.deadline(Self.deadline)))
    }

    @Test("a stop inside load ends the run instead of becoming load's nil, message")
    func loadStopped() async throws {
        let error = try await runError("""
            local f, e = load(string.rep('a = 1 ', 1 << 20))
            return 'load returned', f, e
            """, limits: LuaLimits(deadline: .seconds(30), instructions: 100_000))
        #expect(error.kind == .limit(.instructions(100_000)))
    }

    @Test("load keeps Lua's semantics: syntax errors, readers, environments, text only")
    func loadSemantics() async throws {
        let values = try await run("""
            local parts, i = { 'return ', 'x', ' + ', string.rep(' ', 10000), '1' }, 0
            local f = load(function() i = i + 1 return parts[i] end, '=parts', 't', { x = 41 })
            local bad, message = load('return +', '=bad')
            local big = load('return ' .. string.rep('1 + ', 20000) .. '1')
            return f(), bad, message, big(), load(42) == nil, select(2, load(function() return {} end))
            """, limits: LuaLimits(deadline: .seconds(10)))
        #expect(values == [42, .nil, "bad:1: unexpected symbol near '+'", 20001, true, "test:5: reader function must return a string"])
    }

    @Test("an error handler that loops is stopped by the deadline")
    func loopingHandler() async throws {
        let error = try await stoppedByDeadline("xpcall(function() while true do end end, function() while true do end end)")
        #expect(error.kind == .limit(.deadline(Self.deadline)))
        #expect(error.message == "deadline of 300 ms exceeded")
    }

    @Test("an error handler that loops is stopped by the instruction budget")
    func loopingHandlerInstructions() async throws {
        let error = try await runError("xpcall(function() while true do end end, function() while true do end end)",
                                       limits: LuaLimits(deadline: .seconds(30), instructions: 1_000_000))
        #expect(error.kind == .limit(.instructions(1_000_000)))
    }

    @Test("the call-depth error, raised from a hook, skips the script's handler")
    func depthErrorSkipsHandler() async throws {
        let values = try await run("""
            local function f() return f() + 1 end
            local ok, e = xpcall(f, function() while true do end end)
            return ok, e
            """, limits: LuaLimits(deadline: .seconds(30), callDepth: 200))
        #expect(values.count == 2)
        #expect(values.first == .boolean(false))
        #expect(values.last?.stringValue?.contains("call depth limit of 200 exceeded") == true)
    }

    @Test("otherwise xpcall calls the script's handler as stock Lua does, and yields through it")
    func handlerSemantics() async throws {
        let values = try await run("""
            local a, b = xpcall(error, function(m) return 'handled: ' .. m end, 'boom', 0)
            local c, d, e = xpcall(function(x, y) return x + y, 'ok' end, print, 40, 2)
            local f, g = xpcall(function() local t = nil; return t.x end, function(m) return type(m) end)
            local co = coroutine.wrap(function()
              return xpcall(function() return coroutine.yield('paused') + 1 end, print)
            end)
            local paused = co()
            local h, i = co(41)
            local j = xpcall(error, function() error('again') end)
            local k = pcall(xpcall, print)
            return a, b, c, d, e, f, g, paused, h, i, j, k
            """)
        #expect(values == [false, "handled: boom", true, 42, "ok", false, "string", "paused", true, 42, false, false])
    }

    @Test("host error tables carry a protected metatable, so no finalizer can be added to it")
    func errorMetatable() async throws {
        let values = try await run("""
            local ok, err = pcall(get_order, 'x')
            local mt = getmetatable(err)
            local replaced = pcall(setmetatable, err, {})
            local ok2, err2 = pcall(get_order, 'y')
            return mt, replaced, tostring(err2), getmetatable(err2)
            """) { state in
            state.register("get_order") { _ in throw APIError(status: 404, code: "not_found") }
        }
        #expect(values == ["lunas.error", false, "test:4: order not found", "lunas.error"])
    }

    @Test("after each stop a new state runs normally")
    func healthyAfter() async throws {
        _ = try await stoppedByDeadline("table.move({}, 1, math.maxinteger, 1)")
        _ = try await stoppedByDeadline("xpcall(function() while true do end end, function() while true do end end)")
        #expect(try await run("return table.concat({ 'a', 'b' }, '-'), select('#', table.unpack({ 1, 2, 3 }))") == ["a-b", 3])
    }
}
