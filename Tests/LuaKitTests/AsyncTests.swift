import Foundation
import LuaKit
import Testing

/// A state with `fetch(x)`, an async host function answering `x * 2` after a real suspension.
func asyncState(limits: LuaLimits = LuaLimits(), modules: LuaModulePaths = LuaModulePaths()) throws -> LuaState {
    let state = try LuaState(limits: limits, modules: modules)
    state.registerAsync("fetch") { arguments in
        await Task.yield()
        guard let n = arguments.first?.integerValue else { throw APIError(status: 422, code: "bad") }
        return [.integer(n * 2)]
    }
    state.registerAsync("fail") { _ in
        await Task.yield()
        throw APIError(status: 503, code: "unavailable")
    }
    return state
}

@Suite("Async host functions")
struct AsyncTests {
    @Test("a script reads an async call as a plain value")
    func plain() async throws {
        let state = try asyncState()
        #expect(try await state.run("local x = fetch(21) return x + fetch(1)") == [44])
    }

    @Test("inside pcall and xpcall")
    func protected() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local ok, v = pcall(fetch, 5)
            local ok2, err = pcall(fail)
            local ok3, w = xpcall(function() return fetch(7) end, debug and debug.traceback or tostring)
            local ok4, e = xpcall(fail, function(e) return 'handled ' .. e.code end)
            return ok, v, ok2, err.status, ok3, w, ok4, e
            """)
        #expect(values == [true, 10, false, 503, true, 14, false, "handled unavailable"])
    }

    @Test("inside a generic for iterator")
    func iterator() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local function pages(n)
              local i = 0
              return function() i = i + 1 if i <= n then return fetch(i) end end
            end
            local sum = 0
            for v in pages(4) do sum = sum + v end
            return sum
            """)
        #expect(values == [20])
    }

    @Test("inside an __index metamethod")
    func metamethod() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local lazy = setmetatable({}, {__index = function(t, k) return fetch(k) end})
            return lazy[3] + lazy[4]
            """)
        #expect(values == [14])
    }

    @Test("inside the script's own coroutines: wrap iterators and resume")
    func ownCoroutines() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local gen = coroutine.wrap(function()
              for i = 1, 3 do coroutine.yield(fetch(i)) end
            end)
            local a, b, c = gen(), gen(), gen()
            local co = coroutine.create(function(x)
              local y = coroutine.yield(fetch(x))
              return fetch(y) + 1
            end)
            local ok1, first = coroutine.resume(co, 10)
            local ok2, second = coroutine.resume(co, 100)
            local ok3, msg = coroutine.resume(co)
            -- nested: a coroutine inside a coroutine, host call at the bottom
            local outer = coroutine.wrap(function()
              local inner = coroutine.wrap(function() coroutine.yield(fetch(50)) end)
              coroutine.yield(inner() + 1)
            end)
            return a, b, c, ok1, first, ok2, second, ok3, msg, outer(), coroutine.status(co)
            """)
        #expect(values == [2, 4, 6, true, 20, true, 201, false, "cannot resume dead coroutine", 101, "dead"])
    }

    @Test("an async error inside a coroutine is catchable there")
    func errorInCoroutine() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local co = coroutine.create(function() local ok, e = pcall(fail) return ok, e.code end)
            return coroutine.resume(co)
            """)
        #expect(values == [true, false, "unavailable"])
    }

    @Test("at a module's top level under require")
    func requireTopLevel() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-req-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("shop"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "local base = fetch(20)\nreturn { base = base }".write(
            to: folder.appendingPathComponent("shop/config.lua"), atomically: true, encoding: .utf8)
        let state = try asyncState(modules: LuaModulePaths([folder.path]))
        let values = try await state.run("""
            local c = require 'shop.config'
            local again = require 'shop.config'
            local ok, err = pcall(require, 'shop.missing')
            local ok2, err2 = pcall(require, '../etc/passwd')
            return c.base, c == again, ok, err:find('no file', 1, true) ~= nil, ok2
            """)
        #expect(values == [40, true, false, true, false])
    }

    @Test("where Lua cannot yield, the script gets a clear error")
    func notYieldable() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local ok1, e1 = pcall(table.sort, {3, 2, 1}, function(a, b) return fetch(a) < fetch(b) end)
            local ok2, e2 = pcall(string.gsub, 'abc', '%w', function(c) return fetch(1) end)
            local ok3, e3 = pcall(tostring, setmetatable({}, {__tostring = function() return fetch(1) end}))
            return ok1, e1, ok2, e2, ok3, e3
            """)
        #expect(values[0] == false && values[2] == false && values[4] == false)
        for index in [1, 3, 5] {
            #expect(values[index].stringValue?.contains("cannot call async function 'fetch'") == true, "\(values[index])")
        }
    }

    @Test("a synchronous call reaching an async function fails clearly")
    func syncCallOfAsync() throws {
        let state = try asyncState()
        #expect(throws: LuaError.self) { _ = try state.call("return fetch(1)") }
    }

    @Test("1,000 runs wait on async calls at the same time")
    func thousandConcurrentRuns() async throws {
        let count = 1000
        let gate = Gate(expected: count)
        let total = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<count {
                group.addTask {
                    let state = try LuaState(limits: LuaLimits(memory: 4 << 20))
                    state.registerAsync("wait_all") { arguments in
                        await gate.arrive()
                        return arguments
                    }
                    let values = try await state.run("local n = ... return wait_all(n) + 1", arguments: [.integer(Int64(i))])
                    return values.first?.integerValue ?? -1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == Int64(count * (count - 1) / 2 + count))
    }

    @Test("an async call that completes without suspending resumes the script at once, many times over")
    func completesWithoutSuspending() async throws {
        let state = try LuaState()
        state.registerAsync("echo") { arguments in arguments }
        let values = try await state.run("local n = 0 for i = 1, 10000 do n = n + echo(i) end return n")
        #expect(values == [50_005_000])
    }

    @Test("a raw host function answers at once or suspends, as it chooses")
    func rawAnswersOrSuspends() async throws {
        let state = try LuaState()
        state.registerRaw("maybe") { call in
            let n = try call.integer(1)
            guard n % 2 == 0 else {
                return try call.suspend {
                    await Task.yield()
                    return [.integer(n * 10)]
                }
            }
            call.push(n)
            call.push(call.canSuspend)
            return 2
        }
        let values = try await state.run("""
            local a, yieldable = maybe(2)
            local b = maybe(3)
            local ok, err = pcall(table.sort, {1, 2}, function(x, y) return maybe(x + 2) < maybe(y + 2) end)
            return a, yieldable, b, ok, err
            """)
        #expect(values[0...3] == [2, true, 30, false])
        #expect(values[4].stringValue?.contains("cannot call async function 'maybe'") == true, "\(values[4])")
        // synchronously, an even argument still answers; an odd one cannot suspend
        #expect(try state.call("local n, yieldable = maybe(4) return n, yieldable") == [4, false])
        #expect(throws: LuaError.self) { _ = try state.call("return maybe(5)") }
    }
}
