/*
 * render/render.h -- the render stage: a message's pieces as safe
 * Markdown or HTML. Owns: Markdown inline pieces and the block guard,
 * steps, cards and artifacts, Imagine turns and media posts, Markdown to
 * HTML, the HTML assets.
 * Uses: base/, parse/ (small JSON texts through json.c).
 */
#ifndef GROKX_RENDER_RENDER_H
#define GROKX_RENDER_RENDER_H

#include "parse/parse.h"

/* ---- md_inline.c, md_guard.c: Markdown that cannot break a note ------- */

/* Each appends to b and returns 0 or GROKX_E_NOMEM. */
/* Plain text on one line, Markdown inert (a title in a heading). */
int gx_md_text(gx_buf *b, const char *s, size_t len);
/* Text as one inline code span, its delimiter longer than any backtick
 * run inside; line ends become spaces. */
int gx_md_code_span(gx_buf *b, const char *s, size_t len);
/* gx_md_text for text that begins a block: no leading space, and no "-",
 * "+", "=" or "1." that would make it a list, a rule or an underline. */
int gx_md_text_lead(gx_buf *b, const char *s, size_t len);
/* A link destination inside <...>; path: a note's path (% and # escaped
 * too, as Obsidian decodes them). */
int gx_md_link_dest(gx_buf *b, const char *s, size_t len, int path);
/* "[text](<url>)" for a web or mail link; any other URL as inert text. */
int gx_md_link(gx_buf *b, const char *text, size_t tlen, const char *url);
/* Longest run of c in s (a fence must be longer). */
size_t gx_md_longest_run(const char *s, size_t len, char c);
/* s as a code block after indent spaces: fenced with backticks or tildes
 * (at most 255), else indented; the caller ends the paragraph first. */
int gx_md_code_block(gx_buf *b, unsigned indent, const char *lang, const char *s, size_t len);
/* Does s start with an entity reference ("&amp;", "&#35;", "&#x23;")? */
int gx_md_entity_at(const char *s, size_t n);
/* A message's Markdown, then whatever closes the code fence or HTML block
 * it left open at the top level (*closed: something was appended), so it
 * cannot swallow what follows. */
int gx_md_guarded(gx_buf *b, const char *s, size_t len, int *closed);
/* A marker to place in a message's Markdown (a citation): before byte at. */
typedef struct gx_md_mark {
    size_t at;     /* in order, at most the text's length */
    char text[24]; /* "[^3]" */
} gx_md_mark;
/* gx_md_guarded, with each mark where the block it falls in stays the
 * same block: inline in a paragraph (at the end of the line before when it
 * starts a line; past a code span; inside a table's cell), else in a
 * paragraph of its own, in the same containers, after the block (a code
 * block, an HTML block, a table, a heading), else after the text.
 * closed NULL: for a reader of no HTML (md4c without it): only a fence
 * left open is closed. */
int gx_md_guarded_marks(gx_buf *b, const char *s, size_t len, const gx_md_mark *marks,
                        size_t nmarks, int *closed);
/* A message's own footnote labels: the ones it defines ("[^x]:" outside
 * code), folded as cmark-gfm matches them (ASCII case, spaces). */
#define GX_MD_LABELS_MAX 1024
typedef struct gx_md_labels {
    gx_buf set; /* folded labels, NUL-terminated */
    gx_buf tmp;
    size_t n;   /* past GX_MD_LABELS_MAX, every label counts as defined */
} gx_md_labels;
/* Does s hold "[^" (a footnote label, perhaps)? */
int gx_md_has_labels(const char *s, size_t len);
void gx_md_labels_init(gx_md_labels *l, gx_mem *mem);
void gx_md_labels_free(gx_md_labels *l);
/* The labels s defines (the set is emptied first). 0 or GROKX_E_NOMEM. */
int gx_md_labels_scan(gx_md_labels *l, const char *s, size_t len);
/* s into out with every footnote reference and definition outside code
 * moved out of grokx's own labels (numbers): a label l holds becomes
 * "[^<prefix><label>]", one it does not is escaped ("\[^x]", shown as
 * the text it was). marks (offsets into s) follow the text. 1: out holds
 * the text; 0: s has no "[^", out unchanged; or GROKX_E_NOMEM. */
int gx_md_labels_rewrite(gx_buf *out, const char *s, size_t len, gx_md_labels *l, const char *prefix,
                         gx_md_mark *marks, size_t nmarks);

/* ---- steps.c: a tool-using answer's steps --------------------------- */

/* msg's steps as Markdown that cannot break what follows it: each step's
 * heading and texts (those already in msg->thinking left out), its tool
 * calls with their arguments and results. Returns how many steps it
 * shows (0: none, b unchanged), or GROKX_E_NOMEM. */
long gx_steps_markdown(gx_buf *b, gx_mem *mem, const grokx_message *msg);
/* s with each <xai:tool_usage_card> element (in a thinking trace) whose
 * arguments fit on one line appended to out as one line of Markdown
 * ("*Tool call:* **web_search** · query: `x`"), the rest as it is.
 * 1 if a call was replaced (out holds the text), 0 if none was (use s as
 * it is), or GROKX_E_NOMEM. */
int gx_steps_inline_calls(gx_buf *out, gx_mem *mem, const char *s, size_t len);

/* ---- cards.c: <grok:render> cards and <xaiArtifact> in answers -------- */

enum { GX_CARD_ID, GX_CARD_URL, GX_CARD_TITLE, GX_CARD_IMAGE_CHUNK, GX_CARD_FILE_NAME,
       GX_CARD_IMAGE_UUID, /* image_chunk.imageUuid, when image_chunk is an object */
       GX_CARD_IMAGE_ORIGINAL, GX_CARD_IMAGE_LINK, GX_CARD_IMAGE_TITLE, /* image.* of a searched image */
       GX_CARD_CAPTION, GX_CARD_PROGRESS, GX_CARD_SEQ, /* image_chunk's, as JSON numbers */
       GX_CARD_TYPE, GX_CARD_CARD_TYPE, /* "type", "cardType": what the card is */
       GX_CARD_NFIELDS };
typedef struct gx_cards { /* a message's cards, parsed once */
    gx_buf text;          /* the fields, NUL-terminated */
    size_t (*off)[GX_CARD_NFIELDS];
    size_t n, cap;
    unsigned char *used;  /* [cap]: a tag of the text referenced card i */
    size_t used_cap;
    gx_buf shown;         /* asset ids a writer showed for this message, NUL-separated */
} gx_cards;
void gx_cards_init(gx_cards *cs, gx_mem *mem);
void gx_cards_free(gx_cards *cs);
void gx_cards_reset(gx_cards *cs); /* no cards, nothing shown: a new message */
int gx_cards_load(gx_cards *cs, const grokx_message *msg);
long gx_cards_find(const gx_cards *cs, const char *id); /* index, or -1 */
const char *gx_cards_field(const gx_cards *cs, long card, int field); /* "" when absent */
/* A generated or edited image card's asset id (image_chunk's imageUuid;
 * image_chunk is an object or a JSON text). */
int gx_card_image_uuid(const gx_cards *cs, long card, char out[GX_FIELD_MAX]);
/* Remember that the message showed asset id (a generated image, from a
 * card or generated_image_urls, copied or noted missing), so it is not
 * shown twice. */
int gx_cards_mark_shown(gx_cards *cs, const char *id);
int gx_cards_shown(const gx_cards *cs, const char *id);
/* The tag type card's "type" or "cardType" says it is, as a tag names it
 * ("render_inline_citation", "render_generated_image", ...), or "" when
 * neither is one grokx shows. */
const char *gx_card_render_type(const gx_cards *cs, long card);

typedef enum gx_seg_kind {
    GX_SEG_TEXT,     /* text: plain Markdown */
    GX_SEG_CITATION, /* card_id: a render_inline_citation */
    GX_SEG_CARD,     /* type, card_id ("" if none): another render card;
                      * text: its inner text (gx_cards_resolve) */
    GX_SEG_ARTIFACT  /* title, lang, text: the artifact's body */
} gx_seg_kind;
typedef struct gx_segment {
    gx_seg_kind kind;
    const char *text;
    size_t len;
    char type[64], card_id[128], title[256], lang[32];
} gx_segment;
typedef struct gx_rich { /* an iterator over an answer's text */
    const char *s;
    size_t len, pos;
    const char *no_render_close, *no_artifact_close; /* searches that failed */
    const char *no_quote[2]; /* no '"' ([0]), no '\'' ([1]) from here on */
} gx_rich;
void gx_rich_init(gx_rich *it, const char *s, size_t len);
/* 1 with the next segment in *seg, 0 at the end. Linear in len overall. */
int gx_rich_next(gx_rich *it, gx_segment *seg);
/* A GX_SEG_CARD or GX_SEG_CITATION segment resolved against the message's
 * cards, its card marked referenced: a tag whose type is absent or unknown
 * takes its card's (a citation becomes GX_SEG_CITATION); a tag with
 * neither a type nor a card becomes its inner text (GX_SEG_TEXT); a card
 * of a kind grokx does not show keeps type "" (writers show nothing, and
 * do not break the text around it). Returns the card's index, or -1. */
long gx_cards_resolve(gx_cards *cs, gx_segment *seg);
/* The cards no tag referenced, in the order of card_attachments_json, as
 * the segments a tag naming them would be (writers show them after the
 * answer): from *at (0 first), the next one's index with its segment in
 * *seg, or -1 at the end. */
long gx_cards_next_unreferenced(gx_cards *cs, size_t *at, gx_segment *seg);
/* First occurrence of needle in s[0..len), or NULL. */
const char *gx_find(const char *s, size_t len, const char *needle);

/* ---- imagine.c: Grok Imagine turns and media posts ------------------- */

/* An image generation turn (query_type "imagine") whose answer has no
 * text: writers show its prompt (query) instead of an empty turn. */
int gx_imagine_turn(const grokx_message *m);
/* Such a turn that lists no image at all (no card, every
 * generated_image_urls entry empty: failed or moderated). */
int gx_imagine_no_image(const grokx_message *m);
#define GX_IMAGINE_NO_IMAGE "No generated image is in the export (it may have failed or been moderated)."
typedef struct gx_post { /* one of media_posts */
    size_t id, prompt, type, link; /* offsets of NUL-terminated strings (gx_post_str) */
    grokx_time time;
    size_t index;  /* its place in media_posts */
    char month[8]; /* "YYYY-MM" in the writer's zone, or "undated" */
} gx_post;
typedef struct gx_posts {
    gx_buf text;
    gx_post *v;
    size_t n, cap;
    unsigned flags; /* the writer's GROKX_WF_* and zone: which month a post is in */
    int tz_minutes;
} gx_posts;
void gx_posts_init(gx_posts *p, gx_mem *mem, unsigned flags, int tz_minutes);
void gx_posts_free(gx_posts *p);
/* Keep it when it is a media post (an object of section "media_posts"):
 * 0, or GROKX_E_NOMEM. */
int gx_posts_add(gx_posts *p, const grokx_item *it);
/* Months newest first (undated last), a month's posts oldest first. */
void gx_posts_sort(gx_posts *p);
/* After sorting: the end of the month that begins at from. */
size_t gx_posts_month_end(const gx_posts *p, size_t from);
const char *gx_post_str(const gx_posts *p, size_t off);
/* Is the post a video: by the copied asset's name (asset, "attachments/
 * <id>.mp4"), else, not copied (asset NULL), by its media_type. */
int gx_post_video(const char *asset, const char *media_type);
/* A link that may be made live: https, one word. */
int gx_post_https(const char *link);

/* ---- sources.c: what an answer searched beyond what it cites --------- */

/* msg's web results (its own, then those of its steps it does not hold,
 * each URL once), its X posts (its steps' too) and web pages as Markdown
 * that cannot break what follows it: "- [title](<url>) · site —
 * description" lines, then "X posts: ..." and "Web pages: ..." lines.
 * Results whose URL is among msg's cited results or the URLs of cards
 * (the citations shown; NULL: none) are counted, not listed. title gets
 * the block's title ("Searched 11 pages (3 cited) · 2 X posts · 1 web
 * page"). Returns how many entries it lists (0: none, b unchanged), or
 * GROKX_E_NOMEM. */
/* What a source line shows after its link, the same in every list: the
 * result's site_name and its description (else its preview) cut to 240
 * bytes on a character boundary ("" when absent or blank); 1 when the
 * note was cut. */
int gx_source_extra(const grokx_search_result *r, grokx_str *site, grokx_str *note);
/* Whether url is one of the cards' (a citation a footnote shows). A cited
 * result that is not is listed under the answer's sources even when it has
 * footnotes: neither the footnotes nor the searched list would show it. */
int gx_url_in_cards(const gx_cards *cards, grokx_str url);
/* The same as Markdown: " · site — description…" (gx_md_text), or nothing. */
int gx_source_extra_md(gx_buf *b, const grokx_search_result *r);
long gx_searched_markdown(gx_buf *b, gx_mem *mem, const grokx_message *msg, const gx_cards *cards,
                          gx_buf *title);

/* ---- mime_lang.c: a fence's language from an artifact's type ------- */

/* The language name for a contentType into out: a MIME type through one
 * map ("text/x-python" -> "python", "application/javascript" ->
 * "javascript", "text/x-c++src" -> "cpp"), else its subtype without
 * "x-" or up to a "+" suffix ("ld+json" -> "json"), a bare name as it is;
 * "" for plain text. Only [a-z0-9+-]: safe in a fence and a class. */
void gx_mime_lang(const char *type, char *out, size_t cap);

/* ---- html_md.c: Markdown to safe HTML (md4c parses, we render) -------- */

/* Where the writer put an inline citation: MARK, its number, END
 * (private-use characters U+E000, U+E001). */
#define GX_HTML_CITE_MARK "\xEE\x80\x80"
#define GX_HTML_CITE_END "\xEE\x80\x81"
/* Text escaped for HTML content and quoted attributes. */
int gx_html_escape(gx_buf *b, const char *s, size_t len);
/* The URL a browser would follow for u (controls trimmed, tabs and
 * newlines removed) into out; 1 when it is safe to make live: http,
 * https, mailto, or a "#fragment"; else 0. */
int gx_html_url_clean(const char *u, size_t n, gx_buf *out);
/* Markdown (GitHub dialect, raw HTML shown as text) as HTML; citation
 * markers link to "#<anchor><n>" and are counted in *ncites. */
int gx_html_markdown(gx_buf *out, const char *md, size_t len, const char *anchor,
                     unsigned *ncites);
/* Text as an escaped <pre class="plain">. */
int gx_html_plain(gx_buf *out, const char *s, size_t len);
/* html_assets.c: written beside index.html. */
extern const char gx_html_style_css[];
extern const char gx_html_index_js[];
extern const char gx_html_style_sha256[]; /* base64, for the CSP */
extern const char gx_html_index_sha256[];

#endif /* GROKX_RENDER_RENDER_H */
