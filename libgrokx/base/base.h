/*
 * base/base.h -- the base stage: what every other stage may use.
 * Owns: allocation (accounting, arenas, buffers, lists), UTF-8, file
 * names and display titles, hashes, times, JSON text output, error
 * records, paths formatted whole, atomic output files, locks, the bounded
 * queue between two threads, and the checks that keep outputs off the
 * user's files. Uses: grokx.h and the C library only.
 * Internal names start with gx_ (functions, types) or GX_.
 */
#ifndef GROKX_BASE_BASE_H
#define GROKX_BASE_BASE_H

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
/* The code point of a valid sequence of n (1..4) bytes, as gx_utf8_seq() measured it. */
uint32_t gx_utf8_decode(const unsigned char *s, size_t n);

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
/* 1 when text holds nothing a person can see (empty, white space,
 * controls, invisible marks): writers show such a message as empty. */
int gx_text_blank(const char *text, size_t len);
/* Whether c is one of the characters gx_display_title removes. */
int gx_title_control(uint32_t c);
/* text[0..len) without those characters (as gx_display_title, without
 * the "Untitled"): text itself when it holds none, else a NUL-terminated
 * copy in scratch. Model names in headings. 0, or GROKX_E_NOMEM. */
int gx_text_clean(const char *text, size_t len, gx_buf *scratch, grokx_str *shown);

/* ---- hash.c: XXH64 (what manifests of version 2 hold); FNV-1a (version 1) */

uint64_t gx_hash64(const void *p, size_t n);
uint64_t gx_hash64_v1(const void *p, size_t n); /* gx_fnv1a64 from GX_FNV64_BASIS_V1 */

/* FNV-1a, the one copy: h is where it starts (a basis below, or the hash of
 * what came before: hashing "ab" is hashing "b" from the hash of "a"). */
uint64_t gx_fnv1a64(uint64_t h, const void *p, size_t n);
uint32_t gx_fnv1a32(uint32_t h, const void *p, size_t n);
/* The 64-bit basis grokx has always used: FNV's 14695981039346656037 short
 * of its last digit. Version-1 manifests hold hashes from it, so it stays;
 * names and message ids start from it too (their values never changed). */
#define GX_FNV64_BASIS_V1 1469598103934665603ull
#define GX_FNV64_PRIME 1099511628211ull
#define GX_FNV32_BASIS 2166136261u /* FNV's own */
#define GX_FNV32_PRIME 16777619u

/* ---- queue.c: the bounded queue between a producer and a consumer thread */

/* Items (the caller's, never NULL) in order, at most max_items of them and
 * max_bytes of what put says each holds (one item always fits). put wakes
 * an idle consumer once wake_items or wake_bytes are queued. The consumer:
 *     while ((it = gx_queue_get(q, &failed)) != NULL) {
 *         rc = failed ? 0 : run(it);   (after a failure the rest is dropped)
 *         gx_queue_done(q, its bytes, rc, why);
 *     }
 * get returns NULL once the queue is closed and empty; an item counts
 * until its done (its memory is still in use). The first failure (rc, why)
 * is kept, and returned with its reason by every producer call after it.
 * One producer and one consumer; the caller starts and joins the thread. */
typedef struct gx_queue gx_queue;
gx_queue *gx_queue_new(size_t max_items, size_t max_bytes, size_t wake_items,
                       size_t wake_bytes);
void gx_queue_free(gx_queue *q); /* after the consumer is joined */
/* Queue item once there is room; 0, or the first failure (not queued). */
int gx_queue_put(gx_queue *q, void *item, size_t bytes, char *why, size_t cap);
/* Wait until fits(ud, oldest, count) says there is room (called under the
 * queue's lock, with the oldest item still counted, NULL when none): for
 * a caller whose room is not a count of bytes (a ring). 0, or the failure. */
typedef int (*gx_queue_fits_fn)(void *ud, const void *oldest, size_t count);
int gx_queue_wait_room(gx_queue *q, gx_queue_fits_fn fits, void *ud, char *why, size_t cap);
/* Wait until every item is done; 0, or the first failure. */
int gx_queue_drain(gx_queue *q, char *why, size_t cap);
/* The first failure so far, or 0, without waiting. */
int gx_queue_error(gx_queue *q, char *why, size_t cap);
/* No more items: the consumer runs what is queued, then get returns NULL. */
void gx_queue_close(gx_queue *q);
void *gx_queue_get(gx_queue *q, int *failed);
void gx_queue_done(gx_queue *q, size_t bytes, int rc, const char *why);

/* ---- timestamp.c ----------------------------------------------------- */

/* Parse ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM|)"
 * (a space instead of 'T' is accepted; no zone means UTC). 0 or -1. */
int gx_time_parse_iso(const char *s, size_t len, grokx_time *out);
/* Parse a decimal integer of milliseconds (optionally signed, optionally a
 * number with a fraction, which is truncated). 0 or -1. */
int gx_time_parse_ms(const char *s, size_t len, grokx_time *out);
/* A time as the export gave it: grokx_time's milliseconds, what it held
 * beyond them, and how many fraction-of-second digits it gave. */
typedef struct gx_time_fine {
    grokx_time ms;
    uint32_t ns;    /* 0-999999: nanoseconds past ms */
    uint8_t digits; /* 0-9 (0: whole seconds; 3 ms; 6 us; 9 ns) */
} gx_time_fine;
/* gx_time_parse_iso keeping the fraction to the nanosecond (digits past
 * the ninth are cut). 0 or -1. */
int gx_time_parse_iso_fine(const char *s, size_t len, gx_time_fine *out);
/* A number of seconds, milliseconds, microseconds or nanoseconds, told
 * apart by the magnitude of its integer part (timestamp.c: S_unit_digits
 * says where the lines are), optionally signed and with a fraction; not
 * an exponent. Within years 0-9999, else -1. */
int gx_time_parse_number(const char *s, size_t len, gx_time_fine *out);
/* ISO 8601, else a number (a numeric string). 0 or -1. */
int gx_time_parse_any(const char *s, size_t len, gx_time_fine *out);
/* {seconds, nanos} (protobuf, Firestore): nanos 0-999999999; digits as
 * given. 0 or -1. */
int gx_time_from_parts(int64_t secs, int64_t nanos, int digits, gx_time_fine *out);
/* gx_time_format with max(3, digits) fraction digits, the ones past the
 * millisecond from ns: "2025-06-10T11:29:49.867123Z". buf >= 32. */
void gx_time_format_fine(grokx_time t, uint32_t ns, int digits, char *buf);
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
/* The same with max(3, digits) fraction digits (gx_time_format_fine). */
void gx_time_iso_offset_fine(grokx_time t, uint32_t ns, int digits, int tz, char *buf, size_t n);

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

/* ---- error.c: the library's error texts and records -------------------- */

/* Fill *err (when not NULL) with code and the formatted text; returns code. */
int gx_err_set(grokx_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- file.c: atomic output files ------------------------------------ */

/* A sink's write: 0, or GROKX_E_IO when it failed (a NULL write: nothing). */
int gx_sink_write(grokx_sink s, const char *buf, size_t len);

/* The first 8 bytes of an index file (docs/index-format.md): file.c
 * replaces only an index that starts so (GROKX_FILE_OURS_INDEX; the
 * registry gives it as the index format's signature). */
#define GX_IX_MAGIC "GROKXIX\0"
/* How an events file begins (formats/events.c writes it; grokx_file_open's
 * GROKX_FILE_OURS_EVENTS replaces only a file that begins so). */
#define GX_EVENTS_SIGNATURE "{\"event\":\"begin_export\""

/* file.c: the temporary a grokx_file is written to until its commit, for
 * a writer that fills the file by name (an SQLite database: sqlite.c)
 * rather than through grokx_file_sink(). */
const char *gx_file_temp(const grokx_file *f);

/* ---- path.c: paths formatted whole or not at all ---------------------- */

/* Format a path into buf (cap bytes), as snprintf: 0, or, when it would
 * not fit whole, GROKX_E_LIMIT with errno ENAMETOOLONG and buf "": a cut
 * path names another file, so it is never produced. */
int gx_path_join(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- outpath.c: what keeps an output from destroying what the user has. */
/* Take the exclusive lock of an output: the file path (created 0600,
 * never through a symbolic link, nothing written in it) flocked
 * LOCK_EX|LOCK_NB, and still the file at path once held (a run that
 * ended may have removed it meanwhile: then again). 0 with *fd set; -1
 * with errno (EWOULDBLOCK: another run holds it). A kill -9 releases it
 * (and leaves the file, which the next run takes). */
int gx_lock_take(const char *path, int *fd);
/* Remove the lock file at path (NULL: keep it) and release the lock; fd
 * -1: none. Removed while held, so no run can take it on the way out, and
 * a run that opened it just before finds it gone and takes the new one:
 * a finished run leaves no lock file behind. */
void gx_lock_release(int fd, const char *path);
/* A folder no lock file can be made in (read-only, immutable): the folder
 * itself flocked, as gx_lock_take does a file; every run there does the
 * same, so they still exclude each other. Release with path NULL. */
int gx_lock_take_folder(const char *dir, int *fd);
#define GX_LOCK_NAME ".grokx-lock"
/* The pid in a temporary's name "<file>.tmp-<pid>-<n>" (file.c), or 0;
 * *stem (may be NULL) gets the length of "<file>". */
long gx_temp_pid(const char *name, size_t *stem);
/* Whether the process pid is gone (never us): its temporaries may go. */
int gx_temp_dead(long pid);
/* Whether rel is a relative path we could have written: not empty, not
 * absolute, no empty, "." or ".." component, no backslash. Decided on
 * components: "Wait... what?.md" is fine. */
int gx_rel_safe(const char *rel);

#endif /* GROKX_BASE_BASE_H */
