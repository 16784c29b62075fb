/*
 * md_inline.c -- Markdown inline pieces made from plain text: text that
 * no Markdown in it can act on, code spans, and links whose destination
 * cannot end the link, the line or the note. Shared by the md writer and
 * the steps renderer (steps.c).
 */
#include <string.h>

#include "render/render.h"

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

/* Plain text (a title) inside a heading: one line, Markdown inert, and
 * Obsidian's too ("%%" hides the rest of a note, "$…$" is math). */
int
gx_md_text(gx_buf *b, const char *s, size_t len)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < len && !rc; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            rc = gx_buf_putc(b, ' ');
        else if ((c && strchr("\\`*_[]<>#!|~{}%$", c)) || (c == '&' && gx_md_entity_at(s + i, len - i)))
            rc = gx_buf_putc(b, '\\') | gx_buf_putc(b, c);
        else
            rc = gx_buf_putc(b, c);
    }
    return rc;
}

/* Longest run of c in s. */
size_t
gx_md_longest_run(const char *s, size_t len, char c)
{
    size_t best = 0, run = 0, i;
    for (i = 0; i < len; i++) {
        run = s[i] == c ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Longest run of c that makes a line by itself (after any spaces and
 * tabs, before only them): only such a line can close a fence. */
static size_t
S_line_run(const char *s, size_t len, char c)
{
    size_t best = 0, pos = 0;
    while (pos < len) {
        size_t i = pos, run = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        while (i < len && s[i] == c)
            i++, run++;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (run && (i == len || s[i] == '\n' || s[i] == '\r') && run > best)
            best = run;
        while (i < len && s[i] != '\n' && s[i] != '\r')
            i++;
        pos = i + 1;
    }
    return best;
}

/* A code block holding s, each line after indent spaces (a CR or CRLF
 * line end becomes LF, so no line escapes a list item). The fence is
 * longer than any run of its character in s (past 254, than any that
 * makes a line by itself): backticks, else tildes, never over 255,
 * because cmark keeps a fence's length in a byte and a run of 255 would
 * close a longer one. When neither fits, the block is
 * indented four more spaces instead, which no content can close, and
 * ended by a "[//]: #" line (lang is then dropped, and so are blank lines
 * at its start and end). The caller ends the paragraph before it. */
int
gx_md_code_block(gx_buf *b, unsigned indent, const char *lang, const char *s, size_t len)
{
    enum { FENCE_MAX = 255 };
    size_t ticks = gx_md_longest_run(s, len, '`'), tildes = 0, fence = 0, i, pos = 0;
    char ch = '`';
    unsigned pad = indent;
    int rc = 0;
    if (ticks >= FENCE_MAX)
        ticks = S_line_run(s, len, '`');
    if (ticks < FENCE_MAX && !strchr(lang, '`')) {
        fence = GX_MAX(ticks + 1, (size_t)3);
    } else if ((tildes = gx_md_longest_run(s, len, '~')) < FENCE_MAX ||
               (tildes = S_line_run(s, len, '~')) < FENCE_MAX) {
        fence = GX_MAX(tildes + 1, (size_t)3);
        ch = '~';
    } else {
        pad = indent + 4;
    }
    if (fence) {
        for (i = 0; i < indent; i++)
            rc |= gx_buf_putc(b, ' ');
        for (i = 0; i < fence; i++)
            rc |= gx_buf_putc(b, ch);
        rc |= PUT(b, lang) | gx_buf_putc(b, '\n');
    }
    while (pos < len && !rc) {
        size_t n = 0;
        while (pos + n < len && s[pos + n] != '\n' && s[pos + n] != '\r')
            n++;
        for (i = 0; n && i < pad; i++)
            rc |= gx_buf_putc(b, ' ');
        rc |= gx_buf_put(b, s + pos, n) | gx_buf_putc(b, '\n');
        pos += n + (pos + n + 1 < len && s[pos + n] == '\r' && s[pos + n + 1] == '\n' ? 2 : 1);
    }
    for (i = 0; i < indent; i++)
        rc |= gx_buf_putc(b, ' ');
    if (!fence) /* a line at the block's own indent ends it, so no text
                 * after it can join it: a link label defined, which shows nothing */
        return rc | gx_buf_put(b, "[//]: #\n", 8);
    for (i = 0; i < fence; i++)
        rc |= gx_buf_putc(b, ch);
    return rc | gx_buf_putc(b, '\n');
}

/* Text as one inline code span: on one line, its delimiter longer than
 * any backtick run inside. */
int
gx_md_code_span(gx_buf *b, const char *s, size_t len)
{
    size_t fence = gx_md_longest_run(s, len, '`') + 1, i;
    int pad = len && (s[0] == '`' || s[len - 1] == '`'), rc = 0;
    for (i = 0; i < fence; i++)
        rc |= gx_buf_putc(b, '`');
    if (pad)
        rc |= gx_buf_putc(b, ' ');
    for (i = 0; i < len; i++)
        rc |= gx_buf_putc(b, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
    if (pad)
        rc |= gx_buf_putc(b, ' ');
    for (i = 0; i < fence; i++)
        rc |= gx_buf_putc(b, '`');
    return rc;
}

/* Plain text that begins a block (a list item's content): as gx_md_text,
 * after its leading spaces, and a leading "-", "+", "=" or "1." cannot
 * make it a list, a rule or a heading's underline. */
int
gx_md_text_lead(gx_buf *b, const char *s, size_t len)
{
    size_t i = 0, d = 0;
    int rc = 0;
    while (len && s[0] && strchr(" \t\n\r", s[0]))
        s++, len--;
    if (len && (s[0] == '-' || s[0] == '+' || s[0] == '='))
        return gx_buf_putc(b, '\\') | gx_buf_putc(b, s[0]) | gx_md_text(b, s + 1, len - 1);
    while (d < len && d < 10 && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d && d < 10 && d < len && (s[d] == '.' || s[d] == ')')) {
        for (i = 0; i < d; i++)
            rc |= gx_buf_putc(b, s[i]);
        return rc | gx_buf_putc(b, '\\') | gx_md_text(b, s + d, len - d);
    }
    return gx_md_text(b, s, len);
}

/* Does s start with an entity reference ("&amp;", "&#35;", "&#x23;")? */
int
gx_md_entity_at(const char *s, size_t n)
{
    size_t i = 1, start;
    if (i < n && s[i] == '#') {
        i++;
        if (i < n && (s[i] == 'x' || s[i] == 'X'))
            i++;
    }
    for (start = i; i < n && i < 40 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')); i++)
        ;
    return i > start && i < n && s[i] == ';';
}

/* A link destination inside <...>: no byte of it can end the link, the
 * line or the note, and CommonMark decodes nothing in it (an entity is
 * escaped). path: a note's path, where Obsidian decodes percent escapes,
 * so % and # are escaped too. */
int
gx_md_link_dest(gx_buf *b, const char *s, size_t len, int path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    int rc = 0;
    for (i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || (c == ' ' && !path) ||
            (path && (c == '%' || c == '#'))) {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = gx_buf_put(b, e, 3);
        } else if (c == '\\' || (c == '&' && gx_md_entity_at(s + i, len - i))) {
            char e[2] = {'\\', (char)c};
            rc = gx_buf_put(b, e, 2);
        } else {
            rc = gx_buf_putc(b, (char)c);
        }
    }
    return rc;
}

/* "[text](<url>)" for a web or mail link; any other URL (javascript:,
 * file:, a bare word) is shown as inert text, never linked. */
int
gx_md_link(gx_buf *b, const char *text, size_t tlen, const char *url)
{
    int rc;
    if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7) && strncmp(url, "mailto:", 7)) {
        rc = gx_md_text_lead(b, text, tlen); /* it may begin a list item */
        if (strcmp(text, url))
            rc |= PUT(b, " (") | gx_md_text(b, url, strlen(url)) | PUT(b, ")");
        return rc;
    }
    rc = gx_buf_putc(b, '[') | gx_md_text(b, text, tlen) | PUT(b, "](<");
    return rc | gx_md_link_dest(b, url, strlen(url), 0) | PUT(b, ">)");
}
