/*
 * JSON codec between bytes and Lua values (the JSON section of clua.h).
 *
 * Decoding: RFC 8259, strict. Integers that fit in int64 become Lua integers, other numbers
 * floats; arrays get the shared array metatable, so [] and {} stay distinct; null is the light
 * userdata clua_json_null(). Byte offsets in decode errors are 0-based.
 *
 * Encoding: integers exactly, floats in the shortest form that reads back to the same double
 * (always with ".0" or an exponent); strings must be UTF-8. Paths in encode errors use Lua
 * indices: $.orders[3] is orders[3] in Lua, the third element.
 *
 * Both directions recurse once per nesting level, at most JSON_MAX_DEPTH levels; the functions
 * on that path keep small frames (luaL_Buffer, which holds 1 KB, lives only in leaf functions).
 * Both count each value as a step and call clua_poll_stop every CLUA_POLL_INTERVAL steps: a
 * table that holds the same subtable twice at every level is encoded once per path, 2^depth
 * values, and the run's deadline or instruction budget must still end it.
 */
#include "json_internal.h"

#include <stdlib.h>

/* 10^0 .. 10^22: every one is exactly representable as a double */
const double clua_json_pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Only the addresses matter; the contents differ so that no linker can fold the two. */
static const char null_tag[] = "json.null";
static const char array_mt_tag[] = "json.array metatable";

void *clua_json_null(void) { return (void *)null_tag; }

JSON_NORETURN void clua_json_raise_top(lua_State *L) {
    lua_error(L);
    abort(); /* not reached: lua_error does not return */
}

/* Pushes this state's array metatable, creating it on first use. */
void clua_json_push_array_mt(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    /* The metatable is shared by every array of the state, so scripts must not reach it:
       with __metatable, getmetatable(a) returns "json.array" and setmetatable(a, ...) raises
       "cannot change a protected metatable" (an array stays an array). */
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, array_mt_tag);
}

void clua_json_set_array(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    clua_json_push_array_mt(L);
    lua_setmetatable(L, idx);
}

int clua_json_is_marked_array(lua_State *L, int idx) {
    if (!lua_getmetatable(L, idx)) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag);
    int marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return marked;
}

/* 1 for the bytes a string scan stops at: control characters, '"', '\\' and non-ASCII. */
const unsigned char clua_json_str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Length of the valid UTF-8 sequence at p, whose lead byte is >= 0x80, or 0 if there is none
   (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
size_t clua_json_utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t avail = (size_t)(end - p);
    if (c < 0xC2) return 0;
    if (c < 0xE0) return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                       (p[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/* Whether the keys of the table at idx are exactly 1..n. */
int clua_json_is_sequence(lua_State *L, int idx, lua_Unsigned n) {
    lua_Unsigned count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        /* k - 1 wraps for k <= 0, so one comparison checks 1 <= k <= n */
        if (!lua_isinteger(L, -1) || (lua_Unsigned)lua_tointeger(L, -1) - 1 >= n) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
    }
    return count == n;
}

const void *clua_json_array_mt_key(void) { return array_mt_tag; }

/* ======================================================================== module */

/* json.array(...): a new array of the arguments (use json.null for holes that must survive:
   trailing nils are lost). json.array(t) with a single table marks t itself and returns it. */
static int json_array(lua_State *L) {
    int n = lua_gettop(L);
    if (n == 1 && lua_type(L, 1) == LUA_TTABLE) {
        clua_json_push_array_mt(L);
        if (lua_getmetatable(L, 1)) {
            luaL_argcheck(L, lua_rawequal(L, -1, -2), 1, "table already has a metatable");
            lua_pop(L, 1);
        }
        lua_setmetatable(L, 1);
        return 1;
    }
    luaL_checkstack(L, 3, "json.array");
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
        lua_rawseti(L, -2, i);
    }
    clua_json_push_array_mt(L);
    lua_setmetatable(L, -2);
    return 1;
}

/* json.is_array(v): whether json.encode writes v as an array. */
static int json_is_array(lua_State *L) {
    int r = 0;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_settop(L, 1);
        lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag);
        if (lua_getmetatable(L, 1) && lua_rawequal(L, -1, 2)) {
            r = 1;
        } else {
            lua_Unsigned n = lua_rawlen(L, 1);
            lua_settop(L, 1);
            r = n > 0 && clua_json_is_sequence(L, 1, n);
        }
    }
    lua_pushboolean(L, r);
    return 1;
}

int clua_open_json(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"decode", clua_json_decode},
        {"encode", clua_json_encode},
        {"array", json_array},
        {"is_array", json_is_array},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushlightuserdata(L, (void *)null_tag);
    lua_setfield(L, -2, "null");
    return 1;
}
