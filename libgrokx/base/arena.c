/*
 * arena.c -- the conversation arena. One conversation's strings, messages
 * and lists live here; the arena is reset (first chunk kept) when the
 * conversation has been delivered, so memory is O(largest conversation).
 */
#include <string.h>

#include "base/base.h"

#define S_CHUNK_MIN (64 * 1024)
#define S_ALIGN (sizeof(max_align_t))

struct gx_arena_chunk {
    gx_arena_chunk *next;
    size_t size, used; /* of data[] */
    max_align_t data[];
};

void
gx_arena_init(gx_arena *a, gx_mem *mem)
{
    memset(a, 0, sizeof *a);
    a->mem = mem;
}

static gx_arena_chunk *
S_chunk_new(gx_arena *a, size_t min)
{
    size_t size = GX_MAX(min, (size_t)S_CHUNK_MIN);
    gx_arena_chunk *c;
    if (a->held > S_CHUNK_MIN)
        size = GX_MAX(size, a->held / 2); /* grow geometrically */
    if (size > SIZE_MAX - sizeof *c)
        return NULL;
    c = gx_alloc(a->mem, sizeof *c + size);
    if (!c)
        return NULL;
    c->size = size;
    c->used = 0;
    c->next = a->head;
    a->head = c;
    a->held += size;
    return c;
}

void *
gx_arena_alloc(gx_arena *a, size_t n)
{
    gx_arena_chunk *c = a->head;
    size_t off = 0;
    void *p;
    if (n > SIZE_MAX - S_ALIGN)
        return NULL;
    n = (n + S_ALIGN - 1) & ~(S_ALIGN - 1);
    if (c) /* raw allocations may have left used unaligned */
        off = (c->used + S_ALIGN - 1) & ~(S_ALIGN - 1);
    if (!c || off > c->size || c->size - off < n) {
        if (!(c = S_chunk_new(a, n)))
            return NULL;
        off = 0;
    }
    p = (char *)c->data + off;
    a->used += off - c->used + n;
    c->used = off + n;
    memset(p, 0, n);
    return p;
}

void *
gx_arena_alloc_raw(gx_arena *a, size_t n)
{
    gx_arena_chunk *c = a->head;
    void *p;
    if (!c || c->size - c->used < n) {
        if (!(c = S_chunk_new(a, n)))
            return NULL;
    }
    p = (char *)c->data + c->used;
    c->used += n;
    a->used += n;
    return p;
}

void
gx_arena_reset(gx_arena *a)
{
    gx_arena_chunk *c = a->head, *last = NULL;
    /* keep the oldest chunk (the smallest), free the others */
    while (c) {
        gx_arena_chunk *next = c->next;
        if (next) {
            a->held -= c->size;
            gx_free(a->mem, c, sizeof *c + c->size);
        } else {
            last = c;
        }
        c = next;
    }
    if (last)
        last->used = 0;
    a->head = last;
    a->used = 0;
}

void
gx_arena_free(gx_arena *a)
{
    gx_arena_reset(a);
    if (a->head)
        gx_free(a->mem, a->head, sizeof *a->head + a->head->size);
    a->head = NULL;
    a->held = 0;
}

int
gx_arena_str(gx_arena *a, const char *s, size_t len, grokx_str *out, int *repaired)
{
    size_t bad, n;
    char *p;
    *repaired = 0;
    if (gx_utf8_valid(s, len)) { /* the common case: check, then one bulk copy */
        if (len == SIZE_MAX || !(p = gx_arena_alloc_raw(a, len + 1)))
            return GROKX_E_NOMEM;
        memcpy(p, s, len);
        p[len] = 0;
        out->ptr = p;
        out->len = len;
        return 0;
    }
    n = gx_utf8_repaired_len(s, len, &bad);
    if (n == SIZE_MAX || !(p = gx_arena_alloc_raw(a, n + 1)))
        return GROKX_E_NOMEM;
    gx_utf8_repair(p, s, len);
    p[n] = 0;
    out->ptr = p;
    out->len = n;
    *repaired = 1;
    return 0;
}

/* ---- lists ----------------------------------------------------------- */

struct gx_list_node {
    gx_list_node *next;
    max_align_t data[];
};

void *
gx_list_push(gx_arena *a, gx_list *l, size_t elem_size)
{
    gx_list_node *n = gx_arena_alloc(a, sizeof *n + elem_size);
    if (!n)
        return NULL;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
    l->count++;
    return n->data;
}

void *
gx_list_array(gx_arena *a, gx_list *l, size_t elem_size, int *err)
{
    char *arr, *p;
    gx_list_node *n;
    *err = 0;
    if (!l->count)
        return NULL;
    if (l->count > SIZE_MAX / elem_size) {
        *err = GROKX_E_NOMEM;
        return NULL;
    }
    arr = gx_arena_alloc(a, l->count * elem_size);
    if (!arr) {
        *err = GROKX_E_NOMEM;
        return NULL;
    }
    for (p = arr, n = l->head; n; n = n->next, p += elem_size)
        memcpy(p, n->data, elem_size);
    l->head = l->tail = NULL;
    l->count = 0;
    return arr;
}
