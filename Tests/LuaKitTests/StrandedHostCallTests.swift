import LuaKit
import Testing

/// Issue 16: a host call's yield is completed by the host only. A coroutine resumed where its
/// resumer cannot pass a host yield up (a `table.sort` comparator, a `string.gsub` callback, a
/// metamethod called from C) used to park on the host call and strand it there, and the script
/// then resumed it with results of its choosing.
@Suite("A host call is answered by the host alone")
struct StrandedHostCallTests {
    @Test("a coroutine resumed from a sort comparator cannot park on a host call, so the script cannot answer it",
          arguments: [
            "pcall(table.sort, { 1, 2, 3 }, function(a, b) coroutine.resume(co) return a < b end)",
            "pcall(string.gsub, 'ab', '%w', function() coroutine.resume(co) end)",
            "pcall(tostring, setmetatable({}, { __tostring = function() coroutine.resume(co) return '' end }))",
            // a level deeper: the outer coroutine is resumed from the comparator, the inner one calls the host
            "pcall(table.sort, { 1, 2 }, function(a, b) coroutine.resume(coroutine.create(function() coroutine.resume(co) end)) return a < b end)",
            "pcall(table.sort, { 1, 2 }, function(a, b) pcall(coroutine.wrap(function() coroutine.resume(co) end)) return a < b end)",
          ])
    func strandedCall(trigger: String) async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local seen
            co = coroutine.create(function() local ok, v = pcall(fetch, 21) seen = { ok, v } return 'done' end)
            \(trigger)
            local status = coroutine.status(co)
            local forged, answer = coroutine.resume(co, 'forged')
            return status, forged, answer, seen[1], seen[2]
            """)
        #expect(values.count == 5)
        #expect(values[0] == "dead", "the coroutine ran to its end: \(values)")
        #expect(values[1] == false && values[2].stringValue?.contains("cannot resume dead coroutine") == true, "\(values)")
        #expect(values[3] == false, "\(values)")
        #expect(values[4].stringValue?.contains("cannot call async function 'fetch'") == true, "\(values)")
    }

    @Test("where the chain up to the host can pass it, a coroutine's host call suspends as before, even from a nested coroutine")
    func passableChainStillSuspends() async throws {
        let state = try asyncState()
        let values = try await state.run("""
            local inner = coroutine.wrap(function() return fetch(5) end)
            local outer = coroutine.create(function() return inner() + fetch(1) end)
            local ok, v = coroutine.resume(outer)
            table.sort({ 2, 1 }, function(a, b) return a < b end)
            return ok, v, fetch(3)
            """)
        #expect(values == [true, 12, 6])
    }
}
