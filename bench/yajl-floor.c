/*
 * yajl-floor: the bare-yajl throughput floor.
 *
 * Parses one JSON document with yajl 2 using callbacks that do nothing but
 * return 1, so the measured time is what yajl itself costs (tokenising,
 * UTF-8 validation) plus read().  Each yajl_parse() call gets a full chunk
 * of BYTES (short only at EOF), also when reading from a pipe.  Any real consumer built on yajl can only
 * be slower than this; the gap is the consumer's own overhead.
 *
 * Usage: yajl-floor [-b BYTES] FILE|-
 * Prints "bytes=N" on success (exit 0); prints the yajl error to stderr
 * and exits 1 on a parse error, 2 on a usage or I/O error.
 *
 * Build: cc -std=c11 -O2 -o yajl-floor yajl-floor.c -lyajl
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

/* Every callback accepts and ignores its token; returning 1 = continue. */
static int cb_null(void *ctx) { (void)ctx; return 1; }
static int cb_bool(void *ctx, int v) { (void)ctx; (void)v; return 1; }
static int cb_number(void *ctx, const char *s, size_t n)
{
    (void)ctx; (void)s; (void)n;
    return 1;
}
static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    (void)ctx; (void)s; (void)n;
    return 1;
}
static int cb_start_map(void *ctx) { (void)ctx; return 1; }
static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
    (void)ctx; (void)s; (void)n;
    return 1;
}
static int cb_end_map(void *ctx) { (void)ctx; return 1; }
static int cb_start_array(void *ctx) { (void)ctx; return 1; }
static int cb_end_array(void *ctx) { (void)ctx; return 1; }

/* yajl_integer/yajl_double stay NULL: with yajl_number set yajl hands
 * numbers over raw and skips strtoll/strtod, which is the cheapest path. */
static const yajl_callbacks floor_callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array
};

static void usage(void)
{
    fprintf(stderr, "usage: yajl-floor [-b BYTES] FILE|-\n");
    exit(2);
}

/* Prints yajl's own message (with the offending context) to stderr. */
static int report_error(yajl_handle h, const unsigned char *chunk, size_t n)
{
    unsigned char *msg = yajl_get_error(h, 1, chunk, n);
    fprintf(stderr, "yajl-floor: %s", (const char *)msg);
    yajl_free_error(h, msg);
    return 1;
}

/* Reads until buf is full or EOF.  A pipe hands out at most its capacity
 * (64 KiB by default) per read(); without this loop -b would not be the
 * chunk size yajl sees, and that size matters (see README: yajl re-lexes
 * a token split across chunks from its start). Returns -1 on error. */
static ssize_t read_full(int fd, unsigned char *buf, size_t size)
{
    size_t have = 0;
    while (have < size) {
        ssize_t got = read(fd, buf + have, size - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        have += (size_t)got;
    }
    return (ssize_t)have;
}

/* Feeds fd to the parser in chunks of bufsize; returns the exit status. */
static int parse_fd(int fd, size_t bufsize, uint64_t *total)
{
    unsigned char *buf = malloc(bufsize);
    yajl_handle h = yajl_alloc(&floor_callbacks, NULL, NULL);
    int rc = 0;

    if (!buf || !h) {
        fprintf(stderr, "yajl-floor: out of memory\n");
        exit(2);
    }
    for (;;) {
        ssize_t got = read_full(fd, buf, bufsize);
        if (got < 0) {
            fprintf(stderr, "yajl-floor: read: %s\n", strerror(errno));
            rc = 2;
            break;
        }
        if (got == 0) {
            if (yajl_complete_parse(h) != yajl_status_ok)
                rc = report_error(h, buf, 0);
            break;
        }
        *total += (uint64_t)got;
        if (yajl_parse(h, buf, (size_t)got) != yajl_status_ok) {
            rc = report_error(h, buf, (size_t)got);
            break;
        }
    }
    yajl_free(h);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    size_t bufsize = 65536;
    const char *path = NULL;
    uint64_t total = 0;
    int fd, rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || v == 0 || v > (1ULL << 30))
                usage();
            bufsize = (size_t)v;
        } else if (!path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            path = argv[i];
        } else {
            usage();
        }
    }
    if (!path)
        usage();
    fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "yajl-floor: %s: %s\n", path, strerror(errno));
        return 2;
    }
    rc = parse_fd(fd, bufsize, &total);
    if (fd != 0)
        close(fd);
    if (rc == 0)
        printf("bytes=%" PRIu64 "\n", total);
    return rc;
}
