#include "clua.h"
#include <stdlib.h>
#include <string.h>

/* The control block lives outside the Lua heap; its address is kept in the state's extra space. */

/* Small blocks come from a per-state arena: Lua tells the allocator each block's size when it
   frees or resizes it, so blocks need no header, and a fresh state's few hundred small objects
   cost no malloc bookkeeping. Freed small blocks go to a free list of their size class and stay
   there until the state closes, so the cap counts every byte the arena has carved (the size
   class, free or not). The arena grows in chunks of 8, 8, 16, ... 512 KiB up to 1 MiB; past that,
   small blocks come from malloc, which reuses freed memory across sizes. */

#define ARENA_STEP 16
#define ARENA_MAX (ARENA_STEP * CLUA_ARENA_CLASSES)
#define ARENA_FIRST_CHUNK 8192

static inline int arena_class(size_t size) { return (int)((size + ARENA_STEP - 1) / ARENA_STEP) - 1; }
static inline size_t class_size(size_t size) { return (size + ARENA_STEP - 1) & ~(size_t)(ARENA_STEP - 1); }
static inline size_t chunk_size(int i) { return (size_t)ARENA_FIRST_CHUNK << (i > 0 ? i - 1 : 0); }

/* What malloc holds for a block: glibc's chunk, a size word and 16-byte alignment, 32 at least. */
static inline size_t malloc_cost(size_t size) {
    size_t chunk = (size + sizeof(size_t) + 15) & ~(size_t)15;
    return chunk < 32 ? 32 : chunk;
}

static int arena_owns(const clua_control *ctl, const void *block) {
    uintptr_t at = (uintptr_t)block;
    for (int i = 0; i < ctl->arena_chunks; i++) {
        uintptr_t base = (uintptr_t)ctl->arena_chunk[i];
        if (at >= base && at - base < chunk_size(i)) return 1;
    }
    return 0;
}

static inline int is_small(size_t size) { return size <= ARENA_MAX; }

/* Whether a small block Lua gives back came from the arena (until the arena spills, all do). */
static inline int from_arena(const clua_control *ctl, const void *block) {
    return !ctl->arena_spilled || arena_owns(ctl, block);
}

/* What a live block adds to the count: arena blocks stay counted until the state closes. */
static size_t held_cost(const clua_control *ctl, const void *block, size_t size) {
    if (!is_small(size)) return malloc_cost(size);
    return from_arena(ctl, block) ? 0 : malloc_cost(class_size(size));
}

/* What a new block of `size` bytes will add to the count; take() follows the same choice. */
static size_t take_cost(const clua_control *ctl, size_t size) {
    if (!is_small(size)) return malloc_cost(size);
    size_t rounded = class_size(size);
    if (ctl->arena_free[arena_class(size)]) return 0;
    if ((size_t)(ctl->arena_end - ctl->arena_bump) >= rounded || ctl->arena_chunks < CLUA_ARENA_CHUNKS) return rounded;
    return malloc_cost(rounded);
}

static void *take(clua_control *ctl, size_t size) {
    if (!is_small(size)) return malloc(size);
    int c = arena_class(size);
    size_t rounded = class_size(size);
    void *block = ctl->arena_free[c];
    if (block) {
        memcpy(&ctl->arena_free[c], block, sizeof(void *));
        return block;
    }
    if ((size_t)(ctl->arena_end - ctl->arena_bump) < rounded) {
        if (ctl->arena_chunks == CLUA_ARENA_CHUNKS) {
            ctl->arena_spilled = 1;
            return malloc(rounded);
        }
        size_t bytes = chunk_size(ctl->arena_chunks);
        char *chunk = malloc(bytes);
        if (chunk == NULL) return NULL;
        ctl->arena_chunk[ctl->arena_chunks++] = chunk;
        ctl->arena_bump = chunk;
        ctl->arena_end = chunk + bytes;
    }
    block = ctl->arena_bump;
    ctl->arena_bump += rounded;
    return block;
}

static void give(clua_control *ctl, void *block, size_t size) {
    if (is_small(size) && from_arena(ctl, block)) {
        int c = arena_class(size);
        memcpy(block, &ctl->arena_free[c], sizeof(void *));
        ctl->arena_free[c] = block;
    } else {
        free(block);
    }
}

static void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_control *ctl = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr) {
            size_t held = held_cost(ctl, ptr, old);
            give(ctl, ptr, old);
            ctl->mem_used -= held < ctl->mem_used ? held : ctl->mem_used;
        }
        return NULL;
    }
    if (ptr && is_small(old) && is_small(nsize) && arena_class(old) == arena_class(nsize)) return ptr;
    int in_place = ptr && !is_small(old) && !is_small(nsize);
    size_t held = ptr ? held_cost(ctl, ptr, old) : 0;
    size_t cost = in_place ? malloc_cost(nsize) : take_cost(ctl, nsize);
    if (nsize > old) {
        if (ctl->force_fail) {
            ctl->force_fail--;
            return NULL;
        }
        if (ctl->mem_limit && cost > held && ctl->mem_used + (cost - held) > ctl->mem_limit) {
            if (ctl->soft == 0) {
                ctl->mem_refused = 1;
                return NULL;
            }
            ctl->soft_overrun = 1;
        }
    }
    void *block = in_place ? realloc(ptr, nsize) : take(ctl, nsize);
    /* Lua relies on shrinking never failing; the old block is big enough (and stays counted) */
    if (block == NULL) return nsize <= old ? ptr : NULL;
    if (ptr && !in_place) {
        memcpy(block, ptr, old < nsize ? old : nsize);
        give(ctl, ptr, old);
    }
    ctl->mem_used = ctl->mem_used - held + cost;
    if (ctl->mem_used > ctl->mem_peak) ctl->mem_peak = ctl->mem_used;
    return block;
}

void clua_close(lua_State *L, clua_control *ctl) {
    lua_close(L);
    for (int i = 0; i < ctl->arena_chunks; i++) free(ctl->arena_chunk[i]);
    ctl->arena_chunks = 0;
    ctl->arena_spilled = 0;
    ctl->arena_bump = ctl->arena_end = NULL;
}

int clua_registry_count(lua_State *L) {
    int count = 0;
    lua_pushnil(L);
    while (lua_next(L, LUA_REGISTRYINDEX) != 0) {
        lua_pop(L, 1);
        count++;
    }
    return count;
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
