/*
 * test_unit.c -- unit and hostile-input tests of the library: UTF-8
 * repair, time forms, API contracts, allocation-failure injection, every
 * truncation of an export, limits, writers and the atomic file sink.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "test.h"

/* ---- helpers --------------------------------------------------------- */

typedef struct counter {
    size_t used, calls, fail_at; /* fail_at: 1-based call to fail, 0 = never */
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
    if (++c->calls == c->fail_at)
        return NULL;
    q = realloc(p, nsize);
    if (q)
        c->used = c->used - (p ? osize : 0) + nsize;
    return q;
}

typedef struct tally {
    size_t conversations, messages, items, warnings;
    int warn_codes[16];
    char last_title[64];
    int fail_with; /* conversation callback returns this */
} tally;

static int
t_conv(void *self, const grokx_conversation *c)
{
    tally *t = self;
    t->conversations++;
    t->messages += c->message_count;
    /* keep the END of long titles: tests look at how they finish */
    snprintf(t->last_title, sizeof t->last_title, "%s",
             c->title.ptr + (c->title.len > 63 ? c->title.len - 63 : 0));
    return t->fail_with;
}

static int
t_item(void *self, const grokx_item *it)
{
    tally *t = self;
    (void)it;
    t->items++;
    return 0;
}

static const char *
t_why(void *self)
{
    (void)self;
    return "disk on fire";
}

static void
t_warn(void *ud, const grokx_error *w)
{
    tally *t = ud;
    t->warnings++;
    if (w->code > 0 && w->code < 16)
        t->warn_codes[w->code]++;
}

static const grokx_writer_vtable tally_vt = {GROKX_ABI_VERSION, NULL, t_conv, t_item,
                                             NULL, NULL, t_why};

/* Parse data with options tweaked by the caller; returns the rc. */
static int
parse(const char *data, size_t len, tally *t, grokx_options *o, counter *c)
{
    grokx_writer *w = grokx_writer_new(&tally_vt, t);
    grokx_parser *p;
    int rc;
    o->alloc = count_alloc;
    o->alloc_ud = c;
    o->warning = t_warn;
    o->warning_ud = t;
    p = grokx_parser_new(o, w);
    if (!p) {
        grokx_writer_free(w);
        return GROKX_E_NOMEM;
    }
    rc = grokx_parser_feed(p, data, len);
    if (!rc)
        rc = grokx_parser_finish(p);
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc;
}

static int
parse_default(const char *data, tally *t)
{
    grokx_options o;
    counter c = {0};
    int rc;
    grokx_options_init(&o);
    rc = parse(data, strlen(data), t, &o, &c);
    CHECK_INT(c.used, 0);
    return rc;
}

static const char sample[] =
    "{\"conversations\":[{\"conversation\":{\"id\":\"c1\",\"title\":\"T\\u00e9st\","
    "\"create_time\":\"2025-06-10T11:29:49.867890Z\",\"leaf_response_id\":null},"
    "\"responses\":[{\"response\":{\"_id\":\"r1\",\"sender\":\"human\",\"message\":\"hi\","
    "\"create_time\":{\"$date\":{\"$numberLong\":\"1749554989923\"}}},\"share_link\":null},"
    "{\"response\":{\"_id\":\"r2\",\"parent_response_id\":\"r1\",\"sender\":\"ASSISTANT\","
    "\"message\":\"hello\",\"model\":\"grok-4\",\"web_search_results\":[{\"url\":\"u\"}],"
    "\"steps\":[{\"tag_order\":[\"header\"],\"tagged_text\":{\"header\":\"h\"}}],"
    "\"card_attachments_json\":[\"{\\\"id\\\":1}\",{\"id\":2}],"
    "\"create_time\":{\"$date\":1749554989933}}}]}],"
    "\"projects\":[{\"workspace_id\":\"w\",\"name\":\"P\"}],\"tasks\":[],"
    "\"media_posts\":[{\"id\":\"m\"}]}";

/* ---- UTF-8 ----------------------------------------------------------- */

static void
check_repair(const char *in, size_t inlen, const char *want, size_t nbad)
{
    size_t bad, n = gx_utf8_repaired_len(in, inlen, &bad);
    char out[256];
    CHECK_INT(bad, nbad);
    CHECK_INT(n, strlen(want));
    gx_utf8_repair(out, in, inlen);
    out[n] = 0;
    CHECK_MSG(!strcmp(out, want), "repair of %zu bytes", inlen);
}

static void
test_utf8(void)
{
    const char *R = "\xEF\xBF\xBD";
    char want[64];
    check_repair("plain ascii text", 16, "plain ascii text", 0);
    check_repair("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80", 14, "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80", 0);
    check_repair("a\0b", 3, "a\xEF\xBF\xBD" "b", 1);
    check_repair("\xC0\x80", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2);                 /* overlong NUL */
    snprintf(want, sizeof want, "%s%s%s", R, R, R);
    check_repair("\xE0\x80\xAF", 3, want, 3);                                   /* overlong '/' */
    check_repair("\xED\xA0\x80", 3, want, 3);                                   /* surrogate */
    snprintf(want, sizeof want, "%s%s%s%s", R, R, R, R);
    check_repair("\xF4\x90\x80\x80", 4, want, 4);                               /* > U+10FFFF */
    check_repair("\xF5\x80\x80\x80", 4, want, 4);
    check_repair("\xE4\xB8", 2, "\xEF\xBF\xBD", 1);                              /* truncated */
    check_repair("x\xFFy", 3, "x\xEF\xBF\xBDy", 1);
    CHECK_INT(gx_utf8_seq((const unsigned char *)"\xF0\x9F\x98\x80", 4), 4);
    CHECK_INT(gx_utf8_seq((const unsigned char *)"\xF0\x9F\x98", 3), 0);
}

/* ---- time ------------------------------------------------------------ */

static void
check_iso(const char *s, const char *want)
{
    grokx_time t;
    char buf[32];
    int rc = gx_time_parse_iso(s, strlen(s), &t);
    if (!want) {
        CHECK_MSG(rc != 0, "%s should not parse", s);
        return;
    }
    CHECK_MSG(rc == 0, "%s should parse", s);
    gx_time_format(t, buf);
    CHECK_STR(buf, want);
}

static void
test_time(void)
{
    grokx_time t;
    check_iso("2025-06-10T11:29:49.867890Z", "2025-06-10T11:29:49.867Z");
    check_iso("2025-06-10T11:29:49Z", "2025-06-10T11:29:49.000Z");
    check_iso("2025-06-10T11:29:49.1Z", "2025-06-10T11:29:49.100Z");
    check_iso("2025-06-10T11:29:49.123456789Z", "2025-06-10T11:29:49.123Z");
    check_iso("2025-06-10T01:29:49+02:00", "2025-06-09T23:29:49.000Z");
    check_iso("2025-06-10T11:29:49-05:30", "2025-06-10T16:59:49.000Z");
    check_iso("2025-06-10 11:29", "2025-06-10T11:29:00.000Z");
    check_iso("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z");
    check_iso("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
    check_iso("2025-02-29T00:00:00Z", NULL);
    check_iso("2025-13-01T00:00:00Z", NULL);
    check_iso("2025-06-10T11:29:49.Z", NULL);
    check_iso("2025-06-10T11:29:49Zjunk", NULL);
    check_iso("", NULL);
    CHECK(gx_time_parse_ms("1749554989923", 13, &t) == 0 && t == 1749554989923LL);
    CHECK(gx_time_parse_ms("-1000", 5, &t) == 0 && t == -1000);
    CHECK(gx_time_parse_ms("1e400", 5, &t) != 0);
    CHECK(gx_time_parse_ms("99999999999999999999", 20, &t) != 0);
    CHECK(gx_time_parse_ms("", 0, &t) != 0);
}

/* ---- file names ------------------------------------------------------ */

static void
check_name(const char *title, const char *want)
{
    char out[64];
    gx_name_component(title, strlen(title), out, sizeof out);
    CHECK_MSG(!strcmp(out, want), "name of \"%s\" is \"%s\", want \"%s\"", title, out, want);
}

static void
test_names(void)
{
    check_name("Hello, world", "Hello, world");
    check_name("../../etc/passwd", "etc passwd");
    check_name("a/b\\c:d*e?f\"g<h>i|j", "a b c d e f g h i j");
    check_name("CON", "_CON");
    check_name("nul.txt", "_nul.txt");
    check_name("COM1", "_COM1");
    check_name("Console", "Console");
    check_name("", "Untitled");
    check_name("   ...   ", "Untitled");
    check_name(" .hidden. ", "hidden");
    check_name("\xF0\x9F\x98\x80 \xE2\x88\xAF", "\xF0\x9F\x98\x80 \xE2\x88\xAF"); /* low bytes 00, 2F */
    check_name("\xE2\x80\xAE" "evil\xE2\x80\xAC", "evil");                               /* bidi overrides */
    check_name("tab\there\nnewline", "tab here newline");
    /* capped in bytes on a character boundary: 60 bytes of 2-byte chars */
    check_name("\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C\xC3\x9C",
               "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C"
               "\xC3\x9C"); /* 62 bytes: room is kept for a "_" prefix and the NUL */
    CHECK(gx_name_fold_hash("2025/Notes.md") == gx_name_fold_hash("2025/notes.MD"));
}

/* ---- JSON writer ----------------------------------------------------- */

static void
test_jsonw(void)
{
    gx_mem mem;
    gx_jw *w;
    size_t len;
    const char *t;
    gx_mem_init(&mem, NULL, NULL, 0);
    w = gx_jw_new(&mem, 0);
    CHECK_INT(gx_jw_begin_map(w), 0);
    CHECK_INT(gx_jw_str(w, "k\"\\\n\x01\x1f/\xC3\xA9 a long safe run of text", 33), 0);
    CHECK_INT(gx_jw_begin_array(w), 0);
    CHECK_INT(gx_jw_uint(w, 18446744073709551615ull), 0);
    CHECK_INT(gx_jw_int(w, -5), 0);
    CHECK_INT(gx_jw_null(w), 0);
    CHECK_INT(gx_jw_bool(w, 0), 0);
    CHECK_INT(gx_jw_time(w, 0), 0);
    CHECK_INT(gx_jw_end_array(w), 0);
    CHECK_INT(gx_jw_end_map(w), 0);
    t = gx_jw_text(w, &len);
    CHECK_STR(t, "{\"k\\\"\\\\\\n\\u0001\\u001f/\xC3\xA9 a long safe run of text\":"
                 "[18446744073709551615,-5,null,false,\"1970-01-01T00:00:00.000Z\"]}");
    gx_jw_reset(w);
    CHECK_INT(gx_jw_begin_map(w), 0);
    CHECK_INT(gx_jw_null(w), GROKX_E_INVALID);  /* a value where a key belongs */
    CHECK_INT(gx_jw_end_array(w), GROKX_E_INVALID);
    gx_jw_reset(w);
    CHECK_INT(gx_jw_end_map(w), GROKX_E_INVALID);
    gx_jw_free(w);
    w = gx_jw_new(&mem, 1);
    gx_jw_begin_map(w);
    gx_jw_kuint(w, "a", 1);
    gx_jw_cstr(w, "b");
    gx_jw_begin_array(w);
    gx_jw_end_array(w);
    gx_jw_end_map(w);
    CHECK_STR(gx_jw_text(w, &len), "{\n  \"a\": 1,\n  \"b\": []\n}");
    gx_jw_free(w);
    CHECK_INT(mem.used, 0);
}

/* ---- API contracts --------------------------------------------------- */

static void
test_api(void)
{
    grokx_options o;
    grokx_writer *w;
    grokx_parser *p;
    tally t = {0};
    grokx_writer_vtable bad = tally_vt;
    int code;
    CHECK_INT(grokx_version(), GROKX_VERSION_NUM);
    CHECK_STR(grokx_version_string(), GROKX_VERSION_STRING);
    for (code = GROKX_E_CANCELLED - 1; code <= 0; code++)
        CHECK(grokx_strerror(code) != NULL && grokx_strerror(code)[0]);
    bad.abi_version = 99;
    CHECK(grokx_writer_new(&bad, NULL) == NULL);
    CHECK(grokx_writer_new(NULL, NULL) == NULL);
    w = grokx_writer_new(&tally_vt, &t);
    grokx_options_init(&o);
    o.abi_version = 99;
    CHECK(grokx_parser_new(&o, w) == NULL);
    CHECK(grokx_parser_new(NULL, NULL) == NULL);
    p = grokx_parser_new(NULL, w);
    CHECK(p != NULL);
    CHECK_INT(grokx_parser_feed(p, NULL, 1), GROKX_E_INVALID);
    CHECK_INT(grokx_parser_feed(p, sample, sizeof sample - 1), 0);
    CHECK_INT(grokx_parser_finish(p), 0);
    CHECK_INT(grokx_parser_feed(p, "x", 1), GROKX_E_STATE);
    CHECK_INT(grokx_parser_finish(p), GROKX_E_STATE);
    CHECK_INT(grokx_parser_stats(p)->conversations, 1);
    CHECK_INT(grokx_parser_stats(p)->items, 2);
    CHECK_STR(t.last_title, "T\xC3\xA9st");
    grokx_parser_free(p);
    /* a failed parse keeps returning its error */
    p = grokx_parser_new(NULL, w);
    CHECK_INT(grokx_parser_feed(p, "{]", 2), 0); /* buffered: not parsed yet */
    CHECK_INT(grokx_parser_finish(p), GROKX_E_SYNTAX);
    CHECK_INT(grokx_parser_finish(p), GROKX_E_SYNTAX);
    CHECK_INT(grokx_parser_feed(p, "{}", 2), GROKX_E_SYNTAX);
    CHECK(strstr(grokx_parser_error(p)->text, "byte 1 (line 1, column 2)") != NULL);
    grokx_parser_free(p);
    grokx_parser_free(NULL);
    grokx_writer_free(w);
    grokx_writer_free(NULL);
    CHECK_INT(grokx_writer_create("no-such-format", NULL, &w), GROKX_E_INVALID);
    CHECK_STR(grokx_writer_format_name(0), "events");
    CHECK(grokx_writer_format_name(1000) == NULL);
}

/* ---- not an export --------------------------------------------------- */

static void
test_not_export(void)
{
    tally t = {0};
    CHECK_INT(parse_default("[1,2]", &t), GROKX_E_SCHEMA);
    CHECK_INT(parse_default("\"str\"", &t), GROKX_E_SCHEMA);
    CHECK_INT(parse_default("{\"user\":{\"email\":\"x\"},\"sessions\":[]}", &t), GROKX_E_SCHEMA);
    CHECK_INT(parse_default("{\"projects\":[]}", &t), 0);
    CHECK_INT(parse_default("{}", &t), GROKX_E_SCHEMA);
    CHECK_INT(parse_default("   ", &t), GROKX_E_TRUNCATED);
    CHECK_INT(parse_default("", &t), GROKX_E_TRUNCATED);
    CHECK_INT(parse_default("{\"conversations\":[]} {}", &t), GROKX_E_SYNTAX);
    CHECK_INT(parse_default("\xEF\xBB\xBF{\"conversations\":[]}", &t), 0);
}

/* ---- allocation failure: every allocation, N = 1.. until success ----- */

static void
oom_loop(const char *data, int want_rc)
{
    size_t n;
    int rc = -1000;
    for (n = 1; n < 100000; n++) {
        tally t = {0};
        grokx_options o;
        counter c = {0, 0, n};
        grokx_options_init(&o);
        rc = parse(data, strlen(data), &t, &o, &c);
        CHECK_MSG(c.used == 0, "leak of %zu bytes when allocation %zu fails", c.used, n);
        if (rc != GROKX_E_NOMEM)
            break;
    }
    CHECK_MSG(rc == want_rc, "after %zu failures rc %d, want %d", n, rc, want_rc);
    CHECK(n > 3); /* the loop really injected failures */
}

static void
test_oom(void)
{
    oom_loop(sample, 0);
    oom_loop("{\"conversations\":[{\"conversation\":{\"id\":\"c\"},\"responses\":[{\"resp", GROKX_E_TRUNCATED);
    oom_loop("{\"conversations\":[{\"responses\":[{\"response\":{\"_id\":\"a\",\"parent_response_id\":\"b\"}},"
             "{\"response\":{\"_id\":\"b\",\"parent_response_id\":\"a\"}}]}]}", 0);
}

/* ---- every truncation of a valid export fails cleanly ---------------- */

static void
test_truncations(void)
{
    size_t len = strlen(sample), cut;
    for (cut = 0; cut < len; cut++) {
        tally t = {0};
        grokx_options o;
        counter c = {0};
        int rc;
        grokx_options_init(&o);
        rc = parse(sample, cut, &t, &o, &c);
        CHECK_MSG(rc == GROKX_E_TRUNCATED || rc == GROKX_E_SYNTAX,
                  "cut at %zu gives %d", cut, rc);
        CHECK_INT(c.used, 0);
    }
}

/* ---- limits ---------------------------------------------------------- */

static char *
repeat(const char *pre, const char *unit, size_t times, const char *post)
{
    size_t a = strlen(pre), u = strlen(unit), z = strlen(post), i;
    char *s = malloc(a + u * times + z + 1), *q = s;
    memcpy(q, pre, a);
    q += a;
    for (i = 0; i < times; i++, q += u)
        memcpy(q, unit, u);
    memcpy(q, post, z + 1);
    return s;
}

static void
test_limits(void)
{
    grokx_options o;
    tally t = {0};
    counter c = {0};
    char *s;
    /* nesting 10^5 deep inside metadata */
    s = repeat("{\"conversations\":[{\"responses\":[{\"response\":{\"metadata\":", "[", 100000, "");
    grokx_options_init(&o);
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), GROKX_E_LIMIT);
    CHECK_INT(c.used, 0);
    free(s);
    /* a 3 MiB string over a 1 MiB cap */
    s = repeat("{\"conversations\":[{\"conversation\":{\"title\":\"", "abcdefgh", 3 << 17, "\"}}]}");
    grokx_options_init(&o);
    o.max_string = 1 << 20;
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), GROKX_E_LIMIT);
    CHECK_INT(c.used, 0);
    /* ... and under the default cap, it is kept whole */
    memset(&t, 0, sizeof t);
    grokx_options_init(&o);
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), 0);
    CHECK_INT(t.conversations, 1);
    free(s);
    /* max_conversation: the big one is skipped with a warning, the next kept */
    s = repeat("{\"conversations\":[{\"responses\":[", "{\"response\":{\"message\":\"0123456789abcdef\"}},",
               20000, "{}]},{\"conversation\":{\"title\":\"small\"}}]}");
    memset(&t, 0, sizeof t);
    grokx_options_init(&o);
    o.max_conversation = 256 * 1024;
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), 0);
    CHECK_INT(t.conversations, 1);
    CHECK_STR(t.last_title, "small");
    CHECK_INT(t.warn_codes[GROKX_W_CONVERSATION_TOO_LARGE], 1);
    CHECK_INT(c.used, 0);
    /* max_memory: a hard cap is an error, not a crash */
    grokx_options_init(&o);
    o.max_memory = 200 * 1024;
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), GROKX_E_NOMEM);
    CHECK_INT(c.used, 0);
    free(s);
    /* 10^5 duplicate keys: warnings, no blow-up */
    s = repeat("{\"conversations\":[{\"conversation\":{", "\"title\":\"x\",", 100000, "\"id\":\"c\"}}]}");
    memset(&t, 0, sizeof t);
    grokx_options_init(&o);
    CHECK_INT(parse(s, strlen(s), &t, &o, &c), 0);
    CHECK_INT(t.warn_codes[GROKX_W_DUPLICATE_KEY], 99999);
    free(s);
    /* a deep chain of 10^5 messages: no recursion */
    {
        size_t i, n = 100000, cap = n * 80 + 100, k;
        s = malloc(cap);
        k = (size_t)snprintf(s, cap, "{\"conversations\":[{\"responses\":[");
        for (i = 0; i < n; i++)
            k += (size_t)snprintf(s + k, cap - k, "%s{\"response\":{\"_id\":\"m%zu\",\"parent_response_id\":\"m%zu\"}}",
                                  i ? "," : "", i, i ? i - 1 : n + 5);
        snprintf(s + k, cap - k, "]}]}");
        memset(&t, 0, sizeof t);
        grokx_options_init(&o);
        CHECK_INT(parse(s, strlen(s), &t, &o, &c), 0);
        CHECK_INT(t.messages, n);
        free(s);
    }
}

/* ---- surrogate escapes ----------------------------------------------- */

/* Title of a one-conversation export whose title JSON text is `raw`. */
static int
title_of(const char *raw, size_t pad, char *out, size_t n, size_t *warnings)
{
    tally t = {0};
    grokx_options o;
    counter c = {0};
    char *doc;
    const char *pre = "{\"conversations\":[{\"conversation\":{\"id\":\"c\",\"title\":\"";
    size_t a = strlen(pre), r = strlen(raw);
    int rc;
    doc = malloc(a + pad + r + 16);
    memcpy(doc, pre, a);
    memset(doc + a, 'x', pad);
    memcpy(doc + a + pad, raw, r);
    strcpy(doc + a + pad + r, "\"}}]}");
    grokx_options_init(&o);
    rc = parse(doc, strlen(doc), &t, &o, &c);
    free(doc);
    snprintf(out, n, "%s", strlen(t.last_title) > 8 ? t.last_title + strlen(t.last_title) - 8
                                                       : t.last_title);
    *warnings = t.warnings;
    return rc;
}

static void
test_surrogates(void)
{
    char got[64];
    size_t w, k;
    const size_t slice = 1u << 20, pre = 54; /* bytes before the title text */
    CHECK_INT(title_of("\\ud800x", 0, got, sizeof got, &w), 0);
    CHECK_STR(got, "\xEF\xBF\xBDx");
    CHECK_INT(w, 1);
    CHECK_INT(title_of("\\\\ud800", 0, got, sizeof got, &w), 0); /* escaped backslash */
    CHECK_STR(got, "\\ud800");
    CHECK_INT(w, 0);
    CHECK_INT(title_of("\\\\\\udc00", 0, got, sizeof got, &w), 0);
    CHECK_STR(got, "\\\xEF\xBF\xBD");
    CHECK_INT(w, 1);
    CHECK_INT(title_of("\\ud800\\u0041", 0, got, sizeof got, &w), 0);
    CHECK_STR(got, "\xEF\xBF\xBD" "A");
    /* a valid pair cut by the 1 MiB slice boundary at every offset */
    for (k = 0; k < 16; k++) {
        CHECK_INT(title_of("\\ud83d\\ude00", slice - pre - k + 2, got, sizeof got, &w), 0);
        CHECK_MSG(!strcmp(got, "xxxx\xF0\x9F\x98\x80") && w == 0, "pair cut at %zu: %zu warnings", k, w);
        CHECK_INT(title_of("\\ud83dx", slice - pre - k + 2, got, sizeof got, &w), 0);
        CHECK_MSG(!strcmp(got, "xxxx\xEF\xBF\xBDx") && w == 1, "lone cut at %zu", k);
    }
}

/* ---- writers --------------------------------------------------------- */

static void
test_writers(void)
{
    tally a = {0}, b = {0};
    grokx_writer *wa = grokx_writer_new(&tally_vt, &a), *wb = grokx_writer_new(&tally_vt, &b);
    grokx_writer *ws[2] = {wa, wb}, *tee = grokx_writer_tee_new(ws, 2);
    grokx_parser *p = grokx_parser_new(NULL, tee);
    CHECK_INT(grokx_parser_feed(p, sample, sizeof sample - 1), 0);
    CHECK_INT(grokx_parser_finish(p), 0);
    CHECK_INT(a.conversations, 1);
    CHECK_INT(b.conversations, 1);
    CHECK_INT(b.items, 2);
    grokx_parser_free(p);
    /* a failing writer stops the parse and says why */
    b.fail_with = 1;
    p = grokx_parser_new(NULL, tee);
    grokx_parser_feed(p, sample, sizeof sample - 1);
    CHECK_INT(grokx_parser_finish(p), GROKX_E_WRITER);
    CHECK_STR(grokx_parser_error(p)->text, "disk on fire");
    grokx_parser_free(p);
    b.fail_with = GROKX_E_IO;
    p = grokx_parser_new(NULL, tee);
    grokx_parser_feed(p, sample, sizeof sample - 1);
    CHECK_INT(grokx_parser_finish(p), GROKX_E_IO);
    grokx_parser_free(p);
    grokx_writer_free(tee);
    grokx_writer_free(wa);
    grokx_writer_free(wb);
}

static void
test_summary(void)
{
    grokx_summary *s = grokx_summary_new();
    grokx_options o;
    grokx_parser *p;
    grokx_options_init(&o);
    o.flags = GROKX_OPT_ALL_BRANCHES;
    p = grokx_parser_new(&o, grokx_summary_writer(s));
    grokx_parser_feed(p, sample, sizeof sample - 1);
    CHECK_INT(grokx_parser_finish(p), 0);
    {
        grokx_sink sink = {NULL, NULL};
        CHECK_INT(grokx_summary_print(s, 1, sink), 0); /* a NULL write drops output */
    }
    grokx_parser_free(p);
    grokx_summary_free(s);
}

/* ---- atomic files ---------------------------------------------------- */

static void
test_file_sink(void)
{
    char dir[] = "/tmp/grokx-test-XXXXXX", path[256], link[256];
    grokx_file *f;
    struct stat st;
    grokx_sink s;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    f = grokx_file_open(path, 0, GROKX_FILE_FSYNC);
    s = grokx_file_sink(f);
    CHECK_INT(s.write(s.ud, "hello", 5), 0);
    CHECK(stat(path, &st) != 0); /* nothing visible before commit */
    CHECK_INT(grokx_file_commit(f), 0);
    CHECK(stat(path, &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0600);
    f = grokx_file_open(path, 0, GROKX_FILE_FSYNC);
    s = grokx_file_sink(f);
    s.write(s.ud, "partial", 7);
    grokx_file_abort(f);
    CHECK(stat(path, &st) == 0 && st.st_size == 5); /* old content intact */
    /* a symlink at the target is replaced, not followed */
    snprintf(link, sizeof link, "%s/victim", dir);
    CHECK(close(open(link, O_WRONLY | O_CREAT, 0600)) == 0);
    unlink(path);
    CHECK(symlink(link, path) == 0);
    f = grokx_file_open(path, 0, GROKX_FILE_FSYNC);
    s = grokx_file_sink(f);
    s.write(s.ud, "new", 3);
    CHECK_INT(grokx_file_commit(f), 0);
    CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3);
    CHECK(stat(link, &st) == 0 && st.st_size == 0);
    unlink(path);
    unlink(link);
    CHECK(rmdir(dir) == 0);
    CHECK(grokx_file_open("/nonexistent-dir/x", 0, 0) == NULL && errno == ENOENT);
}

/* Card fields: top-level strings, "outer.inner" one object down, first
 * occurrence wins, arrays do not leak their keys into "outer.inner". */
static void
test_card_fields(void)
{
    static const char *const keys[] = {"id", "image.title", "image_chunk.imageUuid", "title", "x.y"};
    char v[5][GX_FIELD_MAX];
    const char *card = "{\"id\":\"c1\",\"image\":{\"title\":\"T\",\"deep\":{\"title\":\"no\"}},"
                       "\"title\":\"top\",\"title\":\"second\",\"image_chunk\":{\"imageUuid\":\"u-1\"},"
                       "\"x\":[{\"y\":\"in an array\"}]}";
    CHECK_INT(gx_json_top_strings(card, strlen(card), keys, 5, v), 0);
    CHECK_STR(v[0], "c1");
    CHECK_STR(v[1], "T");
    CHECK_STR(v[2], "u-1");
    CHECK_STR(v[3], "top");
    CHECK_STR(v[4], "");
    CHECK_INT(gx_json_top_strings("{\"id\":\"a\",", 12, keys, 5, v), GROKX_E_SYNTAX);
    CHECK_STR(v[0], "a"); /* what was read before the error stays */
}

/* Thinking time: rounded, and no overflow at the ends of int64. */
static void
test_thinking_seconds(void)
{
    grokx_message m;
    memset(&m, 0, sizeof m);
    m.thinking_start = 1000, m.thinking_end = 13499;
    CHECK_INT(gx_thinking_seconds(&m), 12);
    m.thinking_end = 13500;
    CHECK_INT(gx_thinking_seconds(&m), 13);
    m.thinking_end = 999;
    CHECK_INT(gx_thinking_seconds(&m), -1);
    m.thinking_start = INT64_MIN + 1, m.thinking_end = INT64_MAX;
    CHECK(gx_thinking_seconds(&m) == 18446744073709552LL); /* (2^64 - 2) ms, rounded */
    m.thinking_start = GROKX_TIME_NONE;
    CHECK_INT(gx_thinking_seconds(&m), -1);
}

/* The answer segmenter: tags split out, unclosed ones linear and safe. */
static void
test_rich_segments(void)
{
    const char *t = "a<grok:render type=\"render_inline_citation\" card_id=\"c\"></grok:render>b"
                    "<xaiArtifact title=\"x.py\" contentType=\"text/python\">\nprint(1)</xaiArtifact>"
                    "<grok:render card_id=\"z\">no type</grok:render><grok:render type=\"render_file\"";
    gx_rich it;
    gx_segment s;
    gx_rich_init(&it, t, strlen(t));
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 1 && s.text[0] == 'a');
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_CITATION && !strcmp(s.card_id, "c"));
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 1 && s.text[0] == 'b');
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_ARTIFACT && !strcmp(s.lang, "python") &&
          !strcmp(s.title, "x.py") && s.len == 8 && !memcmp(s.text, "print(1)", 8));
    /* the typeless tag is dropped; the last '<' opens no tag: text */
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && !strncmp(s.text, "<grok:render type", 17));
    CHECK(!gx_rich_next(&it, &s));
}

int
main(void)
{
    test_utf8();
    test_time();
    test_jsonw();
    test_names();
    test_api();
    test_not_export();
    test_oom();
    test_truncations();
    test_limits();
    test_surrogates();
    test_writers();
    test_summary();
    test_file_sink();
    test_card_fields();
    test_rich_segments();
    test_thinking_seconds();
    return test_report("unit");
}
