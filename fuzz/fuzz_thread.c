/*
 * fuzz_thread.c -- libFuzzer harness for the writer thread: the same
 * bytes parsed into the events writer directly and through
 * grokx_writer_thread_new() must print the same events, byte for byte.
 * The thread's copies (model_copy.c) must keep every field; small ring
 * limits are not needed to reach its paths, as the inputs' conversations
 * are small and many. The first byte chooses all branches (bit 0) and the
 * feed size of the threaded run (bits 1-2: whole, 1, 7 or 64 bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grokx.h"

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

/* The events of data, and the parse's result code at the end. */
static out
events(const uint8_t *data, size_t size, unsigned flags, size_t feed, int threaded)
{
    out o = {0};
    grokx_options opt;
    grokx_writer_config wc;
    grokx_writer *w = NULL, *top;
    grokx_parser *p;
    size_t off = 0;
    int rc = 0;
    char tail[16];
    grokx_writer_config_init(&wc);
    wc.sink.write = sink;
    wc.sink.ud = &o;
    grokx_options_init(&opt);
    opt.flags = flags;
    if (grokx_writer_create("events", &wc, &w) != 0)
        abort();
    top = threaded ? grokx_writer_thread_new(w) : w;
    if (!top || !(p = grokx_parser_new(&opt, top)))
        abort();
    while (off < size && !rc) {
        size_t n = feed && feed < size - off ? feed : size - off;
        rc = grokx_parser_feed(p, data + off, n);
        off += n;
    }
    if (!rc)
        rc = grokx_parser_finish(p);
    grokx_parser_free(p);
    if (top != w) /* what it still holds is written now */
        grokx_writer_free(top);
    grokx_writer_free(w);
    sink(&o, tail, (size_t)snprintf(tail, sizeof tail, "rc %d\n", rc));
    return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t feeds[] = {0, 1, 7, 64};
    unsigned cfg = size ? data[0] : 0;
    out a, b;
    if (size) {
        data++;
        size--;
    }
    a = events(data, size, cfg & 1 ? GROKX_OPT_ALL_BRANCHES : 0, 0, 0);
    b = events(data, size, cfg & 1 ? GROKX_OPT_ALL_BRANCHES : 0, feeds[(cfg >> 1) & 3], 1);
    if (a.len != b.len || memcmp(a.p, b.p, a.len))
        abort(); /* the writer on its thread got other events */
    free(a.p);
    free(b.p);
    return 0;
}
