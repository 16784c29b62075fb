/*
 * md_guard.c -- a message's Markdown passed through intact, then whatever
 * closes what it left open, so it can never swallow the turns after it.
 *
 * The text is read line by line as CommonMark reads its block structure
 * (spec 0.30, as cmark, its reference parser, implements it; where the two
 * differ, as on fences longer than 255, cmark): lines end at LF, CR LF or a
 * lone CR. Link reference definitions are not followed (one before a
 * setext underline keeps a paragraph open for cmark, not for us). What can stay open at the end of a message and run on into
 * the rest of the note is a top-level code fence, or a top-level HTML
 * block of kinds 1-5 (<pre>/<script>/<style>/<textarea>, <!-- -->,
 * <? ?>, <!X >, <![CDATA[ ]]>), which end only at their marker. HTML
 * blocks of kinds 6 and 7 end at a blank line, and the writer always puts
 * one after a message. A fence or HTML block inside a list item or a
 * block quote ends with its container, which our next heading closes, so
 * those are followed only to know where the container ends; a fence or
 * marker inside an HTML block or another fence is not one.
 *
 * Two users of the same reading: citation markers (gx_md_guarded_marks)
 * go where the block they fall in stays the same block (a marker glued
 * to a fence's closing line kept the fence open; one after a table row's
 * last '|' is a cell GFM drops), and a message's own footnote labels
 * (gx_md_labels_*) are renamed out of grokx's, outside code.
 */
#include <string.h>

#include "render/render.h"

/* A container the line is in: a block quote, or a list item. */
typedef struct S_frame {
    char kind;     /* 'q' quote, 'i' list item */
    char blank;    /* an item whose first line was blank, with nothing in it yet */
    size_t col;    /* an item's content column, from where its container's content starts */
} S_frame;

/* Containers deeper than this are read as paragraph text: tracking them
 * costs time per line, and real messages never nest so deep. */
#define S_DEPTH_MAX 32

typedef struct S_state {
    S_frame frames[S_DEPTH_MAX]; /* the open containers, outermost first */
    size_t nframes;
    /* the innermost container's open leaf block */
    char fence_ch;        /* an open fence: its character, */
    size_t fence_len;     /* and its length (0: none), */
    size_t fence_close;   /* and the length that closes it */
    int html;             /* an open HTML block: its kind 1-7, 0 none */
    const char *html_end; /* kinds 1-5: the marker that ends it */
    int para;             /* a paragraph is open (a line may continue it lazily) */
    /* what the last line was (S_line), for placing marks and reading labels */
    int kind;             /* S_L_*: */
    int lit;              /* its text is literal: code, an HTML block, a fence's info */
    int setext;           /* it made the paragraph before it a heading */
    size_t content;       /* a paragraph line: where its text starts, past its markers */
    size_t matched;       /* the containers open before it that it continued */
    int lazy;             /* it went on a paragraph in containers it did not continue */
    int deep;             /* a container was nested past S_DEPTH_MAX (read as text) */
} S_state;

/* What a line is, in its innermost container. */
enum {
    S_L_BLANK, /* blank (after its containers' markers) */
    S_L_PARA,  /* paragraph text (or a table row) */
    S_L_DONE,  /* a block that ends with this line: a heading, a break, a setext
                * underline, a fence's closer, the line that ends an HTML block */
    S_L_OPEN,  /* in or opening a fenced code block or an HTML block that goes on */
    S_L_CODE   /* indented code */
};

static int
S_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Does s[0..n) contain w (lower case), in any case? */
static int
S_contains_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w), i, j;
    for (i = 0; i + k <= n; i++) {
        for (j = 0; j < k && S_lower((unsigned char)s[i + j]) == w[j]; j++)
            ;
        if (j == k)
            return 1;
    }
    return 0;
}

/* Does s[0..n) start with w (lower case), in any case? */
static int
S_starts_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w), j;
    if (n < k)
        return 0;
    for (j = 0; j < k; j++)
        if (S_lower((unsigned char)s[j]) != w[j])
            return 0;
    return 1;
}

static int
S_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
S_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
S_space(int c)
{
    return c == ' ' || c == '\t';
}

/* Whitespace in an HTML tag, as cmark reads it (also VT and FF). */
static int
S_tag_space(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* A fence opener (or closer) at p: its character and length (>= 3). */
static size_t
S_fence(const char *p, size_t n, char *ch)
{
    size_t k;
    if (!n || (p[0] != '`' && p[0] != '~'))
        return 0;
    *ch = p[0];
    for (k = 0; k < n && p[k] == *ch; k++)
        ;
    if (k < 3)
        return 0;
    if (*ch == '`' && memchr(p + k, '`', n - k))
        return 0; /* a backtick info string cannot hold a backtick */
    return k;
}

static int
S_blank_from(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!S_space(p[i]))
            return 0;
    return 1;
}

/* What may follow kind 7's tag on its line (cmark: space, tab, FF). */
static int
S_tag_blank(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\f')
            return 0;
    return 1;
}

/* A tag name at p: its length, 0 if none. */
static size_t
S_tag_name(const char *p, size_t n)
{
    size_t i = 0;
    if (!n || !S_alpha((unsigned char)p[0]))
        return 0;
    while (i < n && (S_alpha((unsigned char)p[i]) || S_digit((unsigned char)p[i]) || p[i] == '-'))
        i++;
    return i;
}

/* Kind 7's complete open or closing tag at p, alone on its line. */
static int
S_whole_tag(const char *p, size_t n)
{
    size_t i = 1, k;
    if (n < 3 || p[0] != '<')
        return 0;
    if (p[1] == '/') {
        if (!(k = S_tag_name(p + 2, n - 2)))
            return 0;
        for (i = 2 + k; i < n && S_tag_space(p[i]); i++)
            ;
        return i < n && p[i] == '>' && S_tag_blank(p + i + 1, n - i - 1);
    }
    if (!(k = S_tag_name(p + 1, n - 1)))
        return 0;
    i = 1 + k;
    for (;;) { /* attributes: whitespace, name, optionally = value */
        size_t w = i;
        while (i < n && S_tag_space(p[i]))
            i++;
        if (i == w || i >= n || !(S_alpha((unsigned char)p[i]) || p[i] == '_' || p[i] == ':'))
            break;
        while (i < n && (S_alpha((unsigned char)p[i]) || S_digit((unsigned char)p[i]) ||
                         strchr("_.:-", p[i])))
            i++;
        w = i;
        while (w < n && S_tag_space(p[w]))
            w++;
        if (w < n && p[w] == '=') {
            for (w++; w < n && S_tag_space(p[w]); w++)
                ;
            if (w < n && (p[w] == '"' || p[w] == '\'')) {
                const char *q = memchr(p + w + 1, p[w], n - w - 1);
                if (!q)
                    return 0;
                i = (size_t)(q - p) + 1;
            } else {
                size_t v = w;
                while (w < n && !S_tag_space(p[w]) && !strchr("\"'=<>`", p[w]))
                    w++;
                if (w == v)
                    return 0;
                i = w;
            }
        }
    }
    while (i < n && S_tag_space(p[i]))
        i++;
    if (i < n && p[i] == '/')
        i++;
    return i < n && p[i] == '>' && S_tag_blank(p + i + 1, n - i - 1);
}

/* Does the line end an HTML block of kind 1-5 (its marker is end)? Kind
 * 1 ends at any of the four end tags, whichever tag opened it. */
static int
S_html_end(const char *l, size_t n, int kind, const char *end)
{
    return kind == 1 ? S_contains_ci(l, n, "</pre>") || S_contains_ci(l, n, "</script>") ||
                           S_contains_ci(l, n, "</style>") || S_contains_ci(l, n, "</textarea>")
                     : S_contains_ci(l, n, end);
}

/* The HTML block kind (1-7) a line starting with '<' at p opens, 0 none;
 * *end: the marker that ends kinds 1-5. */
static int
S_html_start(const char *p, size_t n, int para, const char **end)
{
    static const char *const k1[] = {"pre", "script", "style", "textarea"};
    static const char *const k1_end[] = {"</pre>", "</script>", "</style>", "</textarea>"};
    static const char *const k6[] = {
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption",
        "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2",
        "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li",
        "link", "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p",
        "param", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "title", "tr", "track", "ul"};
    size_t i, k, off;
    for (i = 0; i < sizeof k1 / sizeof k1[0]; i++) {
        k = strlen(k1[i]);
        if (S_starts_ci(p + 1, n - 1, k1[i]) &&
            (n == k + 1 || S_tag_space(p[k + 1]) || p[k + 1] == '>')) {
            *end = k1_end[i]; /* what we close it with; any of the four ends it (S_html_end) */
            return 1;
        }
    }
    if (S_starts_ci(p, n, "<!--"))
        return *end = "-->", 2;
    if (S_starts_ci(p, n, "<?"))
        return *end = "?>", 3;
    if (n > 2 && p[1] == '!' && p[2] >= 'A' && p[2] <= 'Z') /* 0.31: any letter */
        return *end = ">", 4;
    if (S_starts_ci(p, n, "<![cdata[")) /* in any case, as cmark reads it */
        return *end = "]]>", 5;
    off = n > 1 && p[1] == '/' ? 2 : 1;
    k = S_tag_name(p + off, n - off);
    for (i = 0; k && i < sizeof k6 / sizeof k6[0]; i++)
        if (strlen(k6[i]) == k && S_starts_ci(p + off, n - off, k6[i])) {
            size_t j = off + k;
            if (j == n || S_tag_space(p[j]) || p[j] == '>' || (p[j] == '/' && j + 1 < n && p[j + 1] == '>'))
                return 6;
        }
    if (!para && S_whole_tag(p, n))
        return 7;
    return 0;
}

/* A list item marker at p ("-", "+", "*", "1." or "1)" then a space, a
 * tab or the end): its length, 0 if none; *start1: it may interrupt a
 * paragraph (a bullet, or the number 1, with text after it). */
static size_t
S_list_marker(const char *p, size_t n, int *start1)
{
    size_t i = 0;
    int one;
    if (n && (p[0] == '-' || p[0] == '+' || p[0] == '*')) {
        i = 1;
        one = 1;
    } else {
        while (i < n && i < 9 && S_digit((unsigned char)p[i]))
            i++;
        if (!i || i >= n || (p[i] != '.' && p[i] != ')'))
            return 0;
        one = 1; /* the number 1, also as "01" */
        {
            size_t z;
            for (z = 0; z + 1 < i && p[z] == '0'; z++)
                ;
            one = z + 1 == i && p[z] == '1';
        }
        i++;
    }
    if (i < n && !S_tag_space(p[i])) /* cmark also takes VT and FF */
        return 0;
    *start1 = one && !S_blank_from(p + i, n - i);
    return i;
}

/* A thematic break: three or more of one of - * _, with spaces or tabs. */
static int
S_thematic(const char *p, size_t n)
{
    size_t i, k = 0;
    char c = n ? p[0] : 0;
    if (c != '-' && c != '*' && c != '_')
        return 0;
    for (i = 0; i < n; i++) {
        if (p[i] == c)
            k++;
        else if (!S_space(p[i]))
            return 0;
    }
    return k >= 3;
}

/* An ATX heading: 1 to 6 '#' then a space, a tab or the end. */
static int
S_atx(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && k < 7 && p[k] == '#')
        k++;
    return k >= 1 && k <= 6 && (k == n || S_space(p[k]));
}

/* A setext underline: a run of '=' or of '-', then only spaces. */
static int
S_setext(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && n && p[k] == p[0] && (p[0] == '=' || p[0] == '-'))
        k++;
    return k && S_blank_from(p + k, n - k);
}

/* A line that is no lazy continuation of a paragraph in a container it
 * does not continue: it starts a block where it stands (a fence, an HTML
 * block but kind 7, which cannot interrupt a paragraph even lazily, a
 * quote, a heading, a break, any list item: no paragraph is open there). */
static int
S_block_start(const char *p, size_t n)
{
    const char *e;
    char ch;
    int start1;
    return S_fence(p, n, &ch) || (n && p[0] == '<' && S_html_start(p, n, 1, &e)) ||
           (n && p[0] == '>') || S_atx(p, n) || S_thematic(p, n) || S_list_marker(p, n, &start1);
}

/* Open a container; 0, or 1 when it would be too deep (then the line is
 * taken as paragraph text). col: an item's content column, counted from
 * where its parent container's content starts. */
static int
S_push(S_state *st, char kind, size_t col, int blank)
{
    if (st->nframes == S_DEPTH_MAX) {
        st->deep = 1;
        return 1;
    }
    st->frames[st->nframes].kind = kind;
    st->frames[st->nframes].col = col;
    st->frames[st->nframes].blank = (char)blank;
    st->nframes++;
    st->fence_len = 0, st->html = 0, st->para = 0;
    return 0;
}

/* Skip spaces and tabs from l[*i] (at column *col). */
static void
S_skip(const char *l, size_t n, size_t *i, size_t *col)
{
    while (*i < n && S_space(l[*i])) {
        *col = l[*i] == '\t' ? (*col / 4 + 1) * 4 : *col + 1;
        (*i)++;
    }
}

/* The per-line functions are inlined where they are called: a call per
 * line cost the guard a third more. */
#if defined(__GNUC__)
#define S_HOT static inline __attribute__((always_inline))
#else
#define S_HOT static inline
#endif

/* One line: which containers it continues, then what it does in the
 * innermost one. c and col are columns from the start of the line; base
 * is where the innermost matched container's content starts. */
S_HOT void
S_line(S_state *st, const char *l, size_t n)
{
    size_t i = 0, col = 0, base = 0, matched = 0, j, c, k, rel;
    const char *p;
    char ch;
    int start1;
    st->kind = S_L_PARA;
    st->lit = 0;
    st->setext = 0;
    st->lazy = 0;
    for (; matched < st->nframes; matched++) { /* the containers it continues */
        S_frame *f = &st->frames[matched];
        j = i, c = col;
        S_skip(l, n, &j, &c);
        if (f->kind == 'q') {
            if (j >= n || c - base > 3 || l[j] != '>') /* (not blank: c >= base) */
                break;
            i = j + 1, col = c + 1;
            base = col + (i < n && S_space(l[i])); /* its optional space, or a tab's first column */
            if (i < n && l[i] == ' ')
                i++, col++;
        } else if (j == n) { /* blank: the item goes on, unless it began blank and stayed so */
            if (f->blank && matched + 1 == st->nframes)
                break;
            base += f->col;
        } else if (c - base >= f->col) {
            f->blank = 0;
            base += f->col;
        } else {
            break;
        }
    }
    j = i, c = col;
    S_skip(l, n, &j, &c);
    p = l + j;
    n -= j;
    st->matched = matched;
    if (matched < st->nframes) {
        /* a lazy continuation of the open paragraph, unless the line starts
         * a block where it stands, outside that paragraph's container (an
         * indented one cannot) */
        if (n && st->para && !st->fence_len && !st->html && (c - base >= 4 || !S_block_start(p, n))) {
            st->matched = st->nframes; /* lazy: every container goes on */
            st->content = (size_t)(p - l);
            st->lazy = 1;
            return;
        }
        st->nframes = matched; /* the rest end here, with what was open in them */
        st->fence_len = 0, st->html = 0, st->para = 0;
    }
    for (;;) { /* what the line does in the innermost container */
        rel = c >= base ? c - base : 0;
        if (st->fence_len) {
            if (rel < 4 && (k = S_fence(p, n, &ch)) >= st->fence_close && ch == st->fence_ch &&
                S_blank_from(p + k, n - k))
                st->fence_len = 0;
            st->kind = st->fence_len ? S_L_OPEN : S_L_DONE;
            st->lit = 1;
            return;
        }
        if (st->html) {
            if (st->html <= 5 ? S_html_end(l + i, (size_t)(p - (l + i)) + n, st->html, st->html_end)
                              : n == 0)
                st->html = 0;
            st->kind = st->html ? S_L_OPEN : S_L_DONE;
            st->lit = 1;
            return;
        }
        if (n == 0) {
            st->para = 0;
            st->kind = S_L_BLANK;
            return;
        }
        if (rel >= 4) { /* indented code, or the paragraph's continuation */
            st->kind = st->para ? S_L_PARA : S_L_CODE;
            st->lit = !st->para;
            return;
        }
        if (p[0] == '>') { /* a quote opens: the rest of the line is in it */
            if (S_push(st, 'q', 0, 0)) {
                st->para = 1; /* too deep: read as text */
                return;
            }
            p++, n--, c++;
            base = c + (n && S_space(p[0]));
            if (n && p[0] == ' ')
                p++, n--, c++;
            i = (size_t)(p - l);
            j = 0;
            S_skip(p, n, &j, &c);
            p += j, n -= j;
            continue;
        }
        if (!S_thematic(p, n) && (k = S_list_marker(p, n, &start1)) != 0 && (!st->para || start1)) {
            size_t cc = c + k; /* an item opens: its content column is the text's, */
            p += k, n -= k, c += k;
            j = 0;
            S_skip(p, n, &j, &cc);
            if (j == n || j == 0 || cc - c > 4) /* or one past the marker when the line */
                cc = c + 1; /* is blank after it, a VT or FF follows, or indented code */
            if (j == 0 && n) /* the VT or FF: that one column */
                p++, n--, c++;
            if (S_push(st, 'i', cc - base, j == n)) {
                st->para = 1;
                return;
            }
            base = cc;
            i = (size_t)(p - l);
            j = 0;
            S_skip(p, n, &j, &c);
            p += j, n -= j;
            continue;
        }
        if ((k = S_fence(p, n, &ch)) != 0) {
            st->fence_ch = ch;
            st->fence_len = k;
            st->fence_close = k > 255 ? 255 : k; /* cmark keeps 255 of an opener's length */
            st->para = 0;
            st->kind = S_L_OPEN;
            st->lit = 1;
            return;
        }
        if (p[0] == '<' && (st->html = S_html_start(p, n, st->para, &st->html_end)) != 0) {
            if (st->html <= 5 && S_html_end(p, n, st->html, st->html_end))
                st->html = 0; /* it ends on its first line */
            st->para = 0;
            st->kind = st->html ? S_L_OPEN : S_L_DONE;
            st->lit = 1;
            return;
        }
        /* a heading, a break or a setext underline ends a paragraph */
        st->setext = st->para && S_setext(p, n);
        st->para = !S_atx(p, n) && !S_thematic(p, n) && !st->setext;
        st->content = (size_t)(p - l);
        st->kind = st->para ? S_L_PARA : S_L_DONE;
        return;
    }
}

/* The line at s[pos..len): its length without its ending (LF, CR LF or a
 * lone CR), and in *step with it. */
S_HOT size_t
S_next_line(const char *s, size_t len, size_t pos, int has_cr, size_t *step)
{
    const char *nl = memchr(s + pos, '\n', len - pos), *cr;
    size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
    *step = n + (nl != NULL);
    if (has_cr && (cr = memchr(s + pos, '\r', n)) != NULL) {
        n = (size_t)(cr - (s + pos)); /* CR and CR LF end a line too */
        *step = n + 1 + (pos + n + 1 < len && s[pos + n + 1] == '\n');
    }
    return n;
}

/* What closes the top-level fence or HTML block st leaves open. */
static int
S_close_open(gx_buf *b, const S_state *st, int *closed)
{
    int rc = 0;
    if (st->nframes) {
        /* in a container: what is open ends with it, at our next heading */
    } else if (st->fence_len) {
        size_t i;
        for (i = 0; i < st->fence_len; i++)
            rc |= gx_buf_putc(b, st->fence_ch);
        rc |= gx_buf_putc(b, '\n');
        *closed = 1;
    } else if (st->html && st->html <= 5) {
        rc |= gx_buf_put(b, st->html_end, strlen(st->html_end)) | gx_buf_putc(b, '\n');
        *closed = 1;
    }
    return rc;
}

int
gx_md_guarded(gx_buf *b, const char *s, size_t len, int *closed)
{
    S_state st;
    size_t pos = 0, step, n;
    int rc = gx_buf_put(b, s, len), has_cr = memchr(s, '\r', len) != NULL;
    memset(&st, 0, sizeof st);
    *closed = 0;
    while (pos < len) {
        n = S_next_line(s, len, pos, has_cr, &step);
        S_line(&st, s + pos, n);
        pos += step;
    }
    if (len && s[len - 1] != '\n') /* after a CR, it makes one CR LF */
        rc |= gx_buf_putc(b, '\n');
    return rc | S_close_open(b, &st, closed);
}

/* ---- marks: citation markers placed where their block stays itself ---- */

/* Where a code span that covers q on the line l[0..n) ends (CommonMark: a
 * backtick run closed by the next run of the same length on the line; a
 * span running over lines is not seen), else q. */
static size_t
S_past_code_span(const char *l, size_t n, size_t q)
{
    size_t i = 0;
    if (!memchr(l, '`', q < n ? q : n))
        return q; /* no span opens before it */
    while (i < n && i < q) {
        size_t k = 0, j;
        if (l[i] == '\\') {
            i += 2;
            continue;
        }
        if (l[i] != '`') {
            i++;
            continue;
        }
        while (i + k < n && l[i + k] == '`')
            k++;
        for (j = i + k; j < n;) { /* the closing run of exactly k */
            size_t r = 0;
            if (l[j] != '`') {
                j++;
                continue;
            }
            while (j + r < n && l[j + r] == '`')
                r++;
            if (r == k)
                break;
            j += r;
        }
        if (j >= n) { /* no closer: the run is text */
            i += k;
            continue;
        }
        if (q < j + k)
            return j + k; /* q is inside: after the span */
        i = j + k;
    }
    return q;
}

/* Is the line a table's delimiter row (only '|', '-', ':' and spaces,
 * with a '|' and a '-')? */
static int
S_delimiter_row(const char *l, size_t n)
{
    size_t i;
    int bar = 0, dash = 0;
    for (i = 0; i < n; i++) {
        if (l[i] == '|')
            bar = 1;
        else if (l[i] == '-')
            dash = 1;
        else if (l[i] != ':' && !S_space(l[i]))
            return 0;
    }
    return bar && dash;
}

/* Where on the paragraph line l[0..n) a mark meant for q can go and the
 * line stay what it is, or (size_t)-1: not in a code span (moved past
 * it), and on a table row only inside a cell (a cell after the last '|'
 * is dropped; a delimiter row takes nothing). */
static size_t
S_inline_at(const char *l, size_t n, size_t q)
{
    q = S_past_code_span(l, n, q);
    if (q > n)
        q = n;
    if (memchr(l, '|', n) && (S_delimiter_row(l, n) || S_blank_from(l + q, n - q)))
        return (size_t)-1;
    return q;
}

/* The containers frames[0..d) as a line's prefix: "> " for a quote, an
 * item's indent; blank: for a blank line in them (no trailing spaces). */
static int
S_prefix(gx_buf *b, const S_state *st, size_t d, int blank)
{
    size_t i, k, start = b->len;
    int rc = 0;
    for (i = 0; i < d && i < st->nframes; i++) {
        if (st->frames[i].kind == 'q')
            rc |= gx_buf_put(b, "> ", 2);
        else
            for (k = 0; k < st->frames[i].col; k++)
                rc |= gx_buf_putc(b, ' ');
    }
    while (blank && b->len > start && b->ptr[b->len - 1] == ' ')
        b->len--;
    return rc;
}

/* A mark, with a space before it when the text before would escape it. */
static int
S_put_mark(gx_buf *b, const gx_md_mark *mk)
{
    size_t k = 0;
    while (k < b->len && b->ptr[b->len - 1 - k] == '\\')
        k++;
    return (k % 2 ? gx_buf_putc(b, ' ') : 0) | gx_buf_put(b, mk->text, strlen(mk->text));
}

/* A paragraph of its own holding the marks whose state is want (then
 * placed), inside frames[0..d): after a blank line when lead, and one
 * after, so nothing joins it. */
static int
S_emit(gx_buf *b, const S_state *st, size_t d, int lead, const gx_md_mark *marks, char *state,
       size_t from, size_t to, char want)
{
    size_t i;
    int rc = 0, any = 0;
    for (i = 0; i < d && i < st->nframes; i++)
        if (st->frames[i].kind == 'i' && st->frames[i].blank) {
            d = i; /* not in an item still empty: what follows it would read otherwise */
            break;
        }
    for (i = from; i < to && !rc; i++) {
        if (state[i] != want)
            continue;
        if (!any && lead)
            rc |= S_prefix(b, st, d, 1) | gx_buf_putc(b, '\n');
        if (!any)
            rc |= S_prefix(b, st, d, 0);
        rc |= S_put_mark(b, &marks[i]);
        state[i] = 'x';
        any = 1;
    }
    if (any)
        rc |= gx_buf_putc(b, '\n') | S_prefix(b, st, d, 1) | gx_buf_putc(b, '\n');
    return rc;
}

/* Marks that wait for their block to end: what it is, and its container
 * depth. At most this many groups wait; more go to the end. */
enum { S_W_FENCE = 1, S_W_HTML, S_W_CODE, S_W_TABLE };
#define S_PENDING_MAX 16
typedef struct S_wait {
    int what;
    size_t d;
    size_t first; /* its first mark */
    char tag;     /* the state of its marks */
} S_wait;

/* The wait for a mark after a line of this kind in st (0: place it right
 * after the line). */
static int
S_wait_for(const S_state *st)
{
    switch (st->kind) {
    case S_L_OPEN: return st->fence_len ? S_W_FENCE : S_W_HTML;
    case S_L_CODE: return S_W_CODE;
    case S_L_PARA: return S_W_TABLE;
    default: return 0;
    }
}

int
gx_md_guarded_marks(gx_buf *b, const char *s, size_t len, const gx_md_mark *marks, size_t nmarks,
                    int *closed)
{
    S_state st, st0;
    S_wait wait[S_PENDING_MAX];
    size_t nwait = 0, pos = 0, mi = 0, i, k, step, n, done = 0; /* done: bytes of s put in b */
    size_t b0 = b->len;
    size_t prev_pos = 0, prev_n = 0; /* the line before */
    /* marks put in the paragraph (taken out again if it becomes a setext
     * heading): where in b, bytes, which; past as many, no more go in */
    size_t inl[S_PENDING_MAX][3], ninl = 0;
    int rc = 0, has_cr = memchr(s, '\r', len) != NULL, prev = 0, prev_kind = S_L_BLANK, nl = 0;
    char *state;
    gx_buf states;
#define S_FLUSH(to) (rc |= gx_buf_put(b, s + done, (to) - done), done = (to))
    if (!nmarks && closed)
        return gx_md_guarded(b, s, len, closed);
    /* each mark's state: 0 not yet met, 'x' placed, 'b' before the line,
     * 'a' after it, 'e' at the end, else the tag of the wait it is in */
    gx_buf_init(&states, b->mem);
    if (gx_buf_reserve(&states, nmarks + 1))
        return GROKX_E_NOMEM;
    state = states.ptr;
    memset(state, 0, nmarks);
    memset(&st, 0, sizeof st);
    for (;;) {
        size_t lead = 0, ls, le, alo = (size_t)-1; /* the marks at the line's start, and the rest on it */
        int last, after = 0;
        if (mi == nmarks && !nwait && !ninl) { /* nothing left to place: only the state */
            for (; pos < len; pos += step)
                S_line(&st, s + pos, S_next_line(s, len, pos, has_cr, &step));
            break;
        }
        while (!nwait && !ninl && pos < len) { /* lines before the next mark: only the state */
            n = S_next_line(s, len, pos, has_cr, &step);
            if (marks[mi].at < pos + step)
                break;
            S_line(&st, s + pos, n);
            prev = 1;
            prev_kind = st.kind;
            prev_pos = pos;
            prev_n = n;
            pos += step;
        }
        if (!(last = pos >= len)) {
            n = S_next_line(s, len, pos, has_cr, &step);
            while (lead < n && (S_space(s[pos + lead]) || s[pos + lead] == '>'))
                lead++;
        } else {
            n = step = 0;
        }
        for (ls = mi; ls < nmarks && marks[ls].at <= pos + lead && (last || marks[ls].at < pos + step); ls++)
            ;
        for (le = ls; le < nmarks && (last || marks[le].at < pos + step); le++)
            ;
        /* at the line's start: they end the line before, where it can take
         * them, else they follow the block it is in, else they go here */
        if (ls > mi && prev && prev_kind == S_L_PARA && done <= prev_pos + prev_n && ninl + (ls - mi) <= S_PENDING_MAX &&
            S_inline_at(s + prev_pos, prev_n, prev_n) == prev_n) {
            S_FLUSH(prev_pos + prev_n);
            for (i = mi; i < ls; i++, state[i - 1] = 'x') {
                k = b->len;
                rc |= S_put_mark(b, &marks[i]);
                inl[ninl][0] = k, inl[ninl][1] = b->len - k, inl[ninl++][2] = i;
            }
        } else if (ls > mi && prev && prev_kind != S_L_BLANK && prev_kind != S_L_DONE &&
                   nwait < S_PENDING_MAX) {
            wait[nwait].what = S_wait_for(&st);
            wait[nwait].d = st.nframes;
            wait[nwait].tag = (char)('0' + nwait);
            wait[nwait].first = mi;
            for (i = mi; i < ls; i++)
                state[i] = wait[nwait].tag;
            nwait++;
        } else {
            for (i = mi; i < ls; i++)
                state[i] = prev && prev_kind != S_L_BLANK && prev_kind != S_L_DONE ? 'e' : 'b';
        }
        if (last)
            break;
        if (nwait || ls > mi) /* (a copy costs more than the line, most lines need none) */
            st0 = st;
        S_line(&st, s + pos, n);
        if (st.setext) /* the paragraph is a heading now: its marks follow it */
            for (; ninl; ninl--) {
                size_t *e = inl[ninl - 1];
                memmove(b->ptr + e[0], b->ptr + e[0] + e[1], b->len - e[0] - e[1]);
                b->len -= e[1];
                state[e[2]] = 'a';
                after = 1;
                alo = e[2];
            }
        if (st.kind != S_L_PARA)
            ninl = 0;
        /* the waits this line ends: before it or after it */
        for (k = 0; k < nwait; k++) {
            S_wait *w = &wait[k];
            int same = st.matched >= w->d && st.nframes == w->d, act; /* 'b', 'a', 'e', or 0 */
            if (!w->what)
                continue;
            if (w->what == S_W_FENCE || w->what == S_W_HTML)
                act = same && st.kind == S_L_OPEN ? 0 : same && st.kind == S_L_DONE ? 'a' : 'e';
            else if (w->what == S_W_CODE)
                act = same && (st.kind == S_L_CODE || st.kind == S_L_BLANK) ? 0 : 'b';
            else
                act = same && st.kind == S_L_PARA ? 0 : same && st.kind == S_L_BLANK ? 'a' : 'b';
            if (!act)
                continue;
            if (act == 'b') { /* in the containers the line had before it */
                S_FLUSH(pos);
                rc |= S_emit(b, &st0, w->d, st0.para, marks, state, w->first, le, w->tag);
            } else {
                for (i = w->first; i < le; i++)
                    if (state[i] == w->tag)
                        state[i] = act == 'a' ? (char)('A' + k) : 'e';
            }
            if (act == 'a') {
                w->tag = (char)('A' + k); /* placed after the line, below */
                after = 1;
            } else {
                w->what = 0;
            }
        }
        if (ls > mi) {
            S_FLUSH(pos);
            rc |= S_emit(b, &st0, st0.nframes, st0.para, marks, state, mi, ls, 'b');
        }
        /* the line, with the marks it can take; the others after it or
         * after its block */
        for (i = ls; i < le; i++) {
            size_t at = marks[i].at - pos > n ? n : marks[i].at - pos;
            if (st.kind == S_L_PARA && at < st.content)
                at = st.content; /* not among the line's markers: in its text */
            if (st.kind == S_L_PARA && ninl < S_PENDING_MAX && (at = S_inline_at(s + pos, n, at)) != (size_t)-1) {
                if (pos + at < done) /* an earlier mark went past a code span */
                    at = done - pos;
                S_FLUSH(pos + at);
                k = b->len;
                rc |= S_put_mark(b, &marks[i]);
                if (at < n && strchr("([:", s[pos + at])) /* "[^1](x)" is a link, "[^1]:" a definition */
                    rc |= gx_buf_putc(b, ' ');
                state[i] = 'x';
                inl[ninl][0] = k, inl[ninl][1] = b->len - k, inl[ninl++][2] = i; /* (with its space) */
            } else if (st.kind == S_L_DONE || st.kind == S_L_BLANK || nwait == S_PENDING_MAX) {
                state[i] = st.kind == S_L_DONE || st.kind == S_L_BLANK ? 'a' : 'e';
                after |= state[i] == 'a';
            } else {
                if (!nwait || wait[nwait - 1].what != S_wait_for(&st) || wait[nwait - 1].d != st.nframes ||
                    wait[nwait - 1].tag != (char)('0' + nwait - 1)) {
                    wait[nwait].what = S_wait_for(&st);
                    wait[nwait].d = st.nframes;
                    wait[nwait].tag = (char)('0' + nwait);
                    wait[nwait].first = i;
                    nwait++;
                }
                state[i] = wait[nwait - 1].tag;
            }
        }
        if (after) { /* what ended with the line follows it */
            S_FLUSH(pos + step);
            if (pos + step == len && s[len - 1] != '\n') /* after a CR, it makes one CR LF */
                rc |= gx_buf_putc(b, '\n'), nl = 1;
            rc |= S_emit(b, &st, st.nframes, st.para, marks, state, alo < ls ? alo : ls, le, 'a');
            for (k = 0; k < nwait; k++)
                if (wait[k].what && wait[k].tag == (char)('A' + k)) {
                    rc |= S_emit(b, &st, wait[k].d, st.para, marks, state, wait[k].first, le, wait[k].tag);
                    wait[k].what = 0;
                }
        }
        while (nwait && !wait[nwait - 1].what)
            nwait--;
        prev = 1;
        prev_kind = st.kind;
        prev_pos = pos;
        prev_n = n;
        mi = le;
        pos += step;
    }
    S_FLUSH(len);
    if (!nl && len && s[len - 1] != '\n')
        rc |= gx_buf_putc(b, '\n');
#undef S_FLUSH
    /* the text's end: marks on its last line go after it */
    rc |= S_emit(b, &st, st.nframes, st.para, marks, state, 0, nmarks, 'b');
    for (k = 0; k < nwait; k++)
        if (wait[k].what == S_W_CODE || wait[k].what == S_W_TABLE)
            rc |= S_emit(b, &st, wait[k].d, st.para, marks, state, wait[k].first, nmarks, wait[k].tag);
    if (closed) {
        *closed = 0;
        rc |= S_close_open(b, &st, closed);
    } else if (!st.nframes && st.fence_len) { /* a reader of no HTML: only a fence */
        int ignored;
        rc |= S_close_open(b, &st, &ignored);
    }
    /* the rest: a paragraph of their own after everything */
    for (i = 0, k = 0; i < nmarks; i++)
        if (state[i] != 'x') {
            rc |= k++ ? 0 : gx_buf_putc(b, '\n');
            rc |= S_put_mark(b, &marks[i]);
        }
    if (k)
        rc |= gx_buf_putc(b, '\n');
    gx_buf_free(&states);
    if (st.deep && nmarks && !rc) {
        /* containers nested past what the guard follows: its reading of the
         * blocks after them may be off (cmark nests on), so no mark goes
         * into the text: all of them in a paragraph after it */
        b->len = b0;
        rc = gx_md_guarded_marks(b, s, len, marks, 0, closed);
        for (i = 0; i < nmarks && !rc; i++)
            rc |= (i ? 0 : gx_buf_putc(b, '\n')) | S_put_mark(b, &marks[i]);
        if (nmarks && !rc)
            rc |= gx_buf_putc(b, '\n');
    }
    return rc;
}

/* ---- a message's own footnote labels --------------------------------- */

/* Code spans as cmark finds them in a paragraph: a search for the run
 * closing an opener records where it saw each run length last, and once
 * one search has gone to the end, an opener after the last run of its
 * length it saw is text (cmark's shortcut, which also drops some spans
 * the spec would take: its reading is the one a reader shows). */
#define S_TICKS_MAX 1000
typedef struct S_ticks {
    size_t last[S_TICKS_MAX + 1];
    int scanned;
} S_ticks;

/* At l[i], a run of backticks: where the code span it opens ends (*span
 * 1), or where the run ends. */
static size_t
S_backticks(const char *l, size_t n, size_t i, int *span, S_ticks *t)
{
    size_t k = 0, j;
    while (i + k < n && l[i + k] == '`')
        k++;
    *span = 0;
    if (k > S_TICKS_MAX || (t->scanned && t->last[k] <= i + k))
        return i + k;
    for (j = i + k; j < n;) {
        size_t r = 0;
        if (l[j] != '`') {
            const char *bt = memchr(l + j, '`', n - j);
            if (!bt)
                break;
            j = (size_t)(bt - l);
            continue;
        }
        while (j + r < n && l[j + r] == '`')
            r++;
        if (r <= S_TICKS_MAX)
            t->last[r] = j;
        j += r;
        if (r == k) {
            *span = 1;
            return j;
        }
    }
    t->scanned = 1;
    return i + k;
}

typedef int (*S_label_fn)(void *ud, const char *s, size_t start, size_t end, int def);

/* Does the text start a footnote definition, "[^label]:"? */
static int
S_def_start(const char *p, size_t n)
{
    size_t j;
    if (n < 5 || p[0] != '[' || p[1] != '^')
        return 0;
    for (j = 2; j < n && j < 131 && p[j] != ']' && p[j] != '[' && p[j] != '`'; j++)
        ;
    return j > 2 && j + 1 < n && p[j] == ']' && p[j + 1] == ':';
}

/* The labels in the inline text s[from..to) (a paragraph: code spans run
 * over its lines). lazy[0..nlazy): where a line that goes on the paragraph
 * lazily starts with "[^label]:": CommonMark reads it as text, cmark-gfm
 * (and Obsidian) as a footnote definition that ends the containers, so the
 * two would disagree on every block after it. fn gets def 2 for it: it is
 * escaped, text in both. */
static int
S_labels_inline(const char *s, size_t from, size_t to, const size_t *lazy, size_t nlazy,
                S_label_fn fn, void *ud)
{
    const char *l = s + from;
    size_t n = to - from, i = 0, j, nb = 0, nt = 0;
    int rc = 0, span;
    S_ticks ticks;
    int ticked = 0; /* ticks set up: at the first backtick (8 KiB) */
    while (i + 1 < n && !rc) {
        if (l[i] == '\\') {
            i += 2;
        } else if (l[i] == '`') {
            if (!ticked++)
                memset(&ticks, 0, sizeof ticks); /* (cmark's start: no run seen) */
            i = S_backticks(l, n, i, &span, &ticks);
        } else if (l[i] == '[' && l[i + 1] == '^') {
            /* a backtick ends it too: a code span binds tighter than a label
             * ("[^`]`[^1]`" is "[^", the code "]" and the reference [^1]) */
            for (j = i + 2; j < n && j - i < 131 && l[j] != ']' && l[j] != '[' && l[j] != '`' && l[j] != '\n' &&
                            l[j] != '\r';
                 j++)
                ;
            if (j < n && l[j] == ']' && !S_blank_from(l + i + 2, j - i - 2)) {
                int def = j + 1 < n && l[j + 1] == ':';
                size_t z;
                for (z = 0; def && z < nlazy; z++)
                    if (lazy[z] == from + i)
                        def = 2;
                rc = fn(ud, s, from + i, from + j + 1, def);
                i = j + 1;
            } else { /* "[^" alone: cmark-gfm may still close it far on ("[^1\nx]" refers to 1) */
                rc = fn(ud, s, from + i, from + i + 2, 0);
                i += 2;
            }
        } else {
            const char *nx = memchr(l + i + 1, '[', n - i - 1);
            size_t stop = nx ? (size_t)(nx - l) : n;
            if (nb <= i) {
                const char *q = memchr(l + i + 1, '\\', n - i - 1);
                nb = q ? (size_t)(q - l) : n;
            }
            if (nt <= i) {
                const char *q = memchr(l + i + 1, '`', n - i - 1);
                nt = q ? (size_t)(q - l) : n;
            }
            i = GX_MIN(stop, GX_MIN(nb, nt));
        }
    }
    return rc;
}

/* Each "[^label]" outside code in s: fn(ud, s, start, end, def) with
 * s[start..end) the reference and def whether ':' follows it. A label is
 * 1 to 128 bytes on one line, no brackets, not only spaces. A paragraph
 * is read whole, its lines found as the guard finds them. */
static int
S_labels_walk(const char *s, size_t len, S_label_fn fn, void *ud)
{
    S_state st, sim;
    size_t pos = 0, step, n, q, m, qstep, end, lazy[16], nlazy;
    int rc = 0, has_cr = memchr(s, '\r', len) != NULL;
    memset(&st, 0, sizeof st);
    while (pos < len && !rc) {
        n = S_next_line(s, len, pos, has_cr, &step);
        S_line(&st, s + pos, n);
        if (st.lit || st.kind != S_L_PARA) { /* a heading's text is read too */
            rc = !st.lit && st.kind == S_L_DONE ? S_labels_inline(s, pos, pos + n, NULL, 0, fn, ud) : 0;
            pos += step;
            continue;
        }
        /* a paragraph: its lines while they go on in its containers */
        end = pos + n;
        nlazy = 0;
        for (q = pos + step; q < len; q += qstep) {
            size_t depth = st.nframes;
            int def;
            m = S_next_line(s, len, q, has_cr, &qstep);
            sim = st;
            S_line(&sim, s + q, m);
            if (sim.kind != S_L_PARA || sim.matched < depth || sim.nframes != depth)
                break;
            if ((def = S_def_start(s + q + sim.content, m - sim.content)) != 0) {
                if (!sim.lazy || nlazy == sizeof lazy / sizeof lazy[0])
                    break; /* (cmark-gfm: a footnote definition interrupts a paragraph) */
                lazy[nlazy++] = q + sim.content;
            }
            st = sim;
            end = q + m;
        }
        rc = S_labels_inline(s, pos, end, lazy, nlazy, fn, ud);
        pos = q;
    }
    return rc;
}

int
gx_md_has_labels(const char *s, size_t len)
{
    const char *p, *end;
    if (!s || len < 2) /* (an empty text may have no buffer: no NULL + 0) */
        return 0;
    p = s + 1, end = s + len;
    /* '^' is rarer than '[' (every link has one): look for it */
    while (p && p < end && (p = memchr(p, '^', (size_t)(end - p))) != NULL) {
        if (p[-1] == '[')
            return 1;
        p++;
    }
    return 0;
}

/* A label folded as cmark-gfm matches labels (ASCII case; spaces run
 * together and trimmed), into out. */
static int
S_fold_label(gx_buf *out, const char *p, size_t n)
{
    size_t i;
    int rc = 0, sp = 0;
    while (n && S_space(p[0]))
        p++, n--;
    while (n && S_space(p[n - 1]))
        n--;
    for (i = 0; i < n && !rc; i++) {
        if (S_space(p[i])) {
            sp = 1;
            continue;
        }
        if (sp)
            rc |= gx_buf_putc(out, ' ');
        sp = 0;
        rc |= gx_buf_putc(out, (char)S_lower((unsigned char)p[i]));
    }
    return rc | gx_buf_putc(out, 0);
}

void
gx_md_labels_init(gx_md_labels *l, gx_mem *mem)
{
    gx_buf_init(&l->set, mem);
    gx_buf_init(&l->tmp, mem);
    l->n = 0;
}

void
gx_md_labels_free(gx_md_labels *l)
{
    gx_buf_free(&l->set);
    gx_buf_free(&l->tmp);
}

/* Is the folded label at l->tmp[from..] in the set (its first from bytes)? */
static int
S_label_known(const gx_md_labels *l, const char *want)
{
    size_t at = 0;
    if (l->n >= GX_MD_LABELS_MAX)
        return 1; /* too many to keep: each taken as defined (renamed: never one of ours) */
    while (at < l->set.len) {
        const char *s = l->set.ptr + at;
        if (!strcmp(s, want))
            return 1;
        at += strlen(s) + 1;
    }
    return 0;
}

static int
S_scan_one(void *ud, const char *s, size_t start, size_t end, int def)
{
    gx_md_labels *l = ud;
    int rc;
    if (def != 1 || end - start < 4 || l->n >= GX_MD_LABELS_MAX)
        return 0; /* (2: a definition only cmark-gfm would read: escaped) */
    l->tmp.len = 0;
    if ((rc = S_fold_label(&l->tmp, s + start + 2, end - start - 3)) != 0)
        return rc;
    if (S_label_known(l, l->tmp.ptr))
        return 0;
    l->n++;
    return gx_buf_put(&l->set, l->tmp.ptr, l->tmp.len);
}

int
gx_md_labels_scan(gx_md_labels *l, const char *s, size_t len)
{
    l->set.len = 0;
    l->n = 0;
    if (!gx_md_has_labels(s, len))
        return 0;
    return S_labels_walk(s, len, S_scan_one, l);
}

typedef struct S_rewrite {
    gx_buf *out;
    size_t base, done; /* out's length before; bytes of s copied */
    const gx_md_labels *l;
    gx_md_labels *lm; /* the same, for its scratch buffer */
    const char *prefix;
    gx_md_mark *marks;
    size_t nmarks, mi;
} S_rewrite;

static int
S_rewrite_one(void *ud, const char *s, size_t start, size_t end, int def)
{
    S_rewrite *w = ud;
    const char *p = s + start + 2;
    size_t n = end - start - 3;
    int rc = gx_buf_put(w->out, s + w->done, start - w->done);
    for (; w->mi < w->nmarks && w->marks[w->mi].at <= start; w->mi++) /* marks before it */
        w->marks[w->mi].at = w->out->len - w->base - (start - w->marks[w->mi].at);
    w->lm->tmp.len = 0;
    if (end - start == 2) /* "[^" that makes no label: escaped */
        rc |= gx_buf_putc(w->out, '\\') | gx_buf_put(w->out, "[^", 2);
    else if (def == 2) /* a definition only cmark-gfm would read: text, as CommonMark shows it */
        rc |= gx_buf_putc(w->out, '\\') | gx_buf_put(w->out, s + start, end - start);
    else
        rc |= S_fold_label(&w->lm->tmp, p, n);
    if (rc)
        return GROKX_E_NOMEM;
    if (end - start == 2 || def == 2) {
    } else if (S_label_known(w->l, w->lm->tmp.ptr)) { /* the message's own: renamed into its namespace */
        while (n && S_space(p[0]))
            p++, n--;
        while (n && S_space(p[n - 1]))
            n--;
        rc = gx_buf_put(w->out, "[^", 2) | gx_buf_put(w->out, w->prefix, strlen(w->prefix)) |
             gx_buf_put(w->out, p, n) | gx_buf_putc(w->out, ']');
    } else { /* no definition in the message: text, as it showed */
        rc = gx_buf_put(w->out, "\\", 1) | gx_buf_put(w->out, s + start, end - start);
    }
    for (; w->mi < w->nmarks && w->marks[w->mi].at < end; w->mi++) /* marks inside it: after it */
        w->marks[w->mi].at = w->out->len - w->base;
    w->done = end;
    return rc;
}

int
gx_md_labels_rewrite(gx_buf *out, const char *s, size_t len, gx_md_labels *l, const char *prefix,
                     gx_md_mark *marks, size_t nmarks)
{
    S_rewrite w;
    int rc;
    if (!gx_md_has_labels(s, len))
        return 0;
    w.out = out;
    w.base = out->len;
    w.done = 0;
    w.l = l;
    w.lm = l;
    w.prefix = prefix;
    w.marks = marks;
    w.nmarks = nmarks;
    w.mi = 0;
    if ((rc = S_labels_walk(s, len, S_rewrite_one, &w)) != 0)
        return rc;
    rc = gx_buf_put(out, s + w.done, len - w.done);
    for (; w.mi < nmarks; w.mi++)
        marks[w.mi].at = out->len - w.base - (len - marks[w.mi].at);
    return rc ? rc : 1;
}
