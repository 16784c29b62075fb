/*
 * thread.c -- a writer that runs another on a thread of its own, so
 * rendering and writing files (md, html) use the second core while the
 * parser reads the next conversation.
 *
 * Each conversation and item is deep-copied (model_copy.c) into a ring
 * of bytes and queued as a job (base/queue.c); the inner writer gets them
 * in order. The queue holds at most S_DEPTH jobs and S_RING bytes of copies. A
 * conversation over S_BIG is not copied: once the queue is empty, the
 * inner writer gets it on the caller's thread, so memory stays that of
 * the writer alone plus the ring. begin_export and end_export also run
 * on the caller's thread, with the worker idle. A failure of the inner
 * writer is returned by the next call (at the latest end_export); what
 * was queued after it is dropped.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writer/writer.h"

#define S_DEPTH 64                /* jobs in the queue */
#define S_RING ((size_t)2 << 20)  /* bytes of copies */
#define S_BIG (S_RING / 2)         /* a bigger conversation is not copied */
#define S_ALIGN (sizeof(max_align_t))

enum { S_CONV = 1, S_ITEM = 2 };

typedef struct S_job {
    int kind;
    size_t off, size; /* its copy in the ring */
    grokx_conversation conv;
    grokx_item item;
} S_job;

/* Waking a sleeping thread costs tens of microseconds in a VM, more than
 * writing a small conversation, so each side wakes the other only for a
 * half-full (or half-empty) queue, or when it must wait itself. */
typedef struct S_thr {
    grokx_writer *inner;
    int threaded;
    pthread_t thread;
    gx_queue *q;        /* S_job; its first failure is the inner writer's */
    S_job jobs[S_DEPTH];
    size_t next;        /* jobs[next % S_DEPTH] is the next one queued */
    char *ring;         /* copies, in queue order, wrapping around */
    size_t tail;        /* just past the newest copy */
    char why[GROKX_ERROR_TEXT_MAX];
} S_thr;

static int
S_run(S_thr *t, const S_job *j)
{
    const grokx_writer_vtable *vt = &t->inner->vt;
    if (j->kind == S_CONV)
        return vt->conversation ? vt->conversation(t->inner->self, &j->conv) : 0;
    return vt->item ? vt->item(t->inner->self, &j->item) : 0;
}

static void *
S_worker(void *arg)
{
    S_thr *t = arg;
    S_job *j;
    int failed;
    while ((j = gx_queue_get(t->q, &failed)) != NULL) {
        int rc = failed ? 0 : S_run(t, j); /* after a failure the rest is dropped */
        const char *why = NULL;
        if (rc && t->inner->vt.error_text)
            why = t->inner->vt.error_text(t->inner->self);
        gx_queue_done(t->q, j->size, rc, why);
    }
    return NULL;
}

/* Where a copy of size bytes fits in the ring now. */
typedef struct S_fit {
    const S_thr *t;
    size_t size, off;
} S_fit;

/* Does it fit, with the oldest job queued (still running, maybe) and
 * count of them? Under the queue's lock; sets off. */
static int
S_fits(void *ud, const void *oldest, size_t count)
{
    S_fit *f = ud;
    size_t first, tail = f->t->tail;
    if (count == S_DEPTH)
        return 0;
    if (!count) /* all free: start over */
        return f->off = 0, 1;
    first = ((const S_job *)oldest)->off;
    if (tail > first) { /* free: [tail, cap) and [0, first) */
        if (S_RING - tail >= f->size)
            return f->off = tail, 1;
        return first >= f->size ? (f->off = 0, 1) : 0;
    }
    return first - tail >= f->size ? (f->off = tail, 1) : 0; /* free: [tail, first) */
}

/* The next free job, with room for size bytes of copy at its off, once
 * the queue has room; NULL with *rc set if the inner writer failed. */
static S_job *
S_reserve(S_thr *t, size_t size, int *rc)
{
    S_job *j;
    S_fit f;
    f.t = t;
    f.size = (size + S_ALIGN - 1) & ~(S_ALIGN - 1);
    f.off = 0;
    if ((*rc = gx_queue_wait_room(t->q, S_fits, &f, NULL, 0)) != 0)
        return NULL;
    /* not in the queue yet: the worker never touches it (fewer than
     * S_DEPTH are queued, the oldest of them S_DEPTH - count back) */
    j = &t->jobs[t->next % S_DEPTH];
    j->off = f.off;
    j->size = f.size;
    return j;
}

static int
S_submit(S_thr *t, S_job *j)
{
    t->tail = j->off + j->size;
    t->next++;
    return gx_queue_put(t->q, j, j->size, NULL, 0);
}

/* Wait until every job has run; the inner writer's failure, or 0. */
static int
S_drain(S_thr *t)
{
    if (!t->threaded)
        return 0;
    return gx_queue_drain(t->q, NULL, 0);
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_thr *t = self;
    size_t size;
    S_job *j;
    int rc;
    if (t->threaded && (size = gx_conv_copy_size(c)) <= S_BIG) {
        if (!(j = S_reserve(t, size, &rc)))
            return rc;
        j->kind = S_CONV;
        gx_conv_copy(t->ring + j->off, c, &j->conv);
        return S_submit(t, j);
    }
    /* a big one (an answer of megabytes) is written here once the queue
     * is empty: in order, and never held twice */
    if ((rc = S_drain(t)) != 0)
        return rc;
    return t->inner->vt.conversation ? t->inner->vt.conversation(t->inner->self, c) : 0;
}

static int
S_item(void *self, const grokx_item *it)
{
    S_thr *t = self;
    size_t size;
    S_job *j;
    int rc;
    if (t->threaded && (size = gx_item_copy_size(it)) <= S_BIG) {
        if (!(j = S_reserve(t, size, &rc)))
            return rc;
        j->kind = S_ITEM;
        gx_item_copy(t->ring + j->off, it, &j->item);
        return S_submit(t, j);
    }
    if ((rc = S_drain(t)) != 0)
        return rc;
    return t->inner->vt.item ? t->inner->vt.item(t->inner->self, it) : 0;
}

static int
S_begin(void *self, const grokx_export_info *info)
{
    S_thr *t = self; /* nothing queued yet: the worker is idle */
    return t->inner->vt.begin_export ? t->inner->vt.begin_export(t->inner->self, info) : 0;
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_thr *t = self;
    int rc = S_drain(t);
    if (rc)
        return rc;
    return t->inner->vt.end_export ? t->inner->vt.end_export(t->inner->self, st) : 0;
}

static const char *
S_why(void *self)
{
    S_thr *t = self;
    if (t->threaded && gx_queue_error(t->q, t->why, sizeof t->why))
        return t->why[0] ? t->why : NULL;
    /* a failure of begin/end_export, on this thread */
    return t->inner->vt.error_text ? t->inner->vt.error_text(t->inner->self) : NULL;
}

static void
S_destroy(void *self)
{
    S_thr *t = self;
    if (t->threaded) { /* what was queued is still written, as without the thread */
        gx_queue_close(t->q);
        pthread_join(t->thread, NULL);
    }
    gx_queue_free(t->q);
    free(t->ring);
    free(t);
}

grokx_writer *
grokx_writer_thread_new(grokx_writer *inner)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_begin, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    grokx_writer *w;
    S_thr *t;
    if (!inner || !(t = calloc(1, sizeof *t)))
        return NULL;
    t->inner = inner;
    /* no ring (memory) or no thread: inner runs on the caller's thread */
    if ((t->ring = malloc(S_RING)) != NULL &&
        (t->q = gx_queue_new(S_DEPTH, S_RING, S_DEPTH / 2, S_RING / 2)) != NULL &&
        pthread_create(&t->thread, NULL, S_worker, t) == 0)
        t->threaded = 1;
    if (!t->threaded) {
        gx_queue_free(t->q);
        t->q = NULL;
        free(t->ring);
        t->ring = NULL;
    }
    if (!(w = grokx_writer_new(&vt, t)))
        S_destroy(t);
    return w;
}
