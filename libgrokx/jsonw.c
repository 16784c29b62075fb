/*
 * jsonw.c -- JSON text output over yajl_gen: the events writer, the
 * summary's --json form, and the compact JSON of captured items.
 *
 * yajl_gen nests at most 128 levels (YAJL_MAX_DEPTH); callers that copy
 * arbitrary input (capture in schema.c) stop nesting before that. Strings
 * given here are already valid UTF-8, so yajl_gen's own check stays off.
 */
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "internal.h"

struct gx_jw {
    gx_mem *mem;
    yajl_gen g;
    yajl_alloc_funcs af;
};

gx_jw *
gx_jw_new(gx_mem *mem, int pretty)
{
    gx_jw *w = gx_calloc(mem, sizeof *w);
    if (!w)
        return NULL;
    w->mem = mem;
    w->af.malloc = gx_yajl_malloc;
    w->af.realloc = gx_yajl_realloc;
    w->af.free = gx_yajl_free;
    w->af.ctx = mem;
    w->g = yajl_gen_alloc(&w->af);
    if (pretty) {
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
    }
    return w;
}

void
gx_jw_free(gx_jw *w)
{
    if (!w)
        return;
    yajl_gen_free(w->g);
    gx_free(w->mem, w, sizeof *w);
}

static int
S_st(yajl_gen_status st)
{
    return st == yajl_gen_status_ok ? 0 : GROKX_E_INVALID;
}

int gx_jw_begin_map(gx_jw *w) { return S_st(yajl_gen_map_open(w->g)); }
int gx_jw_end_map(gx_jw *w) { return S_st(yajl_gen_map_close(w->g)); }
int gx_jw_begin_array(gx_jw *w) { return S_st(yajl_gen_array_open(w->g)); }
int gx_jw_end_array(gx_jw *w) { return S_st(yajl_gen_array_close(w->g)); }
int gx_jw_null(gx_jw *w) { return S_st(yajl_gen_null(w->g)); }
int gx_jw_bool(gx_jw *w, int v) { return S_st(yajl_gen_bool(w->g, v != 0)); }
int gx_jw_int(gx_jw *w, long long v) { return S_st(yajl_gen_integer(w->g, v)); }

int
gx_jw_str(gx_jw *w, const char *s, size_t len)
{
    return S_st(yajl_gen_string(w->g, (const unsigned char *)s, len));
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
gx_jw_uint(gx_jw *w, unsigned long long v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", v);
    return S_st(yajl_gen_number(w->g, tmp, (size_t)n));
}

int
gx_jw_number_text(gx_jw *w, const char *s, size_t len)
{
    return S_st(yajl_gen_number(w->g, s, len));
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
    const unsigned char *buf = NULL;
    size_t n = 0;
    yajl_gen_get_buf(w->g, &buf, &n);
    *len = n;
    return (const char *)buf;
}

void
gx_jw_reset(gx_jw *w)
{
    yajl_gen_clear(w->g);
    yajl_gen_reset(w->g, NULL);
}
