import CLua

/// A Swift function callable from Lua, kept alive by its state.
final class HostFunctionBox {
    let name: String
    /// The state that registered the function (it owns the box, so it outlives every call).
    unowned(unsafe) let state: LuaState
    let body: (LuaCall) throws -> Int32

    init(name: String, state: LuaState, body: @escaping (LuaCall) throws -> Int32) {
        self.name = name
        self.state = state
        self.body = body
    }

    /// Runs the body; an error becomes a Lua error value on the stack and `CLUA_RAISE`, which
    /// the C trampoline raises once this frame is gone.
    func invoke(_ L: OpaquePointer) -> Int32 {
        let call = LuaCall(L: L, host: self) // the state's hostFunctions keeps self alive
        do {
            return try body(call)
        } catch {
            call.pushError(error)
            return CLUA_RAISE
        }
    }
}

/// The C entry of every host function: the trampoline calls it with the box as context.
let hostTrampoline: clua_swift_fn = { L, context in
    guard let L, let context else { return 0 }
    return Unmanaged<HostFunctionBox>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.invoke(L) }
}

/// The arguments and results of one call from Lua into a host function.
///
/// Valid only during the call. Reading an argument of the wrong type throws the same
/// `bad argument #n to 'name' (integer expected, got string)` error Lua's own functions raise.
public struct LuaCall {
    @usableFromInline let L: OpaquePointer
    /// The host function being called.
    unowned(unsafe) let host: HostFunctionBox

    init(L: OpaquePointer, host: HostFunctionBox) {
        self.L = L
        self.host = host
    }

    /// The number of arguments.
    @inlinable public var count: Int32 { lua_gettop(L) }

    /// The name the function was registered under.
    public var functionName: String { host.name }

    /// The Lua type of argument `index` (1-based); `nil` when absent.
    public func type(_ index: Int32) -> Int32 { lua_type(L, index) }

    /// Whether argument `index` is absent or nil.
    public func isNil(_ index: Int32) -> Bool { lua_type(L, index) <= LUA_TNIL }

    /// Argument `index` as an integer (floats with an integral value are accepted).
    @inlinable public func integer(_ index: Int32) throws -> Int64 {
        var isNumber: Int32 = 0
        let value = lua_tointegerx(L, index, &isNumber)
        guard isNumber != 0, lua_type(L, index) == LUA_TNUMBER else {
            throw argumentError(index, expected: "integer")
        }
        return value
    }

    /// Argument `index` as a number.
    @inlinable public func number(_ index: Int32) throws -> Double {
        guard lua_type(L, index) == LUA_TNUMBER else { throw argumentError(index, expected: "number") }
        return lua_tonumberx(L, index, nil)
    }

    /// Argument `index` as a string (numbers are not converted).
    public func string(_ index: Int32) throws -> String {
        guard let bytes = stringBytes(index) else { throw argumentError(index, expected: "string") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Argument `index` as an optional string.
    public func optionalString(_ index: Int32) throws -> String? {
        isNil(index) ? nil : try string(index)
    }

    /// Argument `index` as the bytes of a string, or `nil` when it is not a string.
    public func stringBytes(_ index: Int32) -> UnsafeRawBufferPointer? {
        var length = 0
        guard let p = clua_tolstring_raw(L, index, &length) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: length)
    }

    /// Argument `index` as a boolean (Lua truth).
    public func boolean(_ index: Int32) -> Bool { lua_toboolean(L, index) != 0 }

    /// Argument `index` copied out as a value.
    public func value(_ index: Int32) throws -> LuaValue {
        try LuaStack(L: L).value(at: index)
    }

    /// All the arguments copied out, under one copy budget.
    public func arguments() throws -> [LuaValue] {
        try LuaStack(L: L).values(from: 1, count: count)
    }

    /// Argument `index` as a table.
    public func table(_ index: Int32) throws -> LuaTable {
        guard lua_type(L, index) == LUA_TTABLE, case .table(let t) = try value(index) else {
            throw argumentError(index, expected: "table")
        }
        return t
    }

    /// Pushes a result.
    public func push(_ value: LuaValue) { LuaStack(L: L).push(value) }
    /// Pushes an integer result.
    @inlinable public func push(_ value: Int64) { lua_pushinteger(L, value) }
    /// Pushes a number result.
    @inlinable public func push(_ value: Double) { lua_pushnumber(L, value) }
    /// Pushes a boolean result.
    @inlinable public func push(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    /// Pushes a string result.
    public func push(_ value: String) { LuaStack(L: L).pushString(value) }
    /// Pushes nil.
    public func pushNil() { lua_pushnil(L) }

    /// Whether ``suspend(_:)`` can park the script here: the state is running a chunk with
    /// ``LuaState/run(_:arguments:)`` and Lua can yield at this call, up to the host.
    public var canSuspend: Bool { clua_can_suspend(L) != 0 }

    /// Parks the script until `operation` finishes, then gives the caller its results (or raises
    /// its error at the caller's line), exactly as a function registered with
    /// ``LuaState/registerAsync(_:_:)`` does. Return its result from a ``LuaState/registerRaw(_:_:)``
    /// body, having pushed nothing: so one host function can answer at once when it can and
    /// suspend only when it must.
    ///
    /// Throws (a usage error, raised in Lua) when the script cannot suspend here: under
    /// ``LuaState/call(_:arguments:)``, or inside a `table.sort` comparator, a `string.gsub`
    /// callback or a metamethod called from C.
    public func suspend(_ operation: @escaping @Sendable () async throws -> [LuaValue]) throws -> Int32 {
        try host.state.suspend(self, name: host.name, operation: operation)
    }

    /// Where the script called this function: the chunk (`file.lua`, as error positions name
    /// it) and line of the nearest Lua function on the stack, skipping C functions such as
    /// `pcall` and the host's wrappers; `nil` when no script function is on the stack.
    public var callerLocation: (source: String, line: Int)? { LuaStack(L: L).location(level: 1) }

    /// The error Lua's own functions raise for a bad argument.
    public func argumentError(_ index: Int32, expected: String) -> LuaError {
        let got = lua_type(L, index) <= LUA_TNIL ? "no value" : typeName(index)
        let shown = lua_type(L, index) == LUA_TNIL ? "nil" : got
        return LuaError(.usage, "bad argument #\(index) to '\(host.name)' (\(expected) expected, got \(shown))")
    }

    /// The type of argument `index` as messages name it: a userdata's `__name` (its
    /// ``LuaUserdataType`` name) when it has one.
    private func typeName(_ index: Int32) -> String {
        if lua_type(L, index) == LUA_TUSERDATA, luaL_getmetafield(L, index, "__name") != LUA_TNIL {
            defer { clua_pop(L, 1) }
            if let name = clua_tolstring_raw(L, -1, nil) { return String(cString: name) }
        }
        return String(cString: lua_typename(L, lua_type(L, index)))
    }

    /// Pushes the Lua value of a thrown error: a table for ``LuaErrorConvertible`` errors, a
    /// string with the caller's position for everything else.
    func pushError(_ error: any Error) {
        let stack = LuaStack(L: L)
        if let convertible = error as? any LuaErrorConvertible {
            var fields = convertible.luaFields
            if case .nil = fields["message"] { fields["message"] = .string(LuaString(convertible.luaMessage)) }
            if case .nil = fields["where"] { fields["where"] = .string(LuaString(stack.position(level: 1))) }
            stack.push(.table(fields))
            clua_set_error_metatable(L)
            return
        }
        let message = (error as? LuaError)?.message ?? String(describing: error)
        stack.pushString(stack.position(level: 1) + message)
    }
}
