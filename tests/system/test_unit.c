/*
 * test_unit.c -- unit and hostile-input tests of the library: UTF-8
 * repair, time forms, API contracts, allocation-failure injection, every
 * truncation of an export, limits, writers, the atomic file sink and the
 * search tokenizer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/formats.h"
#include "index/ix.h"
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

/* gx_utf8_valid's fast paths (masks over 16 and 8 bytes, inline leads) must
 * agree with the sequence-by-sequence repair count on every string: random
 * strings of boundary bytes, behind ASCII runs of every length up to 40 so
 * that each byte meets every block position. */
static void
test_utf8_differential(void)
{
    static const unsigned char alpha[] = {0x00, 'a', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                          0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                          0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    unsigned char buf[64];
    uint64_t seed = 88172645463325252ull;
    int iter, disagree = 0, valid = 0;
    for (iter = 0; iter < 200000; iter++) {
        size_t pre, n, i, nbad;
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        pre = (size_t)(seed % 41);
        n = pre + (size_t)((seed >> 8) % 9);
        for (i = 0; i < pre; i++)
            buf[i] = (unsigned char)('A' + i % 26);
        for (; i < n; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            buf[i] = alpha[seed % sizeof alpha];
        }
        gx_utf8_repaired_len((const char *)buf, n, &nbad);
        disagree += gx_utf8_valid((const char *)buf, n) != (nbad == 0);
        valid += nbad == 0;
    }
    CHECK_INT(disagree, 0);
    CHECK(valid > 10000 && valid < 190000); /* both outcomes were exercised */
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
    test_utf8_differential();
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
    { /* issue 27: the precision past the millisecond, numbers by magnitude */
        static const struct { const char *in, *out; } ok[] = {
            {"2025-06-10T11:29:49.867890Z", "2025-06-10T11:29:49.867890Z"},
            {"2025-06-10T11:29:49.1234Z", "2025-06-10T11:29:49.1234Z"},
            {"2025-06-10T11:29:49.123456789123Z", "2025-06-10T11:29:49.123456789Z"},
            {"2025-06-10T11:29:49Z", "2025-06-10T11:29:49.000Z"},
            {"1760000013", "2025-10-09T08:53:33.000Z"},         /* seconds */
            {"1760000013.5", "2025-10-09T08:53:33.500Z"},
            {"1760000013.1234567", "2025-10-09T08:53:33.1234567Z"},
            {"99999999999", "5138-11-16T09:46:39.000Z"},        /* the last seconds */
            {"100000000000", "1973-03-03T09:46:40.000Z"},       /* the first ms */
            {"1760000013123", "2025-10-09T08:53:33.123Z"},
            {"1760000013123.4", "2025-10-09T08:53:33.1234Z"},
            {"1760000013123456", "2025-10-09T08:53:33.123456Z"}, /* us */
            {"1760000013123456789", "2025-10-09T08:53:33.123456789Z"}, /* ns */
            {"-86400", "1969-12-31T00:00:00.000Z"},
            {"-1.5", "1969-12-31T23:59:58.500Z"},
            {"0", "1970-01-01T00:00:00.000Z"},
        };
        static const char *const bad[] = {"", "-", "1e9", "12a", "1.", ".5", "99999999999999999999",
                                          "2025-06-10T11:29:49.Z"};
        size_t i;
        char buf[40];
        gx_time_fine f;
        for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
            CHECK_MSG(gx_time_parse_any(ok[i].in, strlen(ok[i].in), &f) == 0, "%s should parse", ok[i].in);
            gx_time_format_fine(f.ms, f.ns, f.digits, buf);
            CHECK_STR(buf, ok[i].out);
        }
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
            CHECK_MSG(gx_time_parse_any(bad[i], strlen(bad[i]), &f) != 0, "%s should not parse", bad[i]);
        CHECK(gx_time_from_parts(1760000013, 5000000, 9, &f) == 0 && f.ms == 1760000013005LL &&
              f.ns == 0 && f.digits == 9);
        CHECK(gx_time_from_parts(-1, 999999999, 9, &f) == 0 && f.ms == -1 && f.ns == 999999);
        CHECK(gx_time_from_parts(1, 1000000000, 9, &f) != 0);
        CHECK(gx_time_from_parts(INT64_MAX, 0, 9, &f) != 0);
        gx_time_iso_offset_fine(1760000013123LL, 456000, 6, 120, buf, sizeof buf);
        CHECK_STR(buf, "2025-10-09T10:53:33.123456+02:00");
        gx_time_iso_offset(1760000013123LL, -330, buf, sizeof buf);
        CHECK_STR(buf, "2025-10-09T03:23:33.123-05:30");
        CHECK(gx_text_blank("", 0) && gx_text_blank(" \t\n\r", 4) &&
              gx_text_blank("\xE2\x80\x8B\xC2\xA0", 5) && !gx_text_blank(" x ", 3));
    }
    { /* the digit-by-hand path and printf's agree at the edges of years 0-9999 */
        char buf[32], h[48];
        gx_time_format(253402300799999LL, buf); /* 9999-12-31T23:59:59.999Z */
        CHECK_STR(buf, "9999-12-31T23:59:59.999Z");
        gx_time_format(253402300800000LL, buf);
        CHECK_STR(buf, "10000-01-01T00:00:00.000Z");
        gx_time_format(-62167219200000LL, buf);
        CHECK_STR(buf, "0000-01-01T00:00:00.000Z");
        gx_time_format(-62167219200001LL, buf);
        CHECK_STR(buf, "-001-12-31T23:59:59.999Z");
        gx_time_human(1749554989923LL, 0, h, sizeof h, 1);
        CHECK_STR(h, "2025-06-10 11:29 UTC");
        gx_time_human(1749554989923LL, -330, h, sizeof h, 1);
        CHECK_STR(h, "2025-06-10 05:59 -05:30");
        gx_time_human(1749554989923LL, 840, h, sizeof h, 0);
        CHECK_STR(h, "2025-06-11 01:29");
        gx_time_human(1749554989923LL, 6000, h, sizeof h, 1); /* absurd: printf's form */
        CHECK_STR(h, "2025-06-14 15:29 +100:00");
        gx_time_human(253402300800000LL, 0, h, sizeof h, 1);
        CHECK_STR(h, "10000-01-0 T00:0 UTC"); /* (printf cuts a 5-digit year oddly) */
        gx_time_human(1749554989923LL, 60, h, 20, 1); /* too small: cut, as snprintf cuts */
        CHECK_STR(h, "2025-06-10 12:29 +0");
    }
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
    for (code = GROKX_E_QUERY; code <= 0; code++)
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
    /* every row of the registry: a single-file format has a signature (its
     * re-runs know their file by it, and never take another's), a folder
     * format none; the flags and signature of an unknown name are refused */
    {
        size_t i, len;
        const char *name, *ext;
        const void *sig;
        unsigned fl;
        int streams;
        for (i = 0; (name = grokx_writer_format_name(i)) != NULL; i++) {
            CHECK_INT(grokx_writer_format_info(name, &ext, &streams), 0);
            CHECK_INT(grokx_writer_format_signature(name, &sig, &len), 0);
            CHECK_INT(grokx_writer_format_flags(name, &fl), 0);
            CHECK_MSG(ext ? sig && len > 0 && len <= GROKX_FILE_SIG_MAX : !sig && !len,
                      "format %s: extension %s, signature of %zu bytes", name, ext ? ext : "(folder)",
                      len);
        }
        CHECK_INT(grokx_writer_format_signature("no-such-format", &sig, &len), GROKX_E_INVALID);
        CHECK_INT(grokx_writer_format_flags("no-such-format", &fl), GROKX_E_INVALID);
    }
}

/* The constructors in grokx.h's style say which failure NULL hid, and
 * the array accessors stop at the end (grokx.h, ARRAYS). */
static void
test_constructors_and_accessors(void)
{
    grokx_options o;
    grokx_filter f;
    grokx_writer *w = (grokx_writer *)&o, *fw = (grokx_writer *)&o;
    grokx_parser *p = (grokx_parser *)&o;
    tally t = {0};
    grokx_writer_vtable bad = tally_vt;
    grokx_message msgs[2];
    grokx_conversation c;
    grokx_step step;
    grokx_str strs[1];
    grokx_strlist l = {strs, 1};
    grokx_span spans[3];
    grokx_hit hit;
    bad.abi_version = 99;
    CHECK_INT(grokx_writer_wrap(&bad, NULL, &w), GROKX_E_VERSION);
    CHECK(w == NULL);
    CHECK_INT(grokx_writer_wrap(NULL, NULL, &w), GROKX_E_INVALID);
    CHECK_INT(grokx_writer_wrap(&tally_vt, &t, NULL), GROKX_E_INVALID);
    CHECK_INT(grokx_writer_wrap(&tally_vt, &t, &w), GROKX_OK);
    CHECK(w != NULL);
    grokx_options_init(&o);
    o.abi_version = 99;
    CHECK_INT(grokx_parser_create(&o, w, &p), GROKX_E_VERSION);
    CHECK(p == NULL);
    CHECK_INT(grokx_parser_create(NULL, NULL, &p), GROKX_E_INVALID);
    grokx_options_init(&o);
    o.max_memory = 16; /* too small for the handle itself */
    CHECK_INT(grokx_parser_create(&o, w, &p), GROKX_E_NOMEM);
    CHECK_INT(grokx_parser_create(NULL, w, &p), GROKX_OK);
    CHECK_INT(grokx_parser_feed(p, sample, sizeof sample - 1), 0);
    CHECK_INT(grokx_parser_finish(p), 0);
    CHECK_INT(t.conversations, 1);
    grokx_parser_free(p);
    grokx_filter_init(&f);
    f.abi_version = 99;
    CHECK_INT(grokx_writer_filter_create(w, &f, &fw), GROKX_E_VERSION);
    CHECK(fw == NULL && grokx_writer_filter_new(w, &f) == NULL);
    CHECK_INT(grokx_writer_filter_create(NULL, &f, &fw), GROKX_E_INVALID);
    grokx_filter_init(&f);
    CHECK_INT(grokx_writer_filter_create(w, &f, &fw), GROKX_OK);
    grokx_writer_free(fw);
    grokx_writer_free(w);

    memset(&c, 0, sizeof c);
    memset(msgs, 0, sizeof msgs);
    memset(&step, 0, sizeof step);
    c.messages = msgs;
    c.message_count = 2;
    CHECK(grokx_conversation_message(&c, 0) == &msgs[0]);
    CHECK(grokx_conversation_message(&c, 1) == &msgs[1]);
    CHECK(grokx_conversation_message(&c, 2) == NULL);
    CHECK(grokx_conversation_message(NULL, 0) == NULL);
    msgs[1].steps = &step;
    msgs[1].step_count = 1;
    CHECK(grokx_message_step(&msgs[1], 0) == &step && !grokx_message_step(&msgs[1], 1));
    CHECK(!grokx_message_step(&msgs[0], 0) && !grokx_message_agent_trace(&msgs[0], 0));
    CHECK(!grokx_message_web_result(&msgs[0], 0) && !grokx_message_cited_result(&msgs[0], 0));
    CHECK(!grokx_step_web_result(&step, 0) && !grokx_step_web_result(NULL, 0));
    CHECK(grokx_strlist_item(&l, 0) == &strs[0] && !grokx_strlist_item(&l, 1));
    memset(&hit, 0, sizeof hit);
    hit.highlights = spans;
    hit.highlight_count = 3;
    CHECK(grokx_hit_highlight(&hit, 2) == &spans[2] && !grokx_hit_highlight(&hit, 3));
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

/* ---- grokx_parse_fd, zero options, codes -------------------------------- */

static void
test_parse_fd(void)
{
    grokx_writer_vtable vt = tally_vt;
    tally t = {0};
    grokx_writer *w = grokx_writer_new(&vt, &t);
    grokx_options o;
    grokx_parser *p;
    int fd = open("examples/sample-export.json", O_RDONLY);
    CHECK(fd >= 0);
    /* zeros mean the defaults: the export parses as with grokx_options_init */
    memset(&o, 0, sizeof o);
    o.abi_version = GROKX_ABI_VERSION;
    p = grokx_parser_new(&o, w);
    CHECK_INT(grokx_parse_fd(p, fd), 0);
    CHECK(t.conversations > 0);
    grokx_parser_free(p);
    close(fd);
    /* a descriptor that cannot be read: an I/O error that says so */
    p = grokx_parser_new(NULL, w);
    CHECK_INT(grokx_parse_fd(p, -1), GROKX_E_IO);
    CHECK(strstr(grokx_parser_error(p)->text, "read failed") != NULL);
    grokx_parser_free(p);
    CHECK_INT(grokx_parse_fd(NULL, 0), GROKX_E_INVALID);
    CHECK_STR(grokx_strerror(-999), "unknown error");
    grokx_writer_free(w);
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
    /* nesting past max_depth: an unknown value (10^5 deep in metadata, 2^20
     * at the top of a conversation) is skipped with one warning and the
     * export read on; an item of a section too deep is dropped, the next
     * kept; past 2^20 levels even a skipped value is an error (yajl keeps a
     * byte per level); a field the export defines too deep is an error */
    {
        static const struct {
            const char *pre, *post;
            size_t n;
            int rc, convs, items, deep;
        } cases[] = {
            {"{\"conversations\":[{\"conversation\":{\"id\":\"c\"},\"responses\":[{\"response\":"
             "{\"_id\":\"a\",\"metadata\":{\"x\":", "}}}]}]}", 100000, 0, 1, 0, 1},
            {"{\"conversations\":[{\"conversation\":{\"id\":\"c\"},\"x\":", "}]}", GX_DEPTH_HARD - 3, 0, 1, 0, 1},
            {"{\"conversations\":[{\"conversation\":{\"id\":\"c\"},\"x\":", "}]}", GX_DEPTH_HARD - 2,
             GROKX_E_LIMIT, 0, 0, 1},
            {"{\"projects\":[{\"id\":1},", ",{\"id\":2}]}", 1000, 0, 0, 2, 1},
            {"{\"conversations\":[{\"conversation\":{\"id\":\"c\",\"create_time\":", "}}]}", 0,
             GROKX_E_LIMIT, 0, 0, 0},
        };
        size_t k, i, n, a, z;
        for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            n = cases[k].n;
            a = strlen(cases[k].pre);
            z = strlen(cases[k].post);
            if (!n) { /* {"$date":{"$numberLong":{"$date":... 600 frames deep */
                s = repeat(cases[k].pre, "{\"$date\":{\"$numberLong\":", 300, "1");
                a = strlen(s);
                s = realloc(s, a + 600 + z + 1);
                memset(s + a, '}', 600);
                memcpy(s + a + 600, cases[k].post, z + 1);
            } else {
                s = malloc(a + 2 * n + z + 1);
                memcpy(s, cases[k].pre, a);
                for (i = 0; i < n; i++) {
                    s[a + i] = '[';
                    s[a + n + i] = ']';
                }
                memcpy(s + a + 2 * n, cases[k].post, z + 1);
            }
            memset(&t, 0, sizeof t);
            grokx_options_init(&o);
            CHECK_INT(parse(s, strlen(s), &t, &o, &c), cases[k].rc);
            CHECK_INT(t.conversations, (size_t)cases[k].convs);
            CHECK_INT(t.items, (size_t)cases[k].items);
            CHECK_INT(t.warn_codes[GROKX_W_TOO_DEEP], cases[k].deep);
            CHECK_MSG(t.warnings == (size_t)cases[k].deep, "case %zu: %zu warnings", k, t.warnings);
            CHECK_INT(c.used, 0);
            free(s);
        }
        /* max_depth 3: the conversations array (depth 2) is read, a
         * conversation (3) too, its wrapper's "conversation" (4) is not */
        s = repeat("{\"conversations\":[{\"conversation\":{\"id\":\"c\"}}]}", "", 0, "");
        memset(&t, 0, sizeof t);
        grokx_options_init(&o);
        o.max_depth = 3;
        CHECK_INT(parse(s, strlen(s), &t, &o, &c), GROKX_E_LIMIT);
        o.max_depth = 4;
        CHECK_INT(parse(s, strlen(s), &t, &o, &c), 0);
        CHECK_INT(t.conversations, 1);
        free(s);
    }
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
    /* never over a file grokx did not write (issue 18, round 2): with
     * GROKX_FILE_OURS_*, only grokx's own output of the format, or an
     * empty file, is replaced; anything else fails EEXIST with nothing
     * made (no lock, no temporary); a FIFO is never replaced */
    {
        static const char *const bodies[] = {"thesis", "GROKXIX", "{\"event\":\"begin_expor",
                                             "PK\3\4zip"};
        char lockp[300];
        DIR *d;
        struct dirent *e;
        int i, names;
        snprintf(lockp, sizeof lockp, "%s/.out.txt.grokx-lock", dir);
        for (i = 0; i < 4; i++) {
            FILE *w = fopen(path, "w");
            CHECK(w && fputs(bodies[i], w) >= 0 && fclose(w) == 0);
            errno = 0;
            CHECK(grokx_file_open(path, 0, GROKX_FILE_LOCK | GROKX_FILE_OURS_INDEX) == NULL && errno == EEXIST);
            errno = 0;
            CHECK(grokx_file_open(path, 0, GROKX_FILE_LOCK | GROKX_FILE_OURS_EVENTS) == NULL && errno == EEXIST);
        }
        CHECK(access(lockp, F_OK) != 0); /* refused before the lock */
        for (i = 0; i < 2; i++) { /* ours, and empty */
            FILE *w = fopen(path, "w");
            CHECK(w && fwrite("GROKXIX\0\1", 1, i ? 0 : 9, w) == (i ? 0u : 9u) && fclose(w) == 0);
            CHECK((f = grokx_file_open(path, 0, GROKX_FILE_LOCK | GROKX_FILE_OURS_INDEX)) != NULL);
            CHECK_INT(grokx_file_commit(f), 0);
        }
        unlink(path);
        CHECK(symlink(link, path) == 0); /* a symbolic link is not ours */
        CHECK(grokx_file_open(path, 0, GROKX_FILE_OURS_EVENTS) == NULL && errno == EEXIST);
        CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
        unlink(path);
        CHECK(mkfifo(path, 0600) == 0); /* a FIFO: never replaced, with or without */
        CHECK(grokx_file_open(path, 0, 0) == NULL && errno == EEXIST);
        CHECK(grokx_file_open(path, 0, GROKX_FILE_OURS_EVENTS) == NULL && errno == EEXIST);
        CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
        unlink(path);
        unlink(lockp); /* made by the two commits above */
        CHECK((d = opendir(dir)) != NULL);
        for (names = 0; d && (e = readdir(d)) != NULL;)
            names += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
        if (d)
            closedir(d);
        CHECK_INT(names, 0); /* no temporary, no lock left by the refusals */
    }
    CHECK(rmdir(dir) == 0);
    CHECK(grokx_file_open("/nonexistent-dir/x", 0, 0) == NULL && errno == ENOENT);
}

/* Card fields: top-level strings and numbers, "outer.inner" one object down, first
 * occurrence wins, arrays do not leak their keys into "outer.inner". */
static void
test_card_fields(void)
{
    static const char *const keys[] = {"id", "image.title", "image_chunk.imageUuid", "title", "x.y", "image_chunk.progress"};
    char v[6][GX_FIELD_MAX];
    const char *card = "{\"id\":\"c1\",\"image\":{\"title\":\"T\",\"deep\":{\"title\":\"no\"}},"
                       "\"title\":\"top\",\"title\":\"second\",\"image_chunk\":{\"imageUuid\":\"u-1\",\"progress\":-1.5e2},"
                       "\"x\":[{\"y\":\"in an array\"}]}";
    CHECK_INT(gx_json_top_scalars(card, strlen(card), keys, 6, v), 0);
    CHECK_STR(v[0], "c1");
    CHECK_STR(v[1], "T");
    CHECK_STR(v[2], "u-1");
    CHECK_STR(v[3], "top");
    CHECK_STR(v[4], "");
    CHECK_STR(v[5], "-1.5e2"); /* a number: its text */
    CHECK_INT(gx_json_top_scalars("{\"id\":\"a\",", 12, keys, 6, v), GROKX_E_SYNTAX);
    CHECK_STR(v[0], "a"); /* what was read before the error stays */
}

/* Tags resolved against their cards: a missing or unknown type takes the
 * card's (type or cardType), a tag with neither type nor card is its text,
 * a card of a kind not shown keeps no type; the cards no tag named come
 * back in order, each once. */
static void
test_cards_resolve(void)
{
    static const grokx_str cards[] = {
        {"{\"id\":\"c\",\"cardType\":\"citation_card\",\"url\":\"https://a\"}", 0},
        {"{\"id\":\"f\",\"type\":\"render_file\",\"file_name\":\"n\"}", 0},
        {"{\"id\":\"w\",\"cardType\":\"weather_card\"}", 0},
        {"{\"id\":\"g\",\"cardType\":\"generated_image_card\",\"type\":\"x\"}", 0},
        {"{\"id\":\"s\",\"cardType\":\"image_card\"}", 0},
    };
    grokx_str cs5[5];
    grokx_message msg;
    gx_cards cs;
    gx_mem mem;
    gx_segment seg;
    size_t i, at = 0;
    const char *t = "<grok:render card_id=\"c\"/><grok:render type=\"render_new\" card_id=\"f\">x</grok:render>"
                    "<grok:render card_id=\"none\">KEEP</grok:render><grok:render card_id=\"w\">W</grok:render>"
                    "<grok:render type=\"render_mystery\">MYSTERY</grok:render>";
    gx_rich it;
    for (i = 0; i < 5; i++)
        cs5[i] = (grokx_str){cards[i].ptr, strlen(cards[i].ptr)};
    memset(&msg, 0, sizeof msg);
    msg.card_attachments.items = cs5;
    msg.card_attachments.count = 5;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_cards_init(&cs, &mem);
    CHECK_INT(gx_cards_load(&cs, &msg), 0);
    CHECK_STR(gx_card_render_type(&cs, 3), "render_generated_image"); /* an unknown type, a known cardType */
    gx_rich_init(&it, t, strlen(t));
    CHECK(gx_rich_next(&it, &seg) && gx_cards_resolve(&cs, &seg) == 0 && seg.kind == GX_SEG_CITATION);
    CHECK(gx_rich_next(&it, &seg) && gx_cards_resolve(&cs, &seg) == 1 && seg.kind == GX_SEG_CARD &&
          !strcmp(seg.type, "render_file"));
    CHECK(gx_rich_next(&it, &seg) && gx_cards_resolve(&cs, &seg) == -1 && seg.kind == GX_SEG_TEXT &&
          seg.len == 4 && !memcmp(seg.text, "KEEP", 4));
    CHECK(gx_rich_next(&it, &seg) && gx_cards_resolve(&cs, &seg) == 2 && seg.kind == GX_SEG_CARD && !seg.type[0]);
    /* a type grokx does not know and no card: its inner text (issue 27's trial: it vanished) */
    CHECK(gx_rich_next(&it, &seg) && gx_cards_resolve(&cs, &seg) == -1 && seg.kind == GX_SEG_TEXT &&
          seg.len == 7 && !memcmp(seg.text, "MYSTERY", 7));
    CHECK(!gx_rich_next(&it, &seg));
    /* g and s were named by no tag (w was, and shows nothing anyway) */
    CHECK(gx_cards_next_unreferenced(&cs, &at, &seg) == 3 && seg.kind == GX_SEG_CARD &&
          !strcmp(seg.type, "render_generated_image") && !strcmp(seg.card_id, "g"));
    CHECK(gx_cards_next_unreferenced(&cs, &at, &seg) == 4 && !strcmp(seg.type, "render_searched_image"));
    CHECK(gx_cards_next_unreferenced(&cs, &at, &seg) == -1);
    at = 0;
    CHECK(gx_cards_next_unreferenced(&cs, &at, &seg) == -1); /* each once */
    gx_cards_reset(&cs);
    CHECK_INT(gx_cards_load(&cs, &msg), 0);
    at = 0;
    CHECK(gx_cards_next_unreferenced(&cs, &at, &seg) == 0 && seg.kind == GX_SEG_CITATION); /* a new message */
    gx_cards_free(&cs);
    CHECK_INT((int)mem.used, 0);
}

/* Media posts: months newest first, undated last, a month oldest first
 * (ties in file order); other sections and posts that are no object left
 * out; an imagine turn told apart from an answer that has text. */
static void
test_posts(void)
{
    static const char *const json[] = {"{\"media_type\":\"image\",\"link\":\"https://x/1\"}", "{}",
                                       "{\"type\":\"video\"}", "\"text\"", "{}", "{}"};
    static const char *const month[] = {"2026-02", "2026-01", "undated", "", "2026-02", "2026-02"};
    static const grokx_time when[] = {1770300000000, 1768000000000, GROKX_TIME_NONE, 0, 1770300000000, 1770200000000};
    gx_mem mem;
    gx_posts p;
    grokx_item it;
    grokx_message m;
    size_t i;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_posts_init(&p, &mem, 0, 0);
    for (i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "p%zu", i);
        memset(&it, 0, sizeof it);
        it.section = (grokx_str){"media_posts", 11};
        it.index = i;
        it.json = (grokx_str){json[i], strlen(json[i])};
        it.id = (grokx_str){id, strlen(id)};
        it.name = (grokx_str){"", 0};
        it.create_time = when[i];
        CHECK_INT(gx_posts_add(&p, &it), 0);
    }
    it.section = (grokx_str){"projects", 8};
    CHECK_INT(gx_posts_add(&p, &it), 0);
    CHECK_INT((int)p.n, 5);
    gx_posts_sort(&p);
    CHECK_STR(gx_post_str(&p, p.v[0].id), "p5");
    CHECK_STR(gx_post_str(&p, p.v[1].id), "p0");
    CHECK_STR(gx_post_str(&p, p.v[2].id), "p4");
    CHECK_STR(gx_post_str(&p, p.v[3].id), "p1");
    CHECK_STR(gx_post_str(&p, p.v[4].id), "p2");
    CHECK_STR(p.v[4].month, month[2]);
    CHECK_INT((int)gx_posts_month_end(&p, 0), 3);
    CHECK_INT((int)gx_posts_month_end(&p, 3), 4);
    CHECK_STR(gx_post_str(&p, p.v[1].link), "https://x/1");
    CHECK_STR(gx_post_str(&p, p.v[4].type), "video"); /* "type" when there is no media_type */
    CHECK(gx_post_https("https://grok.com/imagine/post/1") && !gx_post_https("http://grok.com/x") &&
          !gx_post_https("https://a b") && !gx_post_https("https://") && !gx_post_https("javascript:alert(1)"));
    CHECK(gx_post_video("attachments/x.mp4", "image") && !gx_post_video("attachments/x.png", "video") &&
          gx_post_video(NULL, "video") && !gx_post_video(NULL, "image"));
    gx_posts_free(&p);
    CHECK_INT((int)mem.used, 0);
    memset(&m, 0, sizeof m);
    m.role = GROKX_ROLE_ASSISTANT;
    m.query = (grokx_str){"a cat", 5};
    m.query_type = (grokx_str){"Imagine", 7};
    m.text = (grokx_str){" \n", 2};
    CHECK(gx_imagine_turn(&m) && gx_imagine_no_image(&m));
    m.text = (grokx_str){"a cat.", 6};
    CHECK(!gx_imagine_turn(&m));
    m.text = (grokx_str){"", 0};
    m.query = (grokx_str){"  ", 2};
    CHECK(!gx_imagine_turn(&m)); /* no prompt to show */
    m.query = (grokx_str){"a cat", 5};
    m.role = GROKX_ROLE_USER;
    CHECK(!gx_imagine_turn(&m));
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
/* gx_find: memchr's loop, and memmem once near misses have cost the
 * text's length (both must find the same first match). */
static void
test_find(void)
{
    enum { N = 20000 };
    static char hay[N + 1];
    char needle[201];
    size_t at;
    memset(hay, 'a', N);
    memset(needle, 'a', 200);
    needle[200] = 0;
    CHECK(gx_find(hay, N, needle) == hay); /* a match at once */
    needle[199] = 'b';
    CHECK(gx_find(hay, N, needle) == NULL); /* every position a near miss */
    for (at = N - 200; at >= N - 1000; at -= 397) { /* found after the switch, exactly */
        memset(hay, 'a', N);
        hay[at + 199] = 'b';
        CHECK(gx_find(hay, N, needle) == hay + at);
    }
    CHECK(gx_find(hay, 5, "") == hay);
    CHECK(gx_find("ab<grok:render", 14, "<grok:render") != NULL);
    CHECK(gx_find("ab<grok:rende", 13, "<grok:render") == NULL);
}

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
    /* the typeless tag is a card with its inner text (gx_cards_resolve
     * decides what it shows); the last '<' opens no tag: text */
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_CARD && !s.type[0] && !strcmp(s.card_id, "z") &&
          s.len == 7 && !memcmp(s.text, "no type", 7));
    CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && !strncmp(s.text, "<grok:render type", 17));
    CHECK(!gx_rich_next(&it, &s));
    /* a title longer than its buffer is cut on a character boundary
     * (fuzz_index_build: the index stored the half character) */
    {
        char tag[512];
        size_t n = (size_t)snprintf(tag, sizeof tag, "<xaiArtifact title=\"a");
        int k;
        for (k = 0; k < 100; k++)
            n += (size_t)snprintf(tag + n, sizeof tag - n, "\xE6\x9D\xB1");
        n += (size_t)snprintf(tag + n, sizeof tag - n, "\">x</xaiArtifact>");
        gx_rich_init(&it, tag, n);
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_ARTIFACT && strlen(s.title) == 1 + 84 * 3 &&
              gx_utf8_valid(s.title, strlen(s.title)));
    }
    /* quoted values are read whole, whatever they hold: '>', '<', line
     * ends, the other quote, another attribute's name (D9: a title
     * "compare a > b.py" ended the tag at its '>': "untitled", no
     * language, the rest of the tag in the code) */
    {
        static const char *const tags[][3] = {
            {"<xaiArtifact title=\"compare a > b.py\" contentType=\"text/python\">", "compare a > b.py", "python"},
            {"<xaiArtifact title='it\"s > <b>' contentType='text/x-c'>", "it\"s > <b>", "c"},
            {"<xaiArtifact title=\"two\nlines > \" contentType = \"text/rust\">", "two\nlines > ", "rust"},
            {"<xaiArtifact title=\"contentType='text/evil'>\" contentType=\"text/go\">", "contentType='text/evil'>", "go"},
            {"<xaiArtifact\ttitle=bare contentType=text/css>", "bare", "css"},
        };
        size_t k;
        for (k = 0; k < sizeof tags / sizeof *tags; k++) {
            char buf[256];
            int n = snprintf(buf, sizeof buf, "%s\nprint(1)\n</xaiArtifact>after", tags[k][0]);
            gx_rich_init(&it, buf, (size_t)n);
            CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_ARTIFACT && !strcmp(s.title, tags[k][1]) &&
                  !strcmp(s.lang, tags[k][2]) && s.len == 9 && !memcmp(s.text, "print(1)\n", 9));
            CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 5 && !memcmp(s.text, "after", 5));
            CHECK(!gx_rich_next(&it, &s));
        }
    }
    /* <grok:render ...> the same way; a '/' or '>' inside a value neither
     * closes nor ends the tag */
    {
        const char *r = "x<grok:render card_id=\"a>/\" type='render_inline_citation'/>y";
        gx_rich_init(&it, r, strlen(r));
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 1);
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_CITATION && !strcmp(s.card_id, "a>/"));
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 1 && s.text[0] == 'y');
        CHECK(!gx_rich_next(&it, &s));
    }
    /* a quote never closed: the tag is text, and the tags after it are
     * still read (the answer is not swallowed) */
    {
        const char *u = "a<xaiArtifact title=\"open> code</xaiArtifact> b "
                        "<grok:render type='render_inline_citation' card_id='c'></grok:render>";
        gx_rich_init(&it, u, strlen(u));
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && s.len == 1);
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_TEXT && !strncmp(s.text, "<xaiArtifact title=\"open> code", 30) &&
              s.text + s.len == strstr(u, "<grok:render"));
        CHECK(gx_rich_next(&it, &s) && s.kind == GX_SEG_CITATION && !strcmp(s.card_id, "c"));
        CHECK(!gx_rich_next(&it, &s));
    }
    /* thousands of open quotes stay linear: one scan each quote */
    {
        enum { N = 20000 };
        static char many[N * 16 + 1];
        size_t n = 0, segs = 0;
        int k;
        for (k = 0; k < N; k++)
            n += (size_t)snprintf(many + n, sizeof many - n, "<grok:render a=\"");
        gx_rich_init(&it, many, n);
        while (gx_rich_next(&it, &s) && segs < 2 * N) {
            segs++;
            CHECK(s.kind == GX_SEG_TEXT);
        }
        CHECK(segs >= 1 && segs <= N);
    }
}

/* ---- the search tokenizer -------------------------------------------- */

/* Tokens as one string, "term@pos[start,end)" each, J for a joined form,
 * C for CJK; the callback returns stop_rc at token stop_at. */
typedef struct toklist {
    char out[8192];
    size_t n;
    unsigned count, stop_at;
    int stop_rc, rc;
} toklist;

static int
tok_cb(void *ud, const gx_tok *t)
{
    toklist *k = ud;
    int w = snprintf(k->out + k->n, sizeof k->out - k->n, "%s%.*s@%u[%zu,%zu)%s",
                     k->n ? " " : "", (int)t->len, t->term, (unsigned)t->pos, t->start, t->end,
                     t->flags == GX_TOK_JOINED ? "J" : t->flags == GX_TOK_CJK ? "C" : t->flags ? "?" : "");
    if (w > 0 && (size_t)w < sizeof k->out - k->n)
        k->n += (size_t)w;
    k->count++;
    return k->count == k->stop_at ? k->stop_rc : 0;
}

static toklist tk;

static const char *
tok_list(const char *text, size_t len)
{
    memset(&tk, 0, sizeof tk);
    tk.rc = gx_tokenize(text, len, tok_cb, &tk);
    return tk.out;
}

/* Literals may hold NUL bytes: their size, not strlen. */
#define CHECK_TOKS(text, want) CHECK_STR(tok_list(text, sizeof text - 1), want)

static void
test_tokenize(void)
{
    char big[400];
    size_t i;
    /* plain English: punctuation separates, ASCII folded */
    CHECK_TOKS("Hello, world! It's 2024-06-10.",
               "hello@0[0,5) world@1[7,12) it@2[14,16) s@3[17,18) 2024@4[19,23) 06@5[24,26) 10@6[27,29)");
    CHECK_INT(tk.rc, 0);
    CHECK_TOKS("THE End", "the@0[0,3) end@1[4,7)");
    /* accents, ß, fullwidth, ligatures, a combining mark (its bytes are the
     * word's), Turkish İ, Greek and Cyrillic */
    CHECK_TOKS("Café ÉCOLE naïve", "cafe@0[0,5) ecole@1[6,12) naive@2[13,19)");
    CHECK_TOKS("cafe\xcc\x81s cafe\xcc\x81 \xcc\x81x", "cafes@0[0,7) cafe@1[8,14) x@2[17,18)");
    CHECK_TOKS("Straße", "strasse@0[0,7)");
    CHECK_TOKS("ＡＢＣ ２０２４", "abc@0[0,9) 2024@1[10,22)");
    CHECK_TOKS("ﬁle", "file@0[0,5)");
    CHECK_TOKS("İstanbul", "istanbul@0[0,9)");
    CHECK_TOKS("ΣΊΣΥΦΟΣ ПриветМир",
               "σισυφοσ@0[0,14) привет@1[15,27) приветмир@1[15,33)J мир@2[27,33)");
    /* compatibility forms: numbers apart, symbols separate, ǅ is D + z */
    CHECK_TOKS("½ ⑴ ™ Ⅻ x² ǅemo",
               "1@0[0,2) 2@1[0,2) 1@2[3,6) xii@3[11,14) x@4[15,16) x2@4[15,18)J 2@5[16,18) dzemo@6[19,24)");
    /* soft hyphen joins, a zero-width space separates */
    CHECK_TOKS("soft\xc2\xadhyphen zero\xe2\x80\x8bwidth",
               "softhyphen@0[0,12) zero@1[13,17) width@2[20,25)");
    /* code: snake_case, camelCase, acronyms, letters and digits */
    CHECK_TOKS("snake_case getUserName",
               "snake@0[0,5) snake_case@0[0,10)J case@1[6,10) get@2[11,14) getusername@2[11,22)J "
               "user@3[14,18) name@4[18,22)");
    CHECK_TOKS("HTTPServer utf8proc v2",
               "http@0[0,4) httpserver@0[0,10)J server@1[4,10) utf@2[11,14) utf8proc@2[11,19)J "
               "8@3[14,15) proc@4[15,19) v@5[20,21) v2@5[20,22)J 2@6[21,22)");
    CHECK_TOKS("iOS ABc URLs IDsFor",
               "i@0[0,1) ios@0[0,3)J os@1[1,3) a@2[4,5) abc@2[4,7)J bc@3[5,7) urls@4[8,12) "
               "ids@5[13,16) idsfor@5[13,19)J for@6[16,19)");
    CHECK_TOKS("HTTPServer_v2", "http@0[0,4) httpserver_v2@0[0,13)J server@1[4,10) v@2[11,12) 2@3[12,13)");
    /* one underscore joins; two, a leading or a trailing one separate */
    CHECK_TOKS("a__b _x_ y_ __init__", "a@0[0,1) b@1[3,4) x@2[6,7) y@3[9,10) init@4[14,18)");
    CHECK_TOKS("42 3.14 0x1F",
               "42@0[0,2) 3@1[3,4) 14@2[5,7) 0@3[8,9) 0x1f@3[8,12)J x@4[9,10) 1@5[10,11) f@6[11,12)");
    /* paths, e-mail addresses, URLs: separate words */
    CHECK_TOKS("src/main.c", "src@0[0,3) main@1[4,8) c@2[9,10)");
    CHECK_TOKS("jane.doe@example.com", "jane@0[0,4) doe@1[5,8) example@2[9,16) com@3[17,20)");
    CHECK_TOKS("https://x.org/a-b?q=1", "https@0[0,5) x@1[8,9) org@2[10,13) a@3[14,15) b@4[16,17) q@5[18,19) 1@6[20,21)");
    /* CJK: bigrams, a lone character, runs cut by Latin and digits */
    CHECK_TOKS("中国人", "中国@0[0,6)C 国人@1[3,9)C");
    CHECK_TOKS("中", "中@0[0,3)C");
    CHECK_TOKS("用Python写", "用@0[0,3)C python@1[3,9) 写@2[9,12)C");
    CHECK_TOKS("2024年 中文abc中文", "2024@0[0,4) 年@1[4,7)C 中文@2[8,14)C abc@3[14,17) 中文@4[17,23)C");
    CHECK_TOKS("a_中 中_a 中。国", "a@0[0,1) 中@1[2,5)C 中@2[6,9)C a@3[10,11) 中@4[12,15)C 国@5[18,21)C");
    /* Hangul syllables stay syllables; jamo compose into them */
    CHECK_TOKS("한국어 하", "한국@0[0,6)C 국어@1[3,9)C 하@2[10,13)C");
    CHECK_TOKS("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8 ㅎㅏ 가\xe1\x86\xa8",
               "각@0[0,9)C 하@1[10,16)C 각@2[17,23)C");
    /* kana: voicing marks kept and composed, halfwidth made fullwidth */
    CHECK_TOKS("ひらがな カタカナ", "ひら@0[0,6)C らが@1[3,9)C がな@2[6,12)C カタ@3[13,19)C "
               "タカ@4[16,22)C カナ@5[19,25)C");
    CHECK_TOKS("ｶﾀｶﾅ ｶﾞ か\xe3\x82\x99", "カタ@0[0,6)C タカ@1[3,9)C カナ@2[6,12)C ガ@3[13,19)C が@4[20,26)C");
    /* symbols NFKC turns into CJK: radicals, squared words, ㈱ */
    CHECK_TOKS("⽇本 ㍿ ㈱", "日本@0[0,6)C 株式@1[7,10)C 式会@2[7,10)C 会社@3[7,10)C 株@4[11,14)C");
    /* emoji separate, with their variation selectors and joiners */
    CHECK_TOKS("a👍b 🎉 ❤️x 👨‍👩‍👧", "a@0[0,1) b@1[5,6) x@2[18,19)");
    /* Cherokee folds to capitals: caseless, no camelCase split */
    CHECK_TOKS("aꭰ aᎠ", "aᎠ@0[0,4) aᎠ@1[5,9)");
    /* invalid UTF-8 separates: stray bytes, truncated, overlong, surrogate,
     * above U+10FFFF; NUL separates */
    CHECK_TOKS("a\xff" "b\xc3", "a@0[0,1) b@1[2,3)");
    CHECK_TOKS("ab\x80" "cd \xe4\xb8 \xc0\xafx \xed\xa0\x80z \xf4\x90\x80\x80w",
               "ab@0[0,2) cd@1[3,5) x@2[11,12) z@3[16,17) w@4[22,23)");
    CHECK_TOKS("a\0b", "a@0[0,1) b@1[2,3)");
    CHECK_TOKS("中\xe4\xb8\xad\xe4", "中中@0[0,6)C");
    /* empty input, and nothing but separators */
    CHECK_TOKS("", "");
    CHECK_INT(tk.count, 0);
    CHECK_INT(gx_tokenize(NULL, 0, tok_cb, &tk), 0);
    CHECK_INT(tk.count, 0);
    CHECK_TOKS(" .,;-- \n\t", "");
    /* GX_TERM_MAX: 64 bytes kept, 65 skipped but its position used */
    memset(big, 0, sizeof big);
    memcpy(big, "x ", 2);
    memset(big + 2, 'a', 64);
    memcpy(big + 66, " y", 2);
    tok_list(big, 68);
    CHECK_INT(tk.count, 3);
    CHECK(strstr(tk.out, "x@0[0,1) aaaa") == tk.out && strstr(tk.out, "a@1[2,66) y@2[67,68)"));
    memset(big + 2, 'A', 65);
    memcpy(big + 67, " y", 2);
    CHECK_STR(tok_list(big, 69), "x@0[0,1) y@2[68,69)");
    /* the same through the general path: é + 63 a is 64 bytes, + 64 a 65 */
    memcpy(big + 2, "\xc3\xa9", 2);
    memset(big + 4, 'a', 64);
    memcpy(big + 67, " y", 2);
    tok_list(big, 69);
    CHECK(tk.count == 3 && strstr(tk.out, "x@0[0,1) eaaa") && strstr(tk.out, "a@1[2,67) y@2[68,69)"));
    big[67] = 'a';
    memcpy(big + 68, " y", 2);
    CHECK_STR(tok_list(big, 70), "x@0[0,1) y@2[69,70)");
    /* bytes after normalisation count: 33 é (66 bytes) are 33 e, kept;
     * 33 ж are 66 bytes, skipped */
    for (i = 0; i < 33; i++)
        memcpy(big + 2 + 2 * i, "\xc3\xa9", 2);
    memcpy(big + 68, " y", 2);
    tok_list(big, 70);
    CHECK(tk.count == 3 && strstr(tk.out, " eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@1[2,68) y@2[69,70)"));
    for (i = 0; i < 33; i++)
        memcpy(big + 2 + 2 * i, "\xd0\xb6", 2);
    CHECK_STR(tok_list(big, 70), "x@0[0,1) y@2[69,70)");
    /* a long joined form is skipped, its parts are not */
    memset(big, 'a', 40);
    big[40] = '_';
    memset(big + 41, 'b', 40);
    tok_list(big, 81);
    CHECK_INT(tk.count, 2);
    CHECK(strstr(tk.out, "a@0[0,40) bbbb") && strstr(tk.out, "b@1[41,81)") && !strchr(tk.out, '_'));
    /* a long part is skipped, the others are not */
    memset(big, 'a', 70);
    memcpy(big + 70, "Bc d", 4);
    CHECK_STR(tok_list(big, 74), "bc@1[70,72) d@2[73,74)");
    /* a compound over the split buffer (256 bytes) is one skipped position */
    for (i = 0; i < 300; i += 2)
        memcpy(big + i, "aB", 2);
    memcpy(big + 300, " z", 2);
    CHECK_STR(tok_list(big, 302), "z@1[301,302)");
    for (i = 0; i < 300; i += 2)
        memcpy(big + i, "a_", 2);
    big[299] = 'a';
    CHECK_STR(tok_list(big, 302), "z@1[301,302)");
    /* the callback's non-zero return stops at once and is returned */
    memset(&tk, 0, sizeof tk);
    tk.stop_at = 2, tk.stop_rc = 7;
    CHECK_INT(gx_tokenize("one two three", 13, tok_cb, &tk), 7);
    CHECK_STR(tk.out, "one@0[0,3) two@1[4,7)");
    memset(&tk, 0, sizeof tk);
    tk.stop_at = 2, tk.stop_rc = -3;
    CHECK_INT(gx_tokenize("getUserName x", 13, tok_cb, &tk), -3);
    CHECK_STR(tk.out, "get@0[0,3) getusername@0[0,11)J");
    memset(&tk, 0, sizeof tk);
    tk.stop_at = 1, tk.stop_rc = 1;
    CHECK_INT(gx_tokenize("中国人", 9, tok_cb, &tk), 1);
    CHECK_INT(tk.count, 1);
    memset(&tk, 0, sizeof tk);
    tk.stop_at = 1, tk.stop_rc = 9;
    CHECK_INT(gx_tokenize("last", 4, tok_cb, &tk), 9);
    /* a query word gives the terms the text gave (the index and the query
     * agree): plain terms tokenise to themselves */
    CHECK_TOKS("strasse", "strasse@0[0,7)");
    CHECK_TOKS("aᎠ", "aᎠ@0[0,4)");
    CHECK_TOKS("приветмир", "приветмир@0[0,18)");
}

/* ---- HTML escaping: the 16-byte scan against a byte-by-byte one ----- */

static void
test_html_escape(void)
{
    static const char specials[] = "&<>\"'";
    static const char *const esc[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    char in[64], want[400];
    size_t len, pos, k;
    gx_mem mem;
    gx_buf b;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&b, &mem);
    for (len = 0; len <= 48; len++)
        for (pos = 0; pos <= len; pos++)
            for (k = 0; k < 5; k++) {
                size_t i, w = 0;
                for (i = 0; i < len; i++) /* one special at pos, another at the end */
                    in[i] = i == pos ? specials[k] : i + 1 == len && len > 20 ? specials[4 - k]
                                                                               : (char)('a' + i % 26);
                for (i = 0; i < len; i++) {
                    const char *e = strchr(specials, in[i]);
                    if (e) {
                        memcpy(want + w, esc[e - specials], strlen(esc[e - specials]));
                        w += strlen(esc[e - specials]);
                    } else {
                        want[w++] = in[i];
                    }
                }
                want[w] = 0;
                b.len = 0;
                CHECK_INT(gx_html_escape(&b, in, len), 0);
                CHECK_MSG(b.len == w && !memcmp(b.ptr ? b.ptr : "", want, w),
                          "escape of %zu bytes, special %zu at %zu: %s", len, k, pos, b.ptr);
            }
    b.len = 0; /* UTF-8 and bytes >= 0x80 pass untouched */
    CHECK_INT(gx_html_escape(&b, "caf\xc3\xa9 \xe2\x80\x94 <b> & \"x\" 'y' 0123456789abcdef<", 41), 0);
    CHECK_STR(b.ptr, "caf\xc3\xa9 \xe2\x80\x94 &lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; 0123456789abcdef&lt;");
    CHECK_INT(b.len, strlen(b.ptr));
    gx_buf_free(&b);
}

/* ---- memory for a long string ----------------------------------------- */

/* An 8 MiB answer fed in 64 KiB reads: slices stay at 1 MiB until a token
 * has been open for 16 of them, so the staging buffer never holds the
 * answer again beside yajl's buffer and the arena (4.5x before, 3.8x now). */
static void
test_long_string_memory(void)
{
    size_t n = (size_t)8 << 20, len, off;
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, NULL, NULL, NULL, NULL, NULL};
    char *j = malloc(n + 256);
    grokx_writer *w = grokx_writer_new(&vt, NULL);
    grokx_parser *p;
    size_t peak;
    if (!j || !w || !(p = grokx_parser_new(NULL, w)))
        abort();
    len = (size_t)snprintf(j, 256, "{\"conversations\":[{\"conversation\":{\"id\":\"c\"},"
                                   "\"responses\":[{\"response\":{\"_id\":\"m\",\"message\":\"");
    memset(j + len, 'a', n);
    len += n;
    memcpy(j + len, "\"}}]}]}", 7);
    len += 7;
    for (off = 0; off < len; off += 65536)
        CHECK_INT(grokx_parser_feed(p, j + off, GX_MIN((size_t)65536, len - off)), 0);
    CHECK_INT(grokx_parser_finish(p), 0);
    peak = grokx_parser_stats(p)->peak_memory;
    CHECK_MSG(peak < 4 * n, "an 8 MiB string took %.2f times its size", (double)peak / (double)n);
    grokx_parser_free(p);
    grokx_writer_free(w);
    free(j);
}

/* Whitespace (and the ',' ':' between tokens) is no token: gaps of 3 MiB
 * with max_string at 4 KiB, before the first conversation, between a key
 * and its value and at the end, parse with memory that stays at the slice
 * (they were "no JSON token ends within max_string", and each slice of
 * them doubled the next). An error after such a gap has its exact offset,
 * line and column. The gap alternates lines of 61 spaces and newlines. */
static void
test_whitespace_gaps(void)
{
    size_t gap = (size_t)3 << 20, i, len = 0, cap = 4 * gap + 1024;
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, t_conv, NULL, NULL, NULL, NULL};
    char *j = malloc(cap);
    tally t = {0};
    grokx_writer *w = grokx_writer_new(&vt, &t);
    grokx_options o;
    grokx_parser *p;
    const grokx_error *e;
    uint64_t lines = 0;
    int bad;
    if (!j || !w)
        abort();
#define GAP()                                                                                       \
    do {                                                                                            \
        for (i = 0; i < gap; i++)                                                                   \
            j[len++] = i % 62 == 61 ? '\n' : ' ';                                                   \
    } while (0)
#define PUT(lit) (memcpy(j + len, lit, sizeof lit - 1), len += sizeof lit - 1)
    for (bad = 0; bad < 2; bad++) {
        len = 0;
        memset(&t, 0, sizeof t);
        PUT("{\"conversations\":[");
        GAP();
        PUT("{\"conversation\":{\"id\":\"c\",\"title\":");
        GAP();
        if (bad) {
            lines = 1 + 2 * (gap / 62); /* (gap / 62) newlines per gap, none elsewhere */
            PUT("\"t\",}");             /* the error: '}' after ',' */
        } else
            PUT("\"t\"}}]}");
        GAP();
        grokx_options_init(&o);
        o.max_string = 4096;
        if (!(p = grokx_parser_new(&o, w)))
            abort();
        for (i = 0; i < len; i += 65536)
            if (grokx_parser_feed(p, j + i, GX_MIN((size_t)65536, len - i)) != 0)
                break;
        if (!bad) {
            CHECK_INT(i >= len ? grokx_parser_finish(p) : -99, 0);
            CHECK_INT(t.conversations, 1);
            CHECK_STR(t.last_title, "t");
            CHECK_MSG(grokx_parser_stats(p)->peak_memory < ((size_t)5 << 19),
                      "9 MiB of whitespace took %zu bytes", grokx_parser_stats(p)->peak_memory);
        } else {
            e = grokx_parser_error(p);
            CHECK_INT(e->code, GROKX_E_SYNTAX);
            CHECK_INT(e->offset, 18 + 2 * gap + 34 + 4);
            CHECK_INT(e->line, lines);
            CHECK_INT(e->column, (gap % 62) + 1 + 4);
        }
        grokx_parser_free(p);
    }
#undef GAP
#undef PUT
    grokx_writer_free(w);
    free(j);
}

static int
buf_sink_write(void *ud, const char *p, size_t n)
{
    char *b = ud;
    size_t have = strlen(b);
    if (have + n >= 256)
        return -1;
    memcpy(b + have, p, n);
    b[have + n] = 0;
    return 0;
}

/* grokx_terminal_write, the one sanitiser of what grokx prints from an
 * export (and of grokx info's names): every neutralised character, its
 * neighbours that must stay, sequences cut at the end, and JSON mode. */
static void
test_terminal_write(void)
{
    static const struct { const char *in, *text, *json; } cases[] = {
        {"plain ascii", "plain ascii", "plain ascii"},
        {"a\x1b[31mb\x07" "c\x7f" "d\n", "a [31mb c d ", "a\x1b[31mb\x07" "c\\u007fd\n"},
        {"\xc2\x9b" "2J\xc2\x80\xc2\x9f\xc2\xa0", " 2J  \xc2\xa0", "\\u009b2J\\u0080\\u009f\xc2\xa0"},
        {"x\xe2\x80\xaey\xe2\x80\xaaz", "x\xef\xbf\xbdy\xef\xbf\xbdz", "x\\u202ey\\u202az"},
        {"\xe2\x80\xa8\xe2\x80\xa9", "  ", "\\u2028\\u2029"},
        {"\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\\u2066\\u2069\\u200e\\u200f\\u061c"},
        /* neighbours kept: U+2027, U+202F, U+2065, U+206A, U+061B, U+200D, e-acute, CJK, U+FFFD */
        {"\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b\xe2\x80\x8d\xc3\xa9\xe6\x97\xa5\xef\xbf\xbd",
         "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b\xe2\x80\x8d\xc3\xa9\xe6\x97\xa5\xef\xbf\xbd",
         "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b\xe2\x80\x8d\xc3\xa9\xe6\x97\xa5\xef\xbf\xbd"},
        {"cut \xe2\x80", "cut \xe2\x80", "cut \xe2\x80"},
        {"cut \xc2", "cut \xc2", "cut \xc2"},
        {"{\"a\":\"\\\"q\"}", "{\"a\":\"\\\"q\"}", "{\"a\":\"\\\"q\"}"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256] = "";
        grokx_sink sink = {buf_sink_write, out};
        CHECK_INT(grokx_terminal_write(sink, cases[i].in, strlen(cases[i].in), 0), 0);
        CHECK_MSG(!strcmp(out, cases[i].text), "case %zu as text: \"%s\"", i, out);
        out[0] = 0;
        CHECK_INT(grokx_terminal_write(sink, cases[i].in, strlen(cases[i].in), GROKX_TERMINAL_JSON), 0);
        CHECK_MSG(!strcmp(out, cases[i].json), "case %zu as JSON: \"%s\"", i, out);
    }
    {   /* a failing sink is GROKX_E_IO */
        char out[256];
        grokx_sink sink = {buf_sink_write, out};
        memset(out, 'x', 255);
        out[255] = 0;
        CHECK_INT(grokx_terminal_write(sink, "a\x1b", 2, 0), GROKX_E_IO);
    }
}

/* gx_hash64 is stored in manifests: its values must be XXH64's, for every
 * length path (stripes of 32, words of 8, a word of 4, single bytes). The
 * references are what xxhsum -H1 prints for bytes (i * 7 + 3) & 255. */
static void
test_hash64(void)
{
    static const struct {
        size_t n;
        uint64_t h;
    } ref[] = {
        {0, 0xef46db3751d8e999ull},
        {1, 0x1f25c8d0bc1f4bb6ull},
        {3, 0x31d2363f52e564c9ull},
        {4, 0x9bb64b7d66ee9fdaull},
        {7, 0x9a7b149959ce60d8ull},
        {8, 0xdab99d95c6f90092ull},
        {12, 0xd52e407833af5133ull},
        {31, 0xa2aa5f33cc4a6119ull},
        {32, 0x23c3c17ef790fd97ull},
        {33, 0x50a7cfc7ba588784ull},
        {63, 0x5e3e54b431c7493cull},
        {64, 0x0eb64b3ef6eeb01full},
        {100, 0xa61f8d4c170fe531ull},
        {1000, 0x5f235fa033f1a3fbull},
    };
    unsigned char data[1000];
    size_t i;
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)((i * 7 + 3) & 255);
    for (i = 0; i < sizeof ref / sizeof ref[0]; i++)
        CHECK(gx_hash64(data, ref[i].n) == ref[i].h);
    CHECK(gx_hash64("abc", 3) == 0x44bc2cf5ad770999ull);
    /* version-1 manifests: FNV-1a's step from a basis short of one digit
     * (1469598103934665603), which is what those files hold */
    CHECK(gx_hash64_v1("", 0) == 0x14650fb0739d0383ull);
    CHECK(gx_hash64_v1("a", 1) == 0x44bd8ad473cd9906ull);
}

/* The one FNV-1a: values computed before the three copies (manifests of
 * version 1, names, message ids, index terms) became one, so none moved. */
static void
test_fnv(void)
{
    static const struct {
        const char *s;
        uint64_t v1;
        uint32_t h32;
    } ref[] = {
        {"", 0x14650fb0739d0383ull, 0x811c9dc5u},
        {"a", 0x44bd8ad473cd9906ull, 0xe40c292cu},
        {"search", 0x8e8505a647dfa41bull, 0x803328a9u},
        {"caf\xc3\xa9", 0x8385b6459d53dff7ull, 0xa82b5049u},
    };
    static const struct {
        const char *name;
        uint64_t h;
    } names[] = {
        {"", 0x14650fb0739d0383ull},
        {"Notes/Hello World.md", 0xe71678a7d481c20aull},
        {"Caf\xc3\xa9", 0x8385b6459d53dff7ull},      /* NFC, as "café" */
        {"CAFE\xcc\x81", 0x8385b6459d53dff7ull},     /* NFD, upper case */
        {"STRASSE", 0xaa28c5728419478eull},
        {"stra\xc3\x9f" "e", 0xaa28c5728419478eull}, /* full case folding */
        {"\xce\xa3\xce\xa3", 0x3eb73ed881b13567ull},
    };
    size_t i;
    for (i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        size_t n = strlen(ref[i].s);
        CHECK(gx_hash64_v1(ref[i].s, n) == ref[i].v1);
        CHECK(gx_fnv1a64(GX_FNV64_BASIS_V1, ref[i].s, n) == ref[i].v1);
        CHECK(gx_fnv1a32(GX_FNV32_BASIS, ref[i].s, n) == ref[i].h32);
        /* it goes on from a hash: "ab" is "b" after "a" */
        if (n)
            CHECK(gx_fnv1a64(gx_fnv1a64(GX_FNV64_BASIS_V1, ref[i].s, 1), ref[i].s + 1, n - 1) ==
                  ref[i].v1);
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK_MSG(gx_name_fold_hash(names[i].name) == names[i].h, "%s", names[i].name);
}

/* Outputs vs the input, as an embedder meets them: grokx_output_check()
 * by inode whatever the spelling, grokx_writer_create() refusing an
 * out_dir inside the input folder (nothing made), the folder lock, a
 * file output's lock, and manifest paths judged on components. */
static void
test_output_safety(void)
{
    char dir[] = "/tmp/grokx-out-XXXXXX", in[400], sub[256], out[400], other[400];
    grokx_input *input;
    grokx_writer_config cfg;
    grokx_writer *w = NULL, *w2 = NULL;
    grokx_error err;
    grokx_file *f, *g;
    struct stat st;
    FILE *fp;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/export", dir);
    CHECK(mkdir(sub, 0700) == 0);
    snprintf(in, sizeof in, "%s/prod-grok-backend.json", sub);
    CHECK((fp = fopen(in, "w")) != NULL);
    fputs("{\"conversations\":[]}", fp);
    fclose(fp);
    CHECK_INT(grokx_output_check(in, in, &err), GROKX_E_INVALID);
    CHECK(strstr(err.text, "is the input") != NULL);
    snprintf(out, sizeof out, "%s/../export/./prod-grok-backend.json", sub);
    CHECK_INT(grokx_output_check(in, out, NULL), GROKX_E_INVALID);
    snprintf(out, sizeof out, "%s/hard.json", dir);
    CHECK(link(in, out) == 0);
    CHECK_INT(grokx_output_check(in, out, NULL), GROKX_E_INVALID);
    snprintf(out, sizeof out, "%s/notes/2025", sub);
    CHECK_INT(grokx_output_check(sub, out, &err), GROKX_E_INVALID);
    CHECK(strstr(err.text, "inside the input folder") != NULL);
    CHECK_INT(grokx_output_check(in, dir, &err), GROKX_E_INVALID);
    CHECK(strstr(err.text, "inside the output folder") != NULL);
    snprintf(out, sizeof out, "%s/notes", dir);
    CHECK_INT(grokx_output_check(in, out, NULL), 0);
    CHECK_INT(grokx_output_check(in, "-", NULL), 0);
    /* the writer refuses the same, and makes nothing */
    CHECK_INT(grokx_input_open(sub, NULL, &input, &err), 0);
    grokx_writer_config_init(&cfg);
    cfg.input = input;
    snprintf(out, sizeof out, "%s/notes", sub);
    cfg.out_dir = out;
    CHECK_INT(grokx_writer_create("md", &cfg, &w), GROKX_E_INVALID);
    CHECK(w == NULL && stat(out, &st) != 0);
    CHECK_INT(grokx_writer_create("html", &cfg, &w), GROKX_E_INVALID);
    /* grokx_writer_open says why in words, the same codes */
    CHECK_INT(grokx_writer_open("md", &cfg, &w, &err), GROKX_E_INVALID);
    CHECK_MSG(strstr(err.text, "inside the input folder") != NULL && err.code == GROKX_E_INVALID,
              "md into the input: \"%s\"", err.text);
    CHECK_INT(grokx_writer_open("no-such-format", &cfg, &w, &err), GROKX_E_INVALID);
    CHECK_MSG(strstr(err.text, "unknown format \"no-such-format\" (available: events, md") != NULL,
              "unknown format: \"%s\"", err.text);
    CHECK_INT(grokx_writer_open("md", NULL, &w, NULL), GROKX_E_INVALID);
    /* one writer per folder: the second fails with EWOULDBLOCK until the first is freed */
    snprintf(out, sizeof out, "%s/notes", dir);
    CHECK_INT(grokx_writer_create("md", &cfg, &w), 0);
    errno = 0;
    CHECK_INT(grokx_writer_create("html", &cfg, &w2), GROKX_E_IO);
    CHECK(errno == EWOULDBLOCK && w2 == NULL);
    CHECK_INT(grokx_writer_open("html", &cfg, &w2, &err), GROKX_E_IO);
    CHECK_MSG(strstr(err.text, ".grokx-lock") != NULL && w2 == NULL, "the lock: \"%s\"", err.text);
    grokx_writer_free(w);
    CHECK_INT(grokx_writer_create("html", &cfg, &w2), 0);
    grokx_writer_free(w2);
    grokx_input_close(input);
    /* a file output's lock: a second open of the same path fails, another path does not */
    snprintf(out, sizeof out, "%s/x.gxi", dir);
    snprintf(other, sizeof other, "%s/y.gxi", dir);
    CHECK((f = grokx_file_open(out, 0, GROKX_FILE_LOCK)) != NULL);
    errno = 0;
    CHECK(grokx_file_open(out, 0, GROKX_FILE_LOCK) == NULL && errno == EWOULDBLOCK);
    CHECK((g = grokx_file_open(other, 0, GROKX_FILE_LOCK)) != NULL);
    grokx_file_abort(g);
    CHECK_INT(grokx_file_commit(f), 0);
    CHECK((f = grokx_file_open(out, 0, GROKX_FILE_LOCK)) != NULL);
    grokx_file_abort(f);
    /* relative paths on components */
    CHECK(gx_rel_safe("2025/03/Wait... what.md") && gx_rel_safe("..a/b..") && gx_rel_safe("a/.x"));
    CHECK(!gx_rel_safe("../x.md") && !gx_rel_safe("a/../x.md") && !gx_rel_safe("a/..") &&
          !gx_rel_safe("/etc/x") && !gx_rel_safe("a//b") && !gx_rel_safe("./a") && !gx_rel_safe("a/") &&
          !gx_rel_safe("a\\..\\b") && !gx_rel_safe(""));
    /* temporaries: the last ".tmp-" of a name, digits only */
    CHECK(gx_temp_pid("a.tmp-b.md.tmp-123-4", NULL) == 123 && gx_temp_pid("draft.tmp-2024-x", NULL) == 0 &&
          gx_temp_pid("x.md.tmp-", NULL) == 0);
    {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0);
    }
}

/* Issue 27, item 14: an artifact's MIME type names its fence's language
 * ("text/x-python" gave "x-python", which no highlighter knows). */
static void
test_mime_lang(void)
{
    static const char *const cases[][2] = {
        {"text/x-python", "python"}, {"text/python", "python"}, {"application/javascript", "javascript"},
        {"Application/JavaScript", "javascript"}, {"text/x-c++src", "cpp"}, {"text/x-sh", "sh"},
        {"application/json", "json"}, {"application/ld+json", "json"}, {"text/markdown", "markdown"},
        {"text/x-rust", "rust"}, {"text/x-python; charset=utf-8", "python"}, {"text/plain", ""},
        {"python", "python"}, {"", ""}, {"text/x-`evil`\n```", "evil"}, {"image/svg+xml", "xml"}};
    char out[32];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gx_mime_lang(cases[i][0], out, sizeof out);
        CHECK_MSG(!strcmp(out, cases[i][1]), "%s: got %s, want %s", cases[i][0], out, cases[i][1]);
    }
    gx_mime_lang("text/x-javascript-that-is-far-too-long-for-the-buffer", out, 8);
    CHECK(strlen(out) == 7);
}

/* grokx_convert(): the CLI's convert in one call, with its rules about
 * outputs (the Python tests compare its bytes with the CLI's). */
typedef struct conv_mem {
    char buf[256];
    size_t n;
} conv_mem;

static int
conv_mem_write(void *ud, const char *b, size_t len)
{
    conv_mem *m = ud;
    size_t k = len < sizeof m->buf - 1 - m->n ? len : sizeof m->buf - 1 - m->n;
    memcpy(m->buf + m->n, b, k);
    m->n += k;
    m->buf[m->n] = 0;
    return 0;
}

static void
test_convert_one_call(void)
{
    char dir[] = "/tmp/grokx-conv-XXXXXX", p[512], q[512];
    const char *in = "examples/sample-export.json";
    grokx_stats st;
    grokx_error err;
    grokx_options o;
    grokx_writer_config cfg;
    grokx_index *ix = NULL;
    struct stat sb, before;
    conv_mem mem = {{0}, 0};
    int fd;
    char head[3000];
    CHECK(mkdtemp(dir) != NULL);
    /* one single-file format: the file itself, 0600, a valid index */
    snprintf(p, sizeof p, "%s/one.gxi", dir);
    CHECK_INT(grokx_convert(in, p, "index", NULL, NULL, NULL, &st, &err), GROKX_OK);
    CHECK(st.conversations == 5 && st.messages > 0);
    CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(grokx_index_open(p, &ix, &err), GROKX_OK);
    CHECK_INT(grokx_index_check(ix, &err), GROKX_OK);
    grokx_index_close(ix);
    /* several: a folder with one of each, named as the CLI names them */
    snprintf(p, sizeof p, "%s/all", dir);
    CHECK_INT(grokx_convert(in, p, "md,events", NULL, NULL, NULL, NULL, &err), GROKX_OK);
    snprintf(q, sizeof q, "%s/all/events.jsonl", dir);
    CHECK(stat(q, &sb) == 0 && S_ISREG(sb.st_mode));
    snprintf(q, sizeof q, "%s/all/md", dir);
    CHECK(stat(q, &sb) == 0 && S_ISDIR(sb.st_mode));
    /* refused before anything is made: an unknown format, a repeated one,
     * an output over the input, a struct of another ABI */
    snprintf(p, sizeof p, "%s/x", dir);
    CHECK_INT(grokx_convert(in, p, "md,nosuch", NULL, NULL, NULL, NULL, &err), GROKX_E_INVALID);
    CHECK(strstr(err.text, "nosuch") != NULL && stat(p, &sb) != 0);
    CHECK_INT(grokx_convert(in, p, "md,md", NULL, NULL, NULL, NULL, &err), GROKX_E_INVALID);
    CHECK(stat(in, &before) == 0);
    CHECK_INT(grokx_convert(in, in, "events", NULL, NULL, NULL, NULL, &err), GROKX_E_INVALID);
    CHECK(stat(in, &sb) == 0 && sb.st_size == before.st_size && sb.st_mtime == before.st_mtime);
    grokx_options_init(&o);
    o.abi_version = 99;
    CHECK_INT(grokx_convert(in, p, "md", &o, NULL, NULL, NULL, &err), GROKX_E_VERSION);
    CHECK(stat(p, &sb) != 0);
    /* a file that is not grokx's: left alone, an output error */
    snprintf(p, sizeof p, "%s/theirs.gxi", dir);
    fd = open(p, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && write(fd, "hello", 5) == 5 && close(fd) == 0);
    CHECK_INT(grokx_convert(in, p, "index", NULL, NULL, NULL, NULL, &err), GROKX_E_IO);
    CHECK(err.origin == GROKX_ORIGIN_WRITER && stat(p, &sb) == 0 && sb.st_size == 5);
    /* a truncated export: the parser's error with its position, no output */
    fd = open(in, O_RDONLY);
    CHECK(fd >= 0 && read(fd, head, sizeof head) == (ssize_t)sizeof head && close(fd) == 0);
    snprintf(q, sizeof q, "%s/cut.json", dir);
    fd = open(q, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && write(fd, head, sizeof head) == (ssize_t)sizeof head && close(fd) == 0);
    snprintf(p, sizeof p, "%s/cut.gxi", dir);
    CHECK_INT(grokx_convert(q, p, "index", NULL, NULL, NULL, &st, &err), GROKX_E_TRUNCATED);
    CHECK(err.offset == sizeof head && err.line >= 1 && err.origin == GROKX_ORIGIN_INPUT);
    CHECK(stat(p, &sb) != 0);
    /* no out: the one streaming format to cfg.sink; a folder format refused */
    grokx_writer_config_init(&cfg);
    cfg.sink.write = conv_mem_write;
    cfg.sink.ud = &mem;
    CHECK_INT(grokx_convert(in, NULL, "events", NULL, &cfg, NULL, NULL, &err), GROKX_OK);
    CHECK(!strncmp(mem.buf, "{\"event\":\"begin_export\"", 23));
    CHECK_INT(grokx_convert(in, NULL, "html", NULL, &cfg, NULL, NULL, &err), GROKX_E_INVALID);
    CHECK_INT(grokx_convert(in, NULL, "md,events", NULL, &cfg, NULL, NULL, &err), GROKX_E_INVALID);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    CHECK(system(p) == 0);
}

int
main(void)
{
    test_utf8();
    test_hash64();
    test_fnv();
    test_time();
    test_jsonw();
    test_names();
    test_api();
    test_constructors_and_accessors();
    test_not_export();
    test_oom();
    test_parse_fd();
    test_truncations();
    test_limits();
    test_surrogates();
    test_writers();
    test_summary();
    test_file_sink();
    test_card_fields();
    test_find();
    test_rich_segments();
    test_cards_resolve();
    test_posts();
    test_thinking_seconds();
    test_tokenize();
    test_html_escape();
    test_long_string_memory();
    test_whitespace_gaps();
    test_terminal_write();
    test_output_safety();
    test_mime_lang();
    test_convert_one_call();
    return test_report("unit");
}
