import LuaKit
import Testing

@Suite("Per-run limits")
struct LimitTests {
    @Test("memory: a runaway table ends the run with the memory limit")
    func memory() async throws {
        let error = try await runError("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end",
                                       limits: LuaLimits(memory: 16 << 20))
        #expect(error.kind == .limit(.memory(bytes: 16 << 20)))
        #expect(error.message == "memory limit of 16 MiB exceeded")
    }

    @Test("memory: the cap is never exceeded and a script may catch the error and go on")
    func memoryCaught() async throws {
        let state = try LuaState(limits: LuaLimits(memory: 8 << 20))
        let values = try await state.run("""
            local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = ('y'):rep(100) .. i end end)
            collectgarbage()
            local after = {} for i = 1, 1000 do after[i] = i end
            return ok, #after
            """)
        #expect(values == [false, 1000])
        #expect(state.memoryPeak <= 8 << 20)
    }

    @Test("memory: a host function pushing a big string cannot overrun the cap")
    func memoryFromHost() async throws {
        let state = try LuaState(limits: LuaLimits(memory: 2 << 20))
        state.register("big") { _ in [.string(LuaString(bytes: [UInt8](repeating: 65, count: 4 << 20)))] }
        let values = try await state.run("local ok, e = pcall(big) return ok, e")
        #expect(values == [false, "not enough memory"])
    }

    @Test("memory: freed small blocks stay counted (they stay held), and past 1 MiB of arena come from malloc")
    func memoryArena() async throws {
        let state = try LuaState(limits: LuaLimits(memory: 16 << 20))
        let before = state.memoryUsed
        _ = try await state.run("local t = {} for i = 1, 50000 do t[i] = {} end t = nil collectgarbage()")
        // the arena's free lists hold their blocks until the state closes, so the cap counts them
        #expect(state.memoryUsed > before + (1 << 20) - (64 << 10))
        #expect(state.memoryUsed < before + (2 << 20))
        // one size class after another, each filling half the cap and freed: the arena does not
        // hoard a class's blocks past its bound, so the cap is never reached
        let values = try await state.run("""
            for len = 24, 488, 16 do
              local t = {}
              local pad = ("x"):rep(len - 8)
              for i = 1, (6 << 20) // (len + 32) do t[i] = pad .. string.format("%08d", i) end
              t = nil
              collectgarbage()
            end
            return true
            """)
        #expect(values == [true])
        #expect(state.memoryPeak <= 16 << 20)
    }

    @Test("hard stop: the grace is 1 s plus 10 % of the deadline, at most 10 s")
    func hardStopGrace() {
        #expect(HardStop.grace(after: .milliseconds(200)) == .milliseconds(1020))
        #expect(HardStop.grace(after: .seconds(5)) == .milliseconds(1500))
        #expect(HardStop.grace(after: .seconds(60)) == .seconds(7))
        #expect(HardStop.grace(after: .seconds(600)) == .seconds(10))
    }

    @Test("hard stop: resident memory is read from the process")
    func hardStopResident() throws {
        #if os(Linux)
        let resident = try #require(HardStop.residentBytes())
        #expect(resident > 1 << 20 && resident < 64 << 30)
        #endif
    }

    @Test("deadline: a tight loop is stopped")
    func deadlineLoop() async throws {
        let error = try await runError("while true do end", limits: LuaLimits(deadline: .milliseconds(200)))
        #expect(error.kind == .limit(.deadline(.milliseconds(200))))
        #expect(error.message == "deadline of 200 ms exceeded")
    }

    @Test("deadline: pcall cannot swallow it, nor can an error handler")
    func deadlineSticky() async throws {
        let error = try await runError("""
            while true do
              pcall(function() while true do end end)
              xpcall(function() while true do end end, function() while true do end end)
            end
            """, limits: LuaLimits(deadline: .milliseconds(200)))
        #expect(error.kind == .limit(.deadline(.milliseconds(200))))
    }

    @Test("deadline: a loop inside the script's own coroutine is stopped")
    func deadlineInCoroutine() async throws {
        let error = try await runError("""
            local co = coroutine.wrap(function() while true do end end)
            while true do pcall(co) end
            """, limits: LuaLimits(deadline: .milliseconds(200)))
        #expect(error.kind == .limit(.deadline(.milliseconds(200))))
    }

    @Test("deadline: a pathological pattern is stopped")
    func deadlinePattern() async throws {
        let error = try await runError("return ('a'):rep(600):find('.-.-.-b')", limits: LuaLimits(deadline: .milliseconds(200)))
        #expect(error.kind == .limit(.deadline(.milliseconds(200))))
    }

    @Test("deadline: it cancels the async call the run waits on")
    func deadlineCancelsIO() async throws {
        let state = try LuaState(limits: LuaLimits(deadline: .milliseconds(200)))
        state.registerAsync("hang") { _ in
            let (never, _) = AsyncStream<Int>.makeStream() // never answers; ends when cancelled
            for await _ in never {}
            return []
        }
        do {
            _ = try await state.run("return hang()")
            Issue.record("the run did not stop")
        } catch let error as LuaError {
            #expect(error.kind == .limit(.deadline(.milliseconds(200))))
        }
    }

    @Test("deadline: it ends the run even when the async call it waits on ignores cancellation")
    func deadlineIgnoredCancellation() async throws {
        let release = AsyncStream<Void>.makeStream()
        let state = try LuaState(limits: LuaLimits(deadline: .milliseconds(200)))
        state.registerAsync("stubborn") { _ in
            // ignores cancellation: waits until the test lets it go
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Task.detached {
                    for await _ in release.stream { break }
                    continuation.resume()
                }
            }
            return []
        }
        do {
            _ = try await state.run("return stubborn()")
            Issue.record("the run did not stop")
        } catch let error as LuaError {
            #expect(error.kind == .limit(.deadline(.milliseconds(200))))
        }
        release.continuation.finish()
    }

    @Test("instructions: a budget ends the run")
    func instructions() async throws {
        let error = try await runError("local n = 0 while true do n = n + 1 end", limits: LuaLimits(instructions: 1_000_000))
        #expect(error.kind == .limit(.instructions(1_000_000)))
        #expect(error.message == "instruction limit of 1000000 exceeded")
        #expect(try await run("local n = 0 for i = 1, 1000 do n = n + i end return n", limits: LuaLimits(instructions: 1_000_000)) == [500500])
    }

    @Test("recursion: Lua's own limit is a clean error; a configured depth is enforced")
    func recursion() async throws {
        let overflow = try await runError("local function f(n) return f(n + 1) + 1 end return f(1)")
        #expect(overflow.message.contains("stack overflow"))
        let limited = try await runError("local function f(n) return f(n + 1) + 1 end return f(1)", limits: LuaLimits(callDepth: 500))
        #expect(limited.message.contains("call depth limit of 500 exceeded"))
        #expect(try await run("local function f(n) if n == 0 then return 0 end return f(n - 1) + 1 end return f(400)",
                              limits: LuaLimits(callDepth: 500)) == [400])
    }

    @Test("cancelling the task stops the run")
    func cancellation() async throws {
        let task = Task { try await run("while true do end") }
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("the run was not cancelled")
        } catch let error as LuaError {
            #expect(error.kind == .limit(.cancelled))
        }
    }

    @Test("a host's limit: an async host function throwing one ends the run; pcall, xpcall and the state's later runs cannot go on")
    func hostLimit() async throws {
        let state = try LuaState()
        state.registerAsync("fetch") { _ in throw LuaError(.limit(.apiCalls(3)), LuaLimit.apiCalls(3).message) }
        state.setGlobal("after", .integer(0))
        do {
            _ = try await state.run("""
                local ok = pcall(fetch)
                after = 1
                xpcall(fetch, function() after = 2 end)
                after = 3
                """, name: "@job.lua")
            Issue.record("the limit did not end the run")
        } catch let error as LuaError {
            #expect(error.kind == .limit(.apiCalls(3)))
            #expect(error.message == "API call limit of 3 exceeded")
            #expect(error.location == "job.lua:1")
        }
        #expect(state.global("after") == .integer(0))
        await #expect(throws: LuaError.self) { try await state.run("return 1") }
    }

    @Test("after a limit the host is healthy: new states run normally")
    func healthyAfter() async throws {
        for _ in 0..<3 {
            _ = try await runError("while true do end", limits: LuaLimits(deadline: .milliseconds(50)))
            _ = try await runError("local t = {} while true do t[#t + 1] = {} end", limits: LuaLimits(memory: 4 << 20))
        }
        #expect(try await run("return 1 + 1") == [2])
    }
}
