/*
 * zip.c -- the export ZIP, read in place with zlib's minizip.
 *
 * minizip (Debian's libminizip, zlib's contrib) parses the central
 * directory, handles ZIP64, inflates with zlib and checks the CRC-32. Our
 * I/O layer under it knows the archive's real size, reads ahead 1 MiB at a
 * time (minizip asks for 16 KiB), and can serve an archive held in memory
 * (tests, fuzzing). Checks minizip leaves to us: duplicate backends,
 * symlink, encrypted and unknown-method entries, sizes beyond the file,
 * and declared sizes beyond max_expanded. minizip never inflates past an
 * entry's declared size, so that bound (checked before reading) also caps
 * a bomb; an entry that ends early or whose CRC differs is an error.
 *
 * Two minizip handles share the archive: "main" streams the backend JSON,
 * "side" serves attachments that writers open while it streams.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unzip.h>

#include "input.h"

typedef struct S_src {
    grokx_input *in;
    unsigned char *buf; /* read-ahead window (files only) */
    uint64_t buf_off;
    size_t buf_len;
    uint64_t pos;
    int err;
} S_src;

typedef struct S_zip {
    unzFile main, side;
    S_src msrc, ssrc;
    uint64_t main_read; /* bytes of the backend produced so far */
    /* the entry open on the side handle */
    int side_open;
    uint64_t side_read, side_size;
} S_zip;

/* ---- I/O under minizip ----------------------------------------------- */

static voidpf ZCALLBACK
S_open(voidpf opaque, const void *name, int mode)
{
    GX_UNUSED(opaque);
    GX_UNUSED(mode);
    return (voidpf)name; /* the S_src itself */
}

static int
S_fill(S_src *s)
{
    ssize_t n;
    if (!s->buf && !(s->buf = malloc(GX_READ_SIZE)))
        return -1;
    do
        n = pread(s->in->fd, s->buf, GX_READ_SIZE, (off_t)s->pos);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        s->err = errno;
        return -1;
    }
    s->buf_off = s->pos;
    s->buf_len = (size_t)n;
    return 0;
}

static uLong ZCALLBACK
S_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    S_src *s = stream;
    uLong done = 0;
    GX_UNUSED(opaque);
    while (done < size && s->pos < s->in->size) {
        size_t n;
        if (s->in->mem) {
            n = (size_t)GX_MIN((uint64_t)(size - done), s->in->size - s->pos);
            memcpy((char *)buf + done, s->in->mem + s->pos, n);
        } else {
            if (s->pos < s->buf_off || s->pos >= s->buf_off + s->buf_len) {
                if (S_fill(s) || s->buf_len == 0)
                    break;
            }
            n = (size_t)GX_MIN((uint64_t)(size - done), s->buf_off + s->buf_len - s->pos);
            memcpy((char *)buf + done, s->buf + (s->pos - s->buf_off), n);
        }
        done += n;
        s->pos += n;
    }
    return done;
}

static uLong ZCALLBACK
S_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    GX_UNUSED(opaque);
    GX_UNUSED(stream);
    GX_UNUSED(buf);
    GX_UNUSED(size);
    return 0; /* read only */
}

static ZPOS64_T ZCALLBACK
S_tell(voidpf opaque, voidpf stream)
{
    GX_UNUSED(opaque);
    return ((S_src *)stream)->pos;
}

static long ZCALLBACK
S_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    S_src *s = stream;
    uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                    : origin == ZLIB_FILEFUNC_SEEK_CUR ? s->pos
                                                       : s->in->size;
    GX_UNUSED(opaque);
    if (offset > s->in->size || base > s->in->size - offset)
        return -1; /* never trust an offset beyond the real file */
    s->pos = base + offset;
    return 0;
}

static int ZCALLBACK
S_close(voidpf opaque, voidpf stream)
{
    GX_UNUSED(opaque);
    GX_UNUSED(stream);
    return 0;
}

static int ZCALLBACK
S_error(voidpf opaque, voidpf stream)
{
    GX_UNUSED(opaque);
    return ((S_src *)stream)->err;
}

static unzFile
S_unz_open(grokx_input *in, S_src *src)
{
    zlib_filefunc64_def f;
    src->in = in;
    f.zopen64_file = S_open;
    f.zread_file = S_read;
    f.zwrite_file = S_write;
    f.ztell64_file = S_tell;
    f.zseek64_file = S_seek;
    f.zclose_file = S_close;
    f.zerror_file = S_error;
    f.opaque = NULL;
    return unzOpen2_64(src, &f);
}

/* ---- the central directory ------------------------------------------- */

static int
S_is_symlink(const unz_file_info64 *info)
{
    /* "version made by" 3 = Unix: the high 16 bits of the attributes are
     * st_mode */
    return (info->version >> 8) == 3 && ((info->external_fa >> 16) & 0170000) == 0120000;
}

static int
S_scan(grokx_input *in, S_zip *z, grokx_error *err)
{
    unz_global_info64 gi;
    unz_file_info64 info;
    unz64_file_pos pos;
    char *name = malloc(65536);
    int rc;
    if (!name)
        return gx_input_error(err, GROKX_E_NOMEM, "out of memory");
    if (unzGetGlobalInfo64(z->main, &gi) != UNZ_OK) {
        free(name);
        return gx_input_error(err, GROKX_E_ARCHIVE, "%s: unreadable ZIP directory", in->path);
    }
    for (rc = unzGoToFirstFile(z->main); rc == UNZ_OK; rc = unzGoToNextFile(z->main)) {
        gx_entry *e;
        size_t len;
        if (unzGetCurrentFileInfo64(z->main, &info, name, 65535, NULL, 0, NULL, 0) != UNZ_OK ||
            unzGetFilePos64(z->main, &pos) != UNZ_OK)
            break;
        len = GX_MIN((size_t)info.size_filename, (size_t)65535);
        name[len] = 0;
        if (len == 0 || name[len - 1] == '/')
            continue; /* a folder */
        if (!(e = gx_input_add_entry(in, name, info.uncompressed_size))) {
            free(name);
            return gx_input_error(err, GROKX_E_NOMEM, "out of memory");
        }
        e->csize = info.compressed_size;
        e->pos_dir = pos.pos_in_zip_directory;
        e->num_file = pos.num_of_file;
        e->method = (unsigned)info.compression_method;
        e->flags = (unsigned)info.flag;
        e->symlink = S_is_symlink(&info);
        if ((rc = gx_input_classify(in, e)) != 0) {
            free(name);
            return gx_input_error(err, rc, "out of memory");
        }
    }
    free(name);
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: corrupt ZIP directory (entry %zu of %llu)", in->path,
                              in->nentries + 1, (unsigned long long)gi.number_entry);
    return 0;
}

int
gx_zip_open(grokx_input *in, grokx_error *err)
{
    S_zip *z = calloc(1, sizeof *z);
    int rc;
    if (!z)
        return gx_input_error(err, GROKX_E_NOMEM, "out of memory");
    in->zip = z;
    z->main = S_unz_open(in, &z->msrc);
    if (!z->main)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: not a readable ZIP (no central directory: truncated or "
                              "corrupt)",
                              in->path);
    if ((rc = S_scan(in, z, err)) != 0)
        return rc;
    return gx_input_index_assets(in, err);
}

void
gx_zip_close(grokx_input *in)
{
    S_zip *z = in->zip;
    if (!z)
        return;
    if (z->main)
        unzClose(z->main);
    if (z->side)
        unzClose(z->side);
    free(z->msrc.buf);
    free(z->ssrc.buf);
    free(z);
    in->zip = NULL;
}

/* ---- reading one entry ----------------------------------------------- */

/* Why e cannot be read, or 0. */
static int
S_check_entry(grokx_input *in, const gx_entry *e, uint64_t max, grokx_error *err)
{
    if (e->symlink)
        return gx_input_error(err, GROKX_E_ARCHIVE, "%s: %s is a symbolic link; not followed",
                              in->path, e->name);
    if (e->flags & 1)
        return gx_input_error(err, GROKX_E_ARCHIVE, "%s: %s is encrypted; not supported",
                              in->path, e->name);
    if (e->method != 0 && e->method != Z_DEFLATED)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s uses compression method %u; only stored and deflated "
                              "entries are supported",
                              in->path, e->name, e->method);
    if (e->csize > in->size)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s claims %llu compressed bytes, more than the whole "
                              "file; the archive is corrupt",
                              in->path, e->name, (unsigned long long)e->csize);
    if (e->size > max)
        return gx_input_error(err, GROKX_E_LIMIT,
                              "%s: %s expands to %llu bytes, more than the limit of %llu "
                              "(a ZIP bomb?)",
                              in->path, e->name, (unsigned long long)e->size,
                              (unsigned long long)max);
    return 0;
}

static int
S_entry_open(grokx_input *in, unzFile uf, const gx_entry *e, uint64_t max, grokx_error *err)
{
    unz64_file_pos pos;
    int rc = S_check_entry(in, e, max, err);
    if (rc)
        return rc;
    pos.pos_in_zip_directory = e->pos_dir;
    pos.num_of_file = e->num_file;
    if (unzGoToFilePos64(uf, &pos) != UNZ_OK || unzOpenCurrentFile(uf) != UNZ_OK)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s: bad local header; the archive is corrupt", in->path,
                              e->name);
    return 0;
}

/* Read from the open entry of uf; *got == 0 at its end, after the size
 * and CRC checks. */
static int
S_entry_read(grokx_input *in, unzFile uf, const gx_entry *e, uint64_t *done, void *buf,
             size_t cap, size_t *got, grokx_error *err)
{
    int n = unzReadCurrentFile(uf, buf, (unsigned)GX_MIN(cap, (size_t)GX_READ_SIZE));
    *got = 0;
    if (n < 0)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s: %s after %llu bytes; the archive is corrupt or "
                              "truncated",
                              in->path, e->name, n == Z_DATA_ERROR ? "bad deflate data" : "read error",
                              (unsigned long long)*done);
    if (n > 0) {
        *done += (uint64_t)n;
        *got = (size_t)n;
        return 0;
    }
    if (*done != e->size)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s ends after %llu of its %llu bytes; the archive is "
                              "truncated or corrupt",
                              in->path, e->name, (unsigned long long)*done,
                              (unsigned long long)e->size);
    if (unzCloseCurrentFile(uf) == UNZ_CRCERROR)
        return gx_input_error(err, GROKX_E_ARCHIVE,
                              "%s: %s: CRC-32 mismatch; the archive is corrupt", in->path,
                              e->name);
    return 0;
}

/* The backend's bytes, for gx_pump (which may call this on its thread:
 * the main handle is used by nothing else meanwhile). */
static int
S_backend_read(void *state, unsigned char *buf, size_t cap, size_t *got, grokx_error *err)
{
    grokx_input *in = state;
    S_zip *z = in->zip;
    return S_entry_read(in, z->main, &in->entries[in->backend], &z->main_read, buf, cap, got,
                        err);
}

int
gx_zip_parse(grokx_input *in, grokx_parser *p)
{
    S_zip *z = in->zip;
    grokx_error err = {0};
    int rc = S_entry_open(in, z->main, &in->entries[in->backend], in->opt.max_expanded, &err);
    if (rc)
        return gx_parser_fail(p, rc, "%s", err.text);
    z->main_read = 0;
    rc = gx_pump(S_backend_read, in, p);
    unzCloseCurrentFile(z->main);
    return rc;
}

/* ---- attachments on the side handle ---------------------------------- */

int
gx_zip_entry_open(grokx_input *in, const gx_entry *e, uint64_t max, grokx_error *err)
{
    S_zip *z = in->zip;
    int rc;
    if (!z->side && !(z->side = S_unz_open(in, &z->ssrc)))
        return gx_input_error(err, GROKX_E_ARCHIVE, "%s: cannot reopen the ZIP", in->path);
    gx_zip_entry_close(in);
    if ((rc = S_entry_open(in, z->side, e, max, err)) != 0)
        return rc;
    z->side_open = 1;
    z->side_read = 0;
    z->side_size = e->size;
    return 0;
}

int
gx_zip_entry_read(grokx_input *in, const gx_entry *e, void *buf, size_t cap, size_t *got,
                  grokx_error *err)
{
    S_zip *z = in->zip;
    if (!z->side_open) {
        *got = 0;
        return 0;
    }
    return S_entry_read(in, z->side, e, &z->side_read, buf, cap, got, err);
}

void
gx_zip_entry_close(grokx_input *in)
{
    S_zip *z = in->zip;
    if (z && z->side_open) {
        unzCloseCurrentFile(z->side);
        z->side_open = 0;
    }
}
