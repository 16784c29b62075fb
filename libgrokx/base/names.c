/*
 * names.c -- file names from untrusted titles: safe on Linux, macOS and
 * Windows, readable, and capped in bytes on a UTF-8 boundary.
 *
 * A title becomes one path component: no separators, no "..", no control
 * or bidirectional-override characters, none of  \ / : * ? " < > | (nor
 * # ^ [ ], which break Obsidian's links to the note), no
 * leading dot (hidden file) or trailing dot/space (Windows drops them), not
 * a reserved device name (CON, NUL, COM1, ...), never empty.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/base.h"

/* Code points dropped from names: bidi controls and invisible marks that
 * make a name look like something it is not. */
static int
S_invisible(uint32_t c)
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0xFEFF ||
           c == 0x00AD || c == 0x061C || c == 0x180E || c == 0x034F || c == 0xFFFE || c == 0xFFFF;
}

/* Does s start with the letters w, in any case? */
static int
S_letters(const char *s, const char *w)
{
    for (; *w; s++, w++)
        if ((*s & ~0x20) != *w)
            return 0;
    return 1;
}

/* Windows device names, also with an extension ("CON.txt", "nul .md"):
 * COM and LPT take a digit 0-9 or a superscript 1-3 (U+00B9, U+00B2,
 * U+00B3), which Windows also treats as devices. */
static int
S_reserved(const char *s, size_t n)
{
    size_t base = 0;
    while (base < n && s[base] != '.' && s[base] != ' ')
        base++;
    if (base == 3)
        return S_letters(s, "CON") || S_letters(s, "PRN") || S_letters(s, "AUX") ||
               S_letters(s, "NUL");
    if ((base == 4 && s[3] >= '0' && s[3] <= '9') ||
        (base == 5 && (unsigned char)s[3] == 0xC2 &&
         ((unsigned char)s[4] == 0xB9 || (unsigned char)s[4] == 0xB2 || (unsigned char)s[4] == 0xB3)))
        return S_letters(s, "COM") || S_letters(s, "LPT");
    if (base == 6 && s[5] == '$')
        return S_letters(s, "CONIN");
    if (base == 7 && s[6] == '$')
        return S_letters(s, "CONOUT");
    return 0;
}

/* Trim spaces and dots at the end (Windows drops them, and "a." vs "a"
 * would collide). */
static size_t
S_trim_end(char *out, size_t n)
{
    while (n && (out[n - 1] == ' ' || out[n - 1] == '.'))
        n--;
    out[n] = 0;
    return n;
}

size_t
gx_name_component(const char *text, size_t len, char *out, size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, n = 0, k;
    int space = 0;
    if (max < 16)
        return 0;
    max -= 2; /* room for a "_" prefix and the NUL */
    while (i < len) {
        size_t seq = gx_utf8_seq(s + i, len - i);
        uint32_t c;
        if (!seq) { /* invalid: strings from the parser never are, but be safe */
            i++;
            continue;
        }
        c = gx_utf8_decode(s + i, seq);
        if (c < 0x20 || c == 0x7F || (c < 0x80 && strchr("\\/:*?\"<>|#^[]", (int)c)) ||
            (c >= 0x80 && c < 0xA0) ||
            c == ' ' || c == 0xA0 || c == 0x3000) {
            space = n > 0; /* runs of separators become one space */
            i += seq;
            continue;
        }
        if (S_invisible(c)) {
            i += seq;
            continue;
        }
        if (n == 0 && c == '.') { /* no hidden files, no ".." */
            i += seq;
            continue;
        }
        if (n + space + seq > max)
            break; /* the cap falls on a character boundary */
        if (space)
            out[n++] = ' ';
        space = 0;
        for (k = 0; k < seq; k++)
            out[n++] = (char)s[i + k];
        i += seq;
    }
    n = S_trim_end(out, n);
    if (n == 0) {
        memcpy(out, "Untitled", 9);
        return 8;
    }
    if (S_reserved(out, n)) {
        memmove(out + 1, out, n + 1);
        out[0] = '_';
        n++;
    }
    return n;
}

/* FNV-1a of s with ASCII letters lowered. */
static uint64_t
S_fnv_fold_ascii(const char *s, uint64_t h)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = gx_fnv1a64(h, &c, 1);
    }
    return h;
}

/* Hash of a relative path as a case-insensitive, normalisation-insensitive
 * file system sees it (APFS, HFS+, NTFS): "Café" in NFC and in NFD, "CAFÉ",
 * "ΣΣ" and "σς", "STRASSE" and "straße" are one name there. Non-ASCII text
 * is hashed as its NFC with full case folding (utf8proc); folding more
 * than a file system does only costs a " 2" suffix, folding less would
 * let one note overwrite another. ASCII hashes as before. */
uint64_t
gx_name_fold_hash(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    utf8proc_int32_t stack[512], *cp = stack;
    utf8proc_ssize_t n, i;
    const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    uint64_t h = GX_FNV64_BASIS_V1;
    while (*p && *p < 0x80)
        p++;
    if (!*p)
        return S_fnv_fold_ascii(s, h);
    n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s), cp, 512, opt);
    if (n > 512 && (size_t)n < SIZE_MAX / sizeof *cp && (cp = malloc((size_t)n * sizeof *cp)) != NULL)
        n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s), cp, n, opt);
    if (n < 0 || (n > 512 && cp == stack)) {
        if (cp != stack)
            free(cp);
        return S_fnv_fold_ascii(s, h); /* not UTF-8 (names are), or no memory */
    }
    n = utf8proc_normalize_utf32(cp, n, opt);
    for (i = 0; i < n; i++) { /* the folded text's UTF-8, hashed as the ASCII path does */
        utf8proc_uint8_t u[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp[i], u);
        h = gx_fnv1a64(h, u, m > 0 ? (size_t)m : 0);
    }
    if (cp != stack)
        free(cp);
    return h;
}

int
gx_title_control(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C ||
           c == 0x2028 || c == 0x2029;
}

/* Something a person can see (not a space, control or invisible mark). */
static int
S_visible(uint32_t c)
{
    return !(c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0) || c == 0x1680 ||
             (c >= 0x2000 && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
             c == 0x205F || c == 0x3000 || c == 0xFEFF || S_invisible(c));
}

int
gx_text_clean(const char *text, size_t len, gx_buf *scratch, grokx_str *shown)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i, seq;
    shown->ptr = text, shown->len = len;
    for (i = 0; i < len; i += seq) { /* most text holds none: no copy */
        if (s[i] >= 0x20 && s[i] < 0x7F) {
            seq = 1;
            continue;
        }
        seq = gx_utf8_seq(s + i, len - i);
        if (!seq || gx_title_control(gx_utf8_decode(s + i, seq)))
            break;
    }
    if (i == len)
        return 0;
    scratch->len = 0;
    for (i = 0; i < len; i += seq ? seq : 1) {
        uint32_t c;
        seq = gx_utf8_seq(s + i, len - i);
        c = seq ? gx_utf8_decode(s + i, seq) : 0;
        if (!seq || (gx_title_control(c) && c != '\t' && c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029))
            continue; /* dropped; a line break becomes a space */
        if (gx_title_control(c) ? gx_buf_putc(scratch, ' ') : gx_buf_put(scratch, s + i, seq))
            return GROKX_E_NOMEM;
    }
    if (gx_buf_putc(scratch, 0))
        return GROKX_E_NOMEM;
    shown->ptr = scratch->ptr;
    shown->len = scratch->len - 1;
    return 0;
}

int
gx_text_blank(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        size_t seq = gx_utf8_seq(s + i, len - i);
        if (S_visible(seq ? gx_utf8_decode(s + i, seq) : 0xFFFD))
            return 0;
        i += seq ? seq : 1;
    }
    return 1;
}

int
gx_display_title(grokx_str title, gx_buf *scratch, grokx_str *shown)
{
    static const grokx_str untitled = {"Untitled", 8};
    const unsigned char *s = (const unsigned char *)title.ptr;
    size_t i = 0;
    while (i < title.len) {
        size_t seq = gx_utf8_seq(s + i, title.len - i);
        uint32_t c = seq ? gx_utf8_decode(s + i, seq) : 0xFFFD;
        if (S_visible(c))
            return gx_text_clean(title.ptr, title.len, scratch, shown);
        i += seq ? seq : 1;
    }
    *shown = untitled; /* nothing a person can see */
    return 0;
}
