#include "clua.h"
#include <stdatomic.h>

const char *clua_stop_message(int reason) {
    switch (reason) {
    case CLUA_STOP_DEADLINE: return "deadline exceeded";
    case CLUA_STOP_INSTRUCTIONS: return "instruction limit exceeded";
    case CLUA_STOP_CANCELLED: return "run cancelled";
    case CLUA_STOP_HOST_LIMIT: return "limit exceeded";
    default: return "run stopped";
    }
}

static int raise_stop(lua_State *L, int reason) {
    /* the "lunas.stop:" prefix lets the host tell a limit from a script error */
    return luaL_error(L, "lunas.stop: %s", clua_stop_message(reason));
}

/* Sticky: once armed it fires at every instruction, call and return, so that a pcall or a
   message handler cannot swallow the stop. */
static void stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_control *ctl = clua_control_of(L);
    raise_stop(L, ctl->stop ? ctl->stop : CLUA_STOP_CANCELLED);
}

void clua_arm_stop(lua_State *L, int reason) {
    clua_control *ctl = clua_control_of(L);
    if (ctl->stop == CLUA_STOP_NONE) ctl->stop = reason;
    /* lua_sethook may be called from another thread or a signal handler */
    lua_sethook(L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void clua_stop(clua_control *ctl, int reason) {
    if (ctl->stop == CLUA_STOP_NONE) ctl->stop = reason;
    atomic_thread_fence(memory_order_seq_cst);
    /* pairs with the fence in coroutine.c: either we see the coroutine switched to, or the
       switching thread sees the stop flag and arms the hook itself */
    lua_State *co = atomic_load(&ctl->current);
    if (co) clua_arm_stop(co, reason);
}

#define BUDGET_STEP 1000
#define DEPTH_SAMPLE 32

static void budget_hook(lua_State *L, lua_Debug *ar) {
    clua_control *ctl = clua_control_of(L);
    if (ctl->stop) raise_stop(L, ctl->stop);
    if (ar->event == LUA_HOOKCOUNT) {
        if (ctl->instr_left >= 0) {
            ctl->instr_left -= BUDGET_STEP;
            if (ctl->instr_left < 0) {
                clua_arm_stop(L, CLUA_STOP_INSTRUCTIONS);
                raise_stop(L, CLUA_STOP_INSTRUCTIONS);
            }
        }
    } else if (ar->event == LUA_HOOKCALL && ++ctl->calls >= DEPTH_SAMPLE) {
        /* sampled, so the walk costs O(depth / DEPTH_SAMPLE) per call; the depth can pass
           the limit by at most DEPTH_SAMPLE frames before it is caught */
        lua_Debug probe;
        ctl->calls = 0;
        if (lua_getstack(L, ctl->max_depth, &probe))
            luaL_error(L, "call depth limit of %d exceeded (runaway recursion?)", ctl->max_depth);
    }
}

void clua_arm_budget_hooks(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    int mask = 0;
    if (ctl->instr_left >= 0) mask |= LUA_MASKCOUNT;
    if (ctl->max_depth > 0) mask |= LUA_MASKCALL;
    if (mask) lua_sethook(L, budget_hook, mask, BUDGET_STEP);
}

void clua_poll_stop(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    if (ctl->instr_left >= 0) {
        ctl->instr_left -= CLUA_POLL_INTERVAL;
        if (ctl->instr_left < 0) clua_arm_stop(L, CLUA_STOP_INSTRUCTIONS);
    }
    if (ctl->stop) raise_stop(L, ctl->stop);
}
