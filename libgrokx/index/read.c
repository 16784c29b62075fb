/*
 * read.c -- reading a search index file (docs/index-format.md).
 *
 * The file is untrusted: every size, offset, count and varint is checked
 * against the bytes actually there before it is used, so a truncated or
 * damaged file gives GROKX_E_CORRUPT with a reason, never a read out of
 * bounds. Opening checks the directory and the page checksums (PAGES);
 * every other byte is read through gx_ix_at(), which verifies the pages
 * it touches on first use, so nothing unverified reaches an answer.
 * gx_ix_check() verifies everything else: every section's CRC and every
 * structure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index/ix.h"

/* The most DEFLATE can inflate one byte of its data to: a 258-byte match
 * in 2 bits (one-bit length and distance codes), RFC 1951; the zlib FAQ's
 * 1032:1. */
#define DEFLATE_MAX_RATIO 1032u

int
gx_ix_fail(gx_ix *ix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ix->why, sizeof ix->why, fmt, ap);
    va_end(ap);
    return GROKX_E_CORRUPT;
}

static uint32_t
S_crc(const unsigned char *p, uint64_t n)
{
    uint32_t c = (uint32_t)crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = (uint32_t)crc32(c, p, k);
        p += k, n -= k;
    }
    return c;
}

static const char *const S_sec_names[GX_SEC_COUNT + 1] = {
    "", "postings", "message store", "store index", "documents", "conversations",
    "names", "strings", "dictionary", "dictionary index", "page checksums"};

static int
S_check_crc(gx_ix *ix, int s)
{
    const unsigned char *p = gx_ix_at(ix, s, 0, ix->sec[s].len);
    if (!p)
        return GROKX_E_CORRUPT;
    if (S_crc(p, ix->sec[s].len) != ix->sec_crc[s])
        return gx_ix_fail(ix, "the %s section fails its checksum", S_sec_names[s]);
    return 0;
}

int
gx_ix_verify_page(const gx_ix *ix, uint64_t k)
{
    uint64_t from = k << GX_IX_PAGE_SHIFT, to;
    if (k >= ix->npages) /* gx_ix_at reads inside sections, which the pages cover */
        return gx_ix_fail((gx_ix *)ix, "page %llu is outside the index", (unsigned long long)k);
    to = GX_MIN(from + GX_IX_PAGE, ix->paged);
    if (S_crc(ix->unverified + from, to - from) != gx_le32(ix->page_crc + k * 4))
        return gx_ix_fail((gx_ix *)ix,
                          "the index is damaged: bytes %llu to %llu fail their checksum",
                          (unsigned long long)from, (unsigned long long)to - 1);
    atomic_fetch_or_explicit(&ix->page_ok[k >> 5], 1u << (k & 31), memory_order_relaxed);
    return 0;
}

/* A string reference (u64 offset, u32 length) into STRS. */
static int
S_str(const gx_ix *ix, const unsigned char *rec, grokx_str *s)
{
    uint64_t off = gx_le64(rec), len = gx_le32(rec + 8);
    const unsigned char *p = gx_ix_at(ix, GX_SEC_STRS, off, len);
    if (!p)
        return GROKX_E_CORRUPT;
    s->ptr = (const char *)p;
    s->len = (size_t)len;
    return 0;
}

static int
S_open(gx_ix *ix, const void *data, uint64_t size)
{
    const unsigned char *b = data, *foot, *dir, *si;
    uint64_t dir_off, dir_len, prev_end = GX_IX_PRELUDE, i, sum;
    unsigned seen = 0;
    int s;
    ix->unverified = b;
    ix->size = size;
    if (size < GX_IX_PRELUDE + GX_IX_FOOTER || memcmp(b, GX_IX_MAGIC, 8))
        return gx_ix_fail(ix, "not a libgrokx search index");
    if (gx_le32(b + 8) < GX_IX_VERSION) /* read unverified: refused, never searched */
        return gx_ix_fail(ix, "the index was built by an older grokx (format version %u, this "
                              "one reads %u): rebuild it with grokx convert -f index",
                          (unsigned)gx_le32(b + 8), GX_IX_VERSION),
               GROKX_E_VERSION;
    if (gx_le32(b + 8) != GX_IX_VERSION)
        return gx_ix_fail(ix, "index format version %u, this libgrokx reads %u",
                          (unsigned)gx_le32(b + 8), GX_IX_VERSION),
               GROKX_E_VERSION;
    if (gx_le32(b + 12) != 0)
        return gx_ix_fail(ix, "the index uses features this libgrokx does not know (flags %#x)",
                          (unsigned)gx_le32(b + 12));
    foot = b + size - GX_IX_FOOTER;
    if (memcmp(foot + 24, GX_IX_END_MAGIC, 8) || gx_le32(foot + 20) != GX_IX_VERSION)
        return gx_ix_fail(ix, "the index is truncated (its end marker is missing)");
    dir_off = gx_le64(foot);
    dir_len = gx_le64(foot + 8);
    if (dir_off < GX_IX_PRELUDE || dir_off > size - GX_IX_FOOTER ||
        dir_len != GX_IX_DIR_FIXED + (uint64_t)GX_SEC_COUNT * GX_IX_SECTION_REC ||
        dir_len > size - GX_IX_FOOTER - dir_off)
        return gx_ix_fail(ix, "the index directory is out of bounds");
    dir = b + dir_off;
    if (S_crc(dir, dir_len) != gx_le32(foot + 16))
        return gx_ix_fail(ix, "the index directory fails its checksum");
    ix->n.ndocs = gx_le64(dir);
    ix->n.nconvs = gx_le64(dir + 8);
    ix->nterms = gx_le64(dir + 16);
    ix->n.total_tokens = gx_le64(dir + 24);
    ix->n.nnames = gx_le64(dir + 32);
    ix->n.nstore_blocks = gx_le64(dir + 40);
    ix->ndict_blocks = gx_le64(dir + 48);
    if (gx_le32(dir + 56) != GX_SEC_COUNT)
        return gx_ix_fail(ix, "the index directory lists %u sections, not %u",
                          (unsigned)gx_le32(dir + 56), GX_SEC_COUNT);
    for (i = 0; i < GX_SEC_COUNT; i++) { /* in file order, back to back */
        const unsigned char *r = dir + GX_IX_DIR_FIXED + i * GX_IX_SECTION_REC;
        uint64_t off = gx_le64(r + 8), len = gx_le64(r + 16);
        s = (int)gx_le32(r);
        if (s != (int)i + 1 || seen & 1u << s)
            return gx_ix_fail(ix, "the index directory is out of order");
        seen |= 1u << s;
        if (off != prev_end || len > dir_off - off)
            return gx_ix_fail(ix, "the %s section is out of bounds", S_sec_names[s]);
        ix->sec[s].off = off;
        ix->sec[s].len = len;
        ix->sec_crc[s] = gx_le32(r + 4);
        prev_end = off + len;
    }
    if (prev_end != dir_off)
        return gx_ix_fail(ix, "the index has bytes between its sections and directory");
    /* counts against the fixed-size sections */
    if (ix->n.ndocs > UINT32_MAX - 1 || ix->sec[GX_SEC_DOCS].len != ix->n.ndocs * GX_IX_DOC_REC)
        return gx_ix_fail(ix, "the documents section does not hold %llu records",
                          (unsigned long long)ix->n.ndocs);
    if (ix->n.nconvs > UINT32_MAX || ix->sec[GX_SEC_CONVS].len != ix->n.nconvs * GX_IX_CONV_REC)
        return gx_ix_fail(ix, "the conversations section does not hold %llu records",
                          (unsigned long long)ix->n.nconvs);
    if (ix->n.nnames > 65536 || ix->sec[GX_SEC_NAMES].len != ix->n.nnames * GX_IX_NAME_REC)
        return gx_ix_fail(ix, "the names section does not hold %llu records",
                          (unsigned long long)ix->n.nnames);
    if (ix->n.nstore_blocks > UINT32_MAX ||
        ix->sec[GX_SEC_STORE_INDEX].len != (ix->n.nstore_blocks + 1) * 8)
        return gx_ix_fail(ix, "the store index does not hold %llu blocks",
                          (unsigned long long)ix->n.nstore_blocks);
    if (ix->sec[GX_SEC_DICT_INDEX].len != ix->ndict_blocks * GX_IX_DICT_REC ||
        ix->ndict_blocks > ix->nterms || ix->nterms > ix->ndict_blocks * GX_IX_DICT_BLOCK)
        return gx_ix_fail(ix, "the dictionary index does not match %llu terms",
                          (unsigned long long)ix->nterms);
    /* the page checksums: one per GX_IX_PAGE bytes before them, verified
     * whole; the pages themselves are verified as they are read */
    ix->paged = ix->sec[GX_SEC_PAGES].off;
    ix->npages = (ix->paged + GX_IX_PAGE - 1) >> GX_IX_PAGE_SHIFT;
    if (ix->sec[GX_SEC_PAGES].len != ix->npages * 4)
        return gx_ix_fail(ix, "the page checksums do not cover the index");
    ix->page_crc = b + ix->sec[GX_SEC_PAGES].off;
    if (S_crc(ix->page_crc, ix->sec[GX_SEC_PAGES].len) != ix->sec_crc[GX_SEC_PAGES])
        return gx_ix_fail(ix, "the page checksums fail their own checksum");
    if (!(ix->page_ok = calloc((size_t)(ix->npages >> 5) + 1, sizeof *ix->page_ok)))
        return snprintf(ix->why, sizeof ix->why, "out of memory"), GROKX_E_NOMEM;
    /* the store index: offsets rising within the store (every section is
     * read through gx_ix_at from here on) */
    if (!(si = gx_ix_at(ix, GX_SEC_STORE_INDEX, 0, ix->sec[GX_SEC_STORE_INDEX].len)))
        return GROKX_E_CORRUPT;
    for (i = 0; i <= ix->n.nstore_blocks; i++) {
        uint64_t o = gx_le64(si + i * 8);
        uint64_t prev = i ? gx_le64(si + (i - 1) * 8) : 0;
        if (o > ix->sec[GX_SEC_STORE].len || o < prev || (i && o - prev < 4))
            return gx_ix_fail(ix, "store block %llu is out of bounds", (unsigned long long)i);
    }
    /* the dictionary index: blocks rising within the dictionary and postings */
    if (!(si = gx_ix_at(ix, GX_SEC_DICT_INDEX, 0, ix->sec[GX_SEC_DICT_INDEX].len)))
        return GROKX_E_CORRUPT;
    for (i = 0, sum = 0; i < ix->ndict_blocks; i++) {
        const unsigned char *r = si + i * GX_IX_DICT_REC;
        uint64_t d = gx_le64(r), p = gx_le64(r + 8), n = gx_le32(r + 16);
        if (d >= ix->sec[GX_SEC_DICT].len || p > ix->sec[GX_SEC_POSTINGS].len || !n ||
            n > GX_IX_DICT_BLOCK ||
            (i && (d <= gx_le64(r - GX_IX_DICT_REC) || p < gx_le64(r - GX_IX_DICT_REC + 8))))
            return gx_ix_fail(ix, "dictionary block %llu is out of bounds",
                              (unsigned long long)i);
        sum += n;
    }
    if (sum != ix->nterms)
        return gx_ix_fail(ix, "the dictionary blocks hold %llu terms, not %llu",
                          (unsigned long long)sum, (unsigned long long)ix->nterms);
    for (i = 0; i < ix->n.nnames; i++) {
        grokx_str nm;
        if (gx_ix_name(ix, i, &nm))
            return ix->why[0] ? GROKX_E_CORRUPT
                              : gx_ix_fail(ix, "name %llu is out of bounds", (unsigned long long)i);
    }
    ix->avgdl = gx_avgdl(ix->n.total_tokens, ix->n.ndocs);
    return 0;
}

int
gx_ix_open_mem(gx_ix *ix, const void *data, uint64_t size)
{
    int rc;
    memset(ix, 0, sizeof *ix);
    if ((rc = S_open(ix, data, size)) != 0) { /* nothing to close after a failure */
        free(ix->page_ok);
        ix->page_ok = NULL;
    }
    return rc;
}

int
gx_ix_open_file(gx_ix *ix, const char *path)
{
    struct stat st;
    void *m;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc, e;
    memset(ix, 0, sizeof *ix);
    if (fd < 0)
        return snprintf(ix->why, sizeof ix->why, "%s", strerror(errno)), GROKX_E_IO;
    if (fstat(fd, &st) != 0) {
        e = errno;
        close(fd);
        snprintf(ix->why, sizeof ix->why, "%s", strerror(e));
        return GROKX_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(ix->why, sizeof ix->why, "%s", S_ISDIR(st.st_mode) ? "is a folder" : "not a regular file");
        return GROKX_E_IO;
    }
    if ((uint64_t)st.st_size < GX_IX_PRELUDE + GX_IX_FOOTER || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return gx_ix_fail(ix, "not a libgrokx search index (%lld bytes)", (long long)st.st_size);
    }
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    e = errno;
    close(fd);
    if (m == MAP_FAILED)
        return snprintf(ix->why, sizeof ix->why, "%s", strerror(e)), GROKX_E_IO;
    rc = gx_ix_open_mem(ix, m, (uint64_t)st.st_size);
    ix->map = m;
    ix->map_len = (size_t)st.st_size;
    return rc;
}

void
gx_ix_close(gx_ix *ix)
{
    if (ix->map)
        munmap(ix->map, ix->map_len);
    ix->map = NULL;
    free(ix->page_ok);
    ix->page_ok = NULL;
}

/* ---- records --------------------------------------------------------- */

int
gx_ix_doc(const gx_ix *ix, uint64_t i, gx_doc *d)
{
    const unsigned char *r = gx_ix_at(ix, GX_SEC_DOCS, i * GX_IX_DOC_REC, GX_IX_DOC_REC);
    if (!r || i >= ix->n.ndocs)
        return GROKX_E_CORRUPT;
    d->conv = gx_le32(r);
    d->ntokens = gx_le32(r + 4);
    d->time = (int64_t)gx_le64(r + 8);
    d->store_block = gx_le32(r + 16);
    d->store_off = gx_le32(r + 20);
    d->model = gx_le16(r + 24);
    d->sender = gx_le16(r + 26);
    d->role = r[28];
    d->flags = r[29];
    return 0;
}

int
gx_ix_conv(const gx_ix *ix, uint64_t i, gx_conv *c)
{
    const unsigned char *r;
    if (i >= ix->n.nconvs || !(r = gx_ix_at(ix, GX_SEC_CONVS, i * GX_IX_CONV_REC, GX_IX_CONV_REC)))
        return GROKX_E_CORRUPT;
    if (S_str(ix, r, &c->id) || S_str(ix, r + 12, &c->title) || S_str(ix, r + 24, &c->path))
        return GROKX_E_CORRUPT;
    c->flags = gx_le32(r + 36);
    c->create_time = (int64_t)gx_le64(r + 40);
    c->modify_time = (int64_t)gx_le64(r + 48);
    c->first_doc = gx_le32(r + 56);
    c->doc_count = gx_le32(r + 60);
    if (c->first_doc > ix->n.ndocs || c->doc_count > ix->n.ndocs - c->first_doc)
        return GROKX_E_CORRUPT;
    return 0;
}

int
gx_ix_name(const gx_ix *ix, uint64_t i, grokx_str *s)
{
    const unsigned char *r;
    if (i >= ix->n.nnames || !(r = gx_ix_at(ix, GX_SEC_NAMES, i * GX_IX_NAME_REC, GX_IX_NAME_REC)))
        return GROKX_E_CORRUPT;
    return S_str(ix, r, s);
}

/* Store block b: its deflated bytes at offset *cstart of STORE, *clen of
 * them, and raw_len in *want. raw_len is checked against what the block's
 * bytes can inflate to (DEFLATE_MAX_RATIO per byte), so a reader never
 * allocates for a size the file only claims. */
static int
S_store_span(const gx_ix *ix, uint64_t b, uint64_t *cstart, uint64_t *clen, uint64_t *want)
{
    const unsigned char *si, *r;
    uint64_t start, end;
    if (b >= ix->n.nstore_blocks || !(si = gx_ix_at(ix, GX_SEC_STORE_INDEX, b * 8, 16)))
        return GROKX_E_CORRUPT;
    start = gx_le64(si);
    end = gx_le64(si + 8); /* the open checked end - start >= 4 */
    if (!(r = gx_ix_at(ix, GX_SEC_STORE, start, 4)))
        return GROKX_E_CORRUPT;
    *cstart = start + 4;
    *clen = end - start - 4;
    *want = gx_le32(r);
    if (*want & GX_IX_STORE_MARKED) { /* a mark table before the data */
        uint64_t table;
        *want &= ~(uint64_t)GX_IX_STORE_MARKED;
        if (*clen < 4 || !(r = gx_ix_at(ix, GX_SEC_STORE, start + 4, 4)))
            return GROKX_E_CORRUPT;
        table = 4 + (uint64_t)gx_le32(r) * GX_IX_MARK_REC;
        if (!gx_le32(r) || table > *clen)
            return GROKX_E_CORRUPT;
        *cstart += table;
        *clen -= table;
    }
    if (*want > GX_IX_STORE_RAW_MAX || *clen > UINT32_MAX || *want > *clen * DEFLATE_MAX_RATIO)
        return GROKX_E_CORRUPT;
    return 0;
}

_Thread_local uint64_t gx_snippet_bytes;

int
gx_ix_store_marks(const gx_ix *ix, uint64_t b, gx_store_marks *m)
{
    const unsigned char *si, *r;
    uint64_t start;
    if (S_store_span(ix, b, &m->cstart, &m->clen, &m->raw_len))
        return GROKX_E_CORRUPT;
    if (!(si = gx_ix_at(ix, GX_SEC_STORE_INDEX, b * 8, 8)))
        return GROKX_E_CORRUPT;
    start = gx_le64(si);
    if (!(r = gx_ix_at(ix, GX_SEC_STORE, start, 8)) || !(gx_le32(r) & GX_IX_STORE_MARKED))
        return r ? 0 : GROKX_E_CORRUPT;
    m->n = gx_le32(r + 4);
    m->table = start + 8;
    return 1;
}

int
gx_ix_store_mark_list(const gx_ix *ix, const gx_store_marks *m, gx_store_mark **out)
{
    const unsigned char *r = gx_ix_at(ix, GX_SEC_STORE, m->table, (uint64_t)m->n * GX_IX_MARK_REC);
    gx_store_mark *k;
    uint32_t i;
    *out = NULL;
    if (!r)
        return GROKX_E_CORRUPT;
    if (!(k = malloc((size_t)m->n * sizeof *k)))
        return GROKX_E_NOMEM;
    for (i = 0; i < m->n; i++, r += GX_IX_MARK_REC) {
        k[i].raw = gx_le32(r) & ~GX_IX_MARK_DENSE;
        k[i].dense = !!(gx_le32(r) & GX_IX_MARK_DENSE);
        k[i].z = gx_le32(r + 4);
        k[i].pos = gx_le32(r + 8);
        if (k[i].raw >= m->raw_len || k[i].z >= m->clen || (i == 0 && k[i].pos) ||
            (i && (k[i].raw <= k[i - 1].raw || k[i].z <= k[i - 1].z || k[i].pos <= k[i - 1].pos))) {
            free(k);
            return GROKX_E_CORRUPT;
        }
    }
    *out = k;
    return 0;
}

/* Inflate until z has put out `need` bytes in all (or the stream ends),
 * feeding it the block's bytes a page at a time, each verified as it is
 * fed: only what inflate consumes is read. */
static int
S_inflate(const gx_ix *ix, z_stream *z, uint64_t cstart, uint64_t clen, uint64_t *fed,
          uint64_t need)
{
    while (z->total_out < need) {
        int zr;
        if (!z->avail_in && *fed < clen) {
            uint64_t at = cstart + *fed, k;
            const unsigned char *p;
            k = GX_MIN(clen - *fed, GX_IX_PAGE - (ix->sec[GX_SEC_STORE].off + at) % GX_IX_PAGE);
            if (!(p = gx_ix_at(ix, GX_SEC_STORE, at, k)))
                return GROKX_E_CORRUPT;
            z->next_in = (Bytef *)p;
            z->avail_in = (uInt)k;
            *fed += k;
        }
        zr = inflate(z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && !z->avail_in && *fed == clen)
            return GROKX_E_CORRUPT; /* the data ends before its output */
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return GROKX_E_CORRUPT;
    }
    return 0;
}

int
gx_ix_store_inflate(const gx_ix *ix, const gx_store_marks *m, uint64_t z_off, uint64_t len,
                    gx_buf *out)
{
    uint64_t fed = 0;
    z_stream z;
    int rc;
    if (z_off >= m->clen || len > m->raw_len)
        return GROKX_E_CORRUPT;
    if (gx_buf_reserve(out, (size_t)len))
        return GROKX_E_NOMEM;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return GROKX_E_NOMEM;
    z.next_out = (Bytef *)out->ptr + out->len;
    z.avail_out = (uInt)len;
    rc = S_inflate(ix, &z, m->cstart + z_off, m->clen - z_off, &fed, len);
    if (!rc && z.total_out != len)
        rc = GROKX_E_CORRUPT;
    inflateEnd(&z);
    if (rc)
        return rc;
    gx_snippet_bytes += len;
    out->len += (size_t)len;
    return 0;
}

int
gx_ix_store_block(const gx_ix *ix, uint64_t b, gx_buf *raw)
{
    uint64_t cstart, clen, want, fed = 0;
    z_stream z;
    int rc;
    if (S_store_span(ix, b, &cstart, &clen, &want))
        return GROKX_E_CORRUPT;
    raw->len = 0;
    if (gx_buf_reserve(raw, (size_t)want + 1))
        return GROKX_E_NOMEM;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) /* raw deflate */
        return GROKX_E_NOMEM;
    z.next_out = (Bytef *)raw->ptr;
    z.avail_out = (uInt)want + 1; /* one more: the stream must end at want */
    rc = S_inflate(ix, &z, cstart, clen, &fed, want + 1);
    if (!rc && z.total_out != want)
        rc = GROKX_E_CORRUPT;
    inflateEnd(&z);
    if (rc)
        return rc;
    raw->len = (size_t)want;
    return 0;
}

/* One record without inflating the rest of its block: inflate up to its
 * header, then up to its end (a search shows a few messages of many
 * blocks; most of a block is other messages). */
int
gx_ix_store_fetch(const gx_ix *ix, uint64_t b, uint64_t off, gx_buf *raw, grokx_str *id,
                  grokx_str *text)
{
    uint64_t cstart, clen, want, need, fed = 0;
    z_stream z;
    int pass;
    if (S_store_span(ix, b, &cstart, &clen, &want) || off >= want)
        return GROKX_E_CORRUPT;
    raw->len = 0;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) /* raw deflate */
        return GROKX_E_NOMEM;
    need = GX_MIN(want, off + 96); /* the header: two varints and an id (a UUID: 36 bytes) */
    for (pass = 0; pass < 3; pass++) {
        /* room for what this pass needs only (the buffer may move) */
        raw->len = 0;
        if (gx_buf_reserve(raw, (size_t)need)) {
            inflateEnd(&z);
            return GROKX_E_NOMEM;
        }
        z.next_out = (Bytef *)raw->ptr + z.total_out;
        z.avail_out = (uInt)(need - z.total_out);
        if (S_inflate(ix, &z, cstart, clen, &fed, need) || z.total_out != need)
            break;
        raw->len = (size_t)need;
        if (gx_ix_store_record(ix, raw, off, id, text) == 0) {
            inflateEnd(&z);
            return 0;
        }
        /* not all there yet: up to the end of the text its header gives */
        {
            const unsigned char *q = (const unsigned char *)raw->ptr + off, *e = q + (need - off);
            uint64_t n1, n2;
            if (gx_varint(&q, e, &n1) || n1 > want || (uint64_t)(e - q) < n1 ||
                (q += n1, gx_varint(&q, e, &n2)) || n2 > want)
                need = want; /* the header itself is cut: read the whole block */
            else
                need = GX_MIN(want, (uint64_t)(q - (const unsigned char *)raw->ptr) + n2);
        }
    }
    inflateEnd(&z);
    raw->len = 0;
    return GROKX_E_CORRUPT;
}

int
gx_ix_store_record(const gx_ix *ix, const gx_buf *raw, uint64_t off, grokx_str *id,
                   grokx_str *text)
{
    const unsigned char *p = (const unsigned char *)raw->ptr, *end = p + raw->len;
    uint64_t n;
    GX_UNUSED(ix);
    if (off >= raw->len)
        return GROKX_E_CORRUPT;
    p += off;
    if (gx_varint(&p, end, &n) || n > (uint64_t)(end - p))
        return GROKX_E_CORRUPT;
    id->ptr = (const char *)p, id->len = (size_t)n, p += n;
    if (gx_varint(&p, end, &n) || n > (uint64_t)(end - p))
        return GROKX_E_CORRUPT;
    text->ptr = (const char *)p, text->len = (size_t)n;
    return 0;
}

/* ---- a marked block, checked ------------------------------------------- */

typedef struct S_mchk {
    const gx_store_mark *k;
    const unsigned char *text;
    uint32_t n, at, last_pos;
    uint64_t hdr;
    size_t last;
    int any, bad;
    unsigned char *dense; /* per part, as the text says */
} S_mchk;

static int
S_mchk_cb(void *ud, const gx_tok *t)
{
    S_mchk *c = ud;
    uint64_t raw = c->hdr + t->start;
    while (c->at < c->n && c->k[c->at].raw < raw)
        c->bad = 1, c->at++; /* no token starts there */
    if (c->at < c->n && c->k[c->at].raw == raw && c->any && t->start > c->last) {
        if (c->k[c->at].pos != t->pos || !gx_tok_sep_byte(c->text[t->start - 1]))
            c->bad = 1;
        c->at++;
    } else if (c->any && t->start == c->last && t->pos != c->last_pos) {
        c->dense[c->at - 1] = 1;
    }
    c->any = 1;
    c->last = t->start;
    c->last_pos = t->pos;
    return 0;
}

/* Block b (inflated in raw) when it is marked: one record, the first mark
 * at its text, each other at a token that starts after a separator with
 * the position it says, and inflating from each mark gives the bytes that
 * follow it. */
static int
S_check_marks(gx_ix *ix, uint64_t b, const gx_buf *raw)
{
    gx_store_marks m;
    gx_store_mark *k = NULL;
    grokx_str id, text;
    S_mchk c;
    gx_buf seg;
    uint32_t i;
    int rc = gx_ix_store_marks(ix, b, &m);
    if (rc <= 0)
        return rc ? gx_ix_fail(ix, "store block %llu is damaged", (unsigned long long)b) : 0;
    if ((rc = gx_ix_store_mark_list(ix, &m, &k)) != 0)
        return rc == GROKX_E_NOMEM ? rc
                                   : gx_ix_fail(ix, "store block %llu: damaged marks", (unsigned long long)b);
    if (gx_ix_store_record(ix, raw, 0, &id, &text) ||
        (uint64_t)(text.ptr - raw->ptr) != k[0].raw || (uint64_t)(text.ptr - raw->ptr) + text.len != raw->len) {
        free(k);
        return gx_ix_fail(ix, "store block %llu: marks on a block that is not one text",
                          (unsigned long long)b);
    }
    memset(&c, 0, sizeof c);
    c.k = k, c.n = m.n, c.at = 1, c.hdr = k[0].raw, c.text = (const unsigned char *)text.ptr;
    if (!(c.dense = calloc(m.n, 1))) {
        free(k);
        return GROKX_E_NOMEM;
    }
    gx_tokenize(text.ptr, text.len, S_mchk_cb, &c);
    for (i = 0; i < m.n; i++)
        c.bad |= c.dense[i] != k[i].dense;
    free(c.dense);
    rc = c.bad || c.at != c.n ? gx_ix_fail(ix, "store block %llu: a mark is not at a word", (unsigned long long)b) : 0;
    gx_buf_init(&seg, raw->mem);
    for (i = 0; i < m.n && !rc; i++) {
        uint64_t len = (i + 1 < m.n ? k[i + 1].raw : raw->len) - k[i].raw;
        seg.len = 0;
        if ((rc = gx_ix_store_inflate(ix, &m, k[i].z, len, &seg)) != 0 ||
            memcmp(seg.ptr, raw->ptr + k[i].raw, (size_t)len))
            rc = rc == GROKX_E_NOMEM ? rc
                                     : gx_ix_fail(ix, "store block %llu: mark %u does not inflate to its text",
                                                  (unsigned long long)b, (unsigned)i);
    }
    gx_buf_free(&seg);
    free(k);
    return rc;
}

/* ---- the dictionary -------------------------------------------------- */

static int
S_dict_block(gx_dict_iter *it, uint64_t b)
{
    const gx_ix *ix = it->ix;
    const unsigned char *r = gx_ix_at(ix, GX_SEC_DICT_INDEX, b * GX_IX_DICT_REC, GX_IX_DICT_REC);
    uint64_t start, end;
    it->block = b;
    it->in_block = 0;
    it->block_n = 0;
    it->p = it->end = NULL;
    it->len = 0;
    if (!r) /* the open checked the index's bounds: a page failing */
        return GROKX_E_CORRUPT;
    start = gx_le64(r);
    end = b + 1 < ix->ndict_blocks ? gx_le64(r + GX_IX_DICT_REC) : ix->sec[GX_SEC_DICT].len;
    it->block_n = gx_le32(r + 16);
    it->post_off = gx_le64(r + 8);
    if (!(it->p = gx_ix_at(ix, GX_SEC_DICT, start, end - start)))
        return it->block_n = 0, GROKX_E_CORRUPT;
    it->end = it->p + (end - start);
    return 0;
}

/* The next entry of the current block, or of the next block. */
static int
S_dict_read(gx_dict_iter *it)
{
    const gx_ix *ix = it->ix;
    uint64_t pre, suf, df, dl, sl, pl, plen = ix->sec[GX_SEC_POSTINGS].len;
    if (it->in_block == it->block_n) {
        if (it->block + 1 >= ix->ndict_blocks)
            return 0;
        if (S_dict_block(it, it->block + 1))
            return GROKX_E_CORRUPT;
    }
    if (gx_varint(&it->p, it->end, &pre) || gx_varint(&it->p, it->end, &suf) ||
        pre > it->len || (it->in_block == 0 && pre) || suf > GX_TERM_MAX - pre ||
        pre + suf == 0 || suf > (uint64_t)(it->end - it->p))
        return gx_ix_fail((gx_ix *)ix, "dictionary block %llu is damaged",
                          (unsigned long long)it->block);
    memcpy(it->term + pre, it->p, (size_t)suf);
    it->p += suf;
    it->len = (size_t)(pre + suf);
    if (gx_varint(&it->p, it->end, &df) || gx_varint(&it->p, it->end, &dl) ||
        gx_varint(&it->p, it->end, &sl) || gx_varint(&it->p, it->end, &pl) || !df ||
        df > ix->n.ndocs || it->post_off > plen || dl > plen - it->post_off ||
        sl > plen - it->post_off - dl || pl > plen - it->post_off - dl - sl)
        return gx_ix_fail((gx_ix *)ix, "dictionary block %llu is damaged",
                          (unsigned long long)it->block);
    it->info.df = df;
    it->info.off = it->post_off;
    it->info.doc_len = dl, it->info.skip_len = sl, it->info.pos_len = pl;
    it->post_off += dl + sl + pl;
    it->in_block++;
    return 1;
}

static int
S_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, GX_MIN(an, bn));
    return c ? c : (an > bn) - (an < bn);
}

int
gx_dict_seek(gx_dict_iter *it, const gx_ix *ix, const char *key, size_t klen)
{
    uint64_t lo = 0, hi;
    memset(it, 0, sizeof *it);
    it->ix = ix;
    it->block_n = 0;
    it->block = UINT64_MAX; /* next read starts block 0 */
    if (!ix->ndict_blocks)
        return 0;
    hi = ix->ndict_blocks;
    if (key) { /* the last block whose first term <= key */
        while (hi - lo > 1) {
            uint64_t mid = lo + (hi - lo) / 2;
            gx_dict_iter t;
            t.ix = ix;
            if (S_dict_block(&t, mid) || S_dict_read(&t) < 0)
                return GROKX_E_CORRUPT;
            if (S_cmp(t.term, t.len, key, klen) <= 0)
                lo = mid;
            else
                hi = mid;
        }
    }
    if (S_dict_block(it, lo))
        return GROKX_E_CORRUPT;
    if (key) { /* read up to the first term >= key and keep it pending */
        for (;;) {
            int rc = S_dict_read(it);
            if (rc <= 0)
                return rc;
            if (S_cmp(it->term, it->len, key, klen) >= 0) {
                it->block_n |= 1ull << 63; /* pending mark */
                return 0;
            }
        }
    }
    return 0;
}

int
gx_dict_block_first(gx_dict_iter *it, const gx_ix *ix, uint64_t b)
{
    it->ix = ix;
    if (S_dict_block(it, b))
        return GROKX_E_CORRUPT;
    return S_dict_read(it) == 1 ? 1 : GROKX_E_CORRUPT;
}

int
gx_dict_next(gx_dict_iter *it)
{
    if (it->block_n & 1ull << 63) {
        it->block_n &= ~(1ull << 63);
        return 1;
    }
    if (!it->ix || !it->ix->ndict_blocks)
        return 0;
    return S_dict_read(it);
}

int
gx_dict_find(const gx_ix *ix, const char *term, size_t len, gx_term_info *out)
{
    gx_dict_iter it;
    int rc = gx_dict_seek(&it, ix, term, len);
    if (rc < 0)
        return rc;
    if ((rc = gx_dict_next(&it)) <= 0)
        return rc;
    if (it.len != len || memcmp(it.term, term, len))
        return 0;
    *out = it.info;
    return 1;
}

/* ---- packed integers ------------------------------------------------ */

int
gx_pfor_get(const unsigned char **pp, const unsigned char *end, uint32_t *v, size_t n)
{
    const unsigned char *p = *pp;
    uint64_t acc = 0, nexc, k, at = 0;
    unsigned b, have = 0;
    size_t i, nbytes;
    if (p >= end || (b = *p++) > 32)
        return -1;
    nbytes = (n * b + 7) / 8;
    if (nbytes > (size_t)(end - p))
        return -1;
    if (b == 0) {
        memset(v, 0, n * sizeof *v);
    } else {
        const uint64_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
        const unsigned char *q = p;
        size_t avail = (size_t)(end - p), bit = 0;
        /* whole 8-byte loads while they stay inside [p, end), then bytes */
        for (i = 0; i < n && (bit >> 3) + 8 <= avail; i++, bit += b)
            v[i] = (uint32_t)((gx_le64(q + (bit >> 3)) >> (bit & 7)) & mask);
        p = q + (bit >> 3);
        have = 0;
        if (bit & 7) {
            acc = (uint64_t)*p++ >> (bit & 7);
            have = 8 - (unsigned)(bit & 7);
        }
        for (; i < n; i++) {
            while (have < b) {
                acc |= (uint64_t)*p++ << have;
                have += 8;
            }
            v[i] = (uint32_t)(acc & mask);
            acc >>= b;
            have -= b;
        }
        p = q + nbytes;
    }
    if (gx_varint(&p, end, &nexc) || nexc > n || (nexc && b == 32))
        return -1;
    for (k = 0; k < nexc; k++) {
        uint64_t gap, high;
        if (gx_varint(&p, end, &gap) || gx_varint(&p, end, &high) || (k && !gap) ||
            gap >= n - at + (k ? 0 : 0) || at + gap >= n || !high || high >> (32 - b))
            return -1;
        at += gap;
        v[at] |= (uint32_t)(high << b);
    }
    *pp = p;
    return 0;
}

/* ---- postings -------------------------------------------------------- */

int
gx_pcur_init(gx_pcur *c, const gx_ix *ix, const gx_term_info *t)
{
    memset(c, 0, offsetof(gx_pcur, bdoc));
    c->ix = ix;
    c->d = t->off;
    c->dend = t->off + t->doc_len;
    /* the skip table is small and read in order: verified now */
    c->s = gx_ix_at(ix, GX_SEC_POSTINGS, c->dend, t->skip_len);
    c->send = c->s ? c->s + t->skip_len : NULL;
    c->p = c->dend + t->skip_len;
    c->pend = c->p + t->pos_len;
    c->df = t->df;
    c->ndocs = ix->n.ndocs;
    c->doc = -1;
    c->bn = c->bi = 0;
    c->decoded = c->pos_decoded = 0;
    c->pos = NULL;
    c->pos_cap = 0;
    c->corrupt = !c->s;
    return c->corrupt ? GROKX_E_CORRUPT : 0;
}

void
gx_pcur_free(gx_pcur *c)
{
    free(c->pos);
    c->pos = NULL;
    c->pos_cap = 0;
}

static int
S_corrupt(gx_pcur *c)
{
    c->corrupt = 1;
    return GROKX_E_CORRUPT;
}

/* The next block's bounds, from the skip table when there is one. */
static int
S_block_header(gx_pcur *c)
{
    c->bn = (size_t)GX_MIN((uint64_t)GX_IX_BLOCK_DOCS, c->df - c->i);
    c->bi = 0;
    c->decoded = c->pos_decoded = 0;
    if (c->s < c->send) {
        uint64_t gap, db, pb, impact;
        if (gx_varint(&c->s, c->send, &gap) || gx_varint(&c->s, c->send, &db) ||
            gx_varint(&c->s, c->send, &pb) || gx_varint(&c->s, c->send, &impact) || !impact ||
            impact > 255 || !gap || gap > c->ndocs ||
            c->doc + (int64_t)gap >= (int64_t)c->ndocs || db > c->dend - c->d ||
            pb > c->pend - c->p)
            return S_corrupt(c);
        c->block_last = c->doc + (int64_t)gap;
        c->block_impact = (unsigned)impact;
        c->bd = c->d, c->bdend = c->d + db;
        c->bp = c->p, c->bpend = c->p + pb;
    } else {
        if (c->i || c->df > GX_IX_BLOCK_DOCS) /* one block, or a skip table */
            return S_corrupt(c);
        c->block_last = INT64_MAX;
        c->block_impact = 255;
        c->bd = c->d, c->bdend = c->dend;
        c->bp = c->p, c->bpend = c->pend;
    }
    c->d = c->bdend; /* where the next block starts */
    c->p = c->bpend;
    return 0;
}

static int
S_block_decode(gx_pcur *c)
{
    const unsigned char *q = gx_ix_at(c->ix, GX_SEC_POSTINGS, c->bd, c->bdend - c->bd), *qend;
    int64_t doc = c->doc;
    size_t k;
    if (!q)
        return S_corrupt(c);
    qend = q + (c->bdend - c->bd);
    if (gx_pfor_get(&q, qend, c->bdoc, c->bn) || gx_pfor_get(&q, qend, c->bfreq, c->bn) ||
        q != qend)
        return S_corrupt(c);
    for (k = 0; k < c->bn; k++) {
        doc += (int64_t)c->bdoc[k] + 1;
        if (doc >= (int64_t)c->ndocs || c->bfreq[k] == UINT32_MAX)
            return S_corrupt(c);
        c->bdoc[k] = (uint32_t)doc;
        c->bfreq[k]++;
    }
    if (c->block_last != INT64_MAX && doc != c->block_last)
        return S_corrupt(c); /* the skip table disagrees with the block */
    c->decoded = 1;
    return 0;
}

int
gx_pcur_block(gx_pcur *c)
{
    int rc;
    if (c->corrupt)
        return GROKX_E_CORRUPT;
    if (c->bi < c->bn)
        return 1;
    if (c->i >= c->df)
        return 0;
    return (rc = S_block_header(c)) ? rc : 1;
}

void
gx_pcur_skip_block(gx_pcur *c)
{
    c->i += c->bn - c->bi;
    c->doc = c->block_last;
    c->bi = c->bn;
}

int
gx_pcur_decode(gx_pcur *c)
{
    return c->decoded ? 0 : S_block_decode(c);
}

/* Step onto bdoc[bi]. */
static int
S_take(gx_pcur *c)
{
    c->doc = c->bdoc[c->bi];
    c->freq = c->bfreq[c->bi];
    c->bi++;
    c->i++;
    return 1;
}

int
gx_pcur_next(gx_pcur *c)
{
    int rc;
    if (c->corrupt)
        return GROKX_E_CORRUPT;
    if (c->bi == c->bn) {
        if (c->i >= c->df)
            return 0;
        if ((rc = S_block_header(c)) || (rc = S_block_decode(c)))
            return rc;
    } else if (!c->decoded && (rc = S_block_decode(c)) != 0) {
        return rc;
    }
    return S_take(c);
}

int
gx_pcur_seek(gx_pcur *c, int64_t target)
{
    int rc;
    if (c->corrupt)
        return GROKX_E_CORRUPT;
    if (c->doc >= target)
        return 1;
    for (;;) {
        if (c->bi == c->bn) {
            if (c->i >= c->df)
                return 0;
            if ((rc = S_block_header(c)) != 0)
                return rc;
            if (c->block_last < target) { /* skip the whole block unread */
                c->i += c->bn;
                c->doc = c->block_last;
                c->bi = c->bn;
                continue;
            }
        }
        if (!c->decoded && (rc = S_block_decode(c)) != 0)
            return rc;
        while (c->bi < c->bn && c->bdoc[c->bi] < target) /* within a block: a short scan */
            c->bi++, c->i++;
        if (c->bi < c->bn)
            return S_take(c);
        c->doc = c->bdoc[c->bn - 1];
    }
}

int
gx_pcur_positions(gx_pcur *c, const uint32_t **out)
{
    size_t j = c->bi - 1, k;
    uint32_t i;
    if (c->corrupt || c->doc < 0 || !c->bi)
        return GROKX_E_CORRUPT;
    if (!c->pos_decoded) {
        const unsigned char *q = gx_ix_at(c->ix, GX_SEC_POSTINGS, c->bp, c->bpend - c->bp), *qend;
        uint64_t m = 0;
        if (!q)
            return S_corrupt(c);
        qend = q + (c->bpend - c->bp);
        for (k = 0; k < c->bn; k++) {
            c->pstart[k] = (uint32_t)m;
            m += c->bfreq[k];
            if (m > GX_IX_BLOCK_POS_MAX)
                return S_corrupt(c);
        }
        c->pstart[c->bn] = (uint32_t)m;
        if (m > c->pos_cap) {
            uint32_t *np = realloc(c->pos, (size_t)m * sizeof *np);
            if (!np)
                return GROKX_E_NOMEM;
            c->pos = np, c->pos_cap = (size_t)m;
        }
        if (gx_pfor_get(&q, qend, c->pos, (size_t)m) || q != qend)
            return S_corrupt(c);
        for (k = 0; k < c->bn; k++) { /* gaps to absolute positions */
            uint64_t at = 0;
            for (i = c->pstart[k]; i < c->pstart[k + 1]; i++) {
                at = i == c->pstart[k] ? c->pos[i] : at + c->pos[i] + 1;
                if (at > UINT32_MAX)
                    return S_corrupt(c);
                c->pos[i] = (uint32_t)at;
            }
        }
        c->pos_decoded = 1;
    }
    *out = c->pos + c->pstart[j];
    return 0;
}

/* ---- the full check -------------------------------------------------- */

/* One term's postings, decoded to the end: df documents, rising, with
 * their positions, and a skip table that agrees with them. */
static int
S_check_postings(gx_ix *ix, const gx_dict_iter *it)
{
    gx_pcur c, s;
    uint64_t n = 0;
    int64_t last;
    int rc;
    gx_pcur_init(&c, ix, &it->info);
    if (it->info.df > GX_IX_BLOCK_DOCS && !it->info.skip_len)
        return gx_ix_fail(ix, "term \"%.*s\": no skip table", (int)it->len, it->term);
    while ((rc = gx_pcur_next(&c)) == 1) {
        const uint32_t *pos;
        gx_doc d;
        if ((rc = gx_pcur_positions(&c, &pos)) != 0)
            break;
        n++;
        /* the block's impact bounds every message of it */
        if ((rc = gx_ix_doc(ix, (uint64_t)c.doc, &d)) != 0)
            break;
        if (gx_impact_q(gx_bm25_tf(c.freq, d.ntokens, ix->avgdl)) > c.block_impact) {
            gx_pcur_free(&c);
            return gx_ix_fail(ix, "term \"%.*s\": a block's impact is too low", (int)it->len,
                              it->term);
        }
    }
    if (rc == GROKX_E_NOMEM) {
        gx_pcur_free(&c);
        return rc;
    }
    rc = rc < 0 || c.corrupt || n != it->info.df || c.d != c.dend || c.p != c.pend ||
         (it->info.skip_len && c.s != c.send);
    last = c.doc;
    gx_pcur_free(&c);
    if (rc)
        return gx_ix_fail(ix, "term \"%.*s\": damaged postings", (int)it->len, it->term);
    /* seeking must find the same last document as reading */
    gx_pcur_init(&s, ix, &it->info);
    rc = gx_pcur_seek(&s, last) != 1 || s.doc != last;
    gx_pcur_free(&s);
    if (rc)
        return gx_ix_fail(ix, "term \"%.*s\": its skip table disagrees", (int)it->len, it->term);
    return 0;
}

int
gx_ix_check(gx_ix *ix)
{
    gx_dict_iter it;
    char prev[GX_TERM_MAX];
    size_t plen = 0;
    uint64_t i, terms = 0, tokens = 0, next_doc = 0, block = UINT64_MAX;
    gx_buf raw;
    gx_mem mem;
    int s, rc = 0;
    for (s = 1; s <= GX_SEC_COUNT; s++)
        if ((rc = S_check_crc(ix, s)) != 0)
            return rc;
    if ((rc = gx_dict_seek(&it, ix, NULL, 0)) != 0)
        return rc;
    while ((rc = gx_dict_next(&it)) == 1) {
        if (terms && S_cmp(prev, plen, it.term, it.len) >= 0) {
            rc = gx_ix_fail(ix, "the dictionary is out of order at \"%.*s\"", (int)it.len, it.term);
            break;
        }
        memcpy(prev, it.term, it.len);
        plen = it.len;
        terms++;
        if ((rc = S_check_postings(ix, &it)) != 0)
            break;
    }
    if (rc < 0)
        return rc;
    if (terms != ix->nterms)
        return gx_ix_fail(ix, "the dictionary holds %llu terms, not %llu",
                          (unsigned long long)terms, (unsigned long long)ix->nterms);
    /* conversations cover the documents in order; documents point at
     * their conversation, names and a record of the store */
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&raw, &mem);
    for (i = 0; i < ix->n.nconvs && !rc; i++) {
        gx_conv c;
        uint64_t d;
        if (gx_ix_conv(ix, i, &c) || !gx_utf8_valid(c.id.ptr, c.id.len) ||
            !gx_utf8_valid(c.title.ptr, c.title.len) || !gx_utf8_valid(c.path.ptr, c.path.len)) {
            rc = gx_ix_fail(ix, "conversation %llu: a damaged record", (unsigned long long)i);
            break;
        }
        if (c.first_doc != next_doc) {
            rc = gx_ix_fail(ix, "conversation %llu does not start where the last ended",
                            (unsigned long long)i);
            break;
        }
        next_doc += c.doc_count;
        for (d = c.first_doc; d < next_doc && !rc; d++) {
            gx_doc doc;
            grokx_str id, text, nm;
            if (gx_ix_doc(ix, d, &doc)) {
                rc = GROKX_E_CORRUPT;
                break;
            }
            tokens += doc.ntokens;
            if (doc.conv != i || gx_ix_name(ix, doc.model, &nm) || gx_ix_name(ix, doc.sender, &nm)) {
                rc = gx_ix_fail(ix, "message %llu: a damaged record", (unsigned long long)d);
                break;
            }
            if (doc.store_block != block) {
                if (doc.store_block < block && block != UINT64_MAX) {
                    rc = gx_ix_fail(ix, "message %llu: the store is out of order", (unsigned long long)d);
                    break;
                }
                if ((rc = gx_ix_store_block(ix, doc.store_block, &raw)) != 0) {
                    if (rc != GROKX_E_NOMEM)
                        rc = gx_ix_fail(ix, "store block %u is damaged", (unsigned)doc.store_block);
                    break;
                }
                block = doc.store_block;
                if ((rc = S_check_marks(ix, block, &raw)) != 0)
                    break;
            }
            if (gx_ix_store_record(ix, &raw, doc.store_off, &id, &text) ||
                !gx_utf8_valid(text.ptr, text.len))
                rc = gx_ix_fail(ix, "message %llu: a damaged stored text", (unsigned long long)d);
        }
    }
    gx_buf_free(&raw);
    if (rc)
        return rc;
    if (next_doc != ix->n.ndocs || tokens != ix->n.total_tokens)
        return gx_ix_fail(ix, "the conversations do not cover the %llu messages",
                          (unsigned long long)ix->n.ndocs);
    return 0;
}
