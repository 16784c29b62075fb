/*
 * index-bench.c -- query latency of a libgrokx search index, measured the
 * way bench/index_peers.py measures SQLite FTS5 and Xapian: the index
 * opened once, WARM untimed runs, then REPS timed runs of each query
 * fetching the 10 best conversations, ranked only (p50_ms, as the peers
 * are timed) and with snippets (what grokx search shows); and every matching message's number
 * written to OUTDIR/NN-class.txt for the result-set comparison.
 *
 *   index-bench INDEX QUERIES OUTDIR [REPS [WARM]]
 *
 * QUERIES holds "class<TAB>query" lines. Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grokx.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
pct(double *v, int n, double p)
{
    int k = (int)(p * (n - 1) + 0.5);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

static int
write_match(void *ud, uint64_t message, double score)
{
    (void)score;
    fprintf(ud, "%llu\n", (unsigned long long)message);
    return 0;
}

static void
json_str(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else
            putchar(*s);
    putchar('"');
}

int
main(int argc, char **argv)
{
    grokx_index *ix;
    grokx_index_info info;
    grokx_error err;
    grokx_search_options o;
    char line[1024];
    FILE *qf;
    int reps = argc > 4 ? atoi(argv[4]) : 20, warm = argc > 5 ? atoi(argv[5]) : 3, nq = 0;
    double *t, *tr;
    if (argc < 4 || reps < 1) {
        fprintf(stderr, "usage: index-bench INDEX QUERIES OUTDIR [REPS [WARM]]\n");
        return 2;
    }
    if (grokx_index_open(argv[1], &ix, &err) != 0) {
        fprintf(stderr, "index-bench: %s: %s\n", argv[1], err.text);
        return 2;
    }
    if (!(qf = fopen(argv[2], "r")) || !(t = malloc((size_t)reps * sizeof *t)) ||
        !(tr = malloc((size_t)reps * sizeof *tr))) {
        fprintf(stderr, "index-bench: %s: cannot read\n", argv[2]);
        return 2;
    }
    grokx_index_get_info(ix, &info);
    grokx_search_options_init(&o);
    printf("{\"file_bytes\":%llu,\"store_bytes\":%llu,\"messages\":%llu,\"terms\":%llu,\"queries\":[",
           (unsigned long long)info.file_bytes, (unsigned long long)info.store_bytes,
           (unsigned long long)info.messages, (unsigned long long)info.terms);
    while (fgets(line, sizeof line, qf)) {
        char *tab = strchr(line, '\t'), *q, path[4096];
        uint64_t hits = 0;
        FILE *out;
        int i;
        line[strcspn(line, "\r\n")] = 0;
        if (!tab || line[0] == '#')
            continue;
        *tab = 0;
        q = tab + 1;
        for (i = 0; i < warm + reps; i++) {
            grokx_results *r = NULL;
            double t0 = now_ms();
            if (grokx_index_search(ix, q, &o, &r, &err) != 0) {
                fprintf(stderr, "index-bench: %s: %s\n", q, err.text);
                return 1;
            }
            if (i >= warm)
                t[i - warm] = now_ms() - t0;
            hits = grokx_results_total(r);
            grokx_results_free(r);
        }
        o.flags = GROKX_SEARCH_NO_SNIPPETS; /* ranking alone, as the peers are timed */
        for (i = 0; i < warm + reps; i++) {
            grokx_results *r = NULL;
            double t0 = now_ms();
            if (grokx_index_search(ix, q, &o, &r, &err) != 0)
                return 1;
            if (i >= warm)
                tr[i - warm] = now_ms() - t0;
            grokx_results_free(r);
        }
        o.flags = 0;
        snprintf(path, sizeof path, "%s/%02d-%s.txt", argv[3], nq + 1, line);
        if (!(out = fopen(path, "w")) || grokx_index_matches(ix, q, &o, write_match, out, &err) != 0 ||
            fclose(out) != 0) {
            fprintf(stderr, "index-bench: %s: %s\n", path, err.text);
            return 1;
        }
        printf("%s{\"class\":", nq ? "," : "");
        json_str(line);
        printf(",\"query\":");
        json_str(q);
        printf(",\"hits\":%llu,\"p50_ms\":%.4f,\"p95_ms\":%.4f,\"snippets_p50_ms\":%.4f,"
               "\"snippets_p95_ms\":%.4f,\"hits_file\":", (unsigned long long)hits,
               pct(tr, reps, 0.5), pct(tr, reps, 0.95), pct(t, reps, 0.5), pct(t, reps, 0.95));
        json_str(path);
        putchar('}');
        nq++;
    }
    printf("]}\n");
    fclose(qf);
    free(t);
    free(tr);
    grokx_index_close(ix);
    return 0;
}
