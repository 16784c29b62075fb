/*
 * queue.c -- the one bounded queue between two threads: a producer (the
 * thread that reads the export) hands work to a consumer (a thread of its
 * own) in order. The writer thread, the filer and the index's worker use
 * it; each keeps its own items and says only how big each is.
 *
 * An item stays counted from gx_queue_put until the consumer's
 * gx_queue_done: the one running still holds its memory (a ring's bytes,
 * a batch), so room and gx_queue_drain wait for it too. The first failure
 * the consumer reports is kept with its reason; after it nothing more is
 * queued (put returns it) and the consumer is told to drop what is left.
 *
 * Waking a sleeping thread costs tens of microseconds in a VM, more than
 * writing a small conversation, so each side wakes the other only for a
 * queue filled to wake_items or wake_bytes (or half empty), or when it
 * must wait itself.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"

struct gx_queue {
    pthread_mutex_t lock;
    pthread_cond_t work, room; /* items to run; room for more */
    void **items;              /* a ring of max_items */
    size_t max_items, max_bytes, wake_items, wake_bytes;
    size_t head, count; /* items[head] is the oldest; count includes the running one */
    size_t bytes;       /* of the items counted */
    int consumer_idle, producer_waiting, closed;
    int err; /* the consumer's first failure */
    char why[GROKX_ERROR_TEXT_MAX];
};

gx_queue *
gx_queue_new(size_t max_items, size_t max_bytes, size_t wake_items, size_t wake_bytes)
{
    gx_queue *q;
    if (!max_items || !(q = calloc(1, sizeof *q)))
        return NULL;
    if (!(q->items = calloc(max_items, sizeof *q->items)))
        goto no_items;
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto no_lock;
    if (pthread_cond_init(&q->work, NULL) != 0)
        goto no_work;
    if (pthread_cond_init(&q->room, NULL) != 0)
        goto no_room;
    q->max_items = max_items;
    q->max_bytes = max_bytes;
    q->wake_items = wake_items;
    q->wake_bytes = wake_bytes;
    return q;
no_room:
    pthread_cond_destroy(&q->work);
no_work:
    pthread_mutex_destroy(&q->lock);
no_lock:
    free(q->items);
no_items:
    free(q);
    return NULL;
}

void
gx_queue_free(gx_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->room);
    free(q->items);
    free(q);
}

/* ---- the producer ------------------------------------------------------ */

static void
S_wake_consumer(gx_queue *q)
{
    if (q->consumer_idle)
        pthread_cond_signal(&q->work);
}

/* Sleep until the consumer has made room or finished (the lock held): it
 * is woken first, since it may be idle with fewer than wake_items. */
static void
S_wait(gx_queue *q)
{
    S_wake_consumer(q);
    q->producer_waiting = 1;
    pthread_cond_wait(&q->room, &q->lock);
    q->producer_waiting = 0;
}

/* The first failure, its reason copied into why (the lock held). */
static int
S_failed(const gx_queue *q, char *why, size_t cap)
{
    if (q->err && why && cap)
        snprintf(why, cap, "%s", q->why);
    return q->err;
}

static int
S_room(const gx_queue *q, size_t bytes)
{
    return !q->count || (q->count < q->max_items && q->bytes + bytes <= q->max_bytes);
}

int
gx_queue_wait_room(gx_queue *q, gx_queue_fits_fn fits, void *ud, char *why, size_t cap)
{
    int rc;
    pthread_mutex_lock(&q->lock);
    while (!(rc = q->err) && !fits(ud, q->count ? q->items[q->head] : NULL, q->count))
        S_wait(q);
    S_failed(q, why, cap);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int
gx_queue_put(gx_queue *q, void *item, size_t bytes, char *why, size_t cap)
{
    int rc;
    pthread_mutex_lock(&q->lock);
    while (!(rc = q->err) && !S_room(q, bytes))
        S_wait(q);
    if (!rc) {
        q->items[(q->head + q->count) % q->max_items] = item;
        q->count++;
        q->bytes += bytes;
        if (q->count >= q->wake_items || q->bytes >= q->wake_bytes)
            S_wake_consumer(q);
    }
    S_failed(q, why, cap);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int
gx_queue_drain(gx_queue *q, char *why, size_t cap)
{
    int rc;
    pthread_mutex_lock(&q->lock);
    while (q->count)
        S_wait(q);
    rc = S_failed(q, why, cap);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int
gx_queue_error(gx_queue *q, char *why, size_t cap)
{
    int rc;
    pthread_mutex_lock(&q->lock);
    rc = S_failed(q, why, cap);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void
gx_queue_close(gx_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->work);
    pthread_cond_broadcast(&q->room);
    pthread_mutex_unlock(&q->lock);
}

/* ---- the consumer ------------------------------------------------------ */

void *
gx_queue_get(gx_queue *q, int *failed)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    while (!q->count && !q->closed) {
        q->consumer_idle = 1;
        pthread_cond_wait(&q->work, &q->lock);
        q->consumer_idle = 0;
    }
    if (q->count)
        item = q->items[q->head];
    *failed = q->err != 0;
    pthread_mutex_unlock(&q->lock);
    return item;
}

void
gx_queue_done(gx_queue *q, size_t bytes, int rc, const char *why)
{
    pthread_mutex_lock(&q->lock);
    if (rc && !q->err) {
        q->err = rc;
        snprintf(q->why, sizeof q->why, "%s", why ? why : "");
    }
    q->head = (q->head + 1) % q->max_items;
    q->count--;
    q->bytes -= bytes;
    if (q->producer_waiting &&
        (q->err || !q->count || q->count <= q->max_items / 2 || q->bytes <= q->max_bytes / 2))
        pthread_cond_signal(&q->room);
    pthread_mutex_unlock(&q->lock);
}
