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

/* A buffer filled by the producer, in the queue until the parser is done
 * with it. */
typedef struct S_chunk {
    unsigned char *buf;
    size_t len;
} S_chunk;

typedef struct S_pump {
    gx_read_fn next;
    void *state;
    gx_queue *q; /* S_chunk, in order; the parser's failure stops the producer */
    S_chunk chunk[S_NBUF]; /* chunk[k % S_NBUF] is the k-th filled */
    int rc;                /* the producer's end: 0 at the end of the input */
    grokx_error err;
} S_pump;

/* Is chunk[k % S_NBUF] free, with count of them queued? */
static int
S_free_chunk(void *ud, const void *oldest, size_t count)
{
    GX_UNUSED(ud);
    GX_UNUSED(oldest);
    return count < S_NBUF;
}

static void *
S_produce(void *arg)
{
    S_pump *q = arg;
    size_t k;
    for (k = 0;; k++) {
        S_chunk *c = &q->chunk[k % S_NBUF];
        size_t got = 0;
        grokx_error err;
        int rc;
        if (gx_queue_wait_room(q->q, S_free_chunk, NULL, NULL, 0))
            break; /* the parse failed: stop */
        rc = q->next(q->state, c->buf, GX_READ_SIZE, &got, &err);
        if (rc || got == 0) {
            q->rc = rc; /* read by the parser once the queue is closed */
            if (rc)
                q->err = err;
            break;
        }
        c->len = got;
        if (gx_queue_put(q->q, c, 0, NULL, 0))
            break;
    }
    gx_queue_close(q->q);
    return NULL;
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
    const S_chunk *c;
    int first = 1, failed;
    while ((c = gx_queue_get(q->q, &failed)) != NULL) {
        int rc = S_feed(p, c->buf, c->len, how, &first);
        gx_queue_done(q->q, 0, rc, NULL); /* a failure stops the producer */
        if (rc)
            return rc;
    }
    /* closed and empty: the producer's end */
    return q->rc ? gx_parser_fail(p, q->rc, "%s", q->err.text) : grokx_parser_finish(p);
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
        if (!(q.chunk[i].buf = malloc(GX_READ_SIZE))) {
            while (i--)
                free(q.chunk[i].buf);
            return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
        }
    /* every chunk wakes the parser, every chunk parsed the producer */
    if ((q.q = gx_queue_new(S_NBUF, SIZE_MAX, 1, 0)) != NULL)
        threaded = pthread_create(&th, NULL, S_produce, &q) == 0;
    if (threaded) {
        rc = S_consume(&q, p, how);
        pthread_join(th, NULL);
    } else {
        rc = S_inline(next, state, p, q.chunk[0].buf, how);
    }
    gx_queue_free(q.q);
    for (i = 0; i < S_NBUF; i++)
        free(q.chunk[i].buf);
    return rc;
}
