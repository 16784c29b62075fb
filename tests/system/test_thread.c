/*
 * test_thread.c -- the work done on other threads: the writer on a thread
 * of its own (writer/thread.c) and the deep copies it hands over
 * (model_copy.c): copies that keep every field after the original is gone,
 * delivery in order through a full queue and a ring grown for a big
 * conversation, a failing inner writer stopping the parse with its own
 * error, and what was queued when the input breaks still written. And the
 * files written on a thread (filer.c): in order, big ones too, and the
 * first failure stopping the rest. And the queue they share (queue.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "out/out.h"
#include "test.h"

/* ---- text sinks -------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static int
text_write(void *ud, const char *buf, size_t len)
{
    text *t = ud;
    if (t->len + len + 1 > t->cap) {
        t->cap = (t->len + len + 1) * 2;
        if (!(t->p = realloc(t->p, t->cap)))
            abort();
    }
    memcpy(t->p + t->len, buf, len);
    t->len += len;
    t->p[t->len] = 0;
    return 0;
}

/* ---- a conversation with every field set, in memory we can destroy ----- */

typedef struct pool {
    char *chars;
    size_t used, cap;
    unsigned n;
} pool;

static grokx_str
S(pool *p, const char *what)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%s-%u", what, p->n++);
    grokx_str s;
    if (p->used + (size_t)n + 1 > p->cap)
        abort();
    memcpy(p->chars + p->used, tmp, (size_t)n + 1);
    s.ptr = p->chars + p->used;
    s.len = (size_t)n;
    p->used += (size_t)n + 1;
    return s;
}

static grokx_strlist
L(pool *p, grokx_str *items, size_t n, const char *what)
{
    grokx_strlist l;
    size_t i;
    for (i = 0; i < n; i++)
        items[i] = S(p, what);
    l.items = items;
    l.count = n;
    return l;
}

typedef struct source {
    pool pool;
    grokx_conversation conv;
    grokx_message msgs[2];
    grokx_agent_trace traces[2];
    grokx_step steps[2];
    grokx_search_result results[6];
    grokx_str lists[48];
    grokx_item item;
} source;

static void
result(pool *p, grokx_search_result *r)
{
    r->url = S(p, "https://example.com/u");
    r->title = S(p, "title");
    r->preview = S(p, "preview");
    r->description = S(p, "description");
    r->site_name = S(p, "site");
}

static void
build(source *s)
{
    pool *p = &s->pool;
    grokx_str *l = s->lists;
    size_t i;
    memset(s, 0, sizeof *s);
    p->cap = 8192;
    if (!(p->chars = malloc(p->cap)))
        abort();
    s->conv.id = S(p, "conv");
    s->conv.title = S(p, "Title");
    s->conv.create_time = 1700000000000;
    s->conv.modify_time = 1700000009000;
    s->conv.create_ns = 123456, s->conv.create_digits = 9;
    s->conv.modify_ns = 500000, s->conv.modify_digits = 4;
    s->conv.flags = GROKX_CONV_TITLE_DERIVED | GROKX_CONV_MODIFY_DERIVED;
    s->conv.starred = 1;
    s->conv.leaf_response_id = S(p, "leaf");
    s->conv.system_prompt_name = S(p, "prompt");
    s->conv.summary = S(p, "summary");
    s->conv.user_id = S(p, "user");
    s->conv.messages = s->msgs;
    s->conv.message_count = 2;
    s->conv.node_count = 3;
    s->conv.fork_count = 1;
    s->conv.index = 4;
    for (i = 0; i < 2; i++) {
        grokx_message *m = &s->msgs[i];
        grokx_step *st = &s->steps[i];
        m->id = S(p, "id");
        m->parent_id = i ? s->msgs[0].id : S(p, "");
        m->role = i ? GROKX_ROLE_ASSISTANT : GROKX_ROLE_USER;
        m->sender = S(p, "sender");
        m->text = S(p, "text with **markdown**");
        m->model = S(p, "grok-4");
        m->model_picker = S(p, "picker");
        m->create_time = 1700000001000 + (grokx_time)i;
        m->thinking = S(p, "thinking");
        m->thinking_start = 1700000001100;
        m->thinking_end = 1700000001200;
        s->traces[i].agent_id = S(p, "agent");
        s->traces[i].text = S(p, "trace");
        m->agent_traces = &s->traces[i];
        m->agent_trace_count = 1;
        st->header = S(p, "header");
        st->summary = S(p, "step summary");
        st->tag_names = L(p, l, 2, "tag"), l += 2;
        st->tag_texts = L(p, l, 2, "tagtext"), l += 2;
        st->tool_cards = L(p, l, 1, "{\"card\":1}"), l += 1;
        st->tool_results = L(p, l, 1, "{\"result\":1}"), l += 1;
        result(p, &s->results[3 * i]);
        st->web_results = &s->results[3 * i];
        st->web_result_count = 1;
        st->xpost_ids = L(p, l, 1, "xpost"), l += 1;
        m->steps = st;
        m->step_count = 1;
        result(p, &s->results[3 * i + 1]);
        m->web_results = &s->results[3 * i + 1];
        m->web_result_count = 1;
        result(p, &s->results[3 * i + 2]);
        m->cited_results = &s->results[3 * i + 2];
        m->cited_result_count = 1;
        m->xpost_ids = L(p, l, 1, "x"), l += 1;
        m->webpage_urls = L(p, l, 1, "https://example.com/page"), l += 1;
        m->generated_image_urls = L(p, l, 1, "users/img.png"), l += 1;
        m->file_attachments = L(p, l, 2, "asset"), l += 2;
        m->file_names = L(p, l, 2, "name.pdf"), l += 2;
        m->file_types = L(p, l, 2, "application/pdf"), l += 2;
        m->card_attachments = L(p, l, 1, "{\"cardId\":\"c\"}"), l += 1;
        m->media_types = L(p, l, 1, "image/png"), l += 1;
        m->image_edit_uri = S(p, "edit");
        m->query = S(p, "query");
        m->query_type = S(p, "qtype");
        m->error = S(p, "error");
        m->share_link_id = S(p, "share");
        m->flags = GROKX_MSG_ACTIVE | GROKX_MSG_PARTIAL;
        m->parent = i ? 0 : -1;
        m->depth = (unsigned)i;
        m->sibling_index = 0;
        m->sibling_count = i ? 2 : 1;
        m->file_index = i + 1;
        m->create_time = 1700000001000 + (grokx_time)i;
        m->create_ns = 654321, m->create_digits = 6;
    }
    s->item.section = S(p, "projects");
    s->item.index = 3;
    s->item.json = S(p, "{\"id\":\"p\"}");
    s->item.id = S(p, "p");
    s->item.name = S(p, "Project");
    s->item.create_time = 1700000002000;
}

/* Everything the original held, overwritten: a copy still pointing into
 * it prints garbage or crashes. */
static void
destroy(source *s)
{
    memset(s->pool.chars, 'X', s->pool.cap);
    free(s->pool.chars);
    memset(s->msgs, 0, sizeof s->msgs);
    memset(s->traces, 0, sizeof s->traces);
    memset(s->steps, 0, sizeof s->steps);
    memset(s->results, 0, sizeof s->results);
    memset(s->lists, 0, sizeof s->lists);
}

static text
events_of(const grokx_conversation *c, const grokx_item *it)
{
    text t = {0};
    grokx_writer_config cfg;
    grokx_writer *w;
    grokx_writer_config_init(&cfg);
    cfg.sink.write = text_write;
    cfg.sink.ud = &t;
    if (grokx_writer_create("events", &cfg, &w) != 0)
        abort();
    if (c)
        CHECK_INT(w->vt.conversation(w->self, c), 0);
    if (it)
        CHECK_INT(w->vt.item(w->self, it), 0);
    grokx_writer_free(w);
    return t;
}

static void
test_copies(void)
{
    source src;
    grokx_conversation conv;
    grokx_item item;
    text before, after;
    size_t size, isize;
    char *block, *iblock;
    build(&src);
    before = events_of(&src.conv, &src.item);
    size = gx_conv_copy_size(&src.conv);
    isize = gx_item_copy_size(&src.item);
    CHECK(size > src.pool.used);
    if (!(block = malloc(size)) || !(iblock = malloc(isize)))
        abort();
    gx_conv_copy(block, &src.conv, &conv);
    gx_item_copy(iblock, &src.item, &item);
    destroy(&src);
    after = events_of(&conv, &item);
    CHECK_MSG(after.len == before.len && !memcmp(after.p, before.p, before.len),
              "the copy differs from the original:\n%s\n---\n%s", before.p, after.p);
    CHECK(strstr(after.p, "step summary") && strstr(after.p, "tagtext") &&
          strstr(after.p, "share-"));
    /* strings stay NUL-terminated, and empty lists stay empty */
    CHECK_INT(conv.messages[1].text.ptr[conv.messages[1].text.len], 0);
    free(block);
    free(iblock);
    free(before.p);
    free(after.p);
    /* a conversation without messages copies to its strings alone */
    build(&src);
    src.conv.message_count = 0;
    src.conv.messages = NULL;
    size = gx_conv_copy_size(&src.conv);
    if (!(block = malloc(size)))
        abort();
    gx_conv_copy(block, &src.conv, &conv);
    CHECK(conv.messages == NULL && conv.message_count == 0);
    CHECK_STR(conv.summary.ptr, src.conv.summary.ptr);
    free(block);
    free(src.pool.chars);
}

/* ---- an inner writer that records what it gets, on the other thread ------ */

typedef struct rec {
    size_t convs, items, bad_order, begins, ends;
    size_t fail_at; /* fail on this conversation (1-based), 0: never */
    unsigned slow;  /* microseconds per conversation */
    size_t last_index;
    size_t big_seen, big_items;
    char why[64];
} rec;

static int
rec_conv(void *self, const grokx_conversation *c)
{
    rec *r = self;
    char want[32];
    size_t i, letters = 0;
    snprintf(want, sizeof want, "c%zu", r->convs);
    if (strcmp(c->title.ptr, want) || (r->convs && c->index != r->last_index + 1))
        r->bad_order++;
    r->last_index = c->index;
    for (i = 0; i < c->message_count; i++)
        if (c->messages[i].text.len > 1000000) { /* the big one arrives whole */
            const grokx_str *t = &c->messages[i].text;
            size_t k;
            for (k = 0; k < t->len; k++)
                letters += t->ptr[k] == 'a';
            r->big_seen = letters == t->len ? t->len : 0;
        }
    r->convs++;
    if (r->slow && r->convs % 8 == 0) {
        struct timespec ts = {0, (long)r->slow * 1000};
        nanosleep(&ts, NULL);
    }
    if (r->fail_at && r->convs == r->fail_at) {
        snprintf(r->why, sizeof r->why, "disk full at %zu", r->convs);
        return GROKX_E_IO;
    }
    return 0;
}

static int
rec_item(void *self, const grokx_item *it)
{
    rec *r = self;
    r->items++;
    if (it->json.len > ((size_t)3 << 20) && !strcmp(it->id.ptr, "big") && r->items == 2 && r->convs == 600)
        r->big_items++; /* whole, after every conversation, between p1 and p2 */
    return 0;
}
static int rec_begin(void *self, const grokx_export_info *i) { GX_UNUSED(i); ((rec *)self)->begins++; return 0; }
static int rec_end(void *self, const grokx_stats *s) { GX_UNUSED(s); ((rec *)self)->ends++; return 0; }
static const char *rec_why(void *self) { return ((rec *)self)->why[0] ? ((rec *)self)->why : NULL; }

static const grokx_writer_vtable rec_vt = {GROKX_ABI_VERSION, rec_begin, rec_conv, rec_item,
                                           rec_end, NULL, rec_why};

/* n conversations titled c0.., the one at big (if < n) with a message of
 * big_len letters; then a projects section. */
static int big_item;

static char *
export_json(size_t n, size_t big, size_t big_len, size_t *len)
{
    text t = {0};
    size_t i;
    text_write(&t, "{\"conversations\":[", 18);
    for (i = 0; i < n; i++) {
        char head[256];
        int k = snprintf(head, sizeof head,
                         "%s{\"conversation\":{\"id\":\"id%zu\",\"title\":\"c%zu\"},\"responses\":["
                         "{\"response\":{\"_id\":\"m%zu\",\"sender\":\"human\",\"message\":\"",
                         i ? "," : "", i, i, i);
        text_write(&t, head, (size_t)k);
        if (i == big) {
            size_t k2;
            for (k2 = 0; k2 < big_len; k2 += 4096) {
                static char as[4096];
                memset(as, 'a', sizeof as);
                text_write(&t, as, GX_MIN(sizeof as, big_len - k2));
            }
        } else {
            text_write(&t, "hello there", 11);
        }
        text_write(&t, "\"}}]}", 5);
    }
    text_write(&t, "],\"projects\":[{\"id\":\"p1\"},", 26);
    if (big_item) { /* an item bigger than the ring: delivered without a copy, in order */
        size_t k2;
        static char bs[4096];
        memset(bs, 'b', sizeof bs);
        text_write(&t, "{\"id\":\"big\",\"x\":\"", 17);
        for (k2 = 0; k2 < ((size_t)3 << 20); k2 += sizeof bs)
            text_write(&t, bs, sizeof bs);
        text_write(&t, "\"},", 3);
    }
    text_write(&t, "{\"id\":\"p2\"}]}", 13);
    *len = t.len;
    return t.p;
}

/* Parse json through thread(rec); feed in pieces of 64 KiB. */
static int
run(const char *json, size_t len, rec *r, char *err, size_t errcap)
{
    grokx_options o;
    grokx_writer *inner = grokx_writer_new(&rec_vt, r), *thr;
    grokx_parser *p;
    size_t off = 0;
    int rc = 0;
    if (!inner || !(thr = grokx_writer_thread_new(inner)))
        abort();
    grokx_options_init(&o);
    if (!(p = grokx_parser_new(&o, thr)))
        abort();
    while (off < len && !rc) {
        size_t n = GX_MIN((size_t)65536, len - off);
        rc = grokx_parser_feed(p, json + off, n);
        off += n;
    }
    if (!rc)
        rc = grokx_parser_finish(p);
    snprintf(err, errcap, "%s", rc ? grokx_parser_error(p)->text : "");
    grokx_parser_free(p);
    grokx_writer_free(thr); /* joins: everything queued has run */
    grokx_writer_free(inner);
    return rc;
}

static void
test_order(void)
{
    size_t len;
    char err[GROKX_ERROR_TEXT_MAX];
    char *json;
    rec r;
    big_item = 1;
    json = export_json(600, 300, (size_t)9 << 20, &len); /* bigger than the 4 MiB ring */
    big_item = 0;
    memset(&r, 0, sizeof r);
    r.slow = 500; /* the queue fills and the parser waits */
    CHECK_INT(run(json, len, &r, err, sizeof err), 0);
    CHECK_INT(r.convs, 600);
    CHECK_INT(r.bad_order, 0);
    CHECK_INT(r.items, 3);
    CHECK_INT(r.big_items, 1);
    CHECK_INT(r.begins, 1);
    CHECK_INT(r.ends, 1);
    CHECK_INT(r.big_seen, (size_t)9 << 20);
    free(json);
}

static void
test_failure(void)
{
    size_t len;
    char err[GROKX_ERROR_TEXT_MAX];
    char *json = export_json(500, 500, 0, &len);
    rec r;
    memset(&r, 0, sizeof r);
    r.fail_at = 37;
    CHECK_INT(run(json, len, &r, err, sizeof err), GROKX_E_IO);
    CHECK_INT(r.convs, 37); /* nothing after the failure reaches it */
    CHECK_INT(r.ends, 0);
    CHECK_MSG(strstr(err, "disk full at 37") != NULL, "error text: %s", err);
    /* the very last conversation failing: reported by end_export */
    memset(&r, 0, sizeof r);
    r.fail_at = 500;
    CHECK_INT(run(json, len, &r, err, sizeof err), GROKX_E_IO);
    CHECK_INT(r.convs, 500);
    CHECK_INT(r.ends, 0);
    CHECK_MSG(strstr(err, "disk full at 500") != NULL, "error text: %s", err);
    free(json);
}

static void
test_broken_input(void)
{
    size_t len, cut;
    char err[GROKX_ERROR_TEXT_MAX];
    char *json = export_json(200, 200, 0, &len);
    rec r;
    /* cut inside conversation 150: the 150 before it are still written */
    for (cut = 0; cut < len; cut++)
        if (!memcmp(json + cut, "\"c150\"", 6))
            break;
    memset(&r, 0, sizeof r);
    r.slow = 200;
    CHECK(run(json, cut, &r, err, sizeof err) == GROKX_E_TRUNCATED);
    CHECK_INT(r.convs, 150);
    CHECK_INT(r.bad_order, 0);
    CHECK_INT(r.ends, 0);
    free(json);
}

/* ---- the filer ------------------------------------------------------------ */

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (!(p = malloc((size_t)n + 1)) || fread(p, 1, (size_t)n, f) != (size_t)n)
        abort();
    p[n] = 0;
    *len = (size_t)n;
    fclose(f);
    return p;
}

static void
test_filer(void)
{
    char dir[] = "/tmp/grokx-filer-XXXXXX", path[256], why[GROKX_ERROR_TEXT_MAX] = "";
    gx_filer *f;
    size_t len, i, big = (size_t)3 << 20;
    char *data, *got;
    struct stat st;
    if (!mkdtemp(dir) || !(f = gx_filer_new()) || !(data = malloc(big)))
        abort();
    for (i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    /* a later write of a path wins; a removal queued after a write follows it */
    snprintf(path, sizeof path, "%s/a", dir);
    CHECK_INT(gx_filer_put(f, path, "first", 5, why, sizeof why), 0);
    CHECK_INT(gx_filer_put(f, path, "second", 6, why, sizeof why), 0);
    snprintf(path, sizeof path, "%s/gone", dir);
    CHECK_INT(gx_filer_put(f, path, "x", 1, why, sizeof why), 0);
    CHECK_INT(gx_filer_unlink(f, path, why, sizeof why), 0);
    for (i = 0; i < 1000; i++) { /* more than the queue holds: the caller waits */
        snprintf(path, sizeof path, "%s/n%zu", dir, i);
        CHECK_INT(gx_filer_put(f, path, path, strlen(path), why, sizeof why), 0);
    }
    snprintf(path, sizeof path, "%s/big", dir); /* written by the caller, after the rest */
    CHECK_INT(gx_filer_put(f, path, data, big, why, sizeof why), 0);
    CHECK_INT(gx_filer_flush(f, why, sizeof why), 0);
    snprintf(path, sizeof path, "%s/a", dir);
    got = slurp(path, &len);
    CHECK(got && len == 6 && !memcmp(got, "second", 6));
    free(got);
    snprintf(path, sizeof path, "%s/gone", dir);
    CHECK(stat(path, &st) != 0 && errno == ENOENT);
    snprintf(path, sizeof path, "%s/n999", dir);
    got = slurp(path, &len);
    CHECK(got && len == strlen(path) && !memcmp(got, path, len));
    free(got);
    snprintf(path, sizeof path, "%s/big", dir);
    got = slurp(path, &len);
    CHECK(got && len == big && !memcmp(got, data, big));
    free(got);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    /* a failure (no such folder) comes back with its reason, and stops the rest */
    snprintf(path, sizeof path, "%s/missing/x", dir);
    CHECK_INT(gx_filer_put(f, path, "x", 1, why, sizeof why), 0); /* queued: not failed yet */
    snprintf(path, sizeof path, "%s/after", dir);
    CHECK_INT(gx_filer_flush(f, why, sizeof why), GROKX_E_IO);
    CHECK_MSG(strstr(why, "missing/x: cannot write: ") && strstr(why, strerror(ENOENT)), "why: %s", why);
    why[0] = 0;
    CHECK_INT(gx_filer_put(f, path, "y", 1, why, sizeof why), GROKX_E_IO);
    CHECK(strstr(why, "missing/x") != NULL);
    gx_filer_free(f);
    CHECK(stat(path, &st) != 0);
    /* freed with files still queued: they are written */
    if (!(f = gx_filer_new()))
        abort();
    snprintf(path, sizeof path, "%s/last", dir);
    CHECK_INT(gx_filer_put(f, path, "z", 1, why, sizeof why), 0);
    gx_filer_free(f);
    CHECK(stat(path, &st) == 0 && st.st_size == 1);
    free(data);
    for (i = 0; i < 1000; i++) {
        snprintf(path, sizeof path, "%s/n%zu", dir, i);
        unlink(path);
    }
    for (i = 0; i < 3; i++) {
        static const char *const names[] = {"a", "big", "last"};
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        CHECK_INT(unlink(path), 0);
    }
    CHECK_MSG(rmdir(dir) == 0, "%s: left over files", dir);
}

/* ---- the queue itself (base/queue.c) ---------------------------------- */

enum { Q_ITEMS = 2000, Q_FAIL_AT = 1500 };

typedef struct q_run {
    gx_queue *q;
    int seen[Q_ITEMS]; /* in the order run: item numbers */
    size_t nseen;
    int fail_at;        /* run fails on this item (-1: never) */
    int dropped;        /* items given with failed set */
} q_run;

static int q_nums[Q_ITEMS];

static void *
q_consumer(void *arg)
{
    q_run *r = arg;
    void *it;
    int failed;
    while ((it = gx_queue_get(r->q, &failed)) != NULL) {
        int n = *(int *)it, rc = 0;
        if (failed)
            r->dropped++;
        else if (n == r->fail_at)
            rc = GROKX_E_IO;
        else
            r->seen[r->nseen++] = n;
        gx_queue_done(r->q, (size_t)(n % 7), rc, rc ? "item failed" : NULL);
    }
    return NULL;
}

/* Items in order through a queue of 8 items and 20 bytes (each n % 7),
 * put from this thread; a failure is kept with its reason, returned by
 * every later put, and what was queued after it dropped; close lets the
 * consumer finish what is queued. */
static void
test_queue(void)
{
    int round;
    for (round = 0; round < 2; round++) {
        q_run r;
        pthread_t th;
        char why[64] = "";
        int i, rc = 0, put = 0;
        memset(&r, 0, sizeof r);
        r.fail_at = round ? Q_FAIL_AT : -1;
        CHECK((r.q = gx_queue_new(8, 20, 4, 10)) != NULL);
        if (!r.q)
            return;
        CHECK_INT(pthread_create(&th, NULL, q_consumer, &r), 0);
        for (i = 0; i < Q_ITEMS && !rc; i++) {
            q_nums[i] = i;
            rc = gx_queue_put(r.q, &q_nums[i], (size_t)(i % 7), why, sizeof why);
            put += !rc;
            if (i % 500 == 0 && !rc)
                rc = gx_queue_drain(r.q, why, sizeof why);
        }
        if (!rc)
            rc = gx_queue_drain(r.q, why, sizeof why);
        gx_queue_close(r.q);
        pthread_join(th, NULL);
        if (round == 0) {
            CHECK_INT(rc, 0);
            CHECK_INT(r.nseen, Q_ITEMS);
            CHECK_INT(r.dropped, 0);
        } else {
            CHECK_INT(rc, GROKX_E_IO);
            CHECK_STR(why, "item failed");
            CHECK_INT(r.nseen, Q_FAIL_AT);
            CHECK_INT((size_t)put, Q_FAIL_AT + 1 + (size_t)r.dropped);
            CHECK_INT(gx_queue_error(r.q, NULL, 0), GROKX_E_IO);
        }
        for (i = 0; i < (int)r.nseen; i++)
            if (r.seen[i] != i) {
                CHECK_INT(r.seen[i], i);
                break;
            }
        gx_queue_free(r.q);
    }
}

int
main(void)
{
    test_copies();
    test_order();
    test_failure();
    test_broken_input();
    test_filer();
    test_queue();
    return test_report("thread");
}
