/*
 * test_input.c -- attachments and entries through the library, on the
 * fixtures tests/make_zips.py builds (argv[1]).
 */
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
    return test_report("input");
}
