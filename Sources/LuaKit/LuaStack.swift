import CLua

/// Copies values between Swift and a Lua stack, using only API functions that cannot raise
/// (or can only fail to allocate, which the soft allocator turns into a later error).
struct LuaStack {
    let L: OpaquePointer

    static let maxDepth = 200

    func pushString(_ s: String) {
        var s = s
        s.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    func pushBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    func push(_ value: LuaValue, depth: Int = 0) {
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, i)
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): pushBytes(s.bytes)
        case .null: lua_pushlightuserdata(L, clua_json_null())
        case .reference(let ref):
            // a reference into another (or a closed) state means nothing here
            if (try? push(ref)) == nil { lua_pushnil(L) }
        case .table(let table):
            guard depth < Self.maxDepth, lua_checkstack(L, 4) != 0 else {
                lua_pushnil(L)
                return
            }
            lua_createtable(L, Int32(clamping: table.array.count), Int32(clamping: table.fields.count))
            for (i, element) in table.array.enumerated() {
                push(element, depth: depth + 1)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            for (key, element) in table.fields {
                switch key {
                case .nil: continue
                case .number(let d) where d.isNaN: continue
                default: break
                }
                push(key, depth: depth + 1)
                if lua_type(L, -1) == LUA_TNIL {
                    clua_pop(L, 1)
                    continue
                }
                push(element, depth: depth + 1)
                lua_rawset(L, -3)
            }
            if table.isArray { clua_json_set_array(L, -1) }
        }
    }

    /// The value at `index`, copied out. Tables are copied deeply; a cycle, a nesting deeper
    /// than 200 levels or a copy over its ``LuaCopyBudget`` is an error.
    func value(at index: Int32) throws -> LuaValue {
        var budget = LuaCopyBudget(control: clua_control_of(L))
        return try value(at: index, budget: &budget)
    }

    /// The `count` values from `first` on, copied out under one budget.
    func values(from first: Int32, count: Int32) throws -> [LuaValue] {
        var budget = LuaCopyBudget(control: clua_control_of(L))
        return try (0..<max(0, count)).map { try value(at: first + $0, budget: &budget) }
    }

    private func value(at index: Int32, budget: inout LuaCopyBudget) throws -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        return try value(at: lua_absindex(L, index), depth: 0, visiting: &visiting, budget: &budget)
    }

    private func value(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>, budget: inout LuaCopyBudget) throws -> LuaValue {
        try budget.countNode()
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(clua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            guard let p = clua_tolstring_raw(L, index, &length) else { return .nil }
            try budget.countBytes(length)
            return .string(LuaString(bytes: UnsafeRawBufferPointer(start: p, count: length)))
        case LUA_TLIGHTUSERDATA where lua_touserdata(L, index) == clua_json_null():
            return .null
        case LUA_TTABLE:
            return try tableValue(at: index, depth: depth, visiting: &visiting, budget: &budget)
        case LUA_TFUNCTION: return reference(at: index, kind: .function).map { .reference($0) } ?? .nil
        case LUA_TTHREAD: return reference(at: index, kind: .thread).map { .reference($0) } ?? .nil
        default: return reference(at: index, kind: .userdata).map { .reference($0) } ?? .nil
        }
    }

    private func tableValue(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>, budget: inout LuaCopyBudget) throws -> LuaValue {
        guard let identity = lua_topointer(L, index) else { return .nil }
        guard depth < Self.maxDepth else { throw LuaError(.usage, "table nested deeper than \(Self.maxDepth) levels") }
        guard visiting.insert(identity).inserted else { throw LuaError(.usage, "cyclic table cannot be copied out of Lua") }
        defer { visiting.remove(identity) }
        guard lua_checkstack(L, 4) != 0 else { throw LuaError(.usage, "Lua stack exhausted") }
        var table = LuaTable()
        table.isArray = clua_json_is_marked_array(L, index) != 0
        // the sequence up to its first nil (never sized from the border the script chose)
        var i: lua_Integer = 1
        while lua_rawgeti(L, index, i) != LUA_TNIL {
            let element = try value(at: lua_gettop(L), depth: depth + 1, visiting: &visiting, budget: &budget)
            clua_pop(L, 1)
            table.array.append(element)
            i += 1
        }
        clua_pop(L, 1)
        let sequenceLength = lua_Integer(table.array.count)
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            if lua_isinteger(L, -2) != 0 {
                let k = clua_tointegerx(L, -2, nil)
                if k >= 1 && k <= sequenceLength { clua_pop(L, 1); continue }
            }
            let key = try value(at: lua_gettop(L) - 1, depth: depth + 1, visiting: &visiting, budget: &budget)
            let element = try value(at: lua_gettop(L), depth: depth + 1, visiting: &visiting, budget: &budget)
            table.fields[key] = element
            clua_pop(L, 1)
        }
        return .table(table)
    }

    /// Whether a chunk is one of the host's own Lua wrappers (named `=lunas.…`): errors are
    /// reported at the script's line that called into them, not inside them.
    static func isHostModule(_ source: UnsafePointer<CChar>?) -> Bool {
        guard let source else { return false }
        return String(cString: source).hasPrefix("=lunas.")
    }

    /// `file.lua:12: ` for the nearest Lua function from `level` frames up (skipping C functions
    /// such as `pcall`, and the host's wrappers), or an empty string.
    func position(level: Int32) -> String {
        guard let (source, line) = location(level: level) else { return "" }
        return "\(source):\(line): "
    }

    /// The chunk (its short source, `file.lua`) and line of the nearest Lua function from
    /// `level` frames up, skipping C functions and the host's wrappers; `nil` when there is none.
    func location(level: Int32) -> (source: String, line: Int)? {
        var ar = lua_Debug()
        var level = level
        while true {
            guard lua_getstack(L, level, &ar) != 0, lua_getinfo(L, "Sl", &ar) != 0 else { return nil }
            if ar.currentline > 0 && !Self.isHostModule(ar.source) { break }
            level += 1
        }
        let source = withUnsafeBytes(of: &ar.short_src) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return (source, Int(ar.currentline))
    }
}
