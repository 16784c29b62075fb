/*
 * html_md.c -- Markdown to safe HTML: md4c parses (GitHub dialect: tables,
 * strikethrough, task lists, autolinks), we render.
 *
 * md4c's own HTML renderer is not used: Debian's 0.4.8 writes any link
 * scheme it is given (javascript:, also as &#106;avascript: or with mixed
 * case). Here every byte of text and attribute is escaped, raw HTML is
 * never recognised (MD_FLAG_NOHTML: it arrives as text and is escaped),
 * and a link is live only when its decoded, trimmed, lowercased scheme is
 * http, https or mailto, or it is a "#fragment" of the page. Images never
 * load from a message: they become links. Headings are shifted down two
 * levels so a message cannot outrank the page's own.
 *
 * Citation markers (GX_HTML_CITE_MARK + number + GX_HTML_CITE_END, put in
 * by the writer where <grok:render> citations were) become superscript
 * links to the message's source list.
 */
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "render/render.h"

/* Above this, a message is shown as plain text: Debian's md4c predates
 * the 0.5.x fixes for quadratic inputs, and no answer needs more. */
#define S_MARKDOWN_MAX (2u << 20)

typedef struct S_r {
    gx_buf *out;
    const char *anchor; /* prefix of source anchors: "m3-" */
    unsigned ncites;    /* citations rendered */
    gx_buf spans;       /* what each open link/image span was written as */
    gx_buf raw, clean;  /* a URL or entity being decoded: reused, not allocated each time */
    unsigned in_link;   /* open <a> elements */
    unsigned in_image;  /* open image spans: their text is the link's */
    int rc;
} S_r;

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

/* 1 + the index in esc[] of a byte that needs escaping, else 0. */
static const unsigned char S_special[256] = {['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5};

/* The first byte at or after i that needs escaping, or len. Text rarely
 * has one, so 16 bytes are tested at a time (escaping was a tenth of
 * the html writer's instructions byte by byte). */
static size_t
S_next_special(const char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  quot = _mm_set1_epi8('"'), apos = _mm_set1_epi8('\'');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, quot)),
                                              _mm_cmpeq_epi8(v, apos)));
        int mask = _mm_movemask_epi8(m);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (i < len && !S_special[(unsigned char)s[i]])
        i++;
    return i;
}

int
gx_html_escape(gx_buf *b, const char *s, size_t len)
{
    static const char *const esc[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    size_t i, start = 0;
    int rc = gx_buf_reserve(b, len);
    for (i = S_next_special(s, 0, len); i < len && !rc; i = S_next_special(s, i + 1, len)) {
        int k = S_special[(unsigned char)s[i]] - 1;
        rc = gx_buf_put(b, s + start, i - start) | PUT(b, esc[k]);
        start = i + 1;
    }
    return rc ? rc : gx_buf_put(b, s + start, len - start);
}

/* ---- URLs ------------------------------------------------------------ */

static int
S_utf8(gx_buf *b, unsigned long cp)
{
    char u[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80)
        return gx_buf_putc(b, (char)cp);
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63));
        return gx_buf_put(b, u, 2);
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 63));
        u[2] = (char)(0x80 | (cp & 63));
        return gx_buf_put(b, u, 3);
    }
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 63));
    u[2] = (char)(0x80 | ((cp >> 6) & 63)), u[3] = (char)(0x80 | (cp & 63));
    return gx_buf_put(b, u, 4);
}

/* An entity ("&#106;", "&#x6A;", "&amp;") as text. Named entities other
 * than the few URLs use stay as written, so the browser reads them
 * literally once we escape the '&': what we check is what it gets. */
static int
S_entity(gx_buf *b, const char *e, size_t n)
{
    static const struct { const char *name, *text; } named[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
        {"&nbsp;", "\xC2\xA0"}};
    size_t i;
    if (n >= 4 && e[1] == '#') {
        int hex = e[2] == 'x' || e[2] == 'X';
        unsigned long cp = 0;
        for (i = hex ? 3 : 2; i + 1 < n && cp <= 0x10FFFF; i++) {
            char c = e[i];
            int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
                break;
            cp = cp * (hex ? 16u : 10u) + (unsigned)d;
        }
        return S_utf8(b, cp);
    }
    for (i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && !memcmp(named[i].name, e, n))
            return PUT(b, named[i].text);
    return gx_buf_put(b, e, n);
}

/* "&name;" with 2-48 letters and digits: safe to pass on in text. */
static int
S_named_entity(const char *e, size_t n)
{
    size_t i;
    if (n < 4 || n > 50 || e[0] != '&' || e[n - 1] != ';' || e[1] == '#')
        return 0;
    for (i = 1; i + 1 < n; i++)
        if (!((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= 'A' && e[i] <= 'Z') ||
              (i > 1 && e[i] >= '0' && e[i] <= '9')))
            return 0;
    return 1;
}

/* md4c's attribute (with its entity and NUL pieces) as plain text. */
static int
S_attr_text(gx_buf *b, const MD_ATTRIBUTE *a)
{
    size_t i;
    int rc = 0;
    for (i = 0; a->substr_offsets[i] < a->size && !rc; i++) {
        const char *s = a->text + a->substr_offsets[i];
        size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
        if (a->substr_types[i] == MD_TEXT_ENTITY)
            rc = S_entity(b, s, n);
        else if (a->substr_types[i] == MD_TEXT_NULLCHAR)
            rc = PUT(b, "\xEF\xBF\xBD");
        else
            rc = gx_buf_put(b, s, n);
    }
    return rc;
}

int
gx_html_url_clean(const char *u, size_t n, gx_buf *out)
{
    size_t i, scheme_end = 0;
    int rc = 0;
    out->len = 0;
    /* as a browser's URL parser: leading and trailing C0 controls and
     * spaces are dropped, and tabs and newlines anywhere */
    while (n && (unsigned char)u[0] <= 0x20)
        u++, n--;
    while (n && (unsigned char)u[n - 1] <= 0x20)
        n--;
    for (i = 0; i < n && !rc; i++)
        if (u[i] != '\t' && u[i] != '\n' && u[i] != '\r')
            rc = gx_buf_putc(out, u[i]);
    if (rc || !out->len)
        return 0;
    u = out->ptr, n = out->len;
    if (memchr(u, '\\', n))
        return 0; /* browsers read '\' as '/': "\\host" would leave the folder */
    for (i = 0; i < n && u[i] != ':' && u[i] != '/' && u[i] != '?' && u[i] != '#'; i++)
        ;
    if (i < n && u[i] == ':') {
        char scheme[8];
        scheme_end = i;
        if (scheme_end >= sizeof scheme)
            return 0;
        for (i = 0; i < scheme_end; i++)
            scheme[i] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i]);
        scheme[scheme_end] = 0;
        return !strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "mailto");
    }
    /* Relative links were relative to grok.com and point nowhere in an
     * archive (or, as "/x" or "../../x", at the user's own files): only a
     * link within the page stays live. */
    return u[0] == '#';
}

/* ---- the renderer ------------------------------------------------------ */

static void
S_put(S_r *r, const char *s)
{
    r->rc |= PUT(r->out, s);
}

/* "python", "c++", "objective-c": the class of a code block. */
static void
S_lang_class(S_r *r, const MD_ATTRIBUTE *info)
{
    size_t i;
    char lang[40];
    size_t n = 0;
    for (i = 0; i < info->size && n + 1 < sizeof lang; i++) {
        char c = info->text[i];
        if (c == ' ' || c == '\t' || c == '{')
            break;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '-' || c == '_' || c == '#' || c == '.')
            lang[n++] = c;
    }
    lang[n] = 0;
    if (n)
        r->rc |= gx_buf_printf(r->out, " class=\"language-%s\"", lang);
}

static const char *
S_align(MD_ALIGN a)
{
    return a == MD_ALIGN_LEFT ? " class=\"left\"" : a == MD_ALIGN_CENTER ? " class=\"center\""
           : a == MD_ALIGN_RIGHT ? " class=\"right\"" : "";
}

/* A message's heading, two levels below the page's own (h1 -> h3). */
static const char *
S_heading(const void *detail, int close)
{
    static const char *const tags[2][4] = {{"<h3>", "<h4>", "<h5>", "<h6>"},
                                           {"</h3>\n", "</h4>\n", "</h5>\n", "</h6>\n"}};
    unsigned level = ((const MD_BLOCK_H_DETAIL *)detail)->level;
    return tags[close][level < 2 ? 0 : level > 4 ? 3 : level - 1];
}

static int
S_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    S_r *r = ud;
    switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE: S_put(r, "<blockquote>\n"); break;
    case MD_BLOCK_UL: S_put(r, "<ul>\n"); break;
    case MD_BLOCK_OL: {
        unsigned start = ((MD_BLOCK_OL_DETAIL *)detail)->start;
        if (start == 1)
            S_put(r, "<ol>\n");
        else
            r->rc |= gx_buf_printf(r->out, "<ol start=\"%u\">\n", start);
        break;
    }
    case MD_BLOCK_LI: {
        MD_BLOCK_LI_DETAIL *li = detail;
        if (li->is_task)
            S_put(r, li->task_mark == ' ' ? "<li class=\"task\"><input type=\"checkbox\" disabled> "
                                          : "<li class=\"task\"><input type=\"checkbox\" disabled checked> ");
        else
            S_put(r, "<li>");
        break;
    }
    case MD_BLOCK_HR: S_put(r, "<hr>\n"); break;
    case MD_BLOCK_H: S_put(r, S_heading(detail, 0)); break;
    case MD_BLOCK_CODE:
        S_put(r, "<pre><code");
        S_lang_class(r, &((MD_BLOCK_CODE_DETAIL *)detail)->lang);
        S_put(r, ">");
        break;
    case MD_BLOCK_HTML: break; /* never with MD_FLAG_NOHTML */
    case MD_BLOCK_P: S_put(r, "<p>"); break;
    case MD_BLOCK_TABLE: S_put(r, "<div class=\"table\"><table>\n"); break;
    case MD_BLOCK_THEAD: S_put(r, "<thead>\n"); break;
    case MD_BLOCK_TBODY: S_put(r, "<tbody>\n"); break;
    case MD_BLOCK_TR: S_put(r, "<tr>"); break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        S_put(r, type == MD_BLOCK_TH ? "<th" : "<td");
        S_put(r, S_align(((MD_BLOCK_TD_DETAIL *)detail)->align));
        S_put(r, ">");
        break;
    }
    return r->rc;
}

static int
S_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    S_r *r = ud;
    switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE: S_put(r, "</blockquote>\n"); break;
    case MD_BLOCK_UL: S_put(r, "</ul>\n"); break;
    case MD_BLOCK_OL: S_put(r, "</ol>\n"); break;
    case MD_BLOCK_LI: S_put(r, "</li>\n"); break;
    case MD_BLOCK_HR: break;
    case MD_BLOCK_H: S_put(r, S_heading(detail, 1)); break;
    case MD_BLOCK_CODE: S_put(r, "</code></pre>\n"); break;
    case MD_BLOCK_HTML: break;
    case MD_BLOCK_P: S_put(r, "</p>\n"); break;
    case MD_BLOCK_TABLE: S_put(r, "</table></div>\n"); break;
    case MD_BLOCK_THEAD: S_put(r, "</thead>\n"); break;
    case MD_BLOCK_TBODY: S_put(r, "</tbody>\n"); break;
    case MD_BLOCK_TR: S_put(r, "</tr>\n"); break;
    case MD_BLOCK_TH: S_put(r, "</th>"); break;
    case MD_BLOCK_TD: S_put(r, "</td>"); break;
    }
    return r->rc;
}

/* A link or image: <a> when its URL is live and no <a> is open (HTML
 * cannot nest them), else a <span>; the choice is pushed so leave_span
 * closes the same element. */
static void
S_enter_link(S_r *r, const MD_ATTRIBUTE *href, int image)
{
    char kind = 's';
    r->raw.len = 0;
    r->rc |= S_attr_text(&r->raw, href);
    if (!r->rc && !r->in_link && gx_html_url_clean(r->raw.ptr ? r->raw.ptr : "", r->raw.len, &r->clean)) {
        kind = 'a';
        S_put(r, image ? "<a class=\"image-link\" rel=\"noopener noreferrer\" href=\""
                       : "<a rel=\"noopener noreferrer\" href=\"");
        r->rc |= gx_html_escape(r->out, r->clean.ptr, r->clean.len);
        S_put(r, image ? "\">[image: " : "\">");
        r->in_link++;
    } else {
        S_put(r, image ? "<span class=\"image-link\">[image: "
                       : "<span class=\"dead-link\" title=\"not a link here: only http, https and mailto links are live\">");
    }
    r->rc |= gx_buf_putc(&r->spans, kind);
    r->rc |= gx_buf_putc(&r->spans, image ? 'i' : 'l');
}

static void
S_leave_link(S_r *r)
{
    char kind, what;
    if (r->spans.len < 2)
        return;
    kind = r->spans.ptr[r->spans.len - 2];
    what = r->spans.ptr[r->spans.len - 1];
    r->spans.len -= 2;
    if (what == 'i')
        S_put(r, "]");
    if (kind == 'a') {
        S_put(r, "</a>");
        r->in_link--;
    } else {
        S_put(r, "</span>");
    }
}

static int
S_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    S_r *r = ud;
    switch (type) {
    case MD_SPAN_EM: S_put(r, "<em>"); break;
    case MD_SPAN_STRONG: S_put(r, "<strong>"); break;
    case MD_SPAN_A: S_enter_link(r, &((MD_SPAN_A_DETAIL *)detail)->href, 0); break;
    case MD_SPAN_IMG: S_enter_link(r, &((MD_SPAN_IMG_DETAIL *)detail)->src, 1); break;
    case MD_SPAN_CODE: S_put(r, "<code>"); break;
    case MD_SPAN_DEL: S_put(r, "<del>"); break;
    case MD_SPAN_U: S_put(r, "<u>"); break;
    default: break; /* math and wiki links are not enabled */
    }
    return r->rc;
}

static int
S_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    S_r *r = ud;
    GX_UNUSED(detail);
    switch (type) {
    case MD_SPAN_EM: S_put(r, "</em>"); break;
    case MD_SPAN_STRONG: S_put(r, "</strong>"); break;
    case MD_SPAN_A:
    case MD_SPAN_IMG: S_leave_link(r); break;
    case MD_SPAN_CODE: S_put(r, "</code>"); break;
    case MD_SPAN_DEL: S_put(r, "</del>"); break;
    case MD_SPAN_U: S_put(r, "</u>"); break;
    default: break;
    }
    return r->rc;
}

/* Text with the writer's citation markers made into links. */
static void
S_text_cites(S_r *r, const char *s, size_t n, int code)
{
    const char *end = s + n;
    while (s < end && !r->rc) {
        const char *m = gx_find(s, (size_t)(end - s), GX_HTML_CITE_MARK), *num, *e;
        unsigned long k = 0;
        if (!m) {
            r->rc |= gx_html_escape(r->out, s, (size_t)(end - s));
            return;
        }
        r->rc |= gx_html_escape(r->out, s, (size_t)(m - s));
        num = m + strlen(GX_HTML_CITE_MARK);
        for (e = num; e < end && *e >= '0' && *e <= '9' && e - num < 6; e++)
            k = k * 10 + (unsigned long)(*e - '0');
        if (e == num || (size_t)(end - e) < strlen(GX_HTML_CITE_END) ||
            memcmp(e, GX_HTML_CITE_END, strlen(GX_HTML_CITE_END))) {
            r->rc |= gx_html_escape(r->out, m, (size_t)(num - m)); /* not ours: as text */
            s = num;
            continue;
        }
        if (code || r->in_link)
            r->rc |= gx_buf_printf(r->out, "[%lu]", k);
        else
            r->rc |= gx_buf_printf(r->out, "<sup class=\"cite\"><a href=\"#%s%lu\">[%lu]</a></sup>",
                                   r->anchor, k, k);
        r->ncites++;
        s = e + strlen(GX_HTML_CITE_END);
    }
}

static int
S_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    S_r *r = ud;
    switch (type) {
    case MD_TEXT_NULLCHAR: S_put(r, "\xEF\xBF\xBD"); break;
    case MD_TEXT_BR: S_put(r, "<br>\n"); break;
    case MD_TEXT_SOFTBR: S_put(r, "\n"); break;
    case MD_TEXT_ENTITY: {
        /* numeric ones decoded, then escaped: "&#60;" stays text */
        if (S_named_entity(text, size)) { /* a character reference in text is inert */
            r->rc |= gx_buf_put(r->out, text, size);
            break;
        }
        r->raw.len = 0;
        r->rc |= S_entity(&r->raw, text, size);
        r->rc |= gx_html_escape(r->out, r->raw.ptr ? r->raw.ptr : "", r->raw.len);
        break;
    }
    case MD_TEXT_CODE: S_text_cites(r, text, size, 1); break;
    default: S_text_cites(r, text, size, 0); break; /* NORMAL, and HTML shown as text */
    }
    return r->rc;
}

int
gx_html_plain(gx_buf *out, const char *s, size_t len)
{
    int rc = PUT(out, "<pre class=\"plain\">");
    rc |= gx_html_escape(out, s, len);
    return rc | PUT(out, "</pre>\n");
}

int
gx_html_markdown(gx_buf *out, const char *md, size_t len, const char *anchor, unsigned *ncites)
{
    MD_PARSER p;
    S_r r;
    size_t start = out->len;
    int rc;
    if (len > S_MARKDOWN_MAX)
        return gx_html_plain(out, md, len);
    memset(&p, 0, sizeof p);
    p.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
    p.enter_block = S_enter_block;
    p.leave_block = S_leave_block;
    p.enter_span = S_enter_span;
    p.leave_span = S_leave_span;
    p.text = S_text;
    memset(&r, 0, sizeof r);
    r.out = out;
    r.anchor = anchor;
    gx_buf_init(&r.spans, out->mem);
    gx_buf_init(&r.raw, out->mem);
    gx_buf_init(&r.clean, out->mem);
    rc = md_parse(md, (MD_SIZE)len, &p, &r);
    gx_buf_free(&r.spans);
    gx_buf_free(&r.raw);
    gx_buf_free(&r.clean);
    if (r.rc)
        return GROKX_E_NOMEM;
    if (rc) { /* md4c gave up (its own allocation failed): show the text */
        out->len = start;
        return gx_html_plain(out, md, len);
    }
    if (ncites)
        *ncites += r.ncites;
    return 0;
}
