/*
 * fuzz_utf8.c -- libFuzzer harness for UTF-8 validation and repair
 * (utf8.c), which every string from an export passes through. Any bytes.
 * Invariants: the repaired text is valid and NUL-free, has the length
 * gx_utf8_repaired_len() announced, and equals the input when the input
 * was valid; repairing it again changes nothing; the number of
 * replacements is 0 exactly for valid input; gx_utf8_seq() agrees with
 * the validator on every prefix of a valid text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t bad = 0, bad2 = 0, n, n2, i;
    char *out, *out2;
    int valid = gx_utf8_valid(s, size);
    if (size > (1u << 20))
        return 0;
    n = gx_utf8_repaired_len(s, size, &bad);
    if ((bad == 0) != valid)
        abort();
    if (!(out = malloc(n + 1)))
        return 0;
    gx_utf8_repair(out, s, size);
    if (!gx_utf8_valid(out, n) || memchr(out, 0, n))
        abort();
    if (valid && (n != size || memcmp(out, s, size)))
        abort();
    n2 = gx_utf8_repaired_len(out, n, &bad2);
    if (n2 != n || bad2)
        abort();
    if (!(out2 = malloc(n2 + 1)))
        return free(out), 0;
    gx_utf8_repair(out2, out, n);
    if (memcmp(out, out2, n))
        abort();
    for (i = 0; i < n;) { /* sequences of the valid text, one by one */
        size_t k = gx_utf8_seq((const unsigned char *)out + i, n - i);
        if (!k || k > 4 || i + k > n)
            abort();
        i += k;
    }
    free(out);
    free(out2);
    return 0;
}
