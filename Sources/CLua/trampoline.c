#include "clua.h"
#include <stdlib.h>
#include <string.h>

static const char host_yield_marker = 0;

void *clua_host_yield_marker(void) { return (void *)&host_yield_marker; }

/* After the Swift side ran with the allocator soft, an overrun becomes a real memory error,
   raised here where only C frames are above the protected call. */
static void check_overrun(lua_State *L, clua_control *ctl) {
    if (ctl->soft_overrun && ctl->soft == 0) {
        ctl->soft_overrun = 0;
        ctl->mem_refused = 1;
        ctl->force_fail = 2;        /* the first try, and Lua's retry after its emergency collection */
        lua_newuserdatauv(L, 1, 0); /* fails: raises LUA_ERRMEM with Lua's own message */
    }
}

static int trampoline_k(lua_State *L, int status, lua_KContext base) {
    (void)status;
    clua_control *ctl = clua_control_of(L);
    check_overrun(L, ctl);
    if (ctl->resume_raise) {
        ctl->resume_raise = 0;
        return lua_error(L);
    }
    return lua_gettop(L) - (int)base;
}

static int trampoline(lua_State *L) {
    void *ctx = lua_touserdata(L, lua_upvalueindex(1));
    clua_control *ctl = clua_control_of(L);
    ctl->soft++;
    int r = ctl->swift_entry(L, ctx); /* Swift runs and has fully returned here */
    ctl->soft--;
    check_overrun(L, ctl);
    if (r >= 0) return r;
    if (r == CLUA_RAISE) return lua_error(L);
    int n = CLUA_YIELD_BASE - r;
    return lua_yieldk(L, n, (lua_KContext)(lua_gettop(L) - n), trampoline_k);
}

void clua_push_swift_function(lua_State *L, void *ctx) {
    lua_pushlightuserdata(L, ctx);
    lua_pushcclosure(L, trampoline, 1);
}

/* ---- protected helpers ---- */

/* Keeps the error value as it is (a table stays a table) and the traceback beside it. */
static int traceback_handler(lua_State *L) {
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "lunas.traceback");
    lua_settop(L, 1);
    return 1;
}

int clua_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

int clua_load_text(lua_State *L, const char *buf, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, buf, len, chunkname, "t");
}

int clua_load_binary(lua_State *L, const char *buf, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, buf, len, chunkname, "b");
}

typedef struct dump_buffer { char *data; size_t len, cap; int failed; } dump_buffer;

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud) {
    (void)L;
    dump_buffer *b = ud;
    if (b->len + sz > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + sz) cap *= 2;
        char *data = realloc(b->data, cap);
        if (data == NULL) { b->failed = 1; return 1; }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, sz);
    b->len += sz;
    return 0;
}

int clua_dump(lua_State *L, char **out, size_t *outlen) {
    dump_buffer b = {0};
    int status = lua_dump(L, dump_writer, &b, 0);
    if (status != 0 || b.failed) {
        free(b.data);
        return 1;
    }
    *out = b.data;
    *outlen = b.len;
    return 0;
}


static int error_tostring(lua_State *L) {
    lua_pushliteral(L, "where");
    lua_rawget(L, 1);
    lua_pushliteral(L, "message");
    lua_rawget(L, 1);
    if (!lua_isstring(L, -1)) {
        lua_pop(L, 1);
        lua_pushliteral(L, "(error without message)");
    }
    if (lua_isstring(L, -2)) lua_concat(L, 2);
    return 1;
}

void clua_set_error_metatable(lua_State *L) {
    if (luaL_newmetatable(L, "lunas.error")) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
        /* shared by every error table of the state: getmetatable(err) gives this name, not
           the table (where a script could add a __gc, which would run with hooks off) */
        lua_pushliteral(L, "lunas.error");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
}
