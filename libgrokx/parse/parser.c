/*
 * parser.c -- the parser handle: options, lifecycle, feed/finish, errors,
 * the input stage's warnings and failures, and delivery of whole
 * conversations and items to the writer. It owns the JSON reader
 * (json.c) and the schema (schema.c, its state embedded here), which
 * json.c's events go to; the schema hands back what it built through
 * gx_schema_owner, and calls nothing here. Ordering is assemble.c's,
 * called by the schema.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse/schema.h"

struct grokx_parser {
    gx_mem mem;
    grokx_options opt;
    grokx_error err;
    grokx_error warn; /* gx_parser_warn_input's record, handed to opt.warning */
    grokx_stats stats;
    grokx_writer *writer;
    gx_json *json;
    int state; /* 0 running, 1 finished OK, <0 failed */
    int begun; /* begin_export was called */
    gx_schema schema; /* JSON events -> model; json's ctx */
};

static int S_deliver_conversation(void *ctx, grokx_conversation *c);
static int S_deliver_item(void *ctx, const grokx_item *item);

#define S_READ_SIZE (1u << 20)

void
grokx_options_init(grokx_options *o)
{
    memset(o, 0, sizeof *o);
    o->abi_version = GROKX_ABI_VERSION;
    o->max_depth = 512;
    o->max_string = (size_t)64 << 20;
    o->max_conversation = (size_t)512 << 20;
}

grokx_parser *
grokx_parser_new(const grokx_options *opts, grokx_writer *w)
{
    grokx_options o;
    gx_mem mem;
    gx_schema_owner owner;
    grokx_parser *p;
    if (opts && opts->abi_version != GROKX_ABI_VERSION)
        return NULL;
    if (!w)
        return NULL;
    if (opts)
        o = *opts;
    else
        grokx_options_init(&o);
    if (!o.max_depth)
        o.max_depth = 512;
    if (!o.max_string)
        o.max_string = (size_t)64 << 20;
    if (!o.max_conversation)
        o.max_conversation = (size_t)512 << 20;
    gx_mem_init(&mem, o.alloc, o.alloc_ud, o.max_memory);
    p = gx_calloc(&mem, sizeof *p);
    if (!p)
        return NULL;
    p->mem = mem;
    p->opt = o;
    p->writer = w;
    owner.ctx = p;
    owner.conversation = S_deliver_conversation;
    owner.item = S_deliver_item;
    gx_schema_init(&p->schema, &p->mem, &p->opt, &p->stats, &p->err, &owner);
    p->json = gx_json_new(&p->mem, &gx_schema_events, &p->schema,
                          GX_MAX(o.max_depth, GX_DEPTH_HARD), o.max_string, &p->err);
    if (!p->json) {
        grokx_parser_free(p);
        return NULL;
    }
    p->schema.json = p->json;
    return p;
}

/* The constructor in the style of grokx.h ("ERRORS AND CONSTRUCTORS"): it
 * says which failure grokx_parser_new() would only have answered with NULL
 * (an abi_version the library does not know, no writer, no memory). */
int
grokx_parser_create(const grokx_options *opts, grokx_writer *w, grokx_parser **out)
{
    if (!out)
        return GROKX_E_INVALID;
    *out = NULL;
    if (opts && opts->abi_version != GROKX_ABI_VERSION)
        return GROKX_E_VERSION;
    if (!w)
        return GROKX_E_INVALID;
    /* with a known abi_version and a writer, only memory is left to fail */
    *out = grokx_parser_new(opts, w);
    return *out ? GROKX_OK : GROKX_E_NOMEM;
}

void
grokx_parser_free(grokx_parser *p)
{
    gx_mem mem;
    if (!p)
        return;
    gx_json_free(p->json);
    gx_schema_free(&p->schema);
    mem = p->mem;
    gx_free(&mem, p, sizeof *p);
}

const grokx_error *
grokx_parser_error(const grokx_parser *p)
{
    return &p->err;
}

const grokx_stats *
grokx_parser_stats(const grokx_parser *p)
{
    grokx_parser *q = (grokx_parser *)p;
    q->stats.bytes = p->json ? gx_json_bytes(p->json) : 0;
    q->stats.peak_memory = p->mem.peak;
    return &p->stats;
}

void
gx_parser_warn_input(grokx_parser *p, int code, const char *fmt, ...)
{
    va_list ap;
    p->stats.warnings++;
    if (!p->opt.warning)
        return;
    memset(&p->warn, 0, sizeof p->warn);
    p->warn.code = code;
    va_start(ap, fmt);
    vsnprintf(p->warn.text, sizeof p->warn.text, fmt, ap);
    va_end(ap);
    p->opt.warning(p->opt.warning_ud, &p->warn);
}

/* ---- delivery -------------------------------------------------------- */

/* The error for a writer callback that returned rc != 0. */
static int
S_writer_failed(grokx_parser *p, int rc)
{
    const char *why = p->writer->vt.error_text ? p->writer->vt.error_text(p->writer->self) : NULL;
    int code = gx_writer_call_status(rc);
    if (p->err.code == GROKX_OK) {
        p->err.code = code;
        /* a writer that found an attachment corrupt reports the input's fault */
        p->err.origin = code == GROKX_E_ARCHIVE ? GROKX_ORIGIN_INPUT : GROKX_ORIGIN_WRITER;
        snprintf(p->err.text, sizeof p->err.text, "%s", why && *why ? why : grokx_strerror(code));
    }
    return code;
}

/* The schema's conversation, complete and ordered: counted, to the writer. */
static int
S_deliver_conversation(void *ctx, grokx_conversation *c)
{
    grokx_parser *p = ctx;
    int rc;
    p->stats.conversations++;
    p->stats.messages += c->node_count;
    if (p->writer->vt.conversation && (rc = p->writer->vt.conversation(p->writer->self, c)) != 0)
        return S_writer_failed(p, rc);
    return 0;
}

/* The schema's item of another section: counted, to the writer. */
static int
S_deliver_item(void *ctx, const grokx_item *item)
{
    grokx_parser *p = ctx;
    int rc = 0;
    p->stats.items++;
    if (p->writer->vt.item && (rc = p->writer->vt.item(p->writer->self, item)) != 0)
        rc = S_writer_failed(p, rc);
    return rc;
}

/* ---- feed / finish --------------------------------------------------- */

static int
S_begin(grokx_parser *p)
{
    grokx_export_info info;
    int rc;
    if (p->stats.bytes || p->begun)
        return 0;
    p->begun = 1;
    info.input_name.ptr = p->opt.input_name ? p->opt.input_name : "";
    info.input_name.len = strlen(info.input_name.ptr);
    if (p->writer->vt.begin_export &&
        (rc = p->writer->vt.begin_export(p->writer->self, &info)) != 0)
        return S_writer_failed(p, rc);
    return 0;
}

static int
S_fail(grokx_parser *p, int rc)
{
    p->state = rc;
    if (p->err.code == GROKX_OK) {
        p->err.code = rc;
        snprintf(p->err.text, sizeof p->err.text, "%s", grokx_strerror(rc));
    }
    return rc;
}

int
grokx_parser_feed(grokx_parser *p, const void *buf, size_t len)
{
    int rc;
    if (!p || (!buf && len))
        return GROKX_E_INVALID;
    if (p->state)
        return p->state > 0 ? GROKX_E_STATE : p->state;
    if ((rc = S_begin(p)) != 0)
        return S_fail(p, rc);
    rc = gx_json_feed(p->json, buf, len);
    if (rc)
        return S_fail(p, rc);
    if (p->opt.progress && p->opt.progress(p->opt.progress_ud, grokx_parser_stats(p)))
        return gx_parser_fail(p, GROKX_E_CANCELLED, "stopped on request");
    return 0;
}

/* "unexpected end of input" says where: which conversation, response. */
static void
S_truncated_context(grokx_parser *p)
{
    char where[200];
    size_t n = strlen(p->err.text);
    gx_schema_where(&p->schema, where, sizeof where);
    if (where[0] && n + 2 < sizeof p->err.text)
        snprintf(p->err.text + n, sizeof p->err.text - n, " %s", where);
}

int
grokx_parser_finish(grokx_parser *p)
{
    int rc;
    if (!p)
        return GROKX_E_INVALID;
    if (p->state)
        return p->state > 0 ? GROKX_E_STATE : p->state;
    if ((rc = S_begin(p)) != 0)
        return S_fail(p, rc);
    rc = gx_json_finish(p->json);
    if (rc == GROKX_E_TRUNCATED)
        S_truncated_context(p);
    if (!rc && !gx_schema_is_export(&p->schema)) {
        p->err.code = rc = GROKX_E_SCHEMA;
        snprintf(p->err.text, sizeof p->err.text,
                 "not a Grok export: no \"conversations\" key at the top level");
    }
    if (rc)
        return S_fail(p, rc);
    grokx_parser_stats(p);
    if (p->writer->vt.end_export &&
        (rc = p->writer->vt.end_export(p->writer->self, &p->stats)) != 0)
        return S_fail(p, S_writer_failed(p, rc));
    p->state = 1;
    return 0;
}

int
gx_parser_fail(grokx_parser *p, int code, const char *fmt, ...)
{
    va_list ap;
    if (p->state)
        return p->state < 0 ? p->state : GROKX_E_STATE;
    memset(&p->err, 0, sizeof p->err);
    p->err.code = code;
    va_start(ap, fmt);
    vsnprintf(p->err.text, sizeof p->err.text, fmt, ap);
    va_end(ap);
    return S_fail(p, code);
}

/* ---- pull helpers ---------------------------------------------------- */

int
grokx_parse_fd(grokx_parser *p, int fd)
{
    char *buf;
    ssize_t n;
    int rc = 0;
    if (!p)
        return GROKX_E_INVALID;
    buf = gx_alloc(&p->mem, S_READ_SIZE);
    if (!buf)
        return S_fail(p, GROKX_E_NOMEM);
    for (;;) {
        n = read(fd, buf, S_READ_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            p->err.code = GROKX_E_IO;
            snprintf(p->err.text, sizeof p->err.text, "read failed: %s", strerror(errno));
            rc = S_fail(p, GROKX_E_IO);
            break;
        }
        if (n == 0) {
            rc = grokx_parser_finish(p);
            break;
        }
        if ((rc = grokx_parser_feed(p, buf, (size_t)n)) != 0)
            break;
    }
    gx_free(&p->mem, buf, S_READ_SIZE);
    return rc;
}

