/*
 * pump.c -- a compressed backend into the parser, for zip.c and gzip.c:
 * the pump that inflates on a second thread while the caller's thread
 * parses (the machines this runs on have at least two cores, and inflate
 * costs about a third of a parse). The parser, the writers and all their
 * callbacks stay on the caller's thread; the producer thread only fills
 * buffers. Without a thread (pthread_create failing) the same loop runs
 * inline.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "input/backend.h"

#define S_NBUF 4

typedef struct S_pump {
    gx_read_fn next;
    void *state;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *buf[S_NBUF];
    size_t len[S_NBUF];
    size_t head, count; /* ring: filled slots from head */
    int done, stop, rc;
    grokx_error err;
} S_pump;

static void *
S_produce(void *arg)
{
    S_pump *q = arg;
    for (;;) {
        size_t slot, got = 0;
        grokx_error err;
        int rc;
        pthread_mutex_lock(&q->mu);
        while (q->count == S_NBUF && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        slot = (q->head + q->count) % S_NBUF;
        if (q->stop) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        pthread_mutex_unlock(&q->mu);
        rc = q->next(q->state, q->buf[slot], GX_READ_SIZE, &got, &err);
        pthread_mutex_lock(&q->mu);
        if (rc || got == 0) {
            q->rc = rc;
            if (rc)
                q->err = err;
            q->done = 1;
        } else {
            q->len[slot] = got;
            q->count++;
        }
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        if (rc || got == 0)
            return NULL;
    }
}

/* Feed one chunk; the first is sniffed: no export starts as a PDF does. */
static int
S_feed(grokx_parser *p, const unsigned char *buf, size_t len, const char *how, int *first)
{
    if (*first) {
        char what[128];
        const char *why = gx_sniff_not_export(buf, len, 0, what, sizeof what);
        *first = 0;
        if (why)
            return gx_parser_fail(p, GROKX_E_SCHEMA, "not a Grok export: %s, %s", why, how);
    }
    return grokx_parser_feed(p, buf, len);
}

/* Parse what the producer makes; returns the parse's result. */
static int
S_consume(S_pump *q, grokx_parser *p, const char *how)
{
    int first = 1;
    for (;;) {
        size_t slot;
        int rc;
        pthread_mutex_lock(&q->mu);
        while (q->count == 0 && !q->done)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->count == 0) { /* done */
            rc = q->rc;
            pthread_mutex_unlock(&q->mu);
            return rc ? gx_parser_fail(p, rc, "%s", q->err.text) : grokx_parser_finish(p);
        }
        slot = q->head;
        pthread_mutex_unlock(&q->mu);
        rc = S_feed(p, q->buf[slot], q->len[slot], how, &first);
        pthread_mutex_lock(&q->mu);
        q->head = (q->head + 1) % S_NBUF;
        q->count--;
        if (rc)
            q->stop = 1;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        if (rc)
            return rc;
    }
}

/* The same without a thread. */
static int
S_inline(gx_read_fn next, void *state, grokx_parser *p, unsigned char *buf, const char *how)
{
    grokx_error err;
    int first = 1;
    for (;;) {
        size_t got;
        int rc = next(state, buf, GX_READ_SIZE, &got, &err);
        if (rc)
            return gx_parser_fail(p, rc, "%s", err.text);
        if (!got)
            return grokx_parser_finish(p);
        if ((rc = S_feed(p, buf, got, how, &first)) != 0)
            return rc;
    }
}

int
gx_pump(gx_read_fn next, void *state, grokx_parser *p, const char *how)
{
    S_pump q;
    pthread_t th;
    int i, rc, threaded = 0;
    memset(&q, 0, sizeof q);
    q.next = next;
    q.state = state;
    for (i = 0; i < S_NBUF; i++)
        if (!(q.buf[i] = malloc(GX_READ_SIZE))) {
            while (i--)
                free(q.buf[i]);
            return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
        }
    if (pthread_mutex_init(&q.mu, NULL) == 0) {
        if (pthread_cond_init(&q.cv, NULL) == 0) {
            threaded = pthread_create(&th, NULL, S_produce, &q) == 0;
            if (!threaded)
                pthread_cond_destroy(&q.cv);
        }
        if (!threaded)
            pthread_mutex_destroy(&q.mu);
    }
    if (threaded) {
        rc = S_consume(&q, p, how);
        pthread_join(th, NULL);
        pthread_cond_destroy(&q.cv);
        pthread_mutex_destroy(&q.mu);
    } else {
        rc = S_inline(next, state, p, q.buf[0], how);
    }
    for (i = 0; i < S_NBUF; i++)
        free(q.buf[i]);
    return rc;
}
