/*
 * tablesort.c: table.sort(list [, comp]) with Lua 5.4's semantics (reference manual 6.6) and
 * error messages, plus a step budget.
 *
 * The stock function runs in C, where no Lua hook can stop it: sorting a few million numbers
 * without a comparator takes seconds. Here every comparison is a step, and every
 * CLUA_POLL_INTERVAL steps the sort calls clua_poll_stop, which charges the steps and raises
 * once the run is stopped.
 *
 * Like stock, elements are read and written with lua_geti/lua_seti (so __index and __newindex
 * apply), compared with lua_compare(LUA_OPLT) or the comparator, and the sort is not stable.
 * The algorithm is a quicksort on the Lua stack:
 *   - each range is partitioned around the median of its first, middle and last elements,
 *     exactly as stock does, so that on ordinary input the comparisons (hence which pair a
 *     mixed-type error names) are the same as stock's;
 *   - once a partition of a large range comes out lopsided (the smaller side under 1/8), the
 *     ranges below it take their pivot from a ninther (the median of three medians of three)
 *     instead, which stock's pattern killers (organ pipes, sawtooth) do not defeat;
 *   - each path down the recursion may meet only 2 log2(n) lopsided partitions; past that its
 *     range is heapsorted, so the worst case is O(n log n) whatever the input or comparator;
 *   - the recursion goes into the smaller side and loops on the larger, so the C stack holds
 *     at most log2(n) frames.
 * An inconsistent comparator makes the partition run into its sentinels, which raises
 * "invalid order function for sorting" as stock does; the heapsort simply terminates.
 */
#include <limits.h>
#include "clua.h"

typedef lua_Integer Idx;

#define PLAIN_RANGE 100          /* ranges with up - lo below this always use the median of three */
#define LOPSIDED 8               /* a partition is lopsided when its smaller side is under 1/8 */

typedef struct Sorter {
    lua_State *L;
    int has_comp;                /* a comparator is at stack index 2 */
    unsigned steps;              /* comparisons not yet charged to clua_poll_stop */
} Sorter;

/* ---- primitives ---- */

/* Whether the value at stack index a (negative) sorts before the one at index b (negative). */
static int less(Sorter *s, int a, int b) {
    lua_State *L = s->L;
    if (++s->steps >= CLUA_POLL_INTERVAL) {
        s->steps = 0;
        clua_poll_stop(L);
    }
    if (!s->has_comp)
        return lua_compare(L, a, b, LUA_OPLT);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, a - 1);     /* the indices move by the values pushed above them */
    lua_pushvalue(L, b - 2);
    lua_call(L, 2, 1);
    int res = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return res;
}

/* Pops the top value into a[i], then the one below it into a[j]. */
static void store2(lua_State *L, Idx i, Idx j) {
    lua_seti(L, 1, i);
    lua_seti(L, 1, j);
}

static void swap(lua_State *L, Idx i, Idx j) {
    lua_geti(L, 1, i);
    lua_geti(L, 1, j);
    store2(L, i, j);
}

/* Puts a[i] and a[j] in order (i < j). */
static void order2(Sorter *s, Idx i, Idx j) {
    lua_State *L = s->L;
    lua_geti(L, 1, i);
    lua_geti(L, 1, j);
    if (less(s, -1, -2))
        store2(L, i, j);
    else
        lua_pop(L, 2);
}

static void order3(Sorter *s, Idx i, Idx j, Idx k) {
    order2(s, i, j);
    order2(s, j, k);
    order2(s, i, j);
}

/* ---- heapsort: the fallback for ranges that keep partitioning badly ---- */

/* Sifts a[lo + root], whose value is on top of the stack (popped), down the heap
   a[lo .. lo + size - 1] (a max-heap: no child sorts after its parent). Elements move by
   exchanges, written back to back, so that whatever a comparison raises, the list is still a
   permutation of itself (as stock leaves it). */
static void sift_down(Sorter *s, Idx lo, Idx root, Idx size) {
    lua_State *L = s->L;
    for (;;) {
        Idx child = 2 * root + 1;
        if (child >= size) break;
        lua_geti(L, 1, lo + child);                      /* v c */
        if (child + 1 < size) {
            lua_geti(L, 1, lo + child + 1);              /* v c c2 */
            if (less(s, -2, -1)) {
                lua_remove(L, -2);                       /* v c2 */
                child++;
            } else {
                lua_pop(L, 1);                           /* v c */
            }
        }
        if (!less(s, -2, -1)) {                          /* the child does not beat v */
            lua_pop(L, 1);
            break;
        }
        lua_seti(L, 1, lo + root);                       /* exchange v and the child */
        lua_pushvalue(L, -1);
        lua_seti(L, 1, lo + child);
        root = child;
    }
    lua_pop(L, 1);
}

static void heap_sort(Sorter *s, Idx lo, Idx up) {
    lua_State *L = s->L;
    Idx size = up - lo + 1;
    for (Idx i = size / 2 - 1; i >= 0; i--) {
        lua_geti(L, 1, lo + i);
        sift_down(s, lo, i, size);
    }
    for (Idx end = size - 1; end > 0; end--) {
        lua_geti(L, 1, lo + end);                        /* exchange the root and the last leaf */
        lua_geti(L, 1, lo);
        lua_seti(L, 1, lo + end);
        lua_pushvalue(L, -1);
        lua_seti(L, 1, lo);
        sift_down(s, lo, 0, end);
    }
}

/* ---- quicksort ---- */

/* Puts the ninther of a[lo .. up] (up - lo >= PLAIN_RANGE) at the middle, an element that does
   not sort after it at lo and one it does not sort after at up; returns the middle. */
static Idx ninther(Sorter *s, Idx lo, Idx up) {
    Idx step = (up - lo + 1) / 8, mid = lo + (up - lo) / 2;
    order3(s, lo, lo + step, lo + 2 * step);
    order3(s, mid - step, mid, mid + step);
    order3(s, up - 2 * step, up - step, up);
    order3(s, lo + step, mid, up - step);
    swap(s->L, lo, lo + step);
    swap(s->L, up, up - step);
    return mid;
}

/* Partitions a[lo .. up] around the pivot P, which is on top of the stack (and popped) and in
   a[up - 1], with a[lo] not after P and a[up] not before it; returns P's final position. */
static Idx partition(Sorter *s, Idx lo, Idx up) {
    lua_State *L = s->L;
    Idx i = lo, j = up - 1;
    /* invariant: nothing in a[lo .. i] sorts after P, nothing in a[j .. up] before it */
    for (;;) {
        /* move i up past the elements that sort before P; a[up - 1] == P stops it */
        for (;;) {
            lua_geti(L, 1, ++i);                         /* P a[i] */
            if (!less(s, -1, -2)) break;
            if (i == up - 1)                             /* P < P: the order is inconsistent */
                luaL_error(L, "invalid order function for sorting");
            lua_pop(L, 1);
        }
        /* move j down past the elements that sort after P; a[lo] stops it */
        for (;;) {
            lua_geti(L, 1, --j);                         /* P a[i] a[j] */
            if (!less(s, -3, -1)) break;
            if (j < i)                                   /* past a[i], which is not before P */
                luaL_error(L, "invalid order function for sorting");
            lua_pop(L, 1);
        }
        if (j < i) {                                     /* the scans met: place the pivot */
            lua_pop(L, 1);                               /* P a[i] */
            store2(L, up - 1, i);
            return i;
        }
        store2(L, i, j);                                 /* exchange a[i] and a[j]; P left */
    }
}

/* Sorts a[lo .. up]. patterned: the ranges here use the ninther; bad: how many more lopsided
   partitions this path may meet before it falls back to heapsort. */
static void sort_range(Sorter *s, Idx lo, Idx up, int patterned, int bad) {
    lua_State *L = s->L;
    while (lo < up) {
        Idx p, smaller;
        if (bad < 0) {
            heap_sort(s, lo, up);
            return;
        }
        if (patterned && up - lo >= PLAIN_RANGE) {
            p = ninther(s, lo, up);
        } else {
            order2(s, lo, up);
            if (up - lo == 1) return;
            p = lo + (up - lo) / 2;
            /* the median of a[lo], a[p], a[up] to p */
            lua_geti(L, 1, p);
            lua_geti(L, 1, lo);
            if (less(s, -2, -1)) {                       /* a[p] < a[lo] */
                store2(L, p, lo);
            } else {
                lua_pop(L, 1);
                lua_geti(L, 1, up);
                if (less(s, -1, -2))                     /* a[up] < a[p] */
                    store2(L, p, up);
                else
                    lua_pop(L, 2);
            }
            if (up - lo == 2) return;
        }
        /* the pivot to a[up - 1], a copy on the stack */
        lua_geti(L, 1, p);
        lua_pushvalue(L, -1);
        lua_geti(L, 1, up - 1);
        store2(L, p, up - 1);
        p = partition(s, lo, up);
        if (p - lo < up - p) {
            sort_range(s, lo, p - 1, patterned, bad);
            smaller = p - lo;
            lo = p + 1;
        } else {
            sort_range(s, p + 1, up, patterned, bad);
            smaller = up - p;
            up = p - 1;
        }
        if (smaller < (up - lo + 1 + smaller) / LOPSIDED) {
            patterned = 1;
            bad--;
        }
    }
}

/* ---- table.sort ---- */

/* Stock's check: a table, or a value whose metatable has __index, __newindex and __len. */
static void check_sortable(lua_State *L) {
    if (lua_type(L, 1) == LUA_TTABLE) return;
    static const char *const fields[] = {"__index", "__newindex", "__len"};
    int pushed = 0;
    if (lua_getmetatable(L, 1)) {
        pushed = 1;
        for (int k = 0; k < 3; k++) {
            lua_pushstring(L, fields[k]);
            pushed++;
            if (lua_rawget(L, -pushed) == LUA_TNIL)
                luaL_checktype(L, 1, LUA_TTABLE);        /* raises */
        }
        lua_pop(L, pushed);
        return;
    }
    luaL_checktype(L, 1, LUA_TTABLE);                    /* raises */
}

int clua_table_sort(lua_State *L) {
    check_sortable(L);
    lua_Integer n = luaL_len(L, 1);
    if (n > 1) {
        luaL_argcheck(L, n < INT_MAX, 1, "array too big");
        if (!lua_isnoneornil(L, 2))
            luaL_checktype(L, 2, LUA_TFUNCTION);
        lua_settop(L, 2);
        Sorter s = {L, !lua_isnil(L, 2), 0};
        int log2n = 0;
        for (lua_Integer m = n; m > 1; m >>= 1) log2n++;
        sort_range(&s, 1, n, 0, 2 * log2n);
    }
    return 0;
}
