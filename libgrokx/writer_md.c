/*
 * writer_md.c -- the "md" format: one Markdown note per conversation,
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

#include "internal.h"

#define S_TITLE_MAX 96 /* bytes of title in a file name */

typedef struct S_note {
    char *relpath; /* from OUT */
    char *title;
    grokx_time created;
} S_note;

/* A citation card of the message being written: offsets into cards_text. */
typedef struct S_card {
    size_t id, url, title, image_chunk, file_name;
} S_card;

typedef struct S_md {
    grokx_writer_config cfg;
    char *out_dir, *name_template;
    gx_mem mem;
    gx_buf note, scratch;
    int stream; /* no folder: all notes to the sink */
    uint64_t *used; /* folded hashes of paths used in this run */
    size_t nused, used_cap;
    S_note *notes; /* for Index.md */
    size_t nnotes, notes_cap;
    unsigned footnote; /* next footnote number in the note */
    gx_buf cards_text; /* the message's cards, parsed once */
    S_card *cards;
    size_t ncards, cards_cap;
    char why[GROKX_ERROR_TEXT_MAX];
    gx_manifest *man; /* NULL when streaming */
    unsigned long n_new, n_updated, n_unchanged, n_kept;
    int wrote; /* any file written: the manifest must be saved */
    char last_dir[4096]; /* the note folder made last: most notes share it */
} S_md;

static int
S_fail(S_md *m, const char *what, const char *path)
{
    int e = errno; /* the path may be long: keep its end, which names the note */
    size_t n = path ? strlen(path) : 0;
    snprintf(m->why, sizeof m->why, "%s%.200s%s%s: %s", n > 200 ? "..." : "",
             path ? path + (n > 200 ? n - 200 : 0) : "", path ? ": " : "", what, strerror(e));
    return GROKX_E_IO;
}

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

/* ---- times ----------------------------------------------------------- */

/* "2025-06-10 11:29" in the configured zone, plus " UTC" or the offset. */
static void
S_time(const S_md *m, grokx_time t, char *buf, size_t n, int with_zone)
{
    char iso[32];
    int tz = m->cfg.tz_minutes;
    if (t == GROKX_TIME_NONE) {
        snprintf(buf, n, "undated");
        return;
    }
    gx_time_format(t + (grokx_time)tz * 60000, iso);
    if (!with_zone)
        snprintf(buf, n, "%.10s %.5s", iso, iso + 11);
    else if (tz == 0)
        snprintf(buf, n, "%.10s %.5s UTC", iso, iso + 11);
    else
        snprintf(buf, n, "%.10s %.5s %c%02d:%02d", iso, iso + 11, tz < 0 ? '-' : '+',
                 abs(tz) / 60, abs(tz) % 60);
}

/* ISO 8601 with an explicit offset, for front matter. */
static void
S_iso_offset(const S_md *m, grokx_time t, char *buf, size_t n)
{
    char iso[32];
    int tz = m->cfg.tz_minutes;
    gx_time_format(t + (grokx_time)tz * 60000, iso);
    snprintf(buf, n, "%.23s%c%02d:%02d", iso, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
}

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
        } else {
            rc = gx_buf_putc(b, (char)c);
        }
    }
    return rc ? rc : gx_buf_putc(b, '"');
}

/* Plain text (a title) inside a heading: one line, Markdown inert. */
static int
S_inline_text(gx_buf *b, const char *s, size_t len)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < len && !rc; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            rc = gx_buf_putc(b, ' ');
        else if (strchr("\\`*_[]<>#!|~{}", c))
            rc = gx_buf_putc(b, '\\') | gx_buf_putc(b, c);
        else
            rc = gx_buf_putc(b, c);
    }
    return rc;
}

/* Longest run of c in s. */
static size_t
S_longest_run(const char *s, size_t len, char c)
{
    size_t best = 0, run = 0, i;
    for (i = 0; i < len; i++) {
        run = s[i] == c ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* ---- message text: fences and HTML comments stay closed -------------- */

/* If line opens or closes a fence, its fence char and length (>= 3). */
static size_t
S_fence(const char *l, size_t n, char *ch)
{
    size_t i = 0, k;
    while (i < n && i < 3 && l[i] == ' ')
        i++;
    if (i >= n || (l[i] != '`' && l[i] != '~'))
        return 0;
    *ch = l[i];
    for (k = i; k < n && l[k] == *ch; k++)
        ;
    if (k - i < 3)
        return 0;
    if (*ch == '`' && memchr(l + k, '`', n - k))
        return 0; /* a backtick info string is not a fence */
    return k - i;
}

static int
S_blank_after(const char *l, size_t from, size_t n)
{
    for (; from < n; from++)
        if (l[from] != ' ' && l[from] != '\t' && l[from] != '\r')
            return 0;
    return 1;
}

/* Append text, then whatever closes what it left open. */
static int
S_guarded(gx_buf *b, const char *s, size_t len)
{
    size_t pos = 0, open_len = 0, comments = 0;
    char open_ch = 0;
    int rc = gx_buf_put(b, s, len);
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos, flen;
        const char *l = s + pos;
        char ch;
        if ((flen = S_fence(l, n, &ch)) != 0) {
            if (!open_len) {
                open_len = flen;
                open_ch = ch;
            } else if (ch == open_ch && flen >= open_len) {
                size_t i = 0;
                while (l[i] == ' ')
                    i++;
                if (S_blank_after(l, i + flen, n))
                    open_len = 0;
            }
        } else if (!open_len) {
            const char *p;
            for (p = l; (p = memchr(p, '<', (size_t)(l + n - p))) != NULL; p++)
                if (l + n - p >= 4 && !memcmp(p, "<!--", 4))
                    comments++;
            for (p = l; comments && (p = memchr(p, '-', (size_t)(l + n - p))) != NULL; p++)
                if (l + n - p >= 3 && !memcmp(p, "-->", 3))
                    comments--;
        }
        pos += n + (nl != NULL);
    }
    if (len && s[len - 1] != '\n')
        rc |= gx_buf_putc(b, '\n');
    if (open_len) {
        size_t i;
        for (i = 0; i < open_len; i++)
            rc |= gx_buf_putc(b, open_ch);
        rc |= gx_buf_putc(b, '\n');
    }
    if (comments)
        rc |= PUT(b, "-->\n");
    return rc;
}

/* ---- <grok:render> and <xaiArtifact> --------------------------------- */

/* The value of attribute name="..." inside tag[0..n), into out. */
static int
S_attr(const char *tag, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name), i;
    for (i = 0; i + nl + 2 < n; i++)
        if (!memcmp(tag + i, name, nl) && tag[i + nl] == '=' && tag[i + nl + 1] == '"' &&
            (i == 0 || tag[i - 1] == ' ')) {
            const char *v = tag + i + nl + 2, *e = memchr(v, '"', (size_t)(tag + n - v));
            size_t len;
            if (!e)
                return 0;
            len = GX_MIN((size_t)(e - v), cap - 1);
            memcpy(out, v, len);
            out[len] = 0;
            return 1;
        }
    return 0;
}

static const char *
S_find(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= len; i++)
        if (s[i] == needle[0] && !memcmp(s + i, needle, n))
            return s + i;
    return NULL;
}

/* Parse the message's cards (JSON texts) once: the fields we render. */
static int
S_load_cards(S_md *m, const grokx_message *msg)
{
    static const char *const keys[] = {"id", "url", "title", "image_chunk", "file_name"};
    char vals[5][GX_FIELD_MAX];
    size_t i, k;
    m->ncards = 0;
    m->cards_text.len = 0;
    for (i = 0; i < msg->card_attachments.count; i++) {
        grokx_str c = msg->card_attachments.items[i];
        S_card *card;
        size_t *offs[5];
        gx_json_top_strings(c.ptr, c.len, keys, 5, vals); /* a broken card keeps what it had */
        if (!vals[0][0])
            continue;
        if (gx_grow(&m->cards, &m->cards_cap, m->ncards + 1, sizeof *m->cards))
            return GROKX_E_NOMEM;
        card = &m->cards[m->ncards++];
        offs[0] = &card->id, offs[1] = &card->url, offs[2] = &card->title;
        offs[3] = &card->image_chunk, offs[4] = &card->file_name;
        for (k = 0; k < 5; k++) {
            *offs[k] = m->cards_text.len;
            if (gx_buf_put(&m->cards_text, vals[k], strlen(vals[k]) + 1))
                return GROKX_E_NOMEM;
        }
    }
    return 0;
}

static const S_card *
S_card_by_id(const S_md *m, const char *id)
{
    size_t i;
    for (i = 0; i < m->ncards; i++)
        if (!strcmp(m->cards_text.ptr + m->cards[i].id, id))
            return &m->cards[i];
    return NULL;
}

static int S_copy_asset(S_md *m, const char *dir, const char *id, char *link, size_t cap,
                        int *image);

/* A generated or edited image card: its image from the export (the asset
 * id is image_chunk's imageUuid; image_chunk is itself JSON text), else a
 * note that it is not there. A file card: its name. */
static int
S_media_card(S_md *m, const char *dir, const char *type, const S_card *card)
{
    static const char *const keys[] = {"imageUuid"};
    char uuid[1][GX_FIELD_MAX], link[512];
    const char *t = m->cards_text.ptr;
    int image = 0, got;
    if (!strcmp(type, "render_file")) {
        const char *name = card && t[card->file_name] ? t + card->file_name : "a file";
        int rc = PUT(&m->note, "\n*File: ");
        rc |= S_inline_text(&m->note, name, strlen(name));
        return rc | PUT(&m->note, "*\n");
    }
    if (strcmp(type, "render_generated_image") && strcmp(type, "render_edited_image"))
        return 0; /* other cards (searched images, ...) carry nothing we can show offline */
    uuid[0][0] = 0;
    if (card && t[card->image_chunk])
        gx_json_top_strings(t + card->image_chunk, strlen(t + card->image_chunk), keys, 1, uuid);
    got = uuid[0][0] ? S_copy_asset(m, dir, uuid[0], link, sizeof link, &image) : 0;
    if (got < 0)
        return got;
    if (got)
        return gx_buf_printf(&m->note, "\n![generated image](<%s>)\n", link);
    return PUT(&m->note, "\n*A generated image is not in the export.*\n");
}

/* A citation's footnote: the marker here, its definition in foot. */
static int
S_cite(S_md *m, gx_buf *foot, const char *card_id)
{
    const S_card *c = S_card_by_id(m, card_id);
    const char *t = m->cards_text.ptr, *url, *title;
    int rc = 0;
    if (!c || !t[c->url])
        return 0; /* no card, or no link: the citation marker is dropped */
    url = t + c->url;
    title = t[c->title] ? t + c->title : url;
    rc |= gx_buf_printf(&m->note, "[^%u]", m->footnote);
    rc |= gx_buf_printf(foot, "[^%u]: [", m->footnote++);
    rc |= S_inline_text(foot, title, strlen(title));
    rc |= gx_buf_printf(foot, "](<%s>)\n", url);
    return rc;
}

/* "text/python" -> "python". */
static void
S_lang(const char *content_type, char *out, size_t cap)
{
    const char *slash = strchr(content_type, '/'), *l = slash ? slash + 1 : content_type;
    size_t i, n = 0;
    for (i = 0; l[i] && n + 1 < cap; i++)
        if ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '+' ||
            l[i] == '-')
            out[n++] = l[i];
    out[n] = 0;
    if (!strcmp(out, "plain"))
        out[0] = 0;
}

static int
S_artifact(S_md *m, const char *tag, size_t taglen, const char *body, size_t n)
{
    char title[256] = "", type[64] = "", lang[32];
    size_t fence = GX_MAX(S_longest_run(body, n, '`') + 1, (size_t)3), i;
    int rc = 0;
    S_attr(tag, taglen, "title", title, sizeof title);
    S_attr(tag, taglen, "contentType", type, sizeof type);
    S_lang(type, lang, sizeof lang);
    rc |= PUT(&m->note, "\n**Artifact: ");
    rc |= S_inline_text(&m->note, title[0] ? title : "untitled", strlen(title[0] ? title : "untitled"));
    rc |= PUT(&m->note, "**\n\n");
    for (i = 0; i < fence; i++)
        rc |= gx_buf_putc(&m->note, '`');
    rc |= PUT(&m->note, lang);
    rc |= gx_buf_putc(&m->note, '\n');
    while (n && (body[0] == '\n'))
        body++, n--;
    rc |= gx_buf_put(&m->note, body, n);
    if (n && body[n - 1] != '\n')
        rc |= gx_buf_putc(&m->note, '\n');
    for (i = 0; i < fence; i++)
        rc |= gx_buf_putc(&m->note, '`');
    return rc | PUT(&m->note, "\n");
}

/* The assistant's text with cards and artifacts rendered; footnotes go to
 * foot. Plain stretches are collected in m->scratch and guarded. */
static int
S_rich_text(S_md *m, const char *dir, const grokx_message *msg, gx_buf *foot)
{
    const char *s = msg->text.ptr, *end = s + msg->text.len;
    int rc = 0;
    m->scratch.len = 0;
    m->ncards = 0;
    if (msg->card_attachments.count && S_find(s, msg->text.len, "<grok:render") &&
        (rc = S_load_cards(m, msg)) != 0)
        return rc;
    while (s < end && !rc) {
        const char *r = S_find(s, (size_t)(end - s), "<grok:render");
        const char *a = S_find(s, (size_t)(end - s), "<xaiArtifact");
        const char *t = r && (!a || r < a) ? r : a, *gt, *close;
        if (!t) {
            rc = gx_buf_put(&m->scratch, s, (size_t)(end - s));
            break;
        }
        rc = gx_buf_put(&m->scratch, s, (size_t)(t - s));
        gt = memchr(t, '>', (size_t)(end - t));
        if (!gt) { /* not a tag after all */
            rc |= gx_buf_put(&m->scratch, t, (size_t)(end - t));
            break;
        }
        if (t == a) {
            close = S_find(gt, (size_t)(end - gt), "</xaiArtifact>");
            rc |= S_guarded(&m->note, m->scratch.ptr ? m->scratch.ptr : "", m->scratch.len);
            m->scratch.len = 0;
            rc |= S_artifact(m, t, (size_t)(gt - t), gt + 1,
                             (size_t)((close ? close : end) - (gt + 1)));
            s = close ? close + 14 : end;
            continue;
        }
        /* <grok:render ...>...</grok:render> or <grok:render .../> */
        close = gt[-1] == '/' ? gt + 1 : S_find(gt, (size_t)(end - gt), "</grok:render>");
        {
            char type[64] = "", card[128] = "";
            S_attr(t, (size_t)(gt - t), "type", type, sizeof type);
            S_attr(t, (size_t)(gt - t), "card_id", card, sizeof card);
            if (!strcmp(type, "render_inline_citation") && card[0]) {
                rc |= S_guarded(&m->note, m->scratch.ptr ? m->scratch.ptr : "", m->scratch.len);
                if (m->note.len && m->note.ptr[m->note.len - 1] == '\n')
                    m->note.len--; /* the marker follows the text it cites */
                m->scratch.len = 0;
                rc |= S_cite(m, foot, card);
            } else if (type[0]) {
                int mr;
                rc |= S_guarded(&m->note, m->scratch.ptr ? m->scratch.ptr : "", m->scratch.len);
                m->scratch.len = 0;
                if ((mr = S_media_card(m, dir, type, card[0] ? S_card_by_id(m, card) : NULL)) < 0)
                    return mr;
                rc |= mr;
            }
        }
        s = !close ? end : close == gt + 1 ? close : close + 14;
    }
    if (m->scratch.len)
        rc |= S_guarded(&m->note, m->scratch.ptr, m->scratch.len);
    else if (m->note.len && m->note.ptr[m->note.len - 1] != '\n')
        rc |= gx_buf_putc(&m->note, '\n');
    return rc;
}

/* ---- attachments ----------------------------------------------------- */

static int
S_mkdirs(S_md *m, const char *path)
{
    char *p = malloc(strlen(path) + 1), *s;
    int rc = 0;
    if (!p)
        return GROKX_E_NOMEM;
    strcpy(p, path);
    for (s = p + 1; *s && !rc; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                rc = S_fail(m, "cannot create folder", p);
            *s = '/';
        }
    if (!rc && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = S_fail(m, "cannot create folder", p);
    free(p);
    return rc;
}

/* Copy asset id next to the note (dir: the note's folder, absolute);
 * link: the relative path written into the note. 1 if copied, 0 when the
 * export does not hold it, or an error. */
static int
S_copy_asset(S_md *m, const char *dir, const char *id, char *link, size_t cap,
             int *image)
{
    grokx_asset *a;
    grokx_file *f;
    grokx_sink sink;
    char path[4096], buf[65536];
    size_t got;
    int rc;
    if (!m->cfg.input || grokx_asset_open(m->cfg.input, id, &a) != 0)
        return 0;
    snprintf(link, cap, "attachments/%s.%s", id, grokx_asset_ext(a));
    *image = !strncmp(grokx_asset_mime(a), "image/", 6);
    if (m->stream) {
        grokx_asset_close(a);
        return 1;
    }
    snprintf(path, sizeof path, "%s/attachments", dir);
    if ((rc = S_mkdirs(m, path)) != 0) {
        grokx_asset_close(a);
        return rc;
    }
    snprintf(path, sizeof path, "%s/%s", dir, link);
    {
        struct stat st; /* copied by an earlier run: attachments never change */
        if (stat(path, &st) == 0 && (uint64_t)st.st_size == grokx_asset_size(a)) {
            grokx_asset_close(a);
            return 1;
        }
    }
    if (!(f = grokx_file_open(path, 0600, 0))) {
        grokx_asset_close(a);
        return S_fail(m, "cannot write", path);
    }
    sink = grokx_file_sink(f);
    while ((rc = grokx_asset_read(a, buf, sizeof buf, &got)) == 0 && got)
        if (sink.write(sink.ud, buf, got))
            break;
    grokx_asset_close(a);
    if (rc) { /* a corrupt attachment: noted in the text, not fatal */
        grokx_file_abort(f);
        return 0;
    }
    if (grokx_file_commit(f))
        return S_fail(m, "cannot write", path);
    m->wrote = 1;
    return 1;
}

static int
S_attachments(S_md *m, const char *dir, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < msg->file_attachments.count && rc >= 0; i++) {
        const char *id = msg->file_attachments.items[i].ptr;
        char link[512];
        int image = 0, got = S_copy_asset(m, dir, id, link, sizeof link, &image);
        if (got < 0)
            return got;
        if (got)
            rc = gx_buf_printf(&m->note, "%s[%s](<%s>)\n\n", image ? "!" : "Attachment: ",
                               link + 12, link);
        else
            rc = gx_buf_printf(&m->note, "*Attachment `%s` is not in the export.*\n\n", id);
    }
    return rc;
}

/* Generated images: from the export when it holds them (the asset id is
 * the path segment before the last), else a link or a note. */
static int
S_generated(S_md *m, const char *dir, const grokx_message *msg)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < msg->generated_image_urls.count && !rc; i++) {
        grokx_str u = msg->generated_image_urls.items[i];
        char id[256] = "", link[512];
        const char *last, *prev;
        int image = 0, got = 0;
        if (!u.len)
            continue; /* failed or moderated */
        last = strrchr(u.ptr, '/');
        if (last && last > u.ptr) {
            for (prev = last - 1; prev > u.ptr && prev[-1] != '/'; prev--)
                ;
            snprintf(id, sizeof id, "%.*s", (int)(last - prev), prev);
            got = S_copy_asset(m, dir, id, link, sizeof link, &image);
            if (got < 0)
                return got;
        }
        if (got)
            rc = gx_buf_printf(&m->note, "![generated image](<%s>)\n\n", link);
        else if (!strncmp(u.ptr, "https://", 8) || !strncmp(u.ptr, "http://", 7))
            rc = gx_buf_printf(&m->note, "[Generated image](<%s>) (not in the export)\n\n", u.ptr);
        else
            rc = PUT(&m->note, "*A generated image is not in the export.*\n\n");
    }
    return rc;
}

/* ---- one message ----------------------------------------------------- */

static int
S_quote(gx_buf *b, const char *s, size_t len)
{
    size_t pos = 0;
    int rc = 0;
    while (pos < len && !rc) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
        rc = gx_buf_put(b, n ? "> " : ">", n ? 2 : 1) | gx_buf_put(b, s + pos, n) | gx_buf_putc(b, '\n');
        pos += n + 1;
    }
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
    if (msg->thinking_start != GROKX_TIME_NONE && msg->thinking_end != GROKX_TIME_NONE &&
        msg->thinking_end >= msg->thinking_start)
        rc |= gx_buf_printf(&m->note, " (%lld s)",
                            (long long)((msg->thinking_end - msg->thinking_start + 500) / 1000));
    rc |= PUT(&m->note, "\n");
    m->scratch.len = 0;
    if (msg->thinking.len)
        rc |= S_guarded(&m->scratch, msg->thinking.ptr, msg->thinking.len);
    for (i = 0; i < msg->agent_trace_count; i++) {
        const grokx_agent_trace *a = &msg->agent_traces[i];
        rc |= gx_buf_printf(&m->scratch, "\n**%s**\n\n", a->agent_id.len ? a->agent_id.ptr : "Agent");
        rc |= S_guarded(&m->scratch, a->text.ptr, a->text.len);
    }
    rc |= S_quote(&m->note, m->scratch.ptr, m->scratch.len);
    return rc | PUT(&m->note, "\n");
}

static int
S_heading(S_md *m, const grokx_message *msg)
{
    char when[48];
    int user = msg->role == GROKX_ROLE_USER, rc;
    S_time(m, msg->create_time, when, sizeof when, 1);
    rc = gx_buf_printf(&m->note, "## %s · %s", user ? "You" : "Grok", when);
    if (!user && msg->model.len) {
        rc |= PUT(&m->note, " · ");
        rc |= S_inline_text(&m->note, msg->model.ptr, msg->model.len);
    }
    if (msg->sibling_count > 1)
        rc |= gx_buf_printf(&m->note, " · %s %u of %u", user ? "edit" : "version",
                            msg->sibling_index + 1, msg->sibling_count);
    if (!(msg->flags & GROKX_MSG_ACTIVE))
        rc |= PUT(&m->note, " · not on the active branch");
    return rc | PUT(&m->note, "\n\n");
}

static int
S_sources(S_md *m, const grokx_message *msg, size_t cited_inline)
{
    size_t i;
    int rc = 0;
    if (cited_inline || !msg->cited_result_count)
        return 0;
    rc |= PUT(&m->note, "**Sources**\n\n");
    for (i = 0; i < msg->cited_result_count; i++) {
        const grokx_search_result *r = &msg->cited_results[i];
        rc |= gx_buf_printf(&m->note, "%zu. [", i + 1);
        rc |= S_inline_text(&m->note, r->title.len ? r->title.ptr : r->url.ptr,
                            r->title.len ? r->title.len : r->url.len);
        rc |= gx_buf_printf(&m->note, "](<%s>)\n", r->url.ptr);
    }
    return rc | PUT(&m->note, "\n");
}

static int
S_message(S_md *m, const char *dir, const grokx_message *msg)
{
    gx_buf foot;
    unsigned first_footnote = m->footnote;
    int rc = S_heading(m, msg);
    gx_buf_init(&foot, &m->mem);
    rc |= S_thinking(m, msg);
    if (msg->text.len)
        rc |= msg->role == GROKX_ROLE_USER ? S_guarded(&m->note, msg->text.ptr, msg->text.len)
                                           : S_rich_text(m, dir, msg, &foot);
    if (msg->text.len)
        rc |= PUT(&m->note, "\n");
    if (msg->error.len)
        rc |= gx_buf_printf(&m->note, "*Error: %s*\n\n", msg->error.ptr);
    if (msg->flags & GROKX_MSG_PARTIAL)
        rc |= PUT(&m->note, "*This answer was interrupted.*\n\n");
    if (rc)
        goto out;
    if ((rc = S_attachments(m, dir, msg)) != 0 || (rc = S_generated(m, dir, msg)) != 0)
        goto out;
    rc |= S_sources(m, msg, m->footnote - first_footnote);
    if (foot.len)
        rc |= gx_buf_put(&m->note, foot.ptr, foot.len) | PUT(&m->note, "\n");
out:
    gx_buf_free(&foot);
    return rc;
}

/* ---- the note -------------------------------------------------------- */

static int
S_front_matter(S_md *m, const grokx_conversation *c)
{
    char t[48];
    size_t i, k;
    int rc = PUT(&m->note, "---\ntitle: ");
    const char *title = c->title.len ? c->title.ptr : "Untitled";
    size_t tlen = c->title.len ? c->title.len : 8;
    rc |= S_yaml_str(&m->note, title, tlen);
    rc |= PUT(&m->note, "\naliases: [");
    rc |= S_yaml_str(&m->note, title, tlen);
    rc |= PUT(&m->note, "]\nid: ");
    rc |= S_yaml_str(&m->note, c->id.ptr, c->id.len);
    if (c->create_time != GROKX_TIME_NONE) {
        S_iso_offset(m, c->create_time, t, sizeof t);
        rc |= gx_buf_printf(&m->note, "\ncreated: %s", t);
    }
    if (c->modify_time != GROKX_TIME_NONE) {
        S_iso_offset(m, c->modify_time, t, sizeof t);
        rc |= gx_buf_printf(&m->note, "\nupdated: %s", t);
    }
    rc |= PUT(&m->note, "\nmodels: [");
    for (i = 0, k = 0; i < c->message_count; i++) { /* distinct, in order of use */
        const grokx_message *x = &c->messages[i];
        size_t j;
        int seen = 0;
        if (x->role != GROKX_ROLE_ASSISTANT || !x->model.len)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = c->messages[j].role == GROKX_ROLE_ASSISTANT && c->messages[j].model.len == x->model.len &&
                   !memcmp(c->messages[j].model.ptr, x->model.ptr, x->model.len);
        if (seen)
            continue;
        rc |= PUT(&m->note, k ? ", " : "");
        k++;
        rc |= S_yaml_str(&m->note, x->model.ptr, x->model.len);
    }
    rc |= gx_buf_printf(&m->note, "]\nmessages: %zu\nstarred: %s\ntags: [grok]\nsource: grok-export\n---\n\n",
                        c->message_count, c->starred ? "true" : "false");
    return rc;
}

/* name_template with {date} {title} {id} expanded into out: one safe
 * path component whatever the template or the title holds. */
static void
S_file_name(const S_md *m, const grokx_conversation *c, char *out, size_t cap)
{
    const char *t = m->name_template;
    char title[S_TITLE_MAX + 8], id[16], date[16], tmp[512];
    size_t n = 0, i;
    gx_name_component(c->title.ptr, c->title.len, title, sizeof title);
    for (i = 0; i < 8 && i < c->id.len; i++) /* the id names a file: hex and dashes only */
        id[i] = c->id.ptr[i] && strchr("0123456789abcdefABCDEF-", c->id.ptr[i]) ? c->id.ptr[i] : '_';
    id[i] = 0;
    if (c->create_time == GROKX_TIME_NONE)
        strcpy(date, "undated");
    else {
        char iso[32];
        gx_time_format(c->create_time + (grokx_time)m->cfg.tz_minutes * 60000, iso);
        snprintf(date, sizeof date, "%.10s", iso);
    }
    while (*t && n + 1 < sizeof tmp) {
        const char *v = NULL;
        if (!strncmp(t, "{date}", 6))
            v = date, t += 6;
        else if (!strncmp(t, "{title}", 7))
            v = title, t += 7;
        else if (!strncmp(t, "{id}", 4))
            v = id[0] ? id : "noid", t += 4;
        if (v) {
            size_t l = GX_MIN(strlen(v), sizeof tmp - 1 - n);
            memcpy(tmp + n, v, l);
            n += l;
        } else {
            tmp[n++] = *t++;
        }
    }
    gx_name_component(tmp, n, out, cap);
}

/* The set of folded path hashes used in this run (open addressing). */
static int
S_claim(S_md *m, uint64_t h)
{
    size_t i;
    h |= 1; /* 0 marks an empty slot */
    if (2 * (m->nused + 1) > m->used_cap) {
        size_t cap = m->used_cap ? m->used_cap * 2 : 1024, k;
        uint64_t *nu = calloc(cap, sizeof *nu);
        if (!nu)
            return GROKX_E_NOMEM;
        for (k = 0; k < m->used_cap; k++)
            if (m->used[k]) {
                for (i = (size_t)m->used[k] & (cap - 1); nu[i]; i = (i + 1) & (cap - 1))
                    ;
                nu[i] = m->used[k];
            }
        free(m->used);
        m->used = nu;
        m->used_cap = cap;
    }
    for (i = (size_t)h & (m->used_cap - 1); m->used[i]; i = (i + 1) & (m->used_cap - 1))
        if (m->used[i] == h)
            return 1; /* taken */
    m->used[i] = h;
    m->nused++;
    return 0;
}

/* OUT-relative folder and unique file path of c's note. */
static int
S_place(S_md *m, const grokx_conversation *c, char *dir, size_t dcap, char *rel, size_t rcap)
{
    char name[200], iso[32];
    unsigned k;
    if (m->cfg.flags & GROKX_WF_FLAT || m->stream)
        dir[0] = 0;
    else if (c->create_time == GROKX_TIME_NONE)
        snprintf(dir, dcap, "undated/");
    else {
        gx_time_format(c->create_time + (grokx_time)m->cfg.tz_minutes * 60000, iso);
        snprintf(dir, dcap, "%.4s/%.2s/", iso, iso + 5);
    }
    S_file_name(m, c, name, sizeof name);
    snprintf(rel, rcap, "%s%s.md", dir, name);
    for (k = 2;; k++) { /* deterministic: conversations come in file order */
        int rc = S_claim(m, gx_name_fold_hash(rel));
        if (rc <= 0)
            return rc;
        snprintf(rel, rcap, "%s%s %u.md", dir, name, k);
    }
}

static int
S_remember(S_md *m, const char *rel, const grokx_conversation *c)
{
    S_note *n;
    if (gx_grow(&m->notes, &m->notes_cap, m->nnotes + 1, sizeof *n))
        return GROKX_E_NOMEM;
    n = &m->notes[m->nnotes];
    n->relpath = gx_strdup(rel);
    n->title = gx_strdup(c->title.ptr); /* parser strings hold no NUL */
    if (!n->relpath || !n->title) {
        free(n->relpath);
        free(n->title);
        return GROKX_E_NOMEM;
    }
    n->created = c->create_time;
    m->nnotes++;
    return 0;
}

static int
S_write_file(S_md *m, const char *path, const char *text, size_t len)
{
    grokx_file *f = grokx_file_open(path, 0600, 0);
    grokx_sink s;
    if (!f)
        return S_fail(m, "cannot write", path);
    s = grokx_file_sink(f);
    s.write(s.ud, text, len);
    return grokx_file_commit(f) ? S_fail(m, "cannot write", path) : 0;
}

/* Hash of the file at path; 0, or -1 if it cannot be read. */
static int
S_file_hash(const char *path, uint64_t *hash)
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
    gx_buf_free(&b);
    return rc ? -1 : 0;
}

/* Write the note at rel unless the manifest says nothing changed or the
 * user edited it; move it when its path changed. */
static int
S_store_note(S_md *m, const grokx_conversation *c, const char *rel, const char **kept_rel)
{
    char path[4096], old[4096], key[80];
    uint64_t hash = gx_hash64(m->note.ptr, m->note.len), ondisk;
    gx_manifest_entry *e;
    int rc, exists;
    *kept_rel = NULL;
    snprintf(key, sizeof key, "%.*s", (int)GX_MIN(c->id.len, sizeof key - 1), c->id.ptr);
    if (!key[0])
        snprintf(key, sizeof key, "#%zu", c->index); /* no id: its position */
    snprintf(path, sizeof path, "%s/%s", m->out_dir, rel);
    e = gx_manifest_find(m->man, key);
    if (e) {
        snprintf(old, sizeof old, "%s/%s", m->out_dir, e->rel);
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
    if ((rc = S_write_file(m, path, m->note.ptr, m->note.len)) != 0)
        return rc;
    m->wrote = 1;
    if (e && strcmp(e->rel, rel))
        unlink(old); /* moved: never two notes of one conversation */
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
    char dir[64], rel[512], absdir[4096];
    const char *kept = NULL;
    size_t i;
    int rc;
    if ((rc = S_place(m, c, dir, sizeof dir, rel, sizeof rel)) != 0)
        return rc;
    snprintf(absdir, sizeof absdir, "%s/%.*s", m->out_dir ? m->out_dir : ".",
             (int)(dir[0] ? strlen(dir) - 1 : 0), dir);
    if (!m->stream && strcmp(absdir, m->last_dir)) {
        if ((rc = S_mkdirs(m, absdir)) != 0)
            return rc;
        snprintf(m->last_dir, sizeof m->last_dir, "%s", absdir);
    }
    m->note.len = 0;
    m->footnote = 1;
    if (m->stream)
        rc = PUT(&m->note, m->nnotes ? "\n---\n\n" : "");
    else
        rc = S_front_matter(m, c);
    rc |= PUT(&m->note, "# ");
    rc |= S_inline_text(&m->note, c->title.len ? c->title.ptr : "Untitled", c->title.len ? c->title.len : 8);
    rc |= PUT(&m->note, "\n\n");
    if (rc)
        return GROKX_E_NOMEM;
    for (i = 0; i < c->message_count; i++)
        if ((rc = S_message(m, absdir, &c->messages[i])) != 0)
            return rc < 0 ? rc : GROKX_E_NOMEM;
    if (m->stream)
        return S_remember(m, rel, c) ? GROKX_E_NOMEM
                                     : gx_sink_write(m->cfg.sink, m->note.ptr, m->note.len);
    if ((rc = S_store_note(m, c, rel, &kept)) != 0)
        return rc;
    return S_remember(m, kept ? kept : rel, c);
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

static int
S_end(void *self, const grokx_stats *st)
{
    S_md *m = self;
    char month[16] = "", iso[32], path[4096];
    uint64_t old;
    size_t i;
    int rc = 0;
    GX_UNUSED(st);
    if (m->stream || !m->nnotes)
        return 0;
    qsort(m->notes, m->nnotes, sizeof *m->notes, S_cmp_notes);
    m->note.len = 0;
    rc |= gx_buf_printf(&m->note, "---\ntitle: \"Grok conversations\"\ntags: [grok]\n---\n\n# Grok conversations\n\n%zu conversations.\n", m->nnotes);
    for (i = 0; i < m->nnotes; i++) {
        const S_note *n = &m->notes[i];
        if (n->created == GROKX_TIME_NONE)
            strcpy(iso, "undated");
        else
            gx_time_format(n->created + (grokx_time)m->cfg.tz_minutes * 60000, iso);
        if (strncmp(month, iso, 7)) {
            snprintf(month, sizeof month, "%.7s", iso);
            rc |= gx_buf_printf(&m->note, "\n## %s\n\n", month);
        }
        rc |= gx_buf_printf(&m->note, "- %.10s [", n->created == GROKX_TIME_NONE ? "" : iso);
        rc |= S_inline_text(&m->note, n->title[0] ? n->title : "Untitled", strlen(n->title[0] ? n->title : "Untitled"));
        rc |= gx_buf_printf(&m->note, "](<%s>)\n", n->relpath);
    }
    if (rc)
        return GROKX_E_NOMEM;
    snprintf(path, sizeof path, "%s/Index.md", m->out_dir);
    if (S_file_hash(path, &old) != 0 || old != gx_hash64(m->note.ptr, m->note.len)) {
        if ((rc = S_write_file(m, path, m->note.ptr, m->note.len)) != 0)
            return rc;
        m->wrote = 1;
    }
    snprintf(path, sizeof path, "%s/.grokx-manifest", m->out_dir);
    if (m->wrote && gx_manifest_save(m->man, path) != 0)
        return S_fail(m, "cannot write", path);
    if (m->cfg.report) {
        char line[200];
        snprintf(line, sizeof line, "notes: %lu new, %lu updated, %lu unchanged, %lu kept (edited by you)",
                 m->n_new, m->n_updated, m->n_unchanged, m->n_kept);
        m->cfg.report(m->cfg.report_ud, line);
    }
    /* No fsync per note (it cost more than the whole conversion) and no
     * sync() (it flushes every program's files): each note is atomic
     * through its rename, and the manifest alone is fsynced. */
    return 0;
}

static const char *
S_why(void *self)
{
    return ((S_md *)self)->why[0] ? ((S_md *)self)->why : NULL;
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
    free(m->used);
    gx_buf_free(&m->note);
    gx_buf_free(&m->scratch);
    gx_buf_free(&m->cards_text);
    free(m->cards);
    free(m->out_dir);
    free(m->name_template);
    gx_manifest_free(m->man);
    free(m);
}

int
gx_writer_md_new(const grokx_writer_config *cfg, grokx_writer **out)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, S_conversation, NULL,
                                           S_end, S_destroy, S_why};
    S_md *m = calloc(1, sizeof *m);
    if (!m)
        return GROKX_E_NOMEM;
    m->cfg = *cfg;
    m->stream = !cfg->out_dir;
    gx_mem_init(&m->mem, NULL, NULL, 0);
    gx_buf_init(&m->note, &m->mem);
    gx_buf_init(&m->scratch, &m->mem);
    gx_buf_init(&m->cards_text, &m->mem);
    m->name_template = gx_strdup(cfg->name_template ? cfg->name_template : "{date} {title} ({id})");
    if (cfg->out_dir)
        m->out_dir = gx_strdup(cfg->out_dir);
    if (m->out_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/.grokx-manifest", m->out_dir);
        m->man = gx_manifest_load(path);
    }
    if (!m->name_template || (cfg->out_dir && (!m->out_dir || !m->man)) ||
        (cfg->out_dir && S_mkdirs(m, cfg->out_dir) != 0) || !(*out = grokx_writer_new(&vt, m))) {
        int rc = m->why[0] ? GROKX_E_IO : GROKX_E_NOMEM;
        S_destroy(m);
        return rc;
    }
    return 0;
}
