/*
 * path.c -- paths formatted into fixed buffers, whole or not at all.
 *
 * A path cut to fit its buffer names ANOTHER file: snprintf() of
 * "OUT/2025/10/<long title>.md" into 4096 bytes may stop at
 * "OUT/2025/10/<shorter title>", and the note is then written, compared
 * or removed at that wrong place. Every path the library formats into a
 * buffer goes through gx_path_join(), which refuses instead of cutting,
 * as the kernel does for a path it cannot take (ENAMETOOLONG).
 */
#include <errno.h>
#include <stdio.h>

#include "base/base.h"

int
gx_path_join(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < cap)
        return 0;
    if (cap)
        buf[0] = '\0'; /* never the cut path, even to a caller that ignores this */
    errno = ENAMETOOLONG;
    return GROKX_E_LIMIT;
}
