/*
 * fuzz_md_marks.c -- libFuzzer harness for the citation markers and the
 * footnote labels of md_guard.c, as the md writer uses them: any text as
 * an answer, each U+0001 in it a citation (taken out, its place a mark),
 * its own footnote labels renamed ("m1-"), guarded with the marks placed,
 * then the next turn's heading and the citations' definitions. With
 * cmark-gfm (tables, footnotes: how Obsidian and GitHub read a note) as
 * the reader: the next turn is a top-level heading (nothing swallowed it);
 * every numeric label referenced is a citation's (no message label took
 * one); no citation is rendered twice, none inside a heading; and the
 * same text with no marks is guarded to the same bytes by gx_md_guarded.
 */
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_PREV "## A turn\n\n"
#define S_NEXT "\n## Next turn\n\n"
#define S_MAX_MARKS 64
#define S_MAX_IX 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gx_mem mem;
    gx_buf text, relabel, b;
    gx_md_labels labels;
    gx_md_mark marks[S_MAX_MARKS];
    size_t nmarks = 0, i;
    int closed, got, seen[S_MAX_MARKS + 1], next = 0;
    long ix_label[S_MAX_IX];
    size_t nix;
    cmark_parser *p;
    cmark_node *doc, *c;
    cmark_iter *it;
    cmark_event_type ev;
    static int once;
    if (size > 65536 || memchr(data, 0, size) || !gx_utf8_valid((const char *)data, size))
        return 0;
    if (memchr(data, '\v', size) || memchr(data, '\f', size))
        return 0; /* cmark-gfm 0.29 reads VT and FF after a list marker unlike cmark 0.30, which the guard follows */
    if (!once) {
        cmark_gfm_core_extensions_ensure_registered();
        once = 1;
    }
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&text, &mem);
    gx_buf_init(&relabel, &mem);
    gx_buf_init(&b, &mem);
    gx_md_labels_init(&labels, &mem);
    for (i = 0; i < size; i++) { /* U+0001: a citation here */
        if (data[i] == 1 && nmarks < S_MAX_MARKS) {
            marks[nmarks].at = text.len;
            snprintf(marks[nmarks].text, sizeof marks[nmarks].text, "[^%zu]", nmarks + 1);
            nmarks++;
        } else if (gx_buf_putc(&text, (char)data[i])) {
            abort();
        }
    }
    if (gx_buf_put(&b, S_PREV, strlen(S_PREV)) || gx_md_labels_scan(&labels, text.ptr ? text.ptr : "", text.len) ||
        (got = gx_md_labels_rewrite(&relabel, text.ptr ? text.ptr : "", text.len, &labels, "m1-", marks, nmarks)) < 0)
        abort();
    {
        const char *s = got ? relabel.ptr : text.ptr ? text.ptr : "";
        size_t n = got ? relabel.len : text.len;
        if (gx_md_guarded_marks(&b, s, n, marks, nmarks, &closed))
            abort();
    }
    if (gx_buf_put(&b, S_NEXT, strlen(S_NEXT)))
        abort();
    for (i = 0; i < nmarks; i++)
        if (gx_buf_printf(&b, "[^%zu]: source\n", i + 1))
            abort();
    p = cmark_parser_new(CMARK_OPT_FOOTNOTES);
    cmark_parser_attach_syntax_extension(p, cmark_find_syntax_extension("table"));
    cmark_parser_feed(p, b.ptr, b.len);
    if (!(doc = cmark_parser_finish(p)))
        abort();
    for (c = cmark_node_first_child(doc); c; c = cmark_node_next(c)) {
        cmark_node *t = cmark_node_first_child(c);
        const char *lit = t && cmark_node_get_type(t) == CMARK_NODE_TEXT ? cmark_node_get_literal(t) : NULL;
        next |= cmark_node_get_type(c) == CMARK_NODE_HEADING && lit && !strcmp(lit, "Next turn");
    }
    if (!next)
        abort(); /* the answer swallowed the next turn */
    /* a reference's literal is its footnote's number, the order in which
     * the definitions follow the document: each one's label is on its
     * source line (ours, at the top level: "[^k]: source") */
    memset(seen, 0, sizeof seen);
    nix = 0;
    for (c = cmark_node_first_child(doc); c; c = cmark_node_next(c)) {
        int line = cmark_node_get_start_line(c), l;
        const char *at = b.ptr, *stop = b.ptr + b.len;
        if (cmark_node_get_type(c) != CMARK_NODE_FOOTNOTE_DEFINITION || nix == S_MAX_IX)
            continue;
        for (l = 1; l < line && at < stop; at++)
            if (*at == '\n' || (*at == '\r' && (at + 1 == stop || at[1] != '\n')))
                l++;
        ix_label[nix++] = stop - at > 2 && at[0] == '[' && at[1] == '^' && at[2] >= '1' && at[2] <= '9'
                              ? strtol(at + 2, NULL, 10) : 0; /* 0: not numeric, a message's own */
    }
    it = cmark_iter_new(doc);
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *d = cmark_iter_get_node(it), *up;
        const char *lit = cmark_node_get_literal(d);
        long ix, k;
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(d) != CMARK_NODE_FOOTNOTE_REFERENCE || !lit)
            continue;
        ix = strtol(lit, NULL, 10);
        if (ix < 1 || ix > (long)nix || !(k = ix_label[ix - 1]))
            continue;
        if (k > (long)nmarks || seen[k]++)
            abort(); /* a message label took a citation's number, or a citation shows twice */
        for (up = cmark_node_parent(d); up; up = cmark_node_parent(up))
            if (cmark_node_get_type(up) == CMARK_NODE_HEADING)
                abort(); /* a citation inside a heading */
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    cmark_parser_free(p);
    gx_md_labels_free(&labels);
    gx_buf_free(&text);
    gx_buf_free(&relabel);
    gx_buf_free(&b);
    return 0;
}
