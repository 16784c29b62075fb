/*
 * entries.c -- the back ends' shared core: the list of an export's files
 * (entries, from the ZIP's central directory or the folder's walk), what
 * each is (the backend, the account, an attachment and its asset id),
 * why a member cannot be read (its defect, or headers that disagree) and
 * the warnings about such members, and the attachments sorted by asset
 * id for lookup. Uses nothing else of input/: every back end uses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/backend.h"

static void
S_diff_text(unsigned diff, char *buf, size_t cap)
{
    static const struct { unsigned bit; const char *what; } fields[] = {
        {GX_DIFF_NAME, "name"},   {GX_DIFF_METHOD, "method"},
        {GX_DIFF_FLAGS, "flags"}, {GX_DIFF_CRC, "CRC-32"},
        {GX_DIFF_CSIZE, "compressed size"}, {GX_DIFF_SIZE, "size"},
    };
    size_t i, n = 0;
    buf[0] = 0;
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if ((diff & fields[i].bit) && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", fields[i].what);
}

int
gx_input_defect(grokx_input *in, const gx_entry *e, int strict, grokx_error *err)
{
    char what[96];
    switch (e->defect) {
    case GX_DEFECT_SYMLINK:
        return gx_err_set(err, GROKX_E_ARCHIVE, "%s: %s is a symbolic link; not followed",
                          in->path, e->name);
    case GX_DEFECT_ENCRYPTED:
        return gx_err_set(err, GROKX_E_ARCHIVE, "%s: %s is encrypted; not supported",
                          in->path, e->name);
    case GX_DEFECT_METHOD:
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s uses compression method %u; only stored and deflated "
                          "entries are supported",
                          in->path, e->name, e->method);
    case GX_DEFECT_BEYOND:
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s claims %llu compressed bytes, more than the whole "
                          "file; the archive is corrupt",
                          in->path, e->name, (unsigned long long)e->csize);
    case GX_DEFECT_LOCAL:
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s: bad local header; the archive is corrupt", in->path,
                          e->name);
    case GX_DEFECT_DATA:
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s: data beyond the end of the file; the archive is corrupt",
                          in->path, e->name);
    case GX_DEFECT_TOO_BIG:
        return gx_err_set(err, GROKX_E_LIMIT,
                          "%s: %s expands to %llu bytes, more than the limit of %llu "
                          "(a ZIP bomb?)",
                          in->path, e->name, (unsigned long long)e->size,
                          (unsigned long long)in->opt.max_asset);
    default:
        break;
    }
    if (strict && e->diff) {
        S_diff_text(e->diff, what, sizeof what);
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s: its local header disagrees with the central directory "
                          "(%s); the archive is corrupt",
                          in->path, e->name, what);
    }
    return 0;
}

void
gx_input_warn_members(grokx_input *in, grokx_parser *p)
{
    size_t i;
    for (i = 0; i < in->nentries; i++) {
        const gx_entry *e = &in->entries[i];
        grokx_error err;
        char what[96];
        if ((long)i == in->backend)
            continue; /* its own defects are errors, when it is opened */
        if (gx_input_defect(in, e, 0, &err)) {
            gx_parser_warn_input(p, GROKX_W_ARCHIVE_MEMBER, "%s; not read", err.text);
        } else if (e->diff) {
            S_diff_text(e->diff, what, sizeof what);
            gx_parser_warn_input(p, GROKX_W_ARCHIVE_MEMBER,
                                 "%s: %s: its local header disagrees with the central "
                                 "directory (%s); read as the directory says, its CRC-32 checked",
                                 in->path, e->name, what);
        }
    }
}

gx_entry *
gx_input_add_entry(grokx_input *in, const char *name, uint64_t size)
{
    gx_entry *e;
    if (gx_grow(&in->entries, &in->entries_cap, in->nentries + 1, sizeof *e))
        return NULL;
    e = &in->entries[in->nentries];
    memset(e, 0, sizeof *e);
    if (!(e->name = gx_strdup(name)))
        return NULL;
    e->size = size;
    in->nentries++;
    return e;
}

static const char *
S_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* An asset id is one path segment of safe characters: it may name a file
 * a writer creates, so nothing else is accepted. */
static int
S_safe_id(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 128)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* A name no writer may trust: "..", absolute, a drive letter, a
 * backslash (the Zip Slip shapes). Such entries are listed, never used. */
static int
S_unsafe_name(const char *name)
{
    const char *p;
    if (name[0] == '/' || strchr(name, '\\') || (name[0] && name[1] == ':'))
        return 1;
    for (p = name; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == name || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
            return 1;
    return 0;
}

/* Assets are ".../prod-mc-asset-server/<...>/<asset id>/content" (real
 * archives have an empty segment: "prod-mc-asset-server//<id>/content").
 * The id is the segment before "content", never the first UUID of the
 * path (which is the user's). */
int
gx_input_classify(grokx_input *in, gx_entry *e)
{
    const char *base = S_basename(e->name), *dir = strstr(e->name, "prod-mc-asset-server/");
    GX_UNUSED(in);
    if (!strcmp(base, GX_BACKEND_NAME))
        e->kind = GROKX_ENTRY_BACKEND;
    else if (!strcmp(base, "prod-mc-auth-mgmt-api.json"))
        e->kind = GROKX_ENTRY_ACCOUNT;
    else if (!strcmp(base, "prod-mc-billing.json"))
        e->kind = GROKX_ENTRY_BILLING;
    else if (dir && !strcmp(base, "content") && base - 1 > dir && !S_unsafe_name(e->name)) {
        const char *end = base - 1, *start = end;
        while (start > dir && start[-1] != '/')
            start--;
        if (S_safe_id(start, (size_t)(end - start))) {
            e->kind = GROKX_ENTRY_ASSET;
            if (!(e->asset_id = malloc((size_t)(end - start) + 1)))
                return GROKX_E_NOMEM;
            memcpy(e->asset_id, start, (size_t)(end - start));
            e->asset_id[end - start] = 0;
        }
    }
    if (!e->kind)
        e->kind = GROKX_ENTRY_OTHER;
    return 0;
}

static int
S_cmp_asset(const void *a, const void *b)
{
    return strcmp((*(const gx_entry *const *)a)->asset_id, (*(const gx_entry *const *)b)->asset_id);
}

/* Find the one backend; sort assets by id for lookup. */
int
gx_input_index_assets(grokx_input *in, grokx_error *err)
{
    size_t i;
    in->backend = -1;
    for (i = 0; i < in->nentries; i++) {
        if (in->entries[i].kind == GROKX_ENTRY_BACKEND) {
            if (in->backend >= 0)
                return gx_err_set(err, GROKX_E_ARCHIVE,
                                  "%s: two files named " GX_BACKEND_NAME
                                  ": %s and %s; which one is the export is unclear",
                                  in->path, in->entries[in->backend].name, in->entries[i].name);
            in->backend = (long)i;
        }
        if (in->entries[i].kind == GROKX_ENTRY_ASSET)
            in->nassets++;
    }
    if (in->backend < 0) {
        char list[200];
        size_t n = 0, k;
        list[0] = 0;
        for (k = 0; k < in->nentries && k < 3 && n < sizeof list; k++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%.60s", k ? ", " : "",
                                  in->entries[k].name);
        if (in->nentries > 3 && n < sizeof list)
            snprintf(list + n, sizeof list - n, ", ...");
        if (!in->nentries)
            return gx_err_set(err, GROKX_E_NOTFOUND,
                              "%s: not a Grok export: no " GX_BACKEND_NAME " in it; it is empty",
                              in->path);
        return gx_err_set(err, GROKX_E_NOTFOUND,
                          "%s: not a Grok export: no " GX_BACKEND_NAME
                          " in it; it holds %zu file%s: %s",
                          in->path, in->nentries, in->nentries == 1 ? "" : "s", list);
    }
    if (in->nassets && !(in->assets = malloc(in->nassets * sizeof *in->assets)))
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    in->nassets = 0;
    for (i = 0; i < in->nentries; i++) /* entries no longer move */
        if (in->entries[i].kind == GROKX_ENTRY_ASSET)
            in->assets[in->nassets++] = &in->entries[i];
    if (in->nassets > 1)
        qsort(in->assets, in->nassets, sizeof *in->assets, S_cmp_asset);
    return 0;
}

const gx_entry *
gx_input_find_asset(grokx_input *in, const char *id)
{
    size_t lo = 0, hi = in->nassets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(in->assets[mid]->asset_id, id);
        if (c == 0)
            return in->assets[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void
gx_input_free_entries(grokx_input *in)
{
    size_t i;
    for (i = 0; i < in->nentries; i++) {
        free(in->entries[i].name);
        free(in->entries[i].asset_id);
        free(in->entries[i].path);
    }
    free(in->entries);
    free(in->assets);
    in->entries = NULL;
    in->assets = NULL;
    in->nentries = in->nassets = 0;
}
