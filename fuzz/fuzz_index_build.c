/*
 * fuzz_index/build.c -- libFuzzer harness for the index round trip: any
 * bytes parsed as an export into the index writer, the index read back.
 * Byte 0 picks the memory budget (a tiny one spills a segment per
 * conversation, so the merge runs too); the rest is the export. Built
 * again with postings in ranges of a few terms on two threads, the file
 * must not change.
 * Invariants: a build that succeeds gives a file the full check accepts;
 * every term the dictionary holds (the first 16) is found by searching
 * it, in exactly df messages; the segmented build answers the same; with
 * one byte of the file flipped (where the input's length says), each of
 * those searches gives the clean file's total and snippets or
 * GROKX_E_CORRUPT, never another answer. Texts of 64 bytes or more are
 * marked every 16 (docs/index-format.md, STORE), so snippets read in parts:
 * each search answers as the same export indexed without marks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"
#include "membuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
S_build(const uint8_t *data, size_t size, size_t budget, size_t range_bytes, const gx_marks *marks,
        membuf *out)
{
    grokx_writer_config cfg;
    grokx_options o;
    grokx_writer *w;
    grokx_parser *p;
    int rc;
    grokx_writer_config_init(&cfg);
    cfg.sink.write = mem_write;
    cfg.sink.ud = out;
    cfg.memory_budget = budget;
    if (grokx_writer_create("index", &cfg, &w) != 0 || gx_writer_index_tune(w, range_bytes, marks) != 0)
        abort();
    grokx_options_init(&o);
    o.max_string = 1 << 20;
    o.max_conversation = 8 << 20;
    if (!(p = grokx_parser_new(&o, w)))
        abort();
    rc = grokx_parser_feed(p, data, size);
    if (!rc)
        rc = grokx_parser_finish(p);
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc;
}

/* A one-term search's answer as one number (total, hits, their message
 * ids, snippets and times), and its status. */
static uint64_t
S_answer(grokx_index *ix, const char *term, int *rc)
{
    grokx_results *r = NULL;
    grokx_error err;
    uint64_t h;
    size_t i;
    if ((*rc = grokx_index_search(ix, term, NULL, &r, &err)) != 0)
        return 0;
    h = grokx_results_total(r) * 1000003u + grokx_results_count(r);
    for (i = 0; i < grokx_results_count(r); i++) {
        const grokx_hit *x = grokx_results_hit(r, i);
        h = h * 31 + gx_hash64(x->message_id.ptr, x->message_id.len);
        h = h * 31 + gx_hash64(x->snippet.ptr, x->snippet.len);
        h = h * 31 + gx_hash64(x->title.ptr, x->title.len);
        h = h * 31 + (uint64_t)x->time + x->matches;
    }
    grokx_results_free(r);
    return h;
}

/* The total of a one-term search. */
static uint64_t
S_total(grokx_index *ix, const char *term)
{
    grokx_results *r = NULL;
    grokx_error err;
    uint64_t t;
    if (grokx_index_search(ix, term, NULL, &r, &err) != 0)
        abort();
    t = grokx_results_total(r);
    grokx_results_free(r);
    return t;
}

/* Short texts reach the marks; the reference has none. */
static const gx_marks marks = {64, 16}, unmarked = {SIZE_MAX, 16};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    membuf a = {0}, b = {0};
    grokx_index *ia = NULL, *ib = NULL;
    grokx_error err;
    gx_dict_iter it;
    char terms[16][GX_TERM_MAX + 1];
    unsigned char *bad;
    size_t budget, k, nterms;
    int rc;
    if (size < 1 || size > 65536)
        return 0;
    budget = data[0] & 1 ? 1 : 0;
    rc = S_build(data + 1, size - 1, 0, 0, &marks, &a);
    if (rc == 0) {
        membuf c = {0};
        if (S_build(data + 1, size - 1, budget ? budget : 1, 0, &marks, &b) != 0)
            abort(); /* the same export cannot fail only when segmented */
        /* postings in ranges of a few terms, on two threads */
        rc = S_build(data + 1, size - 1, budget ? budget : 1, 32, &marks, &c);
        if (rc != 0 || c.n != b.n || memcmp(c.p, b.p, b.n))
            abort(); /* ranges may not change a byte */
        free(c.p);
        if (grokx_index_open_memory(a.p, a.n, &ia, &err) || grokx_index_check(ia, &err) ||
            grokx_index_open_memory(b.p, b.n, &ib, &err) || grokx_index_check(ib, &err))
            abort();
        if (gx_dict_seek(&it, gx_index_ix(ia), NULL, 0) < 0)
            abort();
        for (k = 0; k < 16 && gx_dict_next(&it) == 1; k++) {
            char term[GX_TERM_MAX + 1];
            uint64_t ta, tb;
            memcpy(term, it.term, it.len);
            term[it.len] = 0;
            ta = S_total(ia, term);
            tb = S_total(ib, term);
            if (ta != it.info.df || tb != ta)
                abort();
            memcpy(terms[k], term, it.len + 1);
        }
        nterms = k;
        { /* parts of marked texts give what whole texts give */
            membuf w = {0};
            grokx_index *iw = NULL;
            if (S_build(data + 1, size - 1, 0, 0, &unmarked, &w) != 0 ||
                grokx_index_open_memory(w.p, w.n, &iw, &err))
                abort();
            for (k = 0; k < nterms; k++) {
                char q[2 * GX_TERM_MAX + 8];
                int r1, r2;
                if (S_answer(ia, terms[k], &r1) != S_answer(iw, terms[k], &r2) || r1 || r2)
                    abort();
                /* two terms (the window with the most), and a prefix */
                snprintf(q, sizeof q, "%.64s %.64s", terms[0], terms[k]);
                if (S_answer(ia, q, &r1) != S_answer(iw, q, &r2) || r1 != r2)
                    abort();
                snprintf(q, sizeof q, "%.2s*", terms[k]);
                if (S_answer(ia, q, &r1) != S_answer(iw, q, &r2) || r1 != r2)
                    abort();
            }
            grokx_index_close(iw);
            free(w.p);
        }
        /* one byte flipped: the clean answer or GROKX_E_CORRUPT */
        if ((bad = malloc(a.n)) != NULL) {
            grokx_index *id = NULL;
            memcpy(bad, a.p, a.n);
            bad[(size * 2654435761u) % a.n] ^= (unsigned char)(1u << (size % 8));
            if (grokx_index_open_memory(bad, a.n, &id, &err) == 0) {
                for (k = 0; k < nterms; k++) {
                    int r1, r2;
                    uint64_t h1 = S_answer(ia, terms[k], &r1), h2 = S_answer(id, terms[k], &r2);
                    if (r1 || (r2 != 0 && r2 != GROKX_E_CORRUPT) || (r2 == 0 && h1 != h2))
                        abort();
                }
                grokx_index_close(id);
            }
            free(bad);
        }
    }
    grokx_index_close(ia);
    grokx_index_close(ib);
    free(a.p);
    free(b.p);
    return 0;
}
