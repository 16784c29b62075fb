/*
 * input.c -- the export as the user has it: the ZIP (zip.c), the
 * extracted folder, prod-grok-backend.json, a .json.gz, or standard input.
 * The kind comes from the bytes, never the name. Also: the list of an
 * export's files, and attachments by asset id.
 */
#include <dirent.h>
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
#define S_FOLDER_DEPTH 8 /* how deep to look for the backend in a folder */

struct grokx_asset {
    grokx_input *in;
    const gx_entry *e;
    int fd; /* folder assets */
    uint64_t read;
    unsigned char head[512]; /* first bytes, for sniffing; replayed by read */
    size_t head_len, head_pos;
    const char *mime, *ext;
};

/* ---- entries --------------------------------------------------------- */

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

/* ---- folders --------------------------------------------------------- */

static char *
S_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, na);
    s[na] = '/';
    memcpy(s + na + 1, b, nb + 1);
    return s;
}

/* Add the regular files under dir (recursively, symlinks never followed
 * but listed, to be warned about), named relative to root. */
static int
S_walk(grokx_input *in, const char *root, const char *rel, int depth)
{
    char *dir = rel[0] ? S_join(root, rel) : gx_strdup(root);
    DIR *d;
    struct dirent *de;
    int rc = 0;
    if (!dir)
        return GROKX_E_NOMEM;
    if (!(d = opendir(dir))) {
        free(dir);
        return 0; /* unreadable folders are skipped */
    }
    while (!rc && (de = readdir(d)) != NULL) {
        struct stat st;
        char *full, *name;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        full = S_join(dir, de->d_name);
        name = rel[0] ? S_join(rel, de->d_name) : gx_strdup(de->d_name);
        if (!full || !name)
            rc = GROKX_E_NOMEM;
        else if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < S_FOLDER_DEPTH)
            rc = S_walk(in, root, name, depth + 1);
        else if (lstat(full, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
            gx_entry *e = gx_input_add_entry(in, name, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
            if (!e || gx_input_classify(in, e))
                rc = GROKX_E_NOMEM;
            else {
                e->defect = S_ISLNK(st.st_mode) ? GX_DEFECT_SYMLINK : 0; /* listed, never followed */
                e->path = full;
                full = NULL;
            }
        }
        free(full);
        free(name);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int
S_cmp_names(const void *a, const void *b)
{
    return strcmp(((const gx_entry *)a)->name, ((const gx_entry *)b)->name);
}

static int
S_open_folder(grokx_input *in, grokx_error *err)
{
    int rc = S_walk(in, in->path, "", 0);
    if (rc)
        return gx_err_set(err, rc, "out of memory");
    qsort(in->entries, in->nentries, sizeof *in->entries, S_cmp_names);
    return gx_input_index_assets(in, err);
}

/* ---- open ------------------------------------------------------------ */

/* Read up to n bytes at the start of the source (files: pread; pipes:
 * read, and the bytes are kept to be replayed by the parse). */
static ssize_t
S_peek(grokx_input *in, unsigned char *buf, size_t n)
{
    ssize_t r;
    if (in->mem) {
        n = (size_t)GX_MIN((uint64_t)n, in->size);
        memcpy(buf, in->mem, n);
        return (ssize_t)n;
    }
    if (in->size > 0) {
        do
            r = pread(in->fd, buf, n, 0);
        while (r < 0 && errno == EINTR);
        return r;
    }
    n = GX_MIN(n, sizeof in->pending);
    while (in->pending_len < n) {
        r = read(in->fd, in->pending + in->pending_len, n - in->pending_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return r;
        if (r == 0)
            break;
        in->pending_len += (size_t)r;
    }
    memcpy(buf, in->pending, in->pending_len);
    return (ssize_t)in->pending_len;
}

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
        if ((n = S_peek(in, head, sizeof head)) < 0)
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
        return S_finish_open(in, out, err);
    }
    if (stat(path, &st) != 0) {
        rc = gx_err_set(err, GROKX_E_IO, "%s: %s", path, strerror(errno));
        grokx_input_close(in);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        in->kind = GROKX_INPUT_FOLDER;
        if ((rc = S_open_folder(in, err)) != 0) {
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
    size_t i;
    if (!in)
        return;
    gx_zip_close(in);
    for (i = 0; i < in->nentries; i++) {
        free(in->entries[i].name);
        free(in->entries[i].asset_id);
        free(in->entries[i].path);
    }
    free(in->entries);
    free(in->assets);
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

/* Next chunk of the raw source: memory, or read() (pipes and files). */
ssize_t
gx_input_read(grokx_input *in, int fd, unsigned char *buf, size_t cap, uint64_t *pos)
{
    ssize_t n;
    if (in->pending_pos < in->pending_len && fd == in->fd) {
        n = (ssize_t)GX_MIN(cap, in->pending_len - in->pending_pos);
        memcpy(buf, in->pending + in->pending_pos, (size_t)n);
        in->pending_pos += (size_t)n;
    } else if (in->mem) {
        n = (ssize_t)GX_MIN((uint64_t)cap, in->size - *pos);
        memcpy(buf, in->mem + *pos, (size_t)n);
    } else {
        do
            n = read(fd, buf, cap);
        while (n < 0 && errno == EINTR);
    }
    if (n > 0)
        *pos += (uint64_t)n;
    return n;
}

static int
S_parse_plain(grokx_input *in, int fd, grokx_parser *p, unsigned char *buf)
{
    uint64_t pos = 0;
    for (;;) {
        ssize_t n = gx_input_read(in, fd, buf, GX_READ_SIZE, &pos);
        int rc;
        if (n < 0)
            return gx_parser_fail(p, GROKX_E_IO, "%s: read failed: %s", in->path, strerror(errno));
        if (n == 0)
            return grokx_parser_finish(p);
        if (pos == (uint64_t)n && in->kind == GROKX_INPUT_FOLDER) { /* the file was sniffed at open otherwise */
            char what[128];
            const char *why = gx_sniff_not_export(buf, (size_t)n, 0, what, sizeof what);
            if (why)
                return gx_parser_fail(p, GROKX_E_SCHEMA, "not a Grok export: %s", why);
        }
        if ((rc = grokx_parser_feed(p, buf, (size_t)n)) != 0)
            return rc;
    }
}

static int
S_parse_gzip(grokx_input *in, int fd, grokx_parser *p)
{
    gx_gz *g = gx_gz_new(in, fd);
    int rc;
    if (!g)
        return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
    rc = gx_pump(gx_gz_read, g, p, "compressed with gzip");
    gx_gz_free(g);
    return rc;
}

static int
S_parse_folder(grokx_input *in, grokx_parser *p, unsigned char *buf)
{
    const gx_entry *e = &in->entries[in->backend];
    grokx_error err;
    int fd, rc;
    if ((rc = gx_input_defect(in, e, 1, &err)) != 0)
        return gx_parser_fail(p, rc, "%s", err.text);
    if ((fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return gx_parser_fail(p, GROKX_E_IO, "%s: %s", e->path, strerror(errno));
    gx_input_warn_members(in, p);
    rc = S_parse_plain(in, fd, p, buf);
    close(fd);
    return rc;
}

int
grokx_input_parse(grokx_input *in, grokx_parser *p)
{
    unsigned char *buf;
    int rc;
    if (!in || !p)
        return GROKX_E_INVALID;
    if (in->parsed++)
        return gx_parser_fail(p, GROKX_E_STATE, "%s: already parsed", in->path);
    if (in->kind == GROKX_INPUT_ZIP)
        return gx_zip_parse(in, p);
    if (!(buf = malloc(GX_READ_SIZE)))
        return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
    if (in->kind == GROKX_INPUT_FOLDER)
        rc = S_parse_folder(in, p, buf);
    else if (in->kind == GROKX_INPUT_GZIP)
        rc = S_parse_gzip(in, in->fd, p);
    else
        rc = S_parse_plain(in, in->fd, p, buf);
    free(buf);
    return rc;
}

/* ---- attachments ----------------------------------------------------- */

static const gx_entry *
S_find_asset(grokx_input *in, const char *id)
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

static int
S_asset_raw_read(grokx_asset *a, void *buf, size_t cap, size_t *got, grokx_error *err)
{
    ssize_t n;
    if (a->in->kind == GROKX_INPUT_ZIP)
        return gx_zip_entry_read(a->in, a->e, buf, cap, got, err);
    do
        n = read(a->fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return gx_err_set(err, GROKX_E_IO, "%s: read failed: %s", a->e->path, strerror(errno));
    *got = (size_t)n;
    return 0;
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
    if (!(e = S_find_asset(in, asset_id)) || e->defect)
        return GROKX_E_NOTFOUND; /* a member that cannot be read: the parse warned */
    if (!(a = calloc(1, sizeof *a)))
        return GROKX_E_NOMEM;
    a->in = in;
    a->e = e;
    a->fd = -1;
    if (in->kind == GROKX_INPUT_ZIP)
        rc = gx_zip_entry_open(in, e, in->opt.max_asset, &err);
    else if ((a->fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        rc = gx_err_set(&err, GROKX_E_IO, "%s: %s", e->path, strerror(errno));
    else
        rc = 0;
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

const char *
gx_input_path(const grokx_input *in)
{
    return in ? in->path : NULL;
}
