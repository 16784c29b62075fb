/*
 * index/ix.h -- the search index's internals, private to index/. The file
 * format is docs/index-format.md; this header and that document must agree
 * byte for byte. What the stages above may use is index/index.h.
 */
#ifndef GROKX_INDEX_IX_H
#define GROKX_INDEX_IX_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "index/index.h"

/* ---- tokenize.c: words of the search index ---------------------------- */

/* Longest term kept, in bytes after normalisation (longer ones are skipped
 * but use their position: base64, hashes). */
#define GX_TERM_MAX 64
/* A split compound's whole form ("getusername" for getUserName,
 * "snake_case" keeps its underscore), emitted right after its first part,
 * with that part's position; phrases match the parts. */
#define GX_TOK_JOINED 0x1u
/* A CJK bigram (or the lone character of a one-character run). */
#define GX_TOK_CJK 0x2u

typedef struct gx_tok {
    const char *term; /* normalised: NFKC, case-folded, marks removed; not NUL-terminated,
                       * valid during the callback only */
    size_t len;       /* 1..GX_TERM_MAX */
    uint32_t pos;     /* word position in the text (saturates at UINT32_MAX) */
    size_t start, end; /* the source bytes it came from, for snippets */
    unsigned flags;   /* GX_TOK_* */
} gx_tok;

/* Called for each token in text order (positions never decrease); a
 * non-zero return stops and is returned. */
typedef int (*gx_tok_fn)(void *ud, const gx_tok *t);
/* Tokenise UTF-8 text (invalid bytes separate words); the rules are in
 * docs/search.md. 0, the callback's non-zero value, or GROKX_E_NOMEM (not
 * today: nothing is allocated). Thread-safe; text may be NULL when len is 0. */
int gx_tokenize(const char *text, size_t len, gx_tok_fn fn, void *ud);

/* ---- the format ------------------------------------------------------ */

/* GX_IX_MAGIC, the 8 bytes at offset 0, is in base/base.h (file.c checks it) */
#define GX_IX_END_MAGIC "GXIXEND\0" /* the last 8 bytes */
#define GX_IX_VERSION 2u
#define GX_IX_PRELUDE 16u  /* magic, u32 version, u32 flags */
#define GX_IX_FOOTER 32u   /* u64 dir_off, u64 dir_len, u32 dir_crc, u32 version, magic */
#define GX_IX_DIR_FIXED 64u /* the directory before its section table */
#define GX_IX_SECTION_REC 24u
#define GX_IX_DOC_REC 32u
#define GX_IX_CONV_REC 64u
#define GX_IX_NAME_REC 12u
#define GX_IX_DICT_REC 24u
#define GX_IX_BLOCK_DOCS 128u   /* documents per postings block */
#define GX_IX_DICT_BLOCK 32u    /* terms per dictionary block */
#define GX_IX_STORE_BLOCK 16384u /* message store block, before compression */
#define GX_IX_STORE_RAW_MAX (1u << 30) /* largest block a reader inflates */
#define GX_IX_STORE_MARKED 0x80000000u /* raw_len's flag: a marked block (one long text) */
#define GX_IX_MARK_REC 12u /* u32 raw offset, u32 deflate offset, u32 token position */
#define GX_IX_MARK_DENSE 0x80000000u /* raw offset's flag: a character in the part gives 2+ positions */
#define GX_IX_PAGE_SHIFT 16u
#define GX_IX_PAGE (1u << GX_IX_PAGE_SHIFT) /* bytes per checksummed page (PAGES) */

enum { /* section ids, in file order */
    GX_SEC_POSTINGS = 1,
    GX_SEC_STORE,
    GX_SEC_STORE_INDEX,
    GX_SEC_DOCS,
    GX_SEC_CONVS,
    GX_SEC_NAMES,
    GX_SEC_STRS,
    GX_SEC_DICT,
    GX_SEC_DICT_INDEX,
    GX_SEC_PAGES,
    GX_SEC_COUNT = GX_SEC_PAGES
};

/* DOCS record flags */
#define GX_IX_DOC_ACTIVE 0x1u /* on the conversation's active branch */
/* CONVS record flags */
#define GX_IX_CONV_STARRED 0x1u

/* BM25 as the index ranks: k1 and b, and the part a term's frequency tf in
 * a message of dl tokens contributes (times the term's idf). The writer
 * stores an upper bound of it per postings block, so the reader must use
 * these same numbers. */
#define GX_BM25_K1 1.2
#define GX_BM25_B 0.75
static inline double gx_bm25_tf(double tf, double dl, double avgdl)
{
    return tf * (GX_BM25_K1 + 1) / (tf + GX_BM25_K1 * (1 - GX_BM25_B + GX_BM25_B * dl / avgdl));
}
static inline double gx_avgdl(uint64_t tokens, uint64_t docs)
{
    double a = docs ? (double)tokens / (double)docs : 0;
    return a < 1 ? 1 : a;
}
/* The block's impact: its largest gx_bm25_tf as 1..255 (rounded up), and
 * back to a bound. */
static inline unsigned gx_impact_q(double tfpart)
{
    double q = tfpart / (GX_BM25_K1 + 1) * 255.0;
    unsigned u = (unsigned)q;
    u += (double)u < q;
    return u < 1 ? 1 : u > 255 ? 255 : u;
}
static inline double gx_impact_bound(unsigned q)
{
    return (double)q / 255.0 * (GX_BM25_K1 + 1);
}

/* ---- little-endian and varints ---------------------------------------- */

static inline uint32_t gx_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t gx_le64(const unsigned char *p)
{
    return (uint64_t)gx_le32(p) | (uint64_t)gx_le32(p + 4) << 32;
}
static inline uint16_t gx_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void gx_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}
static inline void gx_put64(unsigned char *p, uint64_t v)
{
    gx_put32(p, (uint32_t)v);
    gx_put32(p + 4, (uint32_t)(v >> 32));
}
static inline void gx_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

/* Read a LEB128 varint of at most 10 bytes from [*p, end): 0, or -1 when it
 * runs past end or overflows 64 bits (*p is then unchanged). */
static inline int gx_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    const unsigned char *q = *p;
    uint64_t x = 0;
    unsigned shift = 0;
    if (q < end && *q < 0x80) { /* the common one-byte case */
        *v = *q;
        *p = q + 1;
        return 0;
    }
    while (q < end && shift < 64) {
        unsigned char b = *q++;
        if (shift == 63 && b > 1)
            return -1;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = x;
            *p = q;
            return 0;
        }
        shift += 7;
    }
    return -1;
}
/* Encode v at p (at least 10 bytes free); returns the bytes written. */
static inline size_t gx_varint_put(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}
/* Append v as a varint to b (0 or GROKX_E_NOMEM). */
int gx_buf_varint(gx_buf *b, uint64_t v);

/* ---- packed integers (PFOR) --------------------------------------------- */

/* n values as: a byte b (0..32), n*b bits LSB-first (whole bytes), then
 * the exceptions (values >= 2^b): a varint count, and for each a varint
 * index gap and a varint of its high bits (value >> b). */
int gx_pfor_put(gx_buf *out, const uint32_t *v, size_t n);
/* Decode n values from [*p, end): 0, or -1 when the bytes are not such a
 * run (nothing is read out of bounds). */
int gx_pfor_get(const unsigned char **p, const unsigned char *end, uint32_t *v, size_t n);

/* Positions decoded in one block at most (a hostile file cannot make a
 * reader allocate more); the writer refuses blocks over it. */
#define GX_IX_BLOCK_POS_MAX ((uint32_t)1 << 27)

/* ---- a postings list being encoded ------------------------------------- */

/* One term's documents, frequencies and positions, in blocks of
 * GX_IX_BLOCK_DOCS documents (docs/index-format.md): doc blocks, a skip
 * table when there is more than one block, position blocks. Documents
 * are added in increasing order. */
typedef struct gx_penc {
    gx_buf docs, skip, pos;
    uint64_t df, nblocks;
    int64_t prev_doc, block_prev; /* -1 before the first */
    size_t block_docs_start, block_pos_start;
    uint32_t gaps[GX_IX_BLOCK_DOCS], freqs[GX_IX_BLOCK_DOCS];
    size_t bn;
    uint32_t *bpos; /* the block's positions: first absolute, then gap - 1 */
    size_t bpos_n, bpos_cap;
    double avgdl;   /* of the file being written, for the blocks' impacts */
    double block_max; /* the largest gx_bm25_tf in the block so far */
    double len_c0, len_c1; /* gx_bm25_tf's length term as c0 + c1 * dl, to skip divisions */
} gx_penc;
/* avgdl: gx_avgdl() of the file the postings go to. */
void gx_penc_init(gx_penc *e, gx_mem *mem, double avgdl);
void gx_penc_reset(gx_penc *e);
void gx_penc_free(gx_penc *e);
/* pos: freq positions, strictly increasing; dl: the message's tokens. */
int gx_penc_add(gx_penc *e, uint32_t doc, uint32_t dl, const uint32_t *pos, uint32_t freq);
/* Close the last block; the skip table is dropped when not needed. */
int gx_penc_finish(gx_penc *e);

/* ---- the message store being written ----------------------------------- */

/* Marks (docs/index-format.md, STORE): a block whose one record has a text
 * of at least min bytes is written marked, with a place to start
 * inflating and tokenising about every step bytes of it, so a snippet
 * reads only the part it shows. GX_MARK_MIN and GX_MARK_STEP unless a
 * test lowers them: each store writer holds its own. */
typedef struct gx_marks {
    size_t min, step;
} gx_marks;
#define GX_MARK_MIN ((size_t)65536)
#define GX_MARK_STEP ((size_t)16384)

/* Records (message id, text) packed into blocks of about
 * GX_IX_STORE_BLOCK bytes, each deflated on its own. Compressed blocks
 * accumulate in out (a caller may move them on and empty it); index holds
 * each block's end offset in the store. */
typedef struct gx_storew {
    gx_buf raw, out, index;
    uint64_t nblocks, bytes; /* blocks and compressed bytes so far */
    void *z;                 /* the deflate state, reused for every block */
    int whole;               /* the block in hand holds a long text: nothing joins it */
    gx_marks marks;          /* GX_MARK_MIN, GX_MARK_STEP from gx_storew_init */
} gx_storew;
void gx_storew_init(gx_storew *s, gx_mem *mem);
void gx_storew_reset(gx_storew *s);
void gx_storew_free(gx_storew *s);
/* Add a record; *block and *off say where it is. */
int gx_storew_add(gx_storew *s, grokx_str id, grokx_str text, uint32_t *block, uint32_t *off);
/* Compress the block in hand (if any). */
int gx_storew_flush(gx_storew *s);
/* One block as the store holds it: u32 raw length, then raw deflate of
 * raw[0..n) (marked by m when its one text is long), appended to out;
 * *took is the bytes appended. *zp is the deflate state, created on first
 * use and reused (gx_store_deflate_end). */
int gx_store_deflate(void **zp, const gx_marks *m, const void *raw, size_t n, gx_buf *out,
                     size_t *took);
void gx_store_deflate_end(void **zp);
/* An ASCII byte the tokenizer separates words at: after it nothing is
 * open, so tokenising from the next byte gives the tokens a whole text's
 * tokenising gives there. */
static inline int
gx_tok_sep_byte(unsigned char c)
{
    return c < 0x80 && !(c >= '0' && c <= '9') && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
           c != '_';
}
/* Is a text of len bytes marked (it gets a block to itself)? */
static inline int
gx_store_long(const gx_marks *m, size_t len)
{
    return len >= m->min;
}
/* Must the block in hand be closed before a record with a text of len? */
static inline int
gx_store_full(const gx_storew *s, size_t len)
{
    return s->raw.len >= GX_IX_STORE_BLOCK || (s->raw.len && (s->whole || gx_store_long(&s->marks, len)));
}

/* ---- writing an index file -------------------------------------------- */

typedef struct gx_ixw {
    grokx_sink out;
    gx_mem *mem;
    unsigned char buf[65536]; /* output buffer: sinks may be unbuffered */
    size_t blen;
    uint64_t off;             /* bytes written so far */
    int err;                  /* first error: GROKX_E_IO or GROKX_E_NOMEM */
    int errnum;               /* errno of a failed sink write */
    /* sections */
    int cur;                  /* open section id, 0 none */
    uint32_t crc;
    uint64_t sec_off[GX_SEC_COUNT + 1], sec_len[GX_SEC_COUNT + 1];
    uint32_t sec_crc[GX_SEC_COUNT + 1];
    /* the dictionary, kept until the end (postings are streamed first) */
    gx_buf dict, dict_index;
    char last_term[GX_TERM_MAX];
    size_t last_len;
    uint64_t nterms, block_terms, post_off;
    unsigned char *block_rec; /* the dict_index record being filled, as an offset */
    uint64_t block_rec_off;
    /* PAGES: the CRC-32 of every GX_IX_PAGE bytes written before it */
    gx_buf pages;
    uint32_t page_crc;
    uint64_t page_fill;
    int paged; /* the pages are closed: PAGES is being written */
    uint64_t crc_at; /* bytes counted in the checksums so far */
} gx_ixw;

typedef struct gx_ix_counts {
    uint64_t ndocs, nconvs, nnames, nstore_blocks, total_tokens;
} gx_ix_counts;

/* Start a file on out: the prelude, then the postings section. */
void gx_ixw_init(gx_ixw *w, grokx_sink out, gx_mem *mem);
void gx_ixw_free(gx_ixw *w);
/* The next term (in strictly increasing byte order) with its postings,
 * the three parts a gx_penc encodes. */
int gx_ixw_term(gx_ixw *w, const char *term, size_t len, uint64_t df, const void *docs,
                size_t docs_len, const void *skip, size_t skip_len, const void *pos,
                size_t pos_len);

/* ---- postings encoded on two threads (ranges.c) ------------------- */

/* One range of terms, encoded: the postings back to back in bytes, and
 * per term (length, term, df, and its three parts' lengths) in entries. */
typedef struct gx_terms_out {
    gx_buf bytes, entries;
} gx_terms_out;
int gx_terms_out_add(gx_terms_out *o, const char *term, size_t len, const gx_penc *e);
/* Encode range k (of terms in increasing order, following range k - 1's)
 * into out; thread is 0 (the caller's) or 1, for state kept per thread.
 * Memory comes from malloc: either thread may run any range. */
typedef int (*gx_range_job)(void *ud, size_t k, int thread, gx_terms_out *out, char *why,
                            size_t why_cap);
/* Called on the caller's thread once range k is written. */
typedef void (*gx_range_done)(void *ud, size_t k);
/* Run n ranges on this thread and (threads) one more, writing each to w
 * in order. The first failure in order ends it, with its why. *largest
 * (NULL: not asked), when more, becomes the most bytes of postings one
 * range held (for the tests: ranges stay near their size whatever the
 * inputs). */
int gx_ranges_run(size_t n, gx_range_job job, void *ud, gx_ixw *w, int threads,
                  gx_range_done done, size_t *largest, char *why, size_t why_cap);
/* The most bytes of postings a range holds unless its caller asks for
 * another size (the ranges held at once take about ten times that), and
 * the size to use for a wish (0: no wish, this). */
#define GX_RANGE_BYTES ((size_t)1 << 20)
size_t gx_range_size(size_t want);
/* For tests: the most bytes of postings a range of the index writer w
 * ("index" format) holds, GX_RANGE_BYTES unless lowered (0: that again),
 * and the marks of its store (NULL: GX_MARK_MIN, GX_MARK_STEP). Its own,
 * so two builds at once keep theirs. Before the first conversation;
 * GROKX_E_INVALID when w is not an index writer. */
int gx_writer_index_tune(grokx_writer *w, size_t range_max, const gx_marks *marks);
/* The other sections, each opened, filled and closed in GX_SEC_* order. */
int gx_ixw_begin(gx_ixw *w, int section);
int gx_ixw_put(gx_ixw *w, const void *p, size_t n);
int gx_ixw_end(gx_ixw *w);
/* Write the dictionary, its index, the directory and the footer. */
int gx_ixw_finish(gx_ixw *w, const gx_ix_counts *c);

/* ---- a segment's inverted lists (invert.c) ---------------------- */

typedef struct gx_inv_term gx_inv_term;
typedef struct gx_inv_doc {
    uint32_t ntokens;
} gx_inv_doc;
typedef struct gx_inv {
    gx_mem *mem;
    gx_inv_term *terms;
    size_t nterms, terms_cap;
    uint32_t *table; /* open addressing: term index + 1, 0 empty */
    size_t table_cap;
    gx_buf pool;     /* the terms' bytes */
    size_t held;     /* bytes of the terms' postings buffers */
    uint32_t *touched; /* terms of the document being added */
    size_t ntouched, touched_cap;
    void *scratch;   /* its positions, chained per term */
    size_t nscratch, scratch_cap;
    uint32_t doc, doc_len;
    gx_inv_doc *doc_info; /* per document of the segment */
    size_t ndocs, doc_cap;
    uint64_t total_tokens;
} gx_inv;
void gx_inv_init(gx_inv *v, gx_mem *mem);
void gx_inv_reset(gx_inv *v); /* empty, for the next segment */
void gx_inv_free(gx_inv *v);
size_t gx_inv_used(const gx_inv *v);
/* The next document: its text tokenised (the caller stores the text). */
int gx_inv_add(gx_inv *v, grokx_str text);
/* Every term, sorted, with its postings, into the open postings section,
 * in ranges of about range bytes (gx_range_size) on threads (0 or 1) more. */
int gx_inv_write_postings(gx_inv *v, gx_ixw *w, int threads, size_t range);


/* ---- reading an index file -------------------------------------------- */

/* A section: where it starts in the file, and its length. There is no
 * pointer to its bytes here on purpose: they are read through gx_ix_at()
 * only, which verifies them first. */
typedef struct gx_span {
    uint64_t off;
    uint64_t len;
} gx_span;

typedef struct gx_ix {
    const unsigned char *unverified; /* the file: read only by gx_ix_at() and the open */
    uint64_t size;
    void *map;       /* mmap'ed region to unmap, or NULL */
    size_t map_len;
    gx_span sec[GX_SEC_COUNT + 1];
    uint32_t sec_crc[GX_SEC_COUNT + 1];
    gx_ix_counts n;
    uint64_t nterms, ndict_blocks;
    double avgdl;
    /* the page checksums (PAGES, verified at open) and a bit per page
     * verified so far, shared by copies of this struct (threads of a
     * merge): set atomically, never cleared */
    const unsigned char *page_crc;
    uint64_t npages, paged;          /* pages; bytes they cover, from 0 */
    atomic_uint *page_ok;
    char why[GROKX_ERROR_TEXT_MAX];
} gx_ix;

/* Verify page k of the file against PAGES and remember it: 0, or
 * GROKX_E_CORRUPT with ix->why set. */
int gx_ix_verify_page(const gx_ix *ix, uint64_t k);

/* The one way to a section's bytes: [off, off + len) of section s, every
 * page it touches verified first (once: a bit per page remembers it). NULL
 * when the range is not inside the section or a page fails its checksum
 * (ix->why says which). Every reader of an index goes through here, so no
 * byte reaches an answer unverified (docs/index-format.md). */
static inline const unsigned char *
gx_ix_at(const gx_ix *ix, int s, uint64_t off, uint64_t len)
{
    uint64_t a, k, last;
    if (off > ix->sec[s].len || len > ix->sec[s].len - off)
        return NULL;
    a = ix->sec[s].off + off;
    if (len && s != GX_SEC_PAGES) { /* PAGES itself is verified whole at open */
        for (k = a >> GX_IX_PAGE_SHIFT, last = (a + len - 1) >> GX_IX_PAGE_SHIFT; k <= last; k++)
            if (!(atomic_load_explicit(&ix->page_ok[k >> 5], memory_order_relaxed) >> (k & 31) & 1) &&
                gx_ix_verify_page(ix, k))
                return NULL;
    }
    return ix->unverified + a;
}

/* What the dictionary says of a term: its postings in POSTINGS. */
typedef struct gx_term_info {
    uint64_t df;
    uint64_t off;                 /* start of its data in POSTINGS */
    uint64_t doc_len, skip_len, pos_len;
} gx_term_info;

/* Open an index held in memory (data stays the caller's) or a file
 * (mmap'ed). Every size, offset and count is checked against the file:
 * GROKX_E_CORRUPT (or GROKX_E_VERSION) with ix->why set. */
int gx_ix_open_mem(gx_ix *ix, const void *data, uint64_t size);
int gx_ix_open_file(gx_ix *ix, const char *path);
void gx_ix_close(gx_ix *ix);
/* Verify every checksum and decode every structure (grokx_index_check). */
int gx_ix_check(gx_ix *ix);
int gx_ix_fail(gx_ix *ix, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A walk over dictionary entries in term order. */
typedef struct gx_dict_iter {
    const gx_ix *ix;
    uint64_t block, in_block, block_n;
    const unsigned char *p, *end;
    uint64_t post_off;
    char term[GX_TERM_MAX];
    size_t len;
    gx_term_info info;
} gx_dict_iter;
/* Position before the first term >= key (key NULL: the first term). */
int gx_dict_seek(gx_dict_iter *it, const gx_ix *ix, const char *key, size_t klen);
/* 1 with the next entry, 0 at the end, GROKX_E_CORRUPT. */
int gx_dict_next(gx_dict_iter *it);
/* The first entry of dictionary block b (< ix->ndict_blocks): 1, or
 * GROKX_E_CORRUPT. */
int gx_dict_block_first(gx_dict_iter *it, const gx_ix *ix, uint64_t b);
/* Exact lookup: 1 found, 0 absent, GROKX_E_CORRUPT. */
int gx_dict_find(const gx_ix *ix, const char *term, size_t len, gx_term_info *out);

/* A cursor over one term's postings: blocks are decoded whole when
 * entered (positions only when asked for), and skipped unread by seek. */
typedef struct gx_pcur {
    const gx_ix *ix;
    uint64_t d, dend;                /* doc blocks: offsets in POSTINGS */
    const unsigned char *s, *send;   /* skip table (verified at init) */
    uint64_t p, pend;                /* position blocks: offsets in POSTINGS */
    uint64_t df, i;                  /* documents, documents passed */
    uint64_t ndocs;                  /* of the index: every doc id is below */
    int64_t doc;                     /* current document, -1 before the first */
    uint32_t freq;
    /* the current block */
    uint32_t bdoc[GX_IX_BLOCK_DOCS], bfreq[GX_IX_BLOCK_DOCS];
    size_t bn, bi;                   /* documents in it; the next one's index */
    int decoded, pos_decoded;
    int64_t block_last;              /* from the skip table; INT64_MAX without one */
    unsigned block_impact;           /* from the skip table (gx_impact_q); 255 without one */
    uint64_t bd, bdend, bp, bpend;   /* its bytes, in POSTINGS (read through gx_ix_at) */
    uint32_t *pos;                   /* its positions, absolute */
    size_t pos_cap;
    uint32_t pstart[GX_IX_BLOCK_DOCS + 1];
    int corrupt;
} gx_pcur;
/* GROKX_E_CORRUPT when the skip table fails its pages (the cursor then
 * says so on every call). */
int gx_pcur_init(gx_pcur *c, const gx_ix *ix, const gx_term_info *t);
void gx_pcur_free(gx_pcur *c);
/* Advance: 1 with c->doc, 0 at the end, GROKX_E_CORRUPT. */
int gx_pcur_next(gx_pcur *c);
/* Advance to the first document >= target (never backwards). */
int gx_pcur_seek(gx_pcur *c, int64_t target);
/* Block at a time (for pruning): 1 when a block is in hand (its
 * block_last and block_impact known, not yet decoded), 0 at the end;
 * skip it unread, or decode it into bdoc/bfreq[bi..bn). Only before the
 * block's first document was taken. */
int gx_pcur_block(gx_pcur *c);
void gx_pcur_skip_block(gx_pcur *c);
int gx_pcur_decode(gx_pcur *c);
/* The current document's freq positions, rising, in *out (valid until the
 * cursor moves); GROKX_E_CORRUPT or GROKX_E_NOMEM. */
int gx_pcur_positions(gx_pcur *c, const uint32_t **out);

/* Records. */
typedef struct gx_doc {
    uint32_t conv, ntokens, store_block, store_off;
    int64_t time;
    uint16_t model, sender;
    uint8_t role, flags;
} gx_doc;
typedef struct gx_conv {
    grokx_str id, title, path;
    uint32_t flags, first_doc, doc_count;
    int64_t create_time, modify_time;
} gx_conv;
int gx_ix_doc(const gx_ix *ix, uint64_t i, gx_doc *d);         /* GROKX_E_CORRUPT */
int gx_ix_conv(const gx_ix *ix, uint64_t i, gx_conv *c);       /* GROKX_E_CORRUPT */
int gx_ix_name(const gx_ix *ix, uint64_t i, grokx_str *s);     /* GROKX_E_CORRUPT */
/* Inflate store block b into *raw (a buffer the caller keeps). */
int gx_ix_store_block(const gx_ix *ix, uint64_t b, gx_buf *raw);
/* The record at off of block b, inflating only what it needs. */
int gx_ix_store_fetch(const gx_ix *ix, uint64_t b, uint64_t off, gx_buf *raw, grokx_str *id,
                      grokx_str *text);
/* A marked block (one record, its text long): where its mark table and
 * deflate data are. */
typedef struct gx_store_marks {
    uint64_t table;        /* offset of the first mark in STORE */
    uint64_t cstart, clen; /* the deflate data in STORE */
    uint64_t raw_len;      /* the record's bytes, inflated */
    uint32_t n;            /* marks, at least 1 */
} gx_store_marks;
typedef struct gx_store_mark {
    uint32_t raw, z, pos; /* offset in the record, in the deflate data; token position */
    int dense;            /* up to the next mark, a character gives more than one position */
} gx_store_mark;
/* 1 when block b is marked (*m filled), 0 when not, GROKX_E_CORRUPT. */
int gx_ix_store_marks(const gx_ix *ix, uint64_t b, gx_store_marks *m);
/* Every mark of m into *out (n of them), checked: the first at the text's
 * start (position 0), then rising offsets and positions, inside the block. */
int gx_ix_store_mark_list(const gx_ix *ix, const gx_store_marks *m, gx_store_mark **out);
/* Inflate len bytes from deflate offset z (a mark's, or 0), appended to out. */
int gx_ix_store_inflate(const gx_ix *ix, const gx_store_marks *m, uint64_t z, uint64_t len,
                        gx_buf *out);
/* Bytes inflated and tokenised for snippets on this thread so far (for
 * the tests: a snippet's cost does not grow with its message). */
extern _Thread_local uint64_t gx_snippet_bytes;

/* The message id and text of a record at off in an inflated block. */
int gx_ix_store_record(const gx_ix *ix, const gx_buf *raw, uint64_t off, grokx_str *id,
                       grokx_str *text);

/* The reader behind a public handle (tests and fuzzers look inside). */
const gx_ix *gx_index_ix(const grokx_index *g);

/* ---- merging (merge.c) ------------------------------------------- */

/* Merge ixs[0..n-1] into one file on out: documents in input order. With
 * dedup, a conversation id met in several inputs is kept once: the copy
 * with the latest modify time (ties: the later input). With threads,
 * postings are encoded on a second thread as well (same bytes), in ranges
 * of about range bytes (gx_range_size); *largest as gx_ranges_run's. The
 * store is written again with marks (NULL: GX_MARK_MIN, GX_MARK_STEP). */
int gx_ix_merge(gx_ix *const *ixs, size_t n, int dedup, int threads, size_t range,
                size_t *largest, const gx_marks *marks, grokx_sink out, gx_mem *mem, char *why,
                size_t why_cap);

/* ---- temporaries ------------------------------------------------------- */

/* A read-write temporary in dir ($TMPDIR or /tmp when NULL), already
 * unlinked so nothing is left whatever happens. -1 with errno. */
int gx_temp_fd(const char *dir);
int gx_fd_sink_write(void *ud, const char *buf, size_t len); /* ud: &fd */

#endif /* GROKX_INDEX_H */
