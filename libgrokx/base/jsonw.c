/*
 * jsonw.c -- JSON text output: the events writer, the summary's --json
 * form, and the compact JSON of captured items.
 *
 * Our own writer rather than yajl_gen: yajl_gen escapes strings one byte
 * at a time (it was over half of `convert -f events`), caps nesting at 128
 * levels, and never checks its allocations. Here safe runs of a string are
 * found 16 bytes at a time and copied whole, and every allocation goes
 * through the handle's accounting allocator.
 *
 * Strings given here must already be valid UTF-8 (the parser repairs
 * them); only '"', '\\' and control characters are escaped.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/base.h"

struct gx_jw {
    gx_mem *mem;
    gx_buf out;
    int pretty;
    unsigned char *stack; /* per open container: 1 map, 0 array */
    size_t depth, cap;
    int need_comma; /* a value was written at this level */
    int after_key;  /* a key was written; its value comes next */
    int failed;     /* out of memory: stays failed until reset */
};

gx_jw *
gx_jw_new(gx_mem *mem, int pretty)
{
    gx_jw *w = gx_calloc(mem, sizeof *w);
    if (!w)
        return NULL;
    w->mem = mem;
    w->pretty = pretty;
    gx_buf_init(&w->out, mem);
    return w;
}

void
gx_jw_free(gx_jw *w)
{
    if (!w)
        return;
    gx_buf_free(&w->out);
    gx_free(w->mem, w->stack, w->cap);
    gx_free(w->mem, w, sizeof *w);
}

static int
S_put(gx_jw *w, const char *s, size_t n)
{
    if (!w->failed && gx_buf_put(&w->out, s, n))
        w->failed = 1;
    return w->failed ? GROKX_E_NOMEM : 0;
}

static int
S_newline(gx_jw *w, size_t depth)
{
    static const char spaces[] = "                                ";
    int rc = S_put(w, "\n", 1);
    for (depth *= 2; depth && !rc; depth -= GX_MIN(depth, sizeof spaces - 1))
        rc = S_put(w, spaces, GX_MIN(depth, sizeof spaces - 1));
    return rc;
}

/* Separator before a value (or a key, when is_key). */
static int
S_before(gx_jw *w, int is_key)
{
    int in_map = w->depth && w->stack[w->depth - 1];
    if (w->failed)
        return GROKX_E_NOMEM;
    if (is_key ? (!in_map || w->after_key) : (in_map && !w->after_key))
        return GROKX_E_INVALID; /* a key outside a map, or a value without a key */
    if (w->after_key) {
        w->after_key = 0;
        return 0;
    }
    if (w->need_comma && S_put(w, ",", 1))
        return GROKX_E_NOMEM;
    if (w->pretty && w->depth)
        return S_newline(w, w->depth);
    return 0;
}

static int
S_open(gx_jw *w, int is_map)
{
    int rc = S_before(w, 0);
    if (rc)
        return rc;
    if (w->depth == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 32;
        unsigned char *ns = gx_realloc(w->mem, w->stack, w->cap, cap);
        if (!ns)
            return w->failed = 1, GROKX_E_NOMEM;
        w->stack = ns;
        w->cap = cap;
    }
    w->stack[w->depth++] = (unsigned char)is_map;
    w->need_comma = 0;
    return S_put(w, is_map ? "{" : "[", 1);
}

static int
S_close(gx_jw *w, int is_map)
{
    int rc;
    if (w->failed)
        return GROKX_E_NOMEM;
    if (!w->depth || w->stack[w->depth - 1] != is_map || w->after_key)
        return GROKX_E_INVALID;
    w->depth--;
    if (w->pretty && w->need_comma && (rc = S_newline(w, w->depth)) != 0)
        return rc;
    w->need_comma = 1;
    return S_put(w, is_map ? "}" : "]", 1);
}

int gx_jw_begin_map(gx_jw *w) { return S_open(w, 1); }
int gx_jw_end_map(gx_jw *w) { return S_close(w, 1); }
int gx_jw_begin_array(gx_jw *w) { return S_open(w, 0); }
int gx_jw_end_array(gx_jw *w) { return S_close(w, 0); }

/* A scalar value's text, written as is. */
static int
S_scalar(gx_jw *w, const char *s, size_t n)
{
    int rc = S_before(w, 0);
    if (rc)
        return rc;
    w->need_comma = 1;
    return S_put(w, s, n);
}

int gx_jw_null(gx_jw *w) { return S_scalar(w, "null", 4); }
int gx_jw_bool(gx_jw *w, int v) { return v ? S_scalar(w, "true", 4) : S_scalar(w, "false", 5); }

/* Decimal digits of v, right-aligned ending at end; returns the start. */
static char *
S_digits(char *end, unsigned long long v)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

int
gx_jw_int(gx_jw *w, long long v)
{
    char tmp[24], *p;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    p = S_digits(tmp + sizeof tmp, u);
    if (v < 0)
        *--p = '-';
    return S_scalar(w, p, (size_t)(tmp + sizeof tmp - p));
}

int
gx_jw_uint(gx_jw *w, unsigned long long v)
{
    char tmp[24], *p = S_digits(tmp + sizeof tmp, v);
    return S_scalar(w, p, (size_t)(tmp + sizeof tmp - p));
}

int
gx_jw_number_text(gx_jw *w, const char *s, size_t len)
{
    return S_scalar(w, s, len);
}

/* Bytes of s before the first one JSON needs escaped. */
static size_t
S_safe_run(const unsigned char *s, size_t len)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20), bias = _mm_set1_epi8((char)0x80);
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* unsigned v < 0x20, via signed compare of biased values */
        __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(v, bias), _mm_xor_si128(space, bias));
        int m = _mm_movemask_epi8(
            _mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs))));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
        i += 16;
    }
#endif
    while (i < len && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

static int
S_string(gx_jw *w, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n;
    char *o;
    if (w->failed)
        return GROKX_E_NOMEM;
    /* worst case: every byte becomes \u00XX; one reserve, then write in place */
    if (len > (SIZE_MAX - 2) / 6 || gx_buf_reserve(&w->out, len * 6 + 2))
        return w->failed = 1, GROKX_E_NOMEM;
    o = w->out.ptr + w->out.len;
    *o++ = '"';
    while (i < len) {
        n = S_safe_run(s + i, len - i);
        memcpy(o, str + i, n);
        o += n;
        i += n;
        if (i >= len)
            break;
        *o++ = '\\';
        switch (s[i]) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\t': *o++ = 't'; break;
        case '\r': *o++ = 'r'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            memcpy(o, "u00", 3);
            o[3] = hex[s[i] >> 4];
            o[4] = hex[s[i] & 15];
            o += 5;
        }
        i++;
    }
    *o++ = '"';
    w->out.len = (size_t)(o - w->out.ptr);
    *o = 0;
    return 0;
}

int
gx_jw_str(gx_jw *w, const char *s, size_t len)
{
    int in_map = w->depth && w->stack[w->depth - 1];
    int is_key = in_map && !w->after_key;
    int rc = S_before(w, is_key);
    if (rc)
        return rc;
    if ((rc = S_string(w, s, len)) != 0)
        return rc;
    if (is_key) {
        w->after_key = 1;
        return S_put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
    }
    w->need_comma = 1;
    return 0;
}

int
gx_jw_cstr(gx_jw *w, const char *s)
{
    return gx_jw_str(w, s, strlen(s));
}

int
gx_jw_gstr(gx_jw *w, grokx_str s)
{
    return gx_jw_str(w, s.ptr ? s.ptr : "", s.len);
}

int
gx_jw_time(gx_jw *w, grokx_time t)
{
    char tmp[32];
    if (t == GROKX_TIME_NONE)
        return gx_jw_null(w);
    gx_time_format(t, tmp);
    return gx_jw_cstr(w, tmp);
}

int
gx_jw_kstr(gx_jw *w, const char *key, grokx_str v)
{
    int rc = gx_jw_cstr(w, key);
    return rc ? rc : gx_jw_gstr(w, v);
}

int
gx_jw_kcstr(gx_jw *w, const char *key, const char *v)
{
    int rc = gx_jw_cstr(w, key);
    return rc ? rc : gx_jw_cstr(w, v);
}

int
gx_jw_kuint(gx_jw *w, const char *key, unsigned long long v)
{
    int rc = gx_jw_cstr(w, key);
    return rc ? rc : gx_jw_uint(w, v);
}

int
gx_jw_ktime(gx_jw *w, const char *key, grokx_time t)
{
    int rc = gx_jw_cstr(w, key);
    return rc ? rc : gx_jw_time(w, t);
}

const char *
gx_jw_text(gx_jw *w, size_t *len)
{
    *len = w->out.len;
    return w->out.ptr ? w->out.ptr : "";
}

int
gx_jw_next_line(gx_jw *w)
{
    if (w->depth || w->after_key)
        return GROKX_E_INVALID;
    w->need_comma = 0;
    return S_put(w, "\n", 1);
}

void
gx_jw_clear_text(gx_jw *w)
{
    w->out.len = 0;
}

void
gx_jw_reset(gx_jw *w)
{
    w->out.len = 0;
    w->depth = 0;
    w->need_comma = w->after_key = w->failed = 0;
}
