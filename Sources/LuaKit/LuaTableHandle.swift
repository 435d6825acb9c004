import CLua

/// A live Lua table held by the host, where a ``LuaTable`` is a copy: the host reads and writes
/// the table the script has, and the script sees the writes.
///
/// Obtained with ``LuaCall/tableHandle(_:)``; like ``LuaFunction`` it is `Sendable`, released
/// when the last copy is dropped (on any thread), and used through its own state only: reading
/// and writing through another state, or after its state closed, throws a usage error. Reads and
/// writes are raw (no metamethods run).
public struct LuaTableHandle: Sendable, Hashable {
    /// The registry reference the handle holds.
    public let reference: LuaReference
}

extension LuaValue {
    /// The value that refers to a table held by the host, to pass it back to Lua.
    public init(_ table: LuaTableHandle) { self = .reference(table.reference) }
}

extension LuaCall {
    /// Argument `index` as a handle to the table itself (not a copy).
    public func tableHandle(_ index: Int32) throws -> LuaTableHandle {
        guard lua_type(L, index) == LUA_TTABLE, let reference = LuaStack(L: L).reference(at: index, kind: .table) else {
            throw argumentError(index, expected: "table")
        }
        return LuaTableHandle(reference: reference)
    }
}

extension LuaState {
    /// `table[key]`, copied out (raw: `__index` does not run).
    public func field(_ key: LuaValue, of table: LuaTableHandle) throws -> LuaValue {
        try withTable(table) { stack in
            stack.push(key)
            lua_rawget(L, -2)
            return try stack.value(at: -1)
        }
    }

    /// Sets `table[key] = value` (raw: `__newindex` does not run). A `nil` or NaN key is an error.
    public func setField(_ key: LuaValue, of table: LuaTableHandle, to value: LuaValue) throws {
        try checkOwned([key, value])
        try withTable(table) { stack in
            stack.push(key)
            guard lua_type(L, -1) != LUA_TNIL, !(lua_type(L, -1) == LUA_TNUMBER && lua_tonumberx(L, -1, nil).isNaN) else {
                throw LuaError(.usage, "table index is nil or NaN")
            }
            stack.push(value)
            lua_rawset(L, -3)
        }
    }

    /// The whole table copied out, as ``LuaCall/table(_:)`` copies an argument.
    public func copy(_ table: LuaTableHandle) throws -> LuaTable {
        try withTable(table) { stack in try stack.value(at: -1).tableValue ?? LuaTable() }
    }

    /// Runs `body` with the table on top of the main stack, the allocator soft.
    private func withTable<T>(_ table: LuaTableHandle, _ body: (LuaStack) throws -> T) throws -> T {
        try enter()
        return try withSoftAllocator {
            let top = lua_gettop(L)
            defer { lua_settop(L, top) }
            guard lua_checkstack(L, 4) != 0 else { throw LuaError(.usage, "Lua stack exhausted") }
            let stack = LuaStack(L: L)
            try stack.push(table.reference)
            return try body(stack)
        }
    }
}
