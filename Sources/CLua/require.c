/*
 * require.c: the two `require`s, both yieldable: the module's chunk is called with lua_callk,
 * so a module's top level may call async host functions (the stock require calls it with
 * lua_call, where a yield fails).
 *
 * Sandboxed: package.loaded, then the host's searcher only (there is no `package`).
 * Trusted: Lua 5.4's own require: package.loaded, then each of package.searchers in turn
 * (preload, package.path, package.cpath, the all-in-one C loader), with Lua's messages.
 */
#include "clua.h"

/* The loader has returned. Stack: name, loaded, loader data, the loader's result.
   loaded[name] becomes the result, else what the module put there, else true. */
static int require_finish(lua_State *L, int status, lua_KContext nresults) {
    (void)status;
    const char *name = lua_tostring(L, 1);
    if (!lua_isnil(L, -1)) lua_setfield(L, 2, name);
    else lua_pop(L, 1);
    if (lua_getfield(L, 2, name) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, 2, name);
    }
    if (nresults == 2) lua_insert(L, -2); /* the module, then the loader data */
    return (int)nresults;
}

/* Stack: name, loaded, loader, loader data. Calls loader(name, data); returns the module and,
   when nresults is 2, the loader data. */
static int call_loader(lua_State *L, int nresults) {
    lua_insert(L, 3);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3); /* name, loaded, data, loader, name, data */
    lua_callk(L, 2, 1, nresults, require_finish);
    return require_finish(L, LUA_OK, nresults);
}

/* Leaves name (1) and loaded (2) on the stack; returns whether loaded[name] is there (on top). */
static int find_loaded(lua_State *L, const char **name) {
    *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, 2, *name) != LUA_TNIL && lua_toboolean(L, -1)) return 1;
    lua_pop(L, 1);
    return 0;
}

/* require(name) in the sandbox; upvalue 1 is the host's searcher, which returns the module's
   chunk and its file name, or nil and a message. */
int clua_sandbox_require(lua_State *L) {
    const char *name;
    if (find_loaded(L, &name)) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 2);
    if (lua_isnil(L, -2)) return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
    return call_loader(L, 1);
}

/* require(name) as Lua's own; upvalue 1 is the package table. */
int clua_trusted_require(lua_State *L) {
    const char *name;
    if (find_loaded(L, &name)) return 1;
    if (lua_getfield(L, lua_upvalueindex(1), "searchers") != LUA_TTABLE)
        return luaL_error(L, "'package.searchers' must be a table");
    lua_pushliteral(L, ""); /* what the searchers said */
    for (lua_Integer i = 1;; i++) {
        if (lua_rawgeti(L, 3, i) == LUA_TNIL)
            return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, 4));
        lua_pushvalue(L, 1);
        lua_call(L, 1, 2);
        if (lua_isfunction(L, -2)) break;
        if (lua_isstring(L, -2)) {
            lua_pushfstring(L, "%s\n\t%s", lua_tostring(L, 4), lua_tostring(L, -2));
            lua_replace(L, 4);
        }
        lua_pop(L, 2);
    }
    lua_rotate(L, 3, 2); /* name, loaded, loader, data, searchers, messages */
    lua_pop(L, 2);
    return call_loader(L, 2);
}
