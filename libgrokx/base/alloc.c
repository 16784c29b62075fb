/*
 * alloc.c -- the per-handle accounting allocator.
 *
 * Every allocation of a handle goes through gx_mem, which knows the bytes
 * in use (Lua-style hooks pass the old size, so no per-block header is
 * needed) and refuses to pass max_memory. yajl is the exception: it never
 * checks what malloc returns, so its blocks come from malloc directly, carry
 * a size header for the accounting, and abort only if malloc itself fails.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static void *
S_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    GX_UNUSED(ud);
    GX_UNUSED(osize);
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

void
gx_mem_init(gx_mem *m, grokx_alloc_fn fn, void *ud, size_t cap)
{
    m->fn = fn ? fn : S_default_alloc;
    m->ud = fn ? ud : NULL;
    m->used = m->peak = 0;
    m->cap = cap;
}

static int
S_would_exceed(const gx_mem *m, size_t old, size_t n)
{
    if (n <= old)
        return 0;
    if (m->cap && (n - old > m->cap || m->used > m->cap - (n - old)))
        return 1;
    return 0;
}

static void
S_account(gx_mem *m, size_t old, size_t n)
{
    m->used = m->used - old + n;
    if (m->used > m->peak)
        m->peak = m->used;
}

void *
gx_alloc(gx_mem *m, size_t n)
{
    return gx_realloc(m, NULL, 0, n);
}

void *
gx_calloc(gx_mem *m, size_t n)
{
    void *p = gx_alloc(m, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *
gx_realloc(gx_mem *m, void *p, size_t old, size_t n)
{
    void *q;
    if (n == 0) {
        gx_free(m, p, old);
        return NULL;
    }
    if (S_would_exceed(m, old, n))
        return NULL;
    q = m->fn(m->ud, p, p ? old : 0, n);
    if (!q)
        return NULL;
    S_account(m, p ? old : 0, n);
    return q;
}

void
gx_free(gx_mem *m, void *p, size_t n)
{
    if (!p)
        return;
    m->fn(m->ud, p, n, 0);
    S_account(m, n, 0);
}

/* ---- yajl bridge: header-tracked, never NULL ------------------------- */

typedef union {
    size_t size;
    max_align_t align;
} S_hdr;

void *
gx_yajl_malloc(void *ctx, size_t n)
{
    gx_mem *m = ctx;
    S_hdr *h = malloc(sizeof(S_hdr) + n);
    if (!h)
        abort(); /* yajl would dereference NULL; see the file comment */
    h->size = n;
    S_account(m, 0, n);
    return h + 1;
}

void
gx_yajl_free(void *ctx, void *p)
{
    gx_mem *m = ctx;
    S_hdr *h;
    if (!p)
        return;
    h = (S_hdr *)p - 1;
    S_account(m, h->size, 0);
    free(h);
}

void *
gx_yajl_realloc(void *ctx, void *p, size_t n)
{
    gx_mem *m = ctx;
    S_hdr *h, *q;
    size_t old;
    if (!p)
        return gx_yajl_malloc(ctx, n);
    h = (S_hdr *)p - 1;
    old = h->size;
    q = realloc(h, sizeof(S_hdr) + n);
    if (!q)
        abort();
    q->size = n;
    S_account(m, old, n);
    return q + 1;
}

/* ---- plain malloc helpers for state outside the parser's accounting -- */

char *
gx_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int
gx_grow(void *arrp, size_t *cap, size_t need, size_t elem)
{
    void *old, *arr;
    size_t c = *cap;
    if (need <= c)
        return 0;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return GROKX_E_NOMEM;
        c = c ? c * 2 : 16;
    }
    if (c > SIZE_MAX / elem)
        return GROKX_E_NOMEM;
    memcpy(&old, arrp, sizeof old); /* arrp is a T **: no aliasing through void ** */
    if (!(arr = realloc(old, c * elem)))
        return GROKX_E_NOMEM;
    memcpy(arrp, &arr, sizeof arr);
    *cap = c;
    return 0;
}
