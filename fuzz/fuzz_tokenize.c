/*
 * fuzz_tokenize.c -- libFuzzer harness for the search tokenizer
 * (tokenize.c): any bytes, invalid UTF-8 included, as the text.
 * Invariants: every term is valid UTF-8 of 1..GX_TERM_MAX bytes whose
 * ASCII is only a-z, 0-9 and, in a joined form, '_' (a CJK term has no
 * ASCII); positions never decrease, a joined form has its first part's;
 * start < end <= len; a second run gives the same tokens; a callback's
 * non-zero value stops at once and is returned; the term of a plain
 * (not joined, not CJK) token tokenises to itself alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct S_rec {
    char term[GX_TERM_MAX];
    size_t len, start, end;
    uint32_t pos;
    unsigned flags;
} S_rec;

typedef struct S_run {
    S_rec *r;
    size_t n, cap, len;
    size_t stop_at; /* 1-based token that returns 77; 0: none */
} S_run;

static void
S_check(const S_run *run, const gx_tok *t)
{
    size_t i;
    if (t->len < 1 || t->len > GX_TERM_MAX || !gx_utf8_valid(t->term, t->len))
        abort();
    if (t->start >= t->end || t->end > run->len)
        abort();
    if (t->flags & ~(GX_TOK_JOINED | GX_TOK_CJK) || t->flags == (GX_TOK_JOINED | GX_TOK_CJK))
        abort();
    for (i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->term[i];
        if (c >= 0x80)
            continue;
        if (t->flags & GX_TOK_CJK)
            abort();
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (c == '_' && (t->flags & GX_TOK_JOINED))))
            abort();
    }
    if (run->n) {
        const S_rec *p = &run->r[run->n - 1];
        if (t->pos < p->pos)
            abort();
        if ((t->flags & GX_TOK_JOINED) && (t->pos != p->pos || p->flags))
            abort();
    } else if (t->flags & GX_TOK_JOINED)
        abort();
}

static int
S_collect(void *ud, const gx_tok *t)
{
    S_run *run = ud;
    S_rec *r;
    S_check(run, t);
    if (run->n == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 64;
        S_rec *p = realloc(run->r, cap * sizeof *p);
        if (!p)
            abort();
        run->r = p;
        run->cap = cap;
    }
    r = &run->r[run->n++];
    memcpy(r->term, t->term, t->len);
    r->len = t->len;
    r->start = t->start;
    r->end = t->end;
    r->pos = t->pos;
    r->flags = t->flags;
    return run->n == run->stop_at ? 77 : 0;
}

static int
S_same(const S_rec *a, const S_rec *b)
{
    return a->len == b->len && !memcmp(a->term, b->term, a->len) && a->pos == b->pos &&
           a->flags == b->flags && a->start == b->start && a->end == b->end;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    S_run one, two, self;
    size_t i;
    if (size > 65536)
        return 0;
    memset(&one, 0, sizeof one);
    memset(&two, 0, sizeof two);
    memset(&self, 0, sizeof self);
    one.len = two.len = size;
    if (gx_tokenize((const char *)data, size, S_collect, &one) != 0)
        abort();
    /* again, stopped at the middle token */
    two.stop_at = one.n ? one.n / 2 + 1 : 0;
    if (gx_tokenize((const char *)data, size, S_collect, &two) != (one.n ? 77 : 0))
        abort();
    if (two.n != two.stop_at)
        abort();
    for (i = 0; i < two.n; i++)
        if (!S_same(&one.r[i], &two.r[i]))
            abort();
    for (i = 0; i < one.n; i++) {
        const S_rec *r = &one.r[i];
        if (r->flags)
            continue;
        self.n = 0;
        self.len = r->len;
        if (gx_tokenize(r->term, r->len, S_collect, &self) != 0 || self.n != 1 ||
            self.r[0].len != r->len || memcmp(self.r[0].term, r->term, r->len) ||
            self.r[0].pos != 0 || self.r[0].flags || self.r[0].start != 0 ||
            self.r[0].end != r->len)
            abort();
    }
    free(one.r);
    free(two.r);
    free(self.r);
    return 0;
}
