import CLua

/// The Swift values behind a state's userdata, and the metatables of its userdata types.
///
/// Each userdata holds only an id (8 bytes); its value is `values[id]`. The registry keeps a
/// weak-valued table from id to userdata: once Lua has collected a userdata its entry is gone,
/// and a sweep (each time `values` has doubled since the last) releases the values whose
/// userdata is gone. Ids are never reused, so a value can never be found through another
/// userdata. Used on the state's thread only, with the allocator soft.
final class UserdataStore {
    private var values: [Int64: Any] = [:]
    private var nextID: Int64 = 1
    private var sweepAt = 64
    /// The registry slot of the weak-valued table of live userdata, once made.
    private var liveSlot: Int32?
    /// The registry slot of each type's metatable, by type name.
    private var metatables: [String: Int32] = [:]

    /// The number of values held.
    var count: Int { values.count }

    /// Forgets every value (the state is closing).
    func removeAll() {
        values = [:]
        metatables = [:]
        liveSlot = nil
    }

    /// Pushes a new userdata of `type` holding `value` on `L`.
    func push<Value>(_ value: Value, as type: LuaUserdataType<Value>, on L: OpaquePointer, state: LuaState) {
        if values.count >= sweepAt { sweep(L) }
        let id = nextID
        nextID += 1
        pushLiveTable(L)
        let block = lua_newuserdatauv(L, MemoryLayout<Int64>.size, 0)
        block?.storeBytes(of: id, as: Int64.self)
        pushMetatable(for: type, on: L, state: state)
        lua_setmetatable(L, -2)
        lua_pushvalue(L, -1)
        lua_rawseti(L, -3, lua_Integer(id))
        lua_rotate(L, -2, -1) // drop the live table below the userdata
        clua_pop(L, 1)
        values[id] = value
    }

    /// The userdata of `type` at `index`: its id and its value (`nil` when the value was
    /// released: only a userdata a finalizer brought back can get here); `nil` when the value
    /// at `index` is not such a userdata.
    func lookup<Value>(_ index: Int32, as type: LuaUserdataType<Value>, on L: OpaquePointer) -> (id: Int64, value: Value?)? {
        guard let id = id(at: index, typeName: type.name, on: L) else { return nil }
        return (id, values[id] as? Value)
    }

    /// Replaces the value of userdata `id`.
    func update(_ id: Int64, to value: Any) {
        if values[id] != nil { values[id] = value }
    }

    private func id(at index: Int32, typeName: String, on L: OpaquePointer) -> Int64? {
        guard lua_type(L, index) == LUA_TUSERDATA, let slot = metatables[typeName],
              lua_getmetatable(L, index) != 0 else { return nil }
        lua_rawgeti(L, clua_registryindex(), lua_Integer(slot))
        let matches = lua_rawequal(L, -1, -2) != 0
        clua_pop(L, 2)
        guard matches, let block = lua_touserdata(L, index) else { return nil }
        return block.load(as: Int64.self)
    }

    private func pushLiveTable(_ L: OpaquePointer) {
        if let liveSlot {
            lua_rawgeti(L, clua_registryindex(), lua_Integer(liveSlot))
            return
        }
        clua_newtable(L)
        clua_newtable(L)
        LuaStack(L: L).pushString("__mode")
        LuaStack(L: L).pushString("v")
        lua_rawset(L, -3)
        lua_setmetatable(L, -2)
        lua_pushvalue(L, -1)
        liveSlot = luaL_ref(L, clua_registryindex())
    }

    /// Releases the values whose userdata Lua has collected.
    func sweep(_ L: OpaquePointer) {
        pushLiveTable(L)
        var collected: [Int64] = []
        for id in values.keys {
            if lua_rawgeti(L, -1, lua_Integer(id)) == LUA_TNIL { collected.append(id) }
            clua_pop(L, 1)
        }
        for id in collected { values[id] = nil }
        clua_pop(L, 1)
        sweepAt = max(64, values.count * 2)
    }

    /// Pushes the metatable of `type`, making it the first time the state meets the type.
    private func pushMetatable<Value>(for type: LuaUserdataType<Value>, on L: OpaquePointer, state: LuaState) {
        if let slot = metatables[type.name] {
            lua_rawgeti(L, clua_registryindex(), lua_Integer(slot))
            return
        }
        let stack = LuaStack(L: L)
        clua_newtable(L)
        let metatable = lua_gettop(L)
        func set(_ key: String, push: () -> Void) {
            stack.pushString(key)
            push()
            lua_rawset(L, metatable)
        }
        func setFunction(_ key: String, _ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            let box = state.makeHostFunction(name: name, body: body)
            set(key) { clua_push_swift_function(L, Unmanaged.passUnretained(box).toOpaque()) }
        }
        set("__name") { stack.pushString(type.name) }
        set("__metatable") { stack.pushString(type.name) } // scripts see the name, never the table

        clua_newtable(L)
        let methods = lua_gettop(L)
        for (name, body) in type.methods {
            let box = state.makeHostFunction(name: name) { call in
                try body(call.receiver(of: type).value, call)
            }
            stack.pushString(name)
            clua_push_swift_function(L, Unmanaged.passUnretained(box).toOpaque())
            lua_rawset(L, methods)
        }
        lua_pushvalue(L, methods)
        let methodsSlot = luaL_ref(L, clua_registryindex())
        if type.fields.isEmpty {
            set("__index") { lua_pushvalue(L, methods) }
        } else {
            setFunction("__index", "__index") { call in
                let receiver = try call.receiver(of: type).value
                guard let key = call.stringBytes(2).map({ String(decoding: $0, as: UTF8.self) }) else { return 0 }
                if let field = type.fields[key] {
                    call.push(try field.get(receiver))
                    return 1
                }
                lua_rawgeti(call.L, clua_registryindex(), lua_Integer(methodsSlot))
                LuaStack(L: call.L).pushString(key)
                lua_rawget(call.L, -2)
                return 1
            }
        }
        clua_pop(L, 1)
        setFunction("__newindex", "__newindex") { call in
            let (id, receiver) = try call.receiver(of: type)
            let key = (try? call.string(2)) ?? "?"
            guard let field = type.fields[key] else { throw LuaError(.usage, "\(type.name) has no field '\(key)'") }
            guard let setter = field.set else { throw LuaError(.usage, "field '\(key)' of \(type.name) is read-only") }
            var value = receiver
            try setter(&value, try call.value(3))
            call.host.state.userdataValues.update(id, to: value)
            return 0
        }
        if let describe = type.describe {
            setFunction("__tostring", "tostring") { call in
                call.push(describe(try call.receiver(of: type).value))
                return 1
            }
        }
        if let equal = type.equal {
            setFunction("__eq", "__eq") { call in
                let store = call.host.state.userdataValues
                let lhs = store.lookup(1, as: type, on: call.L)?.value, rhs = store.lookup(2, as: type, on: call.L)?.value
                call.push(lhs.flatMap { lhs in rhs.map { equal(lhs, $0) } } ?? false)
                return 1
            }
        }
        if let count = type.count {
            setFunction("__len", "__len") { call in
                call.push(Int64(count(try call.receiver(of: type).value)))
                return 1
            }
        }
        if let invoke = type.invoke {
            setFunction("__call", type.name) { call in
                try call.results(invoke(call.receiver(of: type).value, call))
            }
        }
        lua_pushvalue(L, metatable)
        metatables[type.name] = luaL_ref(L, clua_registryindex())
    }
}

extension LuaCall {
    /// Argument 1, the receiver of a method or metamethod, as a value of `type`.
    func receiver<Value>(of type: LuaUserdataType<Value>) throws -> (id: Int64, value: Value) {
        guard let found = host.state.userdataValues.lookup(1, as: type, on: L) else { throw argumentError(1, expected: type.name) }
        guard let value = found.value else { throw LuaError(.usage, "the \(type.name) is no longer available") }
        return (found.id, value)
    }

    /// Pushes `values` and returns their count.
    func results(_ values: [LuaValue]) -> Int32 {
        for value in values { push(value) }
        return Int32(values.count)
    }
}
