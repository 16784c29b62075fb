/*
 * membuf.h -- an output sink into memory (grokx_sink: {mem_write, &buf}),
 * for the index harnesses and tests/index/test_index.c. Header-only so that a
 * harness stays one file plus this.
 */
#ifndef GX_FUZZ_MEMBUF_H
#define GX_FUZZ_MEMBUF_H

#include <stdlib.h>
#include <string.h>

typedef struct membuf {
    char *p;
    size_t n, cap;
} membuf;

static int
mem_write(void *ud, const char *buf, size_t len)
{
    membuf *m = ud;
    if (m->n + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        char *p;
        while (cap < m->n + len)
            cap *= 2;
        if (!(p = realloc(m->p, cap)))
            return -1;
        m->p = p, m->cap = cap;
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return 0;
}

#endif
