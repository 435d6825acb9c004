/*
 * stringrep.c: string.rep(s, n [, sep]) with Lua 5.4's semantics and error messages.
 *
 * The stock function copies s (and sep) n times, one memcpy each, in C where no hook reaches:
 * string.rep("", math.maxinteger) allocates nothing, so the memory limit never sees it, and
 * loops for centuries. Here an empty result returns at once, and the result is filled by
 * doubling (the part written so far is copied after itself), so the work is a few dozen
 * copies whatever n is, each followed by clua_poll_stop.
 */
#include <limits.h>
#include <string.h>
#include "clua.h"

#define REP_MAX ((size_t)INT_MAX)  /* stock's limit on the result's length */

int clua_str_rep(lua_State *L) {
    size_t len, seplen;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &seplen);
    size_t period = len + seplen;
    if (n <= 0 || period == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (period < len || period > REP_MAX / (lua_Unsigned)n)
        return luaL_error(L, "resulting string too large");
    /* the result is the first `total` bytes of s sep s sep ..., which ends with s */
    size_t total = (size_t)n * len + (size_t)(n - 1) * seplen;
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, total);
    size_t filled = len < total ? len : total;
    memcpy(p, s, filled);
    if (filled < total) {
        size_t more = seplen < total - filled ? seplen : total - filled;
        memcpy(p + filled, sep, more);
        filled += more;
    }
    /* filled is a whole number of periods here and after each doubling */
    while (filled < total) {
        size_t more = filled < total - filled ? filled : total - filled;
        memcpy(p + filled, p, more);
        filled += more;
        clua_poll_stop(L);
    }
    luaL_pushresultsize(&b, total);
    return 1;
}
