/*
 * index_write.c -- encoding a search index file (docs/index-format.md):
 * varints, one term's postings in blocks, and the file itself, streamed
 * to a sink front to back (the directory is at the end, so nothing is
 * ever rewritten and the output can be a pipe or a temp-then-rename file).
 */
#include <string.h>
#include <zlib.h>

#include "index.h"

size_t
gx_varint_put(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

int
gx_buf_varint(gx_buf *b, uint64_t v)
{
    int rc;
    if (b->cap - b->len < 12 && (rc = gx_buf_reserve(b, 11)) != 0)
        return rc;
    b->len += gx_varint_put((unsigned char *)b->ptr + b->len, v);
    return 0;
}

/* ---- postings ------------------------------------------------------- */

void
gx_penc_init(gx_penc *e, gx_mem *mem)
{
    gx_buf_init(&e->docs, mem);
    gx_buf_init(&e->skip, mem);
    gx_buf_init(&e->pos, mem);
    gx_penc_reset(e);
}

void
gx_penc_reset(gx_penc *e)
{
    e->docs.len = e->skip.len = e->pos.len = 0;
    e->df = 0;
    e->prev_doc = e->block_prev = -1;
    e->block_docs_start = e->block_pos_start = 0;
}

void
gx_penc_free(gx_penc *e)
{
    gx_buf_free(&e->docs);
    gx_buf_free(&e->skip);
    gx_buf_free(&e->pos);
}

/* A skip entry for the block that just ended. */
static int
S_penc_close_block(gx_penc *e)
{
    int rc;
    if ((rc = gx_buf_varint(&e->skip, (uint64_t)(e->prev_doc - e->block_prev))) ||
        (rc = gx_buf_varint(&e->skip, e->docs.len - e->block_docs_start)) ||
        (rc = gx_buf_varint(&e->skip, e->pos.len - e->block_pos_start)))
        return rc;
    e->block_prev = e->prev_doc;
    e->block_docs_start = e->docs.len;
    e->block_pos_start = e->pos.len;
    return 0;
}

int
gx_penc_add(gx_penc *e, uint32_t doc, const uint32_t *pos, uint32_t freq)
{
    uint32_t i, prev = 0;
    int rc;
    if ((int64_t)doc <= e->prev_doc || !freq)
        return GROKX_E_INVALID;
    if (e->df && e->df % GX_IX_BLOCK_DOCS == 0 && (rc = S_penc_close_block(e)) != 0)
        return rc;
    if ((rc = gx_buf_varint(&e->docs, (uint64_t)((int64_t)doc - e->prev_doc))) ||
        (rc = gx_buf_varint(&e->docs, freq)))
        return rc;
    if ((rc = gx_buf_reserve(&e->pos, (size_t)freq * 5)) != 0)
        return rc;
    for (i = 0; i < freq; i++) { /* first absolute, then gaps */
        unsigned char *p = (unsigned char *)e->pos.ptr + e->pos.len;
        e->pos.len += gx_varint_put(p, pos[i] - prev);
        prev = pos[i];
    }
    e->prev_doc = doc;
    e->df++;
    return 0;
}

int
gx_penc_finish(gx_penc *e)
{
    int rc = e->df ? S_penc_close_block(e) : 0;
    if (e->df <= GX_IX_BLOCK_DOCS)
        e->skip.len = 0; /* one block: nothing to skip */
    return rc;
}

/* ---- the file ------------------------------------------------------- */

static void
S_flush(gx_ixw *w)
{
    if (w->blen && !w->err && gx_sink_write(w->out, (const char *)w->buf, w->blen))
        w->err = GROKX_E_IO;
    w->blen = 0;
}

/* Raw bytes, counted in the open section's checksum. */
static void
S_out(gx_ixw *w, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n && !w->err) {
        size_t k = GX_MIN(n, sizeof w->buf - w->blen);
        if (w->cur) {
            size_t left = k;
            const unsigned char *q = s;
            while (left) { /* crc32 takes uInt lengths */
                uInt c = left > (1u << 30) ? (1u << 30) : (uInt)left;
                w->crc = (uint32_t)crc32(w->crc, q, c);
                q += c, left -= c;
            }
        }
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
}

int
gx_ixw_begin(gx_ixw *w, int section)
{
    if (w->err)
        return w->err;
    if (w->cur || section < 1 || section > GX_SEC_COUNT || w->sec_off[section])
        return w->err = GROKX_E_STATE;
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
    w->sec_len[w->cur] = w->off - w->sec_off[w->cur];
    w->sec_crc[w->cur] = w->crc;
    w->cur = 0;
    return 0;
}

int
gx_ixw_term(gx_ixw *w, const char *term, size_t len, const gx_penc *e)
{
    size_t pre = 0;
    int rc;
    if (w->err)
        return w->err;
    if (w->cur != GX_SEC_POSTINGS || !len || len > GX_TERM_MAX || !e->df)
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
        (rc = gx_buf_varint(&w->dict, e->df)) || (rc = gx_buf_varint(&w->dict, e->docs.len)) ||
        (rc = gx_buf_varint(&w->dict, e->skip.len)) ||
        (rc = gx_buf_varint(&w->dict, e->pos.len)))
        return w->err = rc;
    w->block_terms++;
    gx_put32((unsigned char *)w->dict_index.ptr + w->block_rec_off + 16,
             (uint32_t)w->block_terms);
    memcpy(w->last_term, term, len);
    w->last_len = len;
    w->nterms++;
    S_out(w, e->docs.ptr, e->docs.len);
    S_out(w, e->skip.ptr, e->skip.len);
    S_out(w, e->pos.ptr, e->pos.len);
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
