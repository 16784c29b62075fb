/*
 * test_oom.c -- every allocation of the library failed in turn, N = 1..
 * until a run gets through: malloc(), calloc() and realloc() are wrapped at
 * link time (-Wl,--wrap), so the writers' and the index's own allocations
 * fail too, not only those made through grokx_options.alloc. Scenarios:
 * the export ZIP read into the md writer (also on a second thread, as
 * the command line runs it), an export cut short (an error
 * case), an index built with segments (and merged), and queries on an
 * index. Each failed run must return GROKX_E_NOMEM (or the error the
 * scenario has anyway), never crash, and free everything it allocated;
 * the last run must succeed.
 *
 * yajl cannot survive a failed allocation (it never checks), so the
 * calls libgrokx makes for it are recognised by their return address,
 * found by calling them once, and are never failed.
 *
 *   test_oom EXPORT.json EXPORT.zip TMPDIR
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/ix.h"
#include "test.h"

/* ---- the wrapped allocator ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static unsigned long calls, fail_at; /* fail_at 0: never */
static int tracking, probing;
static void *yajl_sites[3], *probe_site;

/* Live blocks, to find leaks without a sanitizer: an open-addressing set. */
#define S_SET (1u << 20)
static void **live, **live_site;
static size_t nlive;
static void *fail_site;
/* the writers' and the index's second threads allocate too */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t
S_slot(void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 44) & (S_SET - 1);
}

static void
S_track(void *p, void *site)
{
    size_t k;
    if (!tracking || !p)
        return;
    for (k = S_slot(p); live[k] && live[k] != (void *)1; k = (k + 1) & (S_SET - 1))
        ;
    live[k] = p;
    live_site[k] = site;
    nlive++;
}

static void
S_untrack(void *p)
{
    size_t k;
    if (!tracking || !p)
        return;
    for (k = S_slot(p); live[k]; k = (k + 1) & (S_SET - 1))
        if (live[k] == p) {
            live[k] = (void *)1; /* a tombstone */
            nlive--;
            return;
        }
}

static int
S_fail(void *site)
{
    if (probing) {
        probe_site = site;
        return 0;
    }
    if (!fail_at || site == yajl_sites[0] || site == yajl_sites[1] || site == yajl_sites[2])
        return 0;
    if (++calls != fail_at)
        return 0;
    fail_site = site;
    return 1;
}

static int
S_fails(void *site)
{
    int f;
    pthread_mutex_lock(&lock);
    f = S_fail(site);
    pthread_mutex_unlock(&lock);
    return f;
}

static void
S_tracked(void *old, void *p, void *site)
{
    pthread_mutex_lock(&lock);
    S_untrack(old);
    S_track(p, site);
    pthread_mutex_unlock(&lock);
}

void *
__wrap_malloc(size_t n)
{
    void *p, *site = __builtin_return_address(0);
    if (S_fails(site))
        return errno = ENOMEM, NULL;
    p = __real_malloc(n);
    S_tracked(NULL, p, site);
    return p;
}

void *
__wrap_calloc(size_t k, size_t n)
{
    void *p, *site = __builtin_return_address(0);
    if (S_fails(site))
        return errno = ENOMEM, NULL;
    p = __real_calloc(k, n);
    S_tracked(NULL, p, site);
    return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
    void *q, *site = __builtin_return_address(0);
    if (n && S_fails(site))
        return errno = ENOMEM, NULL;
    q = __real_realloc(p, n);
    if (q || !n)
        S_tracked(p, q, site);
    return q;
}

void
__wrap_free(void *p)
{
    S_tracked(p, NULL, NULL);
    __real_free(p);
}

/* Where libgrokx allocates for yajl: call each once and see. */
static void
S_find_yajl_sites(void)
{
    gx_mem m;
    void *p;
    gx_mem_init(&m, NULL, NULL, 0);
    probing = 1;
    p = gx_yajl_malloc(&m, 16);
    yajl_sites[0] = probe_site;
    p = gx_yajl_realloc(&m, p, 32);
    yajl_sites[1] = probe_site;
    gx_yajl_free(&m, p);
    p = gx_yajl_realloc(&m, NULL, 16); /* realloc of NULL: malloc, perhaps inlined */
    yajl_sites[2] = probe_site;
    probing = 0;
    gx_yajl_free(&m, p);
}

/* ---- scenarios --------------------------------------------------------------- */

static const char *export_json, *export_zip, *tmpdir;

typedef struct membuf {
    char *p;
    size_t n, cap;
} membuf;

static int
mem_write(void *ud, const char *buf, size_t len)
{
    membuf *m = ud;
    if (m->n + len > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        char *p;
        while (cap < m->n + len)
            cap *= 2;
        if (!(p = __real_realloc(m->p, cap))) /* the test's own: never failed, never tracked */
            return -1;
        m->p = p, m->cap = cap;
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return 0;
}

/* Convert path with format into out (a sink) or dir; the parse's result. */
static int threaded; /* the writer on a second thread, as the command line runs it */

static int
S_convert(const char *path, const char *format, const char *dir, membuf *out, size_t budget)
{
    grokx_writer_config cfg;
    grokx_writer *w = NULL, *top = NULL;
    grokx_parser *p = NULL;
    grokx_input *in = NULL;
    grokx_options o;
    grokx_error err;
    int rc;
    if ((rc = grokx_input_open(path, NULL, &in, &err)) != 0)
        return rc;
    grokx_writer_config_init(&cfg);
    cfg.input = in;
    cfg.out_dir = dir;
    cfg.sink.write = mem_write;
    cfg.sink.ud = out;
    cfg.memory_budget = budget;
    cfg.temp_dir = tmpdir;
    if ((rc = grokx_writer_create(format, &cfg, &w)) == 0) {
        grokx_options_init(&o);
        top = threaded ? grokx_writer_thread_new(w) : w;
        if (!top || !(p = grokx_parser_new(&o, top)))
            rc = GROKX_E_NOMEM;
        else
            rc = grokx_input_parse(in, p);
    }
    grokx_parser_free(p);
    if (top != w)
        grokx_writer_free(top);
    grokx_writer_free(w);
    grokx_input_close(in);
    return rc;
}

/* A scenario run once: its return code. */
typedef int (*scenario_fn)(void);

static int
sc_zip_md(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/md", tmpdir);
    return S_convert(export_zip, "md", dir, NULL, 0);
}

static int
sc_zip_md_thread(void)
{
    char dir[4096];
    int rc;
    snprintf(dir, sizeof dir, "%s/md-thread", tmpdir);
    threaded = 1;
    rc = S_convert(export_zip, "md", dir, NULL, 0);
    threaded = 0;
    return rc;
}

/* The sqlite writer, into a new database and over its own (a copy
 * updated): a failed allocation of ours leaves no database, or the
 * previous one (SQLite's own allocations are its library's, beyond the
 * wrap). */
static int
sc_json_sqlite(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/oom.db", tmpdir);
    remove(path);
    return S_convert(export_json, "sqlite", path, NULL, 0);
}

static int
sc_json_sqlite_update(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/oom.db", tmpdir);
    threaded = 1;
    {
        int rc = S_convert(export_zip, "sqlite", path, NULL, 0);
        threaded = 0;
        return rc;
    }
}

static int
sc_cut_index(void)
{
    /* an export that ends in the middle: an error, whatever memory there is */
    static const char cut[] = "{\"conversations\":[{\"conversation\":{\"id\":\"c\",\"title\":\"t\"},"
                              "\"responses\":[{\"response\":{\"_id\":\"m\",\"message\":\"hello world\","
                              "\"sender\":\"human\"}}]},{\"conversation\":{\"id\":\"d\"},\"respo";
    char path[4096];
    membuf out = {0};
    FILE *f;
    int rc;
    snprintf(path, sizeof path, "%s/cut.json", tmpdir);
    if (!(f = fopen(path, "w")))
        return GROKX_E_IO;
    fputs(cut, f);
    fclose(f);
    rc = S_convert(path, "index", NULL, &out, 1);
    __real_free(out.p);
    return rc;
}

static int
sc_index_build(void)
{
    membuf out = {0};
    grokx_index *ix = NULL;
    grokx_error err;
    int rc = S_convert(export_json, "index", NULL, &out, 1); /* segments, and the merge */
    if (!rc && (rc = grokx_index_open_memory(out.p, out.n, &ix, &err)) == 0)
        rc = grokx_index_check(ix, &err);
    grokx_index_close(ix);
    __real_free(out.p);
    return rc;
}

static membuf built; /* an index for the query scenario, made before the loop */

static int
S_count(void *ud, uint64_t message, double score)
{
    (void)message, (void)score;
    ++*(uint64_t *)ud;
    return 0;
}

static int
sc_queries(void)
{
    static const char *const qs[] = {"grok", "\"for coding\"", "co* -rust", "(grok OR rust) tasks",
                                     "東京"};
    grokx_index *ix = NULL;
    grokx_error err;
    size_t i;
    int rc = grokx_index_open_memory(built.p, built.n, &ix, &err);
    for (i = 0; !rc && i < sizeof qs / sizeof qs[0]; i++) {
        grokx_results *r = NULL;
        uint64_t n = 0;
        if ((rc = grokx_index_search(ix, qs[i], NULL, &r, &err)) == 0)
            rc = grokx_index_matches(ix, qs[i], NULL, S_count, &n, &err);
        grokx_results_free(r);
    }
    grokx_index_close(ix);
    return rc;
}

static int
sc_merge(void)
{
    char a[4096];
    const char *paths[2];
    membuf out = {0};
    grokx_sink s = {mem_write, &out};
    grokx_error err;
    int rc;
    snprintf(a, sizeof a, "%s/built.gxi", tmpdir);
    paths[0] = paths[1] = a;
    rc = grokx_index_merge(paths, 2, s, &err);
    __real_free(out.p);
    return rc;
}

static void
oom_loop(const char *name, scenario_fn fn, int want)
{
    unsigned long n;
    int rc = 0, failed = 0;
    for (n = 1; n < 200000; n++) {
        memset(live, 0, S_SET * sizeof *live);
        memset(live_site, 0, S_SET * sizeof *live_site);
        nlive = 0;
        calls = 0, fail_at = n, tracking = 1;
        rc = fn();
        tracking = 0;
        fail_at = 0;
        CHECK_MSG(nlive == 0, "%s: %zu blocks leak when allocation %lu fails", name, nlive, n);
        if (nlive) { /* where the leaked blocks were allocated, for addr2line */
            size_t k;
            for (k = 0; k < S_SET; k++)
                if (live[k] && live[k] != (void *)1)
                    fprintf(stderr, "  leaked block allocated at %p\n", live_site[k]);
        }
        if (calls < n)
            break; /* nothing failed: the run without a failure */
        failed++;
        CHECK_MSG(rc == GROKX_E_NOMEM || rc == want || rc == GROKX_E_WRITER,
                  "%s: allocation %lu fails (at %p): rc %d (%s)", name, n, fail_site, rc,
                  grokx_strerror(rc));
    }
    CHECK_MSG(rc == want, "%s: the run without a failure returned %d, want %d", name, rc, want);
    CHECK_MSG(failed > 10, "%s: only %d allocations were failed", name, failed);
    printf("%s: %d allocations failed in turn\n", name, failed);
}

int
main(int argc, char **argv)
{
    char path[4096];
    FILE *f;
    if (argc != 4) {
        fprintf(stderr, "usage: test_oom EXPORT.json EXPORT.zip TMPDIR\n");
        return 2;
    }
    export_json = argv[1], export_zip = argv[2], tmpdir = argv[3];
    { /* standard input open, to see that no failure path closes it */
        int fd = open("/dev/null", O_RDONLY);
        if (fd > 0) {
            dup2(fd, 0);
            close(fd);
        }
    }
    live = __real_calloc(S_SET, sizeof *live);
    live_site = __real_calloc(S_SET, sizeof *live_site);
    S_find_yajl_sites();
    CHECK(yajl_sites[0] && yajl_sites[1] && yajl_sites[2]);
    /* the index the query and merge scenarios read */
    CHECK_INT(S_convert(export_json, "index", NULL, &built, 0), 0);
    snprintf(path, sizeof path, "%s/built.gxi", tmpdir);
    if ((f = fopen(path, "wb"))) {
        fwrite(built.p, 1, built.n, f);
        fclose(f);
    }
    oom_loop("zip -> md", sc_zip_md, 0);
    oom_loop("zip -> md on a thread", sc_zip_md_thread, 0);
    oom_loop("json -> sqlite", sc_json_sqlite, 0);
    oom_loop("zip -> sqlite over the last, on a thread", sc_json_sqlite_update, 0);
    snprintf(path, sizeof path, "%s/oom.db", tmpdir);
    remove(path);
    oom_loop("cut export -> index", sc_cut_index, GROKX_E_TRUNCATED);
    oom_loop("index build", sc_index_build, 0);
    oom_loop("queries", sc_queries, 0);
    oom_loop("merge", sc_merge, 0);
    remove(path);
    __real_free(built.p);
    /* grokx_file_open() once closed descriptor 0 when an allocation failed */
    CHECK_MSG(fcntl(0, F_GETFD) != -1, "standard input was closed by a failure path");
    __real_free(live);
    __real_free(live_site);
    return test_report("oom");
}
