/*
 * fuzz_parse.c -- libFuzzer harness for the whole pipeline: bytes ->
 * parser -> events writer into memory.
 *
 * The first 4 bytes choose options (read with memcpy, masked): the feed
 * size (whole, 1, 7, 4096, or random), all branches or not, small caps so
 * limit paths are reached, and the writer: events, or (bit 5) the md
 * writer streaming every note into memory. Invariants checked beyond "no crash":
 * the events output is valid UTF-8 without NUL; a successful parse has
 * balanced begin/end events; memory returns to zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static int
sink(void *ud, const char *buf, size_t len)
{
    out *o = ud;
    if (o->len + len > o->cap) {
        size_t cap = (o->len + len) * 2;
        char *q = realloc(o->p, cap);
        if (!q)
            return -1;
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->len, buf, len);
    o->len += len;
    return 0;
}

typedef struct counter {
    size_t used;
} counter;

static void *
count_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    counter *c = ud;
    void *q;
    if (nsize == 0) {
        c->used -= osize;
        free(p);
        return NULL;
    }
    q = realloc(p, nsize);
    if (q)
        c->used = c->used - (p ? osize : 0) + nsize;
    return q;
}

/* Warnings are formatted (ids and keys go into the text); check that
 * what comes out is a bounded, terminated line. */
static void
on_warning(void *ud, const grokx_error *w)
{
    (void)ud;
    if (strlen(w->text) >= sizeof w->text || w->code <= 0)
        abort();
}

static void
check_utf8(const char *s, size_t len)
{
    size_t bad;
    if (gx_utf8_repaired_len(s, len, &bad) != len || bad != 0)
        abort(); /* the writer emitted invalid UTF-8 or a NUL */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t feeds[] = {0, 1, 7, 4096};
    uint32_t cfg = 0;
    out o = {0};
    counter c = {0};
    grokx_options opt;
    grokx_writer_config wc;
    grokx_writer *w = NULL;
    grokx_parser *p;
    size_t off = 0, feed;
    unsigned seed;
    int rc = 0;
    if (size >= 4) {
        memcpy(&cfg, data, 4);
        data += 4;
        size -= 4;
    }
    grokx_writer_config_init(&wc);
    wc.sink.write = sink;
    wc.sink.ud = &o;
    grokx_options_init(&opt);
    opt.flags = cfg & 1 ? GROKX_OPT_ALL_BRANCHES : 0;
    if (cfg & 2) { /* small caps reach the limit paths */
        opt.max_depth = 16;
        opt.max_string = 64;
        opt.max_conversation = 4096;
    }
    opt.alloc = count_alloc;
    opt.alloc_ud = &c;
    opt.warning = on_warning;
    feed = (cfg >> 2) & 7;
    seed = cfg >> 8;
    if (grokx_writer_create(cfg & 32 ? "md" : "events", &wc, &w) != 0)
        abort();
    if (!(p = grokx_parser_new(&opt, w)))
        abort();
    while (off < size && !rc) {
        size_t n = feed < 4 ? feeds[feed] : (seed = seed * 1103515245u + 12345u) % 512 + 1;
        if (n == 0 || n > size - off)
            n = size - off;
        rc = grokx_parser_feed(p, data + off, n);
        off += n;
    }
    if (!rc)
        rc = grokx_parser_finish(p);
    check_utf8(o.p ? o.p : "", o.len);
    if (!(cfg & 32) && rc == 0 && (o.len < 2 || memcmp(o.p + o.len - 2, "}\n", 2)))
        abort(); /* a successful parse ends with the end_export line */
    if ((cfg & 32) && o.len && (o.len < 2 || memcmp(o.p, "# ", 2) || o.p[o.len - 1] != '\n'))
        abort(); /* notes start with their title heading and end whole */
    grokx_parser_free(p);
    grokx_writer_free(w);
    if (c.used != 0)
        abort(); /* leak */
    free(o.p);
    return 0;
}
