/*
 * thread.c -- a writer that runs another on a thread of its own, so
 * rendering and writing files (md, html) use the second core while the
 * parser reads the next conversation.
 *
 * Each conversation and item is deep-copied (model_copy.c) into a ring
 * of bytes and queued as a job; the inner writer gets them in order. The
 * queue holds at most S_DEPTH jobs and S_RING bytes of copies. A
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
    pthread_mutex_t lock;
    pthread_cond_t work, room; /* jobs to run; room in the queue */
    int worker_idle, main_waiting;
    S_job jobs[S_DEPTH];
    size_t head, count; /* jobs[head] runs first; count includes the running one */
    char *ring;         /* copies, in queue order, wrapping around */
    size_t tail;        /* just past the newest copy */
    size_t bytes;       /* of the copies in the queue */
    int quit;
    int werr; /* the inner writer's first failure */
    char why[GROKX_ERROR_TEXT_MAX];
} S_thr;

static void
S_fail(S_thr *t, int rc)
{
    const char *why;
    if (t->werr)
        return;
    t->werr = rc;
    why = t->inner->vt.error_text ? t->inner->vt.error_text(t->inner->self) : NULL;
    snprintf(t->why, sizeof t->why, "%s", why ? why : "");
}

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
    pthread_mutex_lock(&t->lock);
    for (;;) {
        S_job *j;
        int rc = 0;
        while (!t->count && !t->quit) {
            t->worker_idle = 1;
            pthread_cond_wait(&t->work, &t->lock);
            t->worker_idle = 0;
        }
        if (!t->count)
            break;
        j = &t->jobs[t->head];
        if (!t->werr) {
            pthread_mutex_unlock(&t->lock);
            rc = S_run(t, j);
            pthread_mutex_lock(&t->lock);
            if (rc)
                S_fail(t, rc);
        }
        t->bytes -= j->size;
        t->head = (t->head + 1) % S_DEPTH;
        t->count--;
        if (t->main_waiting &&
            (t->werr || t->count <= S_DEPTH / 2 || t->bytes <= S_RING / 2))
            pthread_cond_signal(&t->room);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* Where a copy of size bytes fits in the ring now, or (size_t)-1. */
static size_t
S_fit(const S_thr *t, size_t size)
{
    size_t first;
    if (t->count == S_DEPTH)
        return (size_t)-1;
    if (!t->count) /* all free: start over */
        return 0;
    first = t->jobs[t->head].off;
    if (t->tail > first) { /* free: [tail, cap) and [0, first) */
        if (S_RING - t->tail >= size)
            return t->tail;
        return first >= size ? 0 : (size_t)-1;
    }
    return first - t->tail >= size ? t->tail : (size_t)-1; /* free: [tail, first) */
}

static void
S_wake_worker(S_thr *t)
{
    if (t->worker_idle)
        pthread_cond_signal(&t->work);
}

/* Sleep until the worker has made room (the lock held): it is woken
 * first, since it may be idle with jobs below its batch. */
static void
S_wait_room(S_thr *t)
{
    S_wake_worker(t);
    t->main_waiting = 1;
    pthread_cond_wait(&t->room, &t->lock);
    t->main_waiting = 0;
}

/* The next free job, with room for size bytes of copy at its off, once
 * the queue has room; NULL with *rc set if the inner writer failed or
 * memory ran out. */
static S_job *
S_reserve(S_thr *t, size_t size, int *rc)
{
    S_job *j;
    size_t off;
    size = (size + S_ALIGN - 1) & ~(S_ALIGN - 1);
    pthread_mutex_lock(&t->lock);
    for (;;) {
        if ((*rc = t->werr) != 0)
            break;
        if ((off = S_fit(t, size)) != (size_t)-1)
            break;
        S_wait_room(t);
    }
    /* not in the queue yet: the worker never touches it */
    j = &t->jobs[(t->head + t->count) % S_DEPTH];
    pthread_mutex_unlock(&t->lock);
    if (*rc)
        return NULL;
    j->off = off;
    j->size = size;
    return j;
}

static void
S_submit(S_thr *t, S_job *j)
{
    pthread_mutex_lock(&t->lock);
    t->bytes += j->size;
    t->tail = j->off + j->size;
    t->count++;
    if (t->count >= S_DEPTH / 2 || t->bytes >= S_RING / 2)
        S_wake_worker(t);
    pthread_mutex_unlock(&t->lock);
}

/* Wait until every job has run; the inner writer's failure, or 0. */
static int
S_drain(S_thr *t)
{
    int rc;
    if (!t->threaded)
        return 0;
    pthread_mutex_lock(&t->lock);
    while (t->count) {
        S_wait_room(t);
    }
    rc = t->werr;
    pthread_mutex_unlock(&t->lock);
    return rc;
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
        S_submit(t, j);
        return 0;
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
        S_submit(t, j);
        return 0;
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
    if (t->threaded) {
        int failed;
        pthread_mutex_lock(&t->lock);
        failed = t->werr != 0;
        pthread_mutex_unlock(&t->lock);
        if (failed)
            return t->why[0] ? t->why : NULL;
    }
    /* a failure of begin/end_export, on this thread */
    return t->inner->vt.error_text ? t->inner->vt.error_text(t->inner->self) : NULL;
}

static void
S_destroy(void *self)
{
    S_thr *t = self;
    if (t->threaded) { /* what was queued is still written, as without the thread */
        pthread_mutex_lock(&t->lock);
        t->quit = 1;
        pthread_cond_signal(&t->work);
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->thread, NULL);
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->work);
        pthread_cond_destroy(&t->room);
    }
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
    if ((t->ring = malloc(S_RING)) != NULL && pthread_mutex_init(&t->lock, NULL) == 0) {
        if (pthread_cond_init(&t->work, NULL) == 0) {
            if (pthread_cond_init(&t->room, NULL) == 0) {
                if (pthread_create(&t->thread, NULL, S_worker, t) == 0)
                    t->threaded = 1;
                else
                    pthread_cond_destroy(&t->room);
            }
            if (!t->threaded)
                pthread_cond_destroy(&t->work);
        }
        if (!t->threaded)
            pthread_mutex_destroy(&t->lock);
    }
    if (!t->threaded) {
        free(t->ring);
        t->ring = NULL;
    }
    if (!(w = grokx_writer_new(&vt, t)))
        S_destroy(t);
    return w;
}
