/*
 * fuzz_names.c -- libFuzzer harness for the file-name sanitiser
 * (names.c): any bytes (repaired to UTF-8, as titles reach writers) must
 * give one safe path component. Byte 0 picks the size of the name buffer.
 * Invariants: never empty; shorter than the buffer; valid UTF-8; no '/',
 * '\', control character or any of :*?"<>|; not "." or ".."; no leading
 * dot or trailing dot or space; not a Windows device name; the fold hash
 * ignores ASCII case. The display title of the same text (gx_display_title)
 * is never empty, valid UTF-8 and holds no control, bidi control or line
 * separator (gx_title_control).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
S_reserved(const char *s, size_t n)
{
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "COM", "LPT"};
    size_t i, stem = 0;
    while (stem < n && s[stem] != '.' && s[stem] != ' ')
        stem++;
    for (i = 0; i < 6; i++) {
        size_t l = strlen(dev[i]);
        if (i < 4 && stem == l && !strncasecmp(s, dev[i], l))
            return 1;
        if (i >= 4 && stem == l + 1 && !strncasecmp(s, dev[i], l) && s[l] >= '1' && s[l] <= '9')
            return 1;
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[300], *text, upper[300];
    size_t max, len, n, i, bad;
    if (size < 1 || size > 4096)
        return 0;
    max = 16 + data[0] % (sizeof out - 16);
    len = gx_utf8_repaired_len((const char *)data + 1, size - 1, &bad);
    if (!(text = malloc(len + 1)))
        return 0;
    gx_utf8_repair(text, (const char *)data + 1, size - 1);
    text[len] = 0;
    n = gx_name_component(text, len, out, max);
    if (n == 0 || n >= max || strlen(out) != n || !gx_utf8_valid(out, n))
        abort();
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F || strchr("/\\:*?\"<>|#^[]", out[i]))
            abort();
    if (out[0] == '.' || out[n - 1] == '.' || out[n - 1] == ' ' || S_reserved(out, n))
        abort();
    for (i = 0; i <= n; i++)
        upper[i] = (char)(out[i] >= 'a' && out[i] <= 'z' ? out[i] - 32 : out[i]);
    if (gx_name_fold_hash(upper) != gx_name_fold_hash(out))
        abort();
    {
        gx_mem mem;
        gx_buf scratch;
        grokx_str shown;
        gx_mem_init(&mem, NULL, NULL, 0);
        gx_buf_init(&scratch, &mem);
        if (gx_display_title((grokx_str){text, len}, &scratch, &shown) == 0) {
            if (!shown.len || !gx_utf8_valid(shown.ptr, shown.len))
                abort();
            for (i = 0; i < shown.len; i += n) {
                n = gx_utf8_seq((const unsigned char *)shown.ptr + i, shown.len - i);
                if (!n || gx_title_control(gx_utf8_decode((const unsigned char *)shown.ptr + i, n)))
                    abort();
            }
        }
        gx_buf_free(&scratch);
    }
    free(text);
    return 0;
}
