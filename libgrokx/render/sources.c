/*
 * sources.c -- what an answer searched beyond what it cites: every web
 * result (title linked, site, description or preview), the X posts and
 * the web pages it read, as Markdown that cannot break what follows it.
 * The md writer folds it in a callout after the answer's sources, the
 * html writer in a <details> (through html_md.c), so both show the same.
 *
 * Real DeepSearch answers list a dozen results and cite three; their
 * X posts and pages were parsed but shown nowhere, so an answer could end
 * with no source at all (issue 27, item 4).
 */
#include <string.h>

#include "render/render.h"

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))
#define S_SNIPPET_MAX 240 /* bytes of a description or preview shown */

/* A set of strings that live as long as the call (the message's, the
 * cards'): open addressing over their pointers and lengths. */
typedef struct S_ref {
    const char *p;
    size_t n;
} S_ref;
typedef struct S_set {
    gx_mem *mem;
    S_ref *slot;
    size_t cap, n; /* cap: 0 or a power of two, at least twice n */
} S_set;

static size_t
S_find(const S_set *t, const char *p, size_t n)
{
    size_t i = (size_t)gx_hash64(p, n) & (t->cap - 1);
    while (t->slot[i].p && !(t->slot[i].n == n && !memcmp(t->slot[i].p, p, n)))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static int
S_has(const S_set *t, const char *p, size_t n)
{
    return t->cap && t->slot[S_find(t, p, n)].p != NULL;
}

/* 1 if p was in t already, 0 if it is now, or GROKX_E_NOMEM. */
static int
S_add(S_set *t, const char *p, size_t n)
{
    size_t i;
    if (S_has(t, p, n))
        return 1;
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32, old = t->cap, k;
        S_ref *oslot = t->slot, *slot = gx_calloc(t->mem, cap * sizeof *slot);
        if (!slot)
            return GROKX_E_NOMEM;
        t->slot = slot, t->cap = cap;
        for (k = 0; k < old; k++)
            if (oslot[k].p)
                t->slot[S_find(t, oslot[k].p, oslot[k].n)] = oslot[k];
        gx_free(t->mem, oslot, old * sizeof *oslot);
    }
    i = S_find(t, p, n);
    t->slot[i].p = p, t->slot[i].n = n;
    t->n++;
    return 0;
}

static void
S_set_free(S_set *t)
{
    gx_free(t->mem, t->slot, t->cap * sizeof *t->slot);
}

int
gx_source_extra(const grokx_search_result *r, grokx_str *site, grokx_str *note)
{
    const grokx_str *d = r->description.len ? &r->description : &r->preview;
    site->ptr = note->ptr = "";
    site->len = note->len = 0;
    if (r->site_name.len && !gx_text_blank(r->site_name.ptr, r->site_name.len))
        *site = r->site_name;
    if (d->len && !gx_text_blank(d->ptr, d->len)) {
        size_t n = d->len;
        if (n > S_SNIPPET_MAX) {
            n = S_SNIPPET_MAX;
            while (n && ((unsigned char)d->ptr[n] & 0xC0) == 0x80)
                n--; /* strings are valid UTF-8: back to a character's first byte */
        }
        note->ptr = d->ptr;
        note->len = n;
        return n < d->len;
    }
    return 0;
}

int
gx_source_extra_md(gx_buf *b, const grokx_search_result *r)
{
    grokx_str site, note;
    int cut = gx_source_extra(r, &site, &note), rc = 0;
    if (site.len)
        rc |= PUT(b, " · ") | gx_md_text(b, site.ptr, site.len);
    if (note.len)
        rc |= PUT(b, " — ") | gx_md_text(b, note.ptr, note.len) | PUT(b, cut ? "…" : "");
    return rc;
}

/* "- [title](<url>) · site — description", one line whatever they hold
 * (gx_md_text), the description cut to S_SNIPPET_MAX bytes on a
 * character boundary. */
static int
S_hit(gx_buf *b, const grokx_search_result *r)
{
    int rc = PUT(b, "- ");
    if (r->url.len)
        rc |= gx_md_link(b, r->title.len ? r->title.ptr : r->url.ptr, r->title.len ? r->title.len : r->url.len,
                         r->url.ptr);
    else
        rc |= gx_md_text_lead(b, r->title.ptr, r->title.len);
    return rc | gx_source_extra_md(b, r) | gx_buf_putc(b, '\n');
}

typedef struct S_walk {
    gx_buf *b;
    S_set cited, seen;
    size_t total, ncited, listed;
} S_walk;

/* A result: counted once by URL, listed unless it is cited. */
static int
S_result(S_walk *w, const grokx_search_result *r)
{
    int got;
    if (!r->url.len) {
        if (gx_text_blank(r->title.ptr, r->title.len))
            return 0; /* nothing to show */
        w->total++, w->listed++;
        return S_hit(w->b, r);
    }
    if ((got = S_add(&w->seen, r->url.ptr, r->url.len)) != 0)
        return got < 0 ? got : 0; /* listed already (the steps repeat the message's) */
    w->total++;
    if (S_has(&w->cited, r->url.ptr, r->url.len)) {
        w->ncited++;
        return 0;
    }
    w->listed++;
    return S_hit(w->b, r);
}

/* "X posts: a, b" (a post id of digits linked to x.com, any other shown
 * as code) or "Web pages: ..." (links when http(s)), each once: those of
 * first, then (steps_of not NULL) its steps' X posts. *n: how many were
 * listed. */
static int
S_line(gx_buf *b, gx_mem *mem, const char *label, const grokx_strlist *first, const grokx_message *steps_of,
       int xposts, size_t *n)
{
    S_set once = {mem, NULL, 0, 0};
    size_t i, k, d, nsteps = steps_of ? steps_of->step_count : 0;
    int rc = 0, got;
    *n = 0;
    for (k = 0; k <= nsteps && !rc; k++) {
        const grokx_strlist *l = k ? &steps_of->steps[k - 1].xpost_ids : first;
        for (i = 0; i < l->count && !rc; i++) {
            grokx_str s = l->items[i];
            if (!s.len || gx_text_blank(s.ptr, s.len))
                continue;
            if ((got = S_add(&once, s.ptr, s.len)) != 0) {
                rc = got < 0 ? got : 0;
                continue;
            }
            rc = PUT(b, *n ? ", " : label);
            ++*n;
            if (!xposts) {
                rc |= gx_md_link(b, s.ptr, s.len, s.ptr);
                continue;
            }
            for (d = 0; d < s.len && s.ptr[d] >= '0' && s.ptr[d] <= '9'; d++)
                ;
            if (d == s.len && d < 40)
                rc |= gx_buf_printf(b, "[%s](<https://x.com/i/status/%s>)", s.ptr, s.ptr);
            else
                rc |= gx_md_code_span(b, s.ptr, s.len);
        }
    }
    if (*n && !rc)
        rc = PUT(b, "\n\n");
    S_set_free(&once);
    return rc;
}

int
gx_url_in_cards(const gx_cards *cards, grokx_str url)
{
    size_t k;
    for (k = 0; cards && url.len && k < cards->n; k++) {
        const char *u = gx_cards_field(cards, (long)k, GX_CARD_URL);
        if (strlen(u) == url.len && !memcmp(u, url.ptr, url.len))
            return 1;
    }
    return 0;
}

long
gx_searched_markdown(gx_buf *b, gx_mem *mem, const grokx_message *msg, const gx_cards *cards, gx_buf *title)
{
    S_walk w;
    size_t start = b->len, i, k, nx = 0, np = 0;
    int rc = 0;
    memset(&w, 0, sizeof w);
    w.b = b;
    w.cited.mem = w.seen.mem = mem;
    for (i = 0; i < msg->cited_result_count && !rc; i++)
        if (msg->cited_results[i].url.len)
            rc = S_add(&w.cited, msg->cited_results[i].url.ptr, msg->cited_results[i].url.len) < 0;
    for (k = 0; cards && k < cards->n && !rc; k++) {
        const char *u = gx_cards_field(cards, (long)k, GX_CARD_URL);
        if (u[0])
            rc = S_add(&w.cited, u, strlen(u)) < 0;
    }
    /* the message's results, then any of its steps' it does not hold */
    for (i = 0; i < msg->web_result_count && !rc; i++)
        rc = S_result(&w, &msg->web_results[i]);
    for (k = 0; k < msg->step_count && !rc; k++)
        for (i = 0; i < msg->steps[k].web_result_count && !rc; i++)
            rc = S_result(&w, &msg->steps[k].web_results[i]);
    if (!rc && w.listed)
        rc = gx_buf_putc(b, '\n');
    if (!rc)
        rc = S_line(b, mem, "X posts: ", &msg->xpost_ids, msg, 1, &nx);
    if (!rc)
        rc = S_line(b, mem, "Web pages: ", &msg->webpage_urls, NULL, 0, &np);
    S_set_free(&w.cited);
    S_set_free(&w.seen);
    if (rc || !(w.listed + nx + np)) {
        b->len = start;
        return rc ? GROKX_E_NOMEM : 0;
    }
    while (b->len > start + 1 && b->ptr[b->len - 2] == '\n')
        b->len--; /* one line end at the end */
    title->len = 0;
    if (w.total)
        rc |= gx_buf_printf(title, "Searched %zu page%s", w.total, w.total == 1 ? "" : "s");
    if (w.ncited)
        rc |= gx_buf_printf(title, " (%zu cited)", w.ncited);
    if (nx)
        rc |= gx_buf_printf(title, "%s%zu X post%s", title->len ? " · " : "", nx, nx == 1 ? "" : "s");
    if (np)
        rc |= gx_buf_printf(title, "%s%zu web page%s", title->len ? " · " : "", np, np == 1 ? "" : "s");
    return rc ? GROKX_E_NOMEM : (long)(w.listed + nx + np);
}
