/*
 * build.c -- the "index" writer: every delivered message becomes a
 * document of the search index (docs/index-format.md, docs/search.md).
 *
 * Two threads share the work. This one takes conversations from the
 * parser, keeps their records (conversations, messages, names) and
 * packs the cleaned texts into the blocks of the message store; the texts
 * also go in batches (base/queue.c) to a second thread that tokenises
 * them and builds the inverted lists (invert.c). Deflating the store's blocks is
 * shared: this thread deflates the even ones, the batch carries the odd
 * ones to the second thread (S_deflater). With all of it on either side,
 * the other thread waited half of the time. When the lists outgrow the
 * memory budget, the segment is written, sorted, as a complete index file
 * to an unlinked temporary, and memory starts over; at the end the segments are merged
 * into the output (merge.c). An export that fits the budget is
 * written once, directly. Memory is the budget plus a conversation and
 * two batches (each about 1 MiB of texts and half as much of raw store
 * blocks), whatever the size of the export; the output is the same
 * byte for byte with or without the second thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/ix.h"

#define S_DEFAULT_BUDGET ((size_t)256 << 20)
#define S_MAX_SEGMENTS 4096
#define S_BATCH ((size_t)1 << 20) /* bytes of text handed over at a time */

typedef struct S_batch {
    gx_buf recs;   /* (varint text length, text) per message */
    size_t n;
    gx_buf blocks; /* (varint length, raw store block) for the worker to deflate */
} S_batch;

/* The store blocks one thread deflated, in block order: their bytes back to
 * back, and each one's length. */
typedef struct S_deflater {
    const gx_marks *marks; /* the store's */
    void *z;
    gx_buf out, lens; /* lens: u32 per block */
} S_deflater;

typedef struct S_ix {
    grokx_writer_config cfg;
    gx_mem mem, wmem; /* this thread's allocations, the worker's (each counts its own) */
    gx_layout layout; /* the note each conversation gets from -f md, for hits */
    size_t budget;
    gx_buf clean;     /* the text indexed and stored: cards and markup removed */
    /* this segment's records */
    gx_buf docs, convs, strs, names;
    gx_storew store; /* the segment's store: records packed into raw blocks */
    S_deflater mine, theirs; /* even blocks deflated here, odd by the worker */
    gx_buf owner;    /* per block of the segment: 0 mine, 1 theirs */
    uint32_t ndocs, nconvs;
    grokx_str *name_list; /* distinct senders and models (into strs by offset) */
    uint64_t *name_off;
    size_t nnames, names_cap;
    /* the worker and its inverted lists */
    gx_inv inv;
    S_batch batch[2]; /* [fill] is filled here while the worker reads the other */
    int fill;
    pthread_t thread;
    gx_queue *q;      /* the batch handed over (one at a time); the worker's first error */
    int threaded, werr; /* werr: the first error of batches run here, with no thread */
    int two_threads; /* allowed: postings are written on two threads too */
    size_t range_max; /* bytes of postings a range holds at most (gx_writer_index_tune) */
    size_t wused; /* the worker's memory after its last batch */
    size_t wseen; /* wused after every batch but the last submitted: what
                   * spilling is decided on, the same whatever the timing */
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
    if (gx_path_join(path, sizeof path, "%s/grokx-segment-XXXXXX", d) != 0)
        return -1; /* errno ENAMETOOLONG */
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
    if (s.len > 256) { /* a name, not a text: cut on a character boundary */
        s.len = 256;
        while (s.len && ((unsigned char)s.ptr[s.len] & 0xC0) == 0x80)
            s.len--;
    }
    for (i = 0; i < x->nnames; i++) /* few names: senders and models */
        if (x->name_list[i].len == s.len && !memcmp(x->strs.ptr + x->name_off[i], s.ptr, s.len)) {
            *out = (uint16_t)i;
            return 0;
        }
    if (x->nnames >= 65535) { /* a hostile export: the last slot stands for the rest */
        *out = 65535;
        return 0;
    }
    if (x->nnames == x->names_cap) { /* both arrays grow together */
        size_t cap = x->names_cap ? x->names_cap * 2 : 16;
        grokx_str *nl = realloc(x->name_list, cap * sizeof *nl);
        uint64_t *no;
        if (!nl)
            return GROKX_E_NOMEM;
        x->name_list = nl;
        if (!(no = realloc(x->name_off, cap * sizeof *no)))
            return GROKX_E_NOMEM;
        x->name_off = no;
        x->names_cap = cap;
    }
    x->name_off[x->nnames] = x->strs.len;
    x->name_list[x->nnames].len = s.len;
    if (S_str_ref(x, ref, s.ptr, s.len) || gx_buf_put(&x->names, ref, sizeof ref))
        return GROKX_E_NOMEM;
    *out = (uint16_t)x->nnames++;
    return 0;
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
            /* its title and language are words a person searches for */
            if (!(rc = gx_buf_puts(&x->clean, "\n")) && !(rc = gx_buf_puts(&x->clean, seg.title)) &&
                !(rc = gx_buf_puts(&x->clean, seg.lang[0] ? " (" : "")) &&
                !(rc = gx_buf_puts(&x->clean, seg.lang)) &&
                !(rc = gx_buf_puts(&x->clean, seg.lang[0] ? ")\n" : "\n")))
                rc = gx_buf_put(&x->clean, seg.text, seg.len);
            if (!rc)
                rc = gx_buf_puts(&x->clean, "\n");
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the second thread ------------------------------------------------ */

static int
S_deflate(S_deflater *d, const void *raw, size_t n)
{
    unsigned char len[4];
    size_t took;
    int rc = gx_store_deflate(&d->z, d->marks, raw, n, &d->out, &took);
    if (rc)
        return rc;
    gx_put32(len, (uint32_t)took);
    return gx_buf_put(&d->lens, len, sizeof len);
}

static void
S_deflater_free(S_deflater *d, int keep_state)
{
    gx_buf_free(&d->out);
    gx_buf_free(&d->lens);
    if (!keep_state)
        gx_store_deflate_end(&d->z);
}

static int
S_run_batch(gx_inv *v, S_deflater *d, S_batch *b)
{
    const unsigned char *p = (const unsigned char *)b->blocks.ptr, *end = p ? p + b->blocks.len : p;
    size_t i;
    int rc = 0;
    while (p < end && !rc) { /* our own records: well formed */
        uint64_t n = 0;
        gx_varint(&p, end, &n);
        rc = S_deflate(d, p, (size_t)n);
        p += n;
    }
    b->blocks.len = 0;
    p = (const unsigned char *)b->recs.ptr, end = p ? p + b->recs.len : p; /* none: only blocks */
    for (i = 0; i < b->n && !rc; i++) { /* our own records: well formed */
        uint64_t n = 0;
        grokx_str text;
        gx_varint(&p, end, &n);
        text.ptr = (const char *)p, text.len = (size_t)n, p += n;
        rc = gx_inv_add(v, text);
    }
    b->recs.len = 0;
    b->n = 0;
    return rc;
}

static void *
S_worker(void *arg)
{
    S_ix *x = arg;
    S_batch *b;
    int failed;
    while ((b = gx_queue_get(x->q, &failed)) != NULL) {
        int rc = failed ? 0 : S_run_batch(&x->inv, &x->theirs, b);
        /* read by this thread's caller once the batch is done (the queue's
         * lock orders it) */
        x->wused = gx_inv_used(&x->inv) + x->theirs.out.cap + x->theirs.lens.cap;
        gx_queue_done(x->q, 0, rc, NULL);
    }
    return NULL;
}

/* The worker's first error, or 0; it may be failing now. */
static int
S_worker_error(S_ix *x)
{
    return x->threaded ? gx_queue_error(x->q, NULL, 0) : x->werr;
}

/* Wait until the worker has nothing in hand; its first error, or 0. */
static int
S_drain(S_ix *x)
{
    return x->threaded ? gx_queue_drain(x->q, NULL, 0) : x->werr;
}

/* Hand the batch being filled to the worker (or run it here). */
static int
S_submit(S_ix *x)
{
    int rc;
    if (!x->batch[x->fill].n && !x->batch[x->fill].blocks.len)
        return 0;
    if (!x->threaded) {
        x->wseen = x->wused;
        rc = S_run_batch(&x->inv, &x->theirs, &x->batch[x->fill]);
        x->wused = gx_inv_used(&x->inv) + x->theirs.out.cap + x->theirs.lens.cap;
        return rc ? (x->werr = rc) : 0;
    }
    if ((rc = S_drain(x)) != 0)
        return rc;
    x->wseen = x->wused; /* the worker is idle: it wrote this before the done S_drain saw */
    x->fill = !x->fill; /* swap and wake it */
    return gx_queue_put(x->q, &x->batch[!x->fill], 0, NULL, 0);
}

static void
S_stop(S_ix *x)
{
    if (!x->threaded)
        return;
    gx_queue_close(x->q);
    pthread_join(x->thread, NULL);
    gx_queue_free(x->q);
    x->q = NULL;
    x->threaded = 0;
}

/* The store's raw block is full (or the segment ends): deflate it here if
 * even, or hand it to the worker with the batch if odd. Either way its
 * bytes are those gx_storew_flush would give. */
static int
S_seal_block(S_ix *x)
{
    gx_storew *s = &x->store;
    S_batch *b = &x->batch[x->fill];
    unsigned char theirs = (unsigned char)(s->nblocks & 1);
    int rc;
    if (!s->raw.len)
        return 0;
    if (theirs)
        rc = gx_buf_varint(&b->blocks, s->raw.len) || gx_buf_put(&b->blocks, s->raw.ptr, s->raw.len)
                 ? GROKX_E_NOMEM
                 : 0;
    else
        rc = S_deflate(&x->mine, s->raw.ptr, s->raw.len);
    if (rc || (rc = gx_buf_put(&x->owner, &theirs, 1)) != 0)
        return rc;
    s->nblocks++;
    s->raw.len = 0;
    s->whole = 0;
    return 0;
}

/* A message: its record here, its text to the batch. */
static int
S_message(S_ix *x, uint32_t conv, const grokx_message *m)
{
    unsigned char rec[GX_IX_DOC_REC];
    uint16_t model, sender;
    uint32_t block, off;
    S_batch *b = &x->batch[x->fill];
    grokx_str clean;
    int rc;
    if ((rc = S_clean_text(x, m->text)) || (rc = S_name(x, m->model, &model)) ||
        (rc = S_name(x, m->sender, &sender)))
        return rc;
    clean.ptr = x->clean.ptr ? x->clean.ptr : "";
    clean.len = x->clean.len;
    if (gx_store_full(&x->store, clean.len) && (rc = S_seal_block(x)) != 0)
        return rc; /* before gx_storew_add would deflate it */
    if ((rc = gx_storew_add(&x->store, m->id, clean, &block, &off)) != 0)
        return rc;
    memset(rec, 0, sizeof rec); /* tokens: filled in when written */
    gx_put32(rec, conv);
    gx_put32(rec + 16, block);
    gx_put32(rec + 20, off);
    gx_put64(rec + 8, (uint64_t)m->create_time);
    gx_put16(rec + 24, model);
    gx_put16(rec + 26, sender);
    rec[28] = m->role == GROKX_ROLE_USER ? 0 : m->role == GROKX_ROLE_SYSTEM ? 2 : 1;
    rec[29] = m->flags & GROKX_MSG_ACTIVE ? GX_IX_DOC_ACTIVE : 0;
    if ((rc = gx_buf_put(&x->docs, rec, sizeof rec)) ||
        (rc = gx_buf_varint(&b->recs, x->clean.len)) ||
        (rc = gx_buf_put(&b->recs, x->clean.ptr, x->clean.len)))
        return rc;
    b->n++;
    x->ndocs++;
    return b->recs.len >= S_BATCH ? S_submit(x) : 0;
}

/* ---- segments ------------------------------------------------------- */

static int
S_section(gx_ixw *w, int id, const void *p, size_t n)
{
    int rc;
    if ((rc = gx_ixw_begin(w, id)) || (rc = gx_ixw_put(w, p, n)))
        return rc;
    return gx_ixw_end(w);
}

/* The STORE and STORE_INDEX sections: the blocks in order, each from the
 * thread that deflated it. */
static int
S_write_store(S_ix *x, gx_ixw *w)
{
    const unsigned char *own = (const unsigned char *)x->owner.ptr;
    const S_deflater *d[2];
    size_t at[2] = {0, 0}, k[2] = {0, 0}, i, nblocks = x->owner.len;
    unsigned char end[8];
    uint64_t total = 0;
    int rc;
    d[0] = &x->mine, d[1] = &x->theirs;
    if ((rc = gx_ixw_begin(w, GX_SEC_STORE)) != 0)
        return rc;
    for (i = 0; i < nblocks && !rc; i++) {
        const S_deflater *t = d[own[i]];
        size_t *a = &at[own[i]], *j = &k[own[i]];
        uint32_t len;
        if ((*j + 1) * 4 > t->lens.len)
            return GROKX_E_STATE;
        len = gx_le32((const unsigned char *)t->lens.ptr + *j * 4);
        rc = gx_ixw_put(w, t->out.ptr + *a, len);
        *a += len, ++*j;
    }
    if (rc || (rc = gx_ixw_end(w)) || (rc = gx_ixw_begin(w, GX_SEC_STORE_INDEX)))
        return rc;
    gx_put64(end, 0);
    rc = gx_ixw_put(w, end, 8);
    k[0] = k[1] = 0;
    for (i = 0; i < nblocks && !rc; i++) { /* each block's end */
        total += gx_le32((const unsigned char *)d[own[i]]->lens.ptr + k[own[i]]++ * 4);
        gx_put64(end, total);
        rc = gx_ixw_put(w, end, 8);
    }
    return rc ? rc : gx_ixw_end(w);
}

/* Bytes of postings per range when writing on two threads: the ranges
 * held at once (about ten) stay a small part of the budget; at most
 * range_max. */
static size_t
S_range(const S_ix *x)
{
    return GX_MIN(GX_MAX(x->budget / 64, (size_t)16 << 10), x->range_max);
}

/* Write the segment in memory as a complete index file on out. The
 * worker must be idle. */
static int
S_write(S_ix *x, grokx_sink out)
{
    gx_inv *v = &x->inv;
    gx_ixw w;
    gx_ix_counts n;
    size_t i;
    int rc;
    if (v->ndocs != x->ndocs)
        return GROKX_E_STATE;
    for (i = 0; i < x->ndocs; i++) /* what the worker learnt of each message */
        gx_put32((unsigned char *)x->docs.ptr + i * GX_IX_DOC_REC + 4, v->doc_info[i].ntokens);
    gx_ixw_init(&w, out, &x->mem);
    rc = gx_inv_write_postings(v, &w, x->two_threads, S_range(x));
    if (!rc && !(rc = gx_ixw_end(&w)) &&
        !(rc = S_write_store(x, &w)) &&
        !(rc = S_section(&w, GX_SEC_DOCS, x->docs.ptr, x->docs.len)) &&
        !(rc = S_section(&w, GX_SEC_CONVS, x->convs.ptr, x->convs.len)) &&
        !(rc = S_section(&w, GX_SEC_NAMES, x->names.ptr, x->names.len)) &&
        !(rc = S_section(&w, GX_SEC_STRS, x->strs.ptr, x->strs.len))) {
        n.ndocs = x->ndocs;
        n.nconvs = x->nconvs;
        n.nnames = x->nnames;
        n.nstore_blocks = x->owner.len;
        n.total_tokens = v->total_tokens;
        rc = gx_ixw_finish(&w, &n);
    }
    if (rc == GROKX_E_IO && w.errnum)
        errno = w.errnum; /* for the caller's message */
    gx_ixw_free(&w);
    return rc;
}

/* Forget the segment in memory, for the next one. */
static void
S_reset(S_ix *x)
{
    gx_inv_reset(&x->inv);
    gx_storew_reset(&x->store); /* they grow again with the next segment */
    S_deflater_free(&x->mine, 1);
    S_deflater_free(&x->theirs, 1);
    gx_buf_free(&x->owner);
    /* what the worker holds now, not what it held for the segment written
     * (the worker is idle, and this point is the same with or without it) */
    x->wused = x->wseen = gx_inv_used(&x->inv) + x->theirs.out.cap + x->theirs.lens.cap;
    gx_buf_free(&x->docs);
    gx_buf_free(&x->convs);
    gx_buf_free(&x->strs);
    gx_buf_free(&x->names);
    x->ndocs = x->nconvs = 0;
    x->nnames = 0;
}

static int
S_spill(S_ix *x)
{
    int fd, rc;
    grokx_sink s;
    if ((rc = S_seal_block(x)) || (rc = S_submit(x)) || (rc = S_drain(x)))
        return rc;
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
    x->docs_total += x->ndocs;
    S_reset(x);
    return 0;
}

/* ---- the writer ----------------------------------------------------- */

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_ix *x = self;
    unsigned char rec[GX_IX_CONV_REC];
    char dir[64], rel[1024];
    size_t i, used;
    int rc;
    if ((rc = S_worker_error(x)) != 0)
        return rc;
    if (x->docs_total + x->ndocs + c->message_count >= UINT32_MAX - 1)
        return snprintf(x->why, sizeof x->why, "index: more than 2^32 messages"), GROKX_E_LIMIT;
    if ((rc = gx_layout_place(&x->layout, c, "md", dir, sizeof dir, rel, sizeof rel)) != 0)
        return rc;
    memset(rec, 0, sizeof rec);
    if ((rc = S_str_ref(x, rec, c->id.ptr, c->id.len)) ||
        (rc = S_str_ref(x, rec + 12, c->title.ptr, c->title.len)) ||
        (rc = S_str_ref(x, rec + 24, rel, strlen(rel))))
        return rc;
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
    /* the worker's bytes as of the batch before the last: an estimate is
     * enough to decide when to spill, and it makes the segments (so the
     * file) the same with or without the thread and whatever its timing */
    used = x->wseen;
    used += x->docs.cap + x->convs.cap + x->strs.cap + x->names.cap + x->mine.out.cap +
            x->mine.lens.cap + x->owner.cap; /* not the batches: about 1.5 MiB each */
    return used > x->budget ? S_spill(x) : 0;
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_ix *x = self;
    gx_ix *ixs = NULL, **ptrs = NULL;
    size_t i, opened = 0;
    int rc = 0;
    GX_UNUSED(st);
    if ((rc = S_seal_block(x)) || (rc = S_submit(x)) || (rc = S_drain(x)))
        return rc;
    if (!x->nsegs) { /* it all fit: write it once */
        rc = S_write(x, x->cfg.sink);
        if (rc == GROKX_E_IO)
            snprintf(x->why, sizeof x->why, "index: writing the index: %s", strerror(errno));
        return rc;
    }
    if (x->ndocs || x->nconvs) {
        if ((rc = S_spill(x)) != 0)
            return rc;
    }
    S_stop(x);
    S_reset(x);
    ixs = calloc(x->nsegs, sizeof *ixs);
    ptrs = calloc(x->nsegs, sizeof *ptrs);
    if (!ixs || !ptrs)
        rc = GROKX_E_NOMEM;
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
            snprintf(x->why, sizeof x->why, "index: a temporary segment: %.200s", ixs[i].why);
    }
    if (!rc)
        rc = gx_ix_merge(ptrs, x->nsegs, 0, x->two_threads, S_range(x), NULL, &x->store.marks,
                         x->cfg.sink, &x->mem, x->why, sizeof x->why);
    if (!rc && x->cfg.report) { /* what the budget cost: a merge at the end */
        char line[160];
        int mib = x->budget >= ((size_t)1 << 20);
        snprintf(line, sizeof line, "index: %llu messages built in %zu segments (memory budget %zu %s)",
                 (unsigned long long)x->docs_total, x->nsegs, x->budget >> (mib ? 20 : 10),
                 mib ? "MiB" : "KiB");
        x->cfg.report(x->cfg.report_ud, line);
    }
    for (i = 0; i < opened; i++)
        gx_ix_close(&ixs[i]);
    free(ixs);
    free(ptrs);
    return rc;
}

static const char *
S_why(void *self)
{
    S_ix *x = self;
    if (!x->why[0] && S_worker_error(x) == GROKX_E_LIMIT)
        snprintf(x->why, sizeof x->why, "index: a message is larger than the index can hold");
    return x->why[0] ? x->why : NULL;
}

static void
S_destroy(void *self)
{
    S_ix *x = self;
    size_t i;
    S_stop(x);
    for (i = 0; i < x->nsegs; i++)
        close(x->segs[i]);
    gx_inv_free(&x->inv);
    free(x->name_list);
    free(x->name_off);
    gx_buf_free(&x->clean);
    gx_buf_free(&x->docs);
    gx_buf_free(&x->convs);
    gx_buf_free(&x->strs);
    gx_buf_free(&x->names);
    gx_storew_free(&x->store);
    S_deflater_free(&x->mine, 0);
    S_deflater_free(&x->theirs, 0);
    gx_buf_free(&x->owner);
    gx_buf_free(&x->batch[0].blocks);
    gx_buf_free(&x->batch[1].blocks);
    gx_buf_free(&x->batch[0].recs);
    gx_buf_free(&x->batch[1].recs);
    gx_layout_free(&x->layout);
    free(x);
}

int
gx_writer_index_tune(grokx_writer *w, size_t range_max, const gx_marks *marks)
{
    S_ix *x;
    if (!w || w->vt.destroy != S_destroy)
        return GROKX_E_INVALID;
    x = w->self;
    x->range_max = range_max ? range_max : GX_RANGE_BYTES;
    /* the worker reads them once it has a batch: the queue orders this first */
    x->store.marks.min = marks ? marks->min : GX_MARK_MIN;
    x->store.marks.step = marks ? marks->step : GX_MARK_STEP;
    return 0;
}

int
gx_writer_index_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, S_conversation, NULL,
                                           S_end, S_destroy, S_why};
    grokx_writer_config lc = *cfg;
    S_ix *x;
    if (!cfg->sink.write)
        return gx_err_set(err, GROKX_E_INVALID, "index writes one file: give cfg.sink");
    if (!(x = calloc(1, sizeof *x)))
        return GROKX_E_NOMEM;
    x->cfg = *cfg;
    x->budget = cfg->memory_budget ? cfg->memory_budget : S_DEFAULT_BUDGET;
    x->range_max = GX_RANGE_BYTES;
    gx_mem_init(&x->mem, NULL, NULL, 0);
    gx_mem_init(&x->wmem, NULL, NULL, 0);
    gx_buf_init(&x->clean, &x->mem);
    gx_buf_init(&x->docs, &x->mem);
    gx_buf_init(&x->convs, &x->mem);
    gx_buf_init(&x->strs, &x->mem);
    gx_buf_init(&x->names, &x->mem);
    gx_storew_init(&x->store, &x->mem);
    x->mine.marks = x->theirs.marks = &x->store.marks;
    gx_buf_init(&x->mine.out, &x->mem);
    gx_buf_init(&x->mine.lens, &x->mem);
    gx_buf_init(&x->theirs.out, &x->wmem);
    gx_buf_init(&x->theirs.lens, &x->wmem);
    gx_buf_init(&x->owner, &x->mem);
    gx_buf_init(&x->batch[0].blocks, &x->mem);
    gx_buf_init(&x->batch[1].blocks, &x->mem);
    gx_buf_init(&x->batch[0].recs, &x->mem);
    gx_buf_init(&x->batch[1].recs, &x->mem);
    gx_inv_init(&x->inv, &x->wmem);
    lc.out_dir = NULL;
    if (gx_layout_init(&x->layout, &lc) != 0) {
        S_destroy(x);
        return GROKX_E_NOMEM;
    }
    x->layout.names_only = 1;
    x->two_threads = !(cfg->flags & GROKX_WF_NO_THREADS);
    /* one batch at a time: the worker's while the next is filled here */
    if (x->two_threads && (x->q = gx_queue_new(1, SIZE_MAX, 1, 0)) != NULL) {
        if (pthread_create(&x->thread, NULL, S_worker, x) == 0)
            x->threaded = 1;
        else {
            gx_queue_free(x->q); /* no second thread: work here */
            x->q = NULL;
        }
    }
    if (!(*out = grokx_writer_new(&vt, x))) {
        S_destroy(x);
        return GROKX_E_NOMEM;
    }
    return 0;
}
