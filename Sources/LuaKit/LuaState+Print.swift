import CLua

extension LuaState {
    /// Replaces the global `print` with Lua's own (a C function: each argument through
    /// `tostring`'s rules, tabs between) that hands each line, without its newline, to `write`.
    public func installPrint(_ write: @escaping (String) -> Void) {
        let writer = makeHostFunction(name: "print") { call in
            write(try call.string(1))
            return 0
        }
        withSoftAllocator {
            lua_pushstring(L, "lunas.print")
            clua_push_swift_function(L, Unmanaged.passUnretained(writer).toOpaque())
            lua_rawset(L, clua_registryindex())
            pushTableForPath("print") { lua_pushcclosure(L, clua_print, 0) }
        }
    }
}
