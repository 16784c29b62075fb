/*
 * html.c -- the "html" format: a private, offline archive a person
 * opens by double-clicking OUT/index.html. No server, no network.
 *
 * OUT/index.html lists every conversation by month (filter and sort by a
 * small script of ours, libgrokx/html/index.js, inline); OUT/YYYY/MM/<name>.html
 * is one page per conversation (layout.c: the same names as the md notes),
 * each with the one style sheet inline; attachments are copied beside the
 * pages, active types under inert names (layout.c).
 *
 * Safety: every title and message is escaped; Markdown goes through
 * html_md.c (raw HTML shown as text, links live only for safe schemes,
 * no image loads from a message); every page carries a
 * Content-Security-Policy that allows our inline style and script by
 * hash, nothing by origin, images only from files and data: (and no
 * script at all on conversation pages), and no referrer.
 * Files are written to a temporary name and renamed (layout.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

/* The Content-Security-Policy: nothing by origin (on file://, 'self' is
 * every file on the disk): the one style sheet and the index's script are
 * inline, allowed by their SHA-256 (libgrokx/html/embed.sh); images only
 * from files (the copied attachments) and data: URLs (SVG attachments,
 * shown by <img>, where no script runs). Conversation pages run no script. */
#define S_CSP_HEAD "default-src 'none'; style-src 'sha256-%s'; img-src 'self' data:; "
#define S_CSP_TAIL "base-uri 'none'; form-action 'none'"

typedef struct S_entry { /* one line of index.html; strings in S_html.strings */
    size_t rel, title, models; /* offsets */
    grokx_time created;
    size_t messages;
    int starred;
} S_entry;

typedef struct S_html {
    grokx_writer_config cfg;
    gx_layout lay;
    gx_mem mem;
    gx_buf page, md, sources, tmp, models, title; /* title: the shown title's clean copy */
    gx_buf run;          /* an answer's text between cards, its citations in marks */
    gx_md_mark *marks;
    size_t nmarks, marks_cap;
    gx_cards cards;
    S_entry *entries;
    size_t nentries, entries_cap;
    gx_buf strings; /* the entries' strings, NUL-terminated */
    unsigned cite;  /* next citation number in the message */
    gx_posts posts; /* media_posts, written a month a page at the end */
    gx_buf imagine; /* index.html's lines for them */
} S_html;

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

static int
S_esc(gx_buf *b, const char *s)
{
    return gx_html_escape(b, s, strlen(s));
}

/* User text inline among ours, isolated: its direction (an RLO, say)
 * cannot reorder what stands around it. */
static int
S_bdi(gx_buf *b, const char *s, size_t len)
{
    int rc = PUT(b, "<bdi>");
    rc |= gx_html_escape(b, s, len);
    return rc | PUT(b, "</bdi>");
}

/* A path as a relative URL: every byte but letters, digits and -._~/()
 * percent-encoded, so '#', '?', '%' and spaces in titles stay a path. */
static int
S_href(gx_buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (; *path && !rc; path++) {
        unsigned char c = (unsigned char)*path;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/()", c))
            rc = gx_buf_putc(b, (char)c);
        else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = gx_buf_put(b, e, 3);
        }
    }
    return rc;
}

/* A link to an outside URL when it is safe, else its text. */
static int
S_ext_link(S_html *h, gx_buf *b, const char *url, const char *text)
{
    int rc;
    if (!gx_html_url_clean(url, strlen(url), &h->tmp))
        return S_esc(b, text);
    rc = PUT(b, "<a rel=\"noopener noreferrer\" href=\"");
    rc |= gx_html_escape(b, h->tmp.ptr, h->tmp.len);
    rc |= PUT(b, "\">");
    rc |= S_bdi(b, text, strlen(text));
    return rc | PUT(b, "</a>");
}

/* Every page and index.html carry it: how a later run knows them as ours. */
#define S_GENERATOR "<meta name=\"generator\" content=\"grokx "

static int
S_head(gx_buf *b, const char *title, int index)
{
    int rc = PUT(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"");
    rc |= gx_buf_printf(b, S_CSP_HEAD, gx_html_style_sha256);
    if (index)
        rc |= gx_buf_printf(b, "script-src 'sha256-%s'; ", gx_html_index_sha256);
    rc |= PUT(b, S_CSP_TAIL "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 S_GENERATOR GROKX_VERSION_STRING "\">\n<title>");
    rc |= S_esc(b, title);
    rc |= PUT(b, "</title>\n<style>");
    rc |= PUT(b, gx_html_style_css);
    return rc | PUT(b, "</style>\n");
}

/* ---- one message ------------------------------------------------------ */

static int
S_turn_header(S_html *h, const grokx_message *msg)
{
    char when[48], iso[32];
    int user = msg->role == GROKX_ROLE_USER;
    int rc = gx_buf_printf(&h->page, "<header><span class=\"who\">%s</span>", gx_role_label(msg->role));
    if (msg->create_time != GROKX_TIME_NONE) {
        gx_time_human(msg->create_time, gx_tz_at(h->cfg.flags, h->cfg.tz_minutes, msg->create_time), when, sizeof when, 1);
        gx_time_format(msg->create_time, iso);
        rc |= gx_buf_printf(&h->page, " <time datetime=\"%s\">%s</time>", iso, when);
    }
    if (msg->role == GROKX_ROLE_ASSISTANT && msg->model.len) {
        grokx_str model;
        rc |= PUT(&h->page, " <span class=\"model\">");
        rc |= gx_text_clean(msg->model.ptr, msg->model.len, &h->tmp, &model);
        rc |= S_bdi(&h->page, model.ptr, model.len);
        rc |= PUT(&h->page, "</span>");
    }
    if (msg->sibling_count > 1)
        rc |= gx_buf_printf(&h->page, " <span class=\"version\">%s %u of %u</span>",
                            user ? "edit" : "version", msg->sibling_index + 1, msg->sibling_count);
    if (gx_voice_turn(msg))
        rc |= PUT(&h->page, " <span class=\"version\">voice</span>");
    return rc | PUT(&h->page, "</header>\n");
}

/* A reasoning trace, a tool call's XML in it as one readable line. */
static int
S_trace(S_html *h, grokx_str t, const char *anchor)
{
    gx_buf calls;
    int got, rc;
    gx_buf_init(&calls, &h->mem);
    if ((got = gx_steps_inline_calls(&calls, &h->mem, t.ptr, t.len)) < 0)
        rc = got;
    else
        rc = got ? gx_html_markdown(&h->page, calls.ptr, calls.len, anchor, NULL)
                 : gx_html_markdown(&h->page, t.ptr, t.len, anchor, NULL);
    gx_buf_free(&calls);
    return rc;
}

static int
S_thinking(S_html *h, const grokx_message *msg, const char *anchor)
{
    size_t i;
    int rc = 0;
    if ((h->cfg.flags & GROKX_WF_NO_THINKING) || (!msg->thinking.len && !msg->agent_trace_count))
        return 0;
    rc |= PUT(&h->page, "<details class=\"thinking\"><summary>Thinking");
    if (gx_thinking_seconds(msg) >= 0)
        rc |= gx_buf_printf(&h->page, " (%lld s)", gx_thinking_seconds(msg));
    rc |= PUT(&h->page, "</summary>\n<div class=\"body\">\n");
    if (msg->thinking.len)
        rc |= S_trace(h, msg->thinking, anchor);
    for (i = 0; i < msg->agent_trace_count && !rc; i++) {
        const grokx_agent_trace *a = &msg->agent_traces[i];
        rc |= PUT(&h->page, "<p><strong>");
        rc |= a->agent_id.len ? S_bdi(&h->page, a->agent_id.ptr, a->agent_id.len)
                              : PUT(&h->page, "Agent");
        rc |= PUT(&h->page, "</strong></p>\n");
        rc |= S_trace(h, a->text, anchor);
    }
    return rc | PUT(&h->page, "</div>\n</details>\n");
}

/* The steps of a tool-using answer, folded like the thinking. */
static int
S_steps(S_html *h, const grokx_message *msg, const char *anchor)
{
    gx_buf md;
    long n;
    int rc = 0;
    if (h->cfg.flags & GROKX_WF_NO_THINKING)
        return 0;
    gx_buf_init(&md, &h->mem);
    if ((n = gx_steps_markdown(&md, &h->mem, msg)) > 0) {
        rc = gx_buf_printf(&h->page, "<details class=\"thinking steps\"><summary>Steps (%ld)</summary>\n"
                                     "<div class=\"body\">\n", n);
        rc |= gx_html_markdown(&h->page, md.ptr, md.len, anchor, NULL);
        rc |= PUT(&h->page, "</div>\n</details>\n");
    }
    gx_buf_free(&md);
    return n < 0 ? (int)n : rc;
}

/* The note for an image or file the export does not hold: with a link to
 * where it was (url, when it is a web address; never loaded), and its
 * asset id, as the md note names it, so a reader can look for it. */
static int
S_missing(S_html *h, grokx_str url, const char *what, const char *id)
{
    int rc = PUT(&h->page, "<p class=\"note\">");
    if (url.len && (!strncmp(url.ptr, "https://", 8) || !strncmp(url.ptr, "http://", 7)))
        rc |= S_ext_link(h, &h->page, url.ptr, what);
    else
        rc |= PUT(&h->page, what);
    if (id[0])
        rc |= PUT(&h->page, " (<code>") | S_esc(&h->page, id) | PUT(&h->page, "</code>)");
    return rc | PUT(&h->page, " is not in the export.</p>\n");
}

#define S_SVG_INLINE_MAX (1u << 20) /* bytes of SVG shown from a data: URL */

/* An image or file copied beside the page, else S_missing. Nothing a
 * browser would run is linked: an SVG (kept as <id>.svg.txt) is shown
 * from a data: URL in an <img>, which runs no script, and not linked; a
 * PDF (whose scripts Chromium's viewer runs) is named, not linked; HTML
 * and other active types are linked as their inert .txt copies. */
static int
S_asset(S_html *h, const char *dir, const char *id, const char *what, grokx_str url)
{
    char link[512];
    int kind = 0, got = id[0] ? gx_layout_copy_asset(&h->lay, dir, id, link, sizeof link, &kind) : 0, rc;
    if (got < 0)
        return got;
    if (!got)
        return S_missing(h, url, what, id);
    rc = PUT(&h->page, "<div class=\"attachment\">");
    if (kind == GX_ASSET_IMAGE) {
        rc |= PUT(&h->page, "<a href=\"");
        rc |= S_href(&h->page, link);
        rc |= PUT(&h->page, "\"><img src=\"");
        rc |= S_href(&h->page, link);
        rc |= gx_buf_printf(&h->page, "\" alt=\"%s\" loading=\"lazy\"></a>", what);
    } else if (kind == GX_ASSET_NOLINK) {
        rc |= PUT(&h->page, "Attachment: <span class=\"file\">");
        rc |= S_esc(&h->page, link + 12);
        rc |= PUT(&h->page, "</span> <span class=\"note\">(in the attachments folder: open it with a PDF "
                            "reader; not linked, as a browser would run its scripts)</span>");
    } else {
        if (kind == GX_ASSET_SVG) {
            size_t at = h->page.len;
            int got64;
            rc |= PUT(&h->page, "<img src=\"data:image/svg+xml;base64,");
            if ((got64 = gx_layout_asset_base64(&h->lay, id, S_SVG_INLINE_MAX, &h->page)) < 0)
                return got64;
            if (got64)
                rc |= gx_buf_printf(&h->page, "\" alt=\"%s\"><br>", what);
            else
                h->page.len = at; /* too big to inline: the text copy only */
        }
        rc |= PUT(&h->page, "Attachment: <a href=\"");
        rc |= S_href(&h->page, link);
        rc |= PUT(&h->page, "\">");
        rc |= S_esc(&h->page, link + 12);
        rc |= PUT(&h->page, "</a>");
    }
    return rc | PUT(&h->page, "</div>\n");
}

/* Attachment i's name or type, "" when the export gives none. */
static grokx_str
S_file_field(const grokx_strlist *l, size_t i)
{
    return i < l->count && l->items[i].len ? l->items[i] : (grokx_str){"", 0};
}

/* One attachment (S_asset); one given with a name or type (an object in
 * file_attachments) introduced by them, as the md note does. */
static int
S_attachment(S_html *h, const char *dir, const grokx_message *msg, size_t i)
{
    grokx_str name = S_file_field(&msg->file_names, i), type = S_file_field(&msg->file_types, i);
    int rc;
    if (!name.len && !type.len)
        return S_asset(h, dir, msg->file_attachments.items[i].ptr, "An attachment", (grokx_str){"", 0});
    rc = PUT(&h->page, "<p class=\"note\">Attachment: <span class=\"file\">");
    rc |= S_bdi(&h->page, name.len ? name.ptr : "unnamed", name.len ? name.len : 7);
    rc |= PUT(&h->page, "</span>");
    if (type.len)
        rc |= PUT(&h->page, " (") | S_bdi(&h->page, type.ptr, type.len) | PUT(&h->page, ")");
    rc |= PUT(&h->page, "</p>\n");
    return rc ? rc : S_asset(h, dir, msg->file_attachments.items[i].ptr, "The attachment", (grokx_str){"", 0});
}

/* A render card other than a citation: generated images, files. */
static int
S_card(S_html *h, const char *dir, const gx_segment *seg, long card)
{
    char uuid[GX_FIELD_MAX];
    if (!strcmp(seg->type, "render_file")) {
        const char *name = gx_cards_field(&h->cards, card, GX_CARD_FILE_NAME);
        int rc = PUT(&h->page, "<p class=\"note\">File: ");
        rc |= S_bdi(&h->page, name[0] ? name : "a file", strlen(name[0] ? name : "a file"));
        return rc | PUT(&h->page, "</p>\n");
    }
    if (!strcmp(seg->type, "render_searched_image")) { /* a web image: linked, never loaded */
        const char *url = gx_cards_field(&h->cards, card, GX_CARD_IMAGE_ORIGINAL);
        const char *title = gx_cards_field(&h->cards, card, GX_CARD_IMAGE_TITLE);
        int rc = PUT(&h->page, "<p class=\"note\">Image from the web: ");
        url = url[0] ? url : gx_cards_field(&h->cards, card, GX_CARD_IMAGE_LINK);
        title = title[0] ? title : gx_cards_field(&h->cards, card, GX_CARD_CAPTION);
        rc |= S_ext_link(h, &h->page, url, title[0] ? title : url[0] ? url : "not in the export");
        return rc | PUT(&h->page, "</p>\n");
    }
    if (strcmp(seg->type, "render_generated_image") && strcmp(seg->type, "render_edited_image"))
        return 0; /* other cards carry nothing we can show */
    if (!gx_card_image_uuid(&h->cards, card, uuid))
        return PUT(&h->page, "<p class=\"note\">A generated image is not in the export.</p>\n");
    if (gx_cards_shown(&h->cards, uuid))
        return 0; /* another card of this message showed the same image */
    return gx_cards_mark_shown(&h->cards, uuid) | S_asset(h, dir, uuid, "A generated image", (grokx_str){"", 0});
}

/* A citation: a marker at byte at of the text collected (html_md.c makes
 * it a link; md_guard.c places it where its block stays the same block)
 * and its source in h->sources. */
static int
S_cite(S_html *h, const char *anchor, long c, size_t at)
{
    const char *url = gx_cards_field(&h->cards, c, GX_CARD_URL);
    const char *title = gx_cards_field(&h->cards, c, GX_CARD_TITLE);
    int rc = 0;
    if (!url[0])
        return 0; /* no card, or no link: the marker is dropped */
    if (gx_grow(&h->marks, &h->marks_cap, h->nmarks + 1, sizeof *h->marks))
        return GROKX_E_NOMEM;
    h->marks[h->nmarks].at = at;
    snprintf(h->marks[h->nmarks++].text, sizeof h->marks->text, GX_HTML_CITE_MARK "%u" GX_HTML_CITE_END, h->cite);
    rc |= gx_buf_printf(&h->sources, "<li id=\"%s%u\">", anchor, h->cite++);
    rc |= S_ext_link(h, &h->sources, url, title[0] ? title : url);
    return rc | PUT(&h->sources, "</li>\n");
}

static int
S_artifact(S_html *h, const gx_segment *seg)
{
    int rc = PUT(&h->page, "<div class=\"artifact\"><div class=\"name\">Artifact: ");
    rc |= S_bdi(&h->page, seg->title[0] ? seg->title : "untitled", strlen(seg->title[0] ? seg->title : "untitled"));
    rc |= PUT(&h->page, "</div><pre><code");
    if (seg->lang[0])
        rc |= gx_buf_printf(&h->page, " class=\"language-%s\"", seg->lang);
    rc |= PUT(&h->page, ">");
    rc |= gx_html_escape(&h->page, seg->text, seg->len);
    return rc | PUT(&h->page, "</code></pre></div>\n");
}

static int
S_flush_md(S_html *h, const char *anchor)
{
    int rc = 0;
    if (h->run.len || h->nmarks) /* the text with its citations placed */
        rc = gx_md_guarded_marks(&h->md, h->run.ptr ? h->run.ptr : "", h->run.len, h->marks, h->nmarks, NULL);
    h->run.len = 0;
    h->nmarks = 0;
    if (!rc && h->md.len)
        rc = gx_html_markdown(&h->page, h->md.ptr, h->md.len, anchor, NULL);
    h->md.len = 0;
    return rc;
}

/* An answer: Markdown with its cards, artifacts and citations. */
static int
S_answer(S_html *h, const char *dir, const grokx_message *msg, const char *anchor)
{
    gx_rich it;
    gx_segment seg;
    int rc = 0;
    h->md.len = 0;
    h->run.len = 0;
    h->nmarks = 0;
    gx_rich_init(&it, msg->text.ptr, msg->text.len);
    if (gx_rich_next(&it, &seg) && seg.kind == GX_SEG_TEXT && seg.text == msg->text.ptr &&
        seg.len == msg->text.len) /* one plain stretch: no copy (a giant answer cost it twice) */
        return gx_html_markdown(&h->page, msg->text.ptr, msg->text.len, anchor, NULL);
    gx_rich_init(&it, msg->text.ptr, msg->text.len);
    while (!rc && gx_rich_next(&it, &seg)) {
        long card = seg.kind == GX_SEG_CARD || seg.kind == GX_SEG_CITATION ? gx_cards_resolve(&h->cards, &seg) : -1;
        switch (seg.kind) {
        case GX_SEG_TEXT: rc = gx_buf_put(&h->run, seg.text ? seg.text : "", seg.len); break;
        case GX_SEG_CITATION: rc = S_cite(h, anchor, card, h->run.len); break;
        case GX_SEG_ARTIFACT: rc = S_flush_md(h, anchor) | S_artifact(h, &seg); break;
        case GX_SEG_CARD:
            if (seg.type[0] && (rc = S_flush_md(h, anchor)) == 0) /* else nothing, the text stays one */
                rc = S_card(h, dir, &seg, card);
            break;
        }
    }
    return rc ? rc : S_flush_md(h, anchor);
}

/* The cards no tag of the answer referenced, after it, each as its tag
 * would show it (a citation as a source line of its own). */
static int
S_unreferenced_cards(S_html *h, const char *dir)
{
    gx_segment seg;
    size_t at = 0;
    long card;
    int rc = 0;
    while (!rc && (card = gx_cards_next_unreferenced(&h->cards, &at, &seg)) >= 0) {
        if (seg.kind == GX_SEG_CITATION) {
            const char *url = gx_cards_field(&h->cards, card, GX_CARD_URL);
            const char *title = gx_cards_field(&h->cards, card, GX_CARD_TITLE);
            if (!url[0])
                continue; /* no link: nothing to show, as inline */
            rc = PUT(&h->page, "<p class=\"note\">Source: ") | S_ext_link(h, &h->page, url, title[0] ? title : url) |
                 PUT(&h->page, "</p>\n");
        } else {
            rc = S_card(h, dir, &seg, card);
        }
    }
    return rc;
}

/* An image generation turn (query_type "imagine") whose answer has no
 * text: its prompt, where the answer would be. */
static int
S_imagine_prompt(S_html *h, const grokx_message *msg)
{
    if (!gx_imagine_turn(msg))
        return 0;
    return PUT(&h->page, "<p><strong>Imagine:</strong> ") | S_bdi(&h->page, msg->query.ptr, msg->query.len) |
           PUT(&h->page, "</p>\n");
}

static int
S_generated(S_html *h, const char *dir, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < msg->generated_image_urls.count && !rc; i++) {
        grokx_str u = msg->generated_image_urls.items[i];
        char id[256] = "";
        if (!u.len)
            continue; /* failed or moderated */
        if (gx_generated_asset_id(u, id, sizeof id) && gx_cards_shown(&h->cards, id))
            continue; /* shown already: by its card, or the same URL before */
        rc = (id[0] ? gx_cards_mark_shown(&h->cards, id) : 0) | S_asset(h, dir, id, "A generated image", u);
    }
    return rc;
}

/* The image a user asked Grok to edit. */
static int
S_edited(S_html *h, const char *dir, const grokx_message *msg)
{
    char id[256] = "";
    if (!msg->image_edit_uri.len)
        return 0;
    gx_generated_asset_id(msg->image_edit_uri, id, sizeof id);
    return S_asset(h, dir, id, "The image to edit", msg->image_edit_uri);
}

/* Sources: the inline citations' cards, else the cited results. */
/* " · site — description" after a cited source's link, as the md note
 * and the searched list show them (gx_source_extra). */
static int
S_source_extra(gx_buf *b, const grokx_search_result *r)
{
    grokx_str site, note;
    int cut = gx_source_extra(r, &site, &note), rc = 0;
    if (site.len)
        rc |= PUT(b, " · <bdi>") | gx_html_escape(b, site.ptr, site.len) | PUT(b, "</bdi>");
    if (note.len)
        rc |= PUT(b, " — <bdi>") | gx_html_escape(b, note.ptr, note.len) | PUT(b, cut ? "…</bdi>" : "</bdi>");
    return rc;
}

static int
S_sources(S_html *h, const grokx_message *msg, const char *anchor)
{
    size_t i;
    int rc = 0, footnotes = h->sources.len > 0;
    /* the cited results: all of them, or, beside the footnotes, those no
     * footnote shows (the searched list counts them as cited) */
    for (i = 0; i < msg->cited_result_count && !rc; i++) {
        const grokx_search_result *r = &msg->cited_results[i];
        if (footnotes && gx_url_in_cards(&h->cards, r->url))
            continue; /* its footnote is in the list */
        if (footnotes)
            rc |= PUT(&h->sources, "<li>");
        else
            rc |= gx_buf_printf(&h->sources, "<li id=\"%s%zu\">", anchor, i + 1);
        rc |= S_ext_link(h, &h->sources, r->url.ptr, r->title.len ? r->title.ptr : r->url.ptr);
        rc |= S_source_extra(&h->sources, r);
        rc |= PUT(&h->sources, "</li>\n");
    }
    if (rc || !h->sources.len)
        return rc;
    rc = PUT(&h->page, "<div class=\"sources\">Sources<ol>\n");
    rc |= gx_buf_put(&h->page, h->sources.ptr, h->sources.len);
    return rc | PUT(&h->page, "</ol></div>\n");
}

/* After the sources: every web result not cited, the X posts and web
 * pages, folded like the steps (render/sources.c, as the md note). */
static int
S_searched(S_html *h, const grokx_message *msg, const char *anchor)
{
    gx_buf md, title;
    long n;
    int rc = 0;
    gx_buf_init(&md, &h->mem);
    gx_buf_init(&title, &h->mem);
    if ((n = gx_searched_markdown(&md, &h->mem, msg, &h->cards, &title)) > 0) {
        rc = PUT(&h->page, "<details class=\"thinking searched\"><summary>");
        rc |= gx_html_escape(&h->page, title.ptr, title.len);
        rc |= PUT(&h->page, "</summary>\n<div class=\"body\">\n");
        rc |= gx_html_markdown(&h->page, md.ptr, md.len, anchor, NULL);
        rc |= PUT(&h->page, "</div>\n</details>\n");
    }
    gx_buf_free(&md);
    gx_buf_free(&title);
    return n < 0 ? (int)n : rc;
}

static int
S_message(S_html *h, const char *dir, const grokx_message *msg, size_t n)
{
    char anchor[32];
    int user = msg->role == GROKX_ROLE_USER, rc;
    size_t i, body, lead;
    snprintf(anchor, sizeof anchor, "m%zu-", n);
    h->cite = 1;
    gx_cards_reset(&h->cards);
    if (!user && msg->card_attachments.count && (rc = gx_cards_load(&h->cards, msg)) != 0)
        return rc;
    h->sources.len = 0;
    rc = gx_buf_printf(&h->page, "<article class=\"turn %s%s\" id=\"m%zu\">\n",
                       user ? "user" : msg->role == GROKX_ROLE_SYSTEM ? "system" : "grok",
                       msg->flags & GROKX_MSG_ACTIVE ? "" : " offpath", n);
    rc |= S_turn_header(h, msg);
    lead = h->page.len;
    rc |= S_thinking(h, msg, anchor);
    rc |= S_steps(h, msg, anchor);
    lead = h->page.len - lead; /* thinking and steps shown */
    rc |= PUT(&h->page, "<div class=\"body\" dir=\"auto\">\n");
    if (rc)
        return GROKX_E_NOMEM;
    body = h->page.len;
    if ((rc = S_imagine_prompt(h, msg)) != 0)
        return rc;
    if (gx_text_blank(msg->text.ptr, msg->text.len)) { /* white space only: empty, as "" */
        /* the notice below */
    } else if (msg->role != GROKX_ROLE_ASSISTANT) { /* a question, a system prompt: as typed */
        rc |= PUT(&h->page, "<p class=\"user-text\">");
        rc |= gx_html_escape(&h->page, msg->text.ptr, msg->text.len);
        rc |= PUT(&h->page, "</p>\n");
    } else if ((rc = S_answer(h, dir, msg, anchor)) != 0) {
        return rc;
    }
    if ((rc = S_unreferenced_cards(h, dir)) != 0)
        return rc;
    if (msg->error.len) {
        rc |= PUT(&h->page, "<p class=\"note error\">Error: ");
        rc |= gx_html_escape(&h->page, msg->error.ptr, msg->error.len);
        rc |= PUT(&h->page, "</p>\n");
    }
    if (msg->flags & GROKX_MSG_PARTIAL)
        rc |= PUT(&h->page, "<p class=\"note\">This answer was interrupted.</p>\n");
    for (i = 0; i < msg->file_attachments.count && !rc; i++)
        rc = S_attachment(h, dir, msg, i);
    if (!rc)
        rc = S_edited(h, dir, msg);
    if (!rc)
        rc = S_generated(h, dir, msg);
    if (!rc && gx_imagine_no_image(msg))
        rc = PUT(&h->page, "<p class=\"note\">" GX_IMAGINE_NO_IMAGE "</p>\n");
    if (!rc)
        rc = S_sources(h, msg, anchor);
    if (!rc)
        rc = S_searched(h, msg, anchor);
    if (!rc && h->page.len == body && !lead) /* a turn with nothing to show still says so */
        rc = PUT(&h->page, gx_voice_turn(msg) ? "<p class=\"note\">A voice message; the export holds no transcript.</p>\n"
                                              : "<p class=\"note\">This turn is empty in the export.</p>\n");
    return rc ? rc : PUT(&h->page, "</div>\n</article>\n");
}

/* ---- the page --------------------------------------------------------- */

/* The conversation's models, distinct, in order of use, ", "-joined. */
static int
S_models(gx_buf *b, gx_buf *scratch, const grokx_conversation *c)
{
    grokx_str models[GX_MODELS_MAX], shown;
    size_t i, n = gx_models(c, models, GX_MODELS_MAX);
    int rc = 0;
    for (i = 0; i < n; i++) {
        rc |= PUT(b, i ? ", " : "") | gx_text_clean(models[i].ptr, models[i].len, scratch, &shown);
        rc |= gx_buf_put(b, shown.ptr, shown.len);
    }
    return rc;
}

static int
S_remember(S_html *h, const grokx_conversation *c, const char *rel, const char *models)
{
    S_entry *e;
    grokx_str shown;
    int rc;
    if (gx_grow(&h->entries, &h->entries_cap, h->nentries + 1, sizeof *e))
        return GROKX_E_NOMEM;
    e = &h->entries[h->nentries];
    e->rel = h->strings.len;
    rc = gx_buf_put(&h->strings, rel, strlen(rel) + 1);
    e->title = h->strings.len;
    rc |= gx_display_title(c->title, &h->title, &shown);
    rc |= gx_buf_put(&h->strings, shown.ptr, shown.len + 1); /* parser strings end in NUL, clean copies too */
    e->models = h->strings.len;
    rc |= gx_buf_put(&h->strings, models, strlen(models) + 1);
    e->created = c->create_time;
    e->messages = c->message_count;
    e->starred = c->starred;
    if (rc)
        return GROKX_E_NOMEM;
    h->nentries++;
    return 0;
}

/* The end of the meta line and what follows it: the conversation's
 * fields a page shows only when the export sets them (as the md note's
 * front matter): a temporary (private) chat, the persona
 * (system_prompt_name), the summary. */
static int
S_page_header_more(S_html *h, const grokx_conversation *c)
{
    int rc = c->temporary ? PUT(&h->page, " &middot; temporary chat") : 0;
    grokx_str shown;
    if (c->system_prompt_name.len) {
        rc |= PUT(&h->page, " &middot; persona: ");
        rc |= gx_text_clean(c->system_prompt_name.ptr, c->system_prompt_name.len, &h->tmp, &shown);
        rc |= S_bdi(&h->page, shown.ptr, shown.len);
    }
    rc |= PUT(&h->page, "</p>\n");
    if (c->summary.len) {
        rc |= PUT(&h->page, "<p class=\"summary\" dir=\"auto\">");
        rc |= gx_html_escape(&h->page, c->summary.ptr, c->summary.len);
        rc |= PUT(&h->page, "</p>\n");
    }
    return rc;
}

static int
S_page_header(S_html *h, const grokx_conversation *c, const char *title, const char *root,
              const char *models)
{
    char when[48];
    int rc = S_head(&h->page, title, 0);
    rc |= gx_buf_printf(&h->page, "</head>\n<body>\n<div class=\"wrap\">\n"
                                  "<nav class=\"top\"><a href=\"%sindex.html\">&larr; All conversations</a></nav>\n"
                                  "<header class=\"page\">\n<h1>", root);
    rc |= S_bdi(&h->page, title, strlen(title));
    rc |= PUT(&h->page, c->starred ? " <span class=\"star\" title=\"starred\">&#9733;</span>" : "");
    rc |= PUT(&h->page, "</h1>\n<p class=\"meta\">");
    gx_time_human(c->create_time, gx_tz_at(h->cfg.flags, h->cfg.tz_minutes, c->create_time), when, sizeof when, 1);
    rc |= S_esc(&h->page, when);
    if (models[0]) {
        rc |= PUT(&h->page, " &middot; ");
        rc |= S_bdi(&h->page, models, strlen(models));
    }
    rc |= gx_buf_printf(&h->page, " &middot; %zu message%s", c->message_count,
                        c->message_count == 1 ? "" : "s");
    if (c->node_count > c->message_count)
        rc |= gx_buf_printf(&h->page, " &middot; %zu in other branches",
                            c->node_count - c->message_count);
    rc |= S_page_header_more(h, c);
    return rc | PUT(&h->page, "</header>\n<main>\n");
}

/* "<details>" for the run of messages off the active branch from i. */
static int
S_branch_open(S_html *h, const grokx_conversation *c, size_t i)
{
    const grokx_message *m = &c->messages[i];
    size_t n = 0;
    while (i + n < c->message_count && !(c->messages[i + n].flags & GROKX_MSG_ACTIVE))
        n++;
    return gx_buf_printf(&h->page, "<details class=\"branch\"><summary>Other branch: %s %u of %u "
                                   "&middot; %zu message%s</summary>\n",
                         m->role == GROKX_ROLE_USER ? "edit" : "version", m->sibling_index + 1,
                         GX_MAX(m->sibling_count, 1u), n, n == 1 ? "" : "s");
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_html *h = self;
    char dir[64], rel[512], absdir[4096], path[4096], root[8];
    const char *title;
    grokx_str shown;
    size_t i, depth = 0;
    int rc, in_branch = 0;
    if ((rc = gx_display_title(c->title, &h->title, &shown)) != 0)
        return rc;
    title = shown.ptr;
    if ((rc = gx_layout_place(&h->lay, c, "html", dir, sizeof dir, rel, sizeof rel)) != 0 ||
        (rc = gx_layout_enter(&h->lay, dir, absdir, sizeof absdir)) != 0)
        return rc;
    for (i = 0; dir[i]; i++)
        depth += dir[i] == '/';
    snprintf(root, sizeof root, "%s", depth == 2 ? "../../" : depth == 1 ? "../" : "");
    h->page.len = 0;
    h->models.len = 0;
    if (S_models(&h->models, &h->tmp, c) || gx_buf_putc(&h->models, 0))
        return GROKX_E_NOMEM;
    rc = S_page_header(h, c, title, root, h->models.ptr);
    for (i = 0; i < c->message_count && !rc; i++) {
        const grokx_message *m = &c->messages[i];
        int off = !(m->flags & GROKX_MSG_ACTIVE);
        if (off && !in_branch) /* another branch (--branches all): collapsed */
            rc |= S_branch_open(h, c, i);
        else if (!off && in_branch)
            rc |= PUT(&h->page, "</details>\n");
        in_branch = off;
        if (!rc)
            rc = S_message(h, absdir, m, i + 1);
    }
    if (in_branch)
        rc |= PUT(&h->page, "</details>\n");
    if (!c->message_count) /* a page still says why it holds no message */
        rc |= PUT(&h->page, "<p class=\"note\">") | PUT(&h->page, gx_no_messages_note(c)) |
              PUT(&h->page, "</p>\n");
    rc |= PUT(&h->page, "</main>\n<footer class=\"page\">Conversation ");
    rc |= gx_html_escape(&h->page, c->id.ptr, c->id.len);
    rc |= PUT(&h->page, " &middot; exported by grokx</footer>\n</div>\n</body>\n</html>\n");
    if (rc)
        return rc < 0 ? rc : GROKX_E_NOMEM;
    if ((rc = gx_layout_join(&h->lay, path, sizeof path, h->lay.out_dir, rel)) != 0)
        return rc;
    if (!gx_layout_ours(&h->lay, path, S_GENERATOR))
        return 0; /* a page of the user's, not ours: left alone, and not listed */
    if ((rc = gx_layout_write(&h->lay, path, h->page.ptr, h->page.len)) != 0)
        return rc;
    return S_remember(h, c, rel, h->models.ptr);
}

/* ---- Imagine posts ---------------------------------------------------- */

static const char *S_month_name(const char *iso);

static int
S_item(void *self, const grokx_item *it)
{
    return gx_posts_add(&((S_html *)self)->posts, it);
}

/* The page of the posts [from, to) of one month, into h->page. */
static int
S_imagine_page(S_html *h, const char *dir, size_t from, size_t to, const char *root, const char *title)
{
    size_t i;
    int rc = S_head(&h->page, title, 0);
    rc |= gx_buf_printf(&h->page, "</head>\n<body>\n<div class=\"wrap\">\n"
                                  "<nav class=\"top\"><a href=\"%sindex.html\">&larr; All conversations</a></nav>\n"
                                  "<header class=\"page\">\n<h1>", root);
    rc |= S_esc(&h->page, title);
    rc |= gx_buf_printf(&h->page, "</h1>\n<p class=\"meta\">%zu post%s</p>\n</header>\n<main>\n", to - from,
                        to - from == 1 ? "" : "s");
    for (i = from; i < to && !rc; i++) {
        const gx_post *p = &h->posts.v[i];
        const char *prompt = gx_post_str(&h->posts, p->prompt), *type = gx_post_str(&h->posts, p->type);
        const char *link = gx_post_str(&h->posts, p->link), *id = gx_post_str(&h->posts, p->id);
        grokx_str url = {link, gx_post_https(link) ? strlen(link) : 0}, shown;
        char when[48], iso[32];
        rc = gx_buf_printf(&h->page, "<article class=\"turn user\" id=\"p%zu\">\n<header><span class=\"who\">Imagine</span>",
                           i - from + 1);
        if (p->time != GROKX_TIME_NONE) {
            gx_time_human(p->time, gx_tz_at(h->cfg.flags, h->cfg.tz_minutes, p->time), when, sizeof when, 1);
            gx_time_format(p->time, iso);
            rc |= gx_buf_printf(&h->page, " <time datetime=\"%s\">%s</time>", iso, when);
        }
        rc |= PUT(&h->page, " <span class=\"model\">") | gx_text_clean(type, strlen(type), &h->tmp, &shown);
        rc |= shown.len ? S_bdi(&h->page, shown.ptr, shown.len) : PUT(&h->page, "post");
        rc |= PUT(&h->page, "</span></header>\n<div class=\"body\" dir=\"auto\">\n<p class=\"user-text\">");
        rc |= prompt[0] ? gx_html_escape(&h->page, prompt, strlen(prompt)) : PUT(&h->page, "<em>No prompt in the export.</em>");
        rc |= PUT(&h->page, "</p>\n");
        /* the image or video copied beside the page (a video linked: pages
         * embed no media player), else a note */
        if (rc || (rc = S_asset(h, dir, id, gx_post_video(NULL, type) ? "The video" : "The image",
                                (grokx_str){"", 0})) != 0)
            break;
        if (url.len)
            rc = PUT(&h->page, "<p>") | S_ext_link(h, &h->page, link, "Open the post") | PUT(&h->page, "</p>\n");
        else if (link[0])
            rc = PUT(&h->page, "<p class=\"note\">Link (not followed): ") | S_bdi(&h->page, link, strlen(link)) |
                 PUT(&h->page, "</p>\n");
        rc |= PUT(&h->page, "</div>\n</article>\n");
    }
    rc |= PUT(&h->page, "</main>\n<footer class=\"page\">Grok Imagine posts &middot; exported by grokx</footer>\n"
                        "</div>\n</body>\n</html>\n");
    return rc;
}

/* Every month of media posts as a page "Imagine YYYY-MM" in that month's
 * folder (attachments beside it, as a conversation's), and its line for
 * index.html in h->imagine. */
static int
S_imagine_pages(S_html *h)
{
    size_t i, j;
    int rc = 0;
    gx_posts_sort(&h->posts);
    for (i = 0; i < h->posts.n && !rc; i = j) {
        const gx_post *p = &h->posts.v[i];
        char title[32], key[48], dir[64], rel[512], absdir[4096], path[4096];
        j = gx_posts_month_end(&h->posts, i);
        snprintf(title, sizeof title, "Imagine %s", p->month);
        snprintf(key, sizeof key, "(list) imagine %s", p->month);
        h->page.len = 0;
        if ((rc = gx_layout_place_named(&h->lay, p->time, title, key, "html", dir, sizeof dir, rel, sizeof rel)) != 0 ||
            (rc = gx_layout_enter(&h->lay, dir, absdir, sizeof absdir)) != 0 ||
            (rc = gx_layout_join(&h->lay, path, sizeof path, h->lay.out_dir, rel)) != 0)
            break;
        snprintf(title, sizeof title, "Grok Imagine %s", p->month);
        if ((rc = S_imagine_page(h, absdir, i, j, !dir[0] ? "" : strchr(dir, '/')[1] ? "../../" : "../", title)) != 0)
            break;
        if (!gx_layout_ours(&h->lay, path, S_GENERATOR))
            continue; /* a page of the user's, not ours: left alone, and not listed */
        if ((rc = gx_layout_write(&h->lay, path, h->page.ptr, h->page.len)) != 0)
            break;
        rc = PUT(&h->imagine, "<li><a href=\"") | S_href(&h->imagine, rel) | PUT(&h->imagine, "\">");
        if (p->time == GROKX_TIME_NONE)
            rc |= PUT(&h->imagine, "Undated");
        else
            rc |= gx_buf_printf(&h->imagine, "%s %.4s", S_month_name(p->month), p->month);
        rc |= gx_buf_printf(&h->imagine, "</a><span class=\"meta\">%zu post%s</span></li>\n", j - i, j - i == 1 ? "" : "s");
    }
    return rc;
}

/* ---- index.html ------------------------------------------------------- */

static int
S_cmp_entries(const void *a, const void *b)
{
    const S_entry *x = a, *y = b;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return x->rel < y->rel ? -1 : x->rel > y->rel; /* file order */
}

static const char *const S_month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                            "August", "September", "October", "November", "December"};

/* "June" from "2025-06-..."; gx_time_format always writes the month. */
static const char *
S_month_name(const char *iso)
{
    int m = (iso[5] - '0') * 10 + (iso[6] - '0');
    return m >= 1 && m <= 12 ? S_month_names[m - 1] : "?";
}

static int
S_index_entry(S_html *h, const S_entry *e, const char *iso)
{
    const char *s = h->strings.ptr, *title = s[e->title] ? s + e->title : "Untitled";
    size_t i, start;
    int rc = gx_buf_printf(&h->page, "<li class=\"conv\" data-m=\"%.7s\" data-d=\"%lld\"%s data-t=\"",
                           iso, e->created == GROKX_TIME_NONE ? 0LL : (long long)e->created,
                           e->starred ? " data-s" : "");
    start = h->page.len; /* the filter matches a lowercased title */
    rc |= S_esc(&h->page, title);
    for (i = start; i < h->page.len; i++)
        if (h->page.ptr[i] >= 'A' && h->page.ptr[i] <= 'Z')
            h->page.ptr[i] = (char)(h->page.ptr[i] + 32);
    rc |= PUT(&h->page, "\"><a href=\"");
    rc |= S_href(&h->page, s + e->rel);
    rc |= PUT(&h->page, "\">");
    rc |= S_bdi(&h->page, title, strlen(title));
    rc |= PUT(&h->page, "</a>");
    rc |= PUT(&h->page, e->starred ? "<span class=\"star\" title=\"starred\">&#9733;</span>" : "");
    rc |= gx_buf_printf(&h->page, "<span class=\"meta\">%.10s", e->created == GROKX_TIME_NONE ? "undated" : iso);
    if (s[e->models]) {
        rc |= PUT(&h->page, " &middot; ");
        rc |= S_bdi(&h->page, s + e->models, strlen(s + e->models));
    }
    return rc | gx_buf_printf(&h->page, " &middot; %zu message%s</span></li>\n", e->messages,
                              e->messages == 1 ? "" : "s");
}

static int
S_index(S_html *h)
{
    char month[8] = "", iso[32];
    size_t i;
    int rc;
    if (h->nentries)
        qsort(h->entries, h->nentries, sizeof *h->entries, S_cmp_entries);
    h->page.len = 0;
    rc = S_head(&h->page, "Grok conversations", 1);
    rc |= gx_buf_printf(&h->page, "</head>\n<body>\n<div class=\"wrap\">\n"
                        "<header class=\"page\">\n<h1>Grok conversations</h1>\n"
                        "<p class=\"meta\">%zu conversation%s, exported by grokx</p>\n"
                        "<div class=\"controls\"><input type=\"search\" id=\"q\" placeholder=\"Filter by title\" aria-label=\"Filter by title\">"
                        "<select id=\"sort\" aria-label=\"Sort\"><option value=\"new\">Newest first</option>"
                        "<option value=\"old\">Oldest first</option><option value=\"title\">By title</option></select>"
                        "<label><input type=\"checkbox\" id=\"starred\"> Starred only</label>"
                        "<span id=\"count\"></span></div>\n</header>\n<main id=\"list\">\n",
                        h->nentries, h->nentries == 1 ? "" : "s");
    for (i = 0; i < h->nentries && !rc; i++) {
        const S_entry *e = &h->entries[i];
        gx_time_local(h->cfg.flags, h->cfg.tz_minutes, e->created, iso);
        if (strncmp(month, iso, 7)) {
            rc |= PUT(&h->page, month[0] ? "</ul></section>\n" : "");
            snprintf(month, sizeof month, "%.7s", iso);
            if (e->created == GROKX_TIME_NONE)
                rc |= PUT(&h->page, "<section class=\"month\" data-month=\"undated\"><h2>Undated</h2><ul class=\"convs\">\n");
            else
                rc |= gx_buf_printf(&h->page, "<section class=\"month\" data-month=\"%.7s\"><h2>%s %.4s</h2><ul class=\"convs\">\n",
                                    iso, S_month_name(iso), iso);
        }
        rc |= S_index_entry(h, e, iso);
    }
    rc |= PUT(&h->page, month[0] ? "</ul></section>\n" : "<p class=\"note\">No conversations.</p>\n");
    rc |= PUT(&h->page, "</main>\n");
    if (h->imagine.len) /* outside the list the script sorts and filters */
        rc |= PUT(&h->page, "<section class=\"month imagine\"><h2>Imagine</h2><ul class=\"convs\">\n") |
              gx_buf_put(&h->page, h->imagine.ptr, h->imagine.len) | PUT(&h->page, "</ul></section>\n");
    rc |= PUT(&h->page, "<footer class=\"page\">Offline archive: nothing here loads from the network.</footer>\n</div>\n<script>");
    rc |= PUT(&h->page, gx_html_index_js);
    rc |= PUT(&h->page, "</script>\n</body>\n</html>\n");
    return rc ? GROKX_E_NOMEM : 0;
}

/* index.html, style.css, index.js: ours when they say so near their top
 * (the generator line, the "grokx:" comment each file begins with). */
static int
S_write_root(S_html *h, const char *name, const char *text, size_t len)
{
    char path[4096];
    const char *mark = !strcmp(name, "index.html") ? S_GENERATOR
                       : !strcmp(name, "style.css") ? "/* grokx: "
                                                    : "// grokx: ";
    int rc = gx_layout_join(&h->lay, path, sizeof path, h->lay.out_dir, name);
    if (rc)
        return rc;
    if (!gx_layout_ours(&h->lay, path, mark))
        return 0;
    return gx_layout_write(&h->lay, path, text, len);
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_html *h = self;
    int rc;
    GX_UNUSED(st);
    if ((rc = S_imagine_pages(h)) != 0 || (rc = S_index(h)) != 0)
        return rc;
    /* last (files are written in order), so the index never links a page
     * that is not there yet */
    if ((rc = S_write_root(h, "index.html", h->page.ptr, h->page.len)) != 0 ||
        (rc = gx_layout_flush(&h->lay)) != 0)
        return rc;
    gx_layout_not_ours_more(&h->lay);
    if (h->cfg.report) {
        char line[120];
        int n = snprintf(line, sizeof line, "html: %zu page%s, open %s", h->nentries, h->nentries == 1 ? "" : "s", "index.html");
        if (h->lay.not_ours && n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, "; %lu skipped (not ours)", h->lay.not_ours);
        h->cfg.report(h->cfg.report_ud, line);
    }
    return 0;
}

static const char *
S_why(void *self)
{
    return ((S_html *)self)->lay.why[0] ? ((S_html *)self)->lay.why : NULL;
}

static void
S_destroy(void *self)
{
    S_html *h = self;
    gx_buf_free(&h->page);
    gx_buf_free(&h->md);
    gx_buf_free(&h->run);
    free(h->marks);
    gx_buf_free(&h->sources);
    gx_buf_free(&h->tmp);
    gx_buf_free(&h->title);
    gx_buf_free(&h->models);
    gx_buf_free(&h->strings);
    gx_cards_free(&h->cards);
    gx_posts_free(&h->posts);
    gx_buf_free(&h->imagine);
    gx_layout_free(&h->lay);
    free(h->entries);
    free(h);
}

int
gx_writer_html_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    S_html *h;
    int rc;
    if (!cfg->out_dir) /* a folder of pages: nothing to stream */
        return gx_err_set(err, GROKX_E_INVALID, "html writes a folder: give cfg.out_dir");
    if (!(h = calloc(1, sizeof *h)))
        return GROKX_E_NOMEM;
    h->cfg = *cfg;
    gx_mem_init(&h->mem, NULL, NULL, 0);
    gx_buf_init(&h->page, &h->mem);
    gx_buf_init(&h->md, &h->mem);
    gx_buf_init(&h->run, &h->mem);
    gx_buf_init(&h->sources, &h->mem);
    gx_buf_init(&h->tmp, &h->mem);
    gx_buf_init(&h->title, &h->mem);
    gx_buf_init(&h->models, &h->mem);
    gx_buf_init(&h->strings, &h->mem);
    gx_cards_init(&h->cards, &h->mem);
    gx_posts_init(&h->posts, &h->mem, cfg->flags, cfg->tz_minutes);
    gx_buf_init(&h->imagine, &h->mem);
    rc = gx_layout_init(&h->lay, cfg);
    if (!rc && !(*out = grokx_writer_new(&vt, h)))
        rc = GROKX_E_NOMEM;
    if (rc) {
        if (h->lay.why[0]) /* the folder, its lock, a path: said with the path */
            gx_err_set(err, rc, "%s", h->lay.why);
        S_destroy(h);
        return rc;
    }
    return 0;
}
