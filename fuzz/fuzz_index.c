/*
 * fuzz_index.c -- libFuzzer harness for the index reader (index/read.c,
 * index/search.c): any bytes opened as an index. Opening, searching and
 * checking must never crash or read out of bounds, whatever the file
 * says. Invariants: a file the full check accepts answers every query
 * without GROKX_E_CORRUPT; results point inside their snippets; totals
 * are at least the hits shown. Queries come from the input's last bytes
 * (after a 0xFF separator) or a fixed set. Merged with itself (as grokx
 * merge does), in one range and in ranges of a few terms on two threads,
 * it must fail both ways or give the same bytes.
 * Each input runs twice: as it is (damage is refused by the page
 * checksums: nothing may answer from it but the clean bytes), then with
 * every checksum made to match (fuzz/ix_recrc.h), so that mutations reach
 * the structural checks behind them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"
#include "ix_recrc.h"
#include "membuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data merged with itself, its postings in ranges of about range_bytes */
static int
S_merge(const uint8_t *data, size_t n, size_t range_bytes, int threads, membuf *out)
{
    gx_ix ix[2];
    gx_ix *ptrs[2] = {&ix[0], &ix[1]};
    gx_mem mem;
    grokx_sink sink = {mem_write, out};
    char why[GROKX_ERROR_TEXT_MAX] = "";
    int rc;
    if (gx_ix_open_mem(&ix[0], data, n) != 0)
        return -1;
    ix[1] = ix[0];
    gx_mem_init(&mem, NULL, NULL, 0);
    rc = gx_ix_merge(ptrs, 2, 1, threads, range_bytes, NULL, NULL, sink, &mem, why, sizeof why);
    gx_ix_close(&ix[0]);
    return rc;
}

static void
S_search(grokx_index *ix, const char *q, int checked)
{
    grokx_results *r = NULL;
    grokx_search_options o;
    grokx_error err;
    size_t i, k;
    int rc;
    grokx_search_options_init(&o);
    o.limit = 5;
    rc = grokx_index_search(ix, q, &o, &r, &err);
    if (checked && rc == GROKX_E_CORRUPT)
        abort(); /* the check passed: nothing may be found damaged later */
    if (rc)
        return;
    if (grokx_results_total(r) < grokx_results_count(r))
        abort();
    for (i = 0; i < grokx_results_count(r); i++) {
        const grokx_hit *h = grokx_results_hit(r, i);
        for (k = 0; k < h->highlight_count; k++)
            if (h->highlights[k].start + h->highlights[k].len > h->snippet.len)
                abort();
        if (checked && !gx_utf8_valid(h->snippet.ptr, h->snippet.len))
            abort();
    }
    grokx_results_free(r);
}

static void
S_one(const uint8_t *data, size_t n, const char *q)
{
    static const char *const qs[] = {"the", "a b", "\"the short answer\"", "pa*", "a OR b -c",
                                     "東京", "x*"};
    grokx_index *ix = NULL;
    grokx_error err;
    size_t i;
    int checked;
    if (grokx_index_open_memory(data, n, &ix, &err) != 0)
        return;
    {
        membuf one = {0}, many = {0};
        int r1 = S_merge(data, n, SIZE_MAX, 0, &one), r2 = S_merge(data, n, 16, 1, &many);
        if ((r1 == 0) != (r2 == 0) || (r1 == 0 && (one.n != many.n || memcmp(one.p, many.p, one.n))))
            abort();
        free(one.p);
        free(many.p);
    }
    checked = grokx_index_check(ix, &err) == 0;
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++)
        S_search(ix, qs[i], checked);
    if (q[0])
        S_search(ix, q, checked);
    grokx_index_close(ix);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = size > 1 && data[0] == 0xFE ? memchr(data, 0xFF, size < 64 ? size : 64) : NULL;
    char q[65];
    size_t n = size;
    unsigned char *copy;
    if (size > (1u << 20))
        return 0;
    q[0] = 0;
    if (sep) { /* "\xFE query \xFF index" */
        size_t ql = (size_t)(sep - data) - 1;
        memcpy(q, data + 1, ql);
        q[ql] = 0;
        n = size - ql - 2;
        data = sep + 1;
    }
    S_one(data, n, q);
    if (!(copy = malloc(n ? n : 1)))
        return 0;
    memcpy(copy, data, n);
    ix_recrc(copy, n);
    if (n && memcmp(copy, data, n))
        S_one(copy, n, q);
    free(copy);
    return 0;
}
