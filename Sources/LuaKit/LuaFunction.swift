import CLua

/// A Lua function held by the host: one a script returned, passed to a host function or stored
/// in a global, which the host can call later, after the chunk that made it has returned.
///
/// A handle is a `Sendable` value: it may be stored anywhere and dropped on any thread. Its
/// registry slot is released when the last copy is dropped (the state frees it the next time it
/// is entered, or when it closes). Calling it goes through its state, in that state's isolation
/// domain: ``LuaState/call(_:arguments:)-(LuaFunction,_)`` on the calling thread,
/// ``LuaState/run(_:arguments:)-(LuaFunction,_)`` on the state's executor, and
/// ``LuaCall/call(_:arguments:)`` from inside a host function. Calling it through another state,
/// or after its state closed, throws a usage error.
public struct LuaFunction: Sendable, Hashable {
    /// The registry reference the handle holds.
    public let reference: LuaReference

    /// The function a value refers to; `nil` when the value is not a function.
    public init?(_ value: LuaValue) {
        guard case .reference(let reference) = value, reference.kind == .function else { return nil }
        self.reference = reference
    }
}

extension LuaValue {
    /// The value that refers to a function held by the host, to pass it back to Lua.
    public init(_ function: LuaFunction) { self = .reference(function.reference) }

    /// The function handle, when the value is a function.
    public var functionValue: LuaFunction? { LuaFunction(self) }
}

extension LuaState {
    /// Calls a function of this state synchronously on the calling thread, as
    /// ``call(_:arguments:)-(LuaChunk,_)`` calls a chunk: the state's limits apply, and async host
    /// functions fail when reached.
    public func call(_ function: LuaFunction, arguments: [LuaValue] = []) throws -> [LuaValue] {
        try call(arguments: arguments) { try LuaStack(L: L).push(function.reference) }
    }

    /// Runs a function of this state to completion in a fresh coroutine on the state's
    /// ``LuaExecutor``, suspending at async host calls, as ``run(_:arguments:)-(LuaChunk,_)``
    /// runs a chunk.
    public func run(_ function: LuaFunction, arguments: [LuaValue] = []) async throws -> [LuaValue] {
        try await run(arguments: arguments) { try LuaStack(L: self.L).push(function.reference) }
    }
}

extension LuaCall {
    /// Argument `index` as a function handle, to call now or keep and call later.
    public func function(_ index: Int32) throws -> LuaFunction {
        guard lua_type(L, index) == LUA_TFUNCTION, let function = try value(index).functionValue else {
            throw argumentError(index, expected: "function")
        }
        return function
    }

    /// Calls a function of the running state from inside this host function, on the running
    /// coroutine, and returns its results; an error it raises is thrown (a ``LuaError``).
    ///
    /// The function cannot suspend: an async host function it reaches fails, as under
    /// ``LuaState/call(_:arguments:)-(LuaChunk,_)``. The run's limits keep applying.
    public func call(_ function: LuaFunction, arguments: [LuaValue] = []) throws -> [LuaValue] {
        let state = host.state
        let stack = LuaStack(L: L)
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, Int32(clamping: arguments.count + Int(LUA_MINSTACK))) != 0 else {
            throw LuaError(.usage, "Lua stack exhausted")
        }
        try state.checkOwned(arguments)
        try stack.push(function.reference)
        for argument in arguments { stack.push(argument) }
        // The callee's allocations are the script's: they may fail (and raise) again.
        let soft = state.control.pointee.soft
        state.control.pointee.soft = 0
        let status = clua_pcall_traceback(L, Int32(arguments.count), LUA_MULTRET)
        state.control.pointee.soft = soft
        guard status == LUA_OK else {
            lua_rawgetfield_registry(L, "lunas.traceback")
            let traceback = clua_tolstring_raw(L, -1, nil).map { ScriptTraceback.filter(String(cString: $0)) }
            clua_pop(L, 1)
            throw state.error(status: status, at: -1, on: L, traceback: traceback)
        }
        return try stack.values(from: top + 1, count: lua_gettop(L) - top)
    }
}
