/*
 * CLua: the C side of LuaKit.
 *
 * Lua raises errors (and yields from C) with longjmp, which must never cross a Swift frame.
 * Everything here exists so that Swift only ever calls Lua API functions that cannot jump:
 * the trampoline raises or yields after the Swift function has returned, the allocator is
 * "soft" (never fails) while Swift code runs, and the hooks that stop a run are C functions.
 */
#ifndef CLUA_H
#define CLUA_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

/* ---- macros Swift cannot import ---- */

static inline int clua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void clua_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline void clua_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
static inline lua_Integer clua_tointegerx(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
static inline const char *clua_tolstring_raw(lua_State *L, int i, size_t *len) {
    /* only for values that are already strings: never converts, so never allocates */
    return lua_type(L, i) == LUA_TSTRING ? lua_tolstring(L, i, len) : NULL;
}

/* Pushes registry[name] without metamethods. */
static inline int lua_rawgetfield_registry(lua_State *L, const char *name) {
    lua_pushstring(L, name);
    return lua_rawget(L, LUA_REGISTRYINDEX);
}

/* ---- per-state control block: limits and the stop flag ---- */

enum {
    CLUA_STOP_NONE = 0,
    CLUA_STOP_DEADLINE = 1,
    CLUA_STOP_INSTRUCTIONS = 2,
    CLUA_STOP_CANCELLED = 3,
    CLUA_STOP_HOST_LIMIT = 4, /* a limit the host counts (API calls): the host keeps which one */
};

#define CLUA_ARENA_CLASSES 32  /* small blocks: 16, 32, ... 512 bytes */
#define CLUA_ARENA_CHUNKS 8    /* the arena's chunks: 8, 8, 16, ... 512 KiB, 1 MiB in all */

typedef struct clua_control {
    size_t mem_used;         /* bytes the Lua heap holds now: malloc's chunks and the arena's carved bytes */
    size_t mem_peak;
    size_t mem_limit;        /* 0: unlimited */
    int soft;                /* > 0 while Swift runs: allocations never fail */
    int soft_overrun;        /* an allocation went over the limit in soft mode */
    int force_fail;          /* this many growing allocations fail (raises LUA_ERRMEM from C) */
    int mem_refused;         /* the allocator refused at least once */
    volatile int stop;       /* CLUA_STOP_*; sticky once set (written by the watchdog thread) */
    long long instr_left;    /* instruction budget left; < 0: unlimited */
    int max_depth;           /* Lua call depth limit; 0: Lua's own limits only */
    int calls;               /* calls since the last depth check */
    int resume_raise;        /* the host resumed an async call with an error value on top */
    lua_State *run_thread;   /* the coroutine the host runs the script in */
    int host_closed;         /* resumes under way whose resumer could not pass a host call's yield up */
    int (*swift_entry)(lua_State *L, void *ctx); /* the Swift side of every host function */
    /* the state's small-block arena: free lists per size class, a bump region, its chunks */
    void *arena_free[CLUA_ARENA_CLASSES];
    char *arena_bump, *arena_end;
    char *arena_chunk[CLUA_ARENA_CHUNKS];
    int arena_chunks;
    int arena_spilled;       /* small blocks have come from malloc since the arena filled */
    lua_State *_Atomic current; /* the coroutine running now (for the watchdog) */
    int warn_mode;           /* the trusted profile's warnings: off, on, or inside a message */
    void *host;              /* the Swift side's anchor of the state (its identity, its releases) */
} clua_control;

/* Creates a state whose allocator counts bytes and enforces ctl->mem_limit.
   ctl must outlive the state; it is reachable from Lua through the state's extra space. */
lua_State *clua_newstate(clua_control *ctl);
/* Closes the state and releases its arena. */
void clua_close(lua_State *L, clua_control *ctl);
/* The number of entries in the registry (for tests: references must not accumulate). */
int clua_registry_count(lua_State *L);

static inline clua_control *clua_control_of(lua_State *L) {
    clua_control *ctl;
    __builtin_memcpy(&ctl, lua_getextraspace(L), sizeof ctl);
    return ctl;
}

/* Arms the stop hook on the coroutine running now (from any thread). */
void clua_stop(clua_control *ctl, int reason);
/* The stop hook: armed by the watchdog (any thread) once ctl->stop is set; it raises the stop
   error at every instruction from then on, so a pcall around a loop cannot swallow it. */
void clua_arm_stop(lua_State *L, int reason);
/* Arms the instruction-budget count hook (and the depth hook when max_depth > 0). */
void clua_arm_budget_hooks(lua_State *L);
/* The message of a stop reason. */
const char *clua_stop_message(int reason);

/* Long loops in C (the pattern matcher) call this every CLUA_POLL_INTERVAL steps: it charges
   the steps to the instruction budget and raises the stop error if the run was stopped. */
#define CLUA_POLL_INTERVAL 1024
void clua_poll_stop(lua_State *L);

/* ---- calling Swift from Lua: the trampoline ---- */

typedef int (*clua_swift_fn)(lua_State *L, void *ctx);
#define CLUA_RAISE (-1)          /* Swift pushed an error value: raise it */
#define CLUA_YIELD_BASE (-1000)  /* CLUA_YIELD_BASE - n: yield the top n values to the host */

/* Pushes a C closure that calls the state's swift_entry(L, ctx) with the allocator soft, then
   raises or yields as the result says. */
void clua_push_swift_function(lua_State *L, void *ctx);

/* Sets the shared "lunas.error" metatable (__tostring: where .. message) on the table on top;
   it is protected (getmetatable(err) == "lunas.error"). */
void clua_set_error_metatable(lua_State *L);

/* The unique light userdata that marks a yield of an async host function. */
void *clua_host_yield_marker(void);

/* ---- protected helpers for the host ---- */

/* lua_pcall of the function below the nargs arguments with a message handler that leaves the
   error value as it is and the traceback in the registry field "lunas.traceback". */
int clua_pcall_traceback(lua_State *L, int nargs, int nresults);
/* Loads text only (never bytecode) from a script. */
int clua_load_text(lua_State *L, const char *buf, size_t len, const char *chunkname);
/* Loads bytecode the host itself produced with clua_dump. */
int clua_load_binary(lua_State *L, const char *buf, size_t len, const char *chunkname);
/* Dumps the function on top into a new malloc'ed buffer (caller frees); returns 0 on success. */
int clua_dump(lua_State *L, char **out, size_t *outlen);

/* ---- profiles (sandbox.c) ----
   Opens the standard library of a profile in a fresh state: sandboxed (base without dofile,
   loadfile and binary load; string without dump; table, math, utf8; os.time/clock/date/difftime
   only; no __gc; collectgarbage limited) or trusted (everything). Both get the step-budgeted
   pattern functions, the host-aware coroutine library and a yieldable require: sandboxed, one
   that asks only the host's searcher; trusted, Lua's own over package.searchers, with path
   (templates such as "scripts/?.lua;stdlib/?.lua", or NULL) before package.path's. The
   sandbox's searcher, a function on top of the stack (nil when trusted), is popped. Both also
   get the stoppable table functions, string.rep, load and xpcall.
   Returns the lua_pcall status. */
int clua_open_profile(lua_State *L, int trusted, const char *path);

/* ---- warnings (warn.c) ----
   The trusted profile's warn: off until warn("@on"), then each message on standard error as
   "Lua warning: ..." (as the stock interpreter). The sandbox sets no warning function. */
void clua_set_stock_warnings(lua_State *L);

/* ---- require (require.c) ----
   Both call the module's chunk with lua_callk, so its top level may call async host functions.
   The sandbox's: package.loaded, then the host's searcher (upvalue 1), which returns the chunk
   and its file name or nil and a message. The trusted one: Lua 5.4's require over the package
   table (upvalue 1): package.loaded, then package.searchers in turn. */
int clua_sandbox_require(lua_State *L);
int clua_trusted_require(lua_State *L);

/* ---- coroutines (coroutine.c) ----
   The coroutine library for scripts: host yields (async host calls) made inside a script's own
   coroutine pass through to the host and come back, while the script's own yields stay with it;
   the running coroutine is tracked so that the watchdog stops the right one. */
int clua_open_coroutine(lua_State *L);
/* Records co as the running coroutine; arms the stop hook on it if the run was stopped. */
void clua_enter(lua_State *co);
/* Whether a host function running in L may yield to the host: the host runs the script, L can
   yield, and every resume between L and the host can pass the yield up (none is made from a
   sort comparator, a gsub callback or a metamethod called from C). Otherwise the yield would
   strand in L, where the script could resume it with results of its choosing. */
int clua_can_suspend(lua_State *L);

/* ---- pattern matching with a step budget (patterns.c) ----
   Lua 5.4's string.find, string.match, string.gmatch and string.gsub with the same semantics,
   polling clua_poll_stop so that a deadline stops a pathological pattern. */
int clua_str_find(lua_State *L);
int clua_str_match(lua_State *L);
int clua_str_gmatch(lua_State *L);
int clua_str_gsub(lua_State *L);

/* ---- table.sort with a step budget (tablesort.c) ---- */
/* Lua 5.4's table.sort with the same semantics; each comparison is a step for clua_poll_stop. */
int clua_table_sort(lua_State *L);

/* ---- the other table loops with a step budget (tablelib.c) ----
   Lua 5.4's table.insert, remove, move, concat and unpack with the same semantics; each
   element is a step for clua_poll_stop. */
int clua_table_insert(lua_State *L);
int clua_table_remove(lua_State *L);
int clua_table_move(lua_State *L);
int clua_table_concat(lua_State *L);
int clua_table_unpack(lua_State *L);

/* ---- string.rep without an unbounded loop (stringrep.c) ---- */
int clua_str_rep(lua_State *L);

/* ---- load, xpcall and print (baselib.c) ----
   load hands the source to the parser in pieces, polling clua_poll_stop between them
   (clua_load_text_only, the sandbox's, loads text only). xpcall never runs the script's message handler
   once the run is stopped or for an error raised inside a hook (where hooks are off). */
int clua_load(lua_State *L);
int clua_load_text_only(lua_State *L);
int clua_xpcall(lua_State *L);
/* print as Lua's own, but writing through the host: the registry's "lunas.print" is a function
   called with each line (without its newline). */
int clua_print(lua_State *L);

/* ---- threads (threadname.c) ---- */

/* Names a thread (Linux keeps 15 bytes); 0 on success. pthread_setname_np needs _GNU_SOURCE,
   which Swift's Glibc module does not define. */
int clua_name_thread(pthread_t thread, const char *name);

/* ---- JSON (json.c) ---- */

/* The unique light userdata that stands for JSON null. */
void *clua_json_null(void);
/* Marks the table at idx as a JSON array; tells whether the table at idx is so marked. */
void clua_json_set_array(lua_State *L, int idx);
int clua_json_is_marked_array(lua_State *L, int idx);
/* Lua functions: json.decode(s) and json.encode(v [, opts]). */
int clua_json_decode(lua_State *L);
int clua_json_encode(lua_State *L);
/* Lua function for the host: decodes the bytes at lightuserdata arg 1 of integer length arg 2. */
int clua_json_decode_buffer(lua_State *L);
/* Opens the json module: returns a table with decode, encode, null, array, is_array. */
int clua_open_json(lua_State *L);

#endif
