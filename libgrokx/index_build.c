/*
 * index_build.c -- the "index" writer: every delivered message becomes a
 * document of the search index (docs/index-format.md, docs/search.md).
 *
 * Postings accumulate in memory, one growable buffer per term, until the
 * memory budget is spent; then they are written, sorted, as a complete
 * index file (a segment) to an unlinked temporary, and memory starts
 * over. At the end the segments are merged into the output (index_merge.c);
 * an export that fits in the budget is written directly. So memory is the
 * budget plus one conversation, whatever the size of the export.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index.h"

#define S_DEFAULT_BUDGET ((size_t)256 << 20)
#define S_NONE UINT32_MAX
#define S_MAX_SEGMENTS 4096

/* A term and its postings so far: (doc gap, freq, positions...) varints. */
typedef struct S_term {
    uint32_t str;      /* offset in the term pool */
    uint32_t hash;
    uint8_t len;
    uint32_t last_doc; /* document + 1 of the last occurrence, 0: none */
    int64_t prev_doc;  /* last document written to buf, -1: none */
    uint32_t freq;     /* in the current document */
    uint32_t head, tail; /* positions of the current document, in scratch */
    unsigned char *buf;
    size_t len_buf, cap_buf;
} S_term;

typedef struct S_pos {
    uint32_t pos, next;
} S_pos;

typedef struct S_ix {
    grokx_writer_config cfg;
    gx_mem mem;
    gx_layout layout; /* the note each conversation gets from -f md, for hits */
    size_t budget;
    /* terms */
    S_term *terms;
    size_t nterms, terms_cap;
    uint32_t *table; /* open addressing: term index + 1, 0 empty */
    size_t table_cap;
    gx_buf pool;
    size_t held; /* bytes of term buffers */
    /* the current document */
    uint32_t doc;     /* its number in this segment */
    uint32_t *touched;
    size_t ntouched, touched_cap;
    S_pos *scratch;
    size_t nscratch, scratch_cap;
    uint32_t last_pos;
    int any_pos;
    gx_buf clean; /* the text indexed and stored: cards and markup removed */
    /* the rest of a segment */
    gx_buf docs, convs, strs, names, store, store_index, raw;
    uint64_t nstore_blocks, total_tokens;
    uint32_t ndocs, nconvs;
    grokx_str *name_list; /* distinct senders and models (into strs by offset) */
    uint64_t *name_off;
    size_t nnames, names_cap;
    /* spilled segments */
    int segs[S_MAX_SEGMENTS];
    size_t nsegs;
    uint64_t docs_total;
    char why[GROKX_ERROR_TEXT_MAX];
} S_ix;

/* ---- temporaries ------------------------------------------------------ */

int
gx_temp_fd(const char *dir)
{
    char path[4096];
    const char *d = dir && *dir ? dir : getenv("TMPDIR");
    int fd;
    if (!d || !*d)
        d = "/tmp";
    if ((size_t)snprintf(path, sizeof path, "%s/grokx-segment-XXXXXX", d) >= sizeof path)
        return errno = ENAMETOOLONG, -1;
    fd = mkstemp(path);
    if (fd >= 0)
        unlink(path); /* nothing is left behind, whatever happens to us */
    return fd;
}

int
gx_fd_sink_write(void *ud, const char *buf, size_t len)
{
    int fd = *(int *)ud;
    while (len) {
        ssize_t k = write(fd, buf, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        buf += k, len -= (size_t)k;
    }
    return 0;
}

/* ---- terms ------------------------------------------------------------ */

static uint32_t
S_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a: terms are short */
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int
S_table_grow(S_ix *x)
{
    size_t cap = x->table_cap ? x->table_cap * 2 : 1 << 16, i;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t)
        return GROKX_E_NOMEM;
    for (i = 0; i < x->nterms; i++) {
        size_t k = x->terms[i].hash & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = (uint32_t)i + 1;
    }
    free(x->table);
    x->table = t;
    x->table_cap = cap;
    return 0;
}

static S_term *
S_term_get(S_ix *x, const char *s, size_t n)
{
    uint32_t h = S_hash(s, n);
    size_t k;
    S_term *t;
    if (x->nterms * 2 >= x->table_cap && S_table_grow(x))
        return NULL;
    for (k = h & (x->table_cap - 1); x->table[k]; k = (k + 1) & (x->table_cap - 1)) {
        t = &x->terms[x->table[k] - 1];
        if (t->hash == h && t->len == n && !memcmp(x->pool.ptr + t->str, s, n))
            return t;
    }
    if (x->nterms >= UINT32_MAX - 1 || x->pool.len > UINT32_MAX - GX_TERM_MAX ||
        gx_grow(&x->terms, &x->terms_cap, x->nterms + 1, sizeof *x->terms) ||
        gx_buf_put(&x->pool, s, n))
        return NULL;
    t = &x->terms[x->nterms];
    memset(t, 0, sizeof *t);
    t->str = (uint32_t)(x->pool.len - n);
    t->hash = h;
    t->len = (uint8_t)n;
    t->prev_doc = -1;
    x->table[k] = (uint32_t)++x->nterms;
    return t;
}

static int
S_on_token(void *ud, const gx_tok *tok)
{
    S_ix *x = ud;
    S_term *t = S_term_get(x, tok->term, tok->len);
    uint32_t ti;
    if (!t)
        return GROKX_E_NOMEM;
    ti = (uint32_t)(t - x->terms);
    if (t->last_doc != x->doc + 1) {
        if (gx_grow(&x->touched, &x->touched_cap, x->ntouched + 1, sizeof *x->touched))
            return GROKX_E_NOMEM;
        x->touched[x->ntouched++] = ti;
        t->last_doc = x->doc + 1;
        t->freq = 0;
        t->head = t->tail = S_NONE;
    } else if (x->scratch[t->tail].pos == tok->pos) {
        return 0; /* one position once per term */
    }
    if (x->nscratch >= UINT32_MAX - 1 ||
        gx_grow(&x->scratch, &x->scratch_cap, x->nscratch + 1, sizeof *x->scratch))
        return GROKX_E_NOMEM;
    x->scratch[x->nscratch].pos = tok->pos;
    x->scratch[x->nscratch].next = S_NONE;
    if (t->tail == S_NONE)
        t->head = (uint32_t)x->nscratch;
    else
        x->scratch[t->tail].next = (uint32_t)x->nscratch;
    t->tail = (uint32_t)x->nscratch++;
    t->freq++;
    if (!x->any_pos || tok->pos > x->last_pos)
        x->last_pos = tok->pos;
    x->any_pos = 1;
    return 0;
}

/* Append the current document's occurrences to each touched term. */
static int
S_doc_postings(S_ix *x)
{
    size_t i;
    for (i = 0; i < x->ntouched; i++) {
        S_term *t = &x->terms[x->touched[i]];
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
            x->held += cap - old;
        }
        p = t->buf + t->len_buf;
        p += gx_varint_put(p, (uint64_t)((int64_t)x->doc - t->prev_doc));
        p += gx_varint_put(p, t->freq);
        for (k = t->head; k != S_NONE; k = x->scratch[k].next) {
            p += gx_varint_put(p, x->scratch[k].pos - prev);
            prev = x->scratch[k].pos;
        }
        t->len_buf = (size_t)(p - t->buf);
        t->prev_doc = x->doc;
    }
    x->ntouched = x->nscratch = 0;
    return 0;
}

/* ---- records -------------------------------------------------------- */

/* A string into strs as a 12-byte reference. */
static int
S_str_ref(S_ix *x, unsigned char *ref, const char *s, size_t n)
{
    gx_put64(ref, x->strs.len);
    gx_put32(ref + 8, (uint32_t)GX_MIN(n, (size_t)UINT32_MAX));
    return gx_buf_put(&x->strs, s, GX_MIN(n, (size_t)UINT32_MAX));
}

/* The index of a sender or model name in this segment's names table. */
static int
S_name(S_ix *x, grokx_str s, uint16_t *out)
{
    size_t i;
    unsigned char ref[GX_IX_NAME_REC];
    if (s.len > 256)
        s.len = 256; /* a name, not a text */
    for (i = 0; i < x->nnames; i++) /* few names: senders and models */
        if (x->name_list[i].len == s.len && !memcmp(x->strs.ptr + x->name_off[i], s.ptr, s.len)) {
            *out = (uint16_t)i;
            return 0;
        }
    if (x->nnames >= 65535) { /* a hostile export: the last slot stands for the rest */
        *out = 65535;
        return 0;
    }
    if (gx_grow(&x->name_list, &x->names_cap, x->nnames + 1, sizeof *x->name_list) ||
        !(x->name_off = realloc(x->name_off, x->names_cap * sizeof *x->name_off)))
        return GROKX_E_NOMEM;
    x->name_off[x->nnames] = x->strs.len;
    x->name_list[x->nnames].len = s.len;
    if (S_str_ref(x, ref, s.ptr, s.len) || gx_buf_put(&x->names, ref, sizeof ref))
        return GROKX_E_NOMEM;
    *out = (uint16_t)x->nnames++;
    return 0;
}

/* Compress the raw store block into the store. */
static int
S_store_flush(S_ix *x)
{
    unsigned char off[8], hdr[4];
    uLongf n;
    int rc;
    if (!x->raw.len)
        return 0;
    n = compressBound((uLong)x->raw.len);
    gx_put32(hdr, (uint32_t)x->raw.len);
    if ((rc = gx_buf_reserve(&x->store, 4 + (size_t)n)) != 0)
        return rc;
    memcpy(x->store.ptr + x->store.len, hdr, 4);
    if (compress2((Bytef *)x->store.ptr + x->store.len + 4, &n, (const Bytef *)x->raw.ptr,
                  (uLong)x->raw.len, 1) != Z_OK)
        return GROKX_E_NOMEM;
    x->store.len += 4 + (size_t)n;
    gx_put64(off, x->store.len);
    x->nstore_blocks++;
    x->raw.len = 0;
    return gx_buf_put(&x->store_index, off, sizeof off);
}

/* The text a person searches: prose and artifacts, not card markup. */
static int
S_clean_text(S_ix *x, grokx_str text)
{
    gx_rich it;
    gx_segment seg;
    x->clean.len = 0;
    gx_rich_init(&it, text.ptr, text.len);
    while (gx_rich_next(&it, &seg)) {
        int rc = 0;
        if (seg.kind == GX_SEG_TEXT)
            rc = gx_buf_put(&x->clean, seg.text, seg.len);
        else if (seg.kind == GX_SEG_ARTIFACT) {
            if (!(rc = gx_buf_puts(&x->clean, "\n")) && !(rc = gx_buf_puts(&x->clean, seg.title)) &&
                !(rc = gx_buf_puts(&x->clean, "\n")))
                rc = gx_buf_put(&x->clean, seg.text, seg.len);
            if (!rc)
                rc = gx_buf_puts(&x->clean, "\n");
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int
S_message(S_ix *x, uint32_t conv, const grokx_message *m)
{
    unsigned char rec[GX_IX_DOC_REC];
    uint16_t model, sender;
    int rc;
    if ((rc = S_clean_text(x, m->text)) != 0)
        return rc;
    x->any_pos = 0;
    x->last_pos = 0;
    if ((rc = gx_tokenize(x->clean.ptr ? x->clean.ptr : "", x->clean.len, S_on_token, x)) ||
        (rc = S_doc_postings(x)))
        return rc;
    if ((rc = S_name(x, m->model, &model)) || (rc = S_name(x, m->sender, &sender)))
        return rc;
    if (x->raw.len >= GX_IX_STORE_BLOCK && (rc = S_store_flush(x)))
        return rc;
    memset(rec, 0, sizeof rec);
    gx_put32(rec, conv);
    gx_put32(rec + 4, x->any_pos ? GX_MIN(x->last_pos, UINT32_MAX - 1) + 1 : 0);
    gx_put64(rec + 8, (uint64_t)m->create_time);
    gx_put32(rec + 16, (uint32_t)x->nstore_blocks);
    gx_put32(rec + 20, (uint32_t)x->raw.len);
    gx_put16(rec + 24, model);
    gx_put16(rec + 26, sender);
    rec[28] = m->role == GROKX_ROLE_USER ? 0 : 1;
    rec[29] = m->flags & GROKX_MSG_ACTIVE ? GX_IX_DOC_ACTIVE : 0;
    x->total_tokens += gx_le32(rec + 4);
    if ((rc = gx_buf_varint(&x->raw, m->id.len)) || (rc = gx_buf_put(&x->raw, m->id.ptr, m->id.len)) ||
        (rc = gx_buf_varint(&x->raw, x->clean.len)) ||
        (rc = gx_buf_put(&x->raw, x->clean.ptr, x->clean.len)) ||
        (rc = gx_buf_put(&x->docs, rec, sizeof rec)))
        return rc;
    if (x->raw.len > GX_IX_STORE_RAW_MAX)
        return GROKX_E_LIMIT;
    x->doc++;
    x->ndocs++;
    return 0;
}

/* ---- segments ------------------------------------------------------- */

static const S_ix *S_sort_ctx;
static int
S_term_cmp(const void *a, const void *b)
{
    const S_term *x = &S_sort_ctx->terms[*(const uint32_t *)a];
    const S_term *y = &S_sort_ctx->terms[*(const uint32_t *)b];
    int c = memcmp(S_sort_ctx->pool.ptr + x->str, S_sort_ctx->pool.ptr + y->str,
                   GX_MIN(x->len, y->len));
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Write what is in memory as a complete index file on out. */
static int
S_write(S_ix *x, grokx_sink out)
{
    gx_ixw w;
    gx_penc e;
    gx_ix_counts n;
    uint32_t *order = NULL, *pos = NULL;
    size_t i, pos_cap = 0;
    int rc = 0;
    if ((rc = S_store_flush(x)) != 0)
        return rc;
    if (x->nterms && !(order = malloc(x->nterms * sizeof *order)))
        return GROKX_E_NOMEM;
    for (i = 0; i < x->nterms; i++)
        order[i] = (uint32_t)i;
    S_sort_ctx = x; /* qsort has no context argument in C11 */
    if (x->nterms)
        qsort(order, x->nterms, sizeof *order, S_term_cmp);
    gx_ixw_init(&w, out, &x->mem);
    gx_penc_init(&e, &x->mem);
    for (i = 0; i < x->nterms && !rc; i++) {
        const S_term *t = &x->terms[order[i]];
        const unsigned char *p = t->buf, *end = t->buf + t->len_buf;
        int64_t doc = -1;
        gx_penc_reset(&e);
        while (p < end && !rc) { /* our own bytes: well formed */
            uint64_t gap = 0, f = 0, v = 0, k;
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
            for (k = 0; k < f; k++) {
                gx_varint(&p, end, &v);
                at += (uint32_t)v;
                pos[k] = at;
            }
            rc = gx_penc_add(&e, (uint32_t)doc, pos, (uint32_t)f);
        }
        if (!rc && !(rc = gx_penc_finish(&e)))
            rc = gx_ixw_term(&w, x->pool.ptr + t->str, t->len, &e);
    }
    gx_penc_free(&e);
    free(order);
    free(pos);
    if (!rc && w.cur == GX_SEC_POSTINGS)
        rc = gx_ixw_end(&w);
    if (!rc && !(rc = gx_ixw_begin(&w, GX_SEC_STORE)) &&
        !(rc = gx_ixw_put(&w, x->store.ptr, x->store.len)) && !(rc = gx_ixw_end(&w)) &&
        !(rc = gx_ixw_begin(&w, GX_SEC_STORE_INDEX))) {
        unsigned char zero[8] = {0};
        if (!(rc = gx_ixw_put(&w, zero, 8)) &&
            !(rc = gx_ixw_put(&w, x->store_index.ptr, x->store_index.len)))
            rc = gx_ixw_end(&w);
    }
    if (!rc && !(rc = gx_ixw_begin(&w, GX_SEC_DOCS)) &&
        !(rc = gx_ixw_put(&w, x->docs.ptr, x->docs.len)) && !(rc = gx_ixw_end(&w)) &&
        !(rc = gx_ixw_begin(&w, GX_SEC_CONVS)) &&
        !(rc = gx_ixw_put(&w, x->convs.ptr, x->convs.len)) && !(rc = gx_ixw_end(&w)) &&
        !(rc = gx_ixw_begin(&w, GX_SEC_NAMES)) &&
        !(rc = gx_ixw_put(&w, x->names.ptr, x->names.len)) && !(rc = gx_ixw_end(&w)) &&
        !(rc = gx_ixw_begin(&w, GX_SEC_STRS)) &&
        !(rc = gx_ixw_put(&w, x->strs.ptr, x->strs.len)))
        rc = gx_ixw_end(&w);
    if (!rc) {
        n.ndocs = x->ndocs;
        n.nconvs = x->nconvs;
        n.nnames = x->nnames;
        n.nstore_blocks = x->nstore_blocks;
        n.total_tokens = x->total_tokens;
        rc = gx_ixw_finish(&w, &n);
    }
    gx_ixw_free(&w);
    return rc;
}

/* Forget the segment in memory (keeping the buffers' memory for reuse
 * would keep the peak at the budget anyway; terms are freed). */
static void
S_reset(S_ix *x)
{
    size_t i;
    for (i = 0; i < x->nterms; i++)
        free(x->terms[i].buf);
    x->nterms = 0;
    x->held = 0;
    memset(x->table, 0, x->table_cap * sizeof *x->table);
    x->pool.len = 0;
    x->docs.len = x->convs.len = x->strs.len = x->names.len = 0;
    x->store.len = x->store_index.len = x->raw.len = 0;
    x->nstore_blocks = x->total_tokens = 0;
    x->ndocs = x->nconvs = 0;
    x->nnames = 0;
    x->doc = 0;
}

static size_t
S_used(const S_ix *x)
{
    return x->held + x->terms_cap * sizeof *x->terms + x->table_cap * sizeof *x->table +
           x->pool.cap + x->docs.cap + x->convs.cap + x->strs.cap + x->store.cap +
           x->store_index.cap;
}

static int
S_spill(S_ix *x)
{
    int fd, rc;
    grokx_sink s;
    if (x->nsegs == S_MAX_SEGMENTS)
        return snprintf(x->why, sizeof x->why, "index: more than %d segments: raise the memory budget",
                        S_MAX_SEGMENTS), GROKX_E_LIMIT;
    if ((fd = gx_temp_fd(x->cfg.temp_dir)) < 0)
        return snprintf(x->why, sizeof x->why, "index: a temporary segment: %s", strerror(errno)),
               GROKX_E_IO;
    x->segs[x->nsegs++] = fd;
    s.write = gx_fd_sink_write;
    s.ud = &x->segs[x->nsegs - 1];
    if ((rc = S_write(x, s)) != 0) {
        if (rc == GROKX_E_IO)
            snprintf(x->why, sizeof x->why, "index: writing a temporary segment: %s",
                     strerror(errno));
        return rc;
    }
    S_reset(x);
    return 0;
}

/* ---- the writer ----------------------------------------------------- */

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_ix *x = self;
    unsigned char rec[GX_IX_CONV_REC], ref[12];
    char dir[64], rel[1024];
    size_t i;
    int rc;
    if (x->docs_total + x->ndocs + c->message_count >= UINT32_MAX - 1)
        return snprintf(x->why, sizeof x->why, "index: more than 2^32 messages"), GROKX_E_LIMIT;
    if ((rc = gx_layout_place(&x->layout, c, "md", dir, sizeof dir, rel, sizeof rel)) != 0)
        return rc;
    memset(rec, 0, sizeof rec);
    if ((rc = S_str_ref(x, rec, c->id.ptr, c->id.len)) || (rc = S_str_ref(x, ref, c->title.ptr, c->title.len)) ||
        (rc = S_str_ref(x, rec + 24, rel, strlen(rel))))
        return rc;
    memcpy(rec + 16, ref, 8); /* title: offset at 16, length at 12 */
    memcpy(rec + 12, ref + 8, 4);
    gx_put32(rec + 36, c->starred ? GX_IX_CONV_STARRED : 0);
    gx_put64(rec + 40, (uint64_t)c->create_time);
    gx_put64(rec + 48, (uint64_t)c->modify_time);
    gx_put32(rec + 56, x->ndocs);
    gx_put32(rec + 60, (uint32_t)c->message_count);
    for (i = 0; i < c->message_count; i++)
        if ((rc = S_message(x, x->nconvs, &c->messages[i])) != 0)
            return rc;
    if ((rc = gx_buf_put(&x->convs, rec, sizeof rec)) != 0)
        return rc;
    x->nconvs++;
    if (S_used(x) > x->budget) {
        x->docs_total += x->ndocs;
        return S_spill(x);
    }
    return 0;
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_ix *x = self;
    gx_ix ixs[S_MAX_SEGMENTS];
    gx_ix *ptrs[S_MAX_SEGMENTS];
    size_t i, opened = 0;
    int rc = 0;
    GX_UNUSED(st);
    if (!x->nsegs) { /* it all fit: write it once */
        rc = S_write(x, x->cfg.sink);
        if (rc == GROKX_E_IO)
            snprintf(x->why, sizeof x->why, "index: writing the index: %s", strerror(errno));
        return rc;
    }
    if (x->ndocs || x->nconvs) {
        x->docs_total += x->ndocs;
        if ((rc = S_spill(x)) != 0)
            return rc;
    }
    S_reset(x);
    for (i = 0; i < x->nsegs && !rc; i++) {
        struct stat sb;
        void *m;
        if (fstat(x->segs[i], &sb) != 0 ||
            (m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, x->segs[i], 0)) == MAP_FAILED) {
            snprintf(x->why, sizeof x->why, "index: reading a temporary segment: %s",
                     strerror(errno));
            rc = GROKX_E_IO;
            break;
        }
        rc = gx_ix_open_mem(&ixs[i], m, (uint64_t)sb.st_size);
        ixs[i].map = m;
        ixs[i].map_len = (size_t)sb.st_size;
        ptrs[i] = &ixs[i];
        opened++;
        if (rc)
            snprintf(x->why, sizeof x->why, "index: a temporary segment: %s", ixs[i].why);
    }
    if (!rc)
        rc = gx_ix_merge(ptrs, x->nsegs, 0, x->cfg.sink, &x->mem, x->why, sizeof x->why);
    for (i = 0; i < opened; i++)
        gx_ix_close(&ixs[i]);
    return rc;
}

static const char *
S_why(void *self)
{
    S_ix *x = self;
    return x->why[0] ? x->why : NULL;
}

static void
S_destroy(void *self)
{
    S_ix *x = self;
    size_t i;
    S_reset(x);
    for (i = 0; i < x->nsegs; i++)
        close(x->segs[i]);
    free(x->terms);
    free(x->table);
    free(x->touched);
    free(x->scratch);
    free(x->name_list);
    free(x->name_off);
    gx_buf_free(&x->pool);
    gx_buf_free(&x->clean);
    gx_buf_free(&x->docs);
    gx_buf_free(&x->convs);
    gx_buf_free(&x->strs);
    gx_buf_free(&x->names);
    gx_buf_free(&x->store);
    gx_buf_free(&x->store_index);
    gx_buf_free(&x->raw);
    gx_layout_free(&x->layout);
    free(x);
}

int
gx_writer_index_new(const grokx_writer_config *cfg, grokx_writer **out)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, S_conversation, NULL,
                                           S_end, S_destroy, S_why};
    grokx_writer_config lc = *cfg;
    S_ix *x;
    if (!cfg->sink.write)
        return GROKX_E_INVALID;
    if (!(x = calloc(1, sizeof *x)))
        return GROKX_E_NOMEM;
    x->cfg = *cfg;
    x->budget = cfg->memory_budget ? cfg->memory_budget : S_DEFAULT_BUDGET;
    gx_mem_init(&x->mem, NULL, NULL, 0);
    gx_buf_init(&x->pool, &x->mem);
    gx_buf_init(&x->clean, &x->mem);
    gx_buf_init(&x->docs, &x->mem);
    gx_buf_init(&x->convs, &x->mem);
    gx_buf_init(&x->strs, &x->mem);
    gx_buf_init(&x->names, &x->mem);
    gx_buf_init(&x->store, &x->mem);
    gx_buf_init(&x->store_index, &x->mem);
    gx_buf_init(&x->raw, &x->mem);
    lc.out_dir = NULL;
    if (gx_layout_init(&x->layout, &lc) != 0 || S_table_grow(x) != 0) {
        S_destroy(x);
        return GROKX_E_NOMEM;
    }
    x->layout.names_only = 1;
    if (!(*out = grokx_writer_new(&vt, x))) {
        S_destroy(x);
        return GROKX_E_NOMEM;
    }
    return 0;
}
