/*
 * term.c -- text from an export made safe for a terminal.
 *
 * A title, a model's name or a warning quoting the export can hold what a
 * terminal obeys or reorders: C0 controls (ESC starts a sequence, BEL
 * rings), DEL, C1 controls (U+009B is a CSI), the line and paragraph
 * separators U+2028/U+2029, and the bidirectional controls that make text
 * read backwards (U+202E) or hide where it ends. As text, the first kinds
 * become a space and the bidi controls U+FFFD. In JSON each but C0 (JSON
 * escapes those in strings, and they are whitespace outside) becomes its
 * \uXXXX escape: the same JSON for a reader. All else passes unchanged, in
 * runs. grokx info's text, and the grokx tool for
 * everything it prints from an export or an index, go through this one
 * function.
 */
#include <stdio.h>

#include "base/base.h"

/* The character to neutralise at s (n bytes remain): its code point, with
 * its length in *len, or -1. */
static long
S_unsafe(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    *len = 1;
    if (c < 0x20 || c == 0x7F)
        return (long)c;
    if (c < 0xC2 || n < 2)
        return -1;
    *len = 2;
    if (c == 0xC2 && s[1] >= 0x80 && s[1] < 0xA0) /* U+0080-U+009F */
        return (long)s[1];
    if (c == 0xD8 && s[1] == 0x9C) /* U+061C arabic letter mark */
        return 0x061C;
    if (c != 0xE2 || n < 3)
        return -1;
    *len = 3;
    if (s[1] == 0x80 && (s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xA8 && s[2] <= 0xAE)))
        return 0x2000 + (long)(s[2] & 0x3F); /* U+200E/F, U+2028/9, U+202A-E */
    if (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)
        return 0x2040 + (long)(s[2] & 0x3F); /* U+2066-U+2069 */
    return -1;
}

int
grokx_terminal_write(grokx_sink sink, const char *text, size_t len, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)text;
    int json = (flags & GROKX_TERMINAL_JSON) != 0;
    size_t i = 0, run = 0, k;
    char esc[8];
    const char *rep;
    size_t rlen;
    long cp;
    while (i < len) {
        if ((s[i] >= 0x20 && s[i] < 0x7F) || (json && s[i] < 0x20)) {
            i++; /* ASCII: the common case */
            continue;
        }
        if ((cp = S_unsafe(s + i, len - i, &k)) < 0) {
            i++;
            continue;
        } else if (json) {
            snprintf(esc, sizeof esc, "\\u%04lx", (unsigned long)cp);
            rep = esc, rlen = 6;
        } else if (cp < 0x0600 || cp == 0x2028 || cp == 0x2029) {
            rep = " ", rlen = 1; /* controls and line breaks */
        } else {
            rep = "\xEF\xBF\xBD", rlen = 3; /* bidi controls: U+FFFD */
        }
        if ((i > run && gx_sink_write(sink, text + run, i - run)) || gx_sink_write(sink, rep, rlen))
            return GROKX_E_IO;
        i += k;
        run = i;
    }
    return i > run ? gx_sink_write(sink, text + run, i - run) : 0;
}
