/*
 * gzip.c -- the back end for a gzip-compressed backend JSON (a .json.gz,
 * from a file or a pipe): zlib inflates it, member after member, bounded
 * by max_expanded, and the pump (pump.c) feeds the parser from a second
 * thread while this inflates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "input/backend.h"

typedef struct S_gz {
    grokx_input *in;
    int fd;
    z_stream zs;
    unsigned char *ibuf;
    uint64_t pos, out; /* compressed bytes read, bytes produced */
    int member_done, started;
} S_gz;

static S_gz *
S_gz_new(grokx_input *in, int fd)
{
    S_gz *g = calloc(1, sizeof *g);
    if (!g || !(g->ibuf = malloc(GX_READ_SIZE)) || inflateInit2(&g->zs, 15 + 32) != Z_OK) {
        if (g)
            free(g->ibuf);
        free(g);
        return NULL;
    }
    g->in = in;
    g->fd = fd;
    g->started = 1;
    return g;
}

static void
S_gz_free(S_gz *g)
{
    if (!g)
        return;
    inflateEnd(&g->zs);
    free(g->ibuf);
    free(g);
}

/* The next bytes of the decompressed stream; *got == 0 at its end.
 * Concatenated members follow one another (inflateReset). */
static int
S_gz_read(void *state, unsigned char *buf, size_t cap, size_t *got, grokx_error *err)
{
    S_gz *g = state;
    grokx_input *in = g->in;
    *got = 0;
    while (*got == 0) {
        int zr;
        if (g->zs.avail_in == 0) {
            ssize_t n = gx_input_read(in, g->fd, g->ibuf, GX_READ_SIZE, &g->pos);
            if (n < 0)
                return gx_err_set(err, GROKX_E_IO, "%s: read failed: %s", in->path,
                                  strerror(errno));
            if (n == 0)
                return g->member_done ? 0
                                      : gx_err_set(err, GROKX_E_ARCHIVE,
                                                   "%s: the gzip data ends early (byte %llu "
                                                   "of the compressed file); it is truncated",
                                                   in->path, (unsigned long long)g->pos);
            g->zs.next_in = g->ibuf;
            g->zs.avail_in = (uInt)n;
            gx_input_progress(in, g->pos);
        }
        if (g->member_done) { /* another member follows */
            if (g->zs.next_in[0] != 0x1f)
                return gx_err_set(err, GROKX_E_ARCHIVE,
                                  "%s: data after the end of the gzip stream (byte %llu)",
                                  in->path, (unsigned long long)(g->pos - g->zs.avail_in));
            inflateReset(&g->zs);
            g->member_done = 0;
        }
        g->zs.next_out = buf;
        g->zs.avail_out = (uInt)cap;
        zr = inflate(&g->zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            return gx_err_set(err, GROKX_E_ARCHIVE, "%s: corrupt gzip data near byte %llu: %s",
                              in->path, (unsigned long long)(g->pos - g->zs.avail_in),
                              g->zs.msg ? g->zs.msg : "inflate failed");
        *got = cap - g->zs.avail_out;
        g->out += *got;
        if (g->out > in->opt.max_expanded)
            return gx_err_set(err, GROKX_E_LIMIT,
                              "%s: expands to more than %llu bytes (a gzip bomb?)", in->path,
                              (unsigned long long)in->opt.max_expanded);
        g->member_done = zr == Z_STREAM_END;
    }
    return 0;
}

int
gx_gzip_parse(grokx_input *in, int fd, grokx_parser *p)
{
    S_gz *g = S_gz_new(in, fd);
    int rc;
    if (!g)
        return gx_parser_fail(p, GROKX_E_NOMEM, "out of memory");
    rc = gx_pump(S_gz_read, g, p, "compressed with gzip");
    S_gz_free(g);
    return rc;
}
