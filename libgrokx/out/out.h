/*
 * out/out.h -- the output stage of the many-files writers (md, html, and
 * the index's attachments lookups). Owns: where each conversation goes
 * (layout), the manifest of an earlier run and its journal, the filer
 * thread that writes whole files in order.
 * Uses: base/, writer/, parse/, input/ (attachments), render/ (cards).
 */
#ifndef GROKX_OUT_OUT_H
#define GROKX_OUT_OUT_H

#include "input/input.h"
#include "render/render.h"

typedef struct gx_manifest gx_manifest; /* manifest.c, below */

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
    char *lock_path; /* removed by gx_layout_free */
    int made_out;    /* OUT did not exist: a run that wrote nothing in it removes it */
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
/* dir "/" name into buf (cap bytes), whole (gx_path_join): 0, or
 * GROKX_E_IO with errno ENAMETOOLONG and "<dir>/<name>: path too long"
 * (the ends of both shown) in l->why; never a cut path. */
int gx_layout_join(gx_layout *l, char *buf, size_t cap, const char *dir, const char *name);
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
/* The same for a file of grokx's own that is no conversation's (an
 * Imagine month): in the folder of time t, named title (made a safe
 * component), claimed for the manifest key owner_key (a name it kept in
 * an earlier run stays its own). */
int gx_layout_place_named(gx_layout *l, grokx_time t, const char *title, const char *owner_key,
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
int gx_layout_key(gx_layout *l, const grokx_conversation *c, gx_manifest *known, char key[GX_NOTE_KEY_MAX]);
/* What of c stays c's whatever the export's order (the stamp above):
 * "t<create_time ms>", else "m<XXH64 of its first message's id>", else
 * "h<XXH64 of its title>"; at most 24 bytes. The sqlite format keys a
 * conversation without an id, or of an id that came before, by it. */
void gx_note_stamp(const grokx_conversation *c, char *out, size_t cap);
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
/* Who speaks, as a reader is told: "You", "Grok" or "System". */
const char *gx_role_label(grokx_role r);
/* What a note or page of a conversation without messages says instead
 * (plain words, no markup: md and html print the same sentence). */
const char *gx_no_messages_note(const grokx_conversation *c);


/* ---- manifest.c: what an earlier run wrote into a notes folder -------- */

typedef struct gx_manifest_entry {
    char *id, *rel; /* conversation id; note path relative to OUT */
    uint64_t hash;  /* gx_hash64 of the note's bytes as written */
    int seen;       /* met in this run */
} gx_manifest_entry;
typedef struct gx_manifest gx_manifest;

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


#endif /* GROKX_OUT_OUT_H */
