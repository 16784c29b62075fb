/*
 * buf.c -- a growable byte buffer on the handle's allocator. It always
 * keeps room for a terminating NUL so ptr can be used as a C string.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

void
gx_buf_init(gx_buf *b, gx_mem *mem)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->mem = mem;
}

void
gx_buf_free(gx_buf *b)
{
    gx_free(b->mem, b->ptr, b->cap);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

int
gx_buf_reserve(gx_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX - b->len - 1)
        return GROKX_E_NOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = gx_realloc(b->mem, b->ptr, b->cap, cap);
    if (!p)
        return GROKX_E_NOMEM;
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int
gx_buf_put(gx_buf *b, const void *p, size_t n)
{
    int rc = gx_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = 0;
    return 0;
}

int
gx_buf_putc(gx_buf *b, char c)
{
    if (b->cap - b->len < 2) { /* cap > len always holds once allocated */
        int rc = gx_buf_reserve(b, 1);
        if (rc)
            return rc;
    }
    b->ptr[b->len++] = c;
    b->ptr[b->len] = 0;
    return 0;
}

int
gx_buf_puts(gx_buf *b, const char *s)
{
    return gx_buf_put(b, s, strlen(s));
}

int
gx_buf_printf(gx_buf *b, const char *fmt, ...)
{
    va_list ap;
    size_t room = b->cap - b->len; /* with the NUL's byte */
    int n, rc;
    va_start(ap, fmt); /* one pass when it fits (it nearly always does) */
    n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return GROKX_E_INVALID;
    if ((size_t)n >= room) {
        if ((rc = gx_buf_reserve(b, (size_t)n)) != 0) {
            if (room)
                b->ptr[b->len] = 0;
            return rc;
        }
        va_start(ap, fmt);
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
    return 0;
}
