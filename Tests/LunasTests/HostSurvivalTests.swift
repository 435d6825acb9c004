import Foundation
import Testing

/// What once crashed the whole process (issue 16), each run by `lunas run` in a child process
/// so that a regression fails its test instead of killing the test runner. Each script catches
/// the error, prints it, then shows the host still healthy.
@Suite("Scripts cannot crash the host", .testScope)
struct HostSurvivalTests {
    /// Runs `source` as scripts/NAME.lua of a fresh workspace with `arguments` after the file.
    static func run(_ source: String, _ arguments: [String] = []) async throws -> (status: Int32, out: String, err: String) {
        let workspace = try KVWorkspace()
        defer { workspace.remove() }
        let file = try workspace.script("survivor", source)
        return try await LunasBinary.run(["run", file] + arguments, in: workspace.folder)
    }

    @Test("kv numbers out of range are Lua errors: ttl, wait, an overflowing expiry, a forged lock's handle")
    func kvNumbers() async throws {
        let outcome = try await Self.run("""
            print(pcall(kv.set, "k", 1, { ttl = 1e300 }))
            print(pcall(kv.lock, "l", { wait = 1e19 }))
            print(pcall(kv.set, "k", 1, { ttl = 9223372036854770 }))
            print(pcall(kv.set, "k", 1, { fence = { name = "x", token = 1, _h = 1 } }))
            print(pcall(kv.delete, "k", { fence = { name = "x", token = 1, _h = -1 } }))
            print(pcall(kv.set, "k", 1, { ttl = 0/0 }))
            print(kv.set("k", 2, { ttl = 60 }) ~= nil and kv.get("k") == 2 and "healthy")
            """)
        #expect(outcome.status == 0, "\(outcome.err)")
        let lines = outcome.out.split(separator: "\n").map(String.init)
        #expect(lines == [
            "false\tkv.set: ttl must be between 0 and 315360000 seconds",
            "false\tkv.lock: wait must be between 0 and 315360000 seconds",
            "false\tkv.set: ttl must be between 0 and 315360000 seconds",
            "false\tkv.set: unknown namespace handle",
            "false\tkv.delete: unknown namespace handle",
            "false\tkv.set: ttl must be between 0 and 315360000 seconds",
            "healthy",
        ], "\(outcome.out)\n\(outcome.err)")
    }

    @Test("nested coroutine.close through __close handlers ends in 'C stack overflow'")
    func nestedClose() async throws {
        let outcome = try await Self.run("""
            local prev
            for i = 1, 60000 do
              local p = prev
              local co = coroutine.create(function()
                local x <close> = setmetatable({}, { __close = function()
                  if p then local ok, e = coroutine.close(p) if not ok then error(e, 0) end end
                end })
                coroutine.yield()
              end)
              coroutine.resume(co)
              prev = co
            end
            print(coroutine.close(prev))
            local wrapped = coroutine.wrap(function()
              local x <close> = setmetatable({}, { __close = function() coroutine.close(prev) end })
              error("inner")
            end)
            print(pcall(wrapped))
            print(coroutine.resume(coroutine.create(function() return "healthy" end)))
            """, ["--memory", "512"])
        #expect(outcome.status == 0, "\(outcome.err)")
        #expect(outcome.out.contains("survivor.lua:6: C stack overflow"), "\(outcome.out)\n\(outcome.err)")
        #expect(outcome.out.contains("true\thealthy"), "\(outcome.out)")
    }

    @Test("a looping __close run by coroutine.close or by wrap's error path is stopped by the deadline")
    func closeHandlersMeetTheDeadline() async throws {
        for trigger in ["coroutine.close(co)", "pcall(coroutine.wrap(function() local y <close> = looping error('x') end))"] {
            let started = ContinuousClock.now
            let outcome = try await Self.run("""
                local looping = setmetatable({}, { __close = function() while true do end end })
                local co = coroutine.create(function() local x <close> = looping coroutine.yield() end)
                coroutine.resume(co)
                \(trigger)
                """, ["--timeout", "0.5"])
            #expect(outcome.status == 3, "\(trigger): \(outcome.err)")
            #expect(outcome.err.contains("deadline of 500 ms exceeded") && !outcome.err.contains("forced"), "\(trigger): \(outcome.err)")
            #expect(ContinuousClock.now - started < .seconds(30), "a hang, not a stop")
        }
    }

    @Test("a table holding one subtable twice at each of 30 levels: logged, returned or raised, a clear error")
    func sharedSubtables() async throws {
        let source = """
            local t = {}
            for i = 1, 30 do t = { t, t } end
            print(pcall(log.info, "big", { t = t }))
            print(kv.set("small", { 1, 2 }) ~= nil and "healthy")
            if arg[1] == "raise" then error(t) end
            return t
            """
        let returned = try await Self.run(source, ["--memory", "16"])
        #expect(returned.status == 1, "\(returned.err)")
        #expect(returned.out.contains("survivor.lua:3: value too large to copy out of Lua: more than 15 MiB"), "\(returned.out)")
        #expect(returned.out.contains("healthy"), "\(returned.out)")
        #expect(returned.err.contains("value too large to copy out of Lua"), "\(returned.err)")
        let raised = try await Self.run(source, ["--memory", "16", "--", "raise"])
        #expect(raised.status == 1, "\(raised.err)")
        #expect(raised.out.contains("healthy"), "\(raised.out)")
    }

    @Test("sandbox numbers out of range are 422s: an order's other_income, a v2 page past the end")
    func sandboxNumbers() async throws {
        let outcome = try await Self.run("""
            local id = scalev.orders.list({ page_size = 1 }).data[1].id
            local ok, err = pcall(scalev.orders.update, id, { other_income = 1e300 })
            print(ok, err.status, err.message)
            local page = scalev.v2.products.list({ page = math.maxinteger })
            print(#page.data.results, page.data.has_next)
            print(scalev.orders.update(id, { other_income = 5 }).other_income == "5.00" and "healthy")
            """, ["--sandbox"])
        #expect(outcome.status == 0, "\(outcome.err)")
        let lines = outcome.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("false\t422\t") == true && lines.first?.contains("other_income: must be a number between") == true,
                "\(outcome.out)")
        #expect(lines.dropFirst().first == "0\tfalse", "\(outcome.out)")
        #expect(lines.last == "healthy", "\(outcome.out)\n\(outcome.err)")
    }

    @Test("command-line numbers out of range are usage errors, not traps")
    func cliNumbers() async throws {
        let workspace = try KVWorkspace()
        defer { workspace.remove() }
        let file = try workspace.script("quiet", "print('ran')")
        let timeout = try await LunasBinary.run(["run", file, "--timeout", "1e300"], in: workspace.folder)
        #expect(timeout.status == 2 && timeout.err.contains("--timeout must be a positive number of seconds, at most"), "\(timeout)")
        let instructions = try await LunasBinary.run(["run", file, "--instructions", "9223372036854775807"], in: workspace.folder)
        #expect(instructions.status == 2 && instructions.err.contains("--instructions must be between 1 and"), "\(instructions)")
        let ttl = try await LunasBinary.run(["kv", "set", "--store", workspace.folder.appendingPathComponent("kv.db").path, "--ns", "n", "k", "1", "--ttl", "1e300"],
                                            in: workspace.folder)
        #expect(ttl.status == 2 && ttl.err.contains("--ttl must be between 0 and 315360000 seconds"), "\(ttl)")
    }
}
