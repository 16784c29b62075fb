/*
 * zip.c -- the export ZIP, read in place with zlib's minizip.
 *
 * minizip (Debian's libminizip, zlib's contrib) finds and walks the
 * central directory (the ZIP64 end records included) and gives each
 * entry's name, flags, method and CRC. Its sizes and offsets are not used:
 * Debian's 1.1 compares the 32-bit ZIP64 placeholders with
 * (unsigned long)-1, which on 64-bit Linux never matches, so a member over
 * 4 GiB, or one stored past 4 GiB, would be misread. We read each entry's
 * central record ourselves (ZIP64 extra field included) and stream its
 * data with zlib: raw inflate, CRC-32, and an error as soon as it grows
 * past its declared size. Every member read is read to its end, where its
 * size and CRC-32 are checked, also when the reader needed less of it.
 *
 * When the archive is opened, each member's local header is read and
 * compared with its central record (name, method, flags, and CRC-32 and
 * sizes unless a data descriptor holds them): a member that cannot be
 * read, or whose headers disagree, is marked, so that the parse can warn
 * about it by name (and refuse it when it is the backend).
 *
 * Our I/O layer knows the archive's real size (no offset beyond it is
 * trusted), reads ahead 1 MiB at a time, and can serve an archive held in
 * memory (tests, fuzzing). Two readers share the archive: "main" streams
 * the backend JSON, "side" serves attachments that writers open while it
 * streams.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unzip.h>
#include <zlib.h>

#include "input/backend.h"

typedef struct S_src {
    grokx_input *in;
    unsigned char *buf; /* read-ahead window (files only) */
    uint64_t buf_off;
    size_t buf_len;
    uint64_t pos;
    int err;
} S_src;

/* One entry being read. */
typedef struct S_reader {
    S_src *src;
    const gx_entry *e;
    int open, ended;
    uint64_t pos, left; /* next compressed byte, compressed bytes left */
    uint64_t out;       /* bytes produced */
    int zend;           /* inflate reported the deflate stream's end */
    int rc;             /* the end's verdict, repeated to later calls */
    char why[GROKX_ERROR_TEXT_MAX];
    uLong crc;
    z_stream zs;
    int zinit;
    unsigned char *ibuf;
} S_reader;

typedef struct S_zip {
    unzFile dir;        /* minizip: the central directory */
    S_src dsrc, msrc, ssrc;
    S_reader main, side;
} S_zip;

static void S_reader_close(S_reader *r);

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
    if (!s->buf && !(s->buf = malloc(GX_READ_SIZE))) {
        s->err = ENOMEM;
        return -1;
    }
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

static uint64_t
S_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

/* Read n bytes at off through src; 0 if all were there. */
static int
S_pread(S_src *src, uint64_t off, unsigned char *buf, size_t n)
{
    if (off > src->in->size || n > src->in->size - off)
        return -1;
    src->pos = off;
    return S_read(NULL, src, buf, (uLong)n) == n ? 0 : -1;
}

/* Sizes and local header offset of e from its central directory record
 * (at e->pos_dir), applying the ZIP64 extra field: each 32-bit field
 * that reads 0xFFFFFFFF is replaced, in order, by a 64-bit value. */
static int
S_central_record(S_src *src, gx_entry *e)
{
    unsigned char h[46], extra[65535];
    uint64_t usize, csize, local;
    size_t nlen, xlen, i;
    if (S_pread(src, e->pos_dir, h, 46) || S_le(h, 4) != 0x02014b50)
        return -1;
    csize = S_le(h + 20, 4);
    usize = S_le(h + 24, 4);
    nlen = (size_t)S_le(h + 28, 2);
    xlen = (size_t)S_le(h + 30, 2);
    local = S_le(h + 42, 4);
    if (xlen && S_pread(src, e->pos_dir + 46 + nlen, extra, xlen))
        return -1;
    for (i = 0; i + 4 <= xlen;) {
        size_t id = (size_t)S_le(extra + i, 2), sz = (size_t)S_le(extra + i + 2, 2), k = i + 4;
        if (k + sz > xlen)
            break;
        if (id == 0x0001) {
            if (usize == 0xFFFFFFFFu && k + 8 <= i + 4 + sz)
                usize = S_le(extra + k, 8), k += 8;
            if (csize == 0xFFFFFFFFu && k + 8 <= i + 4 + sz)
                csize = S_le(extra + k, 8), k += 8;
            if (local == 0xFFFFFFFFu && k + 8 <= i + 4 + sz)
                local = S_le(extra + k, 8);
        }
        i += 4 + sz;
    }
    e->size = usize;
    e->csize = csize;
    e->local = local;
    return 0;
}

/* n bytes at off, read directly (a header: no read-ahead); 0 if all
 * were there. */
static int
S_pread_direct(grokx_input *in, uint64_t off, unsigned char *buf, size_t n)
{
    size_t done = 0;
    if (off > in->size || n > in->size - off)
        return -1;
    if (in->mem) {
        memcpy(buf, in->mem + off, n);
        return 0;
    }
    while (done < n) {
        ssize_t r = pread(in->fd, buf + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* Whether e can be read (e->defect), where its data starts, and where its
 * local header disagrees with the central record (e->diff). name is the
 * central name (nlen bytes); tmp has room for 65535 bytes. */
static void
S_examine(grokx_input *in, gx_entry *e, const char *name, size_t nlen, char *tmp)
{
    unsigned char h[30];
    size_t lnlen, lxlen;
    unsigned lflags;
    if (e->symlink)
        e->defect = GX_DEFECT_SYMLINK;
    else if (e->flags & 1)
        e->defect = GX_DEFECT_ENCRYPTED;
    else if (e->method != 0 && e->method != Z_DEFLATED)
        e->defect = GX_DEFECT_METHOD;
    else if (e->csize > in->size || e->local > in->size - e->csize)
        e->defect = GX_DEFECT_BEYOND;
    else if (S_pread_direct(in, e->local, h, 30) || S_le(h, 4) != 0x04034b50)
        e->defect = GX_DEFECT_LOCAL;
    if (e->defect)
        return;
    lnlen = (size_t)S_le(h + 26, 2);
    lxlen = (size_t)S_le(h + 28, 2);
    e->data = e->local + 30 + lnlen + lxlen;
    if (e->data > in->size || e->csize > in->size - e->data) {
        e->defect = GX_DEFECT_DATA;
        return;
    }
    if (lnlen != nlen || S_pread_direct(in, e->local + 30, (unsigned char *)tmp, nlen) ||
        memcmp(tmp, name, nlen))
        e->diff |= GX_DIFF_NAME;
    if (S_le(h + 8, 2) != e->method)
        e->diff |= GX_DIFF_METHOD;
    lflags = (unsigned)S_le(h + 6, 2);
    if ((lflags ^ e->flags) & 1)
        e->diff |= GX_DIFF_FLAGS;
    if (!((lflags | e->flags) & 8)) { /* no data descriptor: the local header has them */
        uint64_t lcsize = S_le(h + 18, 4), lsize = S_le(h + 22, 4);
        const unsigned char *x = (const unsigned char *)tmp;
        size_t i;
        if (S_le(h + 14, 4) != e->crc)
            e->diff |= GX_DIFF_CRC;
        /* ZIP64: the local extra field holds both sizes, in that order */
        if ((lcsize == 0xFFFFFFFFu || lsize == 0xFFFFFFFFu) &&
            !S_pread_direct(in, e->local + 30 + lnlen, (unsigned char *)tmp, lxlen))
            for (i = 0; i + 4 <= lxlen; i += 4 + (size_t)S_le(x + i + 2, 2))
                if (S_le(x + i, 2) == 0x0001 && S_le(x + i + 2, 2) >= 16 && i + 20 <= lxlen) {
                    lsize = S_le(x + i + 4, 8);
                    lcsize = S_le(x + i + 12, 8);
                    break;
                }
        if (lcsize != e->csize)
            e->diff |= GX_DIFF_CSIZE;
        if (lsize != e->size)
            e->diff |= GX_DIFF_SIZE;
    }
    if (e->kind == GROKX_ENTRY_ASSET && e->size > in->opt.max_asset)
        e->defect = GX_DEFECT_TOO_BIG;
}

static int
S_scan(grokx_input *in, S_zip *z, grokx_error *err)
{
    unz_global_info64 gi;
    unz_file_info64 info;
    unz64_file_pos pos;
    char *name = malloc(65536 + 65536); /* the central name, then the local one */
    int rc;
    if (!name)
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    if (unzGetGlobalInfo64(z->dir, &gi) != UNZ_OK) {
        free(name);
        return gx_err_set(err, GROKX_E_ARCHIVE, "%s: unreadable ZIP directory", in->path);
    }
    for (rc = unzGoToFirstFile(z->dir); rc == UNZ_OK; rc = unzGoToNextFile(z->dir)) {
        gx_entry *e;
        size_t len;
        if (unzGetCurrentFileInfo64(z->dir, &info, name, 65535, NULL, 0, NULL, 0) != UNZ_OK ||
            unzGetFilePos64(z->dir, &pos) != UNZ_OK)
            break;
        len = GX_MIN((size_t)info.size_filename, (size_t)65535);
        name[len] = 0;
        if (len == 0 || name[len - 1] == '/')
            continue; /* a folder */
        if (!(e = gx_input_add_entry(in, name, info.uncompressed_size))) {
            free(name);
            return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
        }
        e->pos_dir = pos.pos_in_zip_directory;
        e->num_file = pos.num_of_file;
        e->method = (unsigned)info.compression_method;
        e->flags = (unsigned)info.flag;
        e->crc = (uint32_t)info.crc;
        e->symlink = S_is_symlink(&info);
        if (S_central_record(&z->dsrc, e) != 0) {
            free(name);
            return gx_err_set(err, GROKX_E_ARCHIVE,
                              "%s: %s: unreadable central directory record", in->path, e->name);
        }
        if ((rc = gx_input_classify(in, e)) != 0) {
            free(name);
            return gx_err_set(err, rc, "out of memory");
        }
        S_examine(in, e, name, len, name + 65536);
    }
    free(name);
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        return gx_err_set(err, GROKX_E_ARCHIVE,
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
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    in->zip = z;
    z->msrc.in = z->ssrc.in = z->dsrc.in = in;
    z->main.src = &z->msrc;
    z->side.src = &z->ssrc;
    /* the read buffers now, so that running out of memory is said as such
     * and not, from deep inside minizip, as a corrupt archive */
    if (!in->mem && (!(z->dsrc.buf = malloc(GX_READ_SIZE)) || !(z->msrc.buf = malloc(GX_READ_SIZE)) ||
                     !(z->ssrc.buf = malloc(GX_READ_SIZE))))
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    z->dir = S_unz_open(in, &z->dsrc);
    if (!z->dir && z->dsrc.err == ENOMEM)
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    if (!z->dir)
        return gx_err_set(err, GROKX_E_ARCHIVE,
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
    S_reader_close(&z->main);
    S_reader_close(&z->side);
    if (z->dir)
        unzClose(z->dir);
    free(z->dsrc.buf);
    free(z->msrc.buf);
    free(z->ssrc.buf);
    free(z);
    in->zip = NULL;
}

/* ---- reading one entry ----------------------------------------------- */

static void
S_reader_close(S_reader *r)
{
    if (r->zinit)
        inflateEnd(&r->zs);
    free(r->ibuf);
    r->zinit = 0;
    r->ibuf = NULL;
    r->open = 0;
}

/* Why e cannot be read, or 0. The backend (strict) must also have a local
 * header that agrees with its central record. */
static int
S_check_entry(grokx_input *in, const gx_entry *e, uint64_t max, int strict, grokx_error *err)
{
    int rc = gx_input_defect(in, e, strict, err);
    if (rc)
        return rc;
    if (e->size > max)
        return gx_err_set(err, GROKX_E_LIMIT,
                          "%s: %s expands to %llu bytes, more than the limit of %llu "
                          "(a ZIP bomb?)",
                          in->path, e->name, (unsigned long long)e->size,
                          (unsigned long long)max);
    return 0;
}

static int
S_corrupt(grokx_input *in, const gx_entry *e, const char *what, grokx_error *err)
{
    return gx_err_set(err, GROKX_E_ARCHIVE, "%s: %s: %s; the archive is corrupt", in->path,
                      e->name, what);
}

/* Get ready to read e's data (found when the archive was opened). */
static int
S_entry_open(grokx_input *in, S_reader *r, const gx_entry *e, uint64_t max, int strict,
             grokx_error *err)
{
    int rc = S_check_entry(in, e, max, strict, err);
    if (rc)
        return rc;
    S_reader_close(r);
    memset(&r->zs, 0, sizeof r->zs);
    if (e->method == Z_DEFLATED) {
        if (inflateInit2(&r->zs, -MAX_WBITS) != Z_OK)
            return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
        r->zinit = 1;
    }
    if (!(r->ibuf = malloc(GX_READ_SIZE))) {
        S_reader_close(r);
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    }
    r->e = e;
    r->pos = e->data;
    r->left = e->csize;
    r->out = 0;
    r->crc = crc32(0L, Z_NULL, 0);
    r->open = 1;
    r->ended = r->zend = r->rc = 0;
    return 0;
}

/* Next compressed bytes into the reader's input. */
static int
S_refill(grokx_input *in, S_reader *r, grokx_error *err)
{
    size_t n = (size_t)GX_MIN(r->left, (uint64_t)GX_READ_SIZE);
    if (S_pread(r->src, r->pos, r->ibuf, n))
        return gx_err_set(err, GROKX_E_ARCHIVE, "%s: %s: read failed; the file is truncated",
                          in->path, r->e->name);
    r->pos += n;
    r->left -= n;
    if (r == &((S_zip *)in->zip)->main) /* the backend, not an attachment */
        gx_input_progress(in, r->pos - r->e->data);
    r->zs.next_in = r->ibuf;
    r->zs.avail_in = (uInt)n;
    return 0;
}

/* The member's end: its sizes and CRC-32 against the central record. */
static int
S_entry_end(grokx_input *in, S_reader *r, grokx_error *err)
{
    const gx_entry *e = r->e;
    if (r->left || r->zs.avail_in)
        return S_corrupt(in, e, "its deflate data ends before its compressed size", err);
    if (r->out != e->size)
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s ends after %llu of its %llu bytes; the archive is "
                          "truncated or corrupt",
                          in->path, e->name, (unsigned long long)r->out,
                          (unsigned long long)e->size);
    if ((uint32_t)r->crc != e->crc)
        return gx_err_set(err, GROKX_E_ARCHIVE,
                          "%s: %s: CRC-32 mismatch; the archive is corrupt", in->path,
                          e->name);
    return 0;
}

/* Up to cap bytes of the entry; *got == 0 at its end, and only after its
 * size and CRC-32 were checked (a failed check is returned again by any
 * later call). */
static int
S_entry_read(grokx_input *in, S_reader *r, unsigned char *buf, size_t cap, size_t *got,
             grokx_error *err)
{
    const gx_entry *e = r->e;
    int rc;
    *got = 0;
    if (!r->open)
        return 0;
    if (r->ended) {
        if (r->rc)
            gx_err_set(err, r->rc, "%s", r->why);
        return r->rc;
    }
    while (*got == 0) {
        if (r->zs.avail_in == 0 && r->left && (rc = S_refill(in, r, err)) != 0)
            return rc;
        if (e->method == 0) { /* stored */
            size_t n = GX_MIN(cap, (size_t)r->zs.avail_in);
            if (!n)
                break; /* the end (next_in is NULL for an empty member) */
            memcpy(buf, r->zs.next_in, n);
            r->zs.next_in += n;
            r->zs.avail_in -= (uInt)n;
            *got = n;
        } else {
            int zr;
            if (r->zend)
                break;
            r->zs.next_out = buf;
            r->zs.avail_out = (uInt)GX_MIN(cap, (size_t)GX_READ_SIZE);
            zr = inflate(&r->zs, Z_NO_FLUSH);
            *got = GX_MIN(cap, (size_t)GX_READ_SIZE) - r->zs.avail_out;
            if (zr == Z_STREAM_END) {
                r->zend = 1;
            } else if (zr != Z_OK && !(zr == Z_BUF_ERROR && *got)) {
                if (zr == Z_BUF_ERROR && !r->left)
                    return S_corrupt(in, e, "the deflate data ends early", err);
                return S_corrupt(in, e, "bad deflate data", err);
            }
        }
        r->out += *got;
        if (r->out > e->size)
            return S_corrupt(in, e, "more data than its declared size", err);
        r->crc = crc32(r->crc, buf, (uInt)*got);
    }
    if (*got)
        return 0;
    r->ended = 1;
    if ((r->rc = S_entry_end(in, r, err)) != 0 && err)
        snprintf(r->why, sizeof r->why, "%s", err->text);
    return r->rc;
}

/* The backend's bytes, for gx_pump (which may call this on its thread:
 * the main reader and its source are used by nothing else meanwhile). */
static int
S_backend_read(void *state, unsigned char *buf, size_t cap, size_t *got, grokx_error *err)
{
    grokx_input *in = state;
    S_zip *z = in->zip;
    int rc = S_entry_read(in, &z->main, buf, cap, got, err);
    /* found after bytes went to the parser (the CRC-32 is known only at
     * the member's end): what was written from them is not vouched for */
    if (rc == GROKX_E_ARCHIVE && err && z->main.out > 0 && !strstr(err->text, GX_DAMAGED_TAIL)) {
        size_t n = strlen(err->text);
        snprintf(err->text + n, sizeof err->text - n, "%s", GX_DAMAGED_TAIL);
    }
    return rc;
}

int
gx_zip_parse(grokx_input *in, grokx_parser *p)
{
    S_zip *z = in->zip;
    grokx_error err = {0};
    int rc = S_entry_open(in, &z->main, &in->entries[in->backend], in->opt.max_expanded, 1, &err);
    if (rc)
        return gx_parser_fail(p, rc, "%s", err.text);
    gx_input_warn_members(in, p);
    rc = gx_pump(S_backend_read, in, p, "inside the ZIP");
    S_reader_close(&z->main);
    return rc;
}

/* ---- attachments on the side reader ---------------------------------- */

int
gx_zip_entry_open(grokx_input *in, const gx_entry *e, uint64_t max, grokx_error *err)
{
    S_zip *z = in->zip;
    return S_entry_open(in, &z->side, e, max, 0, err);
}

int
gx_zip_entry_read(grokx_input *in, const gx_entry *e, void *buf, size_t cap, size_t *got,
                  grokx_error *err)
{
    S_zip *z = in->zip;
    GX_UNUSED(e);
    return S_entry_read(in, &z->side, buf, cap, got, err);
}

void
gx_zip_entry_close(grokx_input *in)
{
    S_zip *z = in->zip;
    if (z)
        S_reader_close(&z->side);
}
