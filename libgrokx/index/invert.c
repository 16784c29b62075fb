/*
 * invert.c -- the inverted lists of a segment being built: each
 * message's text is tokenised and its terms' occurrences appended to one
 * growable buffer per term. This is the work the index writer hands to its
 * second thread; the message store is compressed on the first.
 */
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"

#define S_NONE UINT32_MAX

/* A term and its postings so far: (doc gap, freq, positions...) varints. */
typedef struct gx_inv_term {
    uint32_t str;      /* offset in the term pool */
    uint32_t hash;
    uint8_t len;
    uint32_t last_doc; /* document + 1 of the last occurrence, 0: none */
    int64_t prev_doc;  /* last document written to buf, -1: none */
    uint32_t freq;     /* in the current document */
    uint32_t head, tail; /* positions of the current document, in scratch */
    unsigned char *buf;
    size_t len_buf, cap_buf;
} gx_inv_term;

typedef struct S_pos {
    uint32_t pos, next;
} S_pos;

void
gx_inv_init(gx_inv *v, gx_mem *mem)
{
    memset(v, 0, sizeof *v);
    v->mem = mem;
    gx_buf_init(&v->pool, mem);
}

void
gx_inv_reset(gx_inv *v)
{
    size_t i;
    for (i = 0; i < v->nterms; i++)
        free(v->terms[i].buf);
    v->nterms = 0;
    v->held = 0;
    if (v->table)
        memset(v->table, 0, v->table_cap * sizeof *v->table);
    v->pool.len = 0;
    v->ndocs = 0;
    v->total_tokens = 0;
    /* give back what grew with the segment, so the next one starts small
     * and the budget counts capacity truly */
    free(v->doc_info);
    v->doc_info = NULL;
    v->doc_cap = 0;
}

void
gx_inv_free(gx_inv *v)
{
    gx_inv_reset(v);
    free(v->terms);
    free(v->table);
    free(v->touched);
    free(v->scratch);
    free(v->doc_info);
    gx_buf_free(&v->pool);
    memset(v, 0, sizeof *v);
}

size_t
gx_inv_used(const gx_inv *v)
{
    /* what grows with the segment, as allocated (its slack included: that
     * is what the process holds); the buffers reset gives back are here,
     * the small ones it keeps are not, or spilling would never stop */
    return v->held + v->nterms * (sizeof *v->terms + 2 * sizeof *v->table) + v->pool.cap +
           v->doc_cap * sizeof *v->doc_info;
}

/* ---- terms ------------------------------------------------------------ */

static uint32_t
S_hash(const char *s, size_t n)
{
    return gx_fnv1a32(GX_FNV32_BASIS, s, n); /* terms are short */
}

static int
S_table_grow(gx_inv *v)
{
    size_t cap = v->table_cap ? v->table_cap * 2 : 1 << 14, i;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t)
        return GROKX_E_NOMEM;
    for (i = 0; i < v->nterms; i++) {
        size_t k = v->terms[i].hash & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = (uint32_t)i + 1;
    }
    free(v->table);
    v->table = t;
    v->table_cap = cap;
    return 0;
}

static gx_inv_term *
S_term_get(gx_inv *v, const char *s, size_t n)
{
    uint32_t h = S_hash(s, n);
    size_t k;
    gx_inv_term *t;
    if (v->nterms * 2 >= v->table_cap && S_table_grow(v))
        return NULL;
    for (k = h & (v->table_cap - 1); v->table[k]; k = (k + 1) & (v->table_cap - 1)) {
        t = &v->terms[v->table[k] - 1];
        if (t->hash == h && t->len == n && !memcmp(v->pool.ptr + t->str, s, n))
            return t;
    }
    if (v->nterms >= UINT32_MAX - 1 || v->pool.len > UINT32_MAX - GX_TERM_MAX ||
        gx_grow(&v->terms, &v->terms_cap, v->nterms + 1, sizeof *v->terms) ||
        gx_buf_put(&v->pool, s, n))
        return NULL;
    t = &v->terms[v->nterms];
    memset(t, 0, sizeof *t);
    t->str = (uint32_t)(v->pool.len - n);
    t->hash = h;
    t->len = (uint8_t)n;
    t->prev_doc = -1;
    v->table[k] = (uint32_t)++v->nterms;
    return t;
}

static int
S_on_token(void *ud, const gx_tok *tok)
{
    gx_inv *v = ud;
    gx_inv_term *t = S_term_get(v, tok->term, tok->len);
    S_pos *sp;
    if (!t)
        return GROKX_E_NOMEM;
    if (t->last_doc != v->doc + 1) {
        if (v->ntouched == v->touched_cap &&
            gx_grow(&v->touched, &v->touched_cap, v->ntouched + 1, sizeof *v->touched))
            return GROKX_E_NOMEM;
        v->touched[v->ntouched++] = (uint32_t)(t - v->terms);
        t->last_doc = v->doc + 1;
        t->freq = 0;
        t->head = t->tail = S_NONE;
    } else if (((S_pos *)v->scratch)[t->tail].pos == tok->pos) {
        return 0; /* one position once per term */
    }
    if (v->nscratch == v->scratch_cap &&
        (v->nscratch >= UINT32_MAX - 1 ||
         gx_grow(&v->scratch, &v->scratch_cap, v->nscratch + 1, sizeof(S_pos))))
        return GROKX_E_NOMEM;
    sp = v->scratch;
    sp[v->nscratch].pos = tok->pos;
    sp[v->nscratch].next = S_NONE;
    if (t->tail == S_NONE)
        t->head = (uint32_t)v->nscratch;
    else
        sp[t->tail].next = (uint32_t)v->nscratch;
    t->tail = (uint32_t)v->nscratch++;
    t->freq++;
    if (tok->pos >= v->doc_len)
        v->doc_len = tok->pos == UINT32_MAX ? UINT32_MAX : tok->pos + 1;
    return 0;
}

/* Append the current document's occurrences to each term it touched. */
static int
S_doc_postings(gx_inv *v)
{
    const S_pos *sp = v->scratch;
    size_t i;
    for (i = 0; i < v->ntouched; i++) {
        gx_inv_term *t = &v->terms[v->touched[i]];
        size_t need = 20 + (size_t)t->freq * 5, old = t->cap_buf;
        uint32_t k, prev = 0;
        unsigned char *p;
        if (t->cap_buf - t->len_buf < need) {
            size_t cap = t->cap_buf ? t->cap_buf : 16;
            while (cap - t->len_buf < need)
                cap *= 2;
            if (!(p = realloc(t->buf, cap)))
                return GROKX_E_NOMEM;
            t->buf = p;
            t->cap_buf = cap;
            v->held += cap - old;
        }
        p = t->buf + t->len_buf;
        p += gx_varint_put(p, (uint64_t)((int64_t)v->doc - t->prev_doc));
        p += gx_varint_put(p, t->freq);
        for (k = t->head; k != S_NONE; k = sp[k].next) {
            p += gx_varint_put(p, sp[k].pos - prev);
            prev = sp[k].pos;
        }
        t->len_buf = (size_t)(p - t->buf);
        t->prev_doc = v->doc;
    }
    v->ntouched = v->nscratch = 0;
    return 0;
}

int
gx_inv_add(gx_inv *v, grokx_str text)
{
    int rc;
    if (v->ndocs >= UINT32_MAX - 1)
        return GROKX_E_LIMIT;
    if (gx_grow(&v->doc_info, &v->doc_cap, v->ndocs + 1, sizeof *v->doc_info))
        return GROKX_E_NOMEM;
    v->doc = v->ndocs;
    v->doc_len = 0;
    if ((rc = gx_tokenize(text.ptr, text.len, S_on_token, v)) || (rc = S_doc_postings(v)))
        return rc;
    v->doc_info[v->ndocs].ntokens = v->doc_len;
    v->total_tokens += v->doc_len;
    v->ndocs++;
    return 0;
}

/* ---- writing the postings ---------------------------------------------- */

typedef struct S_sorted {
    const char *s;
    uint32_t len, term;
} S_sorted;

static int
S_sorted_cmp(const void *a, const void *b)
{
    const S_sorted *x = a, *y = b;
    int c = memcmp(x->s, y->s, GX_MIN(x->len, y->len));
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Ranges of the sorted terms, for gx_ranges_run. */
typedef struct S_write {
    const gx_inv *v;
    const S_sorted *order;
    const size_t *cut; /* range k is order[cut[k]] up to order[cut[k + 1]] */
} S_write;

static int
S_write_range(void *ud, size_t k, int thread, gx_terms_out *out, char *why, size_t why_cap)
{
    const S_write *sw = ud;
    const gx_inv *v = sw->v;
    gx_mem mem;
    gx_penc e;
    uint32_t *pos = NULL;
    size_t i, pos_cap = 0;
    int rc = 0;
    (void)thread, (void)why, (void)why_cap;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_penc_init(&e, &mem, gx_avgdl(v->total_tokens, v->ndocs));
    for (i = sw->cut[k]; i < sw->cut[k + 1] && !rc; i++) {
        const gx_inv_term *t = &v->terms[sw->order[i].term];
        const unsigned char *p = t->buf, *end = t->buf + t->len_buf;
        int64_t doc = -1;
        gx_penc_reset(&e);
        while (p < end && !rc) { /* our own bytes: well formed */
            uint64_t gap = 0, f = 0, x = 0, j;
            uint32_t at = 0;
            gx_varint(&p, end, &gap);
            gx_varint(&p, end, &f);
            doc += (int64_t)gap;
            if (f > pos_cap) {
                uint32_t *np = realloc(pos, f * sizeof *pos);
                if (!np) {
                    rc = GROKX_E_NOMEM;
                    break;
                }
                pos = np, pos_cap = f;
            }
            for (j = 0; j < f; j++) {
                gx_varint(&p, end, &x);
                at += (uint32_t)x;
                pos[j] = at;
            }
            rc = gx_penc_add(&e, (uint32_t)doc, v->doc_info[doc].ntokens, pos, (uint32_t)f);
        }
        if (!rc && !(rc = gx_penc_finish(&e)))
            rc = gx_terms_out_add(out, v->pool.ptr + t->str, t->len, &e);
    }
    gx_penc_free(&e);
    free(pos);
    return rc;
}

int
gx_inv_write_postings(gx_inv *v, gx_ixw *w, int threads, size_t range)
{
    S_sorted *order = NULL;
    size_t *cut, ncut = 0, cap = 2, i, acc = 0;
    S_write sw;
    char why[8];
    int rc;
    if (v->nterms && !(order = malloc(v->nterms * sizeof *order)))
        return GROKX_E_NOMEM;
    for (i = 0; i < v->nterms; i++) {
        order[i].s = v->pool.ptr + v->terms[i].str;
        order[i].len = v->terms[i].len;
        order[i].term = (uint32_t)i;
        acc += v->terms[i].len_buf;
    }
    if (v->nterms)
        qsort(order, v->nterms, sizeof *order, S_sorted_cmp);
    /* a cut each time the postings pass another range (their size here is
     * about their size encoded) */
    range = gx_range_size(range);
    cap += range ? acc / range : 0;
    if (!(cut = malloc(cap * sizeof *cut))) {
        free(order);
        return GROKX_E_NOMEM;
    }
    cut[ncut++] = 0;
    for (i = 0, acc = 0; i < v->nterms; i++) {
        if (range && acc >= range && ncut + 1 < cap) {
            cut[ncut++] = i;
            acc = 0;
        }
        acc += v->terms[order[i].term].len_buf;
    }
    cut[ncut++] = v->nterms;
    sw.v = v;
    sw.order = order;
    sw.cut = cut;
    rc = gx_ranges_run(ncut - 1, S_write_range, &sw, w, threads, NULL, NULL, why, sizeof why);
    free(order);
    free(cut);
    return rc;
}
