/*
 * fuzz_html.c -- libFuzzer harness for the HTML writer's Markdown path:
 * bytes -> the answer segmenter (cards.c) -> md4c -> our renderer
 * (html_md.c), and the URL check.
 *
 * Byte 0 picks the path: even: the text as an answer, cut at its
 * <grok:render> and <xaiArtifact> tags as the writer cuts it, each Markdown
 * stretch rendered (citation markers included); odd: the whole text as
 * one Markdown document. Invariants beyond "no crash": the HTML is valid
 * UTF-8 without NUL; every tag in it is one the renderer is meant to write
 * (no text ever became a tag); every href is http(s), mailto or a
 * #fragment; gx_html_url_clean() never calls a javascript: URL safe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const S_tags[] = {
    "p", "em", "strong", "a", "code", "pre", "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td", "del", "u",
    "span", "sup", "input"};

static int
S_known_tag(const char *s, size_t n)
{
    size_t i, k = 0;
    if (k < n && s[k] == '/')
        k++;
    for (i = 0; i < sizeof S_tags / sizeof S_tags[0]; i++) {
        size_t l = strlen(S_tags[i]);
        if (k + l < n && !memcmp(s + k, S_tags[i], l) && (s[k + l] == '>' || s[k + l] == ' '))
            return 1;
    }
    return 0;
}

static void
S_check(const gx_buf *b)
{
    const char *s = b->ptr ? b->ptr : "", *p;
    size_t n = b->len;
    if (!gx_utf8_valid(s, n))
        abort();
    for (p = s; (p = memchr(p, '<', (size_t)(s + n - p))) != NULL; p++)
        if (!S_known_tag(p + 1, (size_t)(s + n - p - 1)))
            abort(); /* a '<' we did not write as a tag */
    for (p = s; (p = gx_find(p, (size_t)(s + n - p), "href=\"")) != NULL; p++) {
        const char *u = p + 6;
        size_t left = (size_t)(s + n - u);
        if (!((left >= 5 && !strncasecmp(u, "http:", 5)) || (left >= 6 && !strncasecmp(u, "https:", 6)) ||
              (left >= 7 && !strncasecmp(u, "mailto:", 7)) || (left >= 1 && u[0] == '#')))
            abort();
    }
}

static void
S_url(const char *s, size_t n)
{
    gx_mem mem;
    gx_buf clean;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&clean, &mem);
    if (gx_html_url_clean(s, n, &clean)) {
        size_t i;
        char head[12] = "";
        for (i = 0; i < clean.len && i < 11; i++)
            head[i] = (char)(clean.ptr[i] >= 'A' && clean.ptr[i] <= 'Z' ? clean.ptr[i] + 32 : clean.ptr[i]);
        if (!strncmp(head, "javascript", 10) || !strncmp(head, "data:", 5) || !strncmp(head, "//", 2))
            abort();
    }
    gx_buf_free(&clean);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gx_mem mem;
    gx_buf out, md;
    char *text;
    size_t len;
    unsigned cites = 0;
    int whole;
    if (size < 1 || size > (1u << 20))
        return 0;
    whole = data[0] & 1;
    len = size - 1;
    /* writers only ever see valid UTF-8 without NUL (the parser repairs) */
    text = malloc(gx_utf8_repaired_len((const char *)data + 1, len, &(size_t){0}) + 1);
    if (!text)
        return 0;
    gx_utf8_repair(text, (const char *)data + 1, len);
    len = gx_utf8_repaired_len((const char *)data + 1, len, &(size_t){0});
    text[len] = 0;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&out, &mem);
    gx_buf_init(&md, &mem);
    S_url(text, len);
    if (whole) {
        if (gx_html_markdown(&out, text, len, "m1-", &cites) != 0)
            abort(); /* only out of memory may fail */
    } else {
        gx_rich it;
        gx_segment seg;
        unsigned k = 1;
        gx_rich_init(&it, text, len);
        while (gx_rich_next(&it, &seg)) {
            if (seg.text && (seg.text < text || seg.text + seg.len > text + len))
                abort();
            if (seg.kind == GX_SEG_TEXT)
                gx_buf_put(&md, seg.text, seg.len);
            else if (seg.kind == GX_SEG_CITATION)
                gx_buf_printf(&md, GX_HTML_CITE_MARK "%u" GX_HTML_CITE_END, k++);
            else {
                if (md.len && gx_html_markdown(&out, md.ptr, md.len, "m1-", &cites) != 0)
                    abort();
                md.len = 0;
                if (seg.kind == GX_SEG_ARTIFACT)
                    gx_html_plain(&out, seg.text, seg.len);
            }
        }
        if (md.len && gx_html_markdown(&out, md.ptr, md.len, "m1-", &cites) != 0)
            abort();
    }
    S_check(&out);
    gx_buf_free(&out);
    gx_buf_free(&md);
    free(text);
    if (mem.used != 0)
        abort(); /* every buffer returned */
    return 0;
}
