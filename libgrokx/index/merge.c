/*
 * merge.c -- one index from several: the build's temporary segments,
 * or shards built separately (grokx merge). Documents keep input order;
 * the dictionaries are walked side by side and each term's postings are
 * decoded and re-encoded with the new document numbers, in ranges of terms
 * on two threads (ranges.c). With dedup, a conversation found in
 * several inputs is kept once (the latest copy).
 * Memory: the new dictionary, a few ranges' postings, and 4 bytes per
 * document (its length, which every posting's impact needs: read from the
 * inputs' records per posting, it was a third of the merge), 4 more when
 * deduplicating.
 */
#define _DEFAULT_SOURCE /* madvise(): MADV_DONTNEED (posix_madvise's is a no-op on Linux) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "index/ix.h"

#define S_DROP_EVERY ((size_t)16 << 20)

#define S_DROP UINT32_MAX

typedef struct S_in {
    gx_ix *ix;
    uint32_t *map;      /* old doc -> new doc (dedup), or NULL: doc + base */
    uint32_t *conv_map; /* old conv -> new conv, S_DROP */
    uint64_t doc_base, block_base, strs_base;
    uint16_t *name_map;
    int dropped; /* some of its conversations were dropped (dedup) */
    uint64_t read_from; /* the file's pages before this offset were given back */
    struct { uint32_t block, off; } *loc; /* where its kept texts went, when dropped */
} S_in;

/* Where a range of terms starts. */
typedef struct S_cut {
    char term[GX_TERM_MAX];
    size_t len;
} S_cut;

struct S_at;

typedef struct S_merge {
    S_in *in;
    size_t n;
    gx_mem *mem;
    char *why;
    size_t why_cap;
    gx_ixw w;
    gx_ix_counts counts;
    uint32_t *doc_len; /* per new document: its tokens */
    /* the postings, in ranges of terms (gx_ranges_run) */
    int threads;
    size_t range;     /* bytes of postings a range should hold (0: the default) */
    size_t *largest;  /* the caller's: the most bytes one range held (may be NULL) */
    const gx_marks *marks; /* of the store written again; NULL: the defaults */
    gx_ix **ixs[2];   /* the inputs as each thread reads them: the second
                       * thread's are copies, so errors are its own */
    S_cut *cut;       /* range k is cut[k - 1] up to cut[k] */
    size_t ncut;
    struct S_at *at;  /* per range and input: where its walk began and ended */
    gx_ix *copies;
} S_merge;

/* Input i (as ix, which may be a thread's copy) is damaged: why says so. */
static int
S_fail_in(const gx_ix *ix, size_t i, const char *what, char *why, size_t why_cap)
{
    snprintf(why, why_cap, "merge: input %zu: %s%s%s", i + 1, what, ix->why[0] ? ": " : "",
             ix->why);
    return GROKX_E_CORRUPT;
}

static int
S_fail(S_merge *m, size_t i, const char *what)
{
    return S_fail_in(m->in[i].ix, i, what, m->why, m->why_cap);
}

/* ---- which conversations survive ---------------------------------------- */

/* A conversation id's copy: input + 1 (0: an empty slot) holds the copy
 * kept so far; taken is the last input (+ 1) that matched it. Two
 * conversations sharing an id inside one input are two conversations (a
 * hand-made or concatenated export: convert keeps both), so a copy is
 * matched at most once per input: the k-th conversation of an id in one
 * input stands for the k-th of that id in another. */
typedef struct S_seen {
    uint64_t hash;
    uint32_t input, conv, taken;
} S_seen;

static int
S_same_id(const S_merge *m, const S_seen *s, const gx_conv *c)
{
    gx_conv o;
    if (gx_ix_conv(m->in[s->input - 1].ix, s->conv, &o))
        return 0;
    return o.id.len == c->id.len && !memcmp(o.id.ptr, c->id.ptr, c->id.len);
}

static int
S_dedup(S_merge *m)
{
    uint64_t total = 0, cap = 16, k;
    S_seen *t;
    size_t i;
    for (i = 0; i < m->n; i++)
        total += m->in[i].ix->n.nconvs;
    while (cap < total * 2)
        cap *= 2;
    if (!(t = calloc(cap, sizeof *t)))
        return GROKX_E_NOMEM;
    for (i = 0; i < m->n; i++) {
        uint64_t c;
        for (c = 0; c < m->in[i].ix->n.nconvs; c++) {
            gx_conv cv, old;
            uint64_t h;
            if (gx_ix_conv(m->in[i].ix, c, &cv)) {
                free(t);
                return S_fail(m, i, "a damaged conversation record");
            }
            h = gx_hash64(cv.id.ptr, cv.id.len);
            for (k = h & (cap - 1); t[k].input; k = (k + 1) & (cap - 1))
                if (t[k].hash == h && t[k].taken != i + 1 && S_same_id(m, &t[k], &cv))
                    break;
            if (!t[k].input) {
                t[k].hash = h, t[k].input = (uint32_t)i + 1, t[k].conv = (uint32_t)c;
                t[k].taken = (uint32_t)i + 1;
                continue;
            }
            t[k].taken = (uint32_t)i + 1;
            gx_ix_conv(m->in[t[k].input - 1].ix, t[k].conv, &old);
            if (cv.modify_time >= old.modify_time) { /* the later copy wins ties */
                m->in[t[k].input - 1].conv_map[t[k].conv] = S_DROP;
                m->in[t[k].input - 1].dropped = 1;
                t[k].input = (uint32_t)i + 1, t[k].conv = (uint32_t)c;
            } else {
                m->in[i].conv_map[c] = S_DROP;
                m->in[i].dropped = 1;
            }
        }
    }
    free(t);
    return 0;
}

/* New numbers for the conversations and documents kept, in input order. */
static int
S_number(S_merge *m, int dedup)
{
    uint64_t docs = 0, convs = 0, strs = 0, tokens = 0;
    size_t i;
    int rc;
    for (i = 0; i < m->n; i++) {
        S_in *in = &m->in[i];
        if (!(in->conv_map = calloc(in->ix->n.nconvs + 1, sizeof *in->conv_map)) ||
            (dedup && !(in->map = malloc((in->ix->n.ndocs + 1) * sizeof *in->map))))
            return GROKX_E_NOMEM;
    }
    if (dedup && (rc = S_dedup(m)) != 0)
        return rc;
    for (i = 0; i < m->n; i++) {
        S_in *in = &m->in[i];
        uint64_t c, d;
        in->doc_base = docs, in->strs_base = strs;
        for (d = 0; in->map && d < in->ix->n.ndocs; d++)
            in->map[d] = S_DROP;
        for (c = 0; c < in->ix->n.nconvs; c++) {
            gx_conv cv;
            if (gx_ix_conv(in->ix, c, &cv))
                return S_fail(m, i, "a damaged conversation record");
            if (in->conv_map[c] == S_DROP)
                continue;
            in->conv_map[c] = (uint32_t)convs++;
            for (d = 0; d < cv.doc_count; d++) {
                gx_doc doc;
                if (gx_ix_doc(in->ix, cv.first_doc + d, &doc))
                    return S_fail(m, i, "a damaged document record");
                tokens += doc.ntokens;
                if (in->map)
                    in->map[cv.first_doc + d] = (uint32_t)(docs + d);
            }
            if (in->map)
                docs += cv.doc_count;
        }
        if (!in->map)
            docs += in->ix->n.ndocs;
        if (docs >= UINT32_MAX - 1 || convs >= UINT32_MAX)
            return snprintf(m->why, m->why_cap, "merge: more than 2^32 messages"), GROKX_E_LIMIT;
        strs += in->ix->sec[GX_SEC_STRS].len;
    }
    m->counts.ndocs = docs;
    m->counts.nconvs = convs;
    m->counts.total_tokens = tokens;
    if (!(m->doc_len = malloc((docs + 1) * sizeof *m->doc_len)))
        return GROKX_E_NOMEM;
    for (i = 0; i < m->n; i++) { /* front to back: the records are read in order */
        const S_in *in = &m->in[i];
        uint64_t d;
        for (d = 0; d < in->ix->n.ndocs; d++) {
            uint64_t nd = in->map ? in->map[d] : in->doc_base + d;
            gx_doc doc;
            if (nd >= docs) /* dropped */
                continue;
            if (gx_ix_doc(in->ix, d, &doc))
                return S_fail(m, i, "a damaged document record");
            m->doc_len[nd] = doc.ntokens;
        }
    }
    return 0;
}

/* ---- names: one table for all inputs ------------------------------------ */

static int
S_names(S_merge *m, gx_buf *names)
{
    grokx_str *seen = NULL; /* the merged names, pointing into the inputs */
    size_t i, j, k, total = 0, cap = 0;
    int rc = 0;
    for (i = 0; i < m->n && !rc; i++) {
        S_in *in = &m->in[i];
        if (!(in->name_map = calloc(in->ix->n.nnames + 1, sizeof *in->name_map))) {
            rc = GROKX_E_NOMEM;
            break;
        }
        for (j = 0; j < in->ix->n.nnames && !rc; j++) {
            grokx_str s;
            unsigned char ref[GX_IX_NAME_REC];
            const unsigned char *rec = gx_ix_at(in->ix, GX_SEC_NAMES, j * GX_IX_NAME_REC, GX_IX_NAME_REC);
            if (!rec || gx_ix_name(in->ix, j, &s)) { /* both checked when the input was opened */
                rc = S_fail(m, i, "a damaged name");
                break;
            }
            for (k = 0; k < total; k++) /* few names: senders and models */
                if (seen[k].len == s.len && !memcmp(seen[k].ptr, s.ptr, s.len))
                    break;
            if (k == total && total == 65535) {
                k = 65535; /* the overflow slot, as in the build */
            } else if (k == total) {
                gx_put64(ref, in->strs_base + gx_le64(rec));
                gx_put32(ref + 8, (uint32_t)s.len);
                if (gx_grow(&seen, &cap, total + 1, sizeof *seen) ||
                    gx_buf_put(names, ref, sizeof ref))
                    rc = GROKX_E_NOMEM;
                else
                    seen[total++] = s;
            }
            in->name_map[j] = (uint16_t)k;
        }
    }
    free(seen);
    m->counts.nnames = total;
    return rc;
}

/* Give back the pages of an input mapped before file offset upto: the
 * merge reads each input front to back once, and the pages it has read
 * would otherwise count in the process's memory (a file mapping's pages
 * do) until the end. */
static void
S_release(S_in *in, uint64_t upto)
{
#ifdef MADV_DONTNEED
    unsigned char *base = in->ix->map;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), from, to;
    if (!base || upto > in->ix->map_len || upto < in->read_from)
        return;
    if (upto - in->read_from < S_DROP_EVERY)
        return;
    from = (size_t)in->read_from / page * page;
    to = (size_t)upto / page * page;
    if (to > from)
        madvise(base + from, to - from, MADV_DONTNEED);
    in->read_from = to;
#else
    (void)in, (void)upto;
#endif
}

/* ---- postings ----------------------------------------------------------- */

/* Where a walk of an input's dictionary stands: the entry it holds, or
 * past the end (block UINT64_MAX). Ranges must meet exactly. */
typedef struct S_at {
    uint64_t block, in_block, post_off;
} S_at;

/* One range of the merged terms, from lo (NULL: the first) up to hi
 * (NULL: the last), walked in every input. */
typedef struct S_walk {
    gx_dict_iter it;
    int has;
} S_walk;

static int
S_cmp_str(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, GX_MIN(an, bn));
    return c ? c : (an > bn) - (an < bn);
}

static int
S_cmp_terms(const gx_dict_iter *a, const gx_dict_iter *b)
{
    return S_cmp_str(a->term, a->len, b->term, b->len);
}

static int
S_below(const gx_dict_iter *a, const S_cut *hi)
{
    return !hi || S_cmp_str(a->term, a->len, hi->term, hi->len) < 0;
}

static void
S_here(const S_walk *w, S_at *at)
{
    at->block = w->has ? w->it.block : UINT64_MAX;
    at->in_block = w->has ? w->it.in_block : 0;
    at->post_off = w->has ? w->it.info.off : 0;
}

/* The input's next term, which must follow the one it held (if any). */
static int
S_step(S_walk *w, const gx_ix *ix, size_t i, char *why, size_t why_cap)
{
    char prev[GX_TERM_MAX];
    size_t plen = w->has ? w->it.len : 0;
    int rc;
    memcpy(prev, w->it.term, plen);
    if ((rc = gx_dict_next(&w->it)) < 0)
        return S_fail_in(ix, i, "a damaged dictionary", why, why_cap);
    if (rc && plen && S_cmp_str(w->it.term, w->it.len, prev, plen) <= 0)
        return S_fail_in(ix, i, "a dictionary out of order", why, why_cap);
    w->has = rc;
    return 0;
}

static int
S_range(void *ud, size_t k, int thread, gx_terms_out *out, char *why, size_t why_cap)
{
    S_merge *m = ud;
    const S_cut *lo = k ? &m->cut[k - 1] : NULL, *hi = k < m->ncut ? &m->cut[k] : NULL;
    S_at *start = m->at + 2 * k * m->n, *stop = start + m->n;
    S_walk *w;
    gx_mem mem;
    gx_penc e;
    size_t i;
    int rc = 0;
    if (!(w = calloc(m->n, sizeof *w)))
        return GROKX_E_NOMEM;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_penc_init(&e, &mem, gx_avgdl(m->counts.total_tokens, m->counts.ndocs));
    for (i = 0; i < m->n && !rc; i++) {
        const gx_ix *ix = m->ixs[thread][i];
        if (gx_dict_seek(&w[i].it, ix, lo ? lo->term : NULL, lo ? lo->len : 0) < 0)
            rc = S_fail_in(ix, i, "a damaged dictionary", why, why_cap);
        else
            rc = S_step(&w[i], ix, i, why, why_cap);
        S_here(&w[i], &start[i]);
    }
    while (!rc) {
        const gx_dict_iter *low = NULL;
        char term[GX_TERM_MAX];
        size_t len;
        for (i = 0; i < m->n; i++)
            if (w[i].has && S_below(&w[i].it, hi) && (!low || S_cmp_terms(&w[i].it, low) < 0))
                low = &w[i].it;
        if (!low)
            break;
        len = low->len;
        memcpy(term, low->term, len);
        gx_penc_reset(&e);
        for (i = 0; i < m->n && !rc; i++) {
            S_in *in = &m->in[i];
            const gx_ix *ix = m->ixs[thread][i];
            gx_pcur c;
            if (!w[i].has || w[i].it.len != len || memcmp(w[i].it.term, term, len))
                continue;
            gx_pcur_init(&c, ix, &w[i].it.info);
            while (!rc && (rc = gx_pcur_next(&c)) == 1) {
                uint32_t nd = in->map ? in->map[c.doc] : (uint32_t)(in->doc_base + (uint64_t)c.doc);
                const uint32_t *pos;
                rc = 0;
                if (nd == S_DROP)
                    continue;
                if ((rc = gx_pcur_positions(&c, &pos)) != 0) {
                    if (rc == GROKX_E_CORRUPT)
                        rc = S_fail_in(ix, i, "damaged postings", why, why_cap);
                    break;
                }
                rc = gx_penc_add(&e, nd, m->doc_len[nd], pos, c.freq);
                if (rc == GROKX_E_INVALID)
                    rc = S_fail_in(ix, i, "postings out of order", why, why_cap);
            }
            if (rc == GROKX_E_CORRUPT && c.corrupt)
                rc = S_fail_in(ix, i, "damaged postings", why, why_cap);
            gx_pcur_free(&c);
            if (!rc)
                rc = S_step(&w[i], ix, i, why, why_cap);
        }
        if (!rc && e.df && !(rc = gx_penc_finish(&e)))
            rc = gx_terms_out_add(out, term, len, &e);
    }
    for (i = 0; i < m->n; i++)
        S_here(&w[i], &stop[i]);
    gx_penc_free(&e);
    free(w);
    return rc;
}

/* A heap of the inputs by the first term of their next dictionary block,
 * for S_cuts. Each reads a copy of its input: a damaged block's error is
 * not left in the input's why. */
typedef struct S_head {
    gx_ix ix;
    gx_dict_iter it;
    uint64_t block;
} S_head;

static int
S_head_less(const S_head *a, const S_head *b)
{
    return S_cmp_terms(&a->it, &b->it) < 0;
}

static void
S_heap_down(S_head **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        S_head *t;
        if (l < n && S_head_less(h[l], h[min]))
            min = l;
        if (r < n && S_head_less(h[r], h[min]))
            min = r;
        if (min == i)
            return;
        t = h[i], h[i] = h[min], h[min] = t;
        i = min;
    }
}

/* Cut the terms into ranges of about `range` bytes of postings, summed
 * over the inputs: the dictionaries' block first terms, walked in term
 * order across every input, give each input's bytes before a term (to a
 * block). A range holds about `range` bytes plus a block of each input,
 * whatever the inputs' vocabularies. On a damaged dictionary the cuts
 * stop there; the walk says what is wrong. */
static int
S_cuts(S_merge *m, size_t range)
{
    uint64_t total = 0, sum = 0, last = 0, *seen;
    S_head *heads, **h;
    size_t i, n = 0, cap;
    for (i = 0; i < m->n; i++)
        total += m->in[i].ix->sec[GX_SEC_POSTINGS].len;
    m->ncut = 0;
    if (!range || total / range < 2)
        return 0; /* one range */
    cap = (size_t)GX_MIN(total / range + 1, (uint64_t)SIZE_MAX / sizeof *m->cut);
    heads = calloc(m->n, sizeof *heads);
    h = calloc(m->n, sizeof *h);
    seen = calloc(m->n, sizeof *seen);
    if (!heads || !h || !seen || !(m->cut = malloc(cap * sizeof *m->cut))) {
        free(heads), free(h), free(seen);
        return GROKX_E_NOMEM;
    }
    for (i = 0; i < m->n; i++) { /* block 0 starts at 0: its first term is no cut */
        heads[i].ix = *m->in[i].ix;
        heads[i].block = 1;
        if (heads[i].ix.ndict_blocks > 1 &&
            gx_dict_block_first(&heads[i].it, &heads[i].ix, 1) == 1)
            h[n++] = &heads[i];
    }
    for (i = n / 2; i-- > 0;)
        S_heap_down(h, n, i);
    while (n && m->ncut < cap) {
        S_head *t = h[0];
        size_t in = (size_t)(t - heads);
        if (t->it.info.off > seen[in]) { /* offsets rise, unless damaged */
            sum += t->it.info.off - seen[in];
            seen[in] = t->it.info.off;
        }
        if (sum - last >= range &&
            (!m->ncut ||
             S_cmp_str(t->it.term, t->it.len, m->cut[m->ncut - 1].term, m->cut[m->ncut - 1].len) > 0)) {
            memcpy(m->cut[m->ncut].term, t->it.term, t->it.len);
            m->cut[m->ncut++].len = t->it.len;
            last = sum;
        }
        if (++t->block >= t->ix.ndict_blocks || gx_dict_block_first(&t->it, &t->ix, t->block) != 1)
            h[0] = h[--n]; /* this input's blocks are done (or damaged) */
        S_heap_down(h, n, 0);
    }
    free(heads), free(h), free(seen);
    return 0;
}

/* Range k is in the file: its inputs' pages before it can go. */
static void
S_range_done(void *ud, size_t k)
{
    S_merge *m = ud;
    const S_at *stop = m->at + (2 * k + 1) * m->n;
    size_t i;
    for (i = 0; i < m->n; i++) {
        const gx_span *p = &m->in[i].ix->sec[GX_SEC_POSTINGS];
        S_release(&m->in[i], p->off + (stop[i].block == UINT64_MAX ? p->len : stop[i].post_off));
    }
}

static int
S_postings(S_merge *m)
{
    size_t i, k, n;
    int rc;
    if ((rc = S_cuts(m, gx_range_size(m->range))) != 0)
        return rc;
    n = m->ncut + 1;
    if (!(m->at = calloc(2 * n * m->n, sizeof *m->at)) ||
        !(m->ixs[0] = malloc(m->n * sizeof *m->ixs[0])) ||
        !(m->ixs[1] = malloc(m->n * sizeof *m->ixs[1])))
        return GROKX_E_NOMEM;
    for (i = 0; i < m->n; i++) {
        m->ixs[0][i] = m->in[i].ix;
        m->ixs[1][i] = m->in[i].ix; /* copies below when a second thread may run */
    }
    if (m->threads && n > 1) {
        if (!(m->copies = malloc(m->n * sizeof *m->copies)))
            return GROKX_E_NOMEM;
        for (i = 0; i < m->n; i++) {
            m->copies[i] = *m->in[i].ix; /* shares the mapping; only why is written */
            m->ixs[1][i] = &m->copies[i];
        }
    }
    rc = gx_ranges_run(n, S_range, m, &m->w, m->threads, S_range_done, m->largest, m->why,
                       m->why_cap);
    /* every input's walk must be one: each range began where the last ended */
    for (k = 0; !rc && k + 1 < n; k++)
        for (i = 0; i < m->n && !rc; i++) {
            const S_at *a = m->at + (2 * k + 1) * m->n + i, *b = a + m->n;
            if (a->block != b->block || a->in_block != b->in_block)
                rc = S_fail(m, i, "a dictionary out of order");
        }
    return rc;
}

/* ---- the other sections ------------------------------------------------- */

static int
S_section(S_merge *m, int id, const void *p, size_t n)
{
    int rc;
    if ((rc = gx_ixw_begin(&m->w, id)) || (rc = gx_ixw_put(&m->w, p, n)))
        return rc;
    return gx_ixw_end(&m->w);
}

/* An input that lost conversations to a later copy gets its store
 * repacked with only the messages kept (nothing dropped stays in the
 * file); the others are copied block for block. */
static int
S_repack(S_merge *m, S_in *in, gx_storew *sw, gx_buf *index)
{
    gx_buf raw;
    uint64_t d, block = UINT64_MAX;
    int rc = 0;
    gx_buf_init(&raw, m->mem);
    if (!(in->loc = malloc((in->ix->n.ndocs + 1) * sizeof *in->loc)))
        return GROKX_E_NOMEM;
    for (d = 0; d < in->ix->n.ndocs && !rc; d++) {
        gx_doc doc;
        grokx_str id, text;
        if (in->map[d] == S_DROP)
            continue;
        if (gx_ix_doc(in->ix, d, &doc)) {
            rc = GROKX_E_CORRUPT;
            break;
        }
        if (doc.store_block != block) {
            if ((rc = gx_ix_store_block(in->ix, doc.store_block, &raw)) != 0)
                break;
            block = doc.store_block;
        }
        if ((rc = gx_ix_store_record(in->ix, &raw, doc.store_off, &id, &text)) ||
            (rc = gx_storew_add(sw, id, text, &in->loc[d].block, &in->loc[d].off)))
            break;
        if (sw->out.len && (rc = gx_ixw_put(&m->w, sw->out.ptr, sw->out.len)) == 0)
            sw->out.len = 0; /* blocks go straight out; their ends stay in sw->index */
    }
    gx_buf_free(&raw);
    if (rc == GROKX_E_CORRUPT)
        return S_fail(m, (size_t)(in - m->in), "a damaged message store");
    GX_UNUSED(index);
    return rc;
}

static int
S_store(S_merge *m)
{
    gx_storew sw;
    gx_buf index; /* every block's end, in the new store */
    unsigned char b[8];
    size_t i;
    int rc;
    gx_storew_init(&sw, m->mem);
    if (m->marks)
        sw.marks = *m->marks;
    gx_buf_init(&index, m->mem);
    if ((rc = gx_ixw_begin(&m->w, GX_SEC_STORE)) != 0)
        return rc;
    gx_put64(b, 0);
    rc = gx_buf_put(&index, b, 8);
    for (i = 0; i < m->n && !rc; i++) {
        S_in *in = &m->in[i];
        const gx_ix *ix = in->ix;
        uint64_t k, base = m->w.off - m->w.sec_off[GX_SEC_STORE];
        in->block_base = (index.len / 8) - 1;
        if (in->dropped) { /* a fresh run of blocks from this input's kept texts */
            sw.nblocks = in->block_base; /* numbering continues */
            sw.bytes = base;
            sw.index.len = 0;
            if (!(rc = S_repack(m, in, &sw, &index)) && !(rc = gx_storew_flush(&sw)) &&
                !(rc = gx_ixw_put(&m->w, sw.out.ptr, sw.out.len)))
                rc = gx_buf_put(&index, sw.index.ptr, sw.index.len);
            sw.out.len = 0;
            continue;
        }
        for (k = 0; k < ix->sec[GX_SEC_STORE].len && !rc; k += S_DROP_EVERY) { /* in pieces */
            size_t piece = (size_t)GX_MIN((uint64_t)S_DROP_EVERY, ix->sec[GX_SEC_STORE].len - k);
            const unsigned char *p = gx_ix_at(ix, GX_SEC_STORE, k, piece);
            if (!p) {
                rc = S_fail(m, i, "a damaged message store");
                break;
            }
            rc = gx_ixw_put(&m->w, p, piece);
            S_release(in, ix->sec[GX_SEC_STORE].off + k + piece);
        }
        if (rc)
            break;
        for (k = 1; k <= ix->n.nstore_blocks && !rc; k++) {
            const unsigned char *p = gx_ix_at(ix, GX_SEC_STORE_INDEX, k * 8, 8);
            if (!p) {
                rc = S_fail(m, i, "a damaged store index");
                break;
            }
            gx_put64(b, base + gx_le64(p));
            rc = gx_buf_put(&index, b, 8);
        }
    }
    m->counts.nstore_blocks = index.len / 8 - 1;
    if (!rc && !(rc = gx_ixw_end(&m->w)))
        rc = S_section(m, GX_SEC_STORE_INDEX, index.ptr, index.len);
    gx_storew_free(&sw);
    gx_buf_free(&index);
    return rc;
}

static int
S_docs(S_merge *m)
{
    size_t i;
    int rc = gx_ixw_begin(&m->w, GX_SEC_DOCS);
    for (i = 0; i < m->n && !rc; i++) {
        S_in *in = &m->in[i];
        uint64_t d;
        for (d = 0; d < in->ix->n.ndocs && !rc; d++) {
            unsigned char rec[GX_IX_DOC_REC];
            gx_doc doc;
            if (in->map && in->map[d] == S_DROP)
                continue;
            const unsigned char *r = gx_ix_at(in->ix, GX_SEC_DOCS, d * GX_IX_DOC_REC, GX_IX_DOC_REC);
            if (!r || gx_ix_doc(in->ix, d, &doc))
                return S_fail(m, i, "a damaged document record");
            if (doc.conv >= in->ix->n.nconvs || doc.store_block >= in->ix->n.nstore_blocks ||
                doc.model >= in->ix->n.nnames || doc.sender >= in->ix->n.nnames ||
                in->conv_map[doc.conv] == S_DROP)
                return S_fail(m, i, "a damaged document record");
            memcpy(rec, r, sizeof rec);
            gx_put32(rec, in->conv_map[doc.conv]);
            if (in->loc) {
                gx_put32(rec + 16, in->loc[d].block);
                gx_put32(rec + 20, in->loc[d].off);
            } else {
                gx_put32(rec + 16, (uint32_t)(in->block_base + doc.store_block));
            }
            gx_put16(rec + 24, in->name_map[doc.model]);
            gx_put16(rec + 26, in->name_map[doc.sender]);
            rc = gx_ixw_put(&m->w, rec, sizeof rec);
        }
    }
    return rc ? rc : gx_ixw_end(&m->w);
}

static int
S_convs(S_merge *m)
{
    uint64_t first = 0;
    size_t i;
    int rc = gx_ixw_begin(&m->w, GX_SEC_CONVS);
    for (i = 0; i < m->n && !rc; i++) {
        S_in *in = &m->in[i];
        uint64_t c;
        for (c = 0; c < in->ix->n.nconvs && !rc; c++) {
            unsigned char rec[GX_IX_CONV_REC];
            gx_conv cv;
            if (in->conv_map[c] == S_DROP)
                continue;
            const unsigned char *r = gx_ix_at(in->ix, GX_SEC_CONVS, c * GX_IX_CONV_REC, GX_IX_CONV_REC);
            if (!r || gx_ix_conv(in->ix, c, &cv))
                return S_fail(m, i, "a damaged conversation record");
            memcpy(rec, r, sizeof rec);
            gx_put64(rec, in->strs_base + gx_le64(rec));
            gx_put64(rec + 12, in->strs_base + gx_le64(rec + 12));
            gx_put64(rec + 24, in->strs_base + gx_le64(rec + 24));
            gx_put32(rec + 56, (uint32_t)(in->map ? first : in->doc_base + cv.first_doc));
            first += cv.doc_count;
            rc = gx_ixw_put(&m->w, rec, sizeof rec);
        }
    }
    return rc ? rc : gx_ixw_end(&m->w);
}

int
gx_ix_merge(gx_ix *const *ixs, size_t n, int dedup, int threads, size_t range, size_t *largest,
            const gx_marks *marks, grokx_sink out, gx_mem *mem, char *why, size_t why_cap)
{
    S_merge m;
    gx_buf names;
    size_t i;
    int rc;
    memset(&m, 0, sizeof m);
    m.n = n;
    m.mem = mem;
    m.why = why;
    m.why_cap = why_cap;
    m.threads = threads;
    m.range = range;
    m.largest = largest;
    m.marks = marks;
    gx_buf_init(&names, mem);
    if (!(m.in = calloc(n ? n : 1, sizeof *m.in)))
        return GROKX_E_NOMEM;
    for (i = 0; i < n; i++)
        m.in[i].ix = ixs[i];
    gx_ixw_init(&m.w, out, mem);
    if (!(rc = S_number(&m, dedup)) && !(rc = S_names(&m, &names)) && !(rc = S_postings(&m)) &&
        !(rc = gx_ixw_end(&m.w)) && !(rc = S_store(&m)) && !(rc = S_docs(&m)) &&
        !(rc = S_convs(&m)) && !(rc = gx_ixw_begin(&m.w, GX_SEC_NAMES)) &&
        !(rc = gx_ixw_put(&m.w, names.ptr, names.len)) && !(rc = gx_ixw_end(&m.w)) &&
        !(rc = gx_ixw_begin(&m.w, GX_SEC_STRS))) {
        for (i = 0; i < n && !rc; i++) {
            uint64_t k, len = ixs[i]->sec[GX_SEC_STRS].len;
            for (k = 0; k < len && !rc; k += S_DROP_EVERY) { /* in pieces, each verified */
                size_t piece = (size_t)GX_MIN((uint64_t)S_DROP_EVERY, len - k);
                const unsigned char *p = gx_ix_at(ixs[i], GX_SEC_STRS, k, piece);
                rc = p ? gx_ixw_put(&m.w, p, piece) : S_fail(&m, i, "damaged strings");
            }
        }
        if (!rc && !(rc = gx_ixw_end(&m.w)))
            rc = gx_ixw_finish(&m.w, &m.counts);
    }
    if (rc == GROKX_E_IO && !why[0])
        snprintf(why, why_cap, "merge: writing the index: %s", strerror(m.w.errnum ? m.w.errnum : EIO));
    gx_ixw_free(&m.w);
    gx_buf_free(&names);
    for (i = 0; i < n; i++) {
        free(m.in[i].map);
        free(m.in[i].conv_map);
        free(m.in[i].name_map);
        free(m.in[i].loc);
    }
    free(m.in);
    free(m.doc_len);
    free(m.cut);
    free(m.at);
    free(m.ixs[0]);
    free(m.ixs[1]);
    free(m.copies);
    return rc;
}
