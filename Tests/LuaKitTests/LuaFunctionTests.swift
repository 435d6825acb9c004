import CLua
import Foundation
@testable import LuaKit
import Testing

/// The number of entries in a state's registry: its high-water mark of references.
private func registryCount(_ state: LuaState) -> Int32 { clua_registry_count(state.L) }

/// Whether registry slot `index` still holds a function (a released slot holds the free list).
private func slotHoldsFunction(_ state: LuaState, _ index: Int32) -> Bool {
    defer { clua_pop(state.L, 1) }
    return lua_rawgeti(state.L, clua_registryindex(), lua_Integer(index)) == LUA_TFUNCTION
}

@Suite("Function handles")
struct LuaFunctionTests {
    static let counter = "local n = 0; return function(x) n = n + x; return n end"

    @Test("a function a chunk returned is called later, synchronously, keeping its upvalues")
    func callLater() throws {
        let state = try LuaState()
        let add = try #require(try state.call(Self.counter)[0].functionValue)
        #expect(try state.call(add, arguments: [2]) == [2])
        #expect(try state.call(add, arguments: [40]) == [42])
    }

    @Test("a handle runs asynchronously on the state's executor, suspending at async host calls")
    func runLater() async throws {
        let state = try LuaState()
        state.registerAsync("later") { arguments in
            await Task.yield()
            return arguments
        }
        let twice = try #require(try state.call("return function(x) return later(x) * 2 end")[0].functionValue)
        #expect(try await state.run(twice, arguments: [21]) == [42])
        #expect(try await state.run(twice, arguments: [5]) == [10])
    }

    @Test("a function passed to a host function is kept and called after the chunk returned")
    func keptFromHostFunction() async throws {
        let state = try LuaState()
        let kept = Kept()
        state.register("on_order") { call in
            kept.function = try call.function(1)
            return []
        }
        _ = try await state.run("on_order(function(id) return 'seen ' .. id end)")
        let handler = try #require(kept.function)
        #expect(try await state.run(handler, arguments: ["A-1"]) == ["seen A-1"])
    }

    @Test("a host function calls a function argument on the running coroutine")
    func callFromHostFunction() throws {
        let state = try LuaState()
        state.register("map") { call in
            let f = try call.function(1)
            return try [call.call(f, arguments: [1]), call.call(f, arguments: [2])].map { $0[0] }
        }
        #expect(try state.call("return map(function(x) return x * 10 end)") == [10, 20])
        let error = try #require(throws: LuaError.self) {
            try state.call("return map(function(x) error('boom ' .. x) end)")
        }
        #expect(error.message.contains("boom 1"))
    }

    @Test("the registry does not grow over 100,000 create, call and drop cycles")
    func registryBounded() async throws {
        let state = try LuaState()
        let make = try state.compile("return function(x) return x + 1 end")
        func cycle(_ i: Int64) throws {
            let f = try #require(try state.call(make)[0].functionValue)
            #expect(try state.call(f, arguments: [.integer(i)]) == [.integer(i + 1)])
        }
        for i in 0..<10 { try cycle(Int64(i)) }
        let before = registryCount(state)
        for i in 0..<100_000 { try cycle(Int64(i)) }
        #expect(registryCount(state) <= before + 1)

        // handles made and dropped inside one run, by a host function
        state.register("take") { call in
            _ = try call.function(1)
            return []
        }
        _ = try state.call("for i = 1, 10 do take(function() end) end")
        let during = registryCount(state)
        _ = try state.call("for i = 1, 100000 do take(function() return i end) end")
        #expect(registryCount(state) <= during + 1)
    }

    @Test("a handle dropped on another thread is released by the state's next entry")
    func droppedElsewhere() throws {
        let state = try LuaState()
        let carrier = Kept()
        carrier.function = try state.call(Self.counter)[0].functionValue
        let index = try #require(carrier.function).reference.slot.index
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            carrier.function = nil // the last copy
            done.signal()
        }
        done.wait()
        #expect(slotHoldsFunction(state, index), "released only on the state's thread")
        _ = try state.call("return 1")
        #expect(!slotHoldsFunction(state, index))
    }

    @Test("a handle used after its state closed throws")
    func afterClose() throws {
        let state = try LuaState()
        let f = try #require(try state.call(Self.counter)[0].functionValue)
        state.close()
        let error = try #require(throws: LuaError.self) { try state.call(f, arguments: [1]) }
        #expect(error.message == "the Lua state is closed")
        let other = try LuaState()
        let elsewhere = try #require(throws: LuaError.self) { try other.call(f, arguments: [1]) }
        #expect(elsewhere.message == "the Lua state this function belongs to is closed")
    }

    @Test("a handle used through another state throws")
    func otherState() async throws {
        let a = try LuaState(), b = try LuaState()
        let f = try #require(try a.call(Self.counter)[0].functionValue)
        let error = try #require(throws: LuaError.self) { try b.call(f) }
        #expect(error.kind == .usage)
        #expect(error.message == "this function belongs to another Lua state")
        await #expect(throws: LuaError.self) { try await b.run(f) }
        #expect(throws: LuaError.self) { try b.call("return ...", arguments: [LuaValue(f)]) }
        #expect(try a.call("return ...", arguments: [LuaValue(f)]).first?.functionValue != nil)
    }
}

/// A place to keep a handle across threads in a test.
private final class Kept: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: LuaFunction?
    var function: LuaFunction? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
