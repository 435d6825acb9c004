/*
 * tablelib.c: table.insert, table.remove, table.move, table.concat and table.unpack with
 * Lua 5.4's semantics (reference manual 6.6) and error messages, plus a step budget.
 *
 * The stock functions loop in C over a range the script chooses, where no hook reaches:
 * table.move({}, 1, math.maxinteger, 1), or table.insert(t, 1, v) on a table whose __len says
 * 2^62, run for centuries; each element read may also walk an __index chain of up to 2000
 * tables. Here every element is a step, and every CLUA_POLL_INTERVAL steps the loop calls
 * clua_poll_stop, which charges the steps and raises once the run is stopped.
 *
 * Elements are read and written with lua_geti/lua_seti, so metamethods apply as in stock.
 */
#include <limits.h>
#include "clua.h"

typedef struct Steps {
    lua_State *L;
    unsigned count;              /* elements not yet charged to clua_poll_stop */
} Steps;

static inline void step(Steps *s) {
    if (++s->count >= CLUA_POLL_INTERVAL) {
        s->count = 0;
        clua_poll_stop(s->L);
    }
}

enum { NEED_READ = 1, NEED_WRITE = 2, NEED_LENGTH = 4 };

/* Stock's check: a table, or a value whose metatable has the metamethods the function needs. */
static void check_table(lua_State *L, int arg, int needs) {
    static const char *const fields[] = {"__index", "__newindex", "__len"};
    if (lua_type(L, arg) == LUA_TTABLE) return;
    if (lua_getmetatable(L, arg)) {
        int ok = 1;
        for (int k = 0; k < 3 && ok; k++) {
            if (!(needs & (1 << k))) continue;
            lua_pushstring(L, fields[k]);
            ok = lua_rawget(L, -2) != LUA_TNIL;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (ok) return;
    }
    luaL_checktype(L, arg, LUA_TTABLE);  /* raises */
}

static lua_Integer length_of(lua_State *L, int arg, int needs) {
    check_table(L, arg, needs | NEED_LENGTH);
    return luaL_len(L, arg);
}

/* table.insert(list, [pos,] value) */
int clua_table_insert(lua_State *L) {
    lua_Integer first_empty = (lua_Integer)((lua_Unsigned)length_of(L, 1, NEED_READ | NEED_WRITE) + 1u);
    lua_Integer pos = first_empty;
    switch (lua_gettop(L)) {
    case 2:
        break;
    case 3: {
        Steps s = {L, 0};
        pos = luaL_checkinteger(L, 2);
        /* pos in [1, first_empty], compared unsigned so that a wrapped length still works */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)first_empty, 2, "position out of bounds");
        for (lua_Integer i = first_empty; i > pos; i--) {
            step(&s);
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
        }
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos);
    return 0;
}

/* table.remove(list [, pos]) */
int clua_table_remove(lua_State *L) {
    Steps s = {L, 0};
    lua_Integer size = length_of(L, 1, NEED_READ | NEED_WRITE);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size) /* stock names argument 1 here */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1, "position out of bounds");
    lua_geti(L, 1, pos);
    for (; pos < size; pos++) {
        step(&s);
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

/* table.move(a1, f, e, t [, a2]) */
int clua_table_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    lua_Integer t = luaL_checkinteger(L, 4);
    int dest = lua_isnoneornil(L, 5) ? 1 : 5;
    check_table(L, 1, NEED_READ);
    check_table(L, dest, NEED_WRITE);
    if (e >= f) {
        Steps s = {L, 0};
        luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
        lua_Integer n = e - f + 1;
        luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        /* upwards unless the ranges overlap with the destination above the source */
        if (t > e || t <= f || (dest != 1 && !lua_compare(L, 1, dest, LUA_OPEQ))) {
            for (lua_Integer i = 0; i < n; i++) {
                step(&s);
                lua_geti(L, 1, f + i);
                lua_seti(L, dest, t + i);
            }
        } else {
            for (lua_Integer i = n - 1; i >= 0; i--) {
                step(&s);
                lua_geti(L, 1, f + i);
                lua_seti(L, dest, t + i);
            }
        }
    }
    lua_pushvalue(L, dest);
    return 1;
}

static void add_element(lua_State *L, luaL_Buffer *b, lua_Integer i) {
    lua_geti(L, 1, i);
    if (!lua_isstring(L, -1))
        luaL_error(L, "invalid value (%s) at index %I in table for 'concat'", luaL_typename(L, -1),
                   (LUAI_UACINT)i);
    luaL_addvalue(b);
}

/* table.concat(list [, sep [, i [, j]]]) */
int clua_table_concat(lua_State *L) {
    Steps s = {L, 0};
    luaL_Buffer b;
    size_t seplen;
    lua_Integer last = length_of(L, 1, NEED_READ);
    const char *sep = luaL_optlstring(L, 2, "", &seplen);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    last = luaL_optinteger(L, 4, last);
    luaL_buffinit(L, &b);
    for (; i < last; i++) {
        step(&s);
        add_element(L, &b, i);
        luaL_addlstring(&b, sep, seplen);
    }
    if (i == last) add_element(L, &b, i);
    luaL_pushresult(&b);
    return 1;
}

/* table.unpack(list [, i [, j]]) */
int clua_table_unpack(lua_State *L) {
    Steps s = {L, 0};
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (i > e) return 0;
    lua_Unsigned n = (lua_Unsigned)e - (lua_Unsigned)i; /* one less than the count: cannot overflow */
    if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
        return luaL_error(L, "too many results to unpack");
    for (; i < e; i++) { /* up to e - 1 first, so that i never passes maxinteger */
        step(&s);
        lua_geti(L, 1, i);
    }
    lua_geti(L, 1, e);
    return (int)n;
}
