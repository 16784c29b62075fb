/*
 * parse/parse.h -- the parse stage as the stages above it see it.
 * Owns: JSON (json.c is the only file that includes yajl), the schema
 * (JSON events -> model), the parser handle, ordering a conversation.
 * Uses: base/, writer/ (the parser delivers into a writer).
 * parse/schema.h (the schema's state, owned by the parser handle) is
 * private to this folder.
 */
#ifndef GROKX_PARSE_PARSE_H
#define GROKX_PARSE_PARSE_H

#include "writer/writer.h"

/* Bytes of one field copied out of a small JSON text (cards), with NUL. */
#define GX_FIELD_MAX 1024
/* Nesting yajl may reach at all: past max_depth only skipped values go
 * on (counted, no frames), and yajl keeps a byte per level. */
#define GX_DEPTH_HARD (1u << 20)

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
/* Walk one small JSON text held whole in memory (a card, a call's
 * arguments) through ev's handlers, all but repaired set: each returns 0
 * to go on, or a code that stops the walk and is returned. Strings and
 * keys reach them as yajl decodes them, not validated (the caller repairs
 * UTF-8; lone surrogate escapes are not rewritten, unlike gx_json_feed).
 * Opening a container past max_depth levels stops with GROKX_E_LIMIT
 * (its handler is not called); a text that is not one JSON value is
 * GROKX_E_SYNTAX. yajl's buffers are counted in mem (NULL: nowhere). */
int gx_json_walk(const char *text, size_t len, unsigned max_depth, const gx_json_events *ev,
                 void *ctx, gx_mem *mem);
/* The string values (a number: its text) of the given keys at the top level of a small JSON
 * document (a card of card_attachments_json), or one object down for a key
 * "outer.inner" (a key holding a '.' itself cannot be asked for this way): vals[i] is "" when absent,
 * else a copy cut at GX_FIELD_MAX - 1 bytes. The first occurrence wins.
 * Returns 0, or GROKX_E_SYNTAX (what was read before the error stays). */
int gx_json_top_scalars(const char *text, size_t len, const char *const *keys, size_t n,
                        char (*vals)[GX_FIELD_MAX]);

/* ---- assemble.c ------------------------------------------------------ */

/* Order the conversation's messages (in file order in msgs[0..n-1]) as the
 * public header's "Ordering" describes, into a new array from the arena.
 * warn(ctx, code, fmt...) reports cycles and duplicate ids. */
typedef void (*gx_warn_fn)(void *ctx, int code, const char *fmt, ...);
int gx_assemble(gx_arena *a, grokx_message *msgs, size_t n, grokx_str leaf_id,
                int all_branches, gx_warn_fn warn, void *warn_ctx,
                grokx_message **out, size_t *out_n, size_t *fork_count);

/* ---- fallback.c ------------------------------------------------------ */

/* Fill what the export left out of c, after ordering (grokx.h,
 * "Fallbacks"): times from all[0..n) (every message, all branches), the
 * title trimmed, or derived from the first question or the summary; each
 * flagged GROKX_CONV_*_DERIVED. New strings come from a. 0 or
 * GROKX_E_NOMEM. */
int gx_conv_fallbacks(gx_arena *a, grokx_conversation *c, const grokx_message *all, size_t n);

/* ---- parser.c, for the input stage --------------------------------- */

/* A warning about the container, without a position in the JSON. */
void gx_parser_warn_input(grokx_parser *p, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Fail a parse for a reason outside the JSON (the container). */
int gx_parser_fail(grokx_parser *p, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* GROKX_PARSE_PARSE_H */
