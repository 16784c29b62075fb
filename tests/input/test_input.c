/*
 * test_input.c -- attachments and entries through the library, on the
 * fixtures tests/input/make_zips.py builds (argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grokx.h"
#include "test.h"

#define ASSET1 "a1b2c3d4-0000-4000-8000-000000000001"
#define ASSET2 "a1b2c3d4-0000-4000-8000-000000000002"

static const char *dir;

static grokx_input *
open_fixture(const char *name)
{
    char path[1024];
    grokx_input *in = NULL;
    grokx_error err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECK_MSG(grokx_input_open(path, NULL, &in, &err) == 0, "%s: %s", name, err.text);
    return in;
}

static size_t
read_all(grokx_asset *a, unsigned char *buf, size_t cap)
{
    size_t got, n = 0;
    while (grokx_asset_read(a, buf + n, cap - n > 7 ? 7 : cap - n, &got) == 0 && got)
        n += got; /* small reads cross the sniffed head */
    return n;
}

static void
check_assets(const char *fixture, int has_pdf)
{
    grokx_input *in = open_fixture(fixture);
    grokx_asset *a;
    unsigned char buf[4096];
    if (!in)
        return;
    CHECK_INT(grokx_asset_open(in, ASSET1, &a), 0);
    CHECK_STR(grokx_asset_mime(a), "image/png");
    CHECK_STR(grokx_asset_ext(a), "png");
    CHECK_INT(grokx_asset_size(a), 72);
    CHECK_INT(read_all(a, buf, sizeof buf), 72);
    CHECK(!memcmp(buf, "\x89PNG\r\n\x1a\n", 8) && buf[71] == 0);
    grokx_asset_close(a);
    if (has_pdf) {
        CHECK_INT(grokx_asset_open(in, ASSET2, &a), 0);
        CHECK_STR(grokx_asset_ext(a), "pdf");
        CHECK_INT(read_all(a, buf, sizeof buf), 109);
        grokx_asset_close(a);
    }
    CHECK_INT(grokx_asset_open(in, "0f1e2d3c-4b5a-4678-9abc-def012345678", &a), GROKX_E_NOTFOUND);
    CHECK_INT(grokx_asset_open(in, "no-such-asset", &a), GROKX_E_NOTFOUND);
    grokx_input_close(in);
}

/* A writer that opens an attachment while the backend JSON streams from
 * the same ZIP (the Markdown writer's situation). */
typedef struct during {
    grokx_input *in;
    int opened, conversations;
} during;

static int
open_during(void *self, const grokx_conversation *c)
{
    during *d = self;
    grokx_asset *a;
    unsigned char buf[256];
    (void)c;
    if (d->conversations++ == 0 && grokx_asset_open(d->in, ASSET1, &a) == 0) {
        d->opened = read_all(a, buf, sizeof buf) == 72;
        grokx_asset_close(a);
    }
    return 0;
}

static void
check_during_parse(void)
{
    during d = {0};
    grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, open_during, NULL, NULL, NULL, NULL};
    grokx_writer *w = grokx_writer_new(&vt, &d);
    grokx_parser *p = grokx_parser_new(NULL, w);
    d.in = open_fixture("deflated.zip");
    CHECK_INT(grokx_input_parse(d.in, p), 0);
    CHECK(d.opened);
    CHECK(d.conversations > 1);
    CHECK_INT(grokx_input_parse(d.in, p), GROKX_E_STATE); /* once per input */
    grokx_parser_free(p);
    grokx_writer_free(w);
    grokx_input_close(d.in);
}

typedef struct kinds {
    int n[6];
} kinds;

static int
count_kind(void *ud, const grokx_entry *e)
{
    ((kinds *)ud)->n[e->kind]++;
    return 0;
}

static void
check_entries(void)
{
    kinds k = {{0}};
    grokx_input *in = open_fixture("hostile-names.zip");
    if (!in)
        return;
    CHECK_INT(grokx_input_kind(in), GROKX_INPUT_ZIP);
    CHECK_INT(grokx_input_entries(in, count_kind, &k), 0);
    CHECK_INT(k.n[GROKX_ENTRY_BACKEND], 1);
    CHECK_INT(k.n[GROKX_ENTRY_ASSET], 0); /* "..", spaces: never an asset id */
    CHECK_INT(k.n[GROKX_ENTRY_OTHER], 6);
    grokx_input_close(in);
    in = open_fixture("deflated.zip");
    memset(&k, 0, sizeof k);
    grokx_input_entries(in, count_kind, &k);
    CHECK_INT(k.n[GROKX_ENTRY_ACCOUNT], 1);
    CHECK_INT(k.n[GROKX_ENTRY_BILLING], 1);
    CHECK_INT(k.n[GROKX_ENTRY_ASSET], 2);
    CHECK_INT(k.n[GROKX_ENTRY_OTHER], 1); /* the profile picture */
    CHECK(strstr(grokx_input_name(in), "deflated.zip:ttl/30d/export_data/") != NULL);
    grokx_input_close(in);
}

static void
check_sniff(void)
{
    const char *ext;
    CHECK_STR(grokx_sniff_type("\xFF\xD8\xFF\xE0", 4, &ext), "image/jpeg");
    CHECK_STR(grokx_sniff_type("GIF89a", 6, &ext), "image/gif");
    CHECK_STR(grokx_sniff_type("RIFF\0\0\0\0WEBPVP8 ", 16, &ext), "image/webp");
    CHECK_STR(grokx_sniff_type("PK\3\4\x14\0\0\0word/document.xml", 25, &ext),
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    CHECK_STR(ext, "docx");
    CHECK_STR(grokx_sniff_type("def main():\n    pass\n", 21, &ext), "text/plain");
    CHECK_STR(ext, "txt");
    CHECK_STR(grokx_sniff_type("BMxx plain text", 15, &ext), "text/plain");
    CHECK_STR(grokx_sniff_type("\0\1\2\3\4", 5, &ext), "application/octet-stream");
    CHECK_STR(ext, "bin");
    CHECK_STR(grokx_sniff_type("<?xml version='1.0'?><svg/>", 27, &ext), "image/svg+xml");
}

static void
check_memory(void)
{
    char path[1024];
    FILE *f;
    long n;
    unsigned char *buf;
    grokx_input *in = NULL;
    grokx_asset *a;
    grokx_error err;
    snprintf(path, sizeof path, "%s/stored.zip", dir);
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    CHECK_INT(grokx_input_open_memory(buf, (size_t)n, NULL, &in, &err), 0);
    CHECK_INT(grokx_asset_open(in, ASSET2, &a), 0);
    CHECK_STR(grokx_asset_mime(a), "application/pdf");
    grokx_asset_close(a);
    grokx_input_close(in);
    free(buf);
}

/* Parse a fixture with the given options into a parser that keeps
 * nothing: the parse's result, the error text in why. */
static int
parse_fixture(const char *name, const grokx_input_options *io, char *why, size_t cap)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, NULL, NULL, NULL, NULL, NULL};
    char path[1024];
    grokx_input *in = NULL;
    grokx_writer *w = grokx_writer_new(&vt, NULL);
    grokx_parser *p = grokx_parser_new(NULL, w);
    grokx_error err;
    int rc;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((rc = grokx_input_open(path, io, &in, &err)) == 0)
        rc = grokx_input_parse(in, p);
    snprintf(why, cap, "%s", rc ? (in ? grokx_parser_error(p)->text : err.text) : "");
    grokx_input_close(in);
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc;
}

/* gzip and ZIP: bombs stopped by max_expanded, damaged deflate data */
static void
check_gzip_limits(void)
{
    grokx_input_options io;
    char why[512];
    memset(&io, 0, sizeof io);
    io.abi_version = GROKX_ABI_VERSION;
    io.max_expanded = 16u << 20;
    CHECK_INT(parse_fixture("bomb.json.gz", &io, why, sizeof why), GROKX_E_LIMIT);
    CHECK_MSG(strstr(why, "gzip bomb") != NULL, "%s", why);
    CHECK_INT(parse_fixture("corrupt.json.gz", NULL, why, sizeof why), GROKX_E_ARCHIVE);
    CHECK_MSG(strstr(why, "corrupt gzip data") != NULL, "%s", why);
    CHECK_INT(parse_fixture("export.json.gz", NULL, why, sizeof why), 0);
    /* and a ZIP whose backend would expand past the cap: refused before reading */
    io.max_expanded = 100;
    CHECK_INT(parse_fixture("deflated.zip", &io, why, sizeof why), GROKX_E_LIMIT);
    CHECK_MSG(strstr(why, "ZIP bomb") != NULL, "%s", why);
}

/* Every member read is verified to its end: the last read of a corrupt
 * attachment fails and says which member; bytes before it are never
 * trusted (got == 0 comes only after the checks). */
static void
check_integrity(void)
{
    static const struct { const char *zip, *id, *why; } bad[] = {
        {"att-badcrc.zip", ASSET1, "/content: CRC-32 mismatch"},
        {"att-stored-badcrc.zip", ASSET2, "/content: CRC-32 mismatch"},
        {"att-badsize.zip", ASSET1, "/content ends after 72 of its 82 bytes"},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        grokx_input *in = open_fixture(bad[i].zip);
        grokx_asset *a;
        unsigned char buf[4096];
        size_t got = 1;
        int rc = 0, rc2;
        if (!in)
            continue;
        /* small files fail at open (their head is read whole), others on read */
        if ((rc = grokx_asset_open(in, bad[i].id, &a)) == 0) {
            while ((rc = grokx_asset_read(a, buf, 7, &got)) == 0 && got)
                ;
            rc2 = grokx_asset_read(a, buf, sizeof buf, &got); /* asked again: the same verdict */
            CHECK_INT(rc2, GROKX_E_ARCHIVE);
            grokx_asset_close(a);
        }
        CHECK_MSG(rc == GROKX_E_ARCHIVE, "%s: %d", bad[i].zip, rc);
        CHECK_MSG(strstr(grokx_input_asset_error(in), bad[i].why) != NULL, "%s: %s", bad[i].zip,
                  grokx_input_asset_error(in));
        grokx_input_close(in);
    }
}

typedef struct warned {
    int n, code;
    char text[GROKX_ERROR_TEXT_MAX];
} warned;

static void
on_warning(void *ud, const grokx_error *w)
{
    warned *wd = ud;
    wd->n++;
    wd->code = w->code;
    snprintf(wd->text, sizeof wd->text, "%s", w->text);
}

/* A member that cannot be read is warned about by name when the backend
 * is parsed (never "byte 0" of the JSON) and is not found as an asset; a
 * member whose local header disagrees is warned about and read. */
static void
check_member_warnings(void)
{
    static const struct { const char *zip, *why; int found; } cases[] = {
        {"att-symlink.zip", "/content is a symbolic link; not followed; not read", 0},
        {"att-encrypted.zip", "/content is encrypted; not supported; not read", 0},
        {"att-csize-beyond.zip", "more than the whole file", 0},
        {"att-local-crc.zip", "disagrees with the central directory (CRC-32)", 1},
        {"att-folder", "/content is a symbolic link; not followed; not read", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, NULL, NULL, NULL, NULL, NULL};
        warned wd = {0, 0, ""};
        grokx_options o;
        grokx_writer *w = grokx_writer_new(&vt, NULL);
        grokx_parser *p;
        grokx_input *in = open_fixture(cases[i].zip);
        grokx_asset *a = NULL;
        grokx_options_init(&o);
        o.warning = on_warning;
        o.warning_ud = &wd;
        p = grokx_parser_new(&o, w);
        if (in) {
            CHECK_INT(grokx_input_parse(in, p), 0);
            CHECK_INT(wd.n, 1);
            CHECK_INT(wd.code, GROKX_W_ARCHIVE_MEMBER);
            CHECK_MSG(strstr(wd.text, cases[i].why) && strstr(wd.text, ASSET1) && strncmp(wd.text, "byte ", 5),
                      "%s: %s", cases[i].zip, wd.text);
            CHECK_INT(grokx_asset_open(in, ASSET1, &a), cases[i].found ? 0 : GROKX_E_NOTFOUND);
            grokx_asset_close(a);
        }
        grokx_input_close(in);
        grokx_parser_free(p);
        grokx_writer_free(w);
    }
}

/* An attachment declaring more than max_asset is warned about, not read. */
static void
check_asset_cap(void)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, NULL, NULL, NULL, NULL, NULL};
    grokx_input_options io;
    warned wd = {0, 0, ""};
    grokx_options o;
    grokx_writer *w = grokx_writer_new(&vt, NULL);
    grokx_parser *p;
    grokx_input *in = NULL;
    grokx_asset *a = NULL;
    grokx_error err;
    char path[1024];
    memset(&io, 0, sizeof io);
    io.abi_version = GROKX_ABI_VERSION;
    io.max_asset = 100; /* the PNG is 72 bytes, the PDF 109 */
    grokx_options_init(&o);
    o.warning = on_warning;
    o.warning_ud = &wd;
    p = grokx_parser_new(&o, w);
    snprintf(path, sizeof path, "%s/att-ok.zip", dir);
    CHECK_INT(grokx_input_open(path, &io, &in, &err), 0);
    if (in) {
        CHECK_INT(grokx_input_parse(in, p), 0);
        CHECK_INT(wd.n, 1);
        CHECK_MSG(strstr(wd.text, ASSET2 "/content expands to 109 bytes, more than the limit of 100"),
                  "%s", wd.text);
        CHECK_INT(grokx_asset_open(in, ASSET2, &a), GROKX_E_NOTFOUND);
        CHECK_INT(grokx_asset_open(in, ASSET1, &a), 0);
        grokx_asset_close(a);
    }
    grokx_input_close(in);
    grokx_parser_free(p);
    grokx_writer_free(w);
}

/* A writer failing on a corrupt attachment fails the parse as an input
 * error (origin INPUT: the CLI's exit 2), with the member's name. */
typedef struct copier {
    grokx_input *in;
    char why[GROKX_ERROR_TEXT_MAX];
} copier;

static int
copy_asset(void *self, const grokx_conversation *c)
{
    copier *cp = self;
    grokx_asset *a;
    unsigned char buf[64];
    size_t got;
    int rc;
    (void)c;
    if ((rc = grokx_asset_open(cp->in, ASSET1, &a)) == 0) {
        while ((rc = grokx_asset_read(a, buf, sizeof buf, &got)) == 0 && got)
            ;
        grokx_asset_close(a);
    }
    snprintf(cp->why, sizeof cp->why, "%s", grokx_input_asset_error(cp->in));
    return rc;
}

static const char *
copier_error(void *self)
{
    return ((copier *)self)->why;
}

static void
check_writer_origin(void)
{
    copier cp;
    grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, copy_asset, NULL, NULL, NULL, copier_error};
    grokx_writer *w = grokx_writer_new(&vt, &cp);
    grokx_parser *p = grokx_parser_new(NULL, w);
    memset(&cp, 0, sizeof cp);
    if ((cp.in = open_fixture("att-badcrc.zip")) != NULL) {
        CHECK_INT(grokx_input_parse(cp.in, p), GROKX_E_ARCHIVE);
        CHECK_INT(grokx_parser_error(p)->origin, GROKX_ORIGIN_INPUT);
        CHECK_MSG(strstr(grokx_parser_error(p)->text, "CRC-32 mismatch"), "%s", grokx_parser_error(p)->text);
    }
    grokx_input_close(cp.in);
    grokx_parser_free(p);
    grokx_writer_free(w);
}

/* Files that are no export: said at open, from the first bytes. */
static void
check_not_export(void)
{
    static const struct { const char *data; size_t len; const char *why; } cases[] = {
        {"%PDF-1.7\n", 9, "this looks like a PDF document"},
        {"\x89PNG\r\n\x1a\n\0\0", 10, "this looks like a PNG image"},
        {"GROKXIX\0\1\0\0\0", 12, "this is a grokx search index: use grokx search"},
        {"\xEF\xBB\xBF  # Title\n", 13, "a Markdown text, not JSON"},
        {"\n\n<!DOCTYPE html>", 17, "an HTML page"},
        {"\0\1\2\3", 4, "binary data, not JSON"},
        {"", 0, "the file is empty"},
        {"  \n", 3, "nothing but white space"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        grokx_input *in = NULL;
        grokx_error err;
        CHECK_INT(grokx_input_open_memory(cases[i].data, cases[i].len, NULL, &in, &err), GROKX_E_SCHEMA);
        CHECK_MSG(strstr(err.text, "not a Grok export: ") && strstr(err.text, cases[i].why), "%zu: %s", i, err.text);
        CHECK(in == NULL);
    }
}

/* grokx_input_position(): the source's bytes as stored, compressed for a
 * ZIP or gzip, rising to the total while the parse runs (issue 29's
 * progress bar). */
typedef struct pos_probe {
    grokx_input *in;
    uint64_t last, total;
    int calls, backwards, beyond;
} pos_probe;

static int
pos_progress(void *ud, const grokx_stats *st)
{
    pos_probe *q = ud;
    uint64_t done, total;
    (void)st;
    CHECK_INT(grokx_input_position(q->in, &done, &total), 0);
    q->calls++;
    q->backwards += done < q->last;
    q->beyond += total && done > total;
    q->last = done;
    q->total = total;
    return 0;
}

static void
check_position(const char *name, int compressed)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, NULL, NULL, NULL, NULL, NULL};
    grokx_input *in = open_fixture(name);
    grokx_writer *w = grokx_writer_new(&vt, NULL);
    grokx_options o;
    grokx_parser *p;
    pos_probe q;
    uint64_t done = 1, total = 1;
    if (!in)
        return;
    memset(&q, 0, sizeof q);
    q.in = in;
    grokx_options_init(&o);
    o.progress = pos_progress;
    o.progress_ud = &q;
    p = grokx_parser_new(&o, w);
    CHECK_INT(grokx_input_position(in, &done, &total), 0);
    CHECK_MSG(done == 0, "%s: %llu done before the parse", name, (unsigned long long)done);
    CHECK_INT(grokx_input_parse(in, p), 0);
    CHECK_INT(grokx_input_position(in, &done, &total), 0);
    CHECK_MSG(total > 0 && done == total, "%s: %llu of %llu at the end", name, (unsigned long long)done,
              (unsigned long long)total);
    /* a ZIP's deflated member or a gzip: fewer bytes than the JSON's */
    CHECK_MSG(!compressed == (total == grokx_parser_stats(p)->bytes), "%s: total %llu, JSON %llu bytes", name,
              (unsigned long long)total, (unsigned long long)grokx_parser_stats(p)->bytes);
    CHECK_MSG(q.calls > 0 && !q.backwards && !q.beyond, "%s: %d calls, %d backwards, %d past the total", name,
              q.calls, q.backwards, q.beyond);
    CHECK_INT(grokx_input_position(NULL, &done, &total), GROKX_E_INVALID);
    grokx_input_close(in);
    grokx_parser_free(p);
    grokx_writer_free(w);
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    dir = argv[1];
    check_assets("deflated.zip", 1);
    check_assets("stored.zip", 1);
    check_assets("zip64.zip", 0);
    check_assets("zip64-extra.zip", 0); /* sizes and offset only in the ZIP64 extra field */
    check_assets("folder", 0);
    check_during_parse();
    check_entries();
    check_sniff();
    check_memory();
    check_gzip_limits();
    check_integrity();
    check_member_warnings();
    check_asset_cap();
    check_writer_origin();
    check_not_export();
    check_position("deflated.zip", 1);
    check_position("stored.zip", 0);
    check_position("export.json.gz", 1);
    check_position("folder", 0);
    return test_report("input");
}
