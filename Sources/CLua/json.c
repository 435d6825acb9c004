/*
 * JSON codec between bytes and Lua values (the JSON section of clua.h).
 *
 * Decoding: RFC 8259, strict. Integers that fit in int64 become Lua integers, other numbers
 * floats; arrays get the shared array metatable, so [] and {} stay distinct; null is the light
 * userdata clua_json_null(). Byte offsets in decode errors are 0-based.
 *
 * Encoding: integers exactly, floats in the shortest form that reads back to the same double
 * (always with ".0" or an exponent); strings must be UTF-8. Paths in encode errors use Lua
 * indices: $.orders[3] is orders[3] in Lua, the third element.
 *
 * Both directions recurse once per nesting level, at most JSON_MAX_DEPTH levels; the functions
 * on that path keep small frames (luaL_Buffer, which holds 1 KB, lives only in leaf functions).
 */
#include "clua.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 1000

#if defined(__GNUC__) || defined(__clang__)
#define JSON_NORETURN __attribute__((noreturn))
#define JSON_NOINLINE __attribute__((noinline))
#else
#define JSON_NORETURN
#define JSON_NOINLINE
#endif

/* Only the addresses matter; the contents differ so that no linker can fold the two. */
static const char null_tag[] = "json.null";
static const char array_mt_tag[] = "json.array metatable";

void *clua_json_null(void) { return (void *)null_tag; }

static JSON_NORETURN void raise_top(lua_State *L) {
    lua_error(L);
    abort(); /* not reached: lua_error does not return */
}

/* Pushes this state's array metatable, creating it on first use. */
static void push_array_mt(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    /* The metatable is shared by every array of the state, so scripts must not reach it:
       with __metatable, getmetatable(a) returns "json.array" and setmetatable(a, ...) raises
       "cannot change a protected metatable" (an array stays an array). */
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, array_mt_tag);
}

void clua_json_set_array(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    push_array_mt(L);
    lua_setmetatable(L, idx);
}

int clua_json_is_marked_array(lua_State *L, int idx) {
    if (!lua_getmetatable(L, idx)) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag);
    int marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return marked;
}

/* 1 for the bytes a string scan stops at: control characters, '"', '\\' and non-ASCII. */
static const unsigned char str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Length of the valid UTF-8 sequence at p, whose lead byte is >= 0x80, or 0 if there is none
   (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t avail = (size_t)(end - p);
    if (c < 0xC2) return 0;
    if (c < 0xE0) return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                       (p[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/* Whether the keys of the table at idx are exactly 1..n. */
static int is_sequence(lua_State *L, int idx, lua_Unsigned n) {
    lua_Unsigned count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        /* k - 1 wraps for k <= 0, so one comparison checks 1 <= k <= n */
        if (!lua_isinteger(L, -1) || (lua_Unsigned)lua_tointeger(L, -1) - 1 >= n) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
    }
    return count == n;
}

/* ======================================================================== decoding */

typedef struct {
    lua_State *L;
    const unsigned char *start, *p, *end;
    int depth;
    int mt; /* stack index of the array metatable */
    /* per depth, the size of the last object seen there: objects in a list tend to be alike,
       so it sizes the next one's hash part and spares the rehashes while it fills */
    unsigned short object_size[JSON_MAX_DEPTH + 1];
} decoder;

static JSON_NORETURN JSON_NOINLINE void dec_error(decoder *d, const unsigned char *at,
                                                  const char *what) {
    lua_pushfstring(d->L, "json.decode: %s at byte %I", what, (lua_Integer)(at - d->start));
    raise_top(d->L);
}

/* The input at `at` is not what `expected` describes (or there is no input left). */
static JSON_NORETURN JSON_NOINLINE void dec_expected(decoder *d, const unsigned char *at,
                                                     const char *expected) {
    lua_Integer off = (lua_Integer)(at - d->start);
    if (at >= d->end)
        lua_pushfstring(d->L, "json.decode: unexpected end of input at byte %I (expected %s)",
                        off, expected);
    else
        lua_pushfstring(d->L, "json.decode: expected %s at byte %I", expected, off);
    raise_top(d->L);
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

static int hex4(const unsigned char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i];
        if (c >= '0' && c <= '9') c -= '0';
        else if (c >= 'a' && c <= 'f') c -= 'a' - 10;
        else if (c >= 'A' && c <= 'F') c -= 'A' - 10;
        else return -1;
        v = v * 16 + c;
    }
    return v;
}

/* Decodes the escape at p (a backslash) into b; returns the position after it. */
static const unsigned char *dec_escape(decoder *d, luaL_Buffer *b, const unsigned char *p) {
    const unsigned char *end = d->end;
    char utf8[4];
    long cp;
    if (end - p < 2) dec_expected(d, p + 1, "escape character");
    switch (p[1]) {
    case '"': luaL_addchar(b, '"'); return p + 2;
    case '\\': luaL_addchar(b, '\\'); return p + 2;
    case '/': luaL_addchar(b, '/'); return p + 2;
    case 'b': luaL_addchar(b, '\b'); return p + 2;
    case 'f': luaL_addchar(b, '\f'); return p + 2;
    case 'n': luaL_addchar(b, '\n'); return p + 2;
    case 'r': luaL_addchar(b, '\r'); return p + 2;
    case 't': luaL_addchar(b, '\t'); return p + 2;
    case 'u': break;
    default: dec_error(d, p, "invalid escape");
    }
    if (end - p < 6) {
        for (const unsigned char *q = p + 2; q < end; q++)
            if (!isxdigit(*q)) dec_error(d, p, "invalid \\u escape");
        dec_expected(d, end, "4 hex digits");
    }
    if ((cp = hex4(p + 2)) < 0) dec_error(d, p, "invalid \\u escape");
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        long lo = 0;
        if (cp >= 0xDC00 || end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
            (lo = hex4(p + 8)) < 0xDC00 || lo > 0xDFFF)
            dec_error(d, p, "lone surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    }
    if (cp < 0x80) {
        luaL_addchar(b, (char)cp);
    } else if (cp < 0x800) {
        utf8[0] = (char)(0xC0 | (cp >> 6));
        utf8[1] = (char)(0x80 | (cp & 0x3F));
        luaL_addlstring(b, utf8, 2);
    } else if (cp < 0x10000) {
        utf8[0] = (char)(0xE0 | (cp >> 12));
        utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        utf8[2] = (char)(0x80 | (cp & 0x3F));
        luaL_addlstring(b, utf8, 3);
    } else {
        utf8[0] = (char)(0xF0 | (cp >> 18));
        utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        utf8[3] = (char)(0x80 | (cp & 0x3F));
        luaL_addlstring(b, utf8, 4);
    }
    return p + 6;
}

/* Scans string contents from p up to the next '"', '\\' or end of input, checking UTF-8 and
   control characters; returns the stop position. */
static const unsigned char *dec_scan(decoder *d, const unsigned char *p) {
    const unsigned char *end = d->end;
    for (;;) {
        while (p < end && !str_stop[*p]) p++;
        if (p >= end) dec_expected(d, p, "'\"'");
        if (*p == '"' || *p == '\\') return p;
        if (*p < 0x20) dec_error(d, p, "control character in string");
        size_t n = utf8_len(p, end);
        if (n == 0) dec_error(d, p, "invalid UTF-8");
        p += n;
    }
}

/* The rest of a string from the first escape at p on, with run the unescaped part before it. */
static JSON_NOINLINE void dec_string_escaped(decoder *d, const unsigned char *run,
                                             const unsigned char *p) {
    luaL_Buffer b;
    luaL_buffinit(d->L, &b);
    for (;;) {
        luaL_addlstring(&b, (const char *)run, (size_t)(p - run));
        if (*p == '"') break;
        run = dec_escape(d, &b, p);
        p = dec_scan(d, run);
    }
    luaL_pushresult(&b);
    d->p = p + 1;
}

static void dec_string(decoder *d) {
    const unsigned char *run = d->p + 1, *p = dec_scan(d, run);
    if (*p == '\\') {
        dec_string_escaped(d, run, p);
        return;
    }
    lua_pushlstring(d->L, (const char *)run, (size_t)(p - run));
    d->p = p + 1;
}

static int is_digit(const unsigned char *p, const unsigned char *end) {
    return p < end && *p >= '0' && *p <= '9';
}

/* 10^0 .. 10^22: every one is exactly representable as a double */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static JSON_NOINLINE void dec_number(decoder *d) {
    const unsigned char *s = d->p, *p = s, *end = d->end;
    lua_Unsigned u = 0; /* the first 19 significant digits */
    int digits = 0;     /* significant digits in u */
    int dropped = 0;    /* whether there were significant digits beyond those 19 */
    int scale = 0;      /* the value is u * 10^scale (before dropped digits) */
    int neg = 0, isfloat = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!is_digit(p, end)) dec_expected(d, p, "digit");
    if (*p == '0') {
        p++;
        if (is_digit(p, end)) dec_error(d, p, "leading zero in number");
    } else {
        do {
            if (digits < 19) {
                u = u * 10 + (lua_Unsigned)(*p - '0');
                digits++;
            } else {
                dropped = 1;
                scale++;
            }
        } while (is_digit(++p, end));
    }
    if (p < end && *p == '.') {
        isfloat = 1;
        if (!is_digit(++p, end)) dec_expected(d, p, "digit after '.'");
        do {
            if (digits < 19) {
                u = u * 10 + (lua_Unsigned)(*p - '0');
                if (u != 0) digits++;
                scale--;
            } else {
                dropped = 1;
            }
        } while (is_digit(++p, end));
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0, ev = 0;
        isfloat = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (!is_digit(p, end)) dec_expected(d, p, "digit in exponent");
        do
            if (ev < 100000) ev = ev * 10 + (*p - '0');
        while (is_digit(++p, end));
        scale += eneg ? -ev : ev;
    }
    d->p = p;
    if (!isfloat && !dropped) {
        const lua_Unsigned maxpos = (lua_Unsigned)LUA_MAXINTEGER;
        if (!neg && u <= maxpos) {
            lua_pushinteger(d->L, (lua_Integer)u);
            return;
        }
        if (neg && u <= maxpos + 1) {
            lua_pushinteger(d->L, u == maxpos + 1 ? LUA_MININTEGER : -(lua_Integer)u);
            return;
        }
    }
    double x;
    if (!dropped && digits <= 15 && scale >= -22 && scale <= 22) {
        /* both operands are exact, so the one rounding gives what strtod would (Clinger) */
        x = scale < 0 ? (double)u / pow10_exact[-scale] : (double)u * pow10_exact[scale];
        if (neg) x = -x;
    } else {
        /* strtod needs a terminator, and the input (decode_buffer) may have none */
        size_t len = (size_t)(p - s);
        char small[64], *copy = small;
        if (len >= sizeof small) copy = lua_newuserdatauv(d->L, len + 1, 0);
        memcpy(copy, s, len);
        copy[len] = '\0';
        x = strtod(copy, NULL);
        if (copy != small) lua_pop(d->L, 1);
    }
    lua_pushnumber(d->L, (lua_Number)x);
}

static void dec_literal(decoder *d, const char *word, size_t n) {
    const unsigned char *p = d->p;
    size_t avail = (size_t)(d->end - p);
    if (avail < n) {
        if (memcmp(p, word, avail) == 0) dec_expected(d, d->end, word);
        dec_expected(d, p, "value");
    }
    if (memcmp(p, word, n) != 0) dec_expected(d, p, "value");
    d->p = p + n;
}

static void dec_value(decoder *d);

static void dec_enter(decoder *d) {
    if (++d->depth > JSON_MAX_DEPTH) dec_error(d, d->p, "nesting deeper than 1000");
    if (!lua_checkstack(d->L, 4)) dec_error(d, d->p, "Lua stack overflow");
}

static void dec_array(decoder *d) {
    lua_State *L = d->L;
    lua_Integer n = 0;
    dec_enter(d);
    lua_createtable(L, 4, 0);
    lua_pushvalue(L, d->mt);
    lua_setmetatable(L, -2);
    d->p = skip_ws(d->p + 1, d->end);
    if (d->p < d->end && *d->p == ']') {
        d->p++;
    } else {
        for (;;) {
            dec_value(d);
            lua_rawseti(L, -2, ++n);
            d->p = skip_ws(d->p, d->end);
            if (d->p < d->end && *d->p == ',') {
                d->p++;
            } else if (d->p < d->end && *d->p == ']') {
                d->p++;
                break;
            } else {
                dec_expected(d, d->p, "',' or ']'");
            }
        }
    }
    d->depth--;
}

static void dec_object(decoder *d) {
    lua_State *L = d->L;
    int n = 0;
    dec_enter(d);
    lua_createtable(L, 0, d->object_size[d->depth]);
    d->p = skip_ws(d->p + 1, d->end);
    if (d->p < d->end && *d->p == '}') {
        d->p++;
    } else {
        for (;;) {
            if (d->p >= d->end || *d->p != '"') dec_expected(d, d->p, "string key");
            dec_string(d);
            d->p = skip_ws(d->p, d->end);
            if (d->p >= d->end || *d->p != ':') dec_expected(d, d->p, "':'");
            d->p++;
            dec_value(d);
            lua_rawset(L, -3);
            n++;
            d->p = skip_ws(d->p, d->end);
            if (d->p < d->end && *d->p == ',') {
                d->p = skip_ws(d->p + 1, d->end);
            } else if (d->p < d->end && *d->p == '}') {
                d->p++;
                break;
            } else {
                dec_expected(d, d->p, "',' or '}'");
            }
        }
    }
    d->object_size[d->depth--] = (unsigned short)(n < 256 ? n : 256);
}

static void dec_value(decoder *d) {
    lua_State *L = d->L;
    const unsigned char *p = d->p = skip_ws(d->p, d->end);
    if (p >= d->end) dec_expected(d, p, "value");
    switch (*p) {
    case '{': dec_object(d); break;
    case '[': dec_array(d); break;
    case '"': dec_string(d); break;
    case 't': dec_literal(d, "true", 4); lua_pushboolean(L, 1); break;
    case 'f': dec_literal(d, "false", 5); lua_pushboolean(L, 0); break;
    case 'n': dec_literal(d, "null", 4); lua_pushlightuserdata(L, (void *)null_tag); break;
    default:
        if (*p != '-' && (*p < '0' || *p > '9')) dec_expected(d, p, "value");
        dec_number(d);
    }
}

static int decode(lua_State *L, const char *s, size_t len) {
    decoder d;
    d.L = L;
    d.start = d.p = (const unsigned char *)s;
    d.end = d.start + len;
    d.depth = 0;
    memset(d.object_size, 0, sizeof d.object_size);
    luaL_checkstack(L, 4, "json.decode");
    push_array_mt(L);
    d.mt = lua_gettop(L);
    dec_value(&d);
    d.p = skip_ws(d.p, d.end);
    if (d.p < d.end) dec_error(&d, d.p, "trailing garbage");
    return 1;
}

int clua_json_decode(lua_State *L) {
    size_t len;
    luaL_checktype(L, 1, LUA_TSTRING);
    const char *s = lua_tolstring(L, 1, &len);
    return decode(L, s, len);
}

int clua_json_decode_buffer(lua_State *L) {
    luaL_checktype(L, 1, LUA_TLIGHTUSERDATA);
    lua_Integer len = luaL_checkinteger(L, 2);
    const char *s = lua_touserdata(L, 1);
    luaL_argcheck(L, len >= 0, 2, "negative length");
    luaL_argcheck(L, s != NULL || len == 0, 1, "NULL buffer");
    return decode(L, s ? s : "", (size_t)len);
}

/* ======================================================================== encoding */

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
            size_t n = *p >= 0x80 ? utf8_len(p, end) : 0;
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
    raise_top(L);
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
        for (int k = 0; k <= 22 && ax * pow10_exact[k] < 1e15; k++) {
            double m = floor(ax * pow10_exact[k] + 0.5);
            if (m / pow10_exact[k] == ax) {
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
        while (p < end && !str_stop[*p]) p++;
        if (p >= end) break;
        if (*p >= 0x80) {
            size_t n = utf8_len(p, end);
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
    else if ((n = (lua_Integer)lua_rawlen(L, idx)) > 0 && is_sequence(L, idx, (lua_Unsigned)n))
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

static void enc_value(encoder *e, int idx, const path *pp) {
    lua_State *L = e->L;
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
    case LUA_TTABLE: enc_table(e, idx, pp); break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == (void *)null_tag) {
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
    lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag);
    e.mt = 3;
    e.cap = 1024;
    e.len = 0;
    e.buf = lua_newuserdatauv(L, e.cap, 0);
    e.bufidx = 4;
    enc_value(&e, 1, NULL);
    lua_pushlstring(L, e.buf, e.len);
    return 1;
}

/* ======================================================================== module */

/* json.array(...): a new array of the arguments (use json.null for holes that must survive:
   trailing nils are lost). json.array(t) with a single table marks t itself and returns it. */
static int json_array(lua_State *L) {
    int n = lua_gettop(L);
    if (n == 1 && lua_type(L, 1) == LUA_TTABLE) {
        push_array_mt(L);
        if (lua_getmetatable(L, 1)) {
            luaL_argcheck(L, lua_rawequal(L, -1, -2), 1, "table already has a metatable");
            lua_pop(L, 1);
        }
        lua_setmetatable(L, 1);
        return 1;
    }
    luaL_checkstack(L, 3, "json.array");
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
        lua_rawseti(L, -2, i);
    }
    push_array_mt(L);
    lua_setmetatable(L, -2);
    return 1;
}

/* json.is_array(v): whether json.encode writes v as an array. */
static int json_is_array(lua_State *L) {
    int r = 0;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_settop(L, 1);
        lua_rawgetp(L, LUA_REGISTRYINDEX, array_mt_tag);
        if (lua_getmetatable(L, 1) && lua_rawequal(L, -1, 2)) {
            r = 1;
        } else {
            lua_Unsigned n = lua_rawlen(L, 1);
            lua_settop(L, 1);
            r = n > 0 && is_sequence(L, 1, n);
        }
    }
    lua_pushboolean(L, r);
    return 1;
}

int clua_open_json(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"decode", clua_json_decode},
        {"encode", clua_json_encode},
        {"array", json_array},
        {"is_array", json_is_array},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushlightuserdata(L, (void *)null_tag);
    lua_setfield(L, -2, "null");
    return 1;
}
