/*
 * input.c -- the dispatch: the export as the user has it, opened, its
 * kind found and handed to the back end that reads it: the ZIP (zip.c),
 * the extracted folder (folder.c), prod-grok-backend.json or standard
 * input (plain.c), a .json.gz (gzip.c). The kind comes from the bytes,
 * never the name (bytes that are no export at all are named by sniff.c).
 * Owns the public grokx_input_* (the list of an export's files among
 * them) and grokx_parse_path; attachments are asset.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/backend.h"

#define S_DEFAULT_MAX_EXPANDED ((uint64_t)64 << 30)
#define S_DEFAULT_MAX_ASSET ((uint64_t)4 << 30)

/* ---- open ------------------------------------------------------------ */

static int
S_detect(grokx_input *in, const unsigned char *h, size_t n, grokx_error *err)
{
    if (n >= 4 && (!memcmp(h, "PK\x03\x04", 4) || !memcmp(h, "PK\x05\x06", 4) ||
                   !memcmp(h, "PK\x06\x06", 4))) {
        if (!in->mem && in->size == 0)
            return gx_err_set(err, GROKX_E_INVALID,
                              "%s: a ZIP cannot be read from a pipe; give its path", in->path);
        in->kind = GROKX_INPUT_ZIP;
        return gx_zip_open(in, err);
    }
    in->kind = n >= 2 && h[0] == 0x1f && h[1] == 0x8b ? GROKX_INPUT_GZIP : GROKX_INPUT_JSON;
    if (in->kind == GROKX_INPUT_JSON) {
        char what[128];
        int at_end = in->mem || in->size ? n >= in->size : n < sizeof in->pending;
        const char *why = gx_sniff_not_export(h, n, at_end, what, sizeof what);
        if (why)
            return gx_err_set(err, GROKX_E_SCHEMA, "%s: not a Grok export: %s",
                              strcmp(in->path, "-") ? in->path : "(stdin)", why);
    }
    return 0;
}

static grokx_input *
S_new(const char *path, const grokx_input_options *o)
{
    grokx_input *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->fd = -1;
    in->backend = -1;
    if (o)
        in->opt = *o;
    if (!in->opt.max_expanded)
        in->opt.max_expanded = S_DEFAULT_MAX_EXPANDED;
    if (!in->opt.max_asset)
        in->opt.max_asset = S_DEFAULT_MAX_ASSET;
    if (!(in->path = gx_strdup(path))) {
        free(in);
        return NULL;
    }
    return in;
}

/* The backend's display name: the path, or "zip:member". */
static int
S_name(grokx_input *in)
{
    const char *member = in->backend >= 0 && in->kind != GROKX_INPUT_FOLDER
                             ? in->entries[in->backend].name
                             : NULL;
    const char *path = in->backend >= 0 && in->kind == GROKX_INPUT_FOLDER
                           ? in->entries[in->backend].path
                           : in->path;
    size_t n = strlen(path) + (member ? strlen(member) + 1 : 0) + 1;
    if (!(in->name = malloc(n)))
        return GROKX_E_NOMEM;
    snprintf(in->name, n, member ? "%s:%s" : "%s", path, member ? member : "");
    return 0;
}

static int
S_finish_open(grokx_input *in, grokx_input **out, grokx_error *err)
{
    unsigned char head[sizeof in->pending];
    ssize_t n;
    int rc = 0;
    if (in->kind != GROKX_INPUT_FOLDER) {
        if ((n = gx_input_peek(in, head, sizeof head)) < 0)
            rc = gx_err_set(err, GROKX_E_IO, "%s: %s", in->path, strerror(errno));
        else
            rc = S_detect(in, head, (size_t)n, err);
    }
    if (!rc && S_name(in))
        rc = gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    if (rc) {
        grokx_input_close(in);
        return rc;
    }
    *out = in;
    return 0;
}

int
grokx_input_open(const char *path, const grokx_input_options *opts, grokx_input **out,
                 grokx_error *err)
{
    grokx_input *in;
    struct stat st;
    int rc;
    if (!out || !path)
        return gx_err_set(err, GROKX_E_INVALID, "no input given");
    *out = NULL;
    if (opts && opts->abi_version != GROKX_ABI_VERSION)
        return gx_err_set(err, GROKX_E_VERSION, "grokx_input_options: unsupported ABI");
    if (!(in = S_new(path, opts)))
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    if (!strcmp(path, "-")) {
        in->fd = 0; /* stdin: size 0 means "not seekable" */
        in->kind = GROKX_INPUT_JSON;
        /* < export.zip: a regular file, as seekable as its path (a ZIP
         * reads, the progress has its total); only from its start, as
         * the back ends read at offsets from 0 */
        if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && lseek(0, 0, SEEK_CUR) == 0)
            in->size = (uint64_t)st.st_size;
        return S_finish_open(in, out, err);
    }
    if (stat(path, &st) != 0) {
        rc = gx_err_set(err, GROKX_E_IO, "%s: %s", path, strerror(errno));
        grokx_input_close(in);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        in->kind = GROKX_INPUT_FOLDER;
        if ((rc = gx_folder_open(in, err)) != 0) {
            grokx_input_close(in);
            return rc;
        }
        return S_finish_open(in, out, err);
    }
    if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = gx_err_set(err, GROKX_E_IO, "%s: %s", path, strerror(errno));
        grokx_input_close(in);
        return rc;
    }
    in->own_fd = 1;
    in->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    return S_finish_open(in, out, err);
}

int
grokx_input_open_memory(const void *buf, size_t len, const grokx_input_options *opts,
                        grokx_input **out, grokx_error *err)
{
    grokx_input *in;
    if (!out || (!buf && len))
        return gx_err_set(err, GROKX_E_INVALID, "no input given");
    *out = NULL;
    if (opts && opts->abi_version != GROKX_ABI_VERSION)
        return gx_err_set(err, GROKX_E_VERSION, "grokx_input_options: unsupported ABI");
    if (!(in = S_new("(memory)", opts)))
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    in->mem = buf ? buf : (const unsigned char *)"";
    in->size = len;
    return S_finish_open(in, out, err);
}

void
grokx_input_close(grokx_input *in)
{
    if (!in)
        return;
    gx_zip_close(in);
    gx_input_free_entries(in);
    if (in->own_fd && in->fd >= 0)
        close(in->fd);
    free(in->path);
    free(in->name);
    free(in);
}

int
grokx_input_kind(const grokx_input *in)
{
    return in ? in->kind : 0;
}

const char *
grokx_input_name(const grokx_input *in)
{
    return in && in->name ? in->name : "";
}

int
grokx_input_entries(grokx_input *in, int (*cb)(void *ud, const grokx_entry *e), void *ud)
{
    size_t i;
    int rc;
    if (!in || !cb)
        return GROKX_E_INVALID;
    for (i = 0; i < in->nentries; i++) {
        const gx_entry *e = &in->entries[i];
        grokx_entry pub;
        pub.name.ptr = e->name;
        pub.name.len = strlen(e->name);
        pub.size = e->size;
        pub.kind = e->kind;
        pub.asset_id.ptr = e->asset_id ? e->asset_id : "";
        pub.asset_id.len = strlen(pub.asset_id.ptr);
        if ((rc = cb(ud, &pub)) != 0)
            return rc;
    }
    return 0;
}

/* ---- parsing the backend --------------------------------------------- */

int
grokx_input_parse(grokx_input *in, grokx_parser *p)
{
    unsigned char *buf;
    int rc;
    if (!in || !p)
        return GROKX_E_INVALID;
    if (in->parsed++)
        return gx_parser_fail(p, GROKX_E_STATE, "%s: already parsed", in->path);
    /* the backend's bytes as stored: a ZIP member's compressed size, a
     * folder's file, the file or memory given (0 for a pipe) */
    in->read_total = in->kind == GROKX_INPUT_ZIP      ? in->entries[in->backend].csize
                     : in->kind == GROKX_INPUT_FOLDER ? in->entries[in->backend].size
                                                      : in->size;
    if (in->kind == GROKX_INPUT_ZIP)
        return gx_zip_parse(in, p);
    if (!(buf = malloc(GX_READ_SIZE)))
        return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
    if (in->kind == GROKX_INPUT_FOLDER)
        rc = gx_folder_parse(in, p, buf);
    else if (in->kind == GROKX_INPUT_GZIP)
        rc = gx_gzip_parse(in, in->fd, p);
    else
        rc = gx_plain_parse(in, in->fd, p, buf, 0);
    free(buf);
    return rc;
}

/* Any input grokx_input_open() takes: the export ZIP, its folder, the
 * JSON, a .json.gz, or "-". One reading path for every caller. */
int
grokx_parse_path(grokx_parser *p, const char *path)
{
    grokx_input *in;
    grokx_error err;
    int rc;
    if (!p || !path)
        return GROKX_E_INVALID;
    if ((rc = grokx_input_open(path, NULL, &in, &err)) != 0)
        return gx_parser_fail(p, rc, "%s", err.text);
    rc = grokx_input_parse(in, p);
    grokx_input_close(in);
    return rc;
}

int
grokx_input_position(const grokx_input *in, uint64_t *done, uint64_t *total)
{
    if (!in || !done || !total)
        return GROKX_E_INVALID;
    *done = atomic_load_explicit(&((grokx_input *)in)->read_pos, memory_order_relaxed);
    *total = in->read_total;
    return 0;
}

const char *
gx_input_path(const grokx_input *in)
{
    return in ? in->path : NULL;
}
