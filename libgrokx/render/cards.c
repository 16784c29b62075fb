/*
 * cards.c -- the markup Grok embeds in an answer's text, split out for
 * writers: <grok:render type=... card_id=...> tags (inline citations,
 * generated images, files), whose data lives in the message's
 * card_attachments (JSON texts), and <xaiArtifact ...>...</xaiArtifact>
 * blocks (code or documents the answer produced).
 *
 * The text is untrusted: tags may be unclosed, attributes missing or
 * huge. Every value is cut to a fixed buffer; a '<' that opens no tag is
 * plain text. A tag is read as HTML reads one: an attribute's value in
 * double or single quotes is whole, whatever it holds ('>', '<', line
 * ends, the other quote); a quote left open makes the tag plain text.
 */
#define _GNU_SOURCE /* memmem() (also in POSIX.1-2024) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

void
gx_cards_init(gx_cards *cs, gx_mem *mem)
{
    memset(cs, 0, sizeof *cs);
    gx_buf_init(&cs->text, mem);
    gx_buf_init(&cs->shown, mem);
}

void
gx_cards_free(gx_cards *cs)
{
    gx_buf_free(&cs->text);
    gx_buf_free(&cs->shown);
    free(cs->off);
    free(cs->used);
    memset(cs, 0, sizeof *cs);
}

void
gx_cards_reset(gx_cards *cs)
{
    cs->n = 0;
    cs->text.len = 0;
    cs->shown.len = 0;
}

/* How far an image's streaming snapshot got: progress, then seq. */
static int
S_later_snapshot(const char (*a)[GX_FIELD_MAX], const char *b_progress, const char *b_seq)
{
    double pa = strtod(a[GX_CARD_PROGRESS], NULL), pb = strtod(b_progress, NULL);
    if (pa != pb)
        return pa > pb;
    return strtod(a[GX_CARD_SEQ], NULL) >= strtod(b_seq, NULL);
}

/* Streaming snapshots of one image come as cards with one id, one after
 * another: look back this far for an earlier one, so a message of many
 * cards stays linear. */
enum { S_SNAPSHOT_WINDOW = 64 };

int
gx_cards_load(gx_cards *cs, const grokx_message *msg)
{
    static const char *const keys[GX_CARD_NFIELDS] = {
        "id", "url", "title", "image_chunk", "file_name", "image_chunk.imageUuid",
        "image.original", "image.link", "image.title", "caption", "image_chunk.progress",
        "image_chunk.seq", "type", "cardType"};
    static const char *const chunk_keys[] = {"imageUuid", "progress", "seq"};
    char vals[GX_CARD_NFIELDS][GX_FIELD_MAX], chunk[3][GX_FIELD_MAX];
    size_t i, k, j;
    cs->n = 0;
    cs->text.len = 0;
    for (i = 0; i < msg->card_attachments.count; i++) {
        grokx_str c = msg->card_attachments.items[i];
        size_t at = cs->n;
        gx_json_top_scalars(c.ptr, c.len, keys, GX_CARD_NFIELDS, vals); /* a broken card keeps what it had */
        if (!vals[GX_CARD_ID][0])
            continue;
        if (vals[GX_CARD_IMAGE_CHUNK][0] && !vals[GX_CARD_IMAGE_UUID][0]) { /* image_chunk as JSON text */
            gx_json_top_scalars(vals[GX_CARD_IMAGE_CHUNK], strlen(vals[GX_CARD_IMAGE_CHUNK]), chunk_keys, 3, chunk);
            memcpy(vals[GX_CARD_IMAGE_UUID], chunk[0], GX_FIELD_MAX);
            memcpy(vals[GX_CARD_PROGRESS], chunk[1], GX_FIELD_MAX);
            memcpy(vals[GX_CARD_SEQ], chunk[2], GX_FIELD_MAX);
        }
        if (vals[GX_CARD_IMAGE_UUID][0]) /* a later snapshot of an image replaces the earlier one */
            for (j = cs->n; j > 0 && cs->n - j < S_SNAPSHOT_WINDOW; j--)
                if (!strcmp(cs->text.ptr + cs->off[j - 1][GX_CARD_ID], vals[GX_CARD_ID])) {
                    if (!S_later_snapshot((const char(*)[GX_FIELD_MAX])vals, cs->text.ptr + cs->off[j - 1][GX_CARD_PROGRESS],
                                          cs->text.ptr + cs->off[j - 1][GX_CARD_SEQ]))
                        goto next;
                    at = j - 1;
                    break;
                }
        if (at == cs->n && (gx_grow(&cs->off, &cs->cap, cs->n + 1, sizeof *cs->off) ||
                            gx_grow(&cs->used, &cs->used_cap, cs->n + 1, sizeof *cs->used)))
            return GROKX_E_NOMEM;
        cs->used[at] = 0;
        for (k = 0; k < GX_CARD_NFIELDS; k++) {
            cs->off[at][k] = cs->text.len;
            if (gx_buf_put(&cs->text, vals[k], strlen(vals[k]) + 1))
                return GROKX_E_NOMEM;
        }
        cs->n += at == cs->n;
    next:;
    }
    return 0;
}

long
gx_cards_find(const gx_cards *cs, const char *id)
{
    size_t i;
    for (i = 0; i < cs->n; i++)
        if (!strcmp(cs->text.ptr + cs->off[i][GX_CARD_ID], id))
            return (long)i;
    return -1;
}

const char *
gx_cards_field(const gx_cards *cs, long card, int field)
{
    if (card < 0 || (size_t)card >= cs->n || field < 0 || field >= GX_CARD_NFIELDS)
        return "";
    return cs->text.ptr + cs->off[card][field];
}

int
gx_card_image_uuid(const gx_cards *cs, long card, char out[GX_FIELD_MAX])
{
    snprintf(out, GX_FIELD_MAX, "%s", gx_cards_field(cs, card, GX_CARD_IMAGE_UUID));
    return out[0] != 0;
}

int
gx_cards_mark_shown(gx_cards *cs, const char *id)
{
    return gx_cards_shown(cs, id) ? 0 : gx_buf_put(&cs->shown, id, strlen(id) + 1);
}

int
gx_cards_shown(const gx_cards *cs, const char *id)
{
    size_t at = 0;
    while (at < cs->shown.len) {
        const char *s = cs->shown.ptr + at;
        if (!strcmp(s, id))
            return 1;
        at += strlen(s) + 1;
    }
    return 0;
}

/* The tag types grokx shows, and the cardType of each (§2.10 of the
 * export's reference): a card may carry either name. */
static const char *const S_types[][2] = {
    {"render_inline_citation", "citation_card"},
    {"render_searched_image", "image_card"},
    {"render_generated_image", "generated_image_card"},
    {"render_edited_image", "edited_image_card"},
    {"render_file", "rendered_file_card"},
};

/* name as a tag type we know ("render_file" for "rendered_file_card"),
 * or NULL. */
static const char *
S_known_type(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof S_types / sizeof S_types[0]; i++)
        if (!strcmp(name, S_types[i][0]) || !strcmp(name, S_types[i][1]))
            return S_types[i][0];
    return NULL;
}

const char *
gx_card_render_type(const gx_cards *cs, long card)
{
    const char *t = S_known_type(gx_cards_field(cs, card, GX_CARD_TYPE));
    if (!t)
        t = S_known_type(gx_cards_field(cs, card, GX_CARD_CARD_TYPE));
    if (!t && gx_cards_field(cs, card, GX_CARD_URL)[0])
        t = "render_inline_citation"; /* a type we do not know, but a link: a source */
    return t ? t : "";
}

/* seg as the tag type, with the kind a tag of that type has */
static void
S_set_type(gx_segment *seg, const char *type)
{
    snprintf(seg->type, sizeof seg->type, "%s", type);
    seg->kind = !strcmp(type, "render_inline_citation") && seg->card_id[0] ? GX_SEG_CITATION : GX_SEG_CARD;
}

long
gx_cards_resolve(gx_cards *cs, gx_segment *seg)
{
    long card = seg->card_id[0] ? gx_cards_find(cs, seg->card_id) : -1;
    if (card >= 0)
        cs->used[card] = 1;
    if (seg->kind != GX_SEG_CARD || S_known_type(seg->type))
        return card; /* a citation, or a type of ours: as the tag says */
    if (card >= 0 && gx_card_render_type(cs, card)[0])
        S_set_type(seg, gx_card_render_type(cs, card));
    else if (card < 0)
        seg->kind = GX_SEG_TEXT; /* no type of ours and no card says what it was: its text */
    else
        seg->type[0] = 0; /* a kind grokx does not show: nothing, not even a break */
    return card;
}

long
gx_cards_next_unreferenced(gx_cards *cs, size_t *at, gx_segment *seg)
{
    for (; *at < cs->n; (*at)++) {
        const char *type = gx_card_render_type(cs, (long)*at);
        if (cs->used[*at] || !type[0])
            continue; /* shown where its tag stands, or a card of nothing we show */
        memset(seg, 0, sizeof *seg);
        snprintf(seg->card_id, sizeof seg->card_id, "%s", gx_cards_field(cs, (long)*at, GX_CARD_ID));
        S_set_type(seg, type);
        cs->used[*at] = 1;
        return (long)(*at)++;
    }
    return -1;
}

/* ---- the segmenter --------------------------------------------------- */

static int
S_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* If an attribute's value starts at tag[i] (after "=" and spaces), where
 * it is quoted: the quote's index, else n. The tag's end and its
 * attributes are read by this one rule. */
static size_t
S_value_quote(const char *tag, size_t i, size_t n)
{
    while (i < n && S_space(tag[i]))
        i++;
    return i < n && (tag[i] == '"' || tag[i] == '\'') ? i : n;
}

/* The value of attribute name=... inside tag[0..n) (quoted with " or ',
 * or bare up to a space), into out (cap bytes with its NUL; a longer
 * value is cut on a character boundary). Names are only looked for
 * outside quoted values: a title's text naming contentType="..." is
 * the title's. */
static int
S_attr(const char *tag, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name), i, q, j;
    for (i = 1; i < n; i++) {
        if (tag[i] == '=') { /* a quoted value is skipped whole */
            if ((q = S_value_quote(tag, i + 1, n)) < n) {
                const char *e = memchr(tag + q + 1, tag[q], n - q - 1);
                if (!e)
                    return 0;
                i = (size_t)(e - tag);
            }
            continue;
        }
        if (!S_space(tag[i - 1]) || i + nl >= n || memcmp(tag + i, name, nl))
            continue;
        for (j = i + nl; j < n && S_space(tag[j]); j++)
            ;
        if (j < n && tag[j] == '=') {
            const char *v, *e;
            size_t len;
            if ((q = S_value_quote(tag, j + 1, n)) < n) {
                v = tag + q + 1;
                if (!(e = memchr(v, tag[q], (size_t)(tag + n - v))))
                    return 0;
            } else {
                for (v = tag + j + 1; v < tag + n && S_space(*v); v++)
                    ;
                for (e = v; e < tag + n && !S_space(*e) && !(*e == '/' && e + 1 == tag + n); e++)
                    ;
            }
            len = GX_MIN((size_t)(e - v), cap - 1);
            while (len && len < (size_t)(e - v) && ((unsigned char)v[len] & 0xC0) == 0x80)
                len--; /* cut on a character boundary: the value is UTF-8 */
            memcpy(out, v, len);
            out[len] = 0;
            return 1;
        }
    }
    return 0;
}

/* The '>' that ends the tag at t (after its quoted values), or NULL:
 * *open then tells where a quote no later one closes stands (else NULL,
 * no '>' at all). The failed searches for each quote are remembered, so
 * thousands of open quotes cost one scan. */
static const char *
S_tag_end(gx_rich *it, const char *t, const char **open)
{
    const char *end = it->s + it->len, *p = t + 12;
    *open = NULL;
    while (p < end) {
        const char *gt = memchr(p, '>', (size_t)(end - p)), *eq = memchr(p, '=', (size_t)((gt ? gt : end) - p));
        size_t q;
        const char **miss, *c;
        if (!eq)
            return gt;
        q = S_value_quote(eq, 1, (size_t)(end - eq));
        p = eq + 1;
        if (q == (size_t)(end - eq))
            continue; /* a bare value */
        miss = &it->no_quote[eq[q] == '\''];
        c = *miss && eq + q + 1 >= *miss ? NULL : memchr(eq + q + 1, eq[q], (size_t)(end - eq - q - 1));
        if (!c) {
            if (!*miss || eq + q + 1 < *miss)
                *miss = eq + q + 1;
            *open = eq + q;
            return NULL;
        }
        p = c + 1;
    }
    return NULL;
}

const char *
gx_find(const char *s, size_t len, const char *needle)
{
    /* memchr finds a rare first byte fast (memmem is 5-8 times slower on
     * answers), but near misses made the loop quadratic: a hostile trace
     * ("aaa…" against a long "aaa…b") took 74 s. Past len bytes compared,
     * memmem (linear) takes over. */
    size_t n = strlen(needle), work = 0;
    const char *end = s + len, *p = s;
    if (!n)
        return s;
    while (n <= (size_t)(end - p) && (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
        if (!memcmp(p, needle, n))
            return p;
        if ((work += n) > len + 4096)
            return memmem(p + 1, (size_t)(end - p) - 1, needle, n);
        p++;
    }
    return NULL;
}

/* The closing tag after from, or NULL; remembers the last miss, so
 * thousands of unclosed tags cost one scan, not one each. */
static const char *
S_close(gx_rich *it, int artifact, const char *from)
{
    const char *end = it->s + it->len, *c;
    const char **miss = artifact ? &it->no_artifact_close : &it->no_render_close;
    if (*miss && from >= *miss)
        return NULL;
    c = gx_find(from, (size_t)(end - from), artifact ? "</xaiArtifact>" : "</grok:render>");
    if (!c && (!*miss || from < *miss))
        *miss = from;
    return c;
}

static const char *
S_artifact(gx_rich *it, const char *tag, const char *gt, gx_segment *seg)
{
    const char *end = it->s + it->len, *body = gt + 1, *close = S_close(it, 1, body);
    char type[64] = "";
    size_t n = (size_t)((close ? close : end) - body);
    seg->kind = GX_SEG_ARTIFACT;
    S_attr(tag, (size_t)(gt - tag), "title", seg->title, sizeof seg->title);
    S_attr(tag, (size_t)(gt - tag), "contentType", type, sizeof type);
    gx_mime_lang(type, seg->lang, sizeof seg->lang); /* mime_lang.c */
    while (n && body[0] == '\n')
        body++, n--;
    seg->text = body;
    seg->len = n;
    return close ? close + 14 : end;
}

/* The next "<grok:render" or "<xaiArtifact" in [p, end), or NULL: one
 * pass, so a message with thousands of tags stays linear. */
static const char *
S_next_tag(const char *p, const char *end)
{
    for (; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
        size_t left = (size_t)(end - p);
        if ((left >= 12 && !memcmp(p, "<grok:render", 12)) ||
            (left >= 12 && !memcmp(p, "<xaiArtifact", 12)))
            return p;
    }
    return NULL;
}

void
gx_rich_init(gx_rich *it, const char *s, size_t len)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    it->len = len;
}

int
gx_rich_next(gx_rich *it, gx_segment *seg)
{
    const char *p = it->s + it->pos, *end = it->s + it->len;
    while (p < end) {
        const char *t = S_next_tag(p, end), *gt = NULL, *close, *open = NULL;
        memset(seg, 0, sizeof *seg);
        if (!t || t > p || !(gt = S_tag_end(it, t, &open))) {
            /* plain text up to the next tag, or the end: a '<' that opens
             * no tag (no '>'); a tag whose quote stays open is text up to
             * the next tag after that quote */
            const char *stop = t && t > p ? t : open ? S_next_tag(open, end) : end;
            stop = stop ? stop : end;
            seg->kind = GX_SEG_TEXT;
            seg->text = p;
            seg->len = (size_t)(stop - p);
            it->pos = (size_t)(stop - it->s);
            return 1;
        }
        if (t[1] == 'x') {
            it->pos = (size_t)(S_artifact(it, t, gt, seg) - it->s);
            return 1;
        }
        /* <grok:render ...>...</grok:render> or <grok:render .../> */
        if (gt[-1] == '/') {
            p = gt + 1; /* <grok:render .../> */
        } else {
            close = S_close(it, 0, gt);
            seg->text = gt + 1; /* its inner text (a tag never closed: the rest) */
            seg->len = (size_t)((close ? close : end) - seg->text);
            p = close ? close + 14 : end;
        }
        it->pos = (size_t)(p - it->s);
        S_attr(t, (size_t)(gt - t), "type", seg->type, sizeof seg->type);
        S_attr(t, (size_t)(gt - t), "card_id", seg->card_id, sizeof seg->card_id);
        if (!strcmp(seg->type, "render_inline_citation") && seg->card_id[0]) {
            seg->kind = GX_SEG_CITATION;
            return 1;
        }
        /* any other tag, typed or not: a writer resolves an absent or
         * unknown type from its card (gx_cards_resolve), and shows the
         * inner text of a tag neither names */
        seg->kind = GX_SEG_CARD;
        return 1;
    }
    return 0;
}
