/*
 * fallback.c -- what the parser fills in when the export leaves one of a
 * conversation's fields out or blank (grokx.h, "Fallbacks"): its times
 * from its messages' times, its title from its first question or its
 * summary. Each is flagged (GROKX_CONV_*_DERIVED) so a writer can tell
 * what the export said from what was derived. Done here, once, so every
 * writer (md, html, events, index) shows the same thing.
 */
#include <string.h>

#include "parse/parse.h"

/* A title made from a text stops near this many characters. */
#define S_TITLE_CHARS 60

/* Time a before time b, with the part past the millisecond. */
static int
S_before(grokx_time a, uint32_t ans, grokx_time b, uint32_t bns)
{
    return a < b || (a == b && ans < bns);
}

static void
S_times(grokx_conversation *c, const grokx_message *all, size_t n)
{
    const grokx_message *first = NULL, *last = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        const grokx_message *m = &all[i];
        if (m->create_time == GROKX_TIME_NONE)
            continue;
        if (!first || S_before(m->create_time, m->create_ns, first->create_time, first->create_ns))
            first = m;
        if (!last || !S_before(m->create_time, m->create_ns, last->create_time, last->create_ns))
            last = m;
    }
    if (!first)
        return;
    if (c->create_time == GROKX_TIME_NONE) {
        c->create_time = first->create_time;
        c->create_ns = first->create_ns;
        c->create_digits = first->create_digits;
        c->flags |= GROKX_CONV_CREATE_DERIVED;
    }
    /* a message after modify_time modified the conversation; an absent
     * modify_time stays absent (the export did not say, and create_time
     * with the messages' own times says the rest) */
    if (c->modify_time != GROKX_TIME_NONE &&
        S_before(c->modify_time, c->modify_ns, last->create_time, last->create_ns)) {
        c->modify_time = last->create_time;
        c->modify_ns = last->create_ns;
        c->modify_digits = last->create_digits;
        c->flags |= GROKX_CONV_MODIFY_DERIVED;
    }
}

/* White space a title may begin or end with: ASCII's, and the Unicode
 * spaces a pasted title brings (NBSP, U+2000-U+200B, U+202F, U+205F,
 * U+3000, the BOM). Its length in bytes at s, or 0. */
static size_t
S_space(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t seq;
    uint32_t c;
    if (!len)
        return 0;
    if (u[0] < 0x80)
        return u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r') ? 1 : 0;
    if (!(seq = gx_utf8_seq(u, len)))
        return 0;
    c = gx_utf8_decode(u, seq);
    return c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
                   c == 0x3000 || c == 0xFEFF
               ? seq
               : 0;
}

/* The start of the last UTF-8 character of s[0..len). */
static size_t
S_last_char(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    return i ? i - 1 : 0;
}

static grokx_str
S_trim(grokx_str t)
{
    size_t k;
    while (t.len && (k = S_space(t.ptr, t.len)) != 0)
        t.ptr += k, t.len -= k;
    while (t.len) {
        size_t at = S_last_char(t.ptr, t.len);
        if (!S_space(t.ptr + at, t.len - at))
            break;
        t.len = at;
    }
    return t;
}

/* One line of a text as a title: list, quote and heading markers at its
 * start dropped, emphasis and code marks dropped, runs of white space one
 * space, cut at a word boundary near S_TITLE_CHARS characters ("..." then
 * added). Written at out (room: len + 3 bytes); returns its length. */
static size_t
S_line_title(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0, chars = 0, boundary = 0, k;
    int space = 0;
    for (;;) { /* leading markers: "# ", "> ", "- ", "* ", "+ ", "1. ", "1) " */
        size_t j = i;
        while (j < len && (k = S_space(s + j, len - j)) != 0)
            j += k;
        if (j < len && (s[j] == '#' || s[j] == '>')) {
            while (j < len && (s[j] == '#' || s[j] == '>'))
                j++;
        } else if (j + 1 < len && (s[j] == '-' || s[j] == '*' || s[j] == '+') && s[j + 1] == ' ') {
            j += 2;
        } else {
            size_t d = j;
            while (d < len && s[d] >= '0' && s[d] <= '9')
                d++;
            if (d > j && d + 1 < len && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ')
                j = d + 2;
        }
        if (j == i)
            break;
        i = j;
    }
    while (i < len) {
        if ((k = S_space(s + i, len - i)) != 0) {
            space = o > 0;
            i += k;
            continue;
        }
        if (s[i] == '`' || s[i] == '*' || (s[i] == '_' && (i + 1 < len && s[i + 1] == '_'))) {
            i += s[i] == '_' ? 2 : 1; /* emphasis, code: marks only ("__" too; "a_b" stays) */
            continue;
        }
        k = gx_utf8_seq((const unsigned char *)s + i, len - i);
        k = k ? k : 1;
        if (space) {
            if (chars >= S_TITLE_CHARS)
                break;
            boundary = o; /* where to cut if the next word runs too long */
            out[o++] = ' ';
            chars++;
            space = 0;
        }
        if (chars >= S_TITLE_CHARS + 10) { /* a word too long to end on */
            if (boundary)
                o = boundary;
            break;
        }
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
        chars++;
    }
    if (i < len) { /* more followed: say so */
        while (o && out[o - 1] == ' ')
            o--;
        memcpy(out + o, "\xE2\x80\xA6", 3); /* ... */
        o += 3;
    }
    return o;
}

/* A title from a text: its first line that yields one, prose before
 * code (the lines of fenced code only when there is nothing else; fence
 * lines never). 0 and *out unset when none does; GROKX_E_NOMEM. */
static int
S_title_from(gx_arena *a, grokx_str text, grokx_str *out)
{
    int pass;
    char *buf = NULL;
    for (pass = 0; pass < 2; pass++) {
        size_t i = 0;
        int fenced = 0;
        while (i < text.len) {
            const char *line = text.ptr + i, *nl = memchr(line, '\n', text.len - i);
            size_t len = nl ? (size_t)(nl - line) : text.len - i, n;
            grokx_str t = S_trim((grokx_str){line, len});
            i += len + 1;
            if (t.len >= 3 && (!memcmp(t.ptr, "```", 3) || !memcmp(t.ptr, "~~~", 3))) {
                fenced = !fenced;
                continue;
            }
            if (!t.len || (fenced && !pass))
                continue;
            if (!buf && !(buf = gx_arena_alloc(a, text.len + 4)))
                return GROKX_E_NOMEM;
            if ((n = S_line_title(t.ptr, t.len, buf)) == 0)
                continue;
            buf[n] = 0;
            out->ptr = buf;
            out->len = n;
            return 0;
        }
    }
    return 0;
}

int
gx_conv_fallbacks(gx_arena *a, grokx_conversation *c, const grokx_message *all, size_t n)
{
    size_t i;
    int rc = 0;
    grokx_str t = S_trim(c->title);
    S_times(c, all, n);
    if (t.len && t.ptr + t.len != c->title.ptr + c->title.len) { /* strings end in NUL */
        char *p = gx_arena_alloc(a, t.len + 1);
        if (!p)
            return GROKX_E_NOMEM;
        memcpy(p, t.ptr, t.len);
        p[t.len] = 0;
        t.ptr = p;
    }
    c->title = t.len ? t : c->title; /* blank: "" below, unless derived */
    if (t.len)
        return 0;
    c->title.ptr += c->title.len; /* its NUL: "" */
    c->title.len = 0;
    for (i = 0; i < c->message_count && !c->title.len && !rc; i++)
        if (c->messages[i].role == GROKX_ROLE_USER)
            rc = S_title_from(a, c->messages[i].text, &c->title);
    if (!c->title.len && !rc)
        rc = S_title_from(a, c->summary, &c->title);
    if (c->title.len)
        c->flags |= GROKX_CONV_TITLE_DERIVED;
    return rc;
}
