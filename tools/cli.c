/*
 * cli.c -- what grokx's commands share (grokx.c: info, convert; search.c:
 * search, merge, check): output sinks, the terminal's sanitiser, the
 * checks and reports of an output before anything is opened, --tz.
 * Nothing here calls a command, so the commands' files depend on this one
 * and never on each other (tools/grokx.c only dispatches to search.c's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char *prog = "grokx";

int
file_write(void *ud, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

/* Text from an export on a terminal: the library's one sanitiser (controls,
 * line separators and bidi controls neutralised; grokx_terminal_write). */
void
put_clean(FILE *f, const char *s, size_t n)
{
    grokx_sink sink = {file_write, f};
    grokx_terminal_write(sink, s, n, 0);
}

void
put_clean_line(const char *s)
{
    put_clean(stderr, s, strlen(s));
    fputc('\n', stderr);
}

int
stdout_write(void *ud, const char *buf, size_t len)
{
    (void)ud;
    return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
}

int
finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: writing standard output failed: %s\n", prog, strerror(errno));
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

int
check_output(const char *cmd, const char *input, const char *out)
{
    grokx_error err;
    if (grokx_output_check(input, out, &err) == 0)
        return EXIT_OK;
    fprintf(stderr, "%s: %s: refused: ", prog, cmd);
    put_clean_line(err.text);
    return EXIT_USAGE;
}

int
output_kind(const char *cmd, const char *out, int *stream)
{
    struct stat st;
    *stream = 0;
    if (!strcmp(out, "-") || lstat(out, &st) != 0)
        return EXIT_OK; /* nothing there yet (or opening it reports why) */
    if (S_ISLNK(st.st_mode)) {
        struct stat t;
        if (stat(out, &t) == 0 && (S_ISFIFO(t.st_mode) || S_ISCHR(t.st_mode)))
            return *stream = 1, EXIT_OK; /* /dev/stdout, a link to a FIFO: nothing replaced */
        if (stat(out, &t) == 0 && S_ISDIR(t.st_mode))
            return EXIT_OK; /* a folder reached through a link: the folder is OUT */
        fprintf(stderr, "%s: %s: refused: ", prog, cmd);
        put_clean(stderr, out, strlen(out));
        /* "-o -" only helps a format that streams (sqlite refuses it) */
        fputs(" is a symbolic link: name the file itself (or, for a format that streams, -o - "
              "for standard output)\n",
              stderr);
        return EXIT_USAGE;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return *stream = 1, EXIT_OK;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return EXIT_OK;
    fprintf(stderr, "%s: %s: refused: ", prog, cmd);
    put_clean(stderr, out, strlen(out));
    fputs(" is neither a file, a folder, a FIFO nor a character device\n", stderr);
    return EXIT_USAGE;
}

int
stream_to(const char *cmd, const char *out)
{
    if (freopen(out, "w", stdout))
        return EXIT_OK;
    fprintf(stderr, "%s: %s: ", prog, cmd);
    put_clean(stderr, out, strlen(out));
    fprintf(stderr, ": %s\n", strerror(errno));
    return EXIT_OUTPUT;
}

int
report_not_ours(const char *cmd, const char *path, const char *what)
{
    fprintf(stderr, "%s: %s: refused: ", prog, cmd);
    put_clean(stderr, path, strlen(path));
    fprintf(stderr, " exists and is not a grokx %s file; remove it or choose another name\n", what);
    return EXIT_USAGE;
}

/* The pid holding a flock on the file path, from Linux's /proc/locks
 * ("1: FLOCK  ADVISORY  WRITE 1113 08:01:123456 0 EOF"); 0 if unknown. */
static long
lock_holder(const char *path)
{
    struct stat st;
    char line[256];
    long pid = 0;
    FILE *f;
    if (stat(path, &st) != 0 || !(f = fopen("/proc/locks", "r")))
        return 0;
    while (!pid && fgets(line, sizeof line, f)) {
        char kind[16], mode[16];
        unsigned long long ino;
        unsigned maj, min;
        long p;
        if (sscanf(line, "%*[^:]: %15s %*s %15s %ld %x:%x:%llu", kind, mode, &p, &maj, &min, &ino) == 6 &&
            !strcmp(kind, "FLOCK") && ino == (unsigned long long)st.st_ino)
            pid = p;
    }
    fclose(f);
    return pid;
}

/* The lock file of an output, allocated to its length (a path cut to a
 * buffer would name another file): OUT/.grokx-lock for a folder,
 * "<dir>/.<name>.grokx-lock" for a file (base/file.c, out/layout.c).
 * NULL when memory runs out. */
static char *
lock_path(const char *out, int folder)
{
    const char *slash = strrchr(out, '/');
    size_t n = strlen(out) + sizeof "/..grokx-lock";
    char *lock = malloc(n);
    if (!lock)
        return NULL;
    if (folder)
        snprintf(lock, n, "%s/.grokx-lock", out);
    else
        snprintf(lock, n, "%.*s%s.%s.grokx-lock", slash ? (int)(slash - out) : 0, out,
                 slash ? "/" : "", slash ? slash + 1 : out);
    return lock;
}

int
report_open_failure(const char *out, int folder)
{
    int e = errno;
    long pid;
    char *lock;
    if (e != EWOULDBLOCK && e != EAGAIN) {
        fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(e));
        return EXIT_OUTPUT;
    }
    lock = lock_path(out, folder);
    pid = lock ? lock_holder(lock) : 0;
    fprintf(stderr, "%s: %s: another grokx run is writing it (lock %s", prog, out,
            lock ? lock : "file");
    if (pid > 0)
        fprintf(stderr, " held by pid %ld", pid);
    fprintf(stderr, "); try again when it has finished\n");
    free(lock);
    return EXIT_LOCKED;
}

/* Two ASCII digits at s -> their value, or -1. */
static int
two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "+02:00", "-0530", "+05", "UTC", "Z", "local" -> minutes east of UTC.
 * Read exactly: +HH:MM, +HHMM or +HH and nothing after; anything else
 * ("+5", "+05:3", "+05:30x", "+0530 ") is -1. The one parser of --tz,
 * convert's and search's. */
int
parse_tz(const char *z, int *minutes)
{
    int h, m = 0;
    size_t n;
    if (!strcmp(z, "UTC") || !strcmp(z, "utc") || !strcmp(z, "Z")) {
        *minutes = 0;
        return 0;
    }
    if (!strcmp(z, "local")) {
        /* the offset in force now: UTC's fields read back as local time */
        time_t now = time(NULL), back;
        struct tm g;
        if (!gmtime_r(&now, &g))
            return -1;
        g.tm_isdst = -1;
        back = mktime(&g);
        *minutes = (int)((now - back) / 60);
        return 0;
    }
    n = strlen(z);
    if ((z[0] != '+' && z[0] != '-') || (n != 3 && n != 5 && n != 6))
        return -1;
    if ((h = two_digits(z + 1)) < 0 || h > 23)
        return -1;
    if (n == 6 && z[3] != ':')
        return -1;
    if (n > 3 && ((m = two_digits(z + n - 2)) < 0 || m > 59))
        return -1;
    *minutes = (z[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 0;
}
