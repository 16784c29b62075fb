/*
 * parser.c -- the parser handle: options, lifecycle, feed/finish, errors
 * and warnings, and delivery of whole conversations and items to the
 * writer. The JSON-to-model mapping is in schema.c; ordering in
 * assemble.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse/parser.h"

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
    gx_schema_init(p);
    gx_arena_init(&p->arena, &p->mem);
    gx_buf_init(&p->section, &p->mem);
    gx_buf_init(&p->scratch, &p->mem);
    p->json = gx_json_new(&p->mem, &gx_schema_events, p, GX_MAX(o.max_depth, GX_DEPTH_HARD),
                          o.max_string, &p->err);
    if (!p->json) {
        grokx_parser_free(p);
        return NULL;
    }
    return p;
}

void
grokx_parser_free(grokx_parser *p)
{
    gx_mem mem;
    if (!p)
        return;
    gx_json_free(p->json);
    gx_jw_free(p->cap);
    gx_arena_free(&p->arena);
    gx_buf_free(&p->section);
    gx_buf_free(&p->scratch);
    gx_free(&p->mem, p->frames, p->frames_cap * sizeof *p->frames);
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
gx_parser_warn(grokx_parser *p, int code, const char *fmt, ...)
{
    va_list ap;
    char msg[GROKX_ERROR_TEXT_MAX];
    p->stats.warnings++;
    if (!p->opt.warning)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gx_json_error_at(p->json, &p->warn, code, 0, "%s", msg);
    p->opt.warning(p->opt.warning_ud, &p->warn);
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

int
gx_parser_deliver_conversation(grokx_parser *p)
{
    grokx_conversation *c = &p->conv;
    grokx_message *all, *live, *ordered = NULL;
    size_t n = p->msgs.count, i, k = 0, out_n = 0;
    int err = 0, rc;
    all = gx_list_array(&p->arena, &p->msgs, sizeof *all, &err);
    if (err)
        return err;
    for (i = 0, live = all; i < n; i++) /* drop wrappers without a response */
        if (!(all[i].flags & GX_MSG_DEAD))
            live[k++] = all[i];
    if (!c->id.len) {
        char where[64];
        snprintf(where, sizeof where, "conversation %zu", p->conv_index + 1);
        gx_parser_warn(p, GROKX_W_MISSING_ID, "%s has no id", where);
    }
    rc = gx_assemble(&p->arena, live, k, c->leaf_response_id,
                     (p->opt.flags & GROKX_OPT_ALL_BRANCHES) != 0, gx_schema_warn, p, &ordered,
                     &out_n, &c->fork_count);
    if (rc)
        return rc;
    c->messages = ordered;
    c->message_count = out_n;
    c->node_count = k;
    p->stats.conversations++;
    p->stats.messages += k;
    if (p->writer->vt.conversation && (rc = p->writer->vt.conversation(p->writer->self, c)) != 0)
        return S_writer_failed(p, rc);
    return 0;
}

int
gx_parser_deliver_item(grokx_parser *p)
{
    int rc = 0;
    p->stats.items++;
    if (p->writer->vt.item && (rc = p->writer->vt.item(p->writer->self, &p->item)) != 0)
        rc = S_writer_failed(p, rc);
    if (!p->in_conv)
        gx_arena_reset(&p->arena);
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
    gx_schema_where(p, where, sizeof where);
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
    if (!rc && !p->saw_conversations && !p->saw_section) {
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

