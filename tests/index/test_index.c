/*
 * test_index.c -- the search index: results against a brute-force oracle
 * (every message tokenised again and each query evaluated by hand),
 * snippets and highlights, filters, segments and merges giving the same
 * answers, bad queries, and a damaged file: every byte flipped and every
 * truncation must be refused, never read out of bounds.
 *
 *   test_index EXPORT.json...   (the exports the oracle runs over)
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "../../fuzz/membuf.h"
#include "../../fuzz/ix_recrc.h"
#include "index/ix.h"
#include "test.h"

/* ---- an index in memory ---------------------------------------------- */


/* The index of an export, built with postings in ranges of about
 * range_bytes (0: GX_RANGE_BYTES, the default), the store's marks (NULL:
 * the defaults) and writer flags wflags. */
static int
build_index_tuned(const char *path, size_t budget, unsigned opt_flags, unsigned wflags,
                  size_t range_bytes, const gx_marks *marks, membuf *out)
{
    grokx_writer_config cfg;
    grokx_options o;
    grokx_writer *w;
    grokx_parser *p;
    int rc;
    memset(out, 0, sizeof *out);
    grokx_writer_config_init(&cfg);
    cfg.sink.write = mem_write;
    cfg.sink.ud = out;
    cfg.memory_budget = budget;
    cfg.flags |= wflags;
    if ((rc = grokx_writer_create("index", &cfg, &w)) != 0)
        return rc;
    if ((rc = gx_writer_index_tune(w, range_bytes, marks)) != 0) {
        grokx_writer_free(w);
        return rc;
    }
    grokx_options_init(&o);
    o.flags = opt_flags;
    p = grokx_parser_new(&o, w);
    rc = p ? grokx_parse_path(p, path) : GROKX_E_NOMEM;
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc;
}

static int
build_index_ranges(const char *path, size_t budget, unsigned opt_flags, unsigned wflags,
                   size_t range_bytes, membuf *out)
{
    return build_index_tuned(path, budget, opt_flags, wflags, range_bytes, NULL, out);
}

static int
build_index(const char *path, size_t budget, unsigned opt_flags, membuf *out)
{
    return build_index_ranges(path, budget, opt_flags, 0, 0, out);
}

/* No text is long enough to be marked: the reference of marked stores. */
static const gx_marks unmarked = {SIZE_MAX, GX_MARK_STEP};

static int merge_tuned(const membuf *ins, size_t n, size_t range_bytes, int threads,
                       size_t *largest, const gx_marks *marks, membuf *out);

/* ---- the oracle -------------------------------------------------------- */

typedef struct omsg {
    char *conv_id, *id, *sender, *model;
    int role;
    grokx_time time;
    size_t conv; /* index among conversations */
    /* its terms in order, as the index sees the text */
    char (*terms)[GX_TERM_MAX + 1];
    uint32_t *pos;
    unsigned *flags;
    size_t nterms;
} omsg;

typedef struct oracle {
    omsg *m;
    size_t n, cap, nconvs;
} oracle;

static int
o_tok(void *ud, const gx_tok *t)
{
    omsg *m = ud;
    m->terms = realloc(m->terms, (m->nterms + 1) * sizeof *m->terms);
    m->pos = realloc(m->pos, (m->nterms + 1) * sizeof *m->pos);
    m->flags = realloc(m->flags, (m->nterms + 1) * sizeof *m->flags);
    memcpy(m->terms[m->nterms], t->term, t->len);
    m->terms[m->nterms][t->len] = 0;
    m->pos[m->nterms] = t->pos;
    m->flags[m->nterms++] = t->flags;
    return 0;
}

static char *
dup_str(grokx_str s)
{
    char *p = malloc(s.len + 1);
    memcpy(p, s.ptr, s.len);
    p[s.len] = 0;
    return p;
}

/* The text the index keeps: prose and artifacts, cards left out (as
 * index/build.c does; written again here, so a change there shows). */
static void
clean_text(grokx_str text, gx_buf *out)
{
    gx_rich it;
    gx_segment seg;
    out->len = 0;
    gx_rich_init(&it, text.ptr, text.len);
    while (gx_rich_next(&it, &seg)) {
        if (seg.kind == GX_SEG_TEXT)
            gx_buf_put(out, seg.text, seg.len);
        else if (seg.kind == GX_SEG_ARTIFACT) {
            gx_buf_puts(out, "\n");
            gx_buf_puts(out, seg.title);
            if (seg.lang[0])
                gx_buf_puts(out, " ("), gx_buf_puts(out, seg.lang), gx_buf_puts(out, ")");
            gx_buf_puts(out, "\n");
            gx_buf_put(out, seg.text, seg.len);
            gx_buf_puts(out, "\n");
        }
    }
}

static int
o_conv(void *self, const grokx_conversation *c)
{
    oracle *o = self;
    gx_mem mem;
    gx_buf clean;
    size_t i;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&clean, &mem);
    for (i = 0; i < c->message_count; i++) {
        const grokx_message *x = &c->messages[i];
        omsg *m;
        if (o->n == o->cap) {
            o->cap = o->cap ? o->cap * 2 : 64;
            o->m = realloc(o->m, o->cap * sizeof *o->m);
        }
        m = &o->m[o->n++];
        memset(m, 0, sizeof *m);
        m->conv_id = dup_str(c->id);
        m->id = dup_str(x->id);
        m->sender = dup_str(x->sender);
        m->model = dup_str(x->model);
        m->role = x->role == GROKX_ROLE_USER ? 0 : 1;
        m->time = x->create_time;
        m->conv = o->nconvs;
        clean_text(x->text, &clean);
        gx_tokenize(clean.ptr ? clean.ptr : "", clean.len, o_tok, m);
    }
    gx_buf_free(&clean);
    o->nconvs++;
    return 0;
}

static void
oracle_load(oracle *o, const char *path)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, o_conv, NULL, NULL, NULL, NULL};
    grokx_options opt;
    grokx_writer *w;
    grokx_parser *p;
    memset(o, 0, sizeof *o);
    w = grokx_writer_new(&vt, o);
    grokx_options_init(&opt);
    p = grokx_parser_new(&opt, w);
    CHECK(grokx_parse_path(p, path) == 0);
    grokx_parser_free(p);
    grokx_writer_free(w);
}

static void
oracle_free(oracle *o)
{
    size_t i;
    for (i = 0; i < o->n; i++) {
        free(o->m[i].conv_id), free(o->m[i].id), free(o->m[i].sender), free(o->m[i].model);
        free(o->m[i].terms), free(o->m[i].pos), free(o->m[i].flags);
    }
    free(o->m);
}

/* Does message m have term t (prefix: a term starting with t)? */
static int
has(const omsg *m, const char *t, int prefix)
{
    size_t i, n = strlen(t);
    for (i = 0; i < m->nterms; i++)
        if (prefix ? !strncmp(m->terms[i], t, n) : !strcmp(m->terms[i], t))
            return 1;
    return 0;
}

/* Does m hold the phrase words[0..n) at consecutive positions (joined
 * forms left out, as the index's phrase matching does)? */
static int
has_phrase(const omsg *m, const char *const *words, size_t n)
{
    size_t i, k;
    for (i = 0; i < m->nterms; i++) {
        uint32_t p0;
        if (m->flags[i] & GX_TOK_JOINED || strcmp(m->terms[i], words[0]))
            continue;
        p0 = m->pos[i];
        for (k = 1; k < n; k++) {
            size_t j;
            int found = 0;
            for (j = 0; j < m->nterms && !found; j++)
                found = !(m->flags[j] & GX_TOK_JOINED) && m->pos[j] == p0 + k &&
                        !strcmp(m->terms[j], words[k]);
            if (!found)
                break;
        }
        if (k == n)
            return 1;
    }
    return 0;
}

/* ---- queries against the oracle ---------------------------------------- */

typedef int (*match_fn)(const omsg *m, const void *arg);

typedef struct qcase {
    const char *query;
    match_fn match;
    const void *arg;
} qcase;

static int m_word(const omsg *m, const void *a) { return has(m, a, 0); }
static int m_prefix(const omsg *m, const void *a) { return has(m, a, 1); }
static int
m_and(const omsg *m, const void *a)
{
    const char *const *w = a;
    return has(m, w[0], 0) && has(m, w[1], 0);
}
static int
m_or(const omsg *m, const void *a)
{
    const char *const *w = a;
    return has(m, w[0], 0) || has(m, w[1], 0);
}
static int
m_not(const omsg *m, const void *a)
{
    const char *const *w = a;
    return has(m, w[0], 0) && !has(m, w[1], 0);
}
static int
m_phrase(const omsg *m, const void *a)
{
    const char *const *w = a;
    size_t n = 0;
    while (w[n])
        n++;
    return has_phrase(m, w, n);
}
static int
m_group(const omsg *m, const void *a) /* (w0 OR w1) w2 -w3 */
{
    const char *const *w = a;
    return (has(m, w[0], 0) || has(m, w[1], 0)) && has(m, w[2], 0) && !has(m, w[3], 0);
}

/* The index's answer for q must match the oracle's: the same number of
 * messages, the same conversations with the same counts. */
static void
check_query(grokx_index *ix, const oracle *o, const qcase *qc, const grokx_search_options *base)
{
    grokx_search_options so = *base;
    grokx_results *r = NULL;
    grokx_error err;
    uint64_t want_total = 0;
    size_t *per = calloc(o->nconvs + 1, sizeof *per), i, nconv = 0;
    int rc;
    for (i = 0; i < o->n; i++) {
        const omsg *m = &o->m[i];
        if (so.sender && strcmp(so.sender, m->role ? "assistant" : "user"))
            continue;
        if (so.since != GROKX_TIME_NONE && (m->time == GROKX_TIME_NONE || m->time < so.since))
            continue;
        if (qc->match(m, qc->arg))
            want_total++, per[m->conv]++;
    }
    for (i = 0; i < o->nconvs; i++)
        nconv += per[i] > 0;
    so.limit = 100000;
    rc = grokx_index_search(ix, qc->query, &so, &r, &err);
    CHECK_MSG(rc == 0, "%s: %s", qc->query, err.text);
    if (rc) {
        free(per);
        return;
    }
    CHECK_MSG(grokx_results_total(r) == want_total, "%s: %llu messages, oracle %llu", qc->query,
              (unsigned long long)grokx_results_total(r), (unsigned long long)want_total);
    CHECK_MSG(grokx_results_count(r) == nconv, "%s: %zu conversations, oracle %zu", qc->query,
              grokx_results_count(r), nconv);
    for (i = 0; i < grokx_results_count(r); i++) {
        const grokx_hit *h = grokx_results_hit(r, i);
        size_t c, k;
        for (c = 0; c < o->n; c++) /* find its conversation in the oracle */
            if (strlen(o->m[c].conv_id) == h->conversation_id.len &&
                !memcmp(o->m[c].conv_id, h->conversation_id.ptr, h->conversation_id.len))
                break;
        CHECK_MSG(c < o->n && per[o->m[c].conv] == h->matches, "%s: hit %zu: %llu matches",
                  qc->query, i, (unsigned long long)h->matches);
        if (i)
            CHECK(grokx_results_hit(r, i - 1)->score >= h->score);
        CHECK(h->score > 0);
        for (k = 0; k < h->highlight_count; k++) /* highlights lie inside the snippet */
            CHECK(h->highlights[k].start + h->highlights[k].len <= h->snippet.len &&
                  h->highlights[k].len > 0);
        CHECK(gx_utf8_valid(h->snippet.ptr, h->snippet.len));
    }
    grokx_results_free(r);
    free(per);
}

static const char *const W_AND[] = {"the", "answer"};
static const char *const W_OR[] = {"yajl", "ijson"};
static const char *const W_NOT[] = {"server", "retry"};
static const char *const W_NOT2[] = {"the", "short"};
static const char *const W_PHRASE[] = {"the", "short", "answer", NULL};
static const char *const W_PHRASE2[] = {"quick", "brown", "fox", NULL};
static const char *const W_PHRASE_MISS[] = {"answer", "short", NULL};
static const char *const W_CJK[] = {"東京", NULL};
static const char *const W_GROUP[] = {"python", "rust", "memory", "latency"};

static const qcase CASES[] = {
    {"the", m_word, "the"},
    {"THE", m_word, "the"},
    {"json", m_word, "json"},
    {"zanthoxylum", m_word, "zanthoxylum"},
    {"nosuchwordanywhere", m_word, "nosuchwordanywhere"},
    {"the answer", m_and, W_AND},
    {"the AND answer", m_and, W_AND},
    {"yajl OR ijson", m_or, W_OR},
    {"server -retry", m_not, W_NOT},
    {"the NOT short", m_not, W_NOT2},
    {"\"the short answer\"", m_phrase, W_PHRASE},
    {"\"Quick Brown FOX\"", m_phrase, W_PHRASE2},
    {"\"answer short\"", m_phrase, W_PHRASE_MISS},
    {"東京", m_phrase, W_CJK},
    {"lat*", m_prefix, "lat"},
    {"pa*", m_prefix, "pa"},
    {"zzzz*", m_prefix, "zzzz"},
    {"(python OR rust) memory -latency", m_group, W_GROUP},
    {"fsync", m_word, "fsync"},
    {"café", m_word, "cafe"},
};

static void
test_oracle(const char *export_path)
{
    oracle o;
    membuf a, b;
    grokx_index *ia = NULL, *ib = NULL;
    grokx_search_options so;
    grokx_error err;
    size_t i;
    oracle_load(&o, export_path);
    CHECK(o.n > 0);
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    CHECK_INT(build_index(export_path, 1, 0, &b), 0); /* a segment per conversation */
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ia, &err), 0);
    CHECK_INT(grokx_index_open_memory(b.p, b.n, &ib, &err), 0);
    if (!ia || !ib)
        goto done;
    CHECK_INT(grokx_index_check(ia, &err), 0);
    CHECK_MSG(grokx_index_check(ib, &err) == 0, "%s", err.text);
    grokx_search_options_init(&so);
    for (i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        check_query(ia, &o, &CASES[i], &so);
        check_query(ib, &o, &CASES[i], &so);
    }
    so.sender = "user";
    check_query(ia, &o, &CASES[0], &so);
    so.sender = "assistant";
    check_query(ib, &o, &CASES[5], &so);
    so.sender = NULL;
    so.since = o.n ? o.m[o.n / 2].time : 0;
    check_query(ia, &o, &CASES[0], &so);
    check_query(ib, &o, &CASES[14], &so);
done:
    grokx_index_close(ia);
    grokx_index_close(ib);
    free(a.p);
    free(b.p);
    oracle_free(&o);
}

/* ---- the same answers from a merge --------------------------------------- */

static void
same_results(grokx_index *x, grokx_index *y, const char *q)
{
    grokx_results *r = NULL, *s = NULL;
    grokx_search_options so;
    grokx_error err;
    size_t i;
    grokx_search_options_init(&so);
    so.limit = 1000;
    CHECK(grokx_index_search(x, q, &so, &r, &err) == 0);
    CHECK(grokx_index_search(y, q, &so, &s, &err) == 0);
    CHECK_INT(grokx_results_total(r), grokx_results_total(s));
    CHECK_INT(grokx_results_count(r), grokx_results_count(s));
    for (i = 0; i < grokx_results_count(r) && i < grokx_results_count(s); i++) {
        const grokx_hit *a = grokx_results_hit(r, i), *b = grokx_results_hit(s, i);
        CHECK(a->conversation_id.len == b->conversation_id.len &&
              !memcmp(a->conversation_id.ptr, b->conversation_id.ptr, a->conversation_id.len));
        CHECK(a->snippet.len == b->snippet.len && !memcmp(a->snippet.ptr, b->snippet.ptr, a->snippet.len));
        CHECK_INT(a->matches, b->matches);
    }
    grokx_results_free(r);
    grokx_results_free(s);
}

static void
test_merge(const char *ex1, const char *ex2, const char *tmpdir)
{
    membuf a, b, m;
    char pa[512], pb[512];
    const char *paths[3];
    grokx_index *ia, *ib, *im;
    grokx_index_info ca, cb, cm;
    grokx_sink sink = {mem_write, &m};
    grokx_error err;
    FILE *f;
    CHECK_INT(build_index(ex1, 0, 0, &a), 0);
    CHECK_INT(build_index(ex2, 0, 0, &b), 0);
    snprintf(pa, sizeof pa, "%s/a.gxi", tmpdir);
    snprintf(pb, sizeof pb, "%s/b.gxi", tmpdir);
    f = fopen(pa, "wb"), fwrite(a.p, 1, a.n, f), fclose(f);
    f = fopen(pb, "wb"), fwrite(b.p, 1, b.n, f), fclose(f);
    /* two exports: everything of both */
    memset(&m, 0, sizeof m);
    paths[0] = pa, paths[1] = pb;
    CHECK_INT(grokx_index_merge(paths, 2, sink, &err), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ia, &err), 0);
    CHECK_INT(grokx_index_open_memory(b.p, b.n, &ib, &err), 0);
    CHECK_INT(grokx_index_open_memory(m.p, m.n, &im, &err), 0);
    CHECK_INT(grokx_index_check(im, &err), 0);
    grokx_index_get_info(ia, &ca);
    grokx_index_get_info(ib, &cb);
    grokx_index_get_info(im, &cm);
    CHECK_INT(cm.messages, ca.messages + cb.messages);
    CHECK_INT(cm.conversations, ca.conversations + cb.conversations);
    CHECK_INT(cm.tokens, ca.tokens + cb.tokens);
    grokx_index_close(im);
    free(m.p);
    /* the same export twice: each conversation once, answers unchanged, and
     * the dropped copy's texts are not kept */
    memset(&m, 0, sizeof m);
    paths[0] = pa, paths[1] = pa, paths[2] = pa;
    CHECK_INT(grokx_index_merge(paths, 3, sink, &err), 0);
    CHECK_INT(grokx_index_open_memory(m.p, m.n, &im, &err), 0);
    CHECK_MSG(grokx_index_check(im, &err) == 0, "%s", err.text);
    grokx_index_get_info(im, &cm);
    CHECK_INT(cm.messages, ca.messages);
    CHECK_INT(cm.conversations, ca.conversations);
    CHECK(cm.store_bytes <= ca.store_bytes + ca.store_bytes / 20);
    same_results(ia, im, "the");
    same_results(ia, im, "\"the short answer\"");
    same_results(ia, im, "pa* -json");
    grokx_index_close(im);
    free(m.p);
    /* a damaged input is refused with its name */
    paths[0] = pa, paths[1] = "/nonexistent/x.gxi";
    memset(&m, 0, sizeof m);
    CHECK(grokx_index_merge(paths, 2, sink, &err) != 0 && strstr(err.text, "x.gxi"));
    free(m.p);
    grokx_index_close(ia);
    grokx_index_close(ib);
    free(a.p);
    free(b.p);
    remove(pa);
    remove(pb);
}

/* ---- conversations sharing an id ----------------------------------------- */

/* An export of conversations (id, title, modify time, one message's text). */
static void
write_convs(const char *path, const char *const (*c)[4], size_t n)
{
    FILE *f = fopen(path, "wb");
    size_t i;
    fputs("{\"conversations\":[", f);
    for (i = 0; i < n; i++)
        fprintf(f,
                "%s{\"conversation\":{\"id\":\"%s\",\"title\":\"%s\",\"create_time\":"
                "\"2025-10-09T08:00:00Z\",\"modify_time\":\"%s\"},\"responses\":[{\"response\":"
                "{\"_id\":\"m%zu\",\"sender\":\"human\",\"message\":\"%s\",\"create_time\":"
                "\"2025-10-09T08:00:01Z\"}}]}",
                i ? "," : "", c[i][0], c[i][1], c[i][2], i, c[i][3]);
    fputs("],\"projects\":[],\"tasks\":[]}", f);
    fclose(f);
}

static uint64_t
hits(grokx_index *ix, const char *q)
{
    grokx_results *r = NULL;
    grokx_search_options so;
    grokx_error err;
    uint64_t n;
    grokx_search_options_init(&so);
    CHECK(grokx_index_search(ix, q, &so, &r, &err) == 0);
    n = r ? grokx_results_total(r) : 0;
    grokx_results_free(r);
    return n;
}

/* Merge paths[0..n) into a memory index and return it opened. */
static grokx_index *
merged(const char **paths, size_t n, membuf *m)
{
    grokx_sink sink = {mem_write, m};
    grokx_index *im = NULL;
    grokx_error err;
    memset(m, 0, sizeof *m);
    CHECK_MSG(grokx_index_merge(paths, n, sink, &err) == 0, "%s", err.text);
    CHECK_INT(grokx_index_open_memory(m->p, m->n, &im, &err), 0);
    CHECK_MSG(grokx_index_check(im, &err) == 0, "%s", err.text);
    return im;
}

/* Two conversations sharing an id inside one export are two conversations
 * (convert keeps both): a merge keeps both. Across inputs the k-th of an
 * id stands for the k-th of that id in the other, the later copy winning. */
static void
test_merge_same_id(const char *tmpdir)
{
    static const char *const one[][4] = {
        {"c1", "first", "2025-10-09T08:00:00Z", "alphaword"},
        {"c2", "other", "2025-10-09T08:00:00Z", "betaword"},
        {"c1", "second", "2025-10-09T08:00:00Z", "gammaword"},
    };
    static const char *const newer[][4] = {
        {"c1", "first, edited", "2025-11-01T00:00:00Z", "deltaword"},
    };
    char ex1[512], ex2[512], p1[512], p2[512];
    const char *paths[3];
    membuf a, b, m;
    FILE *f;
    grokx_index *im;
    grokx_index_info ci;
    snprintf(ex1, sizeof ex1, "%s/same-id.json", tmpdir);
    snprintf(ex2, sizeof ex2, "%s/same-id-newer.json", tmpdir);
    snprintf(p1, sizeof p1, "%s/same-id.gxi", tmpdir);
    snprintf(p2, sizeof p2, "%s/same-id-newer.gxi", tmpdir);
    write_convs(ex1, one, 3);
    write_convs(ex2, newer, 1);
    CHECK_INT(build_index(ex1, 0, 0, &a), 0);
    CHECK_INT(build_index(ex2, 0, 0, &b), 0);
    f = fopen(p1, "wb"), fwrite(a.p, 1, a.n, f), fclose(f);
    f = fopen(p2, "wb"), fwrite(b.p, 1, b.n, f), fclose(f);
    /* one input: every conversation */
    paths[0] = p1;
    im = merged(paths, 1, &m);
    grokx_index_get_info(im, &ci);
    CHECK_INT(ci.conversations, 3);
    CHECK_INT(hits(im, "alphaword"), 1);
    CHECK_INT(hits(im, "gammaword"), 1);
    grokx_index_close(im), free(m.p);
    /* the same export twice: still three, each once */
    paths[0] = p1, paths[1] = p1;
    im = merged(paths, 2, &m);
    grokx_index_get_info(im, &ci);
    CHECK_INT(ci.conversations, 3);
    CHECK_INT(hits(im, "alphaword"), 1);
    CHECK_INT(hits(im, "gammaword"), 1);
    grokx_index_close(im), free(m.p);
    /* a newer export's c1 supersedes the first c1 only, in either order */
    paths[0] = p1, paths[1] = p2;
    im = merged(paths, 2, &m);
    grokx_index_get_info(im, &ci);
    CHECK_INT(ci.conversations, 3);
    CHECK_INT(hits(im, "alphaword"), 0);
    CHECK_INT(hits(im, "deltaword"), 1);
    CHECK_INT(hits(im, "gammaword"), 1);
    CHECK_INT(hits(im, "betaword"), 1);
    grokx_index_close(im), free(m.p);
    paths[0] = p2, paths[1] = p1;
    im = merged(paths, 2, &m);
    grokx_index_get_info(im, &ci);
    CHECK_INT(ci.conversations, 3);
    CHECK_INT(hits(im, "alphaword"), 0);
    CHECK_INT(hits(im, "deltaword"), 1);
    CHECK_INT(hits(im, "gammaword"), 1);
    grokx_index_close(im), free(m.p);
    free(a.p), free(b.p);
    remove(ex1), remove(ex2), remove(p1), remove(p2);
}

/* ---- snippets of long messages -------------------------------------------- */

/* A message's text of about size bytes: common words, compounds, numbers,
 * CJK, accents and compatibility characters, runs too long to index, rare
 * markers at its start, middle and end, and rare words near each other and
 * far apart. */
static void
long_text(FILE *f, size_t size, int plain)
{
    static const char *const vocab[] = {
        "the", "of", "and", "to", "in", "is", "that", "it", "for", "on", "with", "as", "was",
        "word", "but", "not", "what", "all", "were", "when", "your", "can", "said", "there",
        "time", "has", "look", "two", "more", "write", "go", "see", "number", "no", "way",
        "getUserName", "snake_case_name", "HTTPServer", "URLs", "x86_64", "2024", "\xC2\xBD",
        "\xE3\x8D\xB1", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "caf\xC3\xA9", "na\xC3\xAFve",
        "foo.bar", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "\xEF\xAC\x81ne", "(x)", "\\t", "\\n\\n", "---", "\xE2\x91\xB4", "\xED\x95\x9C\xEA\xB5\xAD"};
    unsigned seed = 12345;
    size_t n = 0, k = 0;
    int mid = 0;
    fputs("alphastart kiwi ", f);
    while (n < size) {
        const char *w;
        seed = seed * 1103515245u + 12345u;
        k = seed >> 8;
        w = k % 2000 == 0 ? "kiwi" : k % 2000 == 1 ? "mango" : vocab[k % (sizeof vocab / sizeof *vocab)];
        if (plain && (!strcmp(w, "\xC2\xBD") || !strcmp(w, "\xE3\x8D\xB1")))
            w = "plain"; /* no ½ or ㍱: every position starts a byte of its own */
        if (!(mid & 1) && n >= size / 2)
            w = "middlemarker kiwi then mango", mid |= 1;
        if (!(mid & 2) && n >= size / 5)
            w = "lonelyone", mid |= 2;
        if (n >= size * 4 / 5 && !(mid & 4))
            w = "lonelytwo", mid |= 4;
        n += strlen(w) + 1;
        fputs(w, f);
        fputs(k % 37 ? " " : "\\n", f);
    }
    fputs("mango omegaend", f);
}

static void
write_long_export(const char *path, size_t size, int only_first, const char *modified, int plain)
{
    static const char *const small[] = {"a short note about kiwi and mango", "the weather is fine",
                                        "getUserName returns a name", "middlemarker here too",
                                        "omegaend in a small one", "lonelyone lonelytwo together"};
    FILE *f = fopen(path, "w");
    int i;
    fprintf(f, "{\"conversations\":[");
    for (i = 0; i < (only_first ? 1 : 6); i++) {
        fprintf(f, "%s{\"conversation\":{\"id\":\"long-%d\",\"title\":\"t%d\",\"create_time\":"
                   "\"2026-01-01T00:00:00Z\",\"modify_time\":\"%s\"},\"responses\":[{\"response\":"
                   "{\"_id\":\"long-%d-q\",\"message\":\"%s\",\"sender\":\"human\",\"create_time\":"
                   "{\"$date\":{\"$numberLong\":\"1767225600000\"}}}},{\"response\":{\"_id\":\"long-%d-a\","
                   "\"message\":\"",
                i ? "," : "", i, i, modified, i, i == 3 ? "please paste the log" : small[i], i);
        if (i == 3)
            long_text(f, size, plain);
        else
            fprintf(f, "kiwi and %s", small[(i + 2) % 6]);
        fprintf(f, "\",\"sender\":\"assistant\",\"parent_response_id\":\"long-%d-q\",\"create_time\":"
                   "{\"$date\":{\"$numberLong\":\"1767225601000\"}}}}]}", i);
    }
    fprintf(f, "]}");
    fclose(f);
}

/* The same hits, ids, snippets and highlights. */
static void
same_snippets(grokx_index *x, grokx_index *y, const char *q, size_t width, const char *what)
{
    grokx_results *r = NULL, *s = NULL;
    grokx_search_options so;
    grokx_error err;
    size_t i, j;
    grokx_search_options_init(&so);
    so.limit = 20;
    so.snippet_bytes = width;
    CHECK_MSG(grokx_index_search(x, q, &so, &r, &err) == 0, "%s: %s", q, err.text);
    CHECK_MSG(grokx_index_search(y, q, &so, &s, &err) == 0, "%s: %s", q, err.text);
    if (!r || !s)
        goto done;
    CHECK_INT(grokx_results_count(r), grokx_results_count(s));
    for (i = 0; i < grokx_results_count(r) && i < grokx_results_count(s); i++) {
        const grokx_hit *a = grokx_results_hit(r, i), *b = grokx_results_hit(s, i);
        int same = a->message_id.len == b->message_id.len &&
                   !memcmp(a->message_id.ptr, b->message_id.ptr, a->message_id.len) &&
                   a->snippet.len == b->snippet.len && !memcmp(a->snippet.ptr, b->snippet.ptr, a->snippet.len) &&
                   a->highlight_count == b->highlight_count;
        for (j = 0; same && j < a->highlight_count; j++)
            same = a->highlights[j].start == b->highlights[j].start && a->highlights[j].len == b->highlights[j].len;
        CHECK_MSG(same, "%s: \"%s\" width %zu, hit %zu: [%.*s] vs [%.*s]", what, q, width, i,
                  (int)a->snippet.len, a->snippet.ptr, (int)b->snippet.len, b->snippet.ptr);
    }
done:
    grokx_results_free(r);
    grokx_results_free(s);
}

/* Bytes inflated and tokenised for the snippet of a hit in conversation
 * long-3 (the long message). */
static uint64_t
snippet_cost(grokx_index *ix, const char *q)
{
    grokx_results *r = NULL;
    grokx_search_options so;
    grokx_error err;
    uint64_t before = gx_snippet_bytes;
    grokx_search_options_init(&so);
    so.limit = 1;
    so.conversation = "long-3";
    CHECK_MSG(grokx_index_search(ix, q, &so, &r, &err) == 0, "%s: %s", q, err.text);
    CHECK_MSG(r && grokx_results_count(r) == 1 && grokx_results_hit(r, 0)->message_id.len == 8 &&
          !memcmp(grokx_results_hit(r, 0)->message_id.ptr, "long-3-a", 8), "%s: not the long message", q);
    grokx_results_free(r);
    return gx_snippet_bytes - before;
}

/* A hit in a long message costs the same wherever it is: its snippet reads
 * only the marked parts it can be in (f3ab424 inflated and tokenised the
 * whole text: 2 x 2 MB here), and shows what tokenising the whole text
 * shows, for every query and width, after a segmented build, a merge and
 * a repack (the same index built without marks is the reference). */
static void
test_long_snippets(const char *tmpdir, int plain)
{
    static const char *const qs[] = {
        "alphastart", "middlemarker", "omegaend", "kiwi", "mango", "kiwi mango", "\"kiwi then mango\"",
        "lonelyone lonelytwo", "lonelytwo", "the", "the of", "get*", "getUserName", "user name",
        "http server", "mid*", "kiw* man*", "alphastart omegaend", "\xE6\x97\xA5\xE6\x9C\xAC",
        "caf\xC3\xA9", "1 2", "hpa", "x86", "a*", "the OR kiwi", "kiwi -mango", "snake", "fine",
        "\xED\x95\x9C"};
    static const size_t widths[] = {1, 20, 160, 700, 40000};
    char path[512], path2[512], pa[512], pb[512];
    const char *paths[2];
    membuf a, b, c, m, one, mb, bone;
    grokx_index *ia = NULL, *ib = NULL, *ic = NULL, *im = NULL, *imb = NULL;
    grokx_error err;
    grokx_sink sink = {mem_write, &m};
    size_t i, j, marked = 0, dense = 0;
    const size_t size = plain ? 1u << 20 : 2u << 20;
    FILE *f;
    snprintf(path, sizeof path, "%s/long.json", tmpdir);
    snprintf(path2, sizeof path2, "%s/long-one.json", tmpdir);
    write_long_export(path, size, 0, "2026-01-01T00:00:00Z", plain);
    write_long_export(path2, size, 1, "2026-02-01T00:00:00Z", plain); /* newer: the merge drops long-0 from a */
    CHECK_INT(build_index(path, 0, 0, &a), 0);
    CHECK_INT(build_index(path, 1, 0, &c), 0); /* a segment per conversation, merged */
    /* no marks: whole texts, the reference */
    CHECK_INT(build_index_tuned(path, 0, 0, 0, 0, &unmarked, &b), 0);
    CHECK_INT(build_index_tuned(path2, 0, 0, 0, 0, &unmarked, &bone), 0);
    CHECK_INT(build_index(path2, 0, 0, &one), 0);
    snprintf(pa, sizeof pa, "%s/long-a.gxi", tmpdir);
    snprintf(pb, sizeof pb, "%s/long-one.gxi", tmpdir);
    f = fopen(pa, "wb"), fwrite(a.p, 1, a.n, f), fclose(f);
    f = fopen(pb, "wb"), fwrite(one.p, 1, one.n, f), fclose(f);
    memset(&m, 0, sizeof m);
    paths[0] = pa, paths[1] = pb;
    CHECK_INT(grokx_index_merge(paths, 2, sink, &err), 0); /* a repacked: its long text written again */
    { /* the same without marks, as grokx_index_merge merges */
        membuf in[2];
        in[0] = b, in[1] = bone;
        CHECK_INT(merge_tuned(in, 2, 0, 1, NULL, &unmarked, &mb), 0);
    }
    CHECK_INT(grokx_index_open_memory(mb.p, mb.n, &imb, &err), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ia, &err), 0);
    CHECK_INT(grokx_index_open_memory(b.p, b.n, &ib, &err), 0);
    CHECK_INT(grokx_index_open_memory(c.p, c.n, &ic, &err), 0);
    CHECK_INT(grokx_index_open_memory(m.p, m.n, &im, &err), 0);
    if (!ia || !ib || !ic || !im || !imb)
        goto done;
    CHECK_MSG(grokx_index_check(ia, &err) == 0, "%s", err.text);
    CHECK_MSG(grokx_index_check(ic, &err) == 0, "%s", err.text);
    CHECK_MSG(grokx_index_check(im, &err) == 0, "%s", err.text);
    for (i = 0; i < gx_index_ix(ia)->n.nstore_blocks; i++) {
        gx_store_marks sm;
        gx_store_mark *k = NULL;
        if (gx_ix_store_marks(gx_index_ix(ia), i, &sm) != 1)
            continue;
        marked++;
        CHECK_INT(gx_ix_store_mark_list(gx_index_ix(ia), &sm, &k), 0);
        for (j = 0; k && j < sm.n; j++)
            dense += k[j].dense;
        CHECK(sm.n > size / GX_MARK_STEP / 2);
        free(k);
    }
    CHECK_INT(marked, 1);
    CHECK(plain ? dense == 0 : dense > 0); /* both bounds of a window's positions */
    /* the cost: about two parts, not the text */
    for (i = 0; i < 4; i++) {
        static const char *const where[] = {"alphastart", "middlemarker", "omegaend", "lonelytwo"};
        uint64_t cost = snippet_cost(ia, where[i]), whole = snippet_cost(ib, where[i]);
        CHECK_MSG(cost <= 6 * GX_MARK_STEP, "%s: %llu bytes read for a snippet", where[i],
                  (unsigned long long)cost);
        CHECK(whole >= size);
        CHECK_MSG(snippet_cost(ic, where[i]) <= 6 * GX_MARK_STEP, "%s, segmented", where[i]);
        CHECK_MSG(snippet_cost(im, where[i]) <= 6 * GX_MARK_STEP, "%s, merged", where[i]);
    }
    /* the same answers as whole texts give */
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++)
        for (j = 0; j < sizeof widths / sizeof widths[0]; j++) {
            same_snippets(ia, ib, qs[i], widths[j], "marked");
            same_snippets(ic, ib, qs[i], widths[j], "segmented");
        }
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++)
        same_snippets(im, imb, qs[i], 160, "merged");
done:
    grokx_index_close(ia);
    grokx_index_close(ib);
    grokx_index_close(ic);
    grokx_index_close(im);
    grokx_index_close(imb);
    free(a.p), free(b.p), free(c.p), free(m.p), free(one.p), free(mb.p), free(bone.p);
    remove(path), remove(path2), remove(pa), remove(pb);
}

/* Damage to a mark that the checksums do not see (made to match): the
 * full check refuses it, and a search never crashes on it. */
static void
test_long_marks_damage(const char *tmpdir)
{
    char path[512];
    membuf a;
    gx_store_marks sm;
    unsigned char *copy;
    grokx_index *ix = NULL;
    grokx_error err;
    uint64_t b, at = 0, i;
    int refused = 0, tried = 0;
    snprintf(path, sizeof path, "%s/long.json", tmpdir);
    write_long_export(path, 200000, 0, "2026-01-01T00:00:00Z", 0);
    CHECK_INT(build_index(path, 0, 0, &a), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), 0);
    for (b = 0; ix && b < gx_index_ix(ix)->n.nstore_blocks; b++)
        if (gx_ix_store_marks(gx_index_ix(ix), b, &sm) == 1)
            at = gx_index_ix(ix)->sec[GX_SEC_STORE].off + sm.table - 8;
    grokx_index_close(ix);
    CHECK(at > 0);
    copy = malloc(a.n);
    for (i = at; at && i < at + 8 + 4 * GX_IX_MARK_REC; i++) {
        int k;
        for (k = 0; k < 8; k += 3) {
            grokx_results *r = NULL;
            memcpy(copy, a.p, a.n);
            copy[i] ^= (unsigned char)(1u << k);
            ix_recrc(copy, a.n);
            tried++;
            if (grokx_index_open_memory(copy, a.n, &ix, &err) != 0) {
                refused++;
                continue;
            }
            refused += grokx_index_check(ix, &err) != 0;
            grokx_index_search(ix, "middlemarker", NULL, &r, &err); /* whatever it says, no crash */
            grokx_results_free(r);
            grokx_index_search(ix, "kiwi mango", NULL, &r, &err);
            grokx_results_free(r);
            grokx_index_close(ix);
        }
    }
    CHECK_MSG(refused == tried, "%d of %d damaged marks refused", refused, tried);
    free(copy);
    free(a.p);
    remove(path);
}

/* ---- postings written in ranges, on two threads ---------------------------- */

static void recrc(unsigned char *b, size_t n);

static int
merge_tuned(const membuf *ins, size_t n, size_t range_bytes, int threads, size_t *largest,
            const gx_marks *marks, membuf *out)
{
    gx_ix ixs[3];
    gx_ix *ptrs[3];
    gx_mem mem;
    grokx_sink sink = {mem_write, out};
    char why[GROKX_ERROR_TEXT_MAX] = "";
    size_t i, opened = 0;
    int rc = 0;
    memset(out, 0, sizeof *out);
    for (i = 0; i < n && !rc; i++, opened++) {
        ptrs[i] = &ixs[i];
        rc = gx_ix_open_mem(&ixs[i], ins[i].p, ins[i].n);
    }
    if (!rc) {
        gx_mem_init(&mem, NULL, NULL, 0);
        rc = gx_ix_merge(ptrs, n, 1, threads, range_bytes, largest, marks, sink, &mem, why,
                         sizeof why);
    }
    for (i = 0; i < opened; i++)
        gx_ix_close(&ixs[i]);
    return rc;
}

static int
merge_ranges(const membuf *ins, size_t n, size_t range_bytes, int threads, size_t *largest,
             membuf *out)
{
    return merge_tuned(ins, n, range_bytes, threads, largest, NULL, out);
}

static int
same_bytes(const membuf *a, const membuf *b)
{
    return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

/* Cut into ranges of a few bytes, encoded on two threads or one, a file is
 * the same as written in one piece: built at once, in segments, merged. */
static void
test_ranges(const char *ex1, const char *ex2)
{
    membuf whole, cut, one, seg, segcut, segone, in[3], m1, m2;
    CHECK_INT(build_index_ranges(ex1, 0, 0, 0, SIZE_MAX, &whole), 0);
    CHECK_INT(build_index_ranges(ex1, 0, 0, 0, 64, &cut), 0);
    CHECK_INT(build_index_ranges(ex1, 0, 0, GROKX_WF_NO_THREADS, 64, &one), 0);
    CHECK(same_bytes(&whole, &cut));
    CHECK(same_bytes(&whole, &one));
    /* a segment per conversation: the writes and the merge both cut */
    CHECK_INT(build_index_ranges(ex1, 1, 0, 0, SIZE_MAX, &seg), 0);
    CHECK_INT(build_index_ranges(ex1, 1, 0, 0, 64, &segcut), 0);
    CHECK_INT(build_index_ranges(ex1, 1, 0, GROKX_WF_NO_THREADS, 64, &segone), 0);
    CHECK(same_bytes(&seg, &segcut));
    CHECK(same_bytes(&seg, &segone));
    /* grokx merge of two exports and a duplicate */
    in[0] = whole;
    CHECK_INT(build_index_ranges(ex2, 0, 0, 0, SIZE_MAX, &in[1]), 0);
    in[2] = whole;
    CHECK_INT(merge_ranges(in, 3, SIZE_MAX, 0, NULL, &m1), 0);
    CHECK_INT(merge_ranges(in, 3, 64, 1, NULL, &m2), 0);
    CHECK(m1.n > 0 && same_bytes(&m1, &m2));
    free(m2.p);
    CHECK_INT(merge_ranges(in, 3, 1, 1, NULL, &m2), 0); /* a range per block */
    CHECK(same_bytes(&m1, &m2));
    free(whole.p), free(cut.p), free(one.p), free(seg.p), free(segcut.p), free(segone.p);
    free(in[1].p), free(m1.p), free(m2.p);
}

/* One index build of the test below, on a thread of its own. */
typedef struct build_job {
    const char *path;
    size_t range_bytes;
    membuf out;
    int rc;
} build_job;

static void *
build_job_run(void *arg)
{
    build_job *j = arg;
    j->rc = build_index_ranges(j->path, 1, 0, 0, j->range_bytes, &j->out);
    return NULL;
}

/* Two builds at once, on two threads, each with its own range size (each
 * with its worker, segments and a merge): the library holds no state of
 * its own between them, so each file is the one built alone. */
static void
test_builds_at_once(const char *ex1)
{
    build_job jobs[2] = {{ex1, SIZE_MAX, {0}, -1}, {ex1, 64, {0}, -1}};
    pthread_t th[2];
    membuf alone;
    int started[2], i, round;
    CHECK_INT(build_index_ranges(ex1, 1, 0, 0, 0, &alone), 0);
    for (round = 0; round < 3; round++) {
        for (i = 0; i < 2; i++)
            started[i] = pthread_create(&th[i], NULL, build_job_run, &jobs[i]) == 0;
        for (i = 0; i < 2; i++) {
            CHECK(started[i]);
            if (!started[i])
                continue;
            pthread_join(th[i], NULL);
            CHECK_INT(jobs[i].rc, 0);
            CHECK_MSG(same_bytes(&jobs[i].out, &alone), "build %d of round %d", i, round);
            free(jobs[i].out.p);
            jobs[i].out.p = NULL;
        }
    }
    free(alone.p);
}

/* An export of n messages whose words all start with letter: two such
 * exports have no term in common. */
static void
write_vocab_export(const char *path, char letter, int n)
{
    FILE *f = fopen(path, "w");
    unsigned seed = (unsigned)letter;
    int i, k;
    fprintf(f, "{\"conversations\":[");
    for (i = 0; i < n; i++) {
        fprintf(f, "%s{\"conversation\":{\"id\":\"%c-%d\",\"title\":\"t\",\"create_time\":"
                   "\"2026-01-01T00:00:00Z\"},\"responses\":[{\"response\":{\"_id\":\"%c-%d-m\","
                   "\"message\":\"",
                i ? "," : "", letter, i, letter, i);
        for (k = 0; k < 40; k++) {
            seed = seed * 1103515245u + 12345u;
            fprintf(f, "%c%c%c ", letter, 'a' + (int)(seed >> 16) % 26, 'a' + (int)(seed >> 8) % 26);
        }
        fprintf(f, "\",\"sender\":\"human\",\"create_time\":{\"$date\":{\"$numberLong\":"
                   "\"1767225600000\"}}}}]}");
    }
    fprintf(f, "]}");
    fclose(f);
}

/* Merged inputs whose vocabularies do not overlap are still cut into
 * ranges of about the range size: cutting at one input's terms once put
 * all of the other's postings in one range. */
static void
test_ranges_disjoint(const char *tmpdir)
{
    char pa[512], pz[512];
    membuf in[2], m1, m2;
    size_t largest = 0;
    snprintf(pa, sizeof pa, "%s/vocab-a.json", tmpdir);
    snprintf(pz, sizeof pz, "%s/vocab-z.json", tmpdir);
    write_vocab_export(pa, 'a', 300);
    write_vocab_export(pz, 'z', 200);
    CHECK_INT(build_index(pa, 0, 0, &in[0]), 0);
    CHECK_INT(build_index(pz, 0, 0, &in[1]), 0);
    CHECK_INT(merge_ranges(in, 2, SIZE_MAX, 0, NULL, &m1), 0);
    CHECK_INT(merge_ranges(in, 2, 2048, 1, &largest, &m2), 0);
    CHECK(same_bytes(&m1, &m2));
    /* a range is about 2 KiB plus a dictionary block of each input (3 KB
     * here; cut at one input's terms, all 19 KB of the other's were one) */
    CHECK_MSG(largest > 0 && largest < 8192, "a range of %zu bytes", largest);
    free(in[0].p), free(in[1].p), free(m1.p), free(m2.p);
    remove(pa);
    remove(pz);
}

/* Whatever the damage (behind matching CRCs) of one input, merging in many
 * ranges on two threads succeeds or fails as one range does, with the same
 * bytes: ranges may not skip, repeat or reorder a term. */
static void
test_ranges_damage(const char *export_path)
{
    membuf good, in[2], m1, m2;
    unsigned char *copy;
    size_t i, stride = getenv("GX_TEST_STRIDE") ? (size_t)atoi(getenv("GX_TEST_STRIDE")) : 11;
    int merged = 0, refused = 0;
    CHECK_INT(build_index(export_path, 0, 0, &good), 0);
    copy = malloc(good.n);
    for (i = GX_IX_PRELUDE; i + GX_IX_FOOTER < good.n; i += stride ? stride : 1) {
        int r1, r2;
        memcpy(copy, good.p, good.n);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        recrc(copy, good.n);
        in[0].p = (char *)copy, in[0].n = good.n;
        in[1] = good;
        r1 = merge_ranges(in, 2, SIZE_MAX, 0, NULL, &m1);
        r2 = merge_ranges(in, 2, 16, 1, NULL, &m2);
        CHECK_MSG((r1 == 0) == (r2 == 0), "byte %zu: one range %d, ranges %d", i, r1, r2);
        if (r1 == 0 && r2 == 0)
            CHECK_MSG(same_bytes(&m1, &m2), "byte %zu: ranges change the merge", i);
        merged += r1 == 0;
        refused += r1 != 0;
        free(m1.p), free(m2.p);
    }
    CHECK(merged > 0 && refused > 0);
    free(copy);
    free(good.p);
}

/* ---- queries that cannot be read ----------------------------------------- */

static void
test_bad_queries(const char *export_path)
{
    static const char *const bad[] = {"", "   ", "-the", "NOT the", "(the", "the)", "((((", "!!!"};
    membuf a;
    grokx_index *ix;
    grokx_results *r;
    grokx_error err;
    size_t i;
    char deep[200];
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), 0);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = NULL;
        CHECK_MSG(grokx_index_search(ix, bad[i], NULL, &r, &err) == GROKX_E_QUERY,
                  "\"%s\" was accepted", bad[i]);
        CHECK(r == NULL && err.text[0]);
    }
    memset(deep, '(', sizeof deep - 1);
    deep[sizeof deep - 1] = 0;
    CHECK(grokx_index_search(ix, deep, NULL, &r, &err) == GROKX_E_QUERY);
    { /* too deep exactly at the end: the parser once stepped past the NUL
       * (valgrind saw it; ASan sees it on a heap string of that length) */
        char *edge = malloc(34);
        memset(edge, '(', 33);
        edge[33] = 0;
        CHECK(grokx_index_search(ix, edge, NULL, &r, &err) == GROKX_E_QUERY);
        free(edge);
    }
    /* a phrase that never ends is read to the end; a long query is refused */
    CHECK(grokx_index_search(ix, "\"the short", NULL, &r, &err) == 0);
    grokx_results_free(r);
    CHECK(grokx_index_search(NULL, "the", NULL, &r, &err) == GROKX_E_INVALID);
    grokx_index_close(ix);
    free(a.p);
}

/* ---- a minus before a phrase or a group excludes it ----------------------- */

static uint64_t
qtotal(grokx_index *ix, const char *q)
{
    grokx_results *r = NULL;
    grokx_error err;
    uint64_t n;
    int rc = grokx_index_search(ix, q, NULL, &r, &err);
    CHECK_MSG(rc == 0, "%s: %s", q, err.text);
    if (rc)
        return (uint64_t)-1;
    n = grokx_results_total(r);
    grokx_results_free(r);
    return n;
}

/* No highlight of any hit of q spells word (ASCII case ignored). */
static void
no_highlight_of(grokx_index *ix, const char *q, const char *word)
{
    grokx_results *r = NULL;
    grokx_error err;
    grokx_search_options so;
    size_t i, k, n = strlen(word), shown = 0;
    grokx_search_options_init(&so);
    so.limit = 1000;
    CHECK_MSG(grokx_index_search(ix, q, &so, &r, &err) == 0, "%s: %s", q, err.text);
    for (i = 0; r && i < grokx_results_count(r); i++) {
        const grokx_hit *h = grokx_results_hit(r, i);
        for (k = 0; k < h->highlight_count; k++, shown++)
            CHECK_MSG(!(h->highlights[k].len == n &&
                        !strncasecmp(h->snippet.ptr + h->highlights[k].start, word, n)),
                      "%s: the excluded \"%s\" is highlighted", q, word);
    }
    CHECK_MSG(shown > 0, "%s: nothing highlighted at all", q);
    grokx_results_free(r);
}

/* Issue 29: '-"phrase"' and '-(group)' dropped the minus, so what was
 * to be excluded became required. Every spelling of NOT means the same. */
static void
test_negation_forms(const char *export_path)
{
    static const char *const bad[] = {"-\"the short\"", "-(the OR short)", "the OR -short",
                                      "--the", "NOT\"the short\""};
    membuf a;
    grokx_index *ix;
    grokx_results *r;
    grokx_error err;
    uint64_t the, phr, grp;
    size_t i;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), 0);
    the = qtotal(ix, "the");
    phr = qtotal(ix, "the \"short answer\"");
    grp = qtotal(ix, "the (short OR answer)");
    CHECK(the > grp && grp >= phr && phr > 0);
    CHECK(qtotal(ix, "the -\"short answer\"") == the - phr);
    CHECK(qtotal(ix, "the NOT \"short answer\"") == the - phr);
    CHECK(qtotal(ix, "the NOT\"short answer\"") == the - phr);
    CHECK(qtotal(ix, "the --\"short answer\"") == the - phr);
    CHECK(qtotal(ix, "the -(short OR answer)") == the - grp);
    CHECK(qtotal(ix, "the NOT (short OR answer)") == the - grp);
    CHECK(qtotal(ix, "the NOT(short OR answer)") == the - grp);
    CHECK(qtotal(ix, "the --short") == qtotal(ix, "the -short"));
    CHECK(qtotal(ix, "the -short*") == the - qtotal(ix, "the short*"));
    CHECK(qtotal(ix, "the - short") == qtotal(ix, "the short")); /* a lone dash is punctuation */
    CHECK(qtotal(ix, "the -short.zzzqqq") == the); /* the phrase "short zzzqqq" is nowhere */
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = NULL;
        CHECK_MSG(grokx_index_search(ix, bad[i], NULL, &r, &err) == GROKX_E_QUERY,
                  "\"%s\" was accepted", bad[i]);
        grokx_results_free(r);
    }
    /* only what is required is highlighted */
    no_highlight_of(ix, "the -short", "short");
    no_highlight_of(ix, "the NOT \"short zzzqqq\"", "short");
    no_highlight_of(ix, "the -short.zzzqqq", "short");
    no_highlight_of(ix, "the -(short OR answer)", "answer");
    grokx_index_close(ix);
    free(a.p);
}

/* ---- names and titles cut to their caps ----------------------------------- */

/* A sender over the names' 256 bytes and an artifact title over its 255
 * are cut on a character boundary: a hit's sender and the stored text
 * stay UTF-8, and the file passes the check. */
static void
test_long_names(const char *tmpdir)
{
    char path[4096], name[400], title[400];
    FILE *f;
    membuf a;
    grokx_index *ix;
    grokx_results *r = NULL;
    grokx_error err;
    const grokx_hit *h;
    size_t n = 0;
    int k;
    name[n++] = 'a', name[n++] = 'b';
    for (k = 0; k < 100; k++)
        memcpy(name + n, "\xE6\x9D\xB1", 3), n += 3;
    name[n] = 0;
    snprintf(title, sizeof title, "xy%s", name); /* cut at 255: 4 + 83 * 3 + 2 */
    snprintf(path, sizeof path, "%s/long-names.json", tmpdir);
    if (!(f = fopen(path, "wb"))) {
        CHECK(0);
        return;
    }
    fprintf(f, "{\"conversations\":[{\"conversation\":{\"id\":\"c\",\"title\":\"t\"},"
               "\"responses\":[{\"response\":{\"_id\":\"r\",\"sender\":\"%s\","
               "\"message\":\"zebra <xaiArtifact title=\\\"%s\\\">y</xaiArtifact>\"}}]}]}",
            name, title);
    fclose(f);
    CHECK_INT(build_index(path, 0, 0, &a), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), 0);
    CHECK_INT(grokx_index_check(ix, &err), 0);
    CHECK_INT(grokx_index_search(ix, "zebra", NULL, &r, &err), 0);
    CHECK(grokx_results_count(r) == 1);
    if (grokx_results_count(r) == 1) {
        h = grokx_results_hit(r, 0);
        CHECK_INT((int)h->sender.len, 2 + 84 * 3);
        CHECK(gx_utf8_valid(h->sender.ptr, h->sender.len));
    }
    grokx_results_free(r);
    grokx_index_close(ix);
    free(a.p);
    remove(path);
}

/* ---- a store block that claims more than it holds ------------------------- */

/* A block's raw_len is bounded by what its deflated bytes can inflate to:
 * a file that claims 2^30 bytes for a small block is damaged, and a
 * search refuses it rather than allocating for the claim (fuzz_index: a
 * 911-byte file made the reader ask for 2 GiB). */
static void
test_store_claim(const char *export_path)
{
    membuf a;
    gx_ix ix;
    grokx_index *g;
    grokx_results *r = NULL;
    grokx_error err;
    grokx_str id, text;
    gx_mem mem;
    gx_buf raw;
    size_t at;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    CHECK_INT(gx_ix_open_mem(&ix, a.p, a.n), 0);
    at = (size_t)ix.sec[GX_SEC_STORE].off; /* block 0's raw_len */
    CHECK(ix.n.nstore_blocks >= 1 &&
          gx_le64((const unsigned char *)a.p + ix.sec[GX_SEC_STORE_INDEX].off + 8) < (1u << 20));
    gx_ix_close(&ix);
    gx_put32((unsigned char *)a.p + at, GX_IX_STORE_RAW_MAX);
    recrc((unsigned char *)a.p, a.n); /* past the checksums, to the claim's own check */
    CHECK_INT(gx_ix_open_mem(&ix, a.p, a.n), 0);
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&raw, &mem);
    CHECK_INT(gx_ix_store_fetch(&ix, 0, 0, &raw, &id, &text), GROKX_E_CORRUPT);
    CHECK_INT(gx_ix_store_block(&ix, 0, &raw), GROKX_E_CORRUPT);
    CHECK(raw.cap < (1u << 20));
    gx_buf_free(&raw);
    gx_ix_close(&ix);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &g, &err), 0);
    CHECK_INT(grokx_index_search(g, "the", NULL, &r, &err), GROKX_E_CORRUPT);
    CHECK(r == NULL);
    CHECK_INT(grokx_index_check(g, &err), GROKX_E_CORRUPT);
    grokx_index_close(g);
    free(a.p);
}

/* ---- a damaged file --------------------------------------------------------- */

static void
try_damaged(const char *p, size_t n, int *opened, int *checked)
{
    static const char *const qs[] = {"the", "\"the short answer\"", "pa*", "json -the", "東京"};
    grokx_index *ix = NULL;
    grokx_error err;
    size_t i;
    if (grokx_index_open_memory(p, n, &ix, &err) != 0) {
        CHECK(err.text[0] != 0);
        return;
    }
    (*opened)++;
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++) { /* whatever they find, they must not crash */
        grokx_results *r = NULL;
        if (grokx_index_search(ix, qs[i], NULL, &r, &err) == 0)
            grokx_results_free(r);
    }
    if (grokx_index_check(ix, &err) == 0)
        (*checked)++;
    grokx_index_close(ix);
}

/* GX_TEST_STRIDE=N tries every Nth byte only (valgrind runs). */
static void
test_damage(const char *export_path)
{
    membuf a;
    char *copy;
    size_t i, stride = getenv("GX_TEST_STRIDE") ? (size_t)atoi(getenv("GX_TEST_STRIDE")) : 1;
    int opened = 0, checked = 0;
    if (!stride)
        stride = 1;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    copy = malloc(a.n);
    for (i = 0; i < a.n; i += stride) { /* every byte flipped: the check always sees it */
        memcpy(copy, a.p, a.n);
        copy[i] ^= (char)(1 + i % 255);
        try_damaged(copy, a.n, &opened, &checked);
    }
    CHECK_MSG(checked == 0, "%d of %zu flipped bytes passed the check", checked, a.n / stride);
    opened = checked = 0;
    for (i = 0; i < a.n; i += stride) { /* every truncation is refused at once */
        memcpy(copy, a.p, i);
        try_damaged(copy, i, &opened, &checked);
    }
    CHECK_MSG(opened == 0, "%d truncations opened", opened);
    free(copy);
    free(a.p);
}

/* Every checksum made to match the bytes again (fuzz/ix_recrc.h). */
static void
recrc(unsigned char *b, size_t n)
{
    ix_recrc(b, n);
}

/* Damage that the checksums do not see (they are made to match): every
 * structural check behind them. Whatever is found, nothing may crash; a
 * file the full check accepts must answer without GROKX_E_CORRUPT. */
static void
test_damage_behind_crc(const char *export_path)
{
    static const char *const qs[] = {"the", "\"the short answer\"", "pa*", "json -the", "東京", "a OR b"};
    membuf a;
    unsigned char *copy;
    size_t i, k, stride = getenv("GX_TEST_STRIDE") ? (size_t)atoi(getenv("GX_TEST_STRIDE")) : 2;
    int checked = 0, refused = 0;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    copy = malloc(a.n);
    for (i = GX_IX_PRELUDE; i + GX_IX_FOOTER < a.n; i += stride ? stride : 1) {
        grokx_index *ix = NULL;
        grokx_error err;
        int ok;
        memcpy(copy, a.p, a.n);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        recrc(copy, a.n);
        if (grokx_index_open_memory(copy, a.n, &ix, &err) != 0) {
            refused++;
            continue;
        }
        ok = grokx_index_check(ix, &err) == 0;
        checked += ok;
        refused += !ok;
        for (k = 0; k < sizeof qs / sizeof qs[0]; k++) {
            grokx_results *r = NULL;
            int rc = grokx_index_search(ix, qs[k], NULL, &r, &err);
            CHECK_MSG(!ok || rc != GROKX_E_CORRUPT, "byte %zu: checked, then damaged: %s", i, err.text);
            grokx_results_free(r);
        }
        grokx_index_close(ix);
    }
    CHECK(refused > 0); /* most damage is found */
    CHECK(checked > 0); /* and some is harmless (a letter of a title) */
    free(copy);
    free(a.p);
}

/* ---- no answer from a damaged file ----------------------------------------- */

typedef struct answer {
    char *p;
    size_t n, cap;
} answer;

static void
ans_put(answer *a, const char *p, size_t n)
{
    if (a->n + n + 1 > a->cap) {
        a->cap = (a->n + n + 1) * 2;
        a->p = realloc(a->p, a->cap);
    }
    memcpy(a->p + a->n, p, n);
    a->n += n;
    a->p[a->n] = 0;
}

static void
ans_printf(answer *a, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ans_put(a, tmp, (size_t)GX_MIN(k, (int)sizeof tmp - 1));
}

static void
ans_str(answer *a, const char *name, grokx_str s)
{
    ans_printf(a, " %s=%zu:", name, s.len);
    ans_put(a, s.ptr ? s.ptr : "", s.len);
    if (s.len && !gx_utf8_valid(s.ptr, s.len))
        ans_put(a, "<INVALID UTF-8>", 15);
}

static int
ans_match(void *ud, uint64_t message, double score)
{
    ans_printf(ud, "%llu:%.9g ", (unsigned long long)message, score);
    return 0;
}

typedef struct dq {
    const char *q, *sender, *model;
    grokx_time since;
    size_t limit, width;
    int matches; /* grokx_index_matches rather than a search */
} dq;

/* Everything a query answers, as text: the hits with every field, their
 * snippets and highlights, the total; or every match. rc its status. */
static void
full_answer(grokx_index *ix, const dq *d, answer *a, int *rc)
{
    grokx_search_options o;
    grokx_results *r = NULL;
    grokx_error err;
    size_t i, k;
    a->n = 0;
    ans_put(a, "", 0);
    grokx_search_options_init(&o);
    o.sender = d->sender, o.model = d->model, o.limit = d->limit, o.snippet_bytes = d->width;
    if (d->since)
        o.since = d->since;
    if (d->matches) {
        *rc = grokx_index_matches(ix, d->q, &o, ans_match, a, &err);
        return;
    }
    if ((*rc = grokx_index_search(ix, d->q, &o, &r, &err)) != 0)
        return;
    ans_printf(a, "total %llu count %zu\n", (unsigned long long)grokx_results_total(r),
               grokx_results_count(r));
    for (i = 0; i < grokx_results_count(r); i++) {
        const grokx_hit *h = grokx_results_hit(r, i);
        ans_printf(a, "hit %.9g %llu %lld %d %d %lld", h->score, (unsigned long long)h->matches,
                   (long long)h->conversation_time, h->starred, (int)h->role, (long long)h->time);
        ans_str(a, "conv", h->conversation_id);
        ans_str(a, "title", h->title);
        ans_str(a, "path", h->path);
        ans_str(a, "id", h->message_id);
        ans_str(a, "sender", h->sender);
        ans_str(a, "model", h->model);
        ans_str(a, "snippet", h->snippet);
        for (k = 0; k < h->highlight_count; k++)
            ans_printf(a, " [%zu,%zu]", h->highlights[k].start, h->highlights[k].len);
        ans_put(a, "\n", 1);
    }
    grokx_results_free(r);
}

/* Every byte flipped (GX_TEST_STRIDE: every Nth), queries run on the damaged
 * copy through the public API with their whole output: each gives exactly
 * the clean file's answer (the byte was not used) or GROKX_E_CORRUPT,
 * never another answer. Version 1 files (checksummed in part) gave wrong
 * hits, ids, times or snippets for about 8 % of the damages. */
static void
test_damage_answers(const char *export_path, size_t stride)
{
    static const dq qs[] = {
        {"the", NULL, NULL, 0, 0, 0, 0},
        {"the", NULL, NULL, 0, 100, 40, 0},
        {"\"the short answer\"", NULL, NULL, 0, 0, 0, 0},
        {"pa*", NULL, NULL, 0, 0, 0, 0},
        {"json -short", NULL, NULL, 0, 0, 0, 0},
        {"東京", NULL, NULL, 0, 0, 0, 0},
        {"python OR rust OR memory", NULL, NULL, 0, 0, 0, 0},
        {"(yajl OR ijson) answer", NULL, NULL, 0, 0, 0, 0},
        {"the", "assistant", NULL, 0, 0, 0, 0},
        {"the", NULL, "grok", 1700000000000, 0, 0, 0},
        {"a OR the OR is", NULL, NULL, 0, 0, 0, 1},
    };
    enum { NQ = sizeof qs / sizeof qs[0] };
    answer clean[NQ], got = {0};
    membuf a;
    char *copy;
    grokx_index *ix;
    grokx_error err;
    size_t i, k;
    int rc, wrong = 0, refused = 0, answered = 0, tried = 0, first_wrong = -1;
    if (getenv("GX_TEST_STRIDE"))
        stride *= (size_t)atoi(getenv("GX_TEST_STRIDE"));
    if (!stride)
        stride = 1;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), 0);
    for (k = 0; k < NQ; k++) {
        memset(&clean[k], 0, sizeof clean[k]);
        full_answer(ix, &qs[k], &clean[k], &rc);
        CHECK_MSG(rc == 0 && clean[k].n > 20, "query %zu: %d", k, rc);
    }
    grokx_index_close(ix);
    copy = malloc(a.n);
    for (i = 0; i < a.n; i += stride) {
        int bad = 0;
        memcpy(copy, a.p, a.n);
        copy[i] ^= (char)(1 + i % 255);
        tried++;
        if (grokx_index_open_memory(copy, a.n, &ix, &err) != 0) {
            refused++;
            continue;
        }
        for (k = 0; k < NQ; k++) { /* one handle: what one query verified stays verified */
            full_answer(ix, &qs[k], &got, &rc);
            if (rc == GROKX_E_CORRUPT)
                refused++;
            else if (rc != 0 || got.n != clean[k].n || memcmp(got.p, clean[k].p, got.n))
                bad = 1;
            else
                answered++;
        }
        if (bad && first_wrong < 0)
            first_wrong = (int)i;
        wrong += bad;
        grokx_index_close(ix);
    }
    CHECK_MSG(wrong == 0, "%d of %d damaged copies answered otherwise than the clean file "
                          "(the first: byte %d of %zu)", wrong, tried, first_wrong, a.n);
    CHECK_MSG(refused > 0 && (answered > 0 || a.n <= GX_IX_PAGE), "%d refused, %d answered",
              refused, answered); /* one page: any damage refuses every query */
    for (k = 0; k < NQ; k++)
        free(clean[k].p);
    free(got.p);
    free(copy);
    free(a.p);
}

/* A file of the previous format version is refused with what to do. */
static void
test_old_version(const char *export_path)
{
    membuf a;
    grokx_index *ix = NULL;
    grokx_error err;
    CHECK_INT(build_index(export_path, 0, 0, &a), 0);
    gx_put32((unsigned char *)a.p + 8, 1);
    CHECK_INT(grokx_index_open_memory(a.p, a.n, &ix, &err), GROKX_E_VERSION);
    CHECK(ix == NULL && strstr(err.text, "older grokx") && strstr(err.text, "convert -f index"));
    free(a.p);
}

int
main(int argc, char **argv)
{
    int i;
    if (argc < 3) {
        fprintf(stderr, "usage: test_index TMPDIR EXPORT.json...\n");
        return 2;
    }
    for (i = 2; i < argc; i++)
        test_oracle(argv[i]);
    test_bad_queries(argv[2]);
    test_negation_forms(argv[2]);
    test_merge(argv[2], argv[argc - 1], argv[1]);
    test_merge_same_id(argv[1]);
    test_ranges(argv[2], argv[argc - 1]);
    test_ranges_disjoint(argv[1]);
    test_builds_at_once(argv[2]);
    test_long_names(argv[1]);
    test_store_claim("examples/sample-export.json");
    test_damage("examples/sample-export.json");
    test_damage_answers("examples/sample-export.json", 7);
    test_damage_answers(argv[2], 53); /* pages of 64 KiB: most damage leaves most queries alone */
    test_old_version("examples/sample-export.json");
    test_damage_behind_crc("examples/sample-export.json");
    test_ranges_damage("examples/sample-export.json");
    test_long_snippets(argv[1], 0);
    test_long_snippets(argv[1], 1);
    test_long_marks_damage(argv[1]);
    return test_report("index");
}
