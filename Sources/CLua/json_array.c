#include "clua.h"

/* TEMPORARY until json.c exports its push_array_mt */
static void push_mt(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, clua_json_array_mt_key()) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, clua_json_array_mt_key());
}

void clua_json_set_array(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    push_mt(L);
    lua_setmetatable(L, idx);
}

int clua_json_is_marked_array(lua_State *L, int idx) {
    if (!lua_getmetatable(L, idx)) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, clua_json_array_mt_key());
    int marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return marked;
}
