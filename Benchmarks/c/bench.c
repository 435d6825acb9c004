/*
 * The C host baselines of the Lunas benchmark suite (Benchmarks/run.sh).
 *
 *   bench hostcall N   Lua -> C closure with a context (lightuserdata) upvalue, ident(i),
 *                      in a tight Lua loop; prints "hostcall ns_per_call=..."
 *   bench freshrun N   per-run isolation: sandbox-set state (base, string, table, math, utf8,
 *                      coroutine) with a byte-counting, limit-checking allocator + the cached
 *                      bytecode of a small rule loaded with luaL_loadbufferx(..., "b") + run +
 *                      lua_close; prints "freshrun us_per_cycle=..."
 *
 * Both print the same format as Benchmarks/LunasBench (the Swift host) and use the same Lua
 * text, so the two can be compared figure by figure. Timing: CLOCK_MONOTONIC; each figure is
 * the best of REPS equal slices of N after a warm-up, in wall time and in process CPU time (the
 * same rule on the Swift side).
 *
 * Build: gcc -O2 bench.c $(pkg-config --cflags --libs lua5.4)
 */
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Slices per measurement: each figure is the best slice, of wall time (CLOCK_MONOTONIC) and of
   process CPU time (CLOCK_PROCESS_CPUTIME_ID, which a busy neighbour inflates much less). */
#define REPS 20

static double clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
#define now_ns() clock_ns(CLOCK_MONOTONIC)
#define cpu_ns() clock_ns(CLOCK_PROCESS_CPUTIME_ID)

static void die(lua_State *L, const char *what) {
    fprintf(stderr, "bench: %s: %s\n", what, L && lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
    exit(1);
}

/* ---- hostcall ---- */

/* The Lua side of the host-call benchmark (identical in Benchmarks/LunasBench/main.swift). */
static const char HOSTCALL_LUA[] =
    "local n = ...\n"
    "local ident = ident\n"
    "local s = 0\n"
    "for i = 1, n do s = s + ident(i) end\n"
    "return s\n";

typedef struct host_context { lua_Integer offset; } host_context;

/* ident(i): one integer argument, one integer result, reaching its host context through an
   upvalue, like a host function that needs its host object; it adds the context's offset (0),
   as the Swift side adds a field of the object its closure captured. The argument check is the
   one LuaCall.integer makes. */
static int ident(lua_State *L) {
    const host_context *ctx = lua_touserdata(L, lua_upvalueindex(1));
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, 1, &isnum);
    if (!isnum || lua_type(L, 1) != LUA_TNUMBER) return luaL_typeerror(L, 1, "integer");
    lua_pushinteger(L, v + ctx->offset);
    return 1;
}

static void open_sandbox_set(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    lua_pop(L, 6);
}

static int bench_hostcall(long long n) {
    lua_State *L = luaL_newstate();
    open_sandbox_set(L);
    host_context ctx = {0};
    lua_pushlightuserdata(L, &ctx);
    lua_pushcclosure(L, ident, 1);
    lua_setglobal(L, "ident");
    if (luaL_loadbufferx(L, HOSTCALL_LUA, strlen(HOSTCALL_LUA), "=hostcall", "t") != LUA_OK) die(L, "load");
    int fn = lua_gettop(L);
    long long slice = n / REPS;
    if (slice < 1) slice = 1;
    /* warm-up */
    lua_pushvalue(L, fn);
    lua_pushinteger(L, slice / 4 + 1);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) die(L, "warm-up");
    lua_pop(L, 1);
    double best = 1e300, best_cpu = 1e300;
    for (int r = 0; r < REPS; r++) {
        lua_pushvalue(L, fn);
        lua_pushinteger(L, slice);
        double c0 = cpu_ns(), t0 = now_ns();
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) die(L, "run");
        double t1 = now_ns(), c1 = cpu_ns();
        lua_Integer s = lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (s != (lua_Integer)slice * (slice + 1) / 2) { fprintf(stderr, "bench: wrong sum\n"); return 1; }
        if ((t1 - t0) / (double)slice < best) best = (t1 - t0) / (double)slice;
        if ((c1 - c0) / (double)slice < best_cpu) best_cpu = (c1 - c0) / (double)slice;
    }
    printf("hostcall ns_per_call=%.2f cpu_ns_per_call=%.2f\n", best, best_cpu);
    lua_close(L);
    return 0;
}

/* ---- freshrun ---- */

/* The rule of the fresh-run benchmark (identical in Benchmarks/LunasBench/main.swift): 20 orders
   and a 13-line rule over them. */
static const char FRESHRUN_LUA[] =
    "local orders = {\n"
    "  {id=1,status='paid',gross=125000,tags={'web'}},{id=2,status='pending',gross=89000,tags={'wa'}},\n"
    "  {id=3,status='paid',gross=430000,tags={'web','vip'}},{id=4,status='shipped',gross=56000,tags={}},\n"
    "  {id=5,status='cancelled',gross=99000,tags={'web'}},{id=6,status='paid',gross=1250000,tags={'mp'}},\n"
    "  {id=7,status='delivered',gross=310000,tags={'wa'}},{id=8,status='paid',gross=76000,tags={}},\n"
    "  {id=9,status='pending',gross=640000,tags={'web'}},{id=10,status='shipped',gross=215000,tags={'mp'}},\n"
    "  {id=11,status='paid',gross=58000,tags={'wa'}},{id=12,status='delivered',gross=990000,tags={'vip'}},\n"
    "  {id=13,status='paid',gross=143000,tags={}},{id=14,status='cancelled',gross=27000,tags={'web'}},\n"
    "  {id=15,status='paid',gross=812000,tags={'mp'}},{id=16,status='pending',gross=67000,tags={}},\n"
    "  {id=17,status='shipped',gross=455000,tags={'web'}},{id=18,status='paid',gross=38000,tags={'wa'}},\n"
    "  {id=19,status='delivered',gross=205000,tags={}},{id=20,status='paid',gross=1500000,tags={'vip'}},\n"
    "}\n"
    "local totals, big = {}, 0\n"
    "for _, o in ipairs(orders) do\n"
    "  if o.status ~= 'cancelled' then\n"
    "    totals[o.status] = (totals[o.status] or 0) + o.gross\n"
    "    if o.gross >= 500000 then\n"
    "      o.tags[#o.tags + 1] = 'big'\n"
    "      big = big + 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local paid = totals.paid or 0\n"
    "return paid + big\n";

#define FRESHRUN_EXPECTED 4432005LL

typedef struct counting { size_t used, peak, limit; } counting;

/* The same job as LuaKit's allocator: count bytes, refuse above a limit. */
static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    counting *c = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        c->used -= old;
        return NULL;
    }
    if (nsize > old && c->limit && c->used + (nsize - old) > c->limit) return NULL;
    void *block = realloc(ptr, nsize);
    if (block == NULL) return NULL;
    c->used = c->used - old + nsize;
    if (c->used > c->peak) c->peak = c->used;
    return block;
}

typedef struct dump_buffer { char *data; size_t len, cap; } dump_buffer;

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud) {
    (void)L;
    dump_buffer *b = ud;
    if (b->len + sz > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + sz) cap *= 2;
        b->data = realloc(b->data, cap);
        if (b->data == NULL) return 1;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, sz);
    b->len += sz;
    return 0;
}

/* One cycle: fresh sandbox-set state, load the cached bytecode, run it, close. */
static lua_Integer fresh_cycle(const dump_buffer *chunk) {
    counting c = {0, 0, 64u << 20};
    lua_State *L = lua_newstate(counting_alloc, &c);
    if (L == NULL) die(NULL, "lua_newstate");
    open_sandbox_set(L);
    if (luaL_loadbufferx(L, chunk->data, chunk->len, "=freshrun", "b") != LUA_OK) die(L, "load bytecode");
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) die(L, "run");
    lua_Integer r = lua_tointeger(L, -1);
    lua_close(L);
    return r;
}

static int bench_freshrun(long long n) {
    /* the cache: compile once, keep the bytecode */
    dump_buffer chunk = {0};
    lua_State *C = luaL_newstate();
    if (luaL_loadbufferx(C, FRESHRUN_LUA, strlen(FRESHRUN_LUA), "=freshrun", "t") != LUA_OK) die(C, "compile");
    if (lua_dump(C, dump_writer, &chunk, 0) != 0) die(C, "dump");
    lua_close(C);

    long long slice = n / REPS;
    if (slice < 1) slice = 1;
    for (long long i = 0; i < slice / 4 + 1; i++) /* warm-up */
        if (fresh_cycle(&chunk) != FRESHRUN_EXPECTED) { fprintf(stderr, "bench: wrong result\n"); return 1; }
    double best = 1e300, best_cpu = 1e300;
    for (int r = 0; r < REPS; r++) {
        lua_Integer check = 0;
        double c0 = cpu_ns(), t0 = now_ns();
        for (long long i = 0; i < slice; i++) check += fresh_cycle(&chunk);
        double t1 = now_ns(), c1 = cpu_ns();
        if (check != FRESHRUN_EXPECTED * slice) { fprintf(stderr, "bench: wrong result\n"); return 1; }
        if ((t1 - t0) / (double)slice / 1000.0 < best) best = (t1 - t0) / (double)slice / 1000.0;
        if ((c1 - c0) / (double)slice / 1000.0 < best_cpu) best_cpu = (c1 - c0) / (double)slice / 1000.0;
    }
    printf("freshrun us_per_cycle=%.2f cpu_us_per_cycle=%.2f\n", best, best_cpu);
    free(chunk.data);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench hostcall N | bench freshrun N\n");
        return 2;
    }
    long long n = atoll(argv[2]);
    if (n <= 0) { fprintf(stderr, "bench: N must be positive\n"); return 2; }
    if (strcmp(argv[1], "hostcall") == 0) return bench_hostcall(n);
    if (strcmp(argv[1], "freshrun") == 0) return bench_freshrun(n);
    fprintf(stderr, "bench: unknown benchmark '%s'\n", argv[1]);
    return 2;
}
