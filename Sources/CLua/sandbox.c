#include "clua.h"
#include <string.h>

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

/* os.date([format [, time]]) with a format of at most DATE_FORMAT_MAX bytes: the stock function
   walks its format in C, and a format of millions of conversions runs past the deadline. */
#define DATE_FORMAT_MAX 4096
static int sandbox_date(lua_State *L) {
    size_t len;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checklstring(L, 1, &len);
        luaL_argcheck(L, len <= DATE_FORMAT_MAX, 1, "format longer than 4096 bytes");
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

static void open_lib(lua_State *L, const char *name, lua_CFunction open) {
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
}

static void set_closure(lua_State *L, int table, const char *field, lua_CFunction f) {
    lua_getfield(L, table, field);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, table, field);
}

/* The library functions that run long loops in C, replaced by ones that poll clua_poll_stop,
   and xpcall, whose message handler must not outlive a stop. load loads only text unless
   trusted. */
static void install_stoppable(lua_State *L, int trusted) {
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushcfunction(L, clua_str_find); lua_setfield(L, -2, "find");
    lua_pushcfunction(L, clua_str_match); lua_setfield(L, -2, "match");
    lua_pushcfunction(L, clua_str_gmatch); lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, clua_str_gsub); lua_setfield(L, -2, "gsub");
    lua_pushcfunction(L, clua_str_rep); lua_setfield(L, -2, "rep");
    lua_pop(L, 1);
    lua_getglobal(L, LUA_TABLIBNAME);
    lua_pushcfunction(L, clua_table_sort); lua_setfield(L, -2, "sort");
    lua_pushcfunction(L, clua_table_insert); lua_setfield(L, -2, "insert");
    lua_pushcfunction(L, clua_table_remove); lua_setfield(L, -2, "remove");
    lua_pushcfunction(L, clua_table_move); lua_setfield(L, -2, "move");
    lua_pushcfunction(L, clua_table_concat); lua_setfield(L, -2, "concat");
    lua_pushcfunction(L, clua_table_unpack); lua_setfield(L, -2, "unpack");
    lua_pop(L, 1);
    lua_pushcfunction(L, clua_xpcall); lua_setglobal(L, "xpcall");
    lua_pushcfunction(L, trusted ? clua_load : clua_load_text_only);
    lua_setglobal(L, "load");
}

/* require as Lua's own, over the package table, with the host's folders (path, a string of
   templates) searched before package.path's own. */
static void install_trusted_require(lua_State *L, const char *path) {
    lua_getglobal(L, LUA_LOADLIBNAME);
    if (path != NULL && *path != '\0') {
        lua_getfield(L, -1, "path");
        lua_pushfstring(L, "%s;%s", path, lua_tostring(L, -1));
        lua_setfield(L, -3, "path");
        lua_pop(L, 1);
    }
    lua_pushcclosure(L, clua_trusted_require, 1);
    lua_setglobal(L, "require");
}

/* Arguments: trusted (boolean), searcher (function), path (light userdata: a C string or NULL).
   Runs under lua_pcall. */
static int open_profile(lua_State *L) {
    int trusted = lua_toboolean(L, 1);
    int searcher = 2;
    const char *path = lua_touserdata(L, 3);
    if (trusted) {
        luaL_openlibs(L);
        clua_set_stock_warnings(L);
        /* the host-aware coroutine library below takes the stock one's place */
        luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
        lua_pushnil(L);
        lua_setfield(L, -2, LUA_COLIBNAME);
        lua_pop(L, 1);
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
        set_closure(L, lua_gettop(L), "date", sandbox_date);
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
        set_closure(L, g, "setmetatable", sandbox_setmetatable);
        set_closure(L, g, "collectgarbage", sandbox_collectgarbage);
        lua_getfield(L, g, LUA_STRLIBNAME);
        lua_pushnil(L);
        lua_setfield(L, -2, "dump");
        lua_pop(L, 2);
    }
    install_stoppable(L, trusted);
    luaL_requiref(L, LUA_COLIBNAME, clua_open_coroutine, 1);
    lua_pop(L, 1);
    if (trusted) {
        install_trusted_require(L, path);
    } else {
        lua_pushvalue(L, searcher);
        lua_pushcclosure(L, clua_sandbox_require, 1);
        lua_setglobal(L, "require");
    }
    return 0;
}

int clua_open_profile(lua_State *L, int trusted, const char *path) {
    /* the searcher is on top */
    lua_pushcfunction(L, open_profile);
    lua_insert(L, -2);
    lua_pushboolean(L, trusted);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, (void *)path);
    return lua_pcall(L, 3, 0, 0);
}
