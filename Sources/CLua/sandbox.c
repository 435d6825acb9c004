#include "clua.h"
#include <string.h>

/* load(chunk [, chunkname [, mode [, env]]]): text only, whatever mode the script asks for. */
static int sandbox_load(lua_State *L) {
    int nargs = lua_gettop(L);
    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the stock load */
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (nargs >= 4) lua_pushvalue(L, 4);
    lua_call(L, nargs >= 4 ? 4 : 3, 2);
    if (lua_isnil(L, -2)) return 2; /* nil, message */
    lua_pop(L, 1);
    return 1;
}

/* setmetatable without finalizers: a __gc would run with hooks off, out of the deadline's reach.
   (Lua marks an object for finalization only when __gc is present at setmetatable time.) */
static int sandbox_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sandbox_collectgarbage(lua_State *L) {
    static const char *const allowed[] = {"collect", "count", "step", "isrunning", NULL};
    const char *opt = luaL_optstring(L, 1, "collect");
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(opt, allowed[i]) == 0) {
            lua_pushvalue(L, lua_upvalueindex(1));
            lua_insert(L, 1);
            lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
            return lua_gettop(L);
        }
    }
    return luaL_error(L, "collectgarbage('%s') is not allowed in the sandbox", opt);
}

/* require(name): package.loaded first, then the host's searcher (upvalue 1), which returns the
   module's chunk and its file name or nil and a message. The chunk is called with lua_callk, so a
   module's top level may call async host functions. */
static int require_k(lua_State *L, int status, lua_KContext ctx) {
    (void)status; (void)ctx;
    /* stack: name, loaded, chunk-result */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (lua_getfield(L, 2, lua_tostring(L, 1)) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, lua_tostring(L, 1));
    return 1;
}

static int sandbox_require(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, 2, name) != LUA_TNIL && lua_toboolean(L, -1)) return 1;
    lua_pop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 2); /* chunk, filename | nil, message */
    if (lua_isnil(L, -2)) return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
    lua_pushvalue(L, 1);
    lua_insert(L, -2); /* chunk, name, filename */
    lua_callk(L, 2, 1, 0, require_k);
    return require_k(L, LUA_OK, 0);
}

static void open_lib(lua_State *L, const char *name, lua_CFunction open) {
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
}

static void set_closure(lua_State *L, int table, const char *field, lua_CFunction f) {
    lua_getfield(L, table, field);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, table, field);
}

/* The library functions that run long loops in C, replaced by ones that poll clua_poll_stop. */
static void install_stoppable(lua_State *L) {
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushcfunction(L, clua_str_find); lua_setfield(L, -2, "find");
    lua_pushcfunction(L, clua_str_match); lua_setfield(L, -2, "match");
    lua_pushcfunction(L, clua_str_gmatch); lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, clua_str_gsub); lua_setfield(L, -2, "gsub");
    lua_pop(L, 1);
    lua_getglobal(L, LUA_TABLIBNAME);
    lua_pushcfunction(L, clua_table_sort); lua_setfield(L, -2, "sort");
    lua_pop(L, 1);
}

/* Arguments: trusted (boolean), searcher (function). Runs under lua_pcall. */
static int open_profile(lua_State *L) {
    int trusted = lua_toboolean(L, 1);
    int searcher = 2;
    if (trusted) {
        luaL_openlibs(L);
    } else {
        open_lib(L, LUA_GNAME, luaopen_base);
        open_lib(L, LUA_STRLIBNAME, luaopen_string);
        open_lib(L, LUA_TABLIBNAME, luaopen_table);
        open_lib(L, LUA_MATHLIBNAME, luaopen_math);
        open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
        /* os: only the clock and calendar functions, trimmed in place (no second table) */
        luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
        static const char *const os_removed[] = {
            "execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname", NULL,
        };
        for (int i = 0; os_removed[i]; i++) {
            lua_pushnil(L);
            lua_setfield(L, -2, os_removed[i]);
        }
        lua_pop(L, 1);
        luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
        lua_pushnil(L);
        lua_setfield(L, -2, LUA_OSLIBNAME); /* require "os" finds nothing */
        lua_pop(L, 1);
        lua_pushglobaltable(L);
        int g = lua_gettop(L);
        static const char *const removed[] = {"dofile", "loadfile", NULL};
        for (int i = 0; removed[i]; i++) {
            lua_pushnil(L);
            lua_setfield(L, g, removed[i]);
        }
        set_closure(L, g, "load", sandbox_load);
        set_closure(L, g, "setmetatable", sandbox_setmetatable);
        set_closure(L, g, "collectgarbage", sandbox_collectgarbage);
        lua_getfield(L, g, LUA_STRLIBNAME);
        lua_pushnil(L);
        lua_setfield(L, -2, "dump");
        lua_pop(L, 2);
    }
    install_stoppable(L);
    luaL_requiref(L, LUA_COLIBNAME, clua_open_coroutine, 1);
    lua_pop(L, 1);
    lua_pushvalue(L, searcher);
    lua_pushcclosure(L, sandbox_require, 1);
    lua_setglobal(L, "require");
    return 0;
}

int clua_open_profile(lua_State *L, int trusted) {
    /* the searcher is on top */
    lua_pushcfunction(L, open_profile);
    lua_insert(L, -2);
    lua_pushboolean(L, trusted);
    lua_insert(L, -2);
    return lua_pcall(L, 2, 0, 0);
}
