/*
 * sink.c -- output files that appear whole or not at all.
 *
 * A file is written to a temporary name in its target directory (so the
 * final rename stays on one filesystem and is atomic), created with
 * O_EXCL and private permissions, optionally fsynced, and renamed over
 * the target.
 * A symlink planted at the target is replaced by rename, never written
 * through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct grokx_file {
    int fd;
    unsigned flags;
    int failed; /* errno of the first failed write, or 0 */
    char *path, *tmp;
};

grokx_file *
grokx_file_open(const char *path, unsigned mode, unsigned flags)
{
    grokx_file *f;
    unsigned i;
    size_t n;
    if (!path || !*path)
        return NULL;
    f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fd = -1; /* not 0: aborting before the open must not close standard input */
    f->flags = flags;
    n = strlen(path) + 32;
    f->path = gx_strdup(path);
    f->tmp = malloc(n);
    if (!f->path || !f->tmp) {
        grokx_file_abort(f);
        errno = ENOMEM;
        return NULL;
    }
    for (i = 0; i < 100; i++) {
        snprintf(f->tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(), i);
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ? mode : 0600);
        if (f->fd >= 0 || errno != EEXIST)
            break;
    }
    if (f->fd < 0) {
        int e = errno;
        free(f->tmp);
        f->tmp = NULL;
        grokx_file_abort(f);
        errno = e;
        return NULL;
    }
    return f;
}

static int
S_file_write(void *ud, const char *buf, size_t len)
{
    grokx_file *f = ud;
    while (len && !f->failed) {
        ssize_t n = write(f->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            f->failed = n < 0 ? errno : EIO;
            break;
        }
        buf += n;
        len -= (size_t)n;
    }
    return f->failed ? -1 : 0;
}

grokx_sink
grokx_file_sink(grokx_file *f)
{
    grokx_sink s;
    s.write = S_file_write;
    s.ud = f;
    return s;
}

/* fsync the folder holding path, so a rename in it is on disk. Best
 * effort: a file system that cannot sync a folder (EINVAL) has nothing
 * more to do, and the file itself is already synced. */
static void
S_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd;
    if (!dir)
        return;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int
grokx_file_commit(grokx_file *f)
{
    int e = 0;
    if (!f)
        return GROKX_E_INVALID;
    if (f->failed)
        e = f->failed;
    else if ((f->flags & GROKX_FILE_FSYNC) && fsync(f->fd) != 0)
        e = errno;
    if (close(f->fd) != 0 && !e)
        e = errno;
    f->fd = -1;
    if (!e && rename(f->tmp, f->path) != 0)
        e = errno;
    if (!e && (f->flags & GROKX_FILE_FSYNC))
        S_sync_dir(f->path); /* the rename itself survives a power loss */
    if (e) {
        unlink(f->tmp);
        free(f->tmp);
        free(f->path);
        free(f);
        errno = e;
        return GROKX_E_IO;
    }
    free(f->tmp);
    free(f->path);
    free(f);
    return 0;
}

void
grokx_file_abort(grokx_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    free(f);
}
