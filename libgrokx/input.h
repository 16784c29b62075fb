/*
 * input.h -- the input handle, shared by input.c (detection, plain JSON,
 * gzip, folders, assets) and zip.c (the export ZIP). Private.
 */
#ifndef GROKX_INPUT_H
#define GROKX_INPUT_H

#include <sys/types.h>

#include "internal.h"

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
    unsigned method, flags;     /* compression method, general purpose flags */
    uint32_t crc;
    int symlink;
    /* folder only: full path */
    char *path;
} gx_entry;

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
    unsigned char pending[8];
    size_t pending_len, pending_pos;
    long backend; /* entry index, -1 if none */
    void *zip;    /* zip.c state */
};

/* input.c */
int gx_input_error(grokx_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
gx_entry *gx_input_add_entry(grokx_input *in, const char *name, uint64_t size);
int gx_input_classify(grokx_input *in, gx_entry *e); /* kind, asset id */
int gx_input_index_assets(grokx_input *in, grokx_error *err);

/* A source of decompressed bytes: fills buf with up to cap bytes; *got == 0
 * at the end; on failure returns a GROKX_E_* code with err filled. */
typedef int (*gx_read_fn)(void *state, unsigned char *buf, size_t cap, size_t *got,
                          grokx_error *err);

/* input.c: the raw bytes of the source (pipe bytes peeked first). */
ssize_t gx_input_read(grokx_input *in, int fd, unsigned char *buf, size_t cap, uint64_t *pos);

/* stream.c */
typedef struct gx_gz gx_gz;
gx_gz *gx_gz_new(grokx_input *in, int fd);
void gx_gz_free(gx_gz *g);
int gx_gz_read(void *state, unsigned char *buf, size_t cap, size_t *got, grokx_error *err);
/* Feed everything next() produces to p, inflating on a second thread; then
 * finish p. Returns the parse's result. */
int gx_pump(gx_read_fn next, void *state, grokx_parser *p);

/* zip.c */
int gx_zip_open(grokx_input *in, grokx_error *err);
void gx_zip_close(grokx_input *in);
int gx_zip_parse(grokx_input *in, grokx_parser *p);
/* Open entry e for reading; then read until *got == 0. */
int gx_zip_entry_open(grokx_input *in, const gx_entry *e, uint64_t max, grokx_error *err);
int gx_zip_entry_read(grokx_input *in, const gx_entry *e, void *buf, size_t cap, size_t *got,
                      grokx_error *err);
void gx_zip_entry_close(grokx_input *in);

/* parser.c: fail a parse for a reason outside the JSON (the container). */
int gx_parser_fail(grokx_parser *p, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
