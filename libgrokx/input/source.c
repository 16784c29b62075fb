/*
 * source.c -- the raw bytes of the source the input was opened on: a
 * file, a pipe (standard input) or memory. Peeking at its start to
 * detect the kind keeps a pipe's bytes, and reading replays them first,
 * so the kind is found without a seek. Uses nothing else of input/.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "input/backend.h"

/* Read up to n bytes at the start of the source (files: pread; pipes:
 * read, and the bytes are kept to be replayed by the parse). */
ssize_t
gx_input_peek(grokx_input *in, unsigned char *buf, size_t n)
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

void
gx_input_progress(grokx_input *in, uint64_t pos)
{
    atomic_store_explicit(&in->read_pos, pos, memory_order_relaxed);
}
