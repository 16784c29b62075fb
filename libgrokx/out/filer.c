/*
 * filer.c -- whole files written on a thread of their own. Creating a file
 * costs the kernel more than rendering a note (0.1-0.4 ms each on ext4,
 * most of it finding a free inode), so the md and html writers hand each
 * finished file over and go on with the next conversation.
 *
 * Jobs run in order: a later write of a path wins, an unlink queued after
 * a write happens after it, and a file queued last (index.html) appears
 * last. The queue (base/queue.c) holds at most S_MAX_JOBS files and
 * S_MAX_BYTES bytes; a file over S_BIG is not copied but written by the
 * caller, once the queue is empty. After the first failure nothing more
 * is written; that failure, with its reason, is returned by the next call.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/out.h"

#define S_MAX_JOBS 256
#define S_MAX_BYTES ((size_t)2 << 20)
#define S_BIG ((size_t)512 << 10) /* a bigger file is written by the caller: no copy */
#define S_BATCH 8 /* jobs queued before a sleeping thread is woken */

typedef struct S_job {
    size_t len;  /* of data; (size_t)-1: unlink path */
    char *data;  /* after path, in the same block */
    char path[]; /* NUL-terminated */
} S_job;

struct gx_filer {
    pthread_t thread;
    gx_queue *q; /* S_job; its first failure: GROKX_E_IO or GROKX_E_NOMEM */
};

int
gx_io_fail(char *why, size_t cap, const char *what, const char *path)
{
    int e = errno; /* the path may be long: keep its end, which names the file */
    size_t n = path ? strlen(path) : 0;
    snprintf(why, cap, "%s%.200s%s%s: %s", n > 200 ? "..." : "",
             path ? path + (n > 200 ? n - 200 : 0) : "", path ? ": " : "", what, strerror(e));
    return e == ENOMEM ? GROKX_E_NOMEM : GROKX_E_IO; /* a file not opened for want of memory */
}

int
gx_write_whole(const char *path, const char *data, size_t len, char *why, size_t cap)
{
    grokx_file *f = grokx_file_open(path, 0600, 0);
    grokx_sink s;
    if (!f)
        return gx_io_fail(why, cap, "cannot write", path);
    s = grokx_file_sink(f);
    s.write(s.ud, data, len);
    if (grokx_file_commit(f))
        return gx_io_fail(why, cap, "cannot write", path);
    return 0;
}

static int
S_run(const S_job *j, char *why, size_t cap)
{
    if (j->len != (size_t)-1)
        return gx_write_whole(j->path, j->data, j->len, why, cap);
    if (unlink(j->path) != 0 && errno != ENOENT)
        return gx_io_fail(why, cap, "cannot remove", j->path);
    return 0;
}

/* The bytes a job holds in the queue. */
static size_t
S_bytes(const S_job *j)
{
    return j->len == (size_t)-1 ? 0 : j->len;
}

static void *
S_thread(void *arg)
{
    gx_filer *f = arg;
    char why[GROKX_ERROR_TEXT_MAX] = "";
    S_job *j;
    int failed;
    while ((j = gx_queue_get(f->q, &failed)) != NULL) {
        int rc = failed ? 0 : S_run(j, why, sizeof why);
        size_t n = S_bytes(j);
        free(j);
        gx_queue_done(f->q, n, rc, why);
    }
    return NULL;
}

gx_filer *
gx_filer_new(void)
{
    gx_filer *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    if ((f->q = gx_queue_new(S_MAX_JOBS, S_MAX_BYTES, S_BATCH, S_MAX_BYTES / 4)) != NULL &&
        pthread_create(&f->thread, NULL, S_thread, f) == 0)
        return f;
    gx_queue_free(f->q);
    free(f);
    return NULL;
}

/* Queue j once there is room; the first failure so far, or 0. */
static int
S_queue(gx_filer *f, S_job *j, char *why, size_t cap)
{
    int rc = gx_queue_put(f->q, j, S_bytes(j), why, cap);
    if (rc)
        free(j);
    return rc;
}

static S_job *
S_job_new(const char *path, size_t len)
{
    size_t plen = strlen(path) + 1, dlen = len == (size_t)-1 ? 0 : len;
    S_job *j;
    if (dlen > SIZE_MAX - sizeof *j - plen || !(j = malloc(sizeof *j + plen + dlen)))
        return NULL;
    j->len = len;
    memcpy(j->path, path, plen);
    j->data = j->path + plen;
    return j;
}

int
gx_filer_put(gx_filer *f, const char *path, const char *data, size_t len, char *why, size_t cap)
{
    S_job *j;
    int rc;
    if (len > S_BIG) { /* after what is queued: the order holds */
        if ((rc = gx_filer_flush(f, why, cap)) != 0)
            return rc;
        return gx_write_whole(path, data, len, why, cap);
    }
    if (!(j = S_job_new(path, len))) {
        errno = ENOMEM;
        return gx_io_fail(why, cap, "cannot write", path);
    }
    memcpy(j->data, data, len);
    return S_queue(f, j, why, cap);
}

int
gx_filer_unlink(gx_filer *f, const char *path, char *why, size_t cap)
{
    S_job *j = S_job_new(path, (size_t)-1);
    if (!j) {
        errno = ENOMEM;
        return gx_io_fail(why, cap, "cannot remove", path);
    }
    return S_queue(f, j, why, cap);
}

int
gx_filer_flush(gx_filer *f, char *why, size_t cap)
{
    return gx_queue_drain(f->q, why, cap);
}

void
gx_filer_free(gx_filer *f)
{
    if (!f)
        return;
    /* what is queued is still written: the files were finished */
    gx_queue_close(f->q);
    pthread_join(f->thread, NULL);
    gx_queue_free(f->q);
    free(f);
}
