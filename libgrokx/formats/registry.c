/*
 * registry.c -- the built-in formats by name: grokx_writer_create() and
 * what the tool asks of a format (its file's extension and signature,
 * whether it streams, whether it renders). The tool knows no format by
 * name: everything it decides per format comes from this table. Adding a
 * format: docs/architecture.md, "Writers".
 */
#include <stdio.h>
#include <string.h>

#include "formats/formats.h"

static const struct {
    const char *name;
    int (*create)(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);
    const char *ext;  /* of its one output file; NULL: it writes a folder */
    int streams;      /* can write to cfg.sink when out_dir is NULL */
    /* what every output file of it begins with (a single-file format must
     * have one: it is how a re-run knows the file is its own to replace,
     * and never replaces another's; tests/system/test_unit.c checks every row,
     * tests/tools/cli.sh runs every format over its own file and others') */
    const char *sig;
    size_t sig_len;
    unsigned flags; /* GROKX_FORMAT_* */
} S_formats[] = {
    {"events", gx_writer_events_new, "jsonl", 1, GX_EVENTS_SIGNATURE, sizeof GX_EVENTS_SIGNATURE - 1, 0},
    {"md", gx_writer_md_new, NULL, 1, NULL, 0, GROKX_FORMAT_THREAD},
    {"html", gx_writer_html_new, NULL, 0, NULL, 0, GROKX_FORMAT_THREAD},
    {"index", gx_writer_index_new, "gxi", 1, GX_IX_MAGIC, 8, 0},
    /* a database is written by name (GROKX_FORMAT_FILE); its 16 bytes
     * end with the NUL the string literal's own */
    {"sqlite", gx_writer_sqlite_new, "db", 0, GX_SQLITE_SIGNATURE, sizeof GX_SQLITE_SIGNATURE,
     GROKX_FORMAT_THREAD | GROKX_FORMAT_FILE | GROKX_FORMAT_ALL_BRANCHES},
};

static int
S_find(const char *format)
{
    size_t i;
    for (i = 0; format && i < sizeof S_formats / sizeof S_formats[0]; i++)
        if (!strcmp(S_formats[i].name, format))
            return (int)i;
    return -1;
}

void
grokx_writer_config_init(grokx_writer_config *c)
{
    memset(c, 0, sizeof *c);
    c->abi_version = GROKX_ABI_VERSION;
}

int
grokx_writer_create(const char *format, const grokx_writer_config *cfg, grokx_writer **out)
{
    return grokx_writer_open(format, cfg, out, NULL);
}

int
grokx_writer_open(const char *format, const grokx_writer_config *cfg, grokx_writer **out,
                  grokx_error *err)
{
    grokx_error why;
    size_t i, k = 0;
    int rc;
    if (err)
        memset(err, 0, sizeof *err);
    if (!out)
        return gx_err_set(err, GROKX_E_INVALID, "no place for the writer (out is NULL)");
    *out = NULL;
    if (!format || !cfg)
        return gx_err_set(err, GROKX_E_INVALID, "no %s given", !format ? "format" : "config");
    if (cfg->abi_version != GROKX_ABI_VERSION)
        return gx_err_set(err, GROKX_E_VERSION,
                          "the config was made for another version of libgrokx (abi_version %u, "
                          "this library %u)",
                          cfg->abi_version, (unsigned)GROKX_ABI_VERSION);
    if ((rc = S_find(format)) < 0) {
        char names[256];
        names[0] = 0;
        for (i = 0; i < sizeof S_formats / sizeof S_formats[0] && k < sizeof names; i++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "",
                                  S_formats[i].name);
        return gx_err_set(err, GROKX_E_INVALID, "unknown format \"%.64s\" (available: %s)", format,
                          names);
    }
    memset(&why, 0, sizeof why);
    rc = S_formats[rc].create(cfg, out, &why);
    if (rc && !why.text[0])
        gx_err_set(&why, rc, "%s: %s", format, grokx_strerror(rc));
    if (rc && err)
        *err = why, err->code = rc;
    return rc;
}

int
grokx_writer_format_info(const char *format, const char **ext, int *streams)
{
    int i = S_find(format);
    if (i < 0)
        return GROKX_E_INVALID;
    if (ext)
        *ext = S_formats[i].ext;
    if (streams)
        *streams = S_formats[i].streams;
    return 0;
}

const char *
grokx_writer_format_name(size_t i)
{
    return i < sizeof S_formats / sizeof S_formats[0] ? S_formats[i].name : NULL;
}

int
grokx_writer_format_signature(const char *format, const void **sig, size_t *len)
{
    int i = S_find(format);
    if (i < 0)
        return GROKX_E_INVALID;
    if (sig)
        *sig = S_formats[i].sig;
    if (len)
        *len = S_formats[i].sig_len;
    return 0;
}

int
grokx_writer_format_flags(const char *format, unsigned *flags)
{
    int i = S_find(format);
    if (i < 0)
        return GROKX_E_INVALID;
    if (flags)
        *flags = S_formats[i].flags;
    return 0;
}
