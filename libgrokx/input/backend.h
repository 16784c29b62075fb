/*
 * input/backend.h -- the input handle and the back ends, private to
 * input/ (as curl's lib/vtls/ keeps its back ends behind one header).
 * Its files, and the only way their calls point:
 *
 *   dispatch   input.c (open, detect, parse), asset.c (attachments)
 *      |
 *   back ends  zip.c, folder.c, gzip.c, plain.c (JSON, stdin)
 *      |       pump.c (zip.c's and gzip.c's inflating on a second thread)
 *      |
 *   core       entries.c (entries, defects, classes, asset index),
 *              source.c (raw bytes of the source), sniff.c (what bytes are)
 *
 * A back end uses the core and pump.c, never the dispatch nor another
 * back end (folder.c reads its backend file through plain.c: plain.c is
 * the JSON reader, for a folder as for a file).
 */
#ifndef GROKX_INPUT_BACKEND_H
#define GROKX_INPUT_BACKEND_H

#include <stdatomic.h>
#include <sys/types.h>

#include "input/input.h"

#define GX_READ_SIZE (1u << 20)
#define GX_BACKEND_NAME "prod-grok-backend.json"

typedef struct gx_entry {
    char *name;          /* as stored */
    uint64_t size, csize; /* uncompressed, compressed */
    int kind;            /* GROKX_ENTRY_* */
    char *asset_id;      /* points into name, NUL-terminated copy */
    /* ZIP only */
    uint64_t pos_dir, num_file; /* unz64_file_pos: its central directory record */
    uint64_t local;             /* offset of its local header */
    uint64_t data;              /* offset of its data (after the local header) */
    unsigned method, flags;     /* compression method, general purpose flags */
    uint32_t crc;
    int symlink;
    /* Why the member cannot be read (GX_DEFECT_*, found when the export is
     * opened), and what its local header says otherwise than the central
     * directory (GX_DIFF_* bits; the central directory is what is read). */
    int defect;
    unsigned diff;
    /* folder only: full path */
    char *path;
} gx_entry;

enum {
    GX_DEFECT_NONE = 0,
    GX_DEFECT_SYMLINK,   /* a symbolic link (ZIP: Unix mode; folder: lstat) */
    GX_DEFECT_ENCRYPTED, /* general purpose flag bit 0 */
    GX_DEFECT_METHOD,    /* neither stored nor deflated */
    GX_DEFECT_BEYOND,    /* compressed size past the end of the file */
    GX_DEFECT_LOCAL,     /* no local header where the directory says */
    GX_DEFECT_DATA,      /* the data after the local header runs past the end */
    GX_DEFECT_TOO_BIG    /* an attachment declaring more than max_asset */
};
enum { /* fields where the local header and the central directory disagree */
    GX_DIFF_NAME = 1u, GX_DIFF_METHOD = 2u, GX_DIFF_FLAGS = 4u, GX_DIFF_CRC = 8u,
    GX_DIFF_CSIZE = 16u, GX_DIFF_SIZE = 32u
};

struct grokx_input {
    int kind; /* GROKX_INPUT_* */
    grokx_input_options opt;
    char *path, *name; /* as given; the backend's name for messages */
    /* the source of the bytes: a file descriptor or memory */
    int fd, own_fd;
    const unsigned char *mem;
    uint64_t size; /* of a regular file or memory; 0 for pipes */
    int parsed;
    /* ZIP or folder: every entry, and assets sorted by id for lookup */
    gx_entry *entries;
    size_t nentries, entries_cap;
    const gx_entry **assets; /* sorted by asset id */
    size_t nassets;
    /* bytes peeked from a pipe to detect the kind, replayed first */
    unsigned char pending[512];
    size_t pending_len, pending_pos;
    long backend; /* entry index, -1 if none */
    char asset_err[GROKX_ERROR_TEXT_MAX]; /* why the last asset open or read failed */
    void *zip;    /* zip.c's state */
    /* grokx_input_position(): source bytes of the backend read so far, and
     * their total (0: unknown). Written by whichever thread reads (pump.c's
     * for a ZIP or gzip), read by the parser's progress callback. */
    _Atomic uint64_t read_pos;
    uint64_t read_total;
};

/* ---- core: entries.c ------------------------------------------------ */

gx_entry *gx_input_add_entry(grokx_input *in, const char *name, uint64_t size);
/* Why e cannot be read (its defect, else a local header that disagrees
 * with the directory when strict): GROKX_E_ARCHIVE or GROKX_E_LIMIT with
 * "<input>: <member> <reason>" in err; 0 if it can. */
int gx_input_defect(grokx_input *in, const gx_entry *e, int strict, grokx_error *err);
/* Warn on p about each member that cannot be read or whose headers
 * disagree (the backend's own defects are errors, when it is read). */
void gx_input_warn_members(grokx_input *in, grokx_parser *p);
int gx_input_classify(grokx_input *in, gx_entry *e); /* kind, asset id */
/* Find the one backend (else: not an export); sort the assets by id. */
int gx_input_index_assets(grokx_input *in, grokx_error *err);
/* The attachment with this asset id, NULL if none. */
const gx_entry *gx_input_find_asset(grokx_input *in, const char *id);
void gx_input_free_entries(grokx_input *in);

/* ---- core: source.c -------------------------------------------------- */

/* Up to n bytes at the start of the source; a pipe's are kept in
 * in->pending, to be replayed by gx_input_read. */
ssize_t gx_input_peek(grokx_input *in, unsigned char *buf, size_t n);
/* The next raw bytes of fd (the source's own: pipe bytes peeked first,
 * or memory); *pos counts them. */
ssize_t gx_input_read(grokx_input *in, int fd, unsigned char *buf, size_t cap, uint64_t *pos);
/* Where the backend's reading is, for grokx_input_position(). */
void gx_input_progress(grokx_input *in, uint64_t pos);

/* ---- core: sniff.c --------------------------------------------------- */

/* "not a Grok export: this looks like ..." for bytes no export starts
 * with (the first significant byte is not '{' or '['); NULL for bytes the
 * JSON parser should judge. at_end: h holds the whole input. */
const char *gx_sniff_not_export(const unsigned char *h, size_t len, int at_end, char *buf,
                                size_t cap);

/* ---- pump.c ---------------------------------------------------------- */

/* A source of decompressed bytes: fills buf with up to cap bytes; *got == 0
 * at the end; on failure returns a GROKX_E_* code with err filled. */
typedef int (*gx_read_fn)(void *state, unsigned char *buf, size_t cap, size_t *got,
                          grokx_error *err);
/* Feed everything next() produces to p, inflating on a second thread; then
 * finish p. Returns the parse's result. Bytes no export starts with fail
 * as "not a Grok export: this looks like <kind>, <how>". */
int gx_pump(gx_read_fn next, void *state, grokx_parser *p, const char *how);

/* ---- back ends: each parses the backend into p, then finishes p ------ */

/* plain.c: uncompressed JSON from fd, through buf (GX_READ_SIZE bytes);
 * sniff: judge the first chunk (a file given itself was judged at open). */
int gx_plain_parse(grokx_input *in, int fd, grokx_parser *p, unsigned char *buf, int sniff);

/* gzip.c: a gzip stream from fd. */
int gx_gzip_parse(grokx_input *in, int fd, grokx_parser *p);

/* folder.c: list the folder's files (in->path); parse its backend; open
 * and read an attachment's file (fd is the caller's to close). */
int gx_folder_open(grokx_input *in, grokx_error *err);
int gx_folder_parse(grokx_input *in, grokx_parser *p, unsigned char *buf);
int gx_folder_member_open(const gx_entry *e, int *fd, grokx_error *err);
int gx_folder_member_read(const gx_entry *e, int fd, void *buf, size_t cap, size_t *got,
                          grokx_error *err);

/* zip.c: read the central directory and check every member; parse the
 * backend on the main reader; attachments on the side reader. */
int gx_zip_open(grokx_input *in, grokx_error *err);
void gx_zip_close(grokx_input *in);
int gx_zip_parse(grokx_input *in, grokx_parser *p);
/* Open entry e for reading; then read until *got == 0. */
int gx_zip_entry_open(grokx_input *in, const gx_entry *e, uint64_t max, grokx_error *err);
int gx_zip_entry_read(grokx_input *in, const gx_entry *e, void *buf, size_t cap, size_t *got,
                      grokx_error *err);
void gx_zip_entry_close(grokx_input *in);

#endif /* GROKX_INPUT_BACKEND_H */
