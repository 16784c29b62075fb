/*
 * outpath.c -- what keeps an output from destroying what the user has:
 *
 *   - grokx_output_check(): an output never lands on the input (the same
 *     file by any name, inside an input folder, or a folder holding it),
 *     decided on devices and inodes, never on spellings;
 *   - gx_lock_take(): one writer at a time per output (flock, which a
 *     kill -9 releases);
 *   - gx_temp_pid() / gx_temp_dead(): the temporaries file.c makes
 *     ("<file>.tmp-<pid>-<n>") recognised, so the next run into the same
 *     output removes those of a dead run (layout.c for folders, file.c
 *     for a single file).
 *   - gx_rel_safe(): a relative path we could have written, judged on its
 *     components.
 */
#define _DEFAULT_SOURCE /* realpath() (XSI), flock() (BSD) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

/* ---- output vs input ------------------------------------------------- */

/* The real path of path, or of its nearest existing folder when it does
 * not exist yet (*exists 0). NULL with errno set; ELOOP when a part that
 * does not exist yet is followed by "..", whose meaning the file system
 * cannot tell us until the folders are made. */
static char *
S_resolve(const char *path, int *exists)
{
    char *p, *real;
    size_t n;
    *exists = 0;
    if ((real = realpath(path, NULL)) != NULL) {
        *exists = 1;
        return real;
    }
    if (errno != ENOENT)
        return NULL;
    if (!(p = gx_strdup(path)))
        return NULL;
    for (;;) {
        char *slash;
        n = strlen(p);
        while (n > 1 && p[n - 1] == '/') /* "a/b/" is "a/b" */
            p[--n] = 0;
        slash = strrchr(p, '/');
        if (!strcmp(slash ? slash + 1 : p, "..")) {
            free(p);
            errno = ELOOP;
            return NULL;
        }
        if (!slash)
            strcpy(p, ".");
        else if (slash == p)
            p[1] = 0;
        else
            *slash = 0;
        if ((real = realpath(p, NULL)) != NULL || errno != ENOENT) {
            free(p);
            return real;
        }
    }
}

/* The first folder of real (itself included) that is the file st, as an
 * offset into real's length (strlen(real): real itself); -1 if none. */
static long
S_find_up(const char *real, const struct stat *st)
{
    char *p = gx_strdup(real);
    long at = -1;
    struct stat s;
    if (!p)
        return -1;
    for (;;) {
        char *slash;
        if (stat(p, &s) == 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino) {
            at = (long)strlen(p);
            break;
        }
        slash = strrchr(p, '/');
        if (!slash || (slash == p && !p[1]))
            break;
        if (slash == p)
            p[1] = 0;
        else
            *slash = 0;
    }
    free(p);
    return at;
}

int
grokx_output_check(const char *input, const char *out, grokx_error *err)
{
    struct stat in_st, out_st;
    char *real_out, *real_in;
    int exists, have_in;
    long at;
    if (!input || !out || !*out)
        return gx_err_set(err, GROKX_E_INVALID, "no input or no output named");
    if (!strcmp(input, "-"))
        have_in = fstat(0, &in_st) == 0 && S_ISREG(in_st.st_mode); /* a pipe: nothing to keep */
    else
        have_in = stat(input, &in_st) == 0;
    if (!have_in)
        return 0; /* nothing there to destroy (opening it will fail) */
    if (!strcmp(out, "-")) {
        /* standard output is a file too when the shell made it one
         * ("1<>in.json", ">> in.json"): the same rules, on its inode */
        if (fstat(1, &out_st) != 0 || !S_ISREG(out_st.st_mode))
            return 0; /* a pipe, a terminal: nothing written lands on the input */
        if (out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino)
            return gx_err_set(err, GROKX_E_INVALID,
                              "standard output is the input %s (the same file): it would be overwritten",
                              input);
        if (!S_ISDIR(in_st.st_mode) || !(real_out = realpath("/proc/self/fd/1", NULL)))
            return 0; /* a file input is only ever overwritten as itself */
        at = S_find_up(real_out, &in_st);
        free(real_out);
        return at < 0 ? 0
                      : gx_err_set(err, GROKX_E_INVALID,
                                   "standard output is a file inside the input folder %s", input);
    }
    if (!(real_out = S_resolve(out, &exists))) {
        if (errno == ELOOP)
            return gx_err_set(err, GROKX_E_INVALID,
                              "%s: \"..\" after a folder that does not exist yet: "
                              "cannot tell where it writes",
                              out);
        return 0; /* cannot be reached: opening it fails with the reason */
    }
    at = S_find_up(real_out, &in_st);
    if (at >= 0) {
        int same = exists && (size_t)at == strlen(real_out);
        free(real_out);
        return gx_err_set(err, GROKX_E_INVALID,
                          same ? "%s is the input %s (the same file): it would be overwritten"
                                   : "%s is inside the input folder %s",
                          out, input);
    }
    free(real_out);
    /* a folder OUT holding the input: the run would write next to it, and
     * OUT/events.jsonl or a note may be the very file */
    if (!exists || stat(out, &out_st) != 0 || !S_ISDIR(out_st.st_mode) ||
        !(real_in = realpath(strcmp(input, "-") ? input : "/proc/self/fd/0", NULL)))
        return 0; /* standard input: the file the shell opened, by its name in /proc */
    at = S_find_up(real_in, &out_st);
    free(real_in);
    if (at >= 0)
        return gx_err_set(err, GROKX_E_INVALID, "the input %s is inside the output folder %s",
                          input, out);
    return 0;
}

/* ---- the lock -------------------------------------------------------- */

int
gx_lock_take(const char *path, int *fd_out)
{
    /* nothing is written in it: an unchanged re-run changes no file (the
     * holder's pid is in /proc/locks for the message a second run prints) */
    int tries;
    *fd_out = -1;
    for (tries = 0; tries < 100; tries++) {
        struct stat held, named;
        int fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), e;
        if (fd < 0)
            return -1;
        while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (fstat(fd, &held) == 0 && lstat(path, &named) == 0 && held.st_dev == named.st_dev &&
            held.st_ino == named.st_ino) {
            *fd_out = fd;
            return 0;
        }
        close(fd); /* the run that held it removed it on its way out: take the new one */
    }
    errno = EWOULDBLOCK;
    return -1;
}

int
gx_lock_take_folder(const char *dir, int *fd_out)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e;
    *fd_out = -1;
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *fd_out = fd;
    return 0;
}

void
gx_lock_release(int fd, const char *path)
{
    if (fd < 0)
        return;
    if (path)
        (void)unlink(path); /* while held: see gx_lock_take */
    close(fd);
}

/* ---- temporaries ----------------------------------------------------- */

long
gx_temp_pid(const char *name, size_t *stem)
{
    const char *t = NULL, *p, *q;
    long pid = 0;
    for (q = name; (q = strstr(q, ".tmp-")) != NULL; q++)
        t = q; /* the last one: a title may hold ".tmp-" */
    if (!t)
        return 0;
    for (p = t + 5; *p >= '0' && *p <= '9' && pid < 1L << 40; p++)
        pid = pid * 10 + (*p - '0');
    if (p == t + 5 || *p != '-' || !p[1])
        return 0;
    for (p++; *p >= '0' && *p <= '9'; p++)
        ;
    if (*p)
        return 0;
    if (stem)
        *stem = (size_t)(t - name);
    return pid;
}

int
gx_temp_dead(long pid)
{
    if (pid <= 0 || pid == (long)getpid() || pid > (long)INT_MAX)
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* ---- relative paths -------------------------------------------------- */

int
gx_rel_safe(const char *rel)
{
    const char *p = rel, *end;
    if (!*rel || *rel == '/')
        return 0;
    for (;;) {
        size_t n;
        end = strchr(p, '/');
        n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0; /* "a//b", "./a", "a/..", "a/" */
        if (memchr(p, '\\', n))
            return 0;
        if (!end)
            return 1;
        p = end + 1;
    }
}
