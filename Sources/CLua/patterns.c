/*
 * patterns.c: string.find, string.match, string.gmatch and string.gsub with Lua 5.4's
 * semantics (reference manual 6.4.1), error messages included, plus a step budget.
 *
 * The stock functions run in C, where no Lua hook can stop them, and a backtracking pattern
 * such as ('a'):rep(600):find('.-.-.-b') runs for minutes. Here every entry to the matcher and
 * every iteration of a repetition loop is a step, and every CLUA_POLL_INTERVAL steps the
 * matcher calls clua_poll_stop, which charges the steps and raises once the run is stopped.
 *
 * Character classes are the C locale's whatever the process locale is.
 */
#include <string.h>
#include "clua.h"

#define ESC '%'
#define MAX_CAPTURES 32
#define MAX_DEPTH 200           /* nested matcher calls before "pattern too complex" */

#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

#define uchar(c) ((unsigned char)(c))

/* ---- the step budget ---- */

typedef struct Budget {
    lua_State *L;
    size_t steps;               /* steps not yet charged to clua_poll_stop */
} Budget;

static void poll_stop(Budget *b) {
    while (b->steps >= CLUA_POLL_INTERVAL) {
        b->steps -= CLUA_POLL_INTERVAL;
        clua_poll_stop(b->L);
    }
}

static inline void charge(Budget *b, size_t n) {
    b->steps += n;
    if (b->steps >= CLUA_POLL_INTERVAL)
        poll_stop(b);
}

/* ---- character classes ---- */

enum {
    C_ALPHA = 0x001, C_CNTRL = 0x002, C_DIGIT = 0x004, C_GRAPH = 0x008, C_LOWER = 0x010,
    C_PUNCT = 0x020, C_SPACE = 0x040, C_UPPER = 0x080, C_XDIGIT = 0x100,
    C_ZERO = 0x200,             /* %z: the byte 0 (deprecated in the manual, still accepted) */
};

/* The classes of each byte in the C locale; bytes from 128 on belong to none. */
static const unsigned short class_bits[256] = {
    0x202, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x042, 0x042, 0x042, 0x042, 0x042, 0x002, 0x002,
    0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002, 0x002,
    0x040, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028,
    0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x10c, 0x028, 0x028, 0x028, 0x028, 0x028, 0x028,
    0x028, 0x189, 0x189, 0x189, 0x189, 0x189, 0x189, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089,
    0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x089, 0x028, 0x028, 0x028, 0x028, 0x028,
    0x028, 0x119, 0x119, 0x119, 0x119, 0x119, 0x119, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019,
    0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x019, 0x028, 0x028, 0x028, 0x028, 0x002,
};

/* The class bits that %cl stands for, or 0 when %cl is not a class (then it is the literal cl).
   cl | 0x20 is a letter only when cl is one, so it lower-cases exactly the class letters. */
static inline unsigned class_mask(int cl) {
    switch (cl | 0x20) {
        case 'a': return C_ALPHA;
        case 'c': return C_CNTRL;
        case 'd': return C_DIGIT;
        case 'g': return C_GRAPH;
        case 'l': return C_LOWER;
        case 'p': return C_PUNCT;
        case 's': return C_SPACE;
        case 'u': return C_UPPER;
        case 'w': return C_ALPHA | C_DIGIT;
        case 'x': return C_XDIGIT;
        case 'z': return C_ZERO;
        default: return 0;
    }
}

/* Does byte c match %cl? An upper-case class letter is the complement. */
static inline int match_class(int c, int cl) {
    unsigned mask = class_mask(cl);
    if (mask == 0)
        return c == cl;
    return ((class_bits[c] & mask) != 0) == ((cl & 0x20) != 0);
}

/* Does byte c match the set from p (its '[') to end (its closing ']')? */
static int match_set(int c, const char *p, const char *end) {
    int hit = 1;
    p++;
    if (*p == '^') {
        hit = 0;
        p++;
    }
    for (; p < end; p++) {
        if (*p == ESC) {
            p++;
            if (match_class(c, uchar(*p)))
                return hit;
        }
        else if (p[1] == '-' && p + 2 < end) {
            if (uchar(p[0]) <= c && c <= uchar(p[2]))
                return hit;
            p += 2;
        }
        else if (uchar(*p) == c)
            return hit;
    }
    return !hit;
}

/* ---- the matcher ---- */

typedef struct MatchState {
    Budget budget;
    const char *src_init;       /* the whole subject (positions count from here) */
    const char *src_end;
    const char *p_end;
    int depth;                  /* matcher calls left before "pattern too complex" */
    int level;                  /* captures open or closed so far */
    struct {
        const char *init;
        ptrdiff_t len;          /* or CAP_UNFINISHED, CAP_POSITION */
    } capture[MAX_CAPTURES];
} MatchState;

static const char *match(MatchState *ms, const char *s, const char *p);

/* The end of the single-character item at p (a char, '.', %x or a set). */
static const char *item_end(MatchState *ms, const char *p) {
    switch (*p++) {
        case ESC:
            if (p == ms->p_end)
                luaL_error(ms->budget.L, "malformed pattern (ends with '%%')");
            return p + 1;
        case '[':
            if (*p == '^')
                p++;
            do {    /* the first character is never the closing ']' */
                if (p == ms->p_end)
                    luaL_error(ms->budget.L, "malformed pattern (missing ']')");
                if (*p++ == ESC && p < ms->p_end)
                    p++;
            } while (*p != ']');
            return p + 1;
        default:
            return p;
    }
}

static inline int single_match(const MatchState *ms, const char *s, const char *p,
                               const char *ep) {
    if (s >= ms->src_end)
        return 0;
    int c = uchar(*s);
    switch (*p) {
        case '.': return 1;
        case ESC: return match_class(c, uchar(p[1]));
        case '[': return match_set(c, p, ep - 1);
        default: return uchar(*p) == c;
    }
}

/* How many characters from s on match the item p..ep. */
static size_t count_run(const MatchState *ms, const char *s, const char *p, const char *ep) {
    const char *q = s, *end = ms->src_end;
    if (q >= end)
        return 0;
    switch (*p) {
        case '.':
            return (size_t)(end - s);
        case ESC: {
            int cl = uchar(p[1]);
            unsigned mask = class_mask(cl);
            if (mask == 0) {
                while (q < end && uchar(*q) == cl)
                    q++;
            }
            else {
                int want = (cl & 0x20) != 0;
                while (q < end && ((class_bits[uchar(*q)] & mask) != 0) == want)
                    q++;
            }
            break;
        }
        case '[':
            while (q < end && match_set(uchar(*q), p, ep - 1))
                q++;
            break;
        default:
            while (q < end && *q == *p)
                q++;
    }
    return (size_t)(q - s);
}

/* item* (and item+ from the second character): the longest run first, then shorter ones. */
static const char *max_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    size_t i = count_run(ms, s, p, ep);
    charge(&ms->budget, i);
    for (;;) {
        const char *res = match(ms, s + i, ep + 1);
        if (res != NULL)
            return res;
        if (i == 0)
            return NULL;
        i--;
        charge(&ms->budget, 1);
    }
}

/* item-: the shortest run first, then longer ones. */
static const char *min_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *res = match(ms, s, ep + 1);
        if (res != NULL)
            return res;
        if (!single_match(ms, s, p, ep))
            return NULL;
        s++;
        charge(&ms->budget, 1);
    }
}

static const char *start_capture(MatchState *ms, const char *s, const char *p, ptrdiff_t what) {
    int level = ms->level;
    if (level >= MAX_CAPTURES)
        luaL_error(ms->budget.L, "too many captures");
    ms->capture[level].init = s;
    ms->capture[level].len = what;
    ms->level = level + 1;
    const char *res = match(ms, s, p);
    if (res == NULL)
        ms->level--;
    return res;
}

static const char *end_capture(MatchState *ms, const char *s, const char *p) {
    int l = ms->level - 1;
    while (l >= 0 && ms->capture[l].len != CAP_UNFINISHED)
        l--;
    if (l < 0)
        luaL_error(ms->budget.L, "invalid pattern capture");
    ms->capture[l].len = s - ms->capture[l].init;
    const char *res = match(ms, s, p);
    if (res == NULL)
        ms->capture[l].len = CAP_UNFINISHED;
    return res;
}

/* %b<open><close> at s, with p on <open>. */
static const char *match_balance(MatchState *ms, const char *s, const char *p) {
    if (p >= ms->p_end - 1)
        luaL_error(ms->budget.L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p)
        return NULL;
    const char *start = s;
    char open = p[0], close = p[1];
    int depth = 1;
    while (++s < ms->src_end) {
        if (*s == close) {
            if (--depth == 0)
                break;
        }
        else if (*s == open)
            depth++;
    }
    charge(&ms->budget, (size_t)(s - start));
    return s < ms->src_end ? s + 1 : NULL;
}

/* %1-%9 (and the invalid %0) in a pattern: the text of a closed capture again. */
static const char *match_backref(MatchState *ms, const char *s, int digit) {
    int l = digit - '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
        luaL_error(ms->budget.L, "invalid capture index %%%d", l + 1);
    /* a position capture's negative length makes this fail, as in stock Lua */
    size_t len = (size_t)ms->capture[l].len;
    if ((size_t)(ms->src_end - s) < len || memcmp(ms->capture[l].init, s, len) != 0)
        return NULL;
    charge(&ms->budget, len >> 8);
    return s + len;
}

/* Matches the pattern from p against the subject from s: the end of the match, or NULL. */
static const char *match(MatchState *ms, const char *s, const char *p) {
    if (ms->depth-- == 0)
        luaL_error(ms->budget.L, "pattern too complex");
    charge(&ms->budget, 1);
    while (p != ms->p_end) {    /* each 'continue' is a tail call */
        switch (*p) {
            case '(':
                if (p[1] == ')')
                    s = start_capture(ms, s, p + 2, CAP_POSITION);
                else
                    s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
                goto done;
            case ')':
                s = end_capture(ms, s, p + 1);
                goto done;
            case '$':
                if (p + 1 == ms->p_end) {
                    if (s != ms->src_end)
                        s = NULL;
                    goto done;
                }
                break;  /* a '$' elsewhere is a plain character */
            case ESC:
                switch (p[1]) {
                    case 'b':
                        s = match_balance(ms, s, p + 2);
                        if (s == NULL)
                            goto done;
                        p += 4;
                        continue;
                    case 'f': {
                        const char *set = p + 2;
                        if (*set != '[')
                            luaL_error(ms->budget.L, "missing '[' after '%%f' in pattern");
                        const char *ep = item_end(ms, set);
                        /* outside the subject the characters count as '\0' (*src_end is) */
                        int prev = (s == ms->src_init) ? 0 : uchar(s[-1]);
                        if (match_set(prev, set, ep - 1) || !match_set(uchar(*s), set, ep - 1)) {
                            s = NULL;
                            goto done;
                        }
                        p = ep;
                        continue;
                    }
                    case '0': case '1': case '2': case '3': case '4':
                    case '5': case '6': case '7': case '8': case '9':
                        s = match_backref(ms, s, uchar(p[1]));
                        if (s == NULL)
                            goto done;
                        p += 2;
                        continue;
                    default:
                        break;
                }
                break;
            default:
                break;
        }
        /* a single-character item with an optional repetition suffix */
        const char *ep = item_end(ms, p);
        int suffix = *ep;   /* '\0' at the end of the pattern: *p_end is */
        if (!single_match(ms, s, p, ep)) {
            if (suffix == '*' || suffix == '?' || suffix == '-') {
                p = ep + 1;
                continue;
            }
            s = NULL;
            goto done;
        }
        switch (suffix) {
            case '?': {
                const char *res = match(ms, s + 1, ep + 1);
                if (res != NULL) {
                    s = res;
                    goto done;
                }
                p = ep + 1;
                continue;
            }
            case '+':
                s = max_expand(ms, s + 1, p, ep);
                goto done;
            case '*':
                s = max_expand(ms, s, p, ep);
                goto done;
            case '-':
                s = min_expand(ms, s, p, ep);
                goto done;
            default:
                s++;
                p = ep;
                continue;
        }
    }
done:
    ms->depth++;
    return s;
}

static void init_state(MatchState *ms, lua_State *L, const char *s, size_t ls,
                       const char *p, size_t lp) {
    ms->budget.L = L;
    ms->budget.steps = 0;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
}

static inline void reset_state(MatchState *ms) {
    ms->level = 0;
    ms->depth = MAX_DEPTH;
}

/* ---- skipping start positions that cannot match ----
   When the pattern opens with a single-character item that must match once (no '*', '?' or
   '-' after it), a match can only start where that item matches. Such an item cannot raise
   an error, so skipping the other positions changes nothing but the time taken. */

typedef struct FirstItem {
    const char *p, *ep;         /* p == NULL: no such item */
} FirstItem;

static FirstItem first_item(const char *p, const char *p_end) {
    FirstItem none = {NULL, NULL}, item = {p, p + 1};
    if (p == p_end)
        return none;
    switch (*p) {
        case '(': case ')':
            return none;
        case '$':
            if (p + 1 == p_end)
                return none;
            break;
        case ESC:
            if (p + 1 == p_end || p[1] == 'b' || p[1] == 'f' || (p[1] >= '0' && p[1] <= '9'))
                return none;
            item.ep = p + 2;
            break;
        case '[': {     /* item_end's scan, declining where it would raise */
            const char *q = p + 1;
            if (*q == '^')
                q++;
            do {
                if (q == p_end)
                    return none;
                if (*q++ == ESC && q < p_end)
                    q++;
            } while (*q != ']');
            item.ep = q + 1;
            break;
        }
        default:
            break;
    }
    if (*item.ep == '*' || *item.ep == '?' || *item.ep == '-')
        return none;
    return item;
}

/* The first position from s on (s itself included) where the first item matches, or NULL. */
static const char *next_start(const MatchState *ms, const FirstItem *first, const char *s) {
    const char *end = ms->src_end;
    if (s >= end)
        return NULL;
    const char *p = first->p;
    if (*p != '.' && *p != '[' && (*p != ESC || class_mask(uchar(p[1])) == 0)) {
        int c = uchar(*p == ESC ? p[1] : *p);
        return memchr(s, c, (size_t)(end - s));
    }
    while (s < end && !single_match(ms, s, p, first->ep))
        s++;
    return s < end ? s : NULL;
}

/* ---- results ---- */

/* Capture i (the whole match s..e when the pattern has none): its text in *cap and its length,
   or CAP_POSITION after pushing the position. */
static ptrdiff_t get_capture(MatchState *ms, int i, const char *s, const char *e,
                             const char **cap) {
    if (i >= ms->level) {
        if (i != 0)
            luaL_error(ms->budget.L, "invalid capture index %%%d", i + 1);
        *cap = s;
        return e - s;
    }
    ptrdiff_t len = ms->capture[i].len;
    *cap = ms->capture[i].init;
    if (len == CAP_UNFINISHED)
        luaL_error(ms->budget.L, "unfinished capture");
    else if (len == CAP_POSITION)
        lua_pushinteger(ms->budget.L, (ms->capture[i].init - ms->src_init) + 1);
    return len;
}

static void push_capture(MatchState *ms, int i, const char *s, const char *e) {
    const char *cap;
    ptrdiff_t len = get_capture(ms, i, s, e, &cap);
    if (len != CAP_POSITION)
        lua_pushlstring(ms->budget.L, cap, (size_t)len);
}

/* Pushes every capture, or the whole match when there are none and s is not NULL. */
static int push_captures(MatchState *ms, const char *s, const char *e) {
    int n = (ms->level == 0 && s != NULL) ? 1 : ms->level;
    luaL_checkstack(ms->budget.L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(ms, i, s, e);
    return n;
}

/* ---- find and match ---- */

/* A 1-based start position as Lua reads it: negative counts from the end, 0 and positions
   before the start mean the start. Returns a 0-based offset, possibly beyond len. */
static size_t start_offset(lua_Integer pos, size_t len) {
    if (pos > 0)
        return (size_t)pos - 1;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 0;
    return len - (size_t)(-pos);
}

static int has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++) {
        switch (p[i]) {
            case '^': case '$': case '*': case '+': case '?':
            case '.': case '(': case '[': case '%': case '-':
                return 1;
            default:
                break;
        }
    }
    return 0;
}

static const char *find_plain(Budget *b, const char *s, size_t ls, const char *p, size_t lp) {
    if (lp == 0)
        return s;
    if (lp > ls)
        return NULL;
    const char *last = s + (ls - lp);   /* the last place a match can start */
    for (;;) {
        const char *c = memchr(s, *p, (size_t)(last - s) + 1);
        if (c == NULL)
            return NULL;
        if (memcmp(c + 1, p + 1, lp - 1) == 0)
            return c;
        s = c + 1;
        if (s > last)
            return NULL;
        charge(b, 1 + (lp >> 8));
    }
}

static int find_aux(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        Budget b = {L, 0};
        const char *hit = find_plain(&b, s + init, ls - init, p, lp);
        if (hit != NULL) {
            lua_pushinteger(L, (hit - s) + 1);
            lua_pushinteger(L, (lua_Integer)((size_t)(hit - s) + lp));
            return 2;
        }
    }
    else {
        MatchState ms;
        int anchor = (*p == '^');
        if (anchor) {
            p++;
            lp--;
        }
        init_state(&ms, L, s, ls, p, lp);
        FirstItem first = anchor ? (FirstItem){NULL, NULL} : first_item(p, ms.p_end);
        const char *s1 = s + init;
        do {
            if (first.p != NULL && (s1 = next_start(&ms, &first, s1)) == NULL)
                break;
            reset_state(&ms);
            const char *e = match(&ms, s1, p);
            if (e != NULL) {
                if (find) {
                    lua_pushinteger(L, (s1 - s) + 1);
                    lua_pushinteger(L, e - s);
                    return push_captures(&ms, NULL, NULL) + 2;
                }
                return push_captures(&ms, s1, e);
            }
        } while (s1++ < ms.src_end && !anchor);
    }
    luaL_pushfail(L);
    return 1;
}

int clua_str_find(lua_State *L) {
    return find_aux(L, 1);
}

int clua_str_match(lua_State *L) {
    return find_aux(L, 0);
}

/* ---- gmatch ---- */

typedef struct GMatch {
    MatchState ms;
    const char *src;            /* where the next search starts; past src_end when done */
    const char *p;
    const char *lastmatch;      /* end of the last match: an empty match there is skipped */
    FirstItem first;
} GMatch;

static int gmatch_next(lua_State *L) {
    GMatch *gm = (GMatch *)lua_touserdata(L, lua_upvalueindex(3));
    MatchState *ms = &gm->ms;
    ms->budget.L = L;   /* the iterator may run in another coroutine */
    for (const char *src = gm->src; src <= ms->src_end; src++) {
        if (gm->first.p != NULL && (src = next_start(ms, &gm->first, src)) == NULL)
            break;
        reset_state(ms);
        const char *e = match(ms, src, gm->p);
        if (e != NULL && e != gm->lastmatch) {
            gm->src = gm->lastmatch = e;
            return push_captures(ms, src, e);
        }
    }
    gm->src = ms->src_end + 1;
    return 0;
}

int clua_str_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    lua_settop(L, 2);   /* the closure keeps both strings alive */
    GMatch *gm = (GMatch *)lua_newuserdatauv(L, sizeof(GMatch), 0);
    if (init > ls)
        init = ls + 1;
    init_state(&gm->ms, L, s, ls, p, lp);
    gm->src = s + init;
    gm->p = p;
    gm->lastmatch = NULL;
    gm->first = first_item(p, gm->ms.p_end);
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* ---- gsub ---- */

/* Appends the replacement string (argument 3) for the match s..e, expanding %0-%9 and %%. */
static void add_string(MatchState *ms, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = ms->budget.L;
    size_t l;
    const char *r = lua_tolstring(L, 3, &l);
    const char *esc;
    while ((esc = memchr(r, ESC, l)) != NULL) {
        luaL_addlstring(b, r, (size_t)(esc - r));
        int c = uchar(esc[1]);  /* '\0' after a final '%': the string's terminator */
        if (c == ESC)
            luaL_addchar(b, ESC);
        else if (c == '0')
            luaL_addlstring(b, s, (size_t)(e - s));
        else if (c >= '1' && c <= '9') {
            const char *cap;
            ptrdiff_t len = get_capture(ms, c - '1', s, e, &cap);
            if (len == CAP_POSITION)
                luaL_addvalue(b);
            else
                luaL_addlstring(b, cap, (size_t)len);
        }
        else
            luaL_error(L, "invalid use of '%c' in replacement string", ESC);
        l -= (size_t)(esc + 2 - r);
        r = esc + 2;
    }
    luaL_addlstring(b, r, l);
}

/* Appends the replacement for the match s..e; returns whether it differs from the match. */
static int add_value(MatchState *ms, luaL_Buffer *b, const char *s, const char *e, int tr) {
    lua_State *L = ms->budget.L;
    switch (tr) {
        case LUA_TFUNCTION: {
            lua_pushvalue(L, 3);
            int n = push_captures(ms, s, e);
            lua_call(L, n, 1);
            break;
        }
        case LUA_TTABLE:
            push_capture(ms, 0, s, e);
            lua_gettable(L, 3);
            break;
        default:
            add_string(ms, b, s, e);
            return 1;
    }
    if (!lua_toboolean(L, -1)) {    /* false or nil: keep the match */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

int clua_str_gsub(lua_State *L) {
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    int tr = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
    luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                        tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3, "string/function/table");
    const char *lastmatch = NULL;
    lua_Integer n = 0;
    int changed = 0;
    int anchor = (*p == '^');
    if (anchor) {
        p++;
        lp--;
    }
    MatchState ms;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    init_state(&ms, L, src, srcl, p, lp);
    FirstItem first = anchor ? (FirstItem){NULL, NULL} : first_item(p, ms.p_end);
    while (n < max_n) {
        if (first.p != NULL) {
            const char *next = next_start(&ms, &first, src);
            if (next == NULL)
                break;
            luaL_addlstring(&b, src, (size_t)(next - src));
            src = next;
        }
        reset_state(&ms);
        const char *e = match(&ms, src, p);
        if (e != NULL && e != lastmatch) {
            n++;
            changed |= add_value(&ms, &b, src, e, tr);
            src = lastmatch = e;
        }
        else if (src < ms.src_end)
            luaL_addchar(&b, *src++);
        else
            break;
        if (anchor)
            break;
    }
    if (!changed)
        lua_pushvalue(L, 1);
    else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}
