/* JSON encoding: Lua values to bytes (see json.c for the codec's rules). */
#include "json_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Encoding. */

/* One step of the path from the root to the value being encoded. */
typedef struct path {
    const struct path *up; /* NULL: the root's child */
    const char *key;       /* NULL: [index] */
    size_t klen;
    lua_Integer index;
} path;

typedef struct {
    lua_State *L;
    char *buf; /* the full userdata at bufidx */
    size_t len, cap;
    int bufidx;
    int mt; /* stack index of the array metatable (nil if the state has none yet) */
    int indent, sort;
    int depth;
    unsigned steps; /* values not yet charged to clua_poll_stop */
    const void *open[JSON_MAX_DEPTH]; /* the tables being encoded, outermost first */
} encoder;

static int is_identifier(const char *s, size_t n) {
    if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

static void add_path(luaL_Buffer *b, const path *pp) {
    char tmp[32];
    if (pp == NULL) {
        luaL_addchar(b, '$');
        return;
    }
    add_path(b, pp->up);
    if (pp->key == NULL) {
        snprintf(tmp, sizeof tmp, "[%lld]", (long long)pp->index);
        luaL_addstring(b, tmp);
    } else if (is_identifier(pp->key, pp->klen)) {
        luaL_addchar(b, '.');
        luaL_addlstring(b, pp->key, pp->klen);
    } else {
        const unsigned char *p = (const unsigned char *)pp->key, *end = p + pp->klen;
        luaL_addstring(b, "[\"");
        while (p < end) {
            size_t n = *p >= 0x80 ? clua_json_utf8_len(p, end) : 0;
            if (n > 0) {
                luaL_addlstring(b, (const char *)p, n);
                p += n;
                continue;
            }
            if (*p == '"' || *p == '\\') {
                luaL_addchar(b, '\\');
                luaL_addchar(b, (char)*p);
            } else if (*p < 0x20 || *p >= 0x7F) {
                snprintf(tmp, sizeof tmp, "\\x%02X", *p);
                luaL_addstring(b, tmp);
            } else {
                luaL_addchar(b, (char)*p);
            }
            p++;
        }
        luaL_addstring(b, "\"]");
    }
}

/* Raises "json.encode: <what> at <path>". */
static JSON_NORETURN JSON_NOINLINE void enc_error(encoder *e, const path *pp, const char *what) {
    lua_State *L = e->L;
    luaL_Buffer b;
    luaL_checkstack(L, 2, "json.encode");
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "json.encode: ");
    luaL_addstring(&b, what);
    luaL_addstring(&b, " at ");
    add_path(&b, pp);
    luaL_pushresult(&b);
    clua_json_raise_top(L);
}

static JSON_NOINLINE void enc_grow(encoder *e, size_t need) {
    size_t cap = e->cap * 2;
    if (need > ((size_t)-1) / 2 - e->len) luaL_error(e->L, "json.encode: output too large");
    if (cap - e->len < need) cap = e->len + need;
    char *nb = lua_newuserdatauv(e->L, cap, 0);
    memcpy(nb, e->buf, e->len);
    lua_replace(e->L, e->bufidx);
    e->buf = nb;
    e->cap = cap;
}

static inline char *enc_reserve(encoder *e, size_t n) {
    if (e->cap - e->len < n) enc_grow(e, n);
    return e->buf + e->len;
}

static inline void enc_put(encoder *e, const char *s, size_t n) {
    memcpy(enc_reserve(e, n), s, n);
    e->len += n;
}

static inline void enc_char(encoder *e, char c) {
    *enc_reserve(e, 1) = c;
    e->len++;
}

static void enc_newline(encoder *e, int level) {
    size_t n = 1 + (size_t)e->indent * (size_t)level;
    char *q = enc_reserve(e, n);
    q[0] = '\n';
    memset(q + 1, ' ', n - 1);
    e->len += n;
}

/* Writes the decimal digits of v at the end of buf (24 bytes); returns where they start. */
static char *format_integer(char *buf, lua_Integer v) {
    char *q = buf + 24;
    lua_Unsigned u = v < 0 ? 0u - (lua_Unsigned)v : (lua_Unsigned)v;
    do *--q = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) *--q = '-';
    return q;
}

static void enc_integer(encoder *e, lua_Integer v) {
    char buf[24], *q = format_integer(buf, v);
    enc_put(e, q, (size_t)(buf + 24 - q));
}

/* Writes x = m / 10^k (m an integer below 10^15, k minimal) in fixed notation. */
static void enc_fixed(encoder *e, double x, double m, int k) {
    char buf[48], *q = buf + sizeof buf;
    lua_Unsigned u = (lua_Unsigned)m;
    int n = 0;
    if (k == 0) {
        *--q = '0';
        *--q = '.';
    }
    do {
        if (n == k && k > 0) *--q = '.';
        *--q = (char)('0' + u % 10);
        n++;
    } while ((u /= 10) != 0);
    if (n <= k) {
        for (; n < k; n++) *--q = '0';
        *--q = '.';
        *--q = '0';
    }
    if (x < 0) *--q = '-';
    enc_put(e, q, (size_t)(buf + sizeof buf - q));
}

static JSON_NOINLINE void enc_float(encoder *e, lua_Number v, const path *pp) {
    double x = (double)v, ax = fabs(x);
    char buf[48];
    int n = 0;
    if (isnan(x)) enc_error(e, pp, "cannot encode NaN");
    if (isinf(x)) enc_error(e, pp, x > 0 ? "cannot encode inf" : "cannot encode -inf");
    /* Fast path, where %g would use fixed notation and 15 digits suffice: the fewest decimals
       k such that m / 10^k reads back as x (m and 10^k are exact, so the division rounds as
       strtod does). A decimal of at most 15 digits that reads back as x is the only one so
       near x, so this is what the %.14g..%.17g search below would print, without printf. */
    if (ax >= 1e-4 && ax < 1e14) {
        for (int k = 0; k <= 22 && ax * clua_json_pow10_exact[k] < 1e15; k++) {
            double m = floor(ax * clua_json_pow10_exact[k] + 0.5);
            if (m / clua_json_pow10_exact[k] == ax) {
                enc_fixed(e, x, m, k);
                return;
            }
        }
    }
    for (int prec = 14; prec <= 17; prec++) {
        n = snprintf(buf, sizeof buf - 2, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    if (strpbrk(buf, ".e") == NULL) {
        buf[n++] = '.';
        buf[n++] = '0';
    }
    enc_put(e, buf, (size_t)n);
}

static void enc_string(encoder *e, const char *str, size_t len, const path *pp, int iskey) {
    const unsigned char *s = (const unsigned char *)str, *p = s, *run = s, *end = s + len;
    enc_char(e, '"');
    for (;;) {
        while (p < end && !clua_json_str_stop[*p]) p++;
        if (p >= end) break;
        if (*p >= 0x80) {
            size_t n = clua_json_utf8_len(p, end);
            if (n == 0) {
                char what[96];
                snprintf(what, sizeof what, "invalid UTF-8 at byte %lu of the %s",
                         (unsigned long)(p - s), iskey ? "key" : "string");
                enc_error(e, pp, what);
            }
            p += n;
            continue;
        }
        enc_put(e, (const char *)run, (size_t)(p - run));
        char *q = enc_reserve(e, 6);
        q[0] = '\\';
        switch (*p) {
        case '"': q[1] = '"'; e->len += 2; break;
        case '\\': q[1] = '\\'; e->len += 2; break;
        case '\b': q[1] = 'b'; e->len += 2; break;
        case '\f': q[1] = 'f'; e->len += 2; break;
        case '\n': q[1] = 'n'; e->len += 2; break;
        case '\r': q[1] = 'r'; e->len += 2; break;
        case '\t': q[1] = 't'; e->len += 2; break;
        default:
            q[1] = 'u';
            q[2] = '0';
            q[3] = '0';
            q[4] = "0123456789abcdef"[*p >> 4];
            q[5] = "0123456789abcdef"[*p & 15];
            e->len += 6;
        }
        run = ++p;
    }
    enc_put(e, (const char *)run, (size_t)(p - run));
    enc_char(e, '"');
}

static void enc_value(encoder *e, int idx, const path *pp);

static void enc_separator(encoder *e) {
    if (e->indent) enc_put(e, ": ", 2);
    else enc_char(e, ':');
}

static void enc_array(encoder *e, int idx, lua_Integer n, const path *pp) {
    lua_State *L = e->L;
    path seg = {pp, NULL, 0, 0};
    if (n == 0) {
        enc_put(e, "[]", 2);
        return;
    }
    enc_char(e, '[');
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1) enc_char(e, ',');
        if (e->indent) enc_newline(e, e->depth);
        lua_rawgeti(L, idx, i);
        seg.index = i;
        enc_value(e, lua_gettop(L), &seg);
        lua_pop(L, 1);
    }
    if (e->indent) enc_newline(e, e->depth - 1);
    enc_char(e, ']');
}

static JSON_NORETURN JSON_NOINLINE void enc_key_error(encoder *e, int kidx, const path *pp) {
    char what[64];
    if (lua_type(e->L, kidx) == LUA_TNUMBER)
        enc_error(e, pp, "cannot use a non-integer number as an object key");
    snprintf(what, sizeof what, "cannot use a %s as an object key", luaL_typename(e->L, kidx));
    enc_error(e, pp, what);
}

/* Writes the key at kidx and the separator after it; fills seg with the key. */
static void enc_key(encoder *e, int kidx, const path *pp, path *seg) {
    lua_State *L = e->L;
    seg->up = pp;
    if (lua_type(L, kidx) == LUA_TSTRING) {
        seg->key = lua_tolstring(L, kidx, &seg->klen);
        enc_string(e, seg->key, seg->klen, pp, 1);
    } else if (lua_isinteger(L, kidx)) {
        char buf[24], *q;
        seg->key = NULL;
        seg->index = lua_tointeger(L, kidx);
        q = format_integer(buf, seg->index);
        enc_char(e, '"');
        enc_put(e, q, (size_t)(buf + 24 - q));
        enc_char(e, '"');
    } else {
        enc_key_error(e, kidx, pp);
    }
    enc_separator(e);
}

/* qsort moves the entries, so an integer key's text is found through an offset into digits. */
typedef struct {
    const char *s; /* a string key (NULL for an integer key) */
    size_t len;
    lua_Integer slot; /* of the value in the values table */
    lua_Integer ikey;
    char digits[24];
} sort_key;

static const char *key_text(const sort_key *k) {
    return k->s ? k->s : k->digits + 24 - k->len;
}

static int compare_keys(const void *a, const void *b) {
    const sort_key *x = a, *y = b;
    int c = memcmp(key_text(x), key_text(y), x->len < y->len ? x->len : y->len);
    if (c != 0) return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Objects with sort_keys: keys in bytewise order of their JSON form (so "10" < "9"). */
static JSON_NOINLINE void enc_object_sorted(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    size_t count = 0, i = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
    }
    if (count == 0) {
        enc_put(e, "{}", 2);
        return;
    }
    sort_key *keys = lua_newuserdatauv(L, count * sizeof(sort_key), 0);
    lua_createtable(L, (int)count, 0);
    int vals = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (i == count) { /* cannot happen: a traversal never finds more than the one before */
            lua_pop(L, 2);
            break;
        }
        sort_key *k = &keys[i];
        k->slot = (lua_Integer)++i;
        lua_rawseti(L, vals, k->slot);
        if (lua_type(L, -1) == LUA_TSTRING) {
            k->s = lua_tolstring(L, -1, &k->len); /* the table being encoded anchors it */
        } else if (lua_isinteger(L, -1)) {
            k->s = NULL;
            k->ikey = lua_tointeger(L, -1);
            k->len = (size_t)(k->digits + 24 - format_integer(k->digits, k->ikey));
        } else {
            enc_key_error(e, lua_gettop(L), pp);
        }
    }
    count = i; /* fewer if a collection cleared entries of a weak table in between */
    qsort(keys, count, sizeof(sort_key), compare_keys);
    enc_char(e, '{');
    for (i = 0; i < count; i++) {
        const sort_key *k = &keys[i];
        path seg = {pp, k->s, k->len, k->ikey};
        if (i > 0) enc_char(e, ',');
        if (e->indent) enc_newline(e, e->depth);
        enc_string(e, key_text(k), k->len, pp, 1);
        enc_separator(e);
        lua_rawgeti(L, vals, k->slot);
        enc_value(e, lua_gettop(L), &seg);
        lua_pop(L, 1);
    }
    if (e->indent) enc_newline(e, e->depth - 1);
    enc_char(e, '}');
    lua_pop(L, 2);
}

static void enc_object(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    path seg;
    int first = 1;
    if (e->sort) {
        enc_object_sorted(e, idx, pp);
        return;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        enc_char(e, first ? '{' : ',');
        first = 0;
        if (e->indent) enc_newline(e, e->depth);
        enc_key(e, lua_gettop(L) - 1, pp, &seg);
        enc_value(e, lua_gettop(L), &seg);
        lua_pop(L, 1);
    }
    if (first) {
        enc_put(e, "{}", 2);
        return;
    }
    if (e->indent) enc_newline(e, e->depth - 1);
    enc_char(e, '}');
}

/* Length of a table marked as an array: its highest key; every key must be a positive integer. */
static lua_Integer marked_array_length(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    lua_Integer n = 0, k;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1)
            enc_error(e, pp, "json.array table has a key that is not a positive integer");
        if (k > n) n = k;
    }
    return n;
}

static void enc_table(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    const void *t = lua_topointer(L, idx);
    lua_Integer n;
    int marked = 0;
    /* the path is at most JSON_MAX_DEPTH tables long, so a linear scan is cheap enough */
    for (int i = 0; i < e->depth; i++)
        if (e->open[i] == t) enc_error(e, pp, "cycle");
    if (e->depth >= JSON_MAX_DEPTH) enc_error(e, pp, "nesting deeper than 1000");
    if (!lua_checkstack(L, 8)) enc_error(e, pp, "Lua stack overflow");
    e->open[e->depth++] = t;
    if (lua_getmetatable(L, idx)) {
        marked = lua_rawequal(L, -1, e->mt);
        lua_pop(L, 1);
    }
    if (marked)
        enc_array(e, idx, marked_array_length(e, idx, pp), pp);
    else if ((n = (lua_Integer)lua_rawlen(L, idx)) > 0 && clua_json_is_sequence(L, idx, (lua_Unsigned)n))
        enc_array(e, idx, n, pp);
    else
        enc_object(e, idx, pp);
    e->depth--;
}

static JSON_NORETURN JSON_NOINLINE void enc_type_error(encoder *e, int idx, const path *pp) {
    char what[64];
    snprintf(what, sizeof what, "cannot encode a %s", luaL_typename(e->L, idx));
    enc_error(e, pp, what);
}

static void enc_value(encoder *e, int idx, const path *pp);

/* A table whose metatable has __json (pushed on the stack): the value __json(t) returns is
   encoded in its place; it may not be a table with a __json of its own. */
static void enc_hooked(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    if (lua_type(L, -1) != LUA_TFUNCTION) enc_error(e, pp, "__json is not a function");
    if (!lua_checkstack(L, 4)) enc_error(e, pp, "Lua stack overflow");
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    int top = lua_gettop(L);
    if (lua_type(L, top) == LUA_TTABLE && luaL_getmetafield(L, top, "__json") != LUA_TNIL)
        enc_error(e, pp, "__json returned a table with a __json of its own");
    enc_value(e, top, pp);
    lua_pop(L, 1);
}

static void enc_value(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
    if (++e->steps >= CLUA_POLL_INTERVAL) {
        e->steps = 0;
        clua_poll_stop(L);
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL: enc_put(e, "null", 4); break;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx)) enc_put(e, "true", 4);
        else enc_put(e, "false", 5);
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) enc_integer(e, lua_tointeger(L, idx));
        else enc_float(e, lua_tonumber(L, idx), pp);
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        enc_string(e, s, len, pp, 0);
        break;
    }
    case LUA_TTABLE:
        if (luaL_getmetafield(L, idx, "__json") != LUA_TNIL) enc_hooked(e, idx, pp);
        else enc_table(e, idx, pp);
        break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == clua_json_null()) {
            enc_put(e, "null", 4);
            break;
        }
        enc_error(e, pp, "cannot encode a light userdata other than json.null");
    default: enc_type_error(e, idx, pp);
    }
}

int clua_json_encode(lua_State *L) {
    encoder e;
    luaL_checkany(L, 1);
    e.L = L;
    e.indent = 0;
    e.sort = 0;
    e.depth = 0;
    e.steps = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if (lua_getfield(L, 2, "indent") != LUA_TNIL) {
            int ok;
            lua_Integer v = lua_tointegerx(L, -1, &ok);
            luaL_argcheck(L, ok && v >= 0 && v <= 16, 2, "indent must be an integer from 0 to 16");
            e.indent = (int)v;
        }
        if (lua_getfield(L, 2, "sort_keys") != LUA_TNIL) {
            luaL_argcheck(L, lua_isboolean(L, -1), 2, "sort_keys must be a boolean");
            e.sort = lua_toboolean(L, -1);
        }
    }
    lua_settop(L, 2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, clua_json_array_mt_key());
    e.mt = 3;
    e.cap = 1024;
    e.len = 0;
    e.buf = lua_newuserdatauv(L, e.cap, 0);
    e.bufidx = 4;
    enc_value(&e, 1, NULL);
    lua_pushlstring(L, e.buf, e.len);
    return 1;
}
