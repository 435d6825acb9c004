/*
 * The C host baselines of the Lunas benchmark suite (Benchmarks/run.sh).
 *
 *   bench hostcall N   Lua -> C closure with a context (lightuserdata) upvalue, ident(i),
 *                      in a tight Lua loop; prints "hostcall ns_per_call=..."
 *   bench freshrun N   per-run isolation: sandbox-set state (base, string, table, math, utf8,
 *                      coroutine) with a byte-counting, limit-checking allocator + the cached
 *                      bytecode of a small rule loaded with luaL_loadbufferx(..., "b") + run +
 *                      lua_close; prints "freshrun us_per_cycle=..."
 *   bench pricing N    a merchant pricing rule per request: a new state with the libraries a
 *                      sandboxed Lunas state opens (base, string, table, math, utf8, os's clock
 *                      and calendar, coroutine) and the same allocator, the rule loaded from a
 *                      cached dump and run, the cart table (10 items) built from C structs,
 *                      the handler price(cart) called, its discounts read, lua_close; prints
 *                      "pricing us_per_cycle=... p50_us=... p99_us=..."
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

/* ---- pricing ---- */

/* The merchant's rule of the pricing benchmark (identical in Benchmarks/LunasBench/Pricing.swift):
   three discount rules over a cart, the discounts returned as a list. */
static const char PRICING_LUA[] =
    "local BULK_QUANTITY, BULK_PERCENT = 3, 10\n"
    "local SET, SET_OFF = { \"TEA-GREEN\", \"CUP-CLAY\" }, 15000\n"
    "local GOLD_PERCENT = 5\n"
    "\n"
    "function price(cart)\n"
    "  local discounts, subtotal, skus = {}, 0, {}\n"
    "  for _, item in ipairs(cart.items) do\n"
    "    local amount = item.quantity * item.unit_price\n"
    "    subtotal = subtotal + amount\n"
    "    skus[item.sku] = true\n"
    "    if item.quantity >= BULK_QUANTITY then\n"
    "      discounts[#discounts + 1] = { rule = \"bulk \" .. item.sku, amount = amount * BULK_PERCENT // 100 }\n"
    "    end\n"
    "  end\n"
    "  if skus[SET[1]] and skus[SET[2]] then\n"
    "    discounts[#discounts + 1] = { rule = \"tea set\", amount = SET_OFF }\n"
    "  end\n"
    "  if cart.tier == \"gold\" then\n"
    "    local left = subtotal\n"
    "    for _, discount in ipairs(discounts) do left = left - discount.amount end\n"
    "    discounts[#discounts + 1] = { rule = \"gold member\", amount = left * GOLD_PERCENT // 100 }\n"
    "  end\n"
    "  return discounts\n"
    "end\n";

typedef struct cart_item { const char *sku; lua_Integer quantity, unit_price; } cart_item;

/* The cart (identical in Pricing.swift): 10 lines, a gold customer. */
static const cart_item PRICING_CART[] = {
    {"TEA-GREEN", 4, 45000}, {"CUP-CLAY", 1, 60000}, {"HONEY-250", 2, 38500}, {"RICE-5KG", 1, 89000},
    {"COFFEE-GAYO", 3, 72000}, {"SAMBAL-ROA", 6, 27500}, {"KECAP-600", 2, 24000}, {"TEMPE-CHIPS", 5, 15000},
    {"GULA-AREN", 1, 33000}, {"TEH-TARIK", 12, 4500},
};
#define PRICING_ITEMS (sizeof PRICING_CART / sizeof PRICING_CART[0])
/* Its discounts: bulk on 5 lines (69,000), the tea set (15,000), gold 5 % of the rest (45,650). */
#define PRICING_EXPECTED_SUM 129650LL
#define PRICING_EXPECTED_COUNT 7LL

static void push_cart(lua_State *L) {
    lua_createtable(L, 0, 3);
    lua_pushstring(L, "IDR");
    lua_setfield(L, -2, "currency");
    lua_pushstring(L, "gold");
    lua_setfield(L, -2, "tier");
    lua_createtable(L, (int)PRICING_ITEMS, 0);
    for (size_t i = 0; i < PRICING_ITEMS; i++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, PRICING_CART[i].sku);
        lua_setfield(L, -2, "sku");
        lua_pushinteger(L, PRICING_CART[i].quantity);
        lua_setfield(L, -2, "quantity");
        lua_pushinteger(L, PRICING_CART[i].unit_price);
        lua_setfield(L, -2, "unit_price");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "items");
}

/* The sandboxed set plus os, trimmed to its clock and calendar functions as in Lunas. */
static void open_pricing_set(lua_State *L) {
    open_sandbox_set(L);
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
    static const char *const removed[] = {"execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname", NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setfield(L, -2, removed[i]);
    }
    lua_pop(L, 1);
}

/* One request: fresh state, the cached chunk run, price(cart), the discounts read (each rule
   name copied out, as a host keeps it), close. Returns the sum of the discounts' amounts * 100 +
   their count; 0 when a name is missing. */
static lua_Integer pricing_cycle(const dump_buffer *chunk) {
    counting c = {0, 0, 4u << 20};
    lua_State *L = lua_newstate(counting_alloc, &c);
    if (L == NULL) die(NULL, "lua_newstate");
    open_pricing_set(L);
    if (luaL_loadbufferx(L, chunk->data, chunk->len, "=pricing.lua", "b") != LUA_OK) die(L, "load bytecode");
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) die(L, "run chunk");
    lua_getglobal(L, "price");
    push_cart(L);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) die(L, "price");
    lua_Integer sum = 0, count = (lua_Integer)luaL_len(L, -1);
    char names[16][64];
    int named = 1;
    for (lua_Integer i = 1; i <= count; i++) {
        lua_geti(L, -1, i);
        lua_getfield(L, -1, "rule");
        size_t len = 0;
        const char *rule = lua_tolstring(L, -1, &len);
        if (rule == NULL || len >= sizeof names[0] || i > 16) named = 0;
        else memcpy(names[i - 1], rule, len + 1);
        lua_getfield(L, -2, "amount");
        sum += lua_tointeger(L, -1);
        lua_pop(L, 3);
    }
    lua_close(L);
    return named ? sum * 100 + count : 0;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench_pricing(long long n) {
    dump_buffer chunk = {0};
    lua_State *C = luaL_newstate();
    if (luaL_loadbufferx(C, PRICING_LUA, strlen(PRICING_LUA), "=pricing.lua", "t") != LUA_OK) die(C, "compile");
    if (lua_dump(C, dump_writer, &chunk, 0) != 0) die(C, "dump");
    lua_close(C);

    long long slice = n / REPS;
    if (slice < 1) slice = 1;
    const lua_Integer expected = PRICING_EXPECTED_SUM * 100 + PRICING_EXPECTED_COUNT;
    for (long long i = 0; i < slice / 4 + 1; i++) /* warm-up */
        if (pricing_cycle(&chunk) != expected) { fprintf(stderr, "bench: wrong result\n"); return 1; }
    double *latency = malloc(sizeof(double) * (size_t)(slice * REPS));
    if (latency == NULL) { fprintf(stderr, "bench: out of memory\n"); return 1; }
    double best = 1e300, best_cpu = 1e300;
    long long k = 0;
    for (int r = 0; r < REPS; r++) {
        double c0 = cpu_ns(), t0 = now_ns(), last = t0;
        for (long long i = 0; i < slice; i++) {
            if (pricing_cycle(&chunk) != expected) { fprintf(stderr, "bench: wrong result\n"); return 1; }
            double t = now_ns();
            latency[k++] = (t - last) / 1000.0;
            last = t;
        }
        double t1 = last, c1 = cpu_ns();
        if ((t1 - t0) / (double)slice / 1000.0 < best) best = (t1 - t0) / (double)slice / 1000.0;
        if ((c1 - c0) / (double)slice / 1000.0 < best_cpu) best_cpu = (c1 - c0) / (double)slice / 1000.0;
    }
    qsort(latency, (size_t)k, sizeof(double), compare_doubles);
    printf("pricing us_per_cycle=%.2f cpu_us_per_cycle=%.2f p50_us=%.2f p99_us=%.2f runs_per_s=%.0f\n",
           best, best_cpu, latency[k / 2], latency[(k * 99) / 100], 1e6 / best);
    free(latency);
    free(chunk.data);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench hostcall N | bench freshrun N | bench pricing N\n");
        return 2;
    }
    long long n = atoll(argv[2]);
    if (n <= 0) { fprintf(stderr, "bench: N must be positive\n"); return 2; }
    if (strcmp(argv[1], "hostcall") == 0) return bench_hostcall(n);
    if (strcmp(argv[1], "freshrun") == 0) return bench_freshrun(n);
    if (strcmp(argv[1], "pricing") == 0) return bench_pricing(n);
    fprintf(stderr, "bench: unknown benchmark '%s'\n", argv[1]);
    return 2;
}
