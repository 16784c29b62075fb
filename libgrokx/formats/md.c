/*
 * md.c -- the "md" format: one Markdown note per conversation,
 * ready for Obsidian, a wiki or git.
 *
 * Layout: OUT/YYYY/MM/<name>.md (or flat), names from a template over
 * safe components (names.c), collisions resolved deterministically (also
 * case-insensitively), attachments copied beside the note, an Index.md
 * listing every note. Each file is written to a temporary name and
 * renamed; a re-run on the same export gives byte-identical files.
 *
 * Incremental: OUT/.grokx-manifest (manifest.c) remembers each note's
 * conversation, path and hash. A new run writes only notes whose bytes
 * changed, moves a note whose title changed (no duplicate), and keeps a
 * note the user edited since (unless GROKX_WF_FORCE); notes of
 * conversations gone from the export stay.
 *
 * A message can never break the note: an unclosed code fence or HTML
 * comment in it is closed before the next turn; fences we add are longer
 * than any backtick run they wrap; YAML values are always quoted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/formats.h"

typedef struct S_note {
    char *relpath; /* from OUT */
    char *title;
    grokx_time created;
} S_note;

typedef struct S_md {
    grokx_writer_config cfg;
    gx_layout lay; /* where notes go; lay.out_dir NULL: all notes to the sink */
    gx_mem mem;
    gx_buf note, scratch, title; /* title: the shown title's clean copy */
    int stream;
    S_note *notes; /* for Index.md */
    size_t nnotes, notes_cap;
    unsigned footnote; /* next footnote number in the note */
    gx_cards cards;    /* the message's cards, parsed once */
    gx_md_mark *marks; /* citation markers in the text being collected */
    size_t nmarks, marks_cap;
    gx_md_labels labels; /* the footnote labels the message defines */
    gx_buf relabel;      /* its text with them renamed */
    size_t msg_no;       /* the message's place in the note, from 1: its labels' namespace */
    int has_labels;      /* its text holds "[^" */
    gx_manifest *man;  /* NULL when streaming */
    char journal[4096]; /* OUT/.grokx-manifest.journal (manifest.c) */
    int replayed;       /* a killed run's journal was taken into man */
    unsigned long n_new, n_updated, n_unchanged, n_kept;
    gx_posts posts;     /* media_posts, written a month a note at the end */
    gx_buf imagine;     /* Index.md's lines for them */
} S_md;

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

/* The manifest's key of a list grokx writes (Index.md, YYYY/YYYY.md, an
 * Imagine month). An export's ids are UUIDs; one forged to look like this
 * key could at worst have that list kept or rewritten, never a file
 * outside OUT (the manifest's paths are judged on components). */
#define S_LIST_KEY "(list) "

/* ---- escaping -------------------------------------------------------- */

/* A YAML double-quoted scalar: always valid, whatever the text holds. */
static int
S_yaml_str(gx_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    int rc = gx_buf_putc(b, '"');
    for (i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = gx_buf_put(b, e, 2);
        } else if (c == '\n') {
            rc = gx_buf_put(b, "\\n", 2);
        } else if (c == '\t') {
            rc = gx_buf_put(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7F) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            rc = gx_buf_put(b, e, 4);
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            rc = gx_buf_put(b, (unsigned char)s[i + 2] == 0xA8 ? "\\L" : "\\P", 2);
            i += 2; /* YAML line and paragraph separators */
        } else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
            rc = gx_buf_put(b, "\\N", 2);
            i++;
        } else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0) {
            /* C1 controls: YAML does not allow them raw, even quoted */
            char e[6] = {'\\', 'x', hex[(unsigned char)s[i + 1] >> 4], hex[s[i + 1] & 15]};
            rc = gx_buf_put(b, e, 4);
            i++;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBF &&
                   (unsigned char)s[i + 2] >= 0xBE) {
            rc = gx_buf_put(b, (unsigned char)s[i + 2] == 0xBE ? "\\uFFFE" : "\\uFFFF", 6);
            i += 2; /* the two noncharacters YAML also refuses */
        } else {
            rc = gx_buf_putc(b, (char)c);
        }
    }
    return rc ? rc : gx_buf_putc(b, '"');
}

/* ---- message text: see md_guard.c --------------------------------- */

static int
S_guarded(gx_buf *b, const char *s, size_t len)
{
    int closed;
    return gx_md_guarded(b, s, len, &closed);
}

/* The namespace of a message's own footnote labels: "m3-" in the note's
 * third message, "m3t-" in its thinking, "m3t2-" in its second agent's
 * trace. No two take the same labels, and none is a number (grokx's). */
static void
S_label_prefix(const S_md *m, long trace, char out[48])
{
    if (trace < 0)
        snprintf(out, 48, "m%zu-", m->msg_no);
    else if (!trace)
        snprintf(out, 48, "m%zut-", m->msg_no);
    else
        snprintf(out, 48, "m%zut%ld-", m->msg_no, trace);
}

/* A message's own text (trace: -1, or its thinking 0, or agent trace k),
 * its footnote labels (defined in the same text) renamed into its
 * namespace, so they never meet grokx's citations or another text's. */
static int
S_own_text(S_md *m, gx_buf *b, const char *s, size_t len, long trace)
{
    char prefix[48];
    int got;
    if (!gx_md_has_labels(s, len))
        return S_guarded(b, s, len);
    S_label_prefix(m, trace, prefix);
    m->relabel.len = 0;
    if ((got = gx_md_labels_scan(&m->labels, s, len)) != 0 ||
        (got = gx_md_labels_rewrite(&m->relabel, s, len, &m->labels, prefix, NULL, 0)) < 0)
        return got;
    return got ? S_guarded(b, m->relabel.ptr, m->relabel.len) : S_guarded(b, s, len);
}

/* ---- <grok:render> and <xaiArtifact> --------------------------------- */

/* Ends b with a blank line, so the line grokx writes next starts a block
 * of its own: the message text before it cannot take it in (a paragraph
 * continued, a table's row). Each such line of ours is followed by a blank
 * line too, so the message text after it cannot change it (a setext
 * underline, a table's delimiter row, a continuation). */
static int
S_blank_line(gx_buf *b)
{
    int rc = 0;
    if (b->len && b->ptr[b->len - 1] != '\n')
        rc |= gx_buf_putc(b, '\n');
    if (b->len >= 2 && b->ptr[b->len - 2] != '\n')
        rc |= gx_buf_putc(b, '\n');
    return rc;
}

/* A generated or edited image card: its image from the export, else a
 * note that it is not there. A file card: its name. */
static int
S_media_card(S_md *m, const char *dir, const char *type, long card)
{
    char uuid[GX_FIELD_MAX], link[512];
    int image = 0, got;
    if (!strcmp(type, "render_file")) {
        const char *name = gx_cards_field(&m->cards, card, GX_CARD_FILE_NAME);
        int rc = S_blank_line(&m->note) | PUT(&m->note, "*File: ");
        name = name[0] ? name : "a file";
        rc |= gx_md_text(&m->note, name, strlen(name));
        return rc | PUT(&m->note, "*\n\n");
    }
    if (!strcmp(type, "render_searched_image")) { /* a web image: linked, never embedded */
        const char *url = gx_cards_field(&m->cards, card, GX_CARD_IMAGE_ORIGINAL);
        const char *title = gx_cards_field(&m->cards, card, GX_CARD_IMAGE_TITLE);
        int rc;
        url = url[0] ? url : gx_cards_field(&m->cards, card, GX_CARD_IMAGE_LINK);
        title = title[0] ? title : gx_cards_field(&m->cards, card, GX_CARD_CAPTION);
        if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
            return 0;
        rc = S_blank_line(&m->note) | PUT(&m->note, "[Image: ");
        rc |= gx_md_text(&m->note, title[0] ? title : "from the web", strlen(title[0] ? title : "from the web"));
        return rc | PUT(&m->note, "](<") | gx_md_link_dest(&m->note, url, strlen(url), 0) | PUT(&m->note, ">)\n\n");
    }
    if (strcmp(type, "render_generated_image") && strcmp(type, "render_edited_image"))
        return 0; /* other cards carry nothing we can show */
    if (gx_card_image_uuid(&m->cards, card, uuid) && gx_cards_shown(&m->cards, uuid))
        return 0; /* another card of this message showed the same image */
    got = uuid[0] ? gx_layout_copy_asset(&m->lay, dir, uuid, link, sizeof link, &image) : 0;
    if (got < 0 || (uuid[0] && gx_cards_mark_shown(&m->cards, uuid)))
        return got < 0 ? got : GROKX_E_NOMEM;
    if (S_blank_line(&m->note))
        return GROKX_E_NOMEM;
    if (got && image == GX_ASSET_IMAGE)
        return gx_buf_printf(&m->note, "![generated image](<%s>)\n\n", link);
    if (got) /* an SVG is kept as text: linked, never embedded */
        return gx_buf_printf(&m->note, "Generated image: [%s](<%s>)\n\n", link + 12, link);
    return PUT(&m->note, "*A generated image is not in the export.*\n\n");
}

/* A citation's footnote: its marker at byte at of the text collected
 * (placed when the text is guarded), its definition in foot. */
static int
S_cite(S_md *m, gx_buf *foot, long c, size_t at)
{
    const char *url = gx_cards_field(&m->cards, c, GX_CARD_URL);
    const char *title = gx_cards_field(&m->cards, c, GX_CARD_TITLE);
    int rc = 0;
    if (!url[0])
        return 0; /* no card, or no link: the citation marker is dropped */
    title = title[0] ? title : url;
    if (gx_grow(&m->marks, &m->marks_cap, m->nmarks + 1, sizeof *m->marks))
        return GROKX_E_NOMEM;
    m->marks[m->nmarks].at = at;
    snprintf(m->marks[m->nmarks++].text, sizeof m->marks->text, "[^%u]", m->footnote);
    rc |= gx_buf_printf(foot, "[^%u]: ", m->footnote++);
    return rc | gx_md_link(foot, title, strlen(title), url) | PUT(foot, "\n");
}

static int
S_artifact(S_md *m, const gx_segment *seg)
{
    const char *title = seg->title[0] ? seg->title : "untitled";
    int rc = S_blank_line(&m->note) | PUT(&m->note, "**Artifact: ");
    rc |= gx_md_text(&m->note, title, strlen(title));
    rc |= PUT(&m->note, "**\n\n");
    return rc | gx_md_code_block(&m->note, 0, seg->lang, seg->text, seg->len);
}

/* A stretch of plain text between cards: the message's own bytes while
 * it is one segment (an answer without cards is never copied: a giant
 * one cost its size twice), else collected in m->scratch. */
typedef struct S_run {
    const char *p;
    size_t n;
    int copied;
} S_run;

static int
S_run_add(S_md *m, S_run *r, const char *p, size_t n)
{
    if (!r->n && !r->copied) {
        r->p = p, r->n = n;
        return 0;
    }
    if (!r->copied) {
        m->scratch.len = 0;
        if (gx_buf_put(&m->scratch, r->p, r->n))
            return GROKX_E_NOMEM;
        r->copied = 1;
    }
    if (gx_buf_put(&m->scratch, p, n))
        return GROKX_E_NOMEM; /* r->n still the bytes scratch holds */
    r->n += n;
    return 0;
}

/* Guard and append the plain text collected so far, with its citation
 * markers. */
static int
S_flush_text(S_md *m, S_run *r)
{
    const char *p = r->copied ? m->scratch.ptr : r->p;
    size_t n = r->n;
    int closed, rc = 0;
    char prefix[48];
    m->relabel.len = 0;
    if (m->has_labels) {
        S_label_prefix(m, -1, prefix);
        rc = gx_md_labels_rewrite(&m->relabel, p, n, &m->labels, prefix, m->marks, m->nmarks);
    }
    if (rc > 0)
        p = m->relabel.ptr, n = m->relabel.len;
    if (rc >= 0)
        rc = gx_md_guarded_marks(&m->note, p && n ? p : "", n, m->marks, m->nmarks, &closed);
    /* the run is taken whatever happened: a failed one must not be flushed
     * again later with its length and a buffer since reused */
    r->n = 0, r->copied = 0;
    m->scratch.len = 0;
    m->nmarks = 0;
    return rc;
}

/* The assistant's text with cards and artifacts rendered; footnotes go to
 * foot. */
static int
S_rich_text(S_md *m, const char *dir, const grokx_message *msg, gx_buf *foot)
{
    gx_rich it;
    gx_segment seg;
    S_run run = {NULL, 0, 0};
    int rc = 0;
    m->scratch.len = 0;
    m->nmarks = 0;
    if ((m->has_labels = gx_md_has_labels(msg->text.ptr, msg->text.len)) &&
        (rc = gx_md_labels_scan(&m->labels, msg->text.ptr, msg->text.len)) != 0)
        return rc;
    gx_rich_init(&it, msg->text.ptr, msg->text.len);
    while (!rc && gx_rich_next(&it, &seg)) {
        int mr;
        long card = seg.kind == GX_SEG_CARD || seg.kind == GX_SEG_CITATION ? gx_cards_resolve(&m->cards, &seg) : -1;
        switch (seg.kind) {
        case GX_SEG_TEXT:
            rc = seg.len ? S_run_add(m, &run, seg.text, seg.len) : 0;
            break;
        case GX_SEG_ARTIFACT:
            rc = S_flush_text(m, &run) | S_artifact(m, &seg);
            break;
        case GX_SEG_CITATION: /* placed with the text around it */
            rc = S_cite(m, foot, card, run.n);
            break;
        case GX_SEG_CARD:
            if (!seg.type[0])
                break; /* nothing to show: the text around it stays one */
            rc = S_flush_text(m, &run);
            mr = S_media_card(m, dir, seg.type, card);
            if (mr < 0)
                return mr;
            rc |= mr;
            break;
        }
    }
    if (rc)
        return rc; /* (nothing flushed after a failure: the run may be incomplete) */
    if (run.n || m->nmarks)
        rc = S_flush_text(m, &run);
    else if (m->note.len && m->note.ptr[m->note.len - 1] != '\n')
        rc |= gx_buf_putc(&m->note, '\n');
    return rc;
}

/* The cards no tag of the answer referenced, after it, each as its tag
 * would show it (a citation as a source line: a footnote nothing refers
 * to is not shown by a reader). */
static int
S_unreferenced_cards(S_md *m, const char *dir)
{
    gx_segment seg;
    size_t at = 0;
    long card;
    int rc = 0;
    while (!rc && (card = gx_cards_next_unreferenced(&m->cards, &at, &seg)) >= 0) {
        if (seg.kind == GX_SEG_CITATION) {
            const char *url = gx_cards_field(&m->cards, card, GX_CARD_URL);
            const char *title = gx_cards_field(&m->cards, card, GX_CARD_TITLE);
            if (!url[0])
                continue; /* no link: nothing to show, as inline */
            title = title[0] ? title : url;
            rc = S_blank_line(&m->note) | PUT(&m->note, "Source: ") |
                 gx_md_link(&m->note, title, strlen(title), url) | PUT(&m->note, "\n\n");
        } else {
            rc = S_media_card(m, dir, seg.type, card);
        }
    }
    return rc;
}

/* An image generation turn (query_type "imagine") whose answer has no
 * text: its prompt, on one line, where the answer would be. */
static int
S_imagine_prompt(S_md *m, const grokx_message *msg)
{
    if (!gx_imagine_turn(msg))
        return 0;
    return PUT(&m->note, "**Imagine:** ") | gx_md_text(&m->note, msg->query.ptr, msg->query.len) |
           PUT(&m->note, "\n\n");
}

/* ---- attachments ----------------------------------------------------- */

/* Attachment i's name and type ("" when the export gives none: a bare
 * id, or a message built by hand without the lists). */
static grokx_str
S_file_field(const grokx_strlist *l, size_t i)
{
    return i < l->count && l->items[i].len ? l->items[i] : (grokx_str){"", 0};
}

/* One attachment: the file copied beside the note (an image embedded),
 * else a note that the export does not hold it. One given with a name
 * or type (an object in file_attachments) is introduced by them, the
 * name escaped as text. */
static int
S_attachment(S_md *m, const char *dir, const grokx_message *msg, size_t i)
{
    const char *id = msg->file_attachments.items[i].ptr;
    grokx_str name = S_file_field(&msg->file_names, i), type = S_file_field(&msg->file_types, i);
    char link[512];
    int image = 0, got = gx_layout_copy_asset(&m->lay, dir, id, link, sizeof link, &image), rc = 0;
    if (got < 0)
        return got;
    if (name.len || type.len) {
        rc = PUT(&m->note, "Attachment: ") | gx_md_text(&m->note, name.len ? name.ptr : "unnamed", name.len ? name.len : 7);
        if (type.len)
            rc |= PUT(&m->note, " (") | gx_md_text(&m->note, type.ptr, type.len) | PUT(&m->note, ")");
        rc |= PUT(&m->note, "\n\n");
        if (!got && !id[0])
            return rc | PUT(&m->note, "*The attachment is not in the export.*\n\n");
        if (!got)
            return rc | PUT(&m->note, "*The attachment (") | gx_md_code_span(&m->note, id, strlen(id)) |
                   PUT(&m->note, ") is not in the export.*\n\n");
    }
    if (got)
        return rc | gx_buf_printf(&m->note, "%s[%s](<%s>)\n\n", image == GX_ASSET_IMAGE ? "!" : "Attachment: ",
                                  link + 12, link);
    return rc | PUT(&m->note, "*Attachment ") | gx_md_code_span(&m->note, id, strlen(id)) |
           PUT(&m->note, " is not in the export.*\n\n");
}

static int
S_attachments(S_md *m, const char *dir, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < msg->file_attachments.count && !rc; i++)
        rc = S_attachment(m, dir, msg, i);
    return rc;
}

/* An image a message names by URL (a generated one, the one to edit):
 * copied from the export when it holds it (id: the asset id, "" for
 * none) and embedded, or linked as the file it is when it is no image;
 * else a link to the URL, else the note `missing`. what: "generated
 * image", the image's alt text and, capitalised, its label. */
static int
S_url_image(S_md *m, const char *dir, grokx_str u, const char *id, const char *what, const char *missing)
{
    char link[512], label[64];
    int image = 0, got = id[0] ? gx_layout_copy_asset(&m->lay, dir, id, link, sizeof link, &image) : 0;
    snprintf(label, sizeof label, "%c%s", what[0] - 32, what + 1);
    if (got < 0)
        return got;
    if (got && image == GX_ASSET_IMAGE)
        return gx_buf_printf(&m->note, "![%s](<%s>)\n\n", what, link);
    if (got)
        return gx_buf_printf(&m->note, "%s: [%s](<%s>)\n\n", label, link + 12, link);
    if (!strncmp(u.ptr, "https://", 8) || !strncmp(u.ptr, "http://", 7))
        return gx_buf_printf(&m->note, "[%s](<", label) | gx_md_link_dest(&m->note, u.ptr, u.len, 0) |
               PUT(&m->note, ">) (not in the export)\n\n");
    return gx_buf_printf(&m->note, "*%s*\n\n", missing);
}

/* Generated images, each once per turn (a card may have shown it). */
static int
S_generated(S_md *m, const char *dir, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < msg->generated_image_urls.count && !rc; i++) {
        grokx_str u = msg->generated_image_urls.items[i];
        char id[256] = "";
        if (!u.len)
            continue; /* failed or moderated */
        if (gx_generated_asset_id(u, id, sizeof id) && gx_cards_shown(&m->cards, id))
            continue; /* shown already: by its card, or the same URL before */
        if (id[0] && gx_cards_mark_shown(&m->cards, id))
            return GROKX_E_NOMEM;
        rc = S_url_image(m, dir, u, id, "generated image", "A generated image is not in the export.");
    }
    return rc;
}

/* The image a user asked Grok to edit. */
static int
S_edited(S_md *m, const char *dir, const grokx_message *msg)
{
    char id[256] = "";
    if (!msg->image_edit_uri.len)
        return 0;
    gx_generated_asset_id(msg->image_edit_uri, id, sizeof id);
    return S_url_image(m, dir, msg->image_edit_uri, id, "image to edit", "The image to edit is not in the export.");
}

/* ---- one message ----------------------------------------------------- */

/* s as a block quote: every line, also one ended by a lone CR (CommonMark
 * reads that as a line), gets its "> ". */
static int
S_quote(gx_buf *b, const char *s, size_t len)
{
    size_t pos = 0;
    int rc = 0;
    while (pos < len && !rc) {
        size_t n = 0;
        while (pos + n < len && s[pos + n] != '\n' && s[pos + n] != '\r')
            n++;
        rc = gx_buf_put(b, n ? "> " : ">", n ? 2 : 1) | gx_buf_put(b, s + pos, n) | gx_buf_putc(b, '\n');
        pos += n + (pos + n + 1 < len && s[pos + n] == '\r' && s[pos + n + 1] == '\n' ? 2 : 1);
    }
    return rc;
}

/* A reasoning trace into m->scratch, guarded, a tool call's XML in it as
 * one readable line. */
static int
S_trace(S_md *m, grokx_str t, long trace)
{
    gx_buf calls;
    int got, rc;
    gx_buf_init(&calls, &m->mem);
    if ((got = gx_steps_inline_calls(&calls, &m->mem, t.ptr, t.len)) < 0)
        rc = got;
    else
        rc = got ? S_own_text(m, &m->scratch, calls.ptr, calls.len, trace)
                 : S_own_text(m, &m->scratch, t.ptr, t.len, trace);
    gx_buf_free(&calls);
    return rc;
}

static int
S_thinking(S_md *m, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    if ((m->cfg.flags & GROKX_WF_NO_THINKING) || (!msg->thinking.len && !msg->agent_trace_count))
        return 0;
    rc |= PUT(&m->note, "> [!abstract]- Thinking");
    if (gx_thinking_seconds(msg) >= 0)
        rc |= gx_buf_printf(&m->note, " (%lld s)", gx_thinking_seconds(msg));
    rc |= PUT(&m->note, "\n>\n"); /* nothing after can change the header's line */
    m->scratch.len = 0;
    if (msg->thinking.len)
        rc |= S_trace(m, msg->thinking, 0);
    for (i = 0; i < msg->agent_trace_count; i++) {
        const grokx_agent_trace *a = &msg->agent_traces[i];
        rc |= gx_buf_printf(&m->scratch, "\n**%s**\n\n", a->agent_id.len ? a->agent_id.ptr : "Agent");
        rc |= S_trace(m, a->text, (long)i + 1);
    }
    rc |= S_quote(&m->note, m->scratch.ptr, m->scratch.len);
    return rc | PUT(&m->note, "\n");
}

/* The steps of a tool-using answer, as a folded callout. */
static int
S_steps(S_md *m, const grokx_message *msg)
{
    long n;
    int rc;
    if (m->cfg.flags & GROKX_WF_NO_THINKING)
        return 0;
    m->scratch.len = 0;
    if ((n = gx_steps_markdown(&m->scratch, &m->mem, msg)) <= 0)
        return n < 0 ? (int)n : 0;
    while (m->scratch.len > 1 && m->scratch.ptr[m->scratch.len - 2] == '\n')
        m->scratch.len--; /* no empty quoted line at the end */
    rc = gx_buf_printf(&m->note, "> [!abstract]- Steps (%ld)\n>\n", n);
    return rc | S_quote(&m->note, m->scratch.ptr, m->scratch.len) | PUT(&m->note, "\n");
}

static int
S_heading(S_md *m, const grokx_message *msg)
{
    char when[48];
    int user = msg->role == GROKX_ROLE_USER, rc;
    gx_time_human(msg->create_time, gx_tz_at(m->cfg.flags, m->cfg.tz_minutes, msg->create_time), when, sizeof when, 1);
    rc = gx_buf_printf(&m->note, "## %s · %s", gx_role_label(msg->role), when);
    if (msg->role == GROKX_ROLE_ASSISTANT && msg->model.len) {
        grokx_str model;
        rc |= PUT(&m->note, " · ");
        rc |= gx_text_clean(msg->model.ptr, msg->model.len, &m->title, &model);
        rc |= gx_md_text(&m->note, model.ptr, model.len);
    }
    if (msg->sibling_count > 1)
        rc |= gx_buf_printf(&m->note, " · %s %u of %u", user ? "edit" : "version",
                            msg->sibling_index + 1, msg->sibling_count);
    if (gx_voice_turn(msg))
        rc |= PUT(&m->note, " · voice");
    if (!(msg->flags & GROKX_MSG_ACTIVE))
        rc |= PUT(&m->note, " · not on the active branch");
    return rc | PUT(&m->note, "\n\n");
}

static int
S_sources(S_md *m, const grokx_message *msg, size_t cited_inline)
{
    size_t i, shown = 0;
    int rc = 0;
    for (i = 0; i < msg->cited_result_count; i++) {
        const grokx_search_result *r = &msg->cited_results[i];
        if (cited_inline && gx_url_in_cards(&m->cards, r->url))
            continue; /* a footnote shows it */
        if (!shown++)
            rc |= PUT(&m->note, "**Sources**\n\n");
        rc |= gx_buf_printf(&m->note, "%zu. ", shown);
        rc |= gx_md_link(&m->note, r->title.len ? r->title.ptr : r->url.ptr,
                     r->title.len ? r->title.len : r->url.len, r->url.ptr);
        rc |= gx_source_extra_md(&m->note, r) | PUT(&m->note, "\n");
    }
    return shown ? rc | PUT(&m->note, "\n") : rc;
}

/* After the sources: every web result not cited, the X posts and web
 * pages, folded like the steps (render/sources.c). */
static int
S_searched(S_md *m, const grokx_message *msg)
{
    gx_buf md, title;
    long n;
    int rc = 0;
    gx_buf_init(&md, &m->mem);
    gx_buf_init(&title, &m->mem);
    if ((n = gx_searched_markdown(&md, &m->mem, msg, &m->cards, &title)) > 0) {
        rc = PUT(&m->note, "> [!abstract]- ") | gx_buf_put(&m->note, title.ptr, title.len) | PUT(&m->note, "\n>\n");
        rc |= S_quote(&m->note, md.ptr, md.len) | PUT(&m->note, "\n");
    }
    gx_buf_free(&md);
    gx_buf_free(&title);
    return n < 0 ? (int)n : rc;
}

static int
S_message(S_md *m, const char *dir, const grokx_message *msg, size_t index)
{
    gx_buf foot;
    unsigned first_footnote = m->footnote;
    int rc = S_heading(m, msg);
    m->msg_no = index + 1;
    m->has_labels = 0;
    size_t body = m->note.len;
    int text = !gx_text_blank(msg->text.ptr, msg->text.len);
    gx_buf_init(&foot, &m->mem);
    gx_cards_reset(&m->cards);
    if (msg->role != GROKX_ROLE_USER && msg->card_attachments.count)
        rc |= gx_cards_load(&m->cards, msg);
    rc |= S_thinking(m, msg);
    rc |= S_steps(m, msg);
    rc |= S_imagine_prompt(m, msg);
    /* first error wins: the answer's text may copy an attachment (GROKX_E_IO,
     * GROKX_E_ARCHIVE), and '|' with another code than NOMEM would make a
     * third (INVALID | IO == NOMEM) */
    /* a text of white space only is an empty one (the notice below), as "" is */
    if (text && !rc)
        rc = msg->role != GROKX_ROLE_ASSISTANT ? S_own_text(m, &m->note, msg->text.ptr, msg->text.len, -1)
                                               : S_rich_text(m, dir, msg, &foot);
    if (rc)
        goto out;
    if (text)
        rc |= PUT(&m->note, "\n");
    if (!rc && (rc = S_unreferenced_cards(m, dir)) != 0)
        goto out;
    if (msg->error.len) /* one line, inert: an error text cannot open a fence */
        rc |= PUT(&m->note, "*Error: ") | gx_md_text(&m->note, msg->error.ptr, msg->error.len) |
              PUT(&m->note, "*\n\n");
    if (msg->flags & GROKX_MSG_PARTIAL)
        rc |= PUT(&m->note, "*This answer was interrupted.*\n\n");
    if (rc)
        goto out;
    if ((rc = S_attachments(m, dir, msg)) != 0 || (rc = S_edited(m, dir, msg)) != 0 ||
        (rc = S_generated(m, dir, msg)) != 0)
        goto out;
    if (gx_imagine_no_image(msg))
        rc |= PUT(&m->note, "*" GX_IMAGINE_NO_IMAGE "*\n\n");
    rc |= S_sources(m, msg, m->footnote - first_footnote);
    if (foot.len)
        rc |= gx_buf_put(&m->note, foot.ptr, foot.len) | PUT(&m->note, "\n");
    if (!rc)
        rc = S_searched(m, msg);
    if (m->note.len == body) /* a turn with nothing to show still says so */
        rc |= PUT(&m->note, gx_voice_turn(msg) ? "*A voice message; the export holds no transcript.*\n\n"
                                               : "*This turn is empty in the export.*\n\n");
out:
    gx_buf_free(&foot);
    return rc;
}

/* ---- the note -------------------------------------------------------- */

/* The conversation's fields a note shows only when the export sets them:
 * temporary (a private chat), the persona (system_prompt_name) and
 * summary, each a key of its own, quoted like the others. */
static int
S_front_matter_more(S_md *m, const grokx_conversation *c)
{
    int rc = c->temporary ? PUT(&m->note, "\ntemporary: true") : 0;
    if (c->system_prompt_name.len)
        rc |= PUT(&m->note, "\npersona: ") | S_yaml_str(&m->note, c->system_prompt_name.ptr, c->system_prompt_name.len);
    if (c->summary.len)
        rc |= PUT(&m->note, "\nsummary: ") | S_yaml_str(&m->note, c->summary.ptr, c->summary.len);
    return rc;
}

static int
S_front_matter(S_md *m, const grokx_conversation *c)
{
    char t[56];
    grokx_str models[GX_MODELS_MAX];
    size_t i, k;
    int rc = PUT(&m->note, "---\ntitle: ");
    grokx_str shown;
    const char *title;
    size_t tlen;
    if (gx_display_title(c->title, &m->title, &shown))
        return GROKX_E_NOMEM;
    title = shown.ptr, tlen = shown.len;
    rc |= S_yaml_str(&m->note, title, tlen);
    rc |= PUT(&m->note, "\naliases: [");
    rc |= S_yaml_str(&m->note, title, tlen);
    rc |= PUT(&m->note, "]\nid: ");
    rc |= S_yaml_str(&m->note, c->id.ptr, c->id.len);
    if (c->create_time != GROKX_TIME_NONE) {
        gx_time_iso_offset_fine(c->create_time, c->create_ns, c->create_digits,
                                gx_tz_at(m->cfg.flags, m->cfg.tz_minutes, c->create_time), t, sizeof t);
        rc |= gx_buf_printf(&m->note, "\ncreated: %s", t);
    }
    if (c->modify_time != GROKX_TIME_NONE) {
        gx_time_iso_offset_fine(c->modify_time, c->modify_ns, c->modify_digits,
                                gx_tz_at(m->cfg.flags, m->cfg.tz_minutes, c->modify_time), t, sizeof t);
        rc |= gx_buf_printf(&m->note, "\nupdated: %s", t);
    }
    rc |= PUT(&m->note, "\nmodels: [");
    for (i = 0, k = gx_models(c, models, GX_MODELS_MAX); i < k; i++) {
        rc |= PUT(&m->note, i ? ", " : "");
        rc |= S_yaml_str(&m->note, models[i].ptr, models[i].len);
    }
    rc |= gx_buf_printf(&m->note, "]\nmessages: %zu\nstarred: %s", c->message_count, c->starred ? "true" : "false");
    rc |= S_front_matter_more(m, c);
    rc |= PUT(&m->note, "\ntags: [grok]\nsource: grok-export\n---\n\n");
    return rc;
}

static int
S_remember(S_md *m, const char *rel, const grokx_conversation *c)
{
    S_note *n;
    grokx_str shown;
    if (gx_grow(&m->notes, &m->notes_cap, m->nnotes + 1, sizeof *n) ||
        gx_display_title(c->title, &m->title, &shown))
        return GROKX_E_NOMEM;
    n = &m->notes[m->nnotes];
    n->relpath = gx_strdup(rel);
    n->title = gx_strdup(shown.ptr); /* parser strings hold no NUL, clean copies neither */
    if (!n->relpath || !n->title) {
        free(n->relpath);
        free(n->title);
        return GROKX_E_NOMEM;
    }
    n->created = c->create_time;
    m->nnotes++;
    return 0;
}

/* gx_hash64 of the file at path, and its gx_hash64_v1 when v1 is not
 * NULL; 0, or -1 if it cannot be read. */
static int
S_file_hashes(const char *path, uint64_t *hash, uint64_t *v1)
{
    FILE *f = fopen(path, "rb");
    gx_buf b;
    gx_mem mem;
    char chunk[65536];
    size_t n;
    int rc = 0;
    if (!f)
        return -1;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&b, &mem);
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = gx_buf_put(&b, chunk, n);
    if (ferror(f))
        rc = -1;
    fclose(f);
    if (!rc)
        *hash = gx_hash64(b.ptr ? b.ptr : "", b.len);
    if (!rc && v1)
        *v1 = gx_hash64_v1(b.ptr ? b.ptr : "", b.len);
    gx_buf_free(&b);
    return rc ? -1 : 0;
}

static int
S_file_hash(const char *path, uint64_t *hash)
{
    return S_file_hashes(path, hash, NULL);
}

/* Write the note at rel unless the manifest says nothing changed or the
 * user edited it; move it when its path changed. A file at rel that the
 * manifest does not give this conversation is not ours: left alone
 * (*skipped), unless it holds the very bytes we would write (then it is
 * taken as ours: a lost manifest, a re-run of the same export). */
static int
S_store_note(S_md *m, const char *key, const char *rel, const char **kept_rel, int *skipped)
{
    char path[4096], old[4096];
    uint64_t hash = gx_hash64(m->note.ptr, m->note.len), ondisk;
    gx_manifest_entry *e;
    int rc, exists;
    struct stat st;
    *kept_rel = NULL;
    *skipped = 0;
    if ((rc = gx_layout_join(&m->lay, path, sizeof path, m->lay.out_dir, rel)) != 0)
        return rc;
    e = gx_manifest_find(m->man, key);
    if (e) {
        if ((rc = gx_layout_join(&m->lay, old, sizeof old, m->lay.out_dir, e->rel)) != 0)
            return rc;
        /* the id came twice in this export: read the note as written */
        if (e->seen && (rc = gx_layout_flush(&m->lay)) != 0)
            return rc;
        exists = S_file_hash(old, &ondisk) == 0;
        /* an empty note is what a power loss leaves of an unsynced one: not
         * the user's edit, so it is rewritten */
        if (exists && ondisk != e->hash && ondisk != gx_hash64("", 0) &&
            !(m->cfg.flags & GROKX_WF_FORCE)) {
            m->n_kept++; /* the user's edits win; the manifest keeps our hash */
            e->seen = 1;
            *kept_rel = e->rel;
            if (m->cfg.report && m->n_kept <= 20) {
                char line[600];
                snprintf(line, sizeof line,
                         "kept %.400s: edited since it was written (--force replaces it)", e->rel);
                m->cfg.report(m->cfg.report_ud, line);
            }
            return 0;
        }
        if (exists && ondisk == e->hash && e->hash == hash && !strcmp(e->rel, rel)) {
            m->n_unchanged++;
            e->seen = 1;
            return 0;
        }
    }
    /* a new note, or a move: whatever is at rel already is not ours */
    if ((!e || strcmp(e->rel, rel)) && lstat(path, &st) == 0) {
        if (S_ISREG(st.st_mode) && S_file_hash(path, &ondisk) == 0 && ondisk == hash) {
            if (e && (rc = gx_layout_remove(&m->lay, old)) != 0)
                return rc; /* moved, the same bytes there already: never two notes */
            if (e)
                m->n_updated++;
            else
                m->n_unchanged++;
            return gx_manifest_set(m->man, key, hash, rel);
        }
        gx_layout_not_ours(&m->lay, path);
        if (e) { /* not moved: its note stays where it is, and listed */
            e->seen = 1;
            *kept_rel = e->rel;
        } else {
            *skipped = 1;
        }
        return 0;
    }
    /* every write is journalled first: if this run is killed, the next one
     * knows these bytes as ours, not as the user's edit, and a new note as
     * this conversation's (so a retitle moves it, never duplicates it) */
    if (gx_manifest_journal_add(m->man, m->journal, key, hash, rel) != 0)
        return gx_layout_fail(&m->lay, "cannot write", m->journal);
    if ((rc = gx_layout_write(&m->lay, path, m->note.ptr, m->note.len)) != 0)
        return rc;
    if (e && strcmp(e->rel, rel) && (rc = gx_layout_remove(&m->lay, old)) != 0)
        return rc; /* moved: never two notes of one conversation */
    if (e)
        m->n_updated++;
    else
        m->n_new++;
    return gx_manifest_set(m->man, key, hash, rel);
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_md *m = self;
    char dir[64], rel[512], absdir[4096], key[GX_NOTE_KEY_MAX];
    const char *kept = NULL;
    grokx_str shown;
    size_t i;
    int rc, skipped = 0;
    if (!m->stream && (rc = gx_layout_key(&m->lay, c, m->man, key)) != 0)
        return rc;
    if ((rc = gx_layout_place_key(&m->lay, c, m->stream ? NULL : key, "md", dir, sizeof dir, rel, sizeof rel)) != 0 ||
        (rc = gx_layout_enter(&m->lay, dir, absdir, sizeof absdir)) != 0)
        return rc;
    m->note.len = 0;
    m->footnote = 1;
    if (m->stream)
        rc = PUT(&m->note, m->nnotes ? "\n---\n\n" : "");
    else
        rc = S_front_matter(m, c);
    if (gx_display_title(c->title, &m->title, &shown))
        return GROKX_E_NOMEM;
    rc |= PUT(&m->note, "# ") | gx_md_text(&m->note, shown.ptr, shown.len);
    rc |= PUT(&m->note, "\n\n");
    if (rc)
        return GROKX_E_NOMEM;
    for (i = 0; i < c->message_count; i++)
        if ((rc = S_message(m, absdir, &c->messages[i], i)) != 0)
            return rc < 0 ? rc : GROKX_E_NOMEM;
    if (!c->message_count && /* a note still says why it holds no message */
        (PUT(&m->note, "*") | PUT(&m->note, gx_no_messages_note(c)) | PUT(&m->note, "*\n\n")))
        return GROKX_E_NOMEM;
    if (m->stream)
        return S_remember(m, rel, c) ? GROKX_E_NOMEM
                                     : gx_sink_write(m->cfg.sink, m->note.ptr, m->note.len);
    if ((rc = S_store_note(m, key, rel, &kept, &skipped)) != 0)
        return rc;
    return skipped ? 0 : S_remember(m, kept ? kept : rel, c);
}

/* ---- Imagine posts ---------------------------------------------------- */

static int
S_item(void *self, const grokx_item *it)
{
    return gx_posts_add(&((S_md *)self)->posts, it);
}

/* A post's image or video, copied beside the note when the export holds
 * it (its id is its asset's), else a line saying it is not there. */
static int
S_post_media(S_md *m, const char *dir, const gx_post *p)
{
    const char *id = gx_post_str(&m->posts, p->id), *type = gx_post_str(&m->posts, p->type);
    char link[512];
    int kind = 0, got = id[0] ? gx_layout_copy_asset(&m->lay, dir, id, link, sizeof link, &kind) : 0;
    if (got < 0)
        return got;
    if (got && kind == GX_ASSET_IMAGE)
        return gx_buf_printf(&m->note, "![Imagine image](<%s>)\n\n", link);
    if (got && gx_post_video(link, type)) /* Obsidian plays an embedded video */
        return gx_buf_printf(&m->note, "![Imagine video](<%s>)\n\n", link);
    if (got) /* an SVG, kept as text, or a file of another kind: linked */
        return gx_buf_printf(&m->note, "Attachment: [%s](<%s>)\n\n", link + 12, link);
    return gx_buf_printf(&m->note, "*The %s is not in the export.*\n\n",
                         gx_post_video(NULL, type) ? "video" : !strcmp(type, "image") ? "image" : "media");
}

/* The note of the posts [from, to) of one month, into m->note. root: the
 * way from its folder to Index.md. */
static int
S_imagine_note(S_md *m, const char *dir, size_t from, size_t to, const char *root)
{
    const char *month = m->posts.v[from].month;
    size_t i;
    int rc = 0;
    m->note.len = 0;
    if (m->stream)
        rc |= PUT(&m->note, m->nnotes || from ? "\n---\n\n" : "");
    else
        rc |= gx_buf_printf(&m->note, "---\ntitle: \"Grok Imagine %s\"\nposts: %zu\ntags: [grok, imagine]\n"
                                      "source: grok-export\n---\n\n", month, to - from);
    rc |= gx_buf_printf(&m->note, "# Grok Imagine %s\n\n%zu post%s.", month, to - from, to - from == 1 ? "" : "s");
    rc |= m->stream ? PUT(&m->note, "\n\n") : gx_buf_printf(&m->note, " [All notes](<%sIndex.md>)\n\n", root);
    for (i = from; i < to && !rc; i++) {
        const gx_post *p = &m->posts.v[i];
        const char *prompt = gx_post_str(&m->posts, p->prompt), *type = gx_post_str(&m->posts, p->type);
        const char *link = gx_post_str(&m->posts, p->link);
        char when[48];
        grokx_str shown;
        /* in a heading and on a line of ours: without the characters that
         * could reorder or break it (as a title) */
        gx_time_human(p->time, gx_tz_at(m->cfg.flags, m->cfg.tz_minutes, p->time), when, sizeof when, 1);
        rc = gx_buf_printf(&m->note, "## %s · ", when) | gx_text_clean(type, strlen(type), &m->title, &shown);
        rc |= shown.len ? gx_md_text(&m->note, shown.ptr, shown.len) : PUT(&m->note, "post");
        rc |= PUT(&m->note, "\n\n**Prompt:** ") | gx_text_clean(prompt, strlen(prompt), &m->title, &shown);
        rc |= shown.len ? gx_md_text(&m->note, shown.ptr, shown.len) : PUT(&m->note, "*none in the export*");
        rc |= PUT(&m->note, "\n\n");
        if (rc || (rc = S_post_media(m, dir, p)) != 0)
            break;
        if (gx_post_https(link)) /* a link of another kind is shown, never followed */
            rc = PUT(&m->note, "[Open the post](<") | gx_md_link_dest(&m->note, link, strlen(link), 0) | PUT(&m->note, ">)\n\n");
        else if (link[0])
            rc = PUT(&m->note, "Link: ") | gx_md_code_span(&m->note, link, strlen(link)) | PUT(&m->note, "\n\n");
    }
    return rc;
}

/* Every month of media posts as a note "Imagine YYYY-MM" in that month's
 * folder (attachments beside it, as a conversation's), remembered like a
 * list (its key in the manifest never names a conversation), and its line
 * for Index.md in m->imagine. Streaming, the notes follow the others. */
static int
S_imagine_notes(S_md *m)
{
    size_t i, j;
    int rc = 0;
    gx_posts_sort(&m->posts);
    for (i = 0; i < m->posts.n && !rc; i = j) {
        const gx_post *p = &m->posts.v[i];
        char title[32], key[48], dir[64], rel[512], absdir[4096];
        const char *kept = NULL;
        unsigned long counts[3] = {m->n_new, m->n_updated, m->n_unchanged};
        int skipped = 0;
        j = gx_posts_month_end(&m->posts, i);
        snprintf(title, sizeof title, "Imagine %s", p->month);
        snprintf(key, sizeof key, S_LIST_KEY "imagine %s", p->month);
        if ((rc = gx_layout_place_named(&m->lay, p->time, title, key, "md", dir, sizeof dir, rel, sizeof rel)) != 0 ||
            (rc = gx_layout_enter(&m->lay, dir, absdir, sizeof absdir)) != 0 ||
            (rc = S_imagine_note(m, absdir, i, j, !dir[0] ? "" : strchr(dir, '/')[1] ? "../../" : "../")) != 0)
            break;
        if (m->stream) {
            rc = gx_sink_write(m->cfg.sink, m->note.ptr, m->note.len);
            continue;
        }
        /* a note like a conversation's (moved, kept when edited, never over
         * a file not ours), counted as the lists are: not in the summary */
        rc = S_store_note(m, key, rel, &kept, &skipped);
        m->n_new = counts[0], m->n_updated = counts[1], m->n_unchanged = counts[2];
        if (rc || skipped)
            continue;
        kept = kept ? kept : rel;
        rc = gx_buf_printf(&m->imagine, "- [%s](<", p->month) | gx_md_link_dest(&m->imagine, kept, strlen(kept), 1) |
             gx_buf_printf(&m->imagine, ">) · %zu post%s\n", j - i, j - i == 1 ? "" : "s");
    }
    return rc;
}

/* Index.md: every note, newest first by month. */
static int
S_cmp_notes(const void *a, const void *b)
{
    const S_note *x = a, *y = b;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return strcmp(x->relpath, y->relpath);
}

/* The list of notes[from..to) by month, linking each relative to base
 * (a prefix of every relpath that is cut from the link). */
static int
S_list_notes(S_md *m, size_t from, size_t to, const char *base)
{
    char month[16] = "", iso[32];
    size_t i, cut = strlen(base);
    int rc = 0;
    for (i = from; i < to; i++) {
        const S_note *n = &m->notes[i];
        gx_time_local(m->cfg.flags, m->cfg.tz_minutes, n->created, iso);
        if (strncmp(month, iso, 7)) {
            snprintf(month, sizeof month, "%.7s", iso);
            rc |= gx_buf_printf(&m->note, "\n## %s\n\n", month);
        }
        rc |= gx_buf_printf(&m->note, "- %.10s [", n->created == GROKX_TIME_NONE ? "" : iso);
        rc |= gx_md_text(&m->note, n->title[0] ? n->title : "Untitled", strlen(n->title[0] ? n->title : "Untitled"));
        rc |= PUT(&m->note, "](<") | gx_md_link_dest(&m->note, n->relpath + cut, strlen(n->relpath + cut), 1) |
              PUT(&m->note, ">)\n");
    }
    return rc;
}

/* Write m->note to OUT/rel unless the file already holds those bytes. */

static int
S_write_if_changed(S_md *m, const char *rel)
{
    char path[4096], key[64];
    uint64_t old, hash = gx_hash64(m->note.ptr, m->note.len);
    int exists, rc;
    gx_manifest_entry *e;
    if ((rc = gx_layout_join(&m->lay, path, sizeof path, m->lay.out_dir, rel)) != 0)
        return rc;
    snprintf(key, sizeof key, S_LIST_KEY "%s", rel);
    e = gx_manifest_find(m->man, key);
    if (e)
        e->seen = 1;
    exists = S_file_hash(path, &old) == 0;
    if (exists && old == hash) /* remembered (a manifest from before lists none) */
        return e && e->hash == hash ? 0 : gx_manifest_set(m->man, key, hash, rel);
    /* a list the manifest remembers is a note like any other: the user's
     * edit wins (kept, counted and named), --force replaces it; an empty
     * one is what a power loss leaves */
    if (exists && e && old != e->hash && old != gx_hash64("", 0) && !(m->cfg.flags & GROKX_WF_FORCE)) {
        m->n_kept++;
        if (m->cfg.report && m->n_kept <= 20) {
            char line[600];
            snprintf(line, sizeof line, "kept %.400s: edited since it was written (--force replaces it)", rel);
            m->cfg.report(m->cfg.report_ud, line);
        }
        return 0;
    }
    /* not remembered: Index.md and YYYY/YYYY.md are ours when they begin
     * as we write them */
    if (!e && !gx_layout_ours(&m->lay, path, "---\ntitle: \"Grok conversations"))
        return 0;
    if (gx_manifest_journal_add(m->man, m->journal, key, hash, rel) != 0)
        return gx_layout_fail(&m->lay, "cannot write", m->journal);
    if ((rc = gx_layout_write(&m->lay, path, m->note.ptr, m->note.len)) != 0)
        return rc;
    return gx_manifest_set(m->man, key, hash, rel);
}

/* The folder of a note's year ("2025/"), or 0 when flat or undated. */
static size_t
S_year_dir(const S_note *n)
{
    const char *r = n->relpath;
    return r[0] >= '0' && r[0] <= '9' && strlen(r) > 5 && r[4] == '/' ? 5 : 0;
}

/* One note per year folder (YYYY/YYYY.md, Obsidian's "folder note"),
 * listing that year's notes; notes are sorted, so a year is one run. */
static int
S_year_indexes(S_md *m, gx_buf *years)
{
    size_t i = 0, j;
    int rc = 0;
    while (i < m->nnotes && !rc) {
        char year[8], rel[32];
        if (!S_year_dir(&m->notes[i])) {
            i++;
            continue;
        }
        memcpy(year, m->notes[i].relpath, 4);
        year[4] = 0;
        for (j = i; j < m->nnotes && S_year_dir(&m->notes[j]) && !memcmp(m->notes[j].relpath, year, 4); j++)
            ;
        m->note.len = 0;
        rc = gx_buf_printf(&m->note, "---\ntitle: \"Grok conversations %s\"\ntags: [grok]\n---\n\n"
                                     "# Grok conversations %s\n\n%zu conversation%s. [All years](<../Index.md>)\n",
                           year, year, j - i, j - i == 1 ? "" : "s");
        snprintf(rel, sizeof rel, "%s/", year);
        rc |= S_list_notes(m, i, j, rel);
        if (rc)
            return GROKX_E_NOMEM;
        snprintf(rel, sizeof rel, "%s/%s.md", year, year);
        if ((rc = S_write_if_changed(m, rel)) != 0)
            return rc;
        rc = gx_buf_printf(years, "%s[%s](<%s>)", years->len ? " · " : "Years: ", year, rel) ? GROKX_E_NOMEM : 0;
        i = j;
    }
    return rc;
}

/* A double-quoted YAML title as S_yaml_str wrote it, back to its text
 * (best effort: a line the user rewrote may say anything). */
static void
S_yaml_unquote(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    if (*in++ != '"')
        return;
    while (*in && *in != '"' && n + 5 < cap) {
        const char *r = NULL;
        char one[2] = {0, 0};
        if (*in != '\\') {
            out[n++] = *in++;
            continue;
        }
        in++;
        switch (*in) {
        case 'n': r = "\n"; break;
        case 't': r = "\t"; break;
        case 'L': r = "\xE2\x80\xA8"; break;
        case 'P': r = "\xE2\x80\xA9"; break;
        case 'N': r = "\xC2\x85"; break;
        case 'x': {
            unsigned v = 0;
            if (sscanf(in + 1, "%2x", &v) == 1 && v < 0xA0) {
                char u[3] = {(char)(v < 0x80 ? v : 0xC2), (char)(v < 0x80 ? 0 : v), 0};
                memcpy(out + n, u, strlen(u));
                n += strlen(u);
                in += 3;
                continue;
            }
            break;
        }
        case 'u':
            if (!strncmp(in, "uFFFE", 5) || !strncmp(in, "uFFFF", 5)) {
                memcpy(out + n, in[4] == 'E' ? "\xEF\xBF\xBE" : "\xEF\xBF\xBF", 3);
                n += 3;
                in += 5;
                continue;
            }
            break;
        default:
            one[0] = *in;
            r = *in ? one : "";
        }
        if (r) {
            memcpy(out + n, r, strlen(r));
            n += strlen(r);
        }
        if (*in)
            in++;
    }
    out[n] = 0;
}

/* The notes of earlier runs this run did not meet (their conversation is
 * not in this export, or a filter left it out), read back from their
 * front matter, so Index.md and the year notes keep listing every note
 * in the folder. A note that is gone is not listed. */
static int
S_remember_others(S_md *m)
{
    size_t i, n = gx_manifest_count(m->man);
    for (i = 0; i < n; i++) {
        gx_manifest_entry *e = gx_manifest_at(m->man, i);
        char path[4096], line[2048], title[1024] = "";
        grokx_time created = GROKX_TIME_NONE;
        FILE *f;
        int k, rc;
        S_note *note;
        if (e->seen || !strncmp(e->id, S_LIST_KEY, sizeof S_LIST_KEY - 1))
            continue; /* a list is no conversation's note */
        if ((rc = gx_layout_join(&m->lay, path, sizeof path, m->lay.out_dir, e->rel)) != 0)
            return rc;
        if (!(f = fopen(path, "r")))
            continue;
        for (k = 0; k < 12 && fgets(line, sizeof line, f); k++) {
            line[strcspn(line, "\n")] = 0;
            if (!strncmp(line, "title: ", 7))
                S_yaml_unquote(line + 7, title, sizeof title);
            else if (!strncmp(line, "created: ", 9))
                (void)grokx_time_parse(line + 9, &created, NULL);
            else if (k && !strcmp(line, "---"))
                break;
        }
        fclose(f);
        if (gx_grow(&m->notes, &m->notes_cap, m->nnotes + 1, sizeof *m->notes))
            return GROKX_E_NOMEM;
        note = &m->notes[m->nnotes];
        if (!title[0]) { /* no title we can read: the file's name */
            const char *base = strrchr(e->rel, '/') ? strrchr(e->rel, '/') + 1 : e->rel;
            size_t len = strlen(base);
            snprintf(title, sizeof title, "%.*s", (int)(len > 3 ? len - 3 : len), base);
        }
        { /* an earlier version wrote titles as they came: cleaned here too */
            grokx_str raw = {title, strlen(title)}, shown;
            if (gx_display_title(raw, &m->title, &shown))
                return GROKX_E_NOMEM;
            note->title = gx_strdup(shown.ptr);
        }
        note->relpath = gx_strdup(e->rel);
        note->created = created;
        if (!note->relpath || !note->title) {
            free(note->relpath);
            free(note->title);
            return GROKX_E_NOMEM;
        }
        m->nnotes++;
    }
    return 0;
}

/* The run's summary line, always (also when no note could be written),
 * after the counts of what the 20 lines of each kind did not name. */
static void
S_report_counts(S_md *m)
{
    char line[200];
    int n;
    if (!m->cfg.report)
        return;
    if (m->n_kept > 20) {
        snprintf(line, sizeof line, "kept: %lu more notes edited since they were written not shown",
                 m->n_kept - 20);
        m->cfg.report(m->cfg.report_ud, line);
    }
    gx_layout_not_ours_more(&m->lay);
    n = snprintf(line, sizeof line, "notes: %lu new, %lu updated, %lu unchanged, %lu kept (edited by you)",
                 m->n_new, m->n_updated, m->n_unchanged, m->n_kept);
    if (m->lay.not_ours && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, ", %lu skipped (not ours)", m->lay.not_ours);
    m->cfg.report(m->cfg.report_ud, line);
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_md *m = self;
    char path[4096];
    gx_buf years;
    int rc = 0;
    GX_UNUSED(st);
    if (m->stream)
        return S_imagine_notes(m);
    if ((rc = S_remember_others(m)) != 0 || (rc = S_imagine_notes(m)) != 0)
        return rc;
    if (!m->nnotes && !m->imagine.len) { /* nothing to list (every note may be a file not ours) */
        S_report_counts(m);
        return 0;
    }
    if (m->nnotes) /* none when the export holds only Imagine posts (m->notes is NULL) */
        qsort(m->notes, m->nnotes, sizeof *m->notes, S_cmp_notes);
    gx_buf_init(&years, &m->mem);
    if ((rc = S_year_indexes(m, &years)) != 0) {
        gx_buf_free(&years);
        return rc;
    }
    m->note.len = 0;
    rc |= gx_buf_printf(&m->note, "---\ntitle: \"Grok conversations\"\ntags: [grok]\n---\n\n# Grok conversations\n\n%zu conversation%s.\n", m->nnotes,
                        m->nnotes == 1 ? "" : "s");
    if (years.len)
        rc |= gx_buf_put(&m->note, "\n", 1) | gx_buf_put(&m->note, years.ptr, years.len) | gx_buf_put(&m->note, "\n", 1);
    gx_buf_free(&years);
    rc |= S_list_notes(m, 0, m->nnotes, "");
    if (m->imagine.len)
        rc |= PUT(&m->note, "\n## Imagine\n\n") | gx_buf_put(&m->note, m->imagine.ptr, m->imagine.len);
    if (rc)
        return GROKX_E_NOMEM;
    if ((rc = S_write_if_changed(m, "Index.md")) != 0 || (rc = gx_layout_flush(&m->lay)) != 0)
        return rc; /* every note on disk before the manifest says so */
    if ((rc = gx_layout_join(&m->lay, path, sizeof path, m->lay.out_dir, ".grokx-manifest")) != 0)
        return rc;
    if ((m->lay.wrote || m->replayed) && gx_manifest_save(m->man, path) != 0)
        return gx_layout_fail(&m->lay, "cannot write", path);
    gx_manifest_journal_end(m->man, m->journal); /* the manifest says it all now */
    /* a version-1 manifest is restated even when no note changed; in a
     * folder we may not write, it stays as it is and is restated again */
    if (!m->lay.wrote && gx_manifest_version(m->man) == 1 && gx_manifest_save(m->man, path) != 0) {
        int e = errno;
        if (e != EACCES && e != EPERM && e != EROFS)
            return gx_layout_fail(&m->lay, "cannot write", path);
        if (m->cfg.report) {
            char line[600];
            snprintf(line, sizeof line, "%.400s: %s: left at version 1, restated on a later run",
                     path, strerror(e));
            m->cfg.report(m->cfg.report_ud, line);
        }
    }
    S_report_counts(m);
    /* No fsync per note (it cost more than the whole conversion) and no
     * sync() (it flushes every program's files): each note is atomic
     * through its rename, and the manifest alone is fsynced. */
    return 0;
}

static const char *
S_why(void *self)
{
    return ((S_md *)self)->lay.why[0] ? ((S_md *)self)->lay.why : NULL;
}

static void
S_destroy(void *self)
{
    S_md *m = self;
    size_t i;
    for (i = 0; i < m->nnotes; i++) {
        free(m->notes[i].relpath);
        free(m->notes[i].title);
    }
    free(m->notes);
    free(m->marks);
    gx_md_labels_free(&m->labels);
    gx_buf_free(&m->relabel);
    gx_buf_free(&m->note);
    gx_buf_free(&m->scratch);
    gx_buf_free(&m->title);
    gx_cards_free(&m->cards);
    gx_posts_free(&m->posts);
    gx_buf_free(&m->imagine);
    gx_layout_free(&m->lay);
    gx_manifest_free(m->man);
    free(m);
}

/* A version-1 manifest holds FNV hashes: restate each in gx_hash64, as the
 * hash of the note on disk when it is still what we wrote, or as a value it
 * cannot match when the user edited it. Once, on the first run after an
 * upgrade; it reads each note once, as an incremental run does anyway. */
static void
S_upgrade_manifest(S_md *m)
{
    size_t i, n = gx_manifest_count(m->man);
    if (gx_manifest_version(m->man) != 1)
        return;
    for (i = 0; i < n; i++) {
        gx_manifest_entry *e = gx_manifest_at(m->man, i);
        char path[4096];
        uint64_t now, v1;
        /* a path too long to read is left as a note that cannot be read */
        if (gx_path_join(path, sizeof path, "%s/%s", m->lay.out_dir, e->rel) == 0 &&
            S_file_hashes(path, &now, &v1) == 0)
            e->hash = v1 == e->hash ? now : ~now;
    }
}

/* A line of a killed run's journal: the note it rewrote, if its bytes are
 * still those, is ours (the manifest takes it); a move it made is
 * finished (the old note goes, unless the user edited it). */
static int
S_replay(void *ud, const char *id, uint64_t hash, const char *rel)
{
    S_md *m = ud;
    char path[4096], old[4096];
    uint64_t now;
    gx_manifest_entry *e;
    uint64_t was;
    e = gx_manifest_find(m->man, id);
    if (gx_path_join(path, sizeof path, "%s/%s", m->lay.out_dir, rel) != 0 || S_file_hash(path, &now) != 0)
        return 0; /* not written before the kill (nor could it be, at a path that long) */
    if (e && !strcmp(e->rel, rel) && now == e->hash)
        return 0; /* still the note of the run before */
    if (e && strcmp(e->rel, rel)) { /* a move: the old note goes, unless the user edited it */
        if (gx_path_join(old, sizeof old, "%s/%s", m->lay.out_dir, e->rel) == 0 &&
            S_file_hash(old, &was) == 0 && was == e->hash)
            (void)unlink(old);
    }
    /* ours as written, or edited by the user since the kill: then a hash it
     * cannot match, so it is kept */
    if (gx_manifest_set(m->man, id, now == hash ? hash : ~now, rel))
        return GROKX_E_NOMEM;
    gx_manifest_find(m->man, id)->seen = 0;
    m->replayed = 1;
    return 0;
}

/* The notes of the last run keep their names from other conversations
 * (layout.c), so a new one never lands on a note the user may have edited. */
static int
S_reserve_names(S_md *m)
{
    size_t i, n = gx_manifest_count(m->man);
    const char **rels, **keys;
    int rc;
    if (!n)
        return 0;
    rels = malloc(n * sizeof *rels);
    keys = malloc(n * sizeof *keys);
    if (!rels || !keys) {
        free(rels);
        free(keys);
        return GROKX_E_NOMEM;
    }
    for (i = 0; i < n; i++) {
        gx_manifest_entry *e = gx_manifest_at(m->man, i);
        rels[i] = e->rel;
        keys[i] = e->id;
    }
    rc = gx_layout_reserve(&m->lay, rels, keys, n);
    free(rels);
    free(keys);
    return rc;
}

int
gx_writer_md_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    S_md *m = calloc(1, sizeof *m);
    int rc;
    if (!m)
        return GROKX_E_NOMEM;
    m->cfg = *cfg;
    m->stream = !cfg->out_dir;
    gx_mem_init(&m->mem, NULL, NULL, 0);
    gx_buf_init(&m->note, &m->mem);
    gx_buf_init(&m->scratch, &m->mem);
    gx_buf_init(&m->title, &m->mem);
    gx_buf_init(&m->relabel, &m->mem);
    gx_md_labels_init(&m->labels, &m->mem);
    gx_cards_init(&m->cards, &m->mem);
    gx_posts_init(&m->posts, &m->mem, cfg->flags, cfg->tz_minutes);
    gx_buf_init(&m->imagine, &m->mem);
    rc = gx_layout_init(&m->lay, cfg);
    if (!rc && m->lay.out_dir) {
        char path[4096];
        /* OUT's own files named whole, or nothing is read */
        rc = gx_layout_join(&m->lay, path, sizeof path, m->lay.out_dir, ".grokx-manifest");
        if (!rc)
            rc = gx_layout_join(&m->lay, m->journal, sizeof m->journal, m->lay.out_dir,
                                ".grokx-manifest.journal");
        if (!rc && !(m->man = gx_manifest_load(path)))
            rc = GROKX_E_NOMEM;
        if (!rc) {
            S_upgrade_manifest(m);
            if ((rc = gx_manifest_journal_read(m->journal, S_replay, m)) == 0)
                rc = S_reserve_names(m);
        }
    }
    if (!rc && !(*out = grokx_writer_new(&vt, m)))
        rc = GROKX_E_NOMEM;
    if (rc) {
        if (m->lay.why[0]) /* the folder, its lock, a path: said with the path */
            gx_err_set(err, rc, "%s", m->lay.why);
        S_destroy(m);
        return rc;
    }
    return 0;
}
