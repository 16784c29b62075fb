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

/* ---- names.c --------------------------------------------------------- */

/* A safe, readable file-name component from UTF-8 text, at most max - 1
 * bytes with its NUL (text is cut at max - 2, on a character boundary; max >= 16), NUL-terminated in out; returns its length. Never
 * empty ("Untitled"), never a reserved or hidden name. */
size_t gx_name_component(const char *text, size_t len, char *out, size_t max);
uint64_t gx_name_fold_hash(const char *s);

/* ---- manifest.c: what an earlier run wrote into a notes folder -------- */

typedef struct gx_manifest_entry {
    char *id, *rel; /* conversation id; note path relative to OUT */
    uint64_t hash;  /* gx_hash64 of the note's bytes as written */
    int seen;       /* met in this run */
} gx_manifest_entry;
typedef struct gx_manifest gx_manifest;

uint64_t gx_hash64(const void *p, size_t n);
/* An empty manifest when path does not exist or is not ours; NULL: OOM. */
gx_manifest *gx_manifest_load(const char *path);
gx_manifest_entry *gx_manifest_find(gx_manifest *m, const char *id);
int gx_manifest_set(gx_manifest *m, const char *id, uint64_t hash, const char *rel);
size_t gx_manifest_count(const gx_manifest *m);
gx_manifest_entry *gx_manifest_at(gx_manifest *m, size_t i);
int gx_manifest_save(const gx_manifest *m, const char *path);
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
/* The string values of the given keys at the top level of a small JSON
 * document (a card of card_attachments_json): vals[i] is "" when absent,
 * else a copy cut at GX_FIELD_MAX - 1 bytes. The first occurrence wins.
 * Returns 0, or GROKX_E_SYNTAX (what was read before the error stays). */
#define GX_FIELD_MAX 1024
int gx_json_top_strings(const char *text, size_t len, const char *const *keys, size_t n,
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

/* Built-in writers. */
int gx_writer_events_new(const grokx_writer_config *cfg, grokx_writer **out);
int gx_writer_md_new(const grokx_writer_config *cfg, grokx_writer **out);

/* ---- sink helpers ---------------------------------------------------- */

int gx_sink_write(grokx_sink s, const char *buf, size_t len);

#endif /* GROKX_INTERNAL_H */
