#include "clua.h"
#include <stdlib.h>
#include <string.h>

/* The control block lives outside the Lua heap; its address is kept in the state's extra space. */

static void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_control *ctl = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        ctl->mem_used -= old;
        return NULL;
    }
    if (nsize > old) {
        size_t grow = nsize - old;
        if (ctl->force_fail) {
            ctl->force_fail = 0;
            return NULL;
        }
        if (ctl->mem_limit && ctl->mem_used + grow > ctl->mem_limit) {
            if (ctl->soft == 0) {
                ctl->mem_refused = 1;
                return NULL;
            }
            ctl->soft_overrun = 1;
        }
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) return NULL;
    ctl->mem_used = ctl->mem_used - old + nsize;
    if (ctl->mem_used > ctl->mem_peak) ctl->mem_peak = ctl->mem_used;
    return block;
}

static int clua_panic(lua_State *L) {
    /* Reached only by a bug in the host: an error outside any protected call. */
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(non-string error)";
    lua_writestringerror("lunas: unprotected Lua error (host bug): %s\n", msg);
    return 0;
}

lua_State *clua_newstate(clua_control *ctl) {
    lua_State *L = lua_newstate(clua_alloc, ctl);
    if (L == NULL) return NULL;
    memcpy(lua_getextraspace(L), &ctl, sizeof ctl);
    lua_atpanic(L, clua_panic);
    return L;
}

clua_control *clua_control_of(lua_State *L) {
    clua_control *ctl;
    memcpy(&ctl, lua_getextraspace(L), sizeof ctl);
    return ctl;
}
