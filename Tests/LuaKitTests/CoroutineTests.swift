import LuaKit
import Testing

@Suite("The coroutine library keeps Lua's semantics")
struct CoroutineTests {
    @Test("status, running, isyieldable and close behave as in stock Lua")
    func library() async throws {
        let values = try await run("""
            local main, ismain = coroutine.running()
            local co
            co = coroutine.create(function(a)
              local inside = { coroutine.status(co), coroutine.isyieldable() }
              local b = coroutine.yield(a + 1)
              return b * 2, inside
            end)
            local s0 = coroutine.status(co)
            local ok1, v1 = coroutine.resume(co, 1)
            local s1 = coroutine.status(co)
            local ok2, v2, inside = coroutine.resume(co, 5)
            local s2 = coroutine.status(co)
            local closable = coroutine.create(function() coroutine.yield() end)
            coroutine.resume(closable)
            local closed = coroutine.close(closable)
            return ismain, coroutine.isyieldable(), s0, ok1, v1, s1, ok2, v2, inside[1], inside[2], s2, closed,
                   coroutine.status(closable)
            """)
        #expect(values == [true, false, "suspended", true, 2, "suspended", true, 10, "running", true, "dead", true, "dead"])
    }

    @Test("wrap raises the coroutine's error in the caller with its position")
    func wrapError() async throws {
        let values = try await run("""
            local f = coroutine.wrap(function() error('inner failure') end)
            local ok, e = pcall(f)
            local g = coroutine.wrap(function() error({ code = 7 }) end)
            local ok2, e2 = pcall(g)
            return ok, e, ok2, e2.code
            """)
        #expect(values == [false, "test:1: inner failure", false, 7])
    }

    @Test("yields cross pcall inside a coroutine, and errors reach resume")
    func yieldAcrossPcall() async throws {
        let values = try await run("""
            local co = coroutine.create(function()
              local ok, v = pcall(function() return coroutine.yield('in pcall') + 1 end)
              error('after ' .. tostring(v))
            end)
            local _, first = coroutine.resume(co)
            local ok, err = coroutine.resume(co, 41)
            return first, ok, err
            """)
        #expect(values == ["in pcall", false, "test:3: after 42"])
    }

    @Test("resuming a running or dead coroutine is a clean error")
    func badResume() async throws {
        let values = try await run("""
            local co
            co = coroutine.create(function() return coroutine.resume(co) end)
            local ok, inner_ok, inner_err = coroutine.resume(co)
            local ok2, err2 = coroutine.resume(co)
            return ok, inner_ok, inner_err, ok2, err2
            """)
        #expect(values == [true, false, "cannot resume non-suspended coroutine", false, "cannot resume dead coroutine"])
    }
}
