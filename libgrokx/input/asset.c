/*
 * asset.c -- attachments by asset id (the public grokx_asset_*): found in
 * the entries' index, read through the back end that holds them (zip.c's
 * side reader, or folder.c's file), typed from their first bytes
 * (sniff.c), and cut at max_asset. Beside the dispatch: it hands each
 * call to a back end, as input.c does for the parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/backend.h"

struct grokx_asset {
    grokx_input *in;
    const gx_entry *e;
    int fd; /* folder assets */
    uint64_t read;
    unsigned char head[512]; /* first bytes, for sniffing; replayed by read */
    size_t head_len, head_pos;
    const char *mime, *ext;
};

static int
S_asset_raw_read(grokx_asset *a, void *buf, size_t cap, size_t *got, grokx_error *err)
{
    if (a->in->kind == GROKX_INPUT_ZIP)
        return gx_zip_entry_read(a->in, a->e, buf, cap, got, err);
    return gx_folder_member_read(a->e, a->fd, buf, cap, got, err);
}

int
grokx_asset_open(grokx_input *in, const char *asset_id, grokx_asset **out)
{
    grokx_asset *a;
    const gx_entry *e;
    grokx_error err;
    size_t got;
    int rc;
    if (!in || !asset_id || !out)
        return GROKX_E_INVALID;
    *out = NULL;
    in->asset_err[0] = 0;
    if (!(e = gx_input_find_asset(in, asset_id)) || e->defect)
        return GROKX_E_NOTFOUND; /* a member that cannot be read: the parse warned */
    if (!(a = calloc(1, sizeof *a)))
        return GROKX_E_NOMEM;
    a->in = in;
    a->e = e;
    a->fd = -1;
    if (in->kind == GROKX_INPUT_ZIP)
        rc = gx_zip_entry_open(in, e, in->opt.max_asset, &err);
    else
        rc = gx_folder_member_open(e, &a->fd, &err);
    /* sniff from the first bytes; reads replay them */
    while (!rc && a->head_len < sizeof a->head) {
        if ((rc = S_asset_raw_read(a, a->head + a->head_len, sizeof a->head - a->head_len, &got,
                                   &err)) ||
            !got)
            break;
        a->head_len += got;
    }
    if (rc) {
        snprintf(in->asset_err, sizeof in->asset_err, "%s", err.text);
        grokx_asset_close(a);
        return rc;
    }
    a->mime = grokx_sniff_type(a->head, a->head_len, &a->ext);
    *out = a;
    return 0;
}

int
grokx_asset_read(grokx_asset *a, void *buf, size_t cap, size_t *got)
{
    grokx_error err;
    int rc;
    if (!a || !got || (!buf && cap))
        return GROKX_E_INVALID;
    if (a->head_pos < a->head_len) {
        *got = GX_MIN(cap, a->head_len - a->head_pos);
        memcpy(buf, a->head + a->head_pos, *got);
        a->head_pos += *got;
    } else if ((rc = S_asset_raw_read(a, buf, cap, got, &err)) != 0) {
        snprintf(a->in->asset_err, sizeof a->in->asset_err, "%s", err.text);
        return rc;
    }
    a->read += *got;
    if (a->read > a->in->opt.max_asset) {
        snprintf(a->in->asset_err, sizeof a->in->asset_err,
                 "%s: %s: more than the limit of %llu bytes", a->in->path, a->e->name,
                 (unsigned long long)a->in->opt.max_asset);
        return GROKX_E_LIMIT;
    }
    return 0;
}

const char *
grokx_input_asset_error(const grokx_input *in)
{
    return in ? in->asset_err : "";
}

uint64_t grokx_asset_size(const grokx_asset *a) { return a ? a->e->size : 0; }
const char *grokx_asset_mime(const grokx_asset *a) { return a ? a->mime : ""; }
const char *grokx_asset_ext(const grokx_asset *a) { return a ? a->ext : ""; }

void
grokx_asset_close(grokx_asset *a)
{
    if (!a)
        return;
    if (a->in->kind == GROKX_INPUT_ZIP)
        gx_zip_entry_close(a->in);
    if (a->fd >= 0)
        close(a->fd);
    free(a);
}
