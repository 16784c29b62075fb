/*
 * file.c -- output files that appear whole or not at all.
 *
 * A file is written to a temporary name in its target directory (so the
 * final rename stays on one filesystem and is atomic), created with
 * O_EXCL and private permissions, optionally fsynced, and renamed over
 * the target.
 * A symlink planted at the target is replaced by rename, never written
 * through.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

struct grokx_file {
    int fd;
    unsigned flags;
    int failed; /* errno of the first failed write, or 0 */
    char *path, *tmp;
    int lock_fd; /* GROKX_FILE_LOCK: the sibling lock, held to the end; else -1 */
    char *lock;  /* its path, removed when the file is done */
};

/* GROKX_FILE_LOCK: the lock of path, "<dir>/.<name>.grokx-lock"; then the
 * temporaries of path that a dead run left ("<name>.tmp-<pid>-<n>",
 * gx_temp_pid(), the same names and the same test layout.c sweeps a
 * folder with) are removed. A user's "<name>.tmp-notes" is never one. */
static int
S_lock_and_sweep(grokx_file *f)
{
    const char *slash = strrchr(f->path, '/'), *base = slash ? slash + 1 : f->path;
    size_t dlen = slash ? (size_t)(slash - f->path) : 0, blen = strlen(base);
    char *lock = malloc(dlen + blen + 32), *dir;
    DIR *d;
    struct dirent *e;
    if (!lock)
        return -1;
    snprintf(lock, dlen + blen + 32, "%.*s%s.%s" GX_LOCK_NAME, (int)dlen, f->path, slash ? "/" : "",
             base);
    if (gx_lock_take(lock, &f->lock_fd) != 0) {
        int err = errno;
        free(lock);
        errno = err;
        return -1;
    }
    f->lock = lock;
    if (!(dir = slash ? strndup(f->path, slash == f->path ? 1 : dlen) : strdup(".")))
        return 0;
    if ((d = opendir(dir)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            size_t stem = 0;
            long pid = gx_temp_pid(e->d_name, &stem);
            char *p;
            if (!pid || stem != blen || memcmp(e->d_name, base, blen) || !gx_temp_dead(pid))
                continue; /* not a temporary of this file, or its writer lives */
            if ((p = malloc(strlen(dir) + strlen(e->d_name) + 2)) != NULL) {
                sprintf(p, "%s/%s", dir, e->d_name);
                (void)unlink(p);
                free(p);
            }
        }
        closedir(d);
    }
    free(dir);
    return 0;
}

/* Whether what is at path may be replaced: nothing there, a regular file
 * (a symbolic link too, unless the caller asked for its own output only),
 * and with a signature (sig, len > 0: the bytes every output of that
 * format starts with) only an empty file or one that starts so, read
 * through a descriptor that is that regular file. 0, or -1 with errno
 * EEXIST (not ours) or the reason it could not be read. */
static int
S_replaceable(const char *path, const void *sig, size_t len)
{
    char head[GROKX_FILE_SIG_MAX];
    struct stat st;
    ssize_t n;
    int fd;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISLNK(st.st_mode) && !len)
        return 0; /* replaced by the rename, never followed */
    if (!S_ISREG(st.st_mode))
        return errno = EEXIST, -1;
    if (!len || st.st_size == 0)
        return 0;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
        return -1;
    do
        n = read(fd, head, len);
    while (n < 0 && errno == EINTR);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        n = -1;
    close(fd);
    if (n == (ssize_t)len && !memcmp(head, sig, len))
        return 0;
    errno = EEXIST;
    return -1;
}

/* An open that failed before any temporary existed: nothing to unlink
 * (tmp dropped first), the lock released, errno kept for the caller. */
static grokx_file *
S_open_failed(grokx_file *f)
{
    int e = errno;
    free(f->tmp);
    f->tmp = NULL;
    grokx_file_abort(f);
    errno = e;
    return NULL;
}

grokx_file *
grokx_file_open(const char *path, unsigned mode, unsigned flags)
{
    static const char ev[] = GX_EVENTS_SIGNATURE;
    if (flags & GROKX_FILE_OURS_INDEX)
        return grokx_file_open_ours(path, mode, flags, GX_IX_MAGIC, 8);
    if (flags & GROKX_FILE_OURS_EVENTS)
        return grokx_file_open_ours(path, mode, flags, ev, sizeof ev - 1);
    return grokx_file_open_ours(path, mode, flags, NULL, 0);
}

grokx_file *
grokx_file_open_ours(const char *path, unsigned mode, unsigned flags, const void *sig,
                     size_t sig_len)
{
    grokx_file *f;
    unsigned i;
    size_t n;
    if (!path || !*path || sig_len > GROKX_FILE_SIG_MAX || (sig_len && !sig))
        return errno = EINVAL, NULL;
    if (S_replaceable(path, sig, sig_len) != 0)
        return NULL; /* nothing made: no lock, no temporary */
    f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fd = -1; /* not 0: aborting before the open must not close standard input */
    f->lock_fd = -1;
    f->flags = flags;
    n = strlen(path) + 32;
    f->path = gx_strdup(path);
    f->tmp = malloc(n);
    if (!f->path || !f->tmp) {
        grokx_file_abort(f);
        errno = ENOMEM;
        return NULL;
    }
    if ((flags & GROKX_FILE_LOCK) && S_lock_and_sweep(f) != 0)
        return S_open_failed(f);
    for (i = 0; i < 100; i++) {
        snprintf(f->tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(), i);
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ? mode : 0600);
        if (f->fd >= 0 || errno != EEXIST)
            break;
    }
    if (f->fd < 0)
        return S_open_failed(f);
    return f;
}

const char *
gx_file_temp(const grokx_file *f)
{
    return f ? f->tmp : NULL;
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
    if (e)
        unlink(f->tmp);
    gx_lock_release(f->lock_fd, f->lock); /* after the rename */
    free(f->lock);
    free(f->tmp);
    free(f->path);
    free(f);
    if (e) {
        errno = e;
        return GROKX_E_IO;
    }
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
    gx_lock_release(f->lock_fd, f->lock);
    free(f->lock);
    free(f->tmp);
    free(f->path);
    free(f);
}

int
gx_sink_write(grokx_sink s, const char *buf, size_t len)
{
    if (!s.write)
        return 0;
    return s.write(s.ud, buf, len) ? GROKX_E_IO : 0;
}
