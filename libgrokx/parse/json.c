/*
 * json.c -- the only file that parses with yajl.
 *
 * Why the input is re-sliced here instead of handed to yajl as it comes:
 *  - yajl re-scans an unfinished token from its start on every call, so
 *    small reads make long strings quadratic. Slices are >= 1 MiB, and
 *    once a token has stayed open for 16 of them each slice doubles the
 *    next one, which makes a long string cost O(n) (a shorter one costs at
 *    most 136 MiB of re-scanning, and its slices stay small).
 *  - yajl's error offsets move with the read size. Slices depend only on
 *    the stream's content, so positions (and warnings) are the same however
 *    the caller splits its input: 1 byte at a time or all at once.
 * Also handled here: the UTF-8 BOM yajl rejects, token caps and a hard
 * depth cap (GX_DEPTH_HARD; max_depth itself is the schema's) yajl lacks, yajl's "non-zero means continue" convention, 64-bit offset, line
 * and column, and surrogate escapes yajl decodes wrongly (a lone \uD800
 * becomes '?', \uD800\u0041 becomes U+10041): each lone surrogate escape
 * is rewritten in place to \uFFFD, the same length, so offsets stay true.
 */
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parse/parse.h"

/* Fuzz builds set a tiny slice (-DGX_SLICE_SIZE=64) so inputs of a few
 * KiB cross many slice boundaries, as multi-MiB exports do. */
#ifndef GX_SLICE_SIZE
#define GX_SLICE_SIZE (1u << 20)
#endif
#define S_SLICE ((size_t)GX_SLICE_SIZE)
#define S_GROW_AFTER (16 * S_SLICE)

struct gx_json {
    gx_mem *mem;
    yajl_handle h;
    yajl_alloc_funcs af;
    const gx_json_events *ev;
    void *ctx;
    grokx_error *err;
    int status; /* sticky: first error */
    unsigned depth, max_depth;
    size_t max_string;
    gx_buf stage;      /* bytes waiting for a full slice */
    size_t slice_size; /* target size of the next slice */
    uint64_t fed;      /* bytes received */
    /* the slice yajl is parsing now */
    const unsigned char *slice;
    size_t slice_len;
    uint64_t slice_start; /* its stream offset */
    uint64_t line0, col0; /* line, column at its first byte */
    /* position cache inside the slice, for cheap repeated gx_json_pos */
    size_t pos_off;
    uint64_t pos_line, pos_col;
    uint64_t last_token_end; /* stream offset after the last callback */
    int token_seen;          /* a callback fired in this slice */
    size_t bs_carry;         /* backslashes just before the stage's first byte */
};

/* ---- position -------------------------------------------------------- */

/* Advance (line, col) over bytes s[0..n). */
static void
S_count_lines(const unsigned char *s, size_t n, uint64_t *line, uint64_t *col)
{
    const unsigned char *end = s + n, *nl;
    while ((nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        ++*line;
        *col = 1;
        s = nl + 1;
    }
    *col += (uint64_t)(end - s);
}

static void
S_pos_at(gx_json *j, size_t off, uint64_t *line, uint64_t *col)
{
    if (off < j->pos_off) {
        j->pos_off = 0;
        j->pos_line = j->line0;
        j->pos_col = j->col0;
    }
    if (off > j->slice_len)
        off = j->slice_len;
    S_count_lines(j->slice + j->pos_off, off - j->pos_off, &j->pos_line, &j->pos_col);
    j->pos_off = off;
    *line = j->pos_line;
    *col = j->pos_col;
}

static size_t
S_consumed(gx_json *j)
{
    size_t n = yajl_get_bytes_consumed(j->h);
    return n > j->slice_len ? j->slice_len : n;
}

void
gx_json_pos(gx_json *j, uint64_t *offset, uint64_t *line, uint64_t *col)
{
    size_t off = j->slice ? S_consumed(j) : 0;
    *offset = j->slice_start + off;
    if (j->slice)
        S_pos_at(j, off, line, col);
    else {
        *line = j->line0;
        *col = j->col0;
    }
}

static void
S_error_v(gx_json *j, grokx_error *e, int code, uint64_t off, uint64_t line, uint64_t col,
          const char *fmt, va_list ap)
{
    int n;
    e->code = code;
    e->offset = off;
    e->line = line;
    e->column = col;
    if (line)
        n = snprintf(e->text, sizeof e->text, "byte %llu (line %llu, column %llu): ",
                     (unsigned long long)off, (unsigned long long)line, (unsigned long long)col);
    else
        n = snprintf(e->text, sizeof e->text, "byte %llu: ", (unsigned long long)off);
    if (n > 0 && (size_t)n < sizeof e->text)
        vsnprintf(e->text + n, sizeof e->text - (size_t)n, fmt, ap);
    GX_UNUSED(j);
}

void
gx_json_error_at(gx_json *j, grokx_error *e, int code, unsigned back, const char *fmt, ...)
{
    uint64_t off, line, col;
    va_list ap;
    gx_json_pos(j, &off, &line, &col);
    if (back && off >= back && col > back) { /* tokens never span lines */
        off -= back;
        col -= back;
    }
    va_start(ap, fmt);
    S_error_v(j, e, code, off, line, col, fmt, ap);
    va_end(ap);
}

static int
S_fail(gx_json *j, int code, uint64_t off, uint64_t line, uint64_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    S_error_v(j, j->err, code, off, line, col, fmt, ap);
    va_end(ap);
    j->status = code;
    return code;
}

unsigned
gx_json_depth(const gx_json *j)
{
    return j->depth;
}

uint64_t
gx_json_bytes(const gx_json *j)
{
    return j->fed;
}

/* ---- yajl callbacks: 0 from a handler means continue ----------------- */

static int
S_ret(gx_json *j, int rc)
{
    j->token_seen = 1;
    j->last_token_end = j->slice_start + S_consumed(j);
    if (rc) {
        if (!j->status)
            j->status = rc;
        return 0; /* yajl: zero cancels */
    }
    return 1;
}

static int
S_null(void *c)
{
    gx_json *j = c;
    return S_ret(j, j->ev->null(j->ctx));
}

static int
S_bool(void *c, int v)
{
    gx_json *j = c;
    return S_ret(j, j->ev->boolean(j->ctx, v));
}

static int
S_too_long(gx_json *j, const char *what, size_t len)
{
    gx_json_error_at(j, j->err, GROKX_E_LIMIT, 0, "%s of %zu bytes is longer than max_string (%zu)",
                     what, len, j->max_string);
    return S_ret(j, GROKX_E_LIMIT);
}

static int
S_number(void *c, const char *s, size_t len)
{
    gx_json *j = c;
    if (len > j->max_string)
        return S_too_long(j, "number", len);
    return S_ret(j, j->ev->number(j->ctx, s, len));
}

static int
S_string(void *c, const unsigned char *s, size_t len)
{
    gx_json *j = c;
    if (len > j->max_string)
        return S_too_long(j, "string", len);
    return S_ret(j, j->ev->string(j->ctx, (const char *)s, len));
}

static int
S_key(void *c, const unsigned char *s, size_t len)
{
    gx_json *j = c;
    if (len > j->max_string)
        return S_too_long(j, "key", len);
    return S_ret(j, j->ev->key(j->ctx, (const char *)s, len));
}

static int
S_open(gx_json *j, int (*fn)(void *))
{
    if (++j->depth > j->max_depth) {
        gx_json_error_at(j, j->err, GROKX_E_LIMIT, 1,
                         "nesting deeper than %u levels, even in a value skipped past max_depth",
                         j->max_depth);
        return S_ret(j, GROKX_E_LIMIT);
    }
    return S_ret(j, fn(j->ctx));
}

static int
S_start_map(void *c)
{
    gx_json *j = c;
    return S_open(j, j->ev->start_map);
}

static int
S_end_map(void *c)
{
    gx_json *j = c;
    j->depth--;
    return S_ret(j, j->ev->end_map(j->ctx));
}

static int
S_start_array(void *c)
{
    gx_json *j = c;
    return S_open(j, j->ev->start_array);
}

static int
S_end_array(void *c)
{
    gx_json *j = c;
    j->depth--;
    return S_ret(j, j->ev->end_array(j->ctx));
}

static const yajl_callbacks S_callbacks = {
    S_null, S_bool, NULL, NULL, S_number, S_string,
    S_start_map, S_key, S_end_map, S_start_array, S_end_array,
};

/* ---- lifecycle ------------------------------------------------------- */

gx_json *
gx_json_new(gx_mem *mem, const gx_json_events *ev, void *ctx, unsigned max_depth,
            size_t max_string, grokx_error *err)
{
    gx_json *j = gx_calloc(mem, sizeof *j);
    if (!j)
        return NULL;
    j->mem = mem;
    j->ev = ev;
    j->ctx = ctx;
    j->err = err;
    j->max_depth = max_depth;
    j->max_string = max_string;
    j->slice_size = S_SLICE;
    j->line0 = j->col0 = 1;
    gx_buf_init(&j->stage, mem);
    j->af.malloc = gx_yajl_malloc;
    j->af.realloc = gx_yajl_realloc;
    j->af.free = gx_yajl_free;
    j->af.ctx = mem;
    j->h = yajl_alloc(&S_callbacks, &j->af, j);
    /* We validate and repair UTF-8 ourselves (utf8.c), so a bad byte in one
     * message does not fail the whole export. */
    yajl_config(j->h, yajl_dont_validate_strings, 1);
    return j;
}

void
gx_json_free(gx_json *j)
{
    if (!j)
        return;
    yajl_free(j->h);
    gx_buf_free(&j->stage);
    gx_free(j->mem, j, sizeof *j);
}

/* ---- parsing --------------------------------------------------------- */

static int
S_syntax_error(gx_json *j)
{
    unsigned char *msg = yajl_get_error(j->h, 0, NULL, 0);
    size_t off = S_consumed(j), n;
    uint64_t line, col;
    char text[128];
    snprintf(text, sizeof text, "%s", msg ? (const char *)msg : "syntax error");
    yajl_free_error(j->h, msg);
    n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '.' || text[n - 1] == ' '))
        text[--n] = 0;
    /* yajl reports the offset after the offending byte */
    if (off > 0)
        off--;
    S_pos_at(j, off, &line, &col);
    return S_fail(j, GROKX_E_SYNTAX, j->slice_start + off, line, col, "%s", text);
}

/* How many bytes at the end of s[0..n) can only lie between tokens when
 * no token is open: JSON whitespace, ',' and ':'. Usually none or a few
 * (a slice mostly ends inside a string), so this costs nothing. */
static size_t
S_gap_tail(const unsigned char *s, size_t n)
{
    size_t i = n;
    while (i && (s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\r' || s[i - 1] == '\t' ||
                 s[i - 1] == ',' || s[i - 1] == ':'))
        i--;
    return n - i;
}

static int
S_parse_slice(gx_json *j, const unsigned char *s, size_t len)
{
    yajl_status st;
    size_t skip = 0;
    if (j->slice_start == 0 && j->fed >= 3 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        skip = 3; /* RFC 8259 8.1: a parser may ignore a BOM; yajl rejects it */
    j->slice = s + skip;
    j->slice_len = len - skip;
    j->slice_start += skip;
    j->col0 += skip;
    j->pos_off = 0;
    j->pos_line = j->line0;
    j->pos_col = j->col0;
    j->token_seen = 0;
    st = yajl_parse(j->h, j->slice, j->slice_len);
    if (st != yajl_status_ok)
        return j->status ? j->status : S_syntax_error(j);
    S_count_lines(j->slice, j->slice_len, &j->line0, &j->col0);
    /* Nothing is open when the slice ends in whitespace (or the ',' and
     * ':' between tokens) reaching back to the last token's end: that gap
     * is no token, and must neither grow the slices nor meet max_string. */
    if (j->slice_start + j->slice_len - S_gap_tail(j->slice, j->slice_len) <= j->last_token_end)
        j->last_token_end = j->slice_start + j->slice_len;
    j->slice_start += j->slice_len;
    j->slice = NULL;
    if (j->slice_start - j->last_token_end > j->max_string + S_SLICE)
        return S_fail(j, GROKX_E_LIMIT, j->last_token_end, 0, 0,
                      "no JSON token ends within max_string (%zu bytes) from here", j->max_string);
    /* A token still open: past S_GROW_AFTER a bigger next slice keeps
     * yajl's re-scan linear. Below, re-scanning up to 16 slices costs less
     * than the memory: a doubled slice held a giant answer once more. */
    if (j->token_seen || j->slice_start - j->last_token_end < S_GROW_AFTER)
        j->slice_size = S_SLICE;
    else
        j->slice_size = GX_MIN(j->slice_size * 2, j->max_string + S_SLICE);
    return 0;
}

/* ---- surrogate escapes ----------------------------------------------- */

static int
S_hex4(const unsigned char *s, unsigned *v)
{
    int i;
    *v = 0;
    for (i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

static void
S_escape_repaired(gx_json *j, const unsigned char *s, size_t at)
{
    uint64_t line = j->line0, col = j->col0;
    S_count_lines(s, at, &line, &col);
    if (j->ev->repaired)
        j->ev->repaired(j->ctx, j->slice_start + at, line, col);
}

/* The first backslash in s[i..len), or len. Escapes can be dense (\n,
 * \"), where a memchr call per backslash costs more than this loop. */
static size_t
S_next_backslash(const unsigned char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i bs = _mm_set1_epi8('\\');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, bs));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
        i += 16;
    }
#endif
    while (i < len && s[i] != '\\')
        i++;
    return i;
}

/* Backslashes right before s[k]; a run reaching s[0] continues the one
 * that ended the previous stage (carry). */
static size_t
S_run_before(const unsigned char *s, size_t k, size_t carry)
{
    size_t n = 0;
    while (k > n && s[k - n - 1] == '\\')
        n++;
    return n == k ? n + carry : n;
}

/* Does s[k..k+4) read \u + d/D + one of 89abAB..fF: a surrogate escape? */
static int
S_surrogate_at(const unsigned char *s, size_t k)
{
    unsigned c = s[k + 3] | 0x20u;
    return s[k] == '\\' && s[k + 1] == 'u' && (s[k + 2] | 0x20u) == 'd' &&
           (c == '8' || c == '9' || (c >= 'a' && c <= 'f'));
}

/* Check the candidate at k; returns where scanning resumes, or (size_t)-1
 * when a valid pair crosses *hold and everything from k must wait. */
static size_t
S_surrogate_check(gx_json *j, unsigned char *s, size_t k, size_t len, size_t hold)
{
    unsigned hi, lo;
    if (S_run_before(s, k, j->bs_carry) % 2 || S_hex4(s + k + 2, &hi))
        return k + 1; /* an escaped backslash, or a malformed escape for yajl */
    if (hi <= 0xDBFF && k + 12 <= len && s[k + 6] == '\\' && s[k + 7] == 'u' &&
        !S_hex4(s + k + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
        return k + 12 > hold ? (size_t)-1 : k + 12; /* a proper pair */
    memcpy(s + k + 2, "FFFD", 4);
    S_escape_repaired(j, s, k);
    return k + 6;
}

/* Rewrite lone surrogate escapes in s[0..len) to \uFFFD; returns how many
 * bytes can be parsed now. An escape in the last 12 bytes may be cut, so
 * unless final the tail from its backslash waits for more input. Only
 * \uD800-\uDFFF candidates are examined (found 16 bytes at a time), and a
 * candidate is a real escape when an even number of backslashes precede
 * it; inside JSON strings that is exact, and elsewhere backslashes are
 * syntax errors that yajl reports. */
static size_t
S_fix_surrogates(gx_json *j, unsigned char *s, size_t len, int final)
{
    size_t hold = len, i = 0, k, next = 0;
    if (!final)
        hold = S_next_backslash(s, len > 12 ? len - 12 : 0, len);
#if defined(__SSE2__)
    {
        const __m128i bs = _mm_set1_epi8('\\'), u = _mm_set1_epi8('u'), d = _mm_set1_epi8('d');
        const __m128i low = _mm_set1_epi8(0x20), n8 = _mm_set1_epi8('8'), n9 = _mm_set1_epi8('9');
        const __m128i a1 = _mm_set1_epi8('a' - 1), g = _mm_set1_epi8('g');
        for (; i + 19 <= len && i < hold; i += 16) {
            const unsigned char *q = s + i;
            __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)q), v1;
            if (!_mm_movemask_epi8(_mm_cmpeq_epi8(v0, bs)))
                continue; /* most blocks: no backslash at all */
            v1 = _mm_loadu_si128((const __m128i *)(const void *)(q + 1));
            __m128i v2 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(q + 2)), low);
            __m128i v3 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(q + 3)), low);
            __m128i hex = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v3, n8), _mm_cmpeq_epi8(v3, n9)),
                                       _mm_and_si128(_mm_cmpgt_epi8(v3, a1), _mm_cmplt_epi8(v3, g)));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
                _mm_and_si128(_mm_cmpeq_epi8(v0, bs), _mm_cmpeq_epi8(v1, u)),
                _mm_and_si128(_mm_cmpeq_epi8(v2, d), hex)));
            while (m) {
                k = i + (size_t)__builtin_ctz(m);
                m &= m - 1;
                if (k < next || k >= hold)
                    continue;
                if ((next = S_surrogate_check(j, s, k, len, hold)) == (size_t)-1)
                    return k;
            }
        }
    }
#endif
    for (k = GX_MAX(i, next); k < hold && k + 4 <= len; k++)
        if (S_surrogate_at(s, k) && (next = S_surrogate_check(j, s, k, len, hold)) != k + 1) {
            if (next == (size_t)-1)
                return k;
            k = next - 1;
        }
    return hold;
}

/* Parse the stage when full (or at the end), keeping a cut escape. */
static int
S_drain_stage(gx_json *j, int final)
{
    unsigned char *s = (unsigned char *)j->stage.ptr;
    size_t n, rest;
    int rc;
    n = S_fix_surrogates(j, s, j->stage.len, final);
    j->bs_carry = S_run_before(s, n, j->bs_carry); /* before the next stage */
    if (n == 0 && !final)
        return 0;
    rc = S_parse_slice(j, s, n);
    rest = j->stage.len - n;
    memmove(s, s + n, rest);
    j->stage.len = rest;
    return rc;
}

int
gx_json_feed(gx_json *j, const unsigned char *buf, size_t len)
{
    int rc;
    if (j->status)
        return j->status;
    j->fed += len;
    while (len) {
        size_t take = GX_MIN(len, j->slice_size > j->stage.len ? j->slice_size - j->stage.len : 1);
        if (gx_buf_put(&j->stage, buf, take))
            return j->status = GROKX_E_NOMEM;
        buf += take;
        len -= take;
        if (j->stage.len >= j->slice_size && (rc = S_drain_stage(j, 0)) != 0)
            return rc;
    }
    return 0;
}

int
gx_json_finish(gx_json *j)
{
    int rc;
    if (j->status)
        return j->status;
    if (j->stage.len && (rc = S_drain_stage(j, 1)) != 0)
        return rc;
    if (j->fed == 0)
        return S_fail(j, GROKX_E_TRUNCATED, 0, 1, 1, "the input is empty");
    if (yajl_complete_parse(j->h) != yajl_status_ok) {
        if (j->status)
            return j->status;
        return S_fail(j, GROKX_E_TRUNCATED, j->slice_start, j->line0, j->col0,
                      "unexpected end of input (%u object%s or array%s still open)", j->depth,
                      j->depth == 1 ? "" : "s", j->depth == 1 ? "" : "s");
    }
    return 0;
}

/* ---- small documents: one JSON text in memory, walked ------------------ */

typedef struct S_walk {
    const gx_json_events *ev;
    void *ctx;
    unsigned depth, max_depth;
    int rc; /* the first handler's code, or GROKX_E_LIMIT */
} S_walk;

/* A handler's 0 goes on; anything else is kept and cancels yajl. */
static int
S_w_ret(S_walk *w, int rc)
{
    if (rc)
        w->rc = rc;
    return !rc;
}

static int S_w_null(void *c) { S_walk *w = c; return S_w_ret(w, w->ev->null(w->ctx)); }
static int S_w_bool(void *c, int v) { S_walk *w = c; return S_w_ret(w, w->ev->boolean(w->ctx, v)); }
static int S_w_number(void *c, const char *s, size_t l) { S_walk *w = c; return S_w_ret(w, w->ev->number(w->ctx, s, l)); }
static int S_w_string(void *c, const unsigned char *s, size_t l) { S_walk *w = c; return S_w_ret(w, w->ev->string(w->ctx, (const char *)s, l)); }
static int S_w_key(void *c, const unsigned char *s, size_t l) { S_walk *w = c; return S_w_ret(w, w->ev->key(w->ctx, (const char *)s, l)); }
static int S_w_end_map(void *c) { S_walk *w = c; w->depth--; return S_w_ret(w, w->ev->end_map(w->ctx)); }
static int S_w_end_array(void *c) { S_walk *w = c; w->depth--; return S_w_ret(w, w->ev->end_array(w->ctx)); }

static int
S_w_open(S_walk *w, int (*fn)(void *))
{
    if (++w->depth > w->max_depth)
        return S_w_ret(w, GROKX_E_LIMIT); /* the handler never sees it */
    return S_w_ret(w, fn(w->ctx));
}

static int S_w_start_map(void *c) { S_walk *w = c; return S_w_open(w, w->ev->start_map); }
static int S_w_start_array(void *c) { S_walk *w = c; return S_w_open(w, w->ev->start_array); }

static const yajl_callbacks S_walk_callbacks = {
    S_w_null, S_w_bool, NULL, NULL, S_w_number, S_w_string,
    S_w_start_map, S_w_key, S_w_end_map, S_w_start_array, S_w_end_array,
};

int
gx_json_walk(const char *text, size_t len, unsigned max_depth, const gx_json_events *ev,
             void *ctx, gx_mem *mem)
{
    S_walk w;
    gx_mem own;
    yajl_alloc_funcs af;
    yajl_handle h;
    int ok;
    w.ev = ev;
    w.ctx = ctx;
    w.depth = 0;
    w.max_depth = max_depth;
    w.rc = 0;
    if (!mem) {
        gx_mem_init(&own, NULL, NULL, 0);
        mem = &own;
    }
    af.malloc = gx_yajl_malloc;
    af.realloc = gx_yajl_realloc;
    af.free = gx_yajl_free;
    af.ctx = mem;
    if (!(h = yajl_alloc(&S_walk_callbacks, &af, &w)))
        return GROKX_E_NOMEM;
    /* the caller validates and repairs UTF-8 itself (utf8.c) */
    yajl_config(h, yajl_dont_validate_strings, 1);
    ok = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok &&
         yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return w.rc ? w.rc : ok ? 0 : GROKX_E_SYNTAX;
}

/* ---- a card's top-level strings and numbers, through the walk ---------- */

/* Nesting the fields' walk reads: a card is a few levels deep. */
#define S_FIELDS_DEPTH 63

typedef struct S_fields {
    const char *const *keys;
    size_t n;
    char (*vals)[GX_FIELD_MAX];
    int depth, pending; /* pending: index of the key just read, or -1 */
    char outer[64];     /* the last key read at depth 1, for "outer.inner" keys */
    size_t outer_len;
} S_fields;

static int S_f_null(void *c) { ((S_fields *)c)->pending = -1; return 0; }
static int S_f_bool(void *c, int v) { (void)v; return S_f_null(c); }

static int
S_f_str(void *c, const char *s, size_t len)
{
    S_fields *f = c;
    if ((f->depth == 1 || f->depth == 2) && f->pending >= 0) {
        size_t n = GX_MIN(len, (size_t)GX_FIELD_MAX - 1);
        while (n && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* cut on a character boundary */
        memcpy(f->vals[f->pending], s, n);
        f->vals[f->pending][n] = 0;
    }
    f->pending = -1;
    return 0;
}

static int
S_f_key(void *c, const char *s, size_t len)
{
    S_fields *f = c;
    size_t i;
    f->pending = -1;
    if (f->depth == 1) {
        f->outer_len = GX_MIN(len, sizeof f->outer);
        memcpy(f->outer, s, f->outer_len);
        for (i = 0; i < f->n; i++)
            if (strlen(f->keys[i]) == len && !memcmp(f->keys[i], s, len) && !f->vals[i][0])
                f->pending = (int)i;
    } else if (f->depth == 2) { /* "outer.inner" names a string one object down */
        for (i = 0; i < f->n; i++) {
            const char *k = f->keys[i];
            size_t kl = strlen(k);
            if (kl == f->outer_len + 1 + len && !memcmp(k, f->outer, f->outer_len) &&
                k[f->outer_len] == '.' && !memcmp(k + f->outer_len + 1, s, len) && !f->vals[i][0])
                f->pending = (int)i;
        }
    }
    return 0;
}

static int S_f_open(void *c) { ((S_fields *)c)->depth++; ((S_fields *)c)->pending = -1; return 0; }
static int S_f_open_array(void *c) { ((S_fields *)c)->outer_len = 0; return S_f_open(c); }
static int S_f_close(void *c) { ((S_fields *)c)->depth--; return 0; }

static const gx_json_events S_field_events = {
    S_f_null, S_f_bool, S_f_str, S_f_str, S_f_key, S_f_open, S_f_close, S_f_open_array, S_f_close, NULL,
};

int
gx_json_top_scalars(const char *text, size_t len, const char *const *keys, size_t n,
                    char (*vals)[GX_FIELD_MAX])
{
    S_fields f;
    size_t i;
    for (i = 0; i < n; i++)
        vals[i][0] = 0;
    f.keys = keys;
    f.n = n;
    f.vals = vals;
    f.depth = 0;
    f.pending = -1;
    f.outer_len = 0;
    return gx_json_walk(text, len, S_FIELDS_DEPTH, &S_field_events, &f, NULL) ? GROKX_E_SYNTAX : 0;
}
