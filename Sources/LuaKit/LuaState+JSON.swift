import CLua

extension LuaState {
    /// Installs the `json` module as a global.
    func installJSON() {
        withSoftAllocator {
            lua_rawgeti(L, clua_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
            LuaStack(L: L).pushString("json")
            lua_pushcclosure(L, clua_open_json, 0)
            if lua_pcallk(L, 0, 1, 0, 0, nil) == LUA_OK {
                lua_rawset(L, -3)
                clua_pop(L, 1)
            } else {
                clua_pop(L, 3)
            }
        }
    }
}
