#define _GNU_SOURCE
#include "clua.h"
#include <pthread.h>
#include <stdatomic.h>

void clua_enter(lua_State *co) {
    clua_control *ctl = clua_control_of(co);
    atomic_store(&ctl->current, co);
    atomic_thread_fence(memory_order_seq_cst);
    if (ctl->stop) clua_arm_stop(co, ctl->stop);
}

/* Lua counts C calls per coroutine, and a reset starts the count again: nested resets through
   __close handlers, or resumes nested in them, can grow the C stack without bound. So every
   resume and reset first checks what is left of the running thread's stack. */
#define CLUA_STACK_RESERVE ((size_t)1 << 20)

typedef struct { uintptr_t low, high; int known; } stack_bounds;
static _Thread_local stack_bounds thread_stack;

static int stack_is_low(void) {
    if (!thread_stack.known) {
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            if (pthread_attr_getstack(&attr, &addr, &size) != 0) addr = NULL;
            pthread_attr_destroy(&attr);
        }
        thread_stack.low = (uintptr_t)addr;
        thread_stack.high = addr ? (uintptr_t)addr + size : 0;
        thread_stack.known = 1;
    }
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (here <= thread_stack.low || here >= thread_stack.high) return 0; /* not this stack: Lua's limits only */
    return here - thread_stack.low < CLUA_STACK_RESERVE;
}

static void check_c_stack(lua_State *L) {
    if (stack_is_low()) luaL_error(L, "C stack overflow");
}

/* Resets co (running its pending __close handlers in it, where the watchdog can stop them). */
static int reset_thread(lua_State *L, lua_State *co) {
    check_c_stack(L);
    clua_enter(co);
    int status = lua_resetthread(co);
    clua_enter(L);
    return status;
}

static lua_State *check_co(lua_State *L, int arg) {
    lua_State *co = lua_tothread(L, arg);
    luaL_argexpected(L, co, arg, "coroutine");
    return co;
}

int clua_can_suspend(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    return ctl->run_thread != NULL && lua_isyieldable(L) && ctl->host_closed == 0;
}

static int is_host_yield(lua_State *co, int nres) {
    return nres >= 1 && lua_touserdata(co, -nres) == clua_host_yield_marker();
}

/* Resumes co with the nargs values on its stack. A host yield inside co is passed up to our
   own resumer, and its answer passed back down, until co finishes or yields for itself. */
static int resume_step(lua_State *L, lua_State *co, int nargs);

static int pass_k(lua_State *L, int status, lua_KContext coidx) {
    (void)status;
    lua_State *co = lua_tothread(L, (int)coidx);
    int nargs = lua_gettop(L) - (int)coidx;
    /* the async call's results, or its error (flagged in the control block for the trampoline
       inside co to raise) */
    lua_xmove(L, co, nargs);
    return resume_step(L, co, nargs);
}

static int resume_step(lua_State *L, lua_State *co, int nargs) {
    clua_control *ctl = clua_control_of(L);
    int closed = !clua_can_suspend(L); /* a host yield in co could not get past L: co may not make one */
    int nres = 0;
    ctl->host_closed += closed;
    clua_enter(co);
    int status = lua_resume(co, L, nargs, &nres);
    clua_enter(L);
    ctl->host_closed -= closed;
    if (status == LUA_YIELD && is_host_yield(co, nres)) {
        if (!lua_checkstack(L, nres)) luaL_error(L, "too many results to resume");
        lua_xmove(co, L, nres);
        return lua_yieldk(L, nres, (lua_KContext)1, pass_k); /* co is argument 1 */
    }
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushboolean(L, 0);
            lua_pushliteral(L, "too many results to resume");
            return 2;
        }
        lua_pushboolean(L, 1);
        lua_xmove(co, L, nres);
        return nres + 1;
    }
    lua_xmove(co, L, 1); /* the error value (already on L when co is L itself) */
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

static int co_resume(lua_State *L) {
    lua_State *co = check_co(L, 1);
    check_c_stack(L);
    int nargs = lua_gettop(L) - 1;
    if (!lua_checkstack(co, nargs)) {
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "too many arguments to resume");
        return 2;
    }
    lua_xmove(L, co, nargs);
    return resume_step(L, co, nargs);
}
/* coroutine.wrap's function: resume, and raise the coroutine's error in the caller. */
static int wrap_k(lua_State *L, int status, lua_KContext ctx);

static int wrap_finish(lua_State *L, int base) {
    int n = lua_gettop(L) - base;
    if (lua_toboolean(L, base + 1)) {
        lua_remove(L, base + 1);
        return n - 1;
    }
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int st = lua_status(co);
    if (st != LUA_OK && st != LUA_YIELD) {
        /* closes its to-be-closed variables; the error to raise is the one the reset leaves (a
           __close handler's own error replaces the first), and co's stack is left empty, so a
           later call finds it dead */
        reset_thread(L, co);
        lua_pop(L, 1);
        lua_xmove(co, L, 1);
    }
    if (lua_type(L, -1) == LUA_TSTRING && clua_control_of(L)->mem_refused == 0) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int wrap_k(lua_State *L, int status, lua_KContext ctx) {
    (void)status;
    return wrap_finish(L, (int)ctx);
}

static int co_wrapped(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int nargs = lua_gettop(L);
    lua_pushcfunction(L, co_resume);
    lua_pushthread(co);
    lua_xmove(co, L, 1);
    lua_rotate(L, 1, 2); /* resume, co, args... */
    lua_callk(L, nargs + 1, LUA_MULTRET, 0, wrap_k);
    return wrap_finish(L, 0);
}

static int co_create(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    return 1;
}

static int co_wrap(lua_State *L) {
    co_create(L);
    lua_pushcclosure(L, co_wrapped, 1);
    return 1;
}

/* The run's own coroutine is the script's main one: a yield there would reach the host. Elsewhere
   Lua raises its own errors (outside a coroutine, across a C-call boundary). */
static int co_yield(lua_State *L) {
    if (L == clua_control_of(L)->run_thread)
        return luaL_error(L, "attempt to yield from outside a coroutine");
    return lua_yield(L, lua_gettop(L));
}

static int co_running(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    int ismain = lua_pushthread(L) || L == ctl->run_thread;
    lua_pushboolean(L, ismain);
    return 2;
}

static int co_isyieldable(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    lua_State *co = lua_isnone(L, 1) ? L : check_co(L, 1);
    lua_pushboolean(L, co != ctl->run_thread && lua_isyieldable(co));
    return 1;
}

static int co_status(lua_State *L) {
    lua_State *co = check_co(L, 1);
    clua_control *ctl = clua_control_of(L);
    if (L == co) lua_pushliteral(L, "running");
    else if (co == ctl->run_thread) lua_pushliteral(L, "normal");
    else switch (lua_status(co)) {
        case LUA_YIELD: lua_pushliteral(L, "suspended"); break;
        case LUA_OK: {
            lua_Debug ar;
            if (lua_getstack(co, 0, &ar)) lua_pushliteral(L, "normal");
            else if (lua_gettop(co) == 0) lua_pushliteral(L, "dead");
            else lua_pushliteral(L, "suspended");
            break;
        }
        default: lua_pushliteral(L, "dead"); break;
    }
    return 1;
}

static int co_close(lua_State *L) {
    lua_State *co = check_co(L, 1);
    int st = lua_status(co);
    lua_Debug ar;
    if (co == L || (st == LUA_OK && lua_getstack(co, 0, &ar)))
        return luaL_error(L, "cannot close a %s coroutine", co == L ? "running" : "normal");
    st = reset_thread(L, co);
    if (st == LUA_OK) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_xmove(co, L, 1);
    return 2;
}

int clua_open_coroutine(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"create", co_create}, {"resume", co_resume}, {"running", co_running},
        {"status", co_status}, {"wrap", co_wrap}, {"yield", co_yield},
        {"isyieldable", co_isyieldable}, {"close", co_close}, {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
