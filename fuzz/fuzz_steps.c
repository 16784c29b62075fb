/*
 * fuzz_steps.c -- libFuzzer harness for steps.c: any valid UTF-8 text,
 * cut at U+001F into fields that fill a message's steps, then rendered as
 * the md writer does (quoted into a callout, the next turn after it) and
 * as the html writer does (md4c). A field is its kind's letter then text:
 *   N  a new step          H  its header       K  the message's thinking
 *   T  a tag, "name=text"   C  a tool card      R  a tool result
 *   W  a web hit's URL      X  an X post id
 * Cards and results are the JSON (or anything else) the export could hold.
 * Invariants, with cmark as the reader: the last top-level block is the
 * next turn's heading, i.e. the steps swallowed nothing; the Markdown is
 * valid UTF-8; nothing is written for 0 steps shown; only memory can fail.
 * The thinking trace's XML calls, made lines (gx_steps_inline_calls) and
 * guarded, swallow nothing either. Both callouts' header line, written as
 * the md writer writes it, stays a one-line paragraph of the block quote
 * whatever the text after it (no setext heading, table or continuation).
 */
#include <cmark.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { S_STEPS = 8, S_ITEMS = 16 };

typedef struct S_step_in {
    grokx_str names[S_ITEMS], texts[S_ITEMS], cards[S_ITEMS], results[S_ITEMS], xposts[S_ITEMS];
    grokx_search_result hits[S_ITEMS];
    size_t ntags, ncards, nresults, nxposts, nhits;
} S_step_in;

/* s[0..len) as a NUL-terminated copy in the pool (freed by the caller). */
static grokx_str
S_str(char **pool, size_t *used, const char *s, size_t len)
{
    grokx_str g;
    char *p = *pool + *used;
    memcpy(p, s, len);
    p[len] = 0;
    *used += len + 1;
    g.ptr = p;
    g.len = len;
    return g;
}

static void
S_quote(gx_buf *b, const char *s, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        size_t n = 0;
        while (pos + n < len && s[pos + n] != '\n' && s[pos + n] != '\r')
            n++;
        if (gx_buf_put(b, n ? "> " : ">", n ? 2 : 1) || gx_buf_put(b, s + pos, n) || gx_buf_putc(b, '\n'))
            abort();
        pos += n + (pos + n + 1 < len && s[pos + n] == '\r' && s[pos + n + 1] == '\n' ? 2 : 1);
    }
}

/* Does doc end with the heading "Next turn"? */
static int
S_ends_with_next(const char *md, size_t len)
{
    cmark_node *doc = cmark_parse_document(md, len, 0), *last, *t;
    const char *text;
    int ok;
    if (!doc)
        abort();
    last = cmark_node_last_child(doc);
    t = last && cmark_node_get_type(last) == CMARK_NODE_HEADING ? cmark_node_first_child(last) : NULL;
    text = t && cmark_node_get_type(t) == CMARK_NODE_TEXT ? cmark_node_get_literal(t) : NULL;
    ok = text && !strcmp(text, "Next turn");
    cmark_node_free(doc);
    return ok;
}

/* Is the block after the first (the turn's heading) a block quote whose
 * first block is the one-line paragraph of line 3 (the callout's header)? */
static int
S_header_kept(const char *md, size_t len)
{
    cmark_node *doc = cmark_parse_document(md, len, 0), *q, *p;
    int ok;
    if (!doc)
        abort();
    q = cmark_node_first_child(doc) ? cmark_node_next(cmark_node_first_child(doc)) : NULL;
    p = q && cmark_node_get_type(q) == CMARK_NODE_BLOCK_QUOTE ? cmark_node_first_child(q) : NULL;
    ok = p && cmark_node_get_type(p) == CMARK_NODE_PARAGRAPH && cmark_node_get_start_line(p) == 3 &&
         cmark_node_get_end_line(p) == 3;
    cmark_node_free(doc);
    return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static S_step_in in[S_STEPS];
    grokx_step steps[S_STEPS];
    grokx_message msg;
    gx_mem mem;
    gx_buf md, page;
    char *pool;
    size_t used = 0, nsteps = 0, pos = 0, i;
    long shown;
    int got, closed;
    if (size > 65536 || memchr(data, 0, size) || !gx_utf8_valid((const char *)data, size))
        return 0; /* the parser's strings are valid UTF-8 without NUL */
    if (!(pool = malloc(2 * size + 16384))) /* every field kept once, plus names */
        abort();
    memset(in, 0, sizeof in);
    memset(&msg, 0, sizeof msg);
    msg.thinking = S_str(&pool, &used, "", 0);
    while (pos <= size) {
        const char *f = (const char *)data + pos, *end = memchr(f, 0x1F, size - pos);
        size_t flen = end ? (size_t)(end - f) : size - pos;
        S_step_in *st = nsteps ? &in[nsteps - 1] : NULL;
        char kind = flen ? f[0] : 0;
        const char *t = f + (flen ? 1 : 0);
        size_t tlen = flen ? flen - 1 : 0;
        pos += flen + 1;
        if (kind == 'K') {
            msg.thinking = S_str(&pool, &used, t, tlen);
            continue;
        }
        if (kind == 'N' || !st) {
            if (nsteps == S_STEPS)
                break;
            st = &in[nsteps++];
            if (kind == 'N')
                continue;
        }
        if (kind == 'H' && st->ntags < S_ITEMS) {
            st->names[st->ntags] = S_str(&pool, &used, "header", 6);
            st->texts[st->ntags++] = S_str(&pool, &used, t, tlen);
        } else if (kind == 'T' && st->ntags < S_ITEMS) {
            const char *eq = memchr(t, '=', tlen);
            size_t nl = eq ? (size_t)(eq - t) : tlen;
            st->names[st->ntags] = S_str(&pool, &used, t, nl);
            st->texts[st->ntags++] = S_str(&pool, &used, eq ? eq + 1 : "", eq ? tlen - nl - 1 : 0);
        } else if (kind == 'C' && st->ncards < S_ITEMS) {
            st->cards[st->ncards++] = S_str(&pool, &used, t, tlen);
        } else if (kind == 'R' && st->nresults < S_ITEMS) {
            st->results[st->nresults++] = S_str(&pool, &used, t, tlen);
        } else if (kind == 'X' && st->nxposts < S_ITEMS) {
            st->xposts[st->nxposts++] = S_str(&pool, &used, t, tlen);
        } else if (kind == 'W' && st->nhits < S_ITEMS) {
            size_t half = tlen / 2;
            while (half && ((unsigned char)t[half] & 0xC0) == 0x80)
                half--; /* the title: the URL's first half, whole characters */
            st->hits[st->nhits].url = S_str(&pool, &used, t, tlen);
            st->hits[st->nhits].title = S_str(&pool, &used, t, half);
            st->hits[st->nhits++].preview = S_str(&pool, &used, "", 0);
        }
    }
    for (i = 0; i < nsteps; i++) {
        grokx_step *s = &steps[i];
        size_t k;
        memset(s, 0, sizeof *s);
        s->header = s->summary = S_str(&pool, &used, "", 0);
        for (k = 0; k < in[i].ntags; k++)
            if (!strcmp(in[i].names[k].ptr, "header"))
                s->header = in[i].texts[k];
        s->tag_names.items = in[i].names;
        s->tag_texts.items = in[i].texts;
        s->tag_names.count = s->tag_texts.count = in[i].ntags;
        s->tool_cards.items = in[i].cards;
        s->tool_cards.count = in[i].ncards;
        s->tool_results.items = in[i].results;
        s->tool_results.count = in[i].nresults;
        s->xpost_ids.items = in[i].xposts;
        s->xpost_ids.count = in[i].nxposts;
        s->web_results = in[i].hits;
        s->web_result_count = in[i].nhits;
    }
    msg.steps = steps;
    msg.step_count = nsteps;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&md, &mem);
    gx_buf_init(&page, &mem);
    if ((shown = gx_steps_markdown(&md, &mem, &msg)) < 0 || (shown == 0) != (md.len == 0) ||
        !gx_utf8_valid(md.ptr ? md.ptr : "", md.len))
        abort();
    /* as in a note: a callout after the turn's heading, the next turn after it */
    if (gx_buf_put(&page, "## A turn\n\n> [!abstract]- Steps\n>\n", 34))
        abort();
    S_quote(&page, md.ptr, md.len);
    if (gx_buf_put(&page, "\n## Next turn\n", 14) || !S_ends_with_next(page.ptr, page.len))
        abort(); /* the steps swallowed the next turn */
    if (shown && !S_header_kept(page.ptr, page.len))
        abort(); /* the steps changed their callout's header */
    /* as the html writer renders them, unquoted */
    page.len = 0;
    if (gx_buf_put(&page, md.ptr ? md.ptr : "", md.len) || gx_buf_put(&page, "\n## Next turn\n", 14) ||
        !S_ends_with_next(page.ptr, page.len))
        abort();
    page.len = 0;
    if (gx_html_markdown(&page, md.ptr ? md.ptr : "", md.len, "m1-", NULL) != 0)
        abort();
    /* the thinking trace with its XML calls made lines, guarded as the md
     * writer does: valid UTF-8, and it swallows nothing either */
    md.len = page.len = 0;
    if ((got = gx_steps_inline_calls(&md, &mem, msg.thinking.ptr, msg.thinking.len)) < 0 ||
        (got && !gx_utf8_valid(md.ptr, md.len)))
        abort();
    if (gx_buf_put(&page, "## A turn\n\n", 11) ||
        gx_md_guarded(&page, got ? md.ptr : msg.thinking.ptr, got ? md.len : msg.thinking.len, &closed) ||
        gx_buf_put(&page, "\n## Next turn\n", 14) || !S_ends_with_next(page.ptr, page.len))
        abort();
    /* the same trace in its callout, as the md writer writes it */
    if (msg.thinking.len) {
        gx_buf trace;
        gx_buf_init(&trace, &mem);
        if (gx_md_guarded(&trace, got ? md.ptr : msg.thinking.ptr, got ? md.len : msg.thinking.len, &closed))
            abort();
        page.len = 0;
        if (gx_buf_put(&page, "## A turn\n\n> [!abstract]- Thinking\n>\n", 37))
            abort();
        S_quote(&page, trace.ptr, trace.len);
        if (gx_buf_put(&page, "\n## Next turn\n", 14) || !S_header_kept(page.ptr, page.len))
            abort(); /* the trace changed its callout's header */
        gx_buf_free(&trace);
    }
    gx_buf_free(&md);
    gx_buf_free(&page);
    free(pool);
    return 0;
}
