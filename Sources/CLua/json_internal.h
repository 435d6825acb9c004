/*
 * What json.c, json_decode.c and json_encode.c share: the bounds, the array marker and the
 * byte-level helpers of both directions. Not part of clua.h: internal to the codec.
 */
#ifndef CLUA_JSON_INTERNAL_H
#define CLUA_JSON_INTERNAL_H

#include "clua.h"

#define JSON_MAX_DEPTH 1000

#if defined(__GNUC__) || defined(__clang__)
#define JSON_NORETURN __attribute__((noreturn))
#define JSON_NOINLINE __attribute__((noinline))
#else
#define JSON_NORETURN
#define JSON_NOINLINE
#endif

/* Raises the value on top of the stack (lua_error, typed as not returning). */
JSON_NORETURN void clua_json_raise_top(lua_State *L);
/* Pushes this state's array metatable, creating it on first use. */
void clua_json_push_array_mt(lua_State *L);
/* The registry key of the array metatable. */
const void *clua_json_array_mt_key(void);
/* 1 for the bytes a string scan stops at: control characters, '"', '\\' and non-ASCII. */
extern const unsigned char clua_json_str_stop[256];
/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0 if there is none. */
size_t clua_json_utf8_len(const unsigned char *p, const unsigned char *end);
/* 10^0 .. 10^22, each exactly a double. */
extern const double clua_json_pow10_exact[23];
/* Whether the keys of the table at idx are exactly 1..n. */
int clua_json_is_sequence(lua_State *L, int idx, lua_Unsigned n);

#endif
