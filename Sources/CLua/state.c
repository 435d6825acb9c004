#include "clua.h"
#include <stdlib.h>
#include <string.h>

/* The control block lives outside the Lua heap; its address is kept in the state's extra space. */

/* Small blocks come from a per-state arena: Lua tells the allocator each block's size when it
   frees or resizes it, so blocks need no header, and a fresh state's few hundred small objects
   cost no malloc bookkeeping. Freed small blocks go to a free list of their size class; the
   arena's chunks are released all at once when the state closes. */

#define ARENA_STEP 16
#define ARENA_MAX (ARENA_STEP * CLUA_ARENA_CLASSES)
#define ARENA_CHUNK 2048
#define ARENA_FIRST_CHUNK 8192

typedef union arena_chunk {
    union arena_chunk *next;
    max_align_t align;
} arena_chunk;

static inline int arena_class(size_t size) { return (int)((size + ARENA_STEP - 1) / ARENA_STEP) - 1; }

static void *arena_take(clua_control *ctl, size_t size) {
    int c = arena_class(size);
    void *block = ctl->arena_free[c];
    if (block) {
        memcpy(&ctl->arena_free[c], block, sizeof(void *));
        return block;
    }
    size_t rounded = (size_t)(c + 1) * ARENA_STEP;
    if ((size_t)(ctl->arena_end - ctl->arena_bump) < rounded) {
        /* the first chunk holds a fresh state's small objects; later ones grow it slowly */
        size_t size = ctl->arena_chunks ? ARENA_CHUNK : ARENA_FIRST_CHUNK;
        arena_chunk *chunk = malloc(sizeof(arena_chunk) + size);
        if (chunk == NULL) return NULL;
        chunk->next = ctl->arena_chunks;
        ctl->arena_chunks = chunk;
        ctl->arena_bump = (char *)(chunk + 1);
        ctl->arena_end = ctl->arena_bump + size;
    }
    block = ctl->arena_bump;
    ctl->arena_bump += rounded;
    return block;
}

static void arena_give(clua_control *ctl, void *block, size_t size) {
    int c = arena_class(size);
    memcpy(block, &ctl->arena_free[c], sizeof(void *));
    ctl->arena_free[c] = block;
}

/* Resizes a block between the arena and malloc as its size requires. */
static void *resize(clua_control *ctl, void *ptr, size_t old, size_t nsize) {
    int old_small = ptr != NULL && old <= ARENA_MAX;
    if (nsize <= ARENA_MAX) {
        if (old_small && arena_class(old) == arena_class(nsize)) return ptr;
        void *block = arena_take(ctl, nsize);
        if (block == NULL) return NULL;
        if (ptr) {
            memcpy(block, ptr, old < nsize ? old : nsize);
            if (old_small) arena_give(ctl, ptr, old); else free(ptr);
        }
        return block;
    }
    if (ptr == NULL || !old_small) return realloc(ptr, nsize);
    void *block = malloc(nsize);
    if (block == NULL) return NULL;
    memcpy(block, ptr, old);
    arena_give(ctl, ptr, old);
    return block;
}

static void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_control *ctl = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr) {
            if (old <= ARENA_MAX) arena_give(ctl, ptr, old); else free(ptr);
        }
        ctl->mem_used -= old;
        return NULL;
    }
    if (nsize > old) {
        size_t grow = nsize - old;
        if (ctl->force_fail) {
            ctl->force_fail = 0;
            return NULL;
        }
        if (ctl->mem_limit && ctl->mem_used + grow > ctl->mem_limit) {
            if (ctl->soft == 0) {
                ctl->mem_refused = 1;
                return NULL;
            }
            ctl->soft_overrun = 1;
        }
    }
    void *block = resize(ctl, ptr, old, nsize);
    if (block == NULL) return NULL;
    ctl->mem_used = ctl->mem_used - old + nsize;
    if (ctl->mem_used > ctl->mem_peak) ctl->mem_peak = ctl->mem_used;
    return block;
}

void clua_close(lua_State *L, clua_control *ctl) {
    lua_close(L);
    arena_chunk *chunk = ctl->arena_chunks;
    while (chunk) {
        arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    ctl->arena_chunks = NULL;
    ctl->arena_bump = ctl->arena_end = NULL;
}

static int clua_panic(lua_State *L) {
    /* Reached only by a bug in the host: an error outside any protected call. */
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(non-string error)";
    lua_writestringerror("lunas: unprotected Lua error (host bug): %s\n", msg);
    return 0;
}

lua_State *clua_newstate(clua_control *ctl) {
    lua_State *L = lua_newstate(clua_alloc, ctl);
    if (L == NULL) return NULL;
    memcpy(lua_getextraspace(L), &ctl, sizeof ctl);
    lua_atpanic(L, clua_panic);
    return L;
}
