/* JSON decoding: bytes to Lua values (see json.c for the codec's rules). */
#include "json_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Decoding. */

typedef struct {
    lua_State *L;
    const unsigned char *start, *p, *end;
    int depth;
    unsigned steps; /* values not yet charged to clua_poll_stop */
    int mt; /* stack index of the array metatable */
    /* per depth, the size of the last object seen there: objects in a list tend to be alike,
       so it sizes the next one's hash part and spares the rehashes while it fills */
    unsigned short object_size[JSON_MAX_DEPTH + 1];
} decoder;

static JSON_NORETURN JSON_NOINLINE void dec_error(decoder *d, const unsigned char *at,
                                                  const char *what) {
    lua_pushfstring(d->L, "json.decode: %s at byte %I", what, (lua_Integer)(at - d->start));
    clua_json_raise_top(d->L);
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
    clua_json_raise_top(d->L);
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
        while (p < end && !clua_json_str_stop[*p]) p++;
        if (p >= end) dec_expected(d, p, "'\"'");
        if (*p == '"' || *p == '\\') return p;
        if (*p < 0x20) dec_error(d, p, "control character in string");
        size_t n = clua_json_utf8_len(p, end);
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
        x = scale < 0 ? (double)u / clua_json_pow10_exact[-scale] : (double)u * clua_json_pow10_exact[scale];
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
    if (++d->steps >= CLUA_POLL_INTERVAL) {
        d->steps = 0;
        clua_poll_stop(L);
    }
    if (p >= d->end) dec_expected(d, p, "value");
    switch (*p) {
    case '{': dec_object(d); break;
    case '[': dec_array(d); break;
    case '"': dec_string(d); break;
    case 't': dec_literal(d, "true", 4); lua_pushboolean(L, 1); break;
    case 'f': dec_literal(d, "false", 5); lua_pushboolean(L, 0); break;
    case 'n': dec_literal(d, "null", 4); lua_pushlightuserdata(L, clua_json_null()); break;
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
    d.steps = 0;
    memset(d.object_size, 0, sizeof d.object_size);
    luaL_checkstack(L, 4, "json.decode");
    clua_json_push_array_mt(L);
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
