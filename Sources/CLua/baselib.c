/*
 * baselib.c: load and xpcall with Lua 5.4's semantics, closed where a hook cannot reach.
 *
 * load: the parser runs in C, so a large source (or a reader function that returns one huge
 * piece) would be compiled with no hook in between. Here the source reaches the parser in
 * pieces of LOAD_PIECE bytes, each after clua_poll_stop, and a stop raised there ends the
 * run instead of becoming load's `nil, message`.
 *
 * print: Lua's own (a C function, each argument through luaL_tolstring, tabs between), handing
 * the line to the host's writer instead of stdout.
 *
 * xpcall: Lua runs a message handler with hooks off when the error came from a hook (the stop
 * error, the call-depth error), so a looping handler would outlive the deadline. The handler
 * xpcall installs is ours: it passes the error on untouched when the run is stopped or the
 * error was raised inside a hook, and otherwise calls the script's handler as stock does.
 */
#include <string.h>
#include "clua.h"

/* ---- load ---- */

#define LOAD_PIECE 4096
#define READER_SLOT 5  /* the stack slot that anchors the reader function's last answer */

typedef struct Source {
    const char *rest;            /* the part of the current piece not yet handed out */
    size_t left;
    int reader;                  /* 1: the rest comes from the function at index 1 */
} Source;

static const char *next_piece(lua_State *L, void *ud, size_t *size) {
    Source *src = ud;
    if (src->left == 0 && src->reader) {
        luaL_checkstack(L, 2, "too many nested functions");
        lua_pushvalue(L, 1);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            src->reader = 0;
        } else {
            if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
            lua_replace(L, READER_SLOT);
            src->rest = lua_tolstring(L, READER_SLOT, &src->left);
        }
    }
    if (src->left == 0) {
        *size = 0;
        return NULL;
    }
    clua_poll_stop(L);
    const char *piece = src->rest;
    *size = src->left < LOAD_PIECE ? src->left : LOAD_PIECE;
    src->rest += *size;
    src->left -= *size;
    return piece;
}

/* load(chunk [, chunkname [, mode [, env]]]), loading text only when text_only. */
static int load_chunk(lua_State *L, int text_only) {
    size_t len = 0;
    const char *s = lua_tolstring(L, 1, &len);
    const char *mode = text_only ? "t" : luaL_optstring(L, 3, "bt");
    int env = lua_isnone(L, 4) ? 0 : 4;
    const char *chunkname;
    Source src = {s, s ? len : 0, 0};
    if (s != NULL) {
        chunkname = luaL_optstring(L, 2, s);
    } else {
        chunkname = luaL_optstring(L, 2, "=(load)");
        luaL_checktype(L, 1, LUA_TFUNCTION);
        lua_settop(L, READER_SLOT);
        src.reader = 1;
    }
    int status = lua_load(L, next_piece, &src, chunkname, mode);
    if (status != LUA_OK) {
        if (clua_control_of(L)->stop) return lua_error(L); /* the stop, not a syntax error */
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env != 0) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

int clua_load(lua_State *L) { return load_chunk(L, 0); }
int clua_load_text_only(lua_State *L) { return load_chunk(L, 1); }

/* ---- xpcall ---- */

/* Whether the error being handled was raised inside a hook: Lua reports a function called
   from a hooked frame with namewhat "hook". */
static int raised_in_hook(lua_State *L) {
    lua_Debug ar;
    return lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat != NULL &&
           strcmp(ar.namewhat, "hook") == 0;
}

static int message_handler(lua_State *L) {
    if (clua_control_of(L)->stop || raised_in_hook(L)) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

/* xpcall(f, handler, ...) */
int clua_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, message_handler, 1);
    lua_replace(L, 2);
    /* handler, true, f, args...: the results start after the two first slots */
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

/* ---- print ---- */

/* print(...); the host's writer is the registry's "lunas.print" (not an upvalue: stock print
   has none). */
int clua_print(lua_State *L) {
    int n = lua_gettop(L);
    lua_rawgetfield_registry(L, "lunas.print");
    luaL_Buffer line;
    luaL_buffinit(L, &line);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&line, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&line);
    }
    luaL_pushresult(&line);
    lua_call(L, 1, 0);
    return 0;
}
