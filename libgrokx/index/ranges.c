/*
 * ranges.c -- a file's postings encoded on two threads. Writing
 * postings (a segment's, or a merge's) is cut into ranges of terms; each
 * range is encoded on its own, into memory, by whichever thread is free,
 * and this thread hands the finished ranges to the writer in term order.
 * A range's bytes depend only on its terms, so the file is the same byte
 * for byte whatever ran where, and the same as one thread writing it all.
 * At most S_WINDOW ranges are held at once: memory stays bounded by the
 * ranges' size, not the file's.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"

#define S_WINDOW 4

size_t
gx_range_size(size_t want)
{
    return want ? want : GX_RANGE_BYTES;
}

/* ---- one range's output ---------------------------------------------- */

static void
S_out_init(gx_terms_out *o, gx_mem *mem)
{
    memset(o, 0, sizeof *o);
    gx_buf_init(&o->bytes, mem);
    gx_buf_init(&o->entries, mem);
}

static void
S_out_free(gx_terms_out *o)
{
    gx_buf_free(&o->bytes);
    gx_buf_free(&o->entries);
}

int
gx_terms_out_add(gx_terms_out *o, const char *term, size_t len, const gx_penc *e)
{
    if (!len || len > GX_TERM_MAX)
        return GROKX_E_STATE;
    if (gx_buf_varint(&o->entries, len) || gx_buf_put(&o->entries, term, len) ||
        gx_buf_varint(&o->entries, e->df) || gx_buf_varint(&o->entries, e->docs.len) ||
        gx_buf_varint(&o->entries, e->skip.len) || gx_buf_varint(&o->entries, e->pos.len) ||
        gx_buf_put(&o->bytes, e->docs.ptr, e->docs.len) ||
        gx_buf_put(&o->bytes, e->skip.ptr, e->skip.len) ||
        gx_buf_put(&o->bytes, e->pos.ptr, e->pos.len))
        return GROKX_E_NOMEM;
    return 0;
}

/* Give a range's terms to the writer. */
static int
S_emit(gx_ixw *w, const gx_terms_out *o)
{
    const unsigned char *p, *end;
    const char *bytes = o->bytes.ptr;
    size_t at = 0;
    if (!o->entries.len)
        return 0; /* no terms (and no buffer: no pointer arithmetic on NULL) */
    p = (const unsigned char *)o->entries.ptr;
    end = p + o->entries.len;
    while (p < end) { /* our own bytes: well formed */
        uint64_t len = 0, df = 0, dl = 0, sl = 0, pl = 0;
        const char *term;
        int rc;
        gx_varint(&p, end, &len);
        term = (const char *)p;
        p += len;
        gx_varint(&p, end, &df);
        gx_varint(&p, end, &dl);
        gx_varint(&p, end, &sl);
        gx_varint(&p, end, &pl);
        if ((rc = gx_ixw_term(w, term, (size_t)len, df, bytes + at, (size_t)dl, bytes + at + dl,
                              (size_t)sl, bytes + at + dl + sl, (size_t)pl)) != 0)
            return rc;
        at += (size_t)(dl + sl + pl);
    }
    return 0;
}

/* ---- the two threads ---------------------------------------------------- */

typedef struct S_slot {
    gx_mem mem; /* its own: either thread may fill it */
    gx_terms_out out;
    int state; /* 0 free, 1 being encoded, 2 done */
    int rc;
    char why[GROKX_ERROR_TEXT_MAX];
} S_slot;

typedef struct S_run {
    size_t n, next, emitted;
    gx_range_job job;
    gx_range_done done;
    void *ud;
    S_slot slot[S_WINDOW];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int quit;
} S_run;

/* The next range to encode, if the window has room: under the lock. */
static int
S_take(S_run *r, size_t *k)
{
    if (r->quit || r->next >= r->n || r->next >= r->emitted + S_WINDOW)
        return 0;
    *k = r->next++;
    r->slot[*k % S_WINDOW].state = 1;
    return 1;
}

static void
S_encode(S_run *r, size_t k, int thread)
{
    S_slot *s = &r->slot[k % S_WINDOW];
    s->out.bytes.len = s->out.entries.len = 0;
    s->why[0] = 0;
    s->rc = r->job(r->ud, k, thread, &s->out, s->why, sizeof s->why);
}

static void *
S_worker(void *arg)
{
    S_run *r = arg;
    size_t k;
    pthread_mutex_lock(&r->lock);
    while (!r->quit) {
        if (!S_take(r, &k)) {
            pthread_cond_wait(&r->cond, &r->lock);
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        S_encode(r, k, 1);
        pthread_mutex_lock(&r->lock);
        r->slot[k % S_WINDOW].state = 2;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int
gx_ranges_run(size_t n, gx_range_job job, void *ud, gx_ixw *w, int threads, gx_range_done done,
              size_t *largest, char *why, size_t why_cap)
{
    S_run r;
    pthread_t th;
    int threaded = 0, rc = 0;
    size_t i, k;
    memset(&r, 0, sizeof r);
    r.n = n;
    r.job = job;
    r.done = done;
    r.ud = ud;
    for (i = 0; i < S_WINDOW; i++) {
        gx_mem_init(&r.slot[i].mem, NULL, NULL, 0);
        S_out_init(&r.slot[i].out, &r.slot[i].mem);
    }
    if (threads && n > 1 && pthread_mutex_init(&r.lock, NULL) == 0) {
        if (pthread_cond_init(&r.cond, NULL) == 0) {
            if (pthread_create(&th, NULL, S_worker, &r) == 0)
                threaded = 1;
            else
                pthread_cond_destroy(&r.cond);
        }
        if (!threaded)
            pthread_mutex_destroy(&r.lock); /* no second thread: all of it here */
    }
    if (threaded)
        pthread_mutex_lock(&r.lock);
    while (r.emitted < n) {
        S_slot *s = &r.slot[r.emitted % S_WINDOW];
        if (s->state == 2) { /* the next range in order is ready: out with it */
            if (threaded)
                pthread_mutex_unlock(&r.lock);
            if (largest && s->out.bytes.len > *largest)
                *largest = s->out.bytes.len;
            if (!(rc = s->rc) && !(rc = S_emit(w, &s->out)) && done)
                done(ud, r.emitted);
            else if (rc && s->why[0])
                snprintf(why, why_cap, "%s", s->why);
            if (threaded)
                pthread_mutex_lock(&r.lock);
            if (rc)
                break;
            s->state = 0;
            r.emitted++;
            if (threaded)
                pthread_cond_broadcast(&r.cond);
        } else if (S_take(&r, &k)) {
            if (threaded)
                pthread_mutex_unlock(&r.lock);
            S_encode(&r, k, 0);
            if (threaded)
                pthread_mutex_lock(&r.lock);
            r.slot[k % S_WINDOW].state = 2;
        } else {
            pthread_cond_wait(&r.cond, &r.lock); /* only when threaded: else take succeeds */
        }
    }
    if (threaded) {
        r.quit = 1;
        pthread_cond_broadcast(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(th, NULL);
        pthread_mutex_destroy(&r.lock);
        pthread_cond_destroy(&r.cond);
    }
    for (i = 0; i < S_WINDOW; i++)
        S_out_free(&r.slot[i].out);
    return rc;
}
