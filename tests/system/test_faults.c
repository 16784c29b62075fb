/*
 * test_faults.c -- output failures, injected below the library: write(),
 * fsync(), rename() and close() are wrapped at link time (-Wl,--wrap) and
 * the Nth call fails with ENOSPC, EIO or EFBIG, for every N until a run
 * gets through; and every write() is cut short. For each output format
 * (md, html, index with segments), every failed run must end with an
 * error that says what failed, leave no temporary file, and leave only
 * whole files: each file present is byte for byte the one a clean run
 * writes. A run with short writes must succeed with the same files.
 * Leaks are left to the sanitizer build (make asan).
 *
 * md and html are written on a second thread (grokx_writer_thread_new),
 * as the command line does, so their failures travel back from it.
 * And pthread_create() fails on demand: inputs inflated, notes, pages and
 * the index written without a second thread give the same results.
 *
 *   test_faults EXPORT.json FIXTURES TMPDIR
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grokx.h"
#include "test.h"

/* ---- the wrapped calls --------------------------------------------------- */

enum { F_NONE, F_WRITE, F_FSYNC, F_RENAME, F_CLOSE, F_SHORT };
static int armed = F_NONE, fail_errno;
static unsigned long calls, fail_at;

static int no_threads; /* pthread_create() fails: the code that works without one */
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (no_threads)
        return EAGAIN;
    return __real_pthread_create(t, a, fn, arg);
}

ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *a, const char *b);
int __real_close(int fd);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *a, const char *b);
int __wrap_close(int fd);

static int
S_fails(int which)
{
    return armed == which && __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) == fail_at; /* writers have threads */
}

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
    if (armed == F_SHORT && n > 1)
        return __real_write(fd, buf, n / 2); /* a short write, every time */
    if (S_fails(F_WRITE))
        return errno = fail_errno, -1;
    return __real_write(fd, buf, n);
}

int
__wrap_fsync(int fd)
{
    if (S_fails(F_FSYNC))
        return errno = fail_errno, -1;
    return __real_fsync(fd);
}

int
__wrap_rename(const char *a, const char *b)
{
    if (S_fails(F_RENAME))
        return errno = fail_errno, -1;
    return __real_rename(a, b);
}

int
__wrap_close(int fd)
{
    if (S_fails(F_CLOSE)) {
        __real_close(fd); /* as on Linux: the descriptor is gone anyway */
        return errno = fail_errno, -1;
    }
    return __real_close(fd);
}

/* ---- one conversion -------------------------------------------------------- */

static const char *export_path;

/* Convert into dir (md, html), dir/index.gxi or dir/chats.db (sqlite, which
 * fills its file itself: GROKX_FORMAT_FILE); the error text in why. */
static int
convert(const char *format, const char *dir, char *why, size_t cap)
{
    grokx_writer_config cfg;
    grokx_writer *w = NULL, *top;
    grokx_parser *p;
    grokx_options o;
    grokx_file *f = NULL;
    char path[4096];
    int rc, index = !strcmp(format, "index"), db = !strcmp(format, "sqlite");
    why[0] = 0;
    grokx_writer_config_init(&cfg);
    if (db) {
        snprintf(path, sizeof path, "%s/chats.db", dir);
        mkdir(dir, 0700);
        cfg.out_dir = path;
    } else if (index) {
        snprintf(path, sizeof path, "%s/index.gxi", dir);
        mkdir(dir, 0700);
        if (!(f = grokx_file_open(path, 0600, GROKX_FILE_FSYNC)))
            return snprintf(why, cap, "open: %s", strerror(errno)), GROKX_E_IO;
        cfg.sink = grokx_file_sink(f);
        cfg.memory_budget = 1; /* a temporary segment per conversation, then the merge */
        cfg.temp_dir = dir;
    } else {
        cfg.out_dir = dir;
    }
    if ((rc = grokx_writer_create(format, &cfg, &w)) != 0) {
        snprintf(why, cap, "writer: %s", strerror(errno));
        grokx_file_abort(f);
        return rc;
    }
    top = index ? w : grokx_writer_thread_new(w);
    grokx_options_init(&o);
    p = grokx_parser_new(&o, top);
    rc = grokx_parse_path(p, export_path);
    if (rc)
        snprintf(why, cap, "%s", grokx_parser_error(p)->text);
    grokx_parser_free(p);
    if (top != w)
        grokx_writer_free(top);
    grokx_writer_free(w);
    if (f && !rc && grokx_file_commit(f) != 0) {
        rc = GROKX_E_IO;
        snprintf(why, cap, "commit: %s", strerror(errno));
    } else if (f && rc) {
        grokx_file_abort(f);
    }
    return rc;
}

/* ---- comparing trees --------------------------------------------------------- */

static const char *cmp_ref, *cmp_root;
static size_t cmp_root_len;
static int cmp_bad, cmp_files;
static char cmp_what[512];

static int
S_same_file(const char *a, const char *b)
{
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    int same = x && y, c = 0, d = 0;
    while (same && (c != EOF || d != EOF)) { /* to the end of both */
        c = getc(x);
        d = getc(y);
        same = c == d;
    }
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return same;
}

static int
S_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    char ref[4096];
    (void)st, (void)ftw;
    if (type != FTW_F)
        return 0;
    cmp_files++;
    if (strstr(path, ".tmp-")) {
        snprintf(cmp_what, sizeof cmp_what, "a temporary was left: %s", path);
        cmp_bad = 1;
        return 1;
    }
    if (strstr(path, "/.grokx-manifest.journal")) { /* a failed md run's, by design: the next */
        cmp_files--;                                 /* run reads it (whole lines only) */
        return 0;
    }
    snprintf(ref, sizeof ref, "%s%s", cmp_ref, path + cmp_root_len);
    if (!S_same_file(path, ref)) {
        snprintf(cmp_what, sizeof cmp_what, "%s is not the file a clean run writes", path);
        cmp_bad = 1;
        return 1;
    }
    return 0;
}

/* Every file under dir is whole (the same as under ref); no temporaries. */
static int
S_tree_whole(const char *dir, const char *ref, int *files)
{
    cmp_ref = ref, cmp_root = dir, cmp_root_len = strlen(dir);
    cmp_bad = cmp_files = 0;
    nftw(dir, S_visit, 16, FTW_PHYS);
    *files = cmp_files;
    return !cmp_bad;
}

static int
S_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static void
S_rmtree(const char *dir)
{
    nftw(dir, S_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the loops ----------------------------------------------------------------- */

static void
fault_loop(const char *format, int which, int err, const char *tmp, const char *ref)
{
    static const char *const names[] = {"", "write", "fsync", "rename", "close", "short"};
    char dir[4096], why[GROKX_ERROR_TEXT_MAX + 64];
    unsigned long n;
    int rc = -1, files = 0, failures = 0;
    snprintf(dir, sizeof dir, "%s/run", tmp);
    for (n = 1; n < 100000; n++) {
        S_rmtree(dir);
        armed = which, fail_errno = err, calls = 0, fail_at = n;
        rc = convert(format, dir, why, sizeof why);
        armed = F_NONE;
        if (!S_tree_whole(dir, ref, &files))
            CHECK_MSG(0, "%s, %s #%lu fails (%s): %s", format, names[which], n, strerror(err), cmp_what);
        if (calls < n) /* the call never came: this run had nothing to fail */
            break;
        if (rc == 0) /* a failure that does not matter (a close of a file read) */
            continue;
        failures++;
        CHECK_MSG(why[0] != 0, "%s, %s #%lu fails: no error text", format, names[which], n);
        CHECK_MSG(strstr(why, strerror(err)) || err == EIO, "%s, %s #%lu fails with %s: \"%s\"",
                  format, names[which], n, strerror(err), why);
    }
    CHECK_MSG(rc == 0, "%s, %s: the run without a failure failed: %s", format, names[which], why);
    /* SQLite writes its pages through its own VFS (pwrite, in its library,
     * beyond the wrap): the sqlite writer's failures here are its commit's
     * (fsync, close, rename) */
    if (which == F_RENAME || (which == F_WRITE && strcmp(format, "sqlite")))
        CHECK_MSG(failures > 0, "%s: no %s failure was ever reported", format, names[which]);
    S_rmtree(dir);
}

static void
test_format(const char *format, const char *tmp)
{
    static const int errs[] = {ENOSPC, EIO, EFBIG};
    char ref[4096], dir[4096], why[GROKX_ERROR_TEXT_MAX + 64];
    size_t e;
    int files = 0;
    snprintf(ref, sizeof ref, "%s/ref-%s", tmp, format);
    CHECK_MSG(convert(format, ref, why, sizeof why) == 0, "%s: clean run: %s", format, why);
    for (e = 0; e < sizeof errs / sizeof errs[0]; e++) {
        fault_loop(format, F_WRITE, errs[e], tmp, ref);
        fault_loop(format, F_CLOSE, errs[e], tmp, ref);
    }
    fault_loop(format, F_RENAME, EIO, tmp, ref);
    fault_loop(format, F_RENAME, ENOSPC, tmp, ref);
    fault_loop(format, F_FSYNC, EIO, tmp, ref);
    /* short writes: the same files */
    snprintf(dir, sizeof dir, "%s/short", tmp);
    armed = F_SHORT;
    CHECK_MSG(convert(format, dir, why, sizeof why) == 0, "%s with short writes: %s", format, why);
    armed = F_NONE;
    CHECK_MSG(S_tree_whole(dir, ref, &files) && files > 0, "%s with short writes: %s", format, cmp_what);
    S_rmtree(dir);
    S_rmtree(ref);
}

/* ---- without a second thread ---------------------------------------------- */

typedef struct membuf {
    char *p;
    size_t n;
} membuf;

static int
mem_write(void *ud, const char *buf, size_t len)
{
    membuf *m = ud;
    char *p = realloc(m->p, m->n + len);
    if (!p)
        return -1;
    memcpy(p + m->n, buf, len);
    m->p = p, m->n += len;
    return 0;
}

/* The events of an input (a ZIP or .json.gz is inflated on a second
 * thread when there is one). */
static int
events_of(const char *path, membuf *out)
{
    grokx_writer_config cfg;
    grokx_writer *w;
    grokx_parser *p;
    grokx_input *in;
    grokx_error err;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = grokx_input_open(path, NULL, &in, &err)) != 0)
        return rc;
    grokx_writer_config_init(&cfg);
    cfg.sink.write = mem_write;
    cfg.sink.ud = out;
    grokx_writer_create("events", &cfg, &w);
    p = grokx_parser_new(NULL, w);
    rc = grokx_input_parse(in, p);
    grokx_parser_free(p);
    grokx_writer_free(w);
    grokx_input_close(in);
    return rc;
}

static void
test_no_threads(const char *fixtures, const char *tmp)
{
    static const char *const inputs[] = {"export.json.gz", "deflated.zip", "truncated.json.gz"};
    char path[4096], ref[4096], dir[4096], why[GROKX_ERROR_TEXT_MAX + 64];
    size_t i;
    int files = 0, nref = 0;
    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        membuf a, b;
        int ra, rb;
        snprintf(path, sizeof path, "%s/%s", fixtures, inputs[i]);
        ra = events_of(path, &a);
        no_threads = 1;
        rb = events_of(path, &b);
        no_threads = 0;
        CHECK_MSG(ra == rb && a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n)),
                  "%s: without a thread, different events (rc %d, %d)", inputs[i], ra, rb);
        free(a.p);
        free(b.p);
    }
    /* the writers work alone too, to the same bytes */
    for (i = 0; i < 4; i++) {
        static const char *const formats[] = {"index", "md", "html", "sqlite"};
        snprintf(ref, sizeof ref, "%s/ref-%s", tmp, formats[i]);
        snprintf(dir, sizeof dir, "%s/alone", tmp);
        CHECK_MSG(convert(formats[i], ref, why, sizeof why) == 0, "%s", why);
        no_threads = 1;
        CHECK_MSG(convert(formats[i], dir, why, sizeof why) == 0, "%s without a thread: %s",
                  formats[i], why);
        no_threads = 0;
        CHECK(S_tree_whole(ref, ref, &nref) && nref >= 1);
        CHECK_MSG(S_tree_whole(dir, ref, &files) && files == nref, "%s without a thread: %s",
                  formats[i], cmp_what);
        S_rmtree(dir);
        S_rmtree(ref);
    }
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_faults EXPORT.json FIXTURES TMPDIR\n");
        return 2;
    }
    export_path = argv[1];
    test_format("md", argv[3]);
    test_format("html", argv[3]);
    test_format("index", argv[3]);
    test_format("sqlite", argv[3]);
    test_no_threads(argv[2], argv[3]);
    return test_report("faults");
}
