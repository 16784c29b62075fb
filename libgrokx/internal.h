/*
 * internal.h -- declarations shared by the library's own files. Never
 * installed. Internal names start with gx_ (functions, types) or GX_.
 */
#ifndef GROKX_INTERNAL_H
#define GROKX_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "grokx.h"

#define GX_UNUSED(x) ((void)(x))
#define GX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define GX_MAX(a, b) ((a) > (b) ? (a) : (b))
/* Bytes of one field copied out of a small JSON text (cards), with NUL. */
#define GX_FIELD_MAX 1024
/* Nesting yajl may reach at all: past max_depth only skipped values go
 * on (counted, no frames), and yajl keeps a byte per level. */
#define GX_DEPTH_HARD (1u << 20)

/* ---- alloc.c: per-handle accounting allocator ------------------------ */

typedef struct gx_mem {
    grokx_alloc_fn fn; /* never NULL after gx_mem_init */
    void *ud;
    size_t used, peak;
    size_t cap; /* 0 = none */
} gx_mem;

void gx_mem_init(gx_mem *m, grokx_alloc_fn fn, void *ud, size_t cap);
void *gx_alloc(gx_mem *m, size_t n);
void *gx_calloc(gx_mem *m, size_t n);
/* On failure the old block stays valid and NULL is returned. */
void *gx_realloc(gx_mem *m, void *p, size_t old, size_t n);
void gx_free(gx_mem *m, void *p, size_t n);
/* Allocation functions for yajl_alloc_funcs (ctx = the gx_mem): they
 * cannot fail (yajl never checks), so they use malloc directly, abort if
 * even that fails, and count the bytes in the gx_mem. */
void *gx_yajl_malloc(void *ctx, size_t n);
void *gx_yajl_realloc(void *ctx, void *p, size_t n);
void gx_yajl_free(void *ctx, void *p);

/* Plain malloc helpers, for state kept outside a parser (inputs, writers):
 * a string copy, and growing an array so it holds at least need elements
 * (arrp is the address of the array pointer; capacity doubles). */
char *gx_strdup(const char *s);
int gx_grow(void *arrp, size_t *cap, size_t need, size_t elem);

/* ---- buf.c: growable byte buffer -------------------------------------- */

typedef struct gx_buf {
    char *ptr;
    size_t len, cap;
    gx_mem *mem;
} gx_buf;

void gx_buf_init(gx_buf *b, gx_mem *mem);
void gx_buf_free(gx_buf *b);
int gx_buf_reserve(gx_buf *b, size_t extra); /* 0 or GROKX_E_NOMEM */
int gx_buf_put(gx_buf *b, const void *p, size_t n);
int gx_buf_putc(gx_buf *b, char c);
int gx_buf_puts(gx_buf *b, const char *s);
int gx_buf_printf(gx_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- arena.c: bump allocator reset between conversations -------------- */

typedef struct gx_arena_chunk gx_arena_chunk;
typedef struct gx_arena {
    gx_mem *mem;
    gx_arena_chunk *head; /* current chunk; older ones follow */
    size_t used;          /* bytes handed out since the last reset */
    size_t held;          /* bytes of all chunks */
} gx_arena;

void gx_arena_init(gx_arena *a, gx_mem *mem);
void *gx_arena_alloc(gx_arena *a, size_t n); /* zeroed, max-aligned; NULL on OOM */
void *gx_arena_alloc_raw(gx_arena *a, size_t n); /* not zeroed, byte-aligned */
/* Keep the first chunk, free the rest. */
void gx_arena_reset(gx_arena *a);
void gx_arena_free(gx_arena *a);
/* A NUL-terminated copy of s, UTF-8 repaired. *repaired is set to 1 when
 * bytes were replaced. Returns 0 or GROKX_E_NOMEM. */
int gx_arena_str(gx_arena *a, const char *s, size_t len, grokx_str *out, int *repaired);

/* A list built by appending, turned into an array when complete. */
typedef struct gx_list_node gx_list_node;
typedef struct gx_list {
    gx_list_node *head, *tail;
    size_t count;
} gx_list;

void *gx_list_push(gx_arena *a, gx_list *l, size_t elem_size);
/* A contiguous copy of the elements (NULL when empty, or on OOM with
 * *err set to GROKX_E_NOMEM). The list is emptied. */
void *gx_list_array(gx_arena *a, gx_list *l, size_t elem_size, int *err);

/* ---- utf8.c ---------------------------------------------------------- */

/* Length of s after repair: each maximal invalid subsequence (Unicode's
 * "substitution of maximal subparts") and each NUL becomes U+FFFD.
 * *bad is set to the number of replacements. */
size_t gx_utf8_repaired_len(const char *s, size_t len, size_t *bad);
/* Copy s into dst (gx_utf8_repaired_len bytes), repairing as above. */
void gx_utf8_repair(char *dst, const char *s, size_t len);
/* 1 if s is valid UTF-8 without NUL (the common case), else 0. */
int gx_utf8_valid(const char *s, size_t len);
/* Bytes of a valid UTF-8 sequence starting at s[0], or 0 if invalid. */
size_t gx_utf8_seq(const unsigned char *s, size_t len);
/* The code point of a valid sequence of n (1..4) bytes, as gx_utf8_seq() measured it. */
uint32_t gx_utf8_decode(const unsigned char *s, size_t n);

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

/* ---- names.c --------------------------------------------------------- */

/* A safe, readable file-name component from UTF-8 text, at most max - 1
 * bytes with its NUL (text is cut at max - 2, on a character boundary; max >= 16), NUL-terminated in out; returns its length. Never
 * empty ("Untitled"), never a reserved or hidden name. */
size_t gx_name_component(const char *text, size_t len, char *out, size_t max);
uint64_t gx_name_fold_hash(const char *s);
/* The title to show (headings, <title>, index entries, front matter):
 * title without C0 and C1 controls, DEL, bidirectional controls
 * (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and line or
 * paragraph separators (a tab, newline, U+2028 or U+2029 becomes a space),
 * so it can neither reorder the text around it nor break a line; the
 * title itself when it holds none (no copy), else the clean copy in
 * scratch. "Untitled" when nothing visible is left (a link or heading
 * nobody can see). 0, or GROKX_E_NOMEM. */
int gx_display_title(grokx_str title, gx_buf *scratch, grokx_str *shown);
/* Whether c is one of the characters gx_display_title removes. */
int gx_title_control(uint32_t c);
/* text[0..len) without those characters (as gx_display_title, without
 * the "Untitled"): text itself when it holds none, else a NUL-terminated
 * copy in scratch. Model names in headings. 0, or GROKX_E_NOMEM. */
int gx_text_clean(const char *text, size_t len, gx_buf *scratch, grokx_str *shown);

/* ---- filer.c: whole files written on a thread of their own ---------- */

/* Record "<path>: <what>: <strerror(errno)>" in why; GROKX_E_IO (or
 * GROKX_E_NOMEM when errno says so). */
int gx_io_fail(char *why, size_t cap, const char *what, const char *path);
/* Write a whole file atomically (temporary + rename, 0600) here and now. */
int gx_write_whole(const char *path, const char *data, size_t len, char *why, size_t cap);
typedef struct gx_filer gx_filer;
gx_filer *gx_filer_new(void); /* NULL: no thread (or no memory): write directly */
/* Queue a copy of the file, or its removal, in order. 0, or the first
 * failure so far (nothing is written after it), its reason in why. */
int gx_filer_put(gx_filer *f, const char *path, const char *data, size_t len, char *why,
                 size_t cap);
int gx_filer_unlink(gx_filer *f, const char *path, char *why, size_t cap);
/* Wait until everything queued is done; 0 or the first failure. */
int gx_filer_flush(gx_filer *f, char *why, size_t cap);
void gx_filer_free(gx_filer *f); /* writes what is queued, then stops */

/* ---- layout.c: files of a many-files writer (md, html) -------------- */

typedef struct gx_layout {
    char *out_dir; /* NULL: the writer streams; nothing is created */
    char *name_template;
    unsigned flags; /* GROKX_WF_* */
    int tz_minutes;
    grokx_input *input; /* for attachments; may be NULL */
    uint64_t *used;     /* folded hashes of the paths placed in this run */
    size_t nused, used_cap;
    uint64_t *next_key; /* a taken name's folded hash -> the number to try next */
    unsigned *next_k;
    size_t nnext, next_cap;
    uint64_t *swept;    /* folders cleared of a killed run's temporaries */
    size_t nswept, swept_cap;
    char last_dir[4096]; /* the folder made last: most files share it */
    char why[GROKX_ERROR_TEXT_MAX];
    int wrote; /* some file was written in this run */
    int names_only; /* no out_dir, but place as if there were one (the index names notes) */
    gx_filer *filer; /* writes the files on its thread; NULL: here */
    /* names an earlier run gave (the md manifest): folded hash of the
     * path and hash of its conversation's key, sorted; never given to
     * another conversation */
    uint64_t (*reserved)[2];
    size_t nreserved;
    int lock_fd; /* OUT/.grokx-lock, held until gx_layout_free; -1: none */
    unsigned long not_ours; /* files left alone: there already, and not ours */
    uint64_t *keys; /* hashes of the note keys given in this run (gx_layout_key) */
    size_t nkeys, keys_cap;
    struct gx_bare_key { uint64_t h; char stamp[24]; } *bare; /* ids whose "<id>" key a
                                                    * conversation took, with its stamp */
    size_t nbare, bare_cap;
    void (*report)(void *ud, const char *text);
    void *report_ud;
} gx_layout;

/* Copy what matters of cfg; create cfg->out_dir (0700) when set. */
int gx_layout_init(gx_layout *l, const grokx_writer_config *cfg);
void gx_layout_free(gx_layout *l);
/* Record "<path>: <what>: <strerror(errno)>" in l->why; GROKX_E_IO (or
 * GROKX_E_NOMEM when errno says so). */
int gx_layout_fail(gx_layout *l, const char *what, const char *path);
int gx_layout_mkdirs(gx_layout *l, const char *path);
/* grokx never overwrites a file it did not write. Whether OUT-relative
 * path may be written: nothing is there, or a regular file carrying mark
 * (our generator line or header) in its first 4 KiB (mark NULL: nothing
 * proves it ours). Otherwise (a symbolic link included) 0, after counting
 * it in l->not_ours and reporting "exists, not ours: PATH". */
int gx_layout_ours(gx_layout *l, const char *path, const char *mark);
/* The same report for a file found not ours by other means (the md
 * manifest): counted and reported. */
void gx_layout_not_ours(gx_layout *l, const char *path);
/* Past the 20 files named: "exists, not ours: N more not shown" (a
 * warning), before a writer's summary line. */
void gx_layout_not_ours_more(gx_layout *l);
/* A report line that begins so says something was left undone (a file not
 * ours left alone): the grokx command counts it as a warning (exit 1). */
#define GX_REPORT_WARNING "warning: "
/* Appended to an archive error of the conversations member found after
 * some of its bytes were parsed (a CRC-32 or size mismatch at its end). */
#define GX_DAMAGED_TAIL                                                                         \
    ": the export is damaged: anything written from it by this run (notes, pages) may hold "  \
    "damaged text; download the export again"
/* The OUT-relative folder of c ("YYYY/MM/", "undated/" or "" when flat,
 * with its slash) and a path in it no other conversation of this run has,
 * also case-insensitively: "<dir><name>.<ext>". */
int gx_layout_place(gx_layout *l, const grokx_conversation *c, const char *ext, char *dir,
                    size_t dcap, char *rel, size_t rcap);
/* The key of c's note in the manifest: its id (at most 79 bytes), or
 * "#<index>" without one, or "#x<XXH64 of the id>" for an id holding a
 * control character (a tab or newline would break the manifest's line). */
#define GX_NOTE_KEY_MAX 80
void gx_note_key(const grokx_conversation *c, char key[GX_NOTE_KEY_MAX]);
/* gx_layout_place() for the note of key owner_key (NULL: c's own,
 * gx_note_key()): a name the manifest keeps for that key stays its own. */
int gx_layout_place_key(gx_layout *l, const grokx_conversation *c, const char *owner_key,
                        const char *ext, char *dir, size_t dcap, char *rel, size_t rcap);
/* The key of c's note in this run: gx_note_key(), or for a conversation
 * of an id that came before in this run "<id>#<stamp>" (reported), the
 * stamp being c's own (its create_time, else its first message's id,
 * else its title; "~k" added only for exact ties), so a newer export
 * listing them otherwise gives each the note it had. A conversation
 * whose "<id>#<stamp>" known (the earlier run's manifest, or NULL) holds
 * takes it, first of its id or not (the one before may be filtered out).
 * When an id comes again, the note of the one that took "<id>" is known
 * from then on by its own "<id>#<stamp>" (known is rekeyed), so a later
 * run finds every conversation of a shared id by what is its own. */
typedef struct gx_manifest gx_manifest;
int gx_layout_key(gx_layout *l, const grokx_conversation *c, gx_manifest *known, char key[GX_NOTE_KEY_MAX]);
/* Keep the paths of a previous run's notes (rel, key) for their own
 * conversations: another is placed at "<name> 2" instead of overwriting
 * a note that is perhaps edited. n pairs; 0 or GROKX_E_NOMEM. */
int gx_layout_reserve(gx_layout *l, const char *const *rels, const char *const *keys, size_t n);
/* The absolute folder of dir (from gx_layout_place), created if needed. */
int gx_layout_enter(gx_layout *l, const char *dir, char *abs, size_t cap);
/* Write a whole file atomically (temporary + rename, 0600), or queue it
 * for the filer; remove one, after what was queued before. */
int gx_layout_write(gx_layout *l, const char *path, const char *text, size_t len);
int gx_layout_remove(gx_layout *l, const char *path);
/* Every file queued so far written: 0, or the first failure (l->why). */
int gx_layout_flush(gx_layout *l);
/* What a copied attachment is, for the page that shows it. */
enum {
    GX_ASSET_FILE = 0,  /* linked: a browser shows it as text or media, or downloads it */
    GX_ASSET_IMAGE = 1, /* a raster image: shown with <img>, linked */
    GX_ASSET_SVG = 2,   /* an SVG kept as text (<id>.svg.txt): html shows it from a data: URL */
    GX_ASSET_NOLINK = 3 /* a PDF: a browser runs its scripts, so never linked from html */
};
/* Copy asset id into absdir/attachments/<id>.<ext>; link gets that
 * relative path, *kind one of GX_ASSET_*. A type a browser would run from
 * file:// (HTML, SVG, XML, anything not known to be inert) is stored as
 * <id>.<ext>.txt (gx_asset_inert_ext). 1 copied (or, streaming, present),
 * 0 not in the export (or not a plain id), or an error. */
int gx_layout_copy_asset(gx_layout *l, const char *absdir, const char *id, char *link,
                         size_t cap, int *kind);
/* Append asset id as base64 to out when it is at most max bytes: 1, 0
 * (missing, too big or corrupt: out unchanged), or GROKX_E_NOMEM. */
int gx_layout_asset_base64(gx_layout *l, const char *id, size_t max, gx_buf *out);
/* Whether a browser opening a file of this extension from file:// runs
 * nothing: shows it as text or media, or downloads it (pdf: no, its
 * scripts run in Chromium's viewer). */
int gx_asset_inert_ext(const char *ext);
/* The asset id of a generated image's URL: its next-to-last segment. */
int gx_generated_asset_id(grokx_str url, char *id, size_t cap);
/* A voice turn: media_types holds "audio" (its transcript may be missing). */
int gx_voice_turn(const grokx_message *m);

/* ---- cards.c: <grok:render> cards and <xaiArtifact> in answers -------- */

enum { GX_CARD_ID, GX_CARD_URL, GX_CARD_TITLE, GX_CARD_IMAGE_CHUNK, GX_CARD_FILE_NAME,
       GX_CARD_IMAGE_UUID, /* image_chunk.imageUuid, when image_chunk is an object */
       GX_CARD_IMAGE_ORIGINAL, GX_CARD_IMAGE_LINK, GX_CARD_IMAGE_TITLE, /* image.* of a searched image */
       GX_CARD_CAPTION, GX_CARD_PROGRESS, GX_CARD_SEQ, /* image_chunk's, as JSON numbers */
       GX_CARD_NFIELDS };
typedef struct gx_cards { /* a message's cards, parsed once */
    gx_buf text;          /* the fields, NUL-terminated */
    size_t (*off)[GX_CARD_NFIELDS];
    size_t n, cap;
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

typedef enum gx_seg_kind {
    GX_SEG_TEXT,     /* text: plain Markdown */
    GX_SEG_CITATION, /* card_id: a render_inline_citation */
    GX_SEG_CARD,     /* type, card_id ("" if none): another render card */
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
/* First occurrence of needle in s[0..len), or NULL. */
const char *gx_find(const char *s, size_t len, const char *needle);

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

/* ---- manifest.c: what an earlier run wrote into a notes folder -------- */

typedef struct gx_manifest_entry {
    char *id, *rel; /* conversation id; note path relative to OUT */
    uint64_t hash;  /* gx_hash64 of the note's bytes as written */
    int seen;       /* met in this run */
} gx_manifest_entry;
typedef struct gx_manifest gx_manifest;

/* hash.c: XXH64 (what manifests of version 2 hold); FNV-1a (version 1) */
uint64_t gx_hash64(const void *p, size_t n);
uint64_t gx_hash64_v1(const void *p, size_t n);
/* An empty manifest when path does not exist or is not ours; NULL: OOM. */
gx_manifest *gx_manifest_load(const char *path);
gx_manifest_entry *gx_manifest_find(gx_manifest *m, const char *id);
/* The entry of id from now on known as to (unless to has one): 0, or
 * GROKX_E_NOMEM. */
int gx_manifest_rekey(gx_manifest *m, const char *id, const char *to);
int gx_manifest_set(gx_manifest *m, const char *id, uint64_t hash, const char *rel);
size_t gx_manifest_count(const gx_manifest *m);
/* 1: its hashes are gx_hash64_v1 ones (the md writer restates them) */
int gx_manifest_version(const gx_manifest *m);
gx_manifest_entry *gx_manifest_at(gx_manifest *m, size_t i);
int gx_manifest_save(const gx_manifest *m, const char *path);
/* The journal (path: OUT/.grokx-manifest.journal): a line appended, with
 * one write(), before a note is rewritten; read back line by line (fn's
 * non-zero return stops it); closed and removed once the manifest says
 * everything. */
int gx_manifest_journal_add(gx_manifest *m, const char *path, const char *id, uint64_t hash,
                            const char *rel);
int gx_manifest_journal_read(const char *path,
                             int (*fn)(void *ud, const char *id, uint64_t hash, const char *rel),
                             void *ud);
void gx_manifest_journal_end(gx_manifest *m, const char *path);
void gx_manifest_free(gx_manifest *m);

/* ---- timestamp.c ----------------------------------------------------- */

/* Parse ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM|)"
 * (a space instead of 'T' is accepted; no zone means UTC). 0 or -1. */
int gx_time_parse_iso(const char *s, size_t len, grokx_time *out);
/* Parse a decimal integer of milliseconds (optionally signed, optionally a
 * number with a fraction, which is truncated). 0 or -1. */
int gx_time_parse_ms(const char *s, size_t len, grokx_time *out);
/* "2025-06-10T11:29:49.867Z" (milliseconds always shown). buf >= 32. */
void gx_time_format(grokx_time t, char *buf);
/* "2025-06-10 11:29" at tz minutes east of UTC, with " UTC" or " +02:00"
 * when with_zone; "undated" for GROKX_TIME_NONE. */
void gx_time_human(grokx_time t, int tz, char *buf, size_t n, int with_zone);
/* Minutes east of UTC for the time t: tz_minutes, or with
 * GROKX_WF_LOCAL_TIME in flags, the local zone's offset on that date. */
int gx_tz_at(unsigned flags, int tz_minutes, grokx_time t);
/* The wall-clock ISO form of t in the writer's zone (gx_time_format's
 * layout, no zone), or "undated" for GROKX_TIME_NONE. */
void gx_time_local(unsigned flags, int tz_minutes, grokx_time t, char iso[32]);
/* Whole seconds (rounded) a message thought for, or -1 when its times
 * are missing or reversed; safe for any two int64 times. */
long long gx_thinking_seconds(const grokx_message *m);
/* "2025-06-10T13:29:49.867+02:00". */
void gx_time_iso_offset(grokx_time t, int tz, char *buf, size_t n);

/* ---- json.c: the only file that includes yajl_parse.h ----------------- */

typedef struct gx_json_events {
    int (*null)(void *ctx);
    int (*boolean)(void *ctx, int v);
    int (*number)(void *ctx, const char *s, size_t len);
    int (*string)(void *ctx, const char *s, size_t len);
    int (*key)(void *ctx, const char *s, size_t len);
    int (*start_map)(void *ctx);
    int (*end_map)(void *ctx);
    int (*start_array)(void *ctx);
    int (*end_array)(void *ctx);
    /* A lone surrogate escape at this position became \uFFFD. */
    void (*repaired)(void *ctx, uint64_t offset, uint64_t line, uint64_t col);
} gx_json_events;

typedef struct gx_json gx_json;

/* Handlers return 0 or a GROKX_E_* code (saved and returned by feed). */
gx_json *gx_json_new(gx_mem *mem, const gx_json_events *ev, void *ctx,
                     unsigned max_depth, size_t max_string, grokx_error *err);
void gx_json_free(gx_json *j);
int gx_json_feed(gx_json *j, const unsigned char *buf, size_t len);
int gx_json_finish(gx_json *j);
uint64_t gx_json_bytes(const gx_json *j);
/* Inside a handler: offset just past the current token, with its line and
 * column. */
void gx_json_pos(gx_json *j, uint64_t *offset, uint64_t *line, uint64_t *col);
/* Format err->text as "byte N (line L, column C): <msg>" at the current
 * position (just past the current token), less back bytes. */
void gx_json_error_at(gx_json *j, grokx_error *err, int code, unsigned back, const char *fmt,
                      ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Depth of open containers right now. */
unsigned gx_json_depth(const gx_json *j);
/* The string values (a number: its text) of the given keys at the top level of a small JSON
 * document (a card of card_attachments_json), or one object down for a key
 * "outer.inner" (a key holding a '.' itself cannot be asked for this way): vals[i] is "" when absent,
 * else a copy cut at GX_FIELD_MAX - 1 bytes. The first occurrence wins.
 * Returns 0, or GROKX_E_SYNTAX (what was read before the error stays). */
int gx_json_top_scalars(const char *text, size_t len, const char *const *keys, size_t n,
                        char (*vals)[GX_FIELD_MAX]);

/* ---- jsonw.c: JSON text output ----------------------------------------- */

typedef struct gx_jw gx_jw;
gx_jw *gx_jw_new(gx_mem *mem, int pretty);
void gx_jw_free(gx_jw *w);
/* Each returns 0, GROKX_E_NOMEM, or GROKX_E_INVALID on misuse (a key
 * outside a map, a value where a key belongs, a mismatched close). */
int gx_jw_begin_map(gx_jw *w);
int gx_jw_end_map(gx_jw *w);
int gx_jw_begin_array(gx_jw *w);
int gx_jw_end_array(gx_jw *w);
int gx_jw_str(gx_jw *w, const char *s, size_t len);
int gx_jw_cstr(gx_jw *w, const char *s);
int gx_jw_gstr(gx_jw *w, grokx_str s);
int gx_jw_int(gx_jw *w, long long v);
int gx_jw_uint(gx_jw *w, unsigned long long v);
int gx_jw_number_text(gx_jw *w, const char *s, size_t len);
int gx_jw_bool(gx_jw *w, int v);
int gx_jw_null(gx_jw *w);
/* A time as an ISO string, or null when GROKX_TIME_NONE. */
int gx_jw_time(gx_jw *w, grokx_time t);
/* Key + value helpers for maps. */
int gx_jw_kstr(gx_jw *w, const char *key, grokx_str v);
int gx_jw_kcstr(gx_jw *w, const char *key, const char *v);
int gx_jw_kuint(gx_jw *w, const char *key, unsigned long long v);
int gx_jw_ktime(gx_jw *w, const char *key, grokx_time t);
/* The text so far; gx_jw_reset starts a new document. */
const char *gx_jw_text(gx_jw *w, size_t *len);
void gx_jw_reset(gx_jw *w);
/* JSON lines: end the complete top-level value with '\n' so another can
 * follow; gx_jw_clear_text drops the text (after it was flushed). */
int gx_jw_next_line(gx_jw *w);
void gx_jw_clear_text(gx_jw *w);

/* ---- assemble.c ------------------------------------------------------ */

/* Order the conversation's messages (in file order in msgs[0..n-1]) as the
 * public header's "Ordering" describes, into a new array from the arena.
 * warn(ctx, code, fmt...) reports cycles and duplicate ids. */
typedef void (*gx_warn_fn)(void *ctx, int code, const char *fmt, ...);
int gx_assemble(gx_arena *a, grokx_message *msgs, size_t n, grokx_str leaf_id,
                int all_branches, gx_warn_fn warn, void *warn_ctx,
                grokx_message **out, size_t *out_n, size_t *fork_count);

/* ---- writer.c -------------------------------------------------------- */

struct grokx_writer {
    grokx_writer_vtable vt;
    void *self;
};

/* Call a writer callback and map its result to a return code. */
int gx_writer_call_status(int rc);

/* The models of c's answers, distinct, in order of use, at most cap of
 * them (GX_MODELS_MAX is plenty) into out; returns how many. */
#define GX_MODELS_MAX 32
size_t gx_models(const grokx_conversation *c, grokx_str *out, size_t cap);

/* Built-in writers. */
int gx_writer_events_new(const grokx_writer_config *cfg, grokx_writer **out);
int gx_writer_md_new(const grokx_writer_config *cfg, grokx_writer **out);
int gx_writer_html_new(const grokx_writer_config *cfg, grokx_writer **out);
int gx_writer_index_new(const grokx_writer_config *cfg, grokx_writer **out);

/* ---- model_copy.c: deep copies that outlive a callback ------------------ */

/* Bytes of one block that holds a copy of c (or it) with every string and
 * array it points to; then the copy into block (malloc-aligned, at least
 * that big). dst points into block and may be used until it is freed. */
size_t gx_conv_copy_size(const grokx_conversation *c);
void gx_conv_copy(void *block, const grokx_conversation *src, grokx_conversation *dst);
size_t gx_item_copy_size(const grokx_item *it);
void gx_item_copy(void *block, const grokx_item *src, grokx_item *dst);

/* ---- sink helpers ---------------------------------------------------- */

int gx_sink_write(grokx_sink s, const char *buf, size_t len);


/* ---- tokenize.c: words of the search index ---------------------------- */

/* Longest term kept, in bytes after normalisation (longer ones are skipped
 * but use their position: base64, hashes). */
#define GX_TERM_MAX 64
/* A split compound's whole form ("getusername" for getUserName,
 * "snake_case" keeps its underscore), emitted right after its first part,
 * with that part's position; phrases match the parts. */
#define GX_TOK_JOINED 0x1u
/* A CJK bigram (or the lone character of a one-character run). */
#define GX_TOK_CJK 0x2u

typedef struct gx_tok {
    const char *term; /* normalised: NFKC, case-folded, marks removed; not NUL-terminated,
                       * valid during the callback only */
    size_t len;       /* 1..GX_TERM_MAX */
    uint32_t pos;     /* word position in the text (saturates at UINT32_MAX) */
    size_t start, end; /* the source bytes it came from, for snippets */
    unsigned flags;   /* GX_TOK_* */
} gx_tok;

/* Called for each token in text order (positions never decrease); a
 * non-zero return stops and is returned. */
typedef int (*gx_tok_fn)(void *ud, const gx_tok *t);
/* Tokenise UTF-8 text (invalid bytes separate words); the rules are in
 * docs/search.md. 0, the callback's non-zero value, or GROKX_E_NOMEM (not
 * today: nothing is allocated). Thread-safe; text may be NULL when len is 0. */
int gx_tokenize(const char *text, size_t len, gx_tok_fn fn, void *ud);
/* outpath.c: what keeps an output from destroying what the user has. */
/* Take the exclusive lock of an output: the file path (created 0600,
 * never through a symbolic link, nothing written in it) flocked
 * LOCK_EX|LOCK_NB. 0 with *fd set; -1 with errno (EWOULDBLOCK: another run
 * holds it). A kill -9 releases it. */
int gx_lock_take(const char *path, int *fd);
void gx_lock_release(int fd); /* -1: none */
#define GX_LOCK_NAME ".grokx-lock"
/* The pid in a temporary's name "<file>.tmp-<pid>-<n>" (sink.c), or 0;
 * *stem (may be NULL) gets the length of "<file>". */
long gx_temp_pid(const char *name, size_t *stem);
/* Whether the process pid is gone (never us): its temporaries may go. */
int gx_temp_dead(long pid);
/* Whether rel is a relative path we could have written: not empty, not
 * absolute, no empty, "." or ".." component, no backslash. Decided on
 * components: "Wait... what?.md" is fine. */
int gx_rel_safe(const char *rel);

#endif /* GROKX_INTERNAL_H */
