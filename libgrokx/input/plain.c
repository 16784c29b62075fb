/*
 * plain.c -- the back end for uncompressed JSON: prod-grok-backend.json
 * given as a file, standard input ("-"), memory, and the backend file of
 * an export's folder (folder.c reads it through here). Read in chunks of
 * GX_READ_SIZE on the caller's thread: nothing to inflate, so no second
 * thread pays for itself.
 *
 * Its own file rather than part of the dispatch (input.c) because the
 * folder back end reads through it too: dependencies then point one way,
 * dispatch -> back ends -> core.
 */
#include <errno.h>
#include <string.h>

#include "input/backend.h"

/* Feed everything read from fd to p, then finish p. sniff: judge the
 * first chunk as an export (a folder's file; a file given itself was
 * sniffed when it was opened). buf holds GX_READ_SIZE bytes. */
int
gx_plain_parse(grokx_input *in, int fd, grokx_parser *p, unsigned char *buf, int sniff)
{
    uint64_t pos = 0;
    for (;;) {
        ssize_t n = gx_input_read(in, fd, buf, GX_READ_SIZE, &pos);
        int rc;
        if (n < 0)
            return gx_parser_fail(p, GROKX_E_IO, "%s: read failed: %s", in->path, strerror(errno));
        if (n == 0)
            return grokx_parser_finish(p);
        gx_input_progress(in, pos);
        if (pos == (uint64_t)n && sniff) {
            char what[128];
            const char *why = gx_sniff_not_export(buf, (size_t)n, 0, what, sizeof what);
            if (why)
                return gx_parser_fail(p, GROKX_E_SCHEMA, "not a Grok export: %s", why);
        }
        if ((rc = grokx_parser_feed(p, buf, (size_t)n)) != 0)
            return rc;
    }
}
