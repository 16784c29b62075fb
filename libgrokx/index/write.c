/*
 * write.c -- encoding a search index file (docs/index-format.md):
 * varints, one term's postings in blocks, and the file itself, streamed
 * to a sink front to back (the directory is at the end, so nothing is
 * ever rewritten and the output can be a pipe or a temp-then-rename file).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/ix.h"

int
gx_buf_varint(gx_buf *b, uint64_t v)
{
    int rc;
    if (b->cap - b->len < 12 && (rc = gx_buf_reserve(b, 11)) != 0)
        return rc;
    b->len += gx_varint_put((unsigned char *)b->ptr + b->len, v);
    return 0;
}

/* ---- packed integers ------------------------------------------------- */

static unsigned
S_bits(uint32_t v)
{
#if defined(__GNUC__)
    return v ? 32u - (unsigned)__builtin_clz(v) : 0;
#else
    unsigned b = 0;
    while (v)
        b++, v >>= 1;
    return b;
#endif
}

int
gx_pfor_put(gx_buf *out, const uint32_t *v, size_t n)
{
    /* Four histograms of bit widths, summed after: consecutive values of
     * one width would otherwise wait on each other's increment. */
    size_t hist[4][33] = {{0}}, i, best_cost, nbytes, nexc, above = 0, left;
    unsigned b, best, top;
    unsigned char *p;
    uint64_t acc = 0;
    unsigned have = 0;
    size_t last = 0;
    int rc;
    for (i = 0; i + 4 <= n; i += 4) {
        hist[0][S_bits(v[i])]++;
        hist[1][S_bits(v[i + 1])]++;
        hist[2][S_bits(v[i + 2])]++;
        hist[3][S_bits(v[i + 3])]++;
    }
    for (; i < n; i++)
        hist[0][S_bits(v[i])]++;
    for (b = 0; b <= 32; b++)
        hist[0][b] += hist[1][b] + hist[2][b] + hist[3][b];
    for (top = 32; top && !hist[0][top]; top--)
        ;
    best = top;
    best_cost = (n * top + 7) / 8;
    nexc = 0;
    for (b = top; b-- > 0;) { /* fewer bits, more exceptions (about 3 bytes each) */
        size_t cost;
        above += hist[0][b + 1];
        cost = (n * b + 7) / 8 + 3 * above;
        if (cost < best_cost)
            best_cost = cost, best = b, nexc = above;
    }
    b = best;
    nbytes = (n * b + 7) / 8;
    if ((rc = gx_buf_reserve(out, 1 + nbytes + 8)) != 0) /* + 8: a varint count follows */
        return rc;
    p = (unsigned char *)out->ptr + out->len;
    *p++ = (unsigned char)b;
    if (b) { /* 32 bits out at a time: have + b stays under 64 */
        const uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
        for (i = 0; i < n; i++) {
            acc |= (uint64_t)(v[i] & mask) << have;
            if ((have += b) >= 32) {
                gx_put32(p, (uint32_t)acc);
                p += 4;
                acc >>= 32;
                have -= 32;
            }
        }
        for (; have > 0; have = have > 8 ? have - 8 : 0) {
            *p++ = (unsigned char)acc;
            acc >>= 8;
        }
    }
    out->len = (size_t)(p - (unsigned char *)out->ptr);
    if ((rc = gx_buf_varint(out, nexc)) != 0)
        return rc;
    for (i = 0, left = nexc; left; i++) /* b < 32 here: a value of 32 bits is never above */
        if (v[i] >> b) {
            if ((rc = gx_buf_varint(out, i - last)) || (rc = gx_buf_varint(out, v[i] >> b)))
                return rc;
            last = i;
            left--;
        }
    return 0;
}

/* ---- postings ------------------------------------------------------- */

void
gx_penc_init(gx_penc *e, gx_mem *mem, double avgdl)
{
    memset(e, 0, sizeof *e);
    e->avgdl = avgdl;
    e->len_c0 = GX_BM25_K1 * (1 - GX_BM25_B);
    e->len_c1 = GX_BM25_K1 * GX_BM25_B / avgdl;
    gx_buf_init(&e->docs, mem);
    gx_buf_init(&e->skip, mem);
    gx_buf_init(&e->pos, mem);
    gx_penc_reset(e);
}

void
gx_penc_reset(gx_penc *e)
{
    e->docs.len = e->skip.len = e->pos.len = 0;
    e->df = e->nblocks = 0;
    e->prev_doc = e->block_prev = -1;
    e->block_docs_start = e->block_pos_start = 0;
    e->bn = e->bpos_n = 0;
    e->block_max = 0;
}

void
gx_penc_free(gx_penc *e)
{
    gx_buf_free(&e->docs);
    gx_buf_free(&e->skip);
    gx_buf_free(&e->pos);
    free(e->bpos);
    e->bpos = NULL;
    e->bpos_cap = 0;
}

/* Encode the block in hand, with its skip entry. */
static int
S_penc_close_block(gx_penc *e)
{
    int rc;
    if (!e->bn)
        return 0;
    if ((rc = gx_pfor_put(&e->docs, e->gaps, e->bn)) ||
        (rc = gx_pfor_put(&e->docs, e->freqs, e->bn)) ||
        (rc = gx_pfor_put(&e->pos, e->bpos, e->bpos_n)) ||
        (rc = gx_buf_varint(&e->skip, (uint64_t)(e->prev_doc - e->block_prev))) ||
        (rc = gx_buf_varint(&e->skip, e->docs.len - e->block_docs_start)) ||
        (rc = gx_buf_varint(&e->skip, e->pos.len - e->block_pos_start)) ||
        (rc = gx_buf_varint(&e->skip, gx_impact_q(e->block_max))))
        return rc;
    e->block_max = 0;
    e->block_prev = e->prev_doc;
    e->block_docs_start = e->docs.len;
    e->block_pos_start = e->pos.len;
    e->bn = e->bpos_n = 0;
    e->nblocks++;
    return 0;
}

int
gx_penc_add(gx_penc *e, uint32_t doc, uint32_t dl, const uint32_t *pos, uint32_t freq)
{
    uint32_t i;
    double f = freq, m;
    int rc;
    if ((int64_t)doc <= e->prev_doc || !freq)
        return GROKX_E_INVALID;
    if (e->bn == GX_IX_BLOCK_DOCS && (rc = S_penc_close_block(e)) != 0)
        return rc;
    if (freq > GX_IX_BLOCK_POS_MAX - e->bpos_n)
        return GROKX_E_LIMIT; /* more positions in 128 messages than a reader accepts */
    if (e->bpos_n + freq > e->bpos_cap &&
        gx_grow(&e->bpos, &e->bpos_cap, e->bpos_n + freq, sizeof *e->bpos))
        return GROKX_E_NOMEM;
    for (i = 0; i < freq; i++) {
        if (i && pos[i] <= pos[i - 1])
            return GROKX_E_INVALID;
        e->bpos[e->bpos_n++] = i ? pos[i] - pos[i - 1] - 1 : pos[0];
    }
    /* part > m is f (k1 + 1) > m (f + D); with D computed without its
     * division and a margin far above its rounding, only a posting that may
     * raise the block's impact pays for the exact value. */
    m = e->block_max; /* after the close above, which resets it */
    if (m == 0 || f * (GX_BM25_K1 + 1) >= m * (f + e->len_c0 + e->len_c1 * dl) * (1 - 1e-9)) {
        double part = gx_bm25_tf(f, dl, e->avgdl);
        if (part > m)
            e->block_max = part;
    }
    e->gaps[e->bn] = (uint32_t)((int64_t)doc - e->prev_doc - 1);
    e->freqs[e->bn++] = freq - 1;
    e->prev_doc = doc;
    e->df++;
    return 0;
}

int
gx_penc_finish(gx_penc *e)
{
    int rc = S_penc_close_block(e);
    if (e->nblocks <= 1)
        e->skip.len = 0; /* one block: nothing to skip */
    return rc;
}

/* ---- the message store ----------------------------------------------- */

void
gx_storew_init(gx_storew *s, gx_mem *mem)
{
    memset(s, 0, sizeof *s);
    gx_buf_init(&s->raw, mem);
    gx_buf_init(&s->out, mem);
    gx_buf_init(&s->index, mem);
    s->marks.min = GX_MARK_MIN;
    s->marks.step = GX_MARK_STEP;
}

void
gx_storew_reset(gx_storew *s)
{
    s->raw.len = s->out.len = s->index.len = 0;
    s->nblocks = s->bytes = 0;
    s->whole = 0;
}

void
gx_storew_free(gx_storew *s)
{
    gx_buf_free(&s->raw);
    gx_buf_free(&s->out);
    gx_buf_free(&s->index);
    gx_store_deflate_end(&s->z);
}

/* Where a long text gets its marks: at a token that starts after an ASCII
 * separator (the tokenizer holds nothing open there: tokenising from that
 * byte gives the same tokens) and after the previous token's start, about
 * every step bytes. raw is filled with the record's offsets and
 * pos with token positions; z later. */
typedef struct S_marking {
    const unsigned char *text;
    size_t hdr, next, last, step;
    uint32_t last_pos;
    int any, err;
    gx_buf *marks;
} S_marking;

static int
S_mark_cb(void *ud, const gx_tok *t)
{
    S_marking *k = ud;
    if (t->start >= k->next && k->any && t->start > k->last && gx_tok_sep_byte(k->text[t->start - 1])) {
        unsigned char rec[GX_IX_MARK_REC];
        gx_put32(rec, (uint32_t)(k->hdr + t->start));
        gx_put32(rec + 4, 0);
        gx_put32(rec + 8, t->pos);
        if (gx_buf_put(k->marks, rec, sizeof rec))
            return k->err = GROKX_E_NOMEM;
        k->next = t->start + k->step;
    } else if (k->any && t->start == k->last && t->pos != k->last_pos) {
        /* one character, two positions (½ gives 1 and 2): the part is dense */
        unsigned char *rec = (unsigned char *)k->marks->ptr + k->marks->len - GX_IX_MARK_REC;
        gx_put32(rec, gx_le32(rec) | GX_IX_MARK_DENSE);
    }
    k->any = 1;
    k->last = t->start;
    k->last_pos = t->pos;
    return 0;
}

/* Deflate raw[0..n) into out from out->len, with a full flush (the data
 * so far is complete and the window forgotten, so inflating can start
 * there) at each cut: cuts[i] raw offsets, their deflate offsets into z_at. */
static int
S_deflate_cut(z_stream *z, const unsigned char *raw, size_t n, const uint32_t *cuts,
              size_t ncuts, uint32_t *z_at, gx_buf *out)
{
    size_t i, from = 0, base = out->len;
    for (i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : n;
        int flush = i < ncuts ? Z_FULL_FLUSH : Z_FINISH, zr;
        z->next_in = (Bytef *)(uintptr_t)(raw + from);
        z->avail_in = (uInt)(to - from);
        for (;;) {
            size_t room = (size_t)deflateBound(z, (uLong)z->avail_in) + 64;
            if (gx_buf_reserve(out, room))
                return GROKX_E_NOMEM;
            z->next_out = (Bytef *)out->ptr + out->len;
            z->avail_out = (uInt)room;
            zr = deflate(z, flush);
            out->len += room - z->avail_out;
            if (zr == Z_STREAM_END || (flush != Z_FINISH && zr == Z_OK && z->avail_out && !z->avail_in))
                break;
            if (zr != Z_OK && zr != Z_BUF_ERROR)
                return GROKX_E_NOMEM;
        }
        if (i < ncuts) {
            if (out->len - base > UINT32_MAX)
                return GROKX_E_LIMIT;
            z_at[i] = (uint32_t)(out->len - base);
        }
        from = to;
    }
    return 0;
}

/* A block of one record with a long text: marked (docs/index-format.md). */
static int
S_deflate_marked(z_stream *z, size_t step, const unsigned char *raw, size_t n, size_t hdr,
                 gx_buf *out, size_t *took)
{
    gx_buf marks;
    S_marking k;
    uint32_t *cuts = NULL, *z_at = NULL;
    size_t nm, i, at = out->len, table;
    int rc;
    gx_buf_init(&marks, out->mem);
    memset(&k, 0, sizeof k);
    k.text = raw + hdr;
    k.hdr = hdr;
    k.step = step;
    k.next = step;
    k.marks = &marks;
    { /* mark 0: the text's start, position 0 */
        unsigned char rec[GX_IX_MARK_REC] = {0};
        gx_put32(rec, (uint32_t)hdr);
        if (gx_buf_put(&marks, rec, sizeof rec))
            return GROKX_E_NOMEM;
    }
    rc = gx_tokenize((const char *)raw + hdr, n - hdr, S_mark_cb, &k);
    if (!rc && k.err)
        rc = k.err;
    nm = marks.len / GX_IX_MARK_REC;
    if (!rc && (!(cuts = malloc(nm * sizeof *cuts)) || !(z_at = malloc(nm * sizeof *z_at))))
        rc = GROKX_E_NOMEM;
    for (i = 0; !rc && i < nm; i++)
        cuts[i] = gx_le32((const unsigned char *)marks.ptr + i * GX_IX_MARK_REC) & ~GX_IX_MARK_DENSE;
    table = 8 + nm * GX_IX_MARK_REC;
    if (!rc && !(rc = gx_buf_reserve(out, table))) {
        out->len += table;
        rc = S_deflate_cut(z, raw, n, cuts, nm, z_at, out);
    }
    if (!rc) {
        unsigned char *p = (unsigned char *)out->ptr + at;
        gx_put32(p, (uint32_t)n | GX_IX_STORE_MARKED);
        gx_put32(p + 4, (uint32_t)nm);
        for (i = 0; i < nm; i++) {
            memcpy(p + 8 + i * GX_IX_MARK_REC, marks.ptr + i * GX_IX_MARK_REC, GX_IX_MARK_REC);
            gx_put32(p + 8 + i * GX_IX_MARK_REC + 4, z_at[i]);
        }
        *took = out->len - at;
    } else {
        out->len = at;
    }
    free(cuts);
    free(z_at);
    gx_buf_free(&marks);
    return rc;
}

/* The header of the block's first record when it is the only one and its
 * text is long: its length, or 0. */
static size_t
S_long_record(const gx_marks *m, const unsigned char *raw, size_t n)
{
    const unsigned char *p = raw, *end = raw + n;
    uint64_t a, b;
    if (n < m->min || gx_varint(&p, end, &a) || a > (uint64_t)(end - p))
        return 0;
    p += a;
    if (gx_varint(&p, end, &b) || b != (uint64_t)(end - p) || !gx_store_long(m, (size_t)b))
        return 0;
    return (size_t)(p - raw);
}

int
gx_store_deflate(void **zp, const gx_marks *m, const void *raw, size_t n, gx_buf *out,
                 size_t *took)
{
    z_stream *z = *zp;
    uLong bound;
    size_t hdr;
    int rc;
    if (!z) { /* level 1: the store is read for snippets, speed matters more */
        if (!(z = calloc(1, sizeof *z)))
            return GROKX_E_NOMEM;
        /* raw deflate (the sections have CRCs; an Adler-32 per block was a
         * tenth of a search's time), a 16 KiB window and a small hash:
         * blocks are 16 KiB, and deflateReset clears the hash each time */
        if (deflateInit2(z, 1, Z_DEFLATED, -14, 6, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(z);
            return GROKX_E_NOMEM;
        }
        *zp = z;
    } else if (deflateReset(z) != Z_OK) {
        return GROKX_E_NOMEM;
    }
    if ((hdr = S_long_record(m, raw, n)) != 0)
        return S_deflate_marked(z, m->step, raw, n, hdr, out, took);
    bound = deflateBound(z, (uLong)n);
    if ((rc = gx_buf_reserve(out, 4 + (size_t)bound)) != 0)
        return rc;
    gx_put32((unsigned char *)out->ptr + out->len, (uint32_t)n);
    z->next_in = (Bytef *)(uintptr_t)raw;
    z->avail_in = (uInt)n;
    z->next_out = (Bytef *)out->ptr + out->len + 4;
    z->avail_out = (uInt)bound;
    if (deflate(z, Z_FINISH) != Z_STREAM_END)
        return GROKX_E_NOMEM;
    *took = 4 + (size_t)z->total_out;
    out->len += *took;
    return 0;
}

void
gx_store_deflate_end(void **zp)
{
    if (*zp) {
        deflateEnd(*zp);
        free(*zp);
    }
    *zp = NULL;
}

int
gx_storew_flush(gx_storew *s)
{
    unsigned char off[8];
    size_t took;
    int rc;
    if (!s->raw.len)
        return 0;
    if ((rc = gx_store_deflate(&s->z, &s->marks, s->raw.ptr, s->raw.len, &s->out, &took)) != 0)
        return rc;
    s->bytes += took;
    gx_put64(off, s->bytes);
    s->nblocks++;
    s->raw.len = 0;
    s->whole = 0;
    return gx_buf_put(&s->index, off, sizeof off);
}

int
gx_storew_add(gx_storew *s, grokx_str id, grokx_str text, uint32_t *block, uint32_t *off)
{
    int rc;
    if (gx_store_full(s, text.len) && (rc = gx_storew_flush(s)) != 0)
        return rc; /* a long text gets a block to itself, marked */
    if (s->nblocks >= UINT32_MAX)
        return GROKX_E_LIMIT;
    *block = (uint32_t)s->nblocks;
    *off = (uint32_t)s->raw.len;
    s->whole = gx_store_long(&s->marks, text.len);
    if ((rc = gx_buf_varint(&s->raw, id.len)) || (rc = gx_buf_put(&s->raw, id.ptr, id.len)) ||
        (rc = gx_buf_varint(&s->raw, text.len)) || (rc = gx_buf_put(&s->raw, text.ptr, text.len)))
        return rc;
    return s->raw.len > GX_IX_STORE_RAW_MAX ? GROKX_E_LIMIT : 0;
}

/* ---- the file ------------------------------------------------------- */

/* The checksums of the buffered bytes not yet counted, each byte read
 * once: a piece's CRC is combined into the open section's and into its
 * page's (a piece never crosses a page), each full page's CRC going to
 * PAGES. Run before the buffer is written out and at each section's
 * start and end. */
static void
S_crc_sync(gx_ixw *w)
{
    uint64_t start = w->off - w->blen; /* the file offset of buf[0] */
    while (w->crc_at < w->off) {
        const unsigned char *p = w->buf + (w->crc_at - start);
        uint64_t n = w->off - w->crc_at;
        uint32_t c;
        if (!w->paged)
            n = GX_MIN(n, GX_IX_PAGE - w->page_fill);
        if (!w->cur && w->paged) { /* the directory and footer: no checksum here */
            w->crc_at += n;
            continue;
        }
        c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
        if (w->cur)
            w->crc = (uint32_t)crc32_combine(w->crc, c, (z_off_t)n);
        if (!w->paged) {
            w->page_crc = w->page_fill ? (uint32_t)crc32_combine(w->page_crc, c, (z_off_t)n) : c;
            w->page_fill += n;
            if (w->page_fill == GX_IX_PAGE) {
                unsigned char b[4];
                gx_put32(b, w->page_crc);
                if (gx_buf_put(&w->pages, b, 4) && !w->err)
                    w->err = GROKX_E_NOMEM;
                w->page_fill = 0;
            }
        }
        w->crc_at += n;
    }
}

static void
S_flush(gx_ixw *w)
{
    S_crc_sync(w);
    if (w->blen && !w->err && gx_sink_write(w->out, (const char *)w->buf, w->blen)) {
        w->err = GROKX_E_IO;
        w->errnum = errno ? errno : EIO;
    }
    w->blen = 0;
}

/* Raw bytes, counted in the open section's checksum and in the pages'
 * (S_crc_sync). */
static void
S_out(gx_ixw *w, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n && !w->err) {
        size_t k = GX_MIN(n, sizeof w->buf - w->blen);
        memcpy(w->buf + w->blen, s, k);
        w->blen += k, w->off += k, s += k, n -= k;
        if (w->blen == sizeof w->buf)
            S_flush(w);
    }
}

void
gx_ixw_init(gx_ixw *w, grokx_sink out, gx_mem *mem)
{
    unsigned char pre[GX_IX_PRELUDE];
    memset(w, 0, sizeof *w);
    w->out = out;
    w->mem = mem;
    gx_buf_init(&w->dict, mem);
    gx_buf_init(&w->dict_index, mem);
    gx_buf_init(&w->pages, mem);
    w->page_crc = (uint32_t)crc32(0L, Z_NULL, 0);
    memcpy(pre, GX_IX_MAGIC, 8);
    gx_put32(pre + 8, GX_IX_VERSION);
    gx_put32(pre + 12, 0);
    S_out(w, pre, sizeof pre);
    gx_ixw_begin(w, GX_SEC_POSTINGS);
}

void
gx_ixw_free(gx_ixw *w)
{
    gx_buf_free(&w->dict);
    gx_buf_free(&w->dict_index);
    gx_buf_free(&w->pages);
}

int
gx_ixw_begin(gx_ixw *w, int section)
{
    if (w->err)
        return w->err;
    if (w->cur || section < 1 || section > GX_SEC_COUNT || w->sec_off[section])
        return w->err = GROKX_E_STATE;
    S_crc_sync(w); /* what came before is not this section's */
    w->cur = section;
    w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    w->sec_off[section] = w->off;
    return 0;
}

int
gx_ixw_put(gx_ixw *w, const void *p, size_t n)
{
    if (!w->cur && !w->err)
        w->err = GROKX_E_STATE;
    S_out(w, p, n);
    return w->err;
}

int
gx_ixw_end(gx_ixw *w)
{
    if (!w->cur && !w->err)
        w->err = GROKX_E_STATE;
    if (w->err)
        return w->err;
    S_crc_sync(w);
    w->sec_len[w->cur] = w->off - w->sec_off[w->cur];
    w->sec_crc[w->cur] = w->crc;
    w->cur = 0;
    return 0;
}

int
gx_ixw_term(gx_ixw *w, const char *term, size_t len, uint64_t df, const void *docs,
            size_t docs_len, const void *skip, size_t skip_len, const void *pos, size_t pos_len)
{
    size_t pre = 0;
    int rc;
    if (w->err)
        return w->err;
    if (w->cur != GX_SEC_POSTINGS || !len || len > GX_TERM_MAX || !df)
        return w->err = GROKX_E_STATE;
    if (w->nterms) {
        size_t m = GX_MIN(len, w->last_len);
        int c = memcmp(w->last_term, term, m);
        if (c > 0 || (c == 0 && w->last_len >= len))
            return w->err = GROKX_E_STATE; /* not strictly increasing */
        while (pre < m && w->last_term[pre] == term[pre])
            pre++;
    }
    if (w->block_terms == GX_IX_DICT_BLOCK)
        w->block_terms = 0;
    if (!w->block_terms) { /* a new dictionary block starts with a whole term */
        unsigned char rec[GX_IX_DICT_REC];
        pre = 0;
        gx_put64(rec, w->dict.len);
        gx_put64(rec + 8, w->off - w->sec_off[GX_SEC_POSTINGS]);
        gx_put32(rec + 16, 0);
        gx_put32(rec + 20, 0);
        w->block_rec_off = w->dict_index.len;
        if ((rc = gx_buf_put(&w->dict_index, rec, sizeof rec)) != 0)
            return w->err = rc;
    }
    if ((rc = gx_buf_varint(&w->dict, pre)) || (rc = gx_buf_varint(&w->dict, len - pre)) ||
        (rc = gx_buf_put(&w->dict, term + pre, len - pre)) ||
        (rc = gx_buf_varint(&w->dict, df)) || (rc = gx_buf_varint(&w->dict, docs_len)) ||
        (rc = gx_buf_varint(&w->dict, skip_len)) || (rc = gx_buf_varint(&w->dict, pos_len)))
        return w->err = rc;
    w->block_terms++;
    gx_put32((unsigned char *)w->dict_index.ptr + w->block_rec_off + 16,
             (uint32_t)w->block_terms);
    memcpy(w->last_term, term, len);
    w->last_len = len;
    w->nterms++;
    S_out(w, docs, docs_len);
    S_out(w, skip, skip_len);
    S_out(w, pos, pos_len);
    return w->err;
}

int
gx_ixw_finish(gx_ixw *w, const gx_ix_counts *c)
{
    unsigned char dir[GX_IX_DIR_FIXED + GX_SEC_COUNT * GX_IX_SECTION_REC], foot[GX_IX_FOOTER];
    uint64_t dir_off;
    int s, rc;
    if (w->cur == GX_SEC_POSTINGS)
        gx_ixw_end(w);
    if ((rc = gx_ixw_begin(w, GX_SEC_DICT)) || (rc = gx_ixw_put(w, w->dict.ptr, w->dict.len)) ||
        (rc = gx_ixw_end(w)) || (rc = gx_ixw_begin(w, GX_SEC_DICT_INDEX)) ||
        (rc = gx_ixw_put(w, w->dict_index.ptr, w->dict_index.len)) || (rc = gx_ixw_end(w)))
        return rc;
    S_crc_sync(w);
    if (w->page_fill) { /* the last page, shorter */
        unsigned char last[4];
        gx_put32(last, w->page_crc);
        if (gx_buf_put(&w->pages, last, 4))
            return w->err = GROKX_E_NOMEM;
    }
    w->paged = 1;
    if ((rc = gx_ixw_begin(w, GX_SEC_PAGES)) || (rc = gx_ixw_put(w, w->pages.ptr, w->pages.len)) ||
        (rc = gx_ixw_end(w)))
        return rc;
    for (s = 1; s <= GX_SEC_COUNT; s++)
        if (!w->sec_off[s])
            return w->err = GROKX_E_STATE; /* a section was never written */
    memset(dir, 0, sizeof dir);
    gx_put64(dir, c->ndocs);
    gx_put64(dir + 8, c->nconvs);
    gx_put64(dir + 16, w->nterms);
    gx_put64(dir + 24, c->total_tokens);
    gx_put64(dir + 32, c->nnames);
    gx_put64(dir + 40, c->nstore_blocks);
    gx_put64(dir + 48, w->dict_index.len / GX_IX_DICT_REC);
    gx_put32(dir + 56, GX_SEC_COUNT);
    for (s = 1; s <= GX_SEC_COUNT; s++) {
        unsigned char *r = dir + GX_IX_DIR_FIXED + (s - 1) * GX_IX_SECTION_REC;
        gx_put32(r, (uint32_t)s);
        gx_put32(r + 4, w->sec_crc[s]);
        gx_put64(r + 8, w->sec_off[s]);
        gx_put64(r + 16, w->sec_len[s]);
    }
    dir_off = w->off;
    S_out(w, dir, sizeof dir);
    gx_put64(foot, dir_off);
    gx_put64(foot + 8, sizeof dir);
    gx_put32(foot + 16, (uint32_t)crc32(crc32(0L, Z_NULL, 0), dir, sizeof dir));
    gx_put32(foot + 20, GX_IX_VERSION);
    memcpy(foot + 24, GX_IX_END_MAGIC, 8);
    S_out(w, foot, sizeof foot);
    S_flush(w);
    return w->err;
}
