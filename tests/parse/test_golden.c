/*
 * test_golden.c -- golden tests: one directory per case under
 * tests/parse/golden/ and tests/parse/regressions/, each with input.json and
 * expected.txt (active branch) / expected-all.txt (all branches).
 *
 * A transcript is the events writer's output with every warning and the
 * final error interleaved where they happen. Each case runs whole, in
 * 1-byte slices, 7-byte slices and random slices; all transcripts must be
 * identical (positions included) and match the expected file, and the
 * counting allocator must end at zero bytes. The events writer run on its
 * own thread (grokx_writer_thread_new) must print the same events: its
 * copies of each conversation must lose nothing. (Warnings are left out
 * of that comparison: they are printed by the parsing thread.)
 *
 *   test_golden DIR...            check
 *   test_golden --update DIR...   (re)write expected files; review the diff!
 */
#include <dirent.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>

#include "grokx.h"
#include "test.h"

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void
text_put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

static int
sink_write(void *ud, const char *buf, size_t len)
{
    text_put(ud, buf, len);
    return 0;
}

static void
on_warning(void *ud, const grokx_error *w)
{
    char line[GROKX_ERROR_TEXT_MAX + 32];
    int n = snprintf(line, sizeof line, "warning %d: %s\n", w->code, w->text);
    text_put(ud, line, (size_t)n);
}

typedef struct counter {
    size_t used;
} counter;

static void *
count_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    counter *c = ud;
    void *q;
    if (nsize == 0) {
        c->used -= osize;
        free(p);
        return NULL;
    }
    q = realloc(p, nsize);
    if (q)
        c->used = c->used - (p ? osize : 0) + nsize;
    return q;
}

static unsigned long long rng_state;
static size_t
rng(size_t max)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (size_t)(rng_state >> 33) % max + 1;
}

/* mode: 0 whole, else the slice size; SIZE_MAX: random sizes. */
enum { QUIET = 1, THREAD = 2 }; /* how: no warnings; the writer on a thread */
static text
run_case(const char *data, size_t len, int all, size_t mode, unsigned how, size_t *leak)
{
    text t = {0};
    counter c = {0};
    grokx_options o;
    grokx_writer_config cfg;
    grokx_writer *w = NULL, *top;
    grokx_parser *p;
    char line[GROKX_ERROR_TEXT_MAX + 32];
    size_t off = 0;
    int rc = 0, k = 0;
    grokx_writer_config_init(&cfg);
    cfg.sink.write = sink_write;
    cfg.sink.ud = &t;
    grokx_options_init(&o);
    o.flags = all ? GROKX_OPT_ALL_BRANCHES : 0;
    o.alloc = count_alloc;
    o.alloc_ud = &c;
    o.warning = how & QUIET ? NULL : on_warning;
    o.warning_ud = &t;
    o.input_name = "input.json";
    if (grokx_writer_create("events", &cfg, &w) != 0)
        abort();
    top = how & THREAD ? grokx_writer_thread_new(w) : w;
    if (!top || !(p = grokx_parser_new(&o, top)))
        abort();
    while (off < len && !rc) {
        size_t n = mode == 0 ? len : mode == SIZE_MAX ? rng(4096) : mode;
        if (n > len - off)
            n = len - off;
        rc = grokx_parser_feed(p, data + off, n);
        off += n;
    }
    if (!rc)
        rc = grokx_parser_finish(p);
    if (rc)
        k = snprintf(line, sizeof line, "error %d: %s\n", rc, grokx_parser_error(p)->text);
    grokx_parser_free(p);
    if (top != w) /* what it still holds is written now, before the error line */
        grokx_writer_free(top);
    grokx_writer_free(w);
    if (k)
        text_put(&t, line, (size_t)k);
    *leak = c.used;
    if (!t.p)
        text_put(&t, "", 0);
    return t;
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n;
    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (*len + 65536 > cap) {
            cap = (*len + 65536) * 2;
            if (!(buf = realloc(buf, cap)))
                abort();
        }
        n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    return buf;
}

static void
check_case(const char *dir, int all, int update)
{
    char path[1024];
    size_t len, elen, leak, i;
    char *input, *expected;
    static const size_t modes[] = {0, 1, 7, SIZE_MAX, SIZE_MAX, SIZE_MAX};
    text base;
    snprintf(path, sizeof path, "%s/input.json", dir);
    if (!(input = read_file(path, &len))) {
        CHECK_MSG(0, "%s: cannot read", path);
        return;
    }
    base = run_case(input, len, all, 0, 0, &leak);
    CHECK_MSG(leak == 0, "%s: %zu bytes leaked", dir, leak);
    snprintf(path, sizeof path, "%s/expected%s.txt", dir, all ? "-all" : "");
    if (update) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(base.p, 1, base.len, f) != base.len || fclose(f))
            CHECK_MSG(0, "%s: cannot write", path);
    } else {
        expected = read_file(path, &elen);
        CHECK_MSG(expected && elen == base.len && !memcmp(expected, base.p, elen),
                  "%s: transcript differs from %s; got:\n%s", dir, path, base.p);
        free(expected);
    }
    rng_state = (unsigned long long)len * 2654435761u;
    for (i = 1; i < sizeof modes / sizeof modes[0]; i++) {
        text t = run_case(input, len, all, modes[i], 0, &leak);
        CHECK_MSG(t.len == base.len && !memcmp(t.p, base.p, t.len),
                  "%s: feeding in %s slices changes the transcript", dir,
                  modes[i] == SIZE_MAX ? "random" : modes[i] == 1 ? "1-byte" : "7-byte");
        CHECK_MSG(leak == 0, "%s: %zu bytes leaked (sliced)", dir, leak);
        free(t.p);
    }
    free(base.p);
    { /* on a thread: the same events (warnings left out of both) */
        text quiet = run_case(input, len, all, 0, QUIET, &leak);
        text thr = run_case(input, len, all, 7, QUIET | THREAD, &leak);
        CHECK_MSG(thr.len == quiet.len && !memcmp(thr.p, quiet.p, thr.len),
                  "%s: the writer on its own thread gets other events; got:\n%s", dir, thr.p);
        CHECK_MSG(leak == 0, "%s: %zu bytes leaked (thread)", dir, leak);
        free(quiet.p);
        free(thr.p);
    }
    free(input);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
check_tree(const char *root, int update)
{
    DIR *d = opendir(root);
    struct dirent *e;
    char *names[4096];
    size_t n = 0, i;
    if (!d) {
        CHECK_MSG(0, "%s: cannot open", root);
        return;
    }
    while ((e = readdir(d)) != NULL && n < 4096)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);
    for (i = 0; i < n; i++) {
        char dir[1024];
        struct stat st;
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) { /* skip notes beside the cases */
            check_case(dir, 0, update);
            check_case(dir, 1, update);
        }
        free(names[i]);
    }
}

int
main(int argc, char **argv)
{
    int i, update = 0;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--update"))
            update = 1;
        else
            check_tree(argv[i], update);
    }
    return test_report("golden");
}
