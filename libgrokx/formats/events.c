/*
 * events.c -- the "events" format: one JSON object per line per
 * event, with every field of the model. It is the parser's test oracle:
 * golden tests compare it byte for byte. Empty optional fields are left
 * out so the lines stay readable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

typedef struct S_events {
    gx_mem mem;
    gx_jw *jw;
    grokx_sink sink;
    char why[160]; /* the failed write's reason, when the sink left one in errno */
} S_events;

/* Hand the buffered lines to the sink: once per callback, so a
 * conversation's lines go out in one write and warnings (which happen
 * between callbacks) stay in order with the events. */
static int
S_flush(S_events *e)
{
    size_t len;
    const char *text = gx_jw_text(e->jw, &len);
    int rc;
    errno = 0; /* a sink on a file leaves the reason here (ENOSPC, EPIPE) */
    rc = len ? gx_sink_write(e->sink, text, len) : 0;
    if (rc && !e->why[0])
        snprintf(e->why, sizeof e->why, "writing events failed%s%s", errno ? ": " : "",
                 errno ? strerror(errno) : "");
    gx_jw_clear_text(e->jw);
    return rc;
}

/* One event line is complete. */
static int
S_line_done(S_events *e)
{
    return gx_jw_next_line(e->jw) ? GROKX_E_NOMEM : 0;
}

static int
S_opt_str(gx_jw *w, const char *key, grokx_str v)
{
    return v.len ? gx_jw_kstr(w, key, v) : 0;
}

static int
S_opt_time(gx_jw *w, const char *key, grokx_time t)
{
    return t != GROKX_TIME_NONE ? gx_jw_ktime(w, key, t) : 0;
}

/* A time with the precision the export gave (milliseconds at least). */
static int
S_fine_time(gx_jw *w, const char *key, grokx_time t, uint32_t ns, int digits)
{
    char buf[40];
    if (t == GROKX_TIME_NONE || digits <= 3)
        return gx_jw_ktime(w, key, t);
    gx_time_format_fine(t, ns, digits, buf);
    return gx_jw_cstr(w, key) | gx_jw_cstr(w, buf);
}

/* Which of the conversation's fields the parser filled in (grokx.h,
 * "Fallbacks"); nothing when none. */
static int
S_derived(gx_jw *w, unsigned flags)
{
    int rc;
    if (!(flags & (GROKX_CONV_CREATE_DERIVED | GROKX_CONV_MODIFY_DERIVED | GROKX_CONV_TITLE_DERIVED)))
        return 0;
    rc = gx_jw_cstr(w, "derived") | gx_jw_begin_array(w);
    if (flags & GROKX_CONV_TITLE_DERIVED)
        rc |= gx_jw_cstr(w, "title");
    if (flags & GROKX_CONV_CREATE_DERIVED)
        rc |= gx_jw_cstr(w, "create_time");
    if (flags & GROKX_CONV_MODIFY_DERIVED)
        rc |= gx_jw_cstr(w, "modify_time");
    return rc | gx_jw_end_array(w);
}

static int
S_strlist(gx_jw *w, const char *key, grokx_strlist l)
{
    size_t i;
    int rc = 0;
    if (!l.count)
        return 0;
    rc |= gx_jw_cstr(w, key);
    rc |= gx_jw_begin_array(w);
    for (i = 0; i < l.count; i++)
        rc |= gx_jw_gstr(w, l.items[i]);
    return rc | gx_jw_end_array(w);
}

static int
S_results(gx_jw *w, const char *key, const grokx_search_result *r, size_t n)
{
    size_t i;
    int rc = 0;
    if (!n)
        return 0;
    rc |= gx_jw_cstr(w, key);
    rc |= gx_jw_begin_array(w);
    for (i = 0; i < n; i++) {
        rc |= gx_jw_begin_map(w);
        rc |= S_opt_str(w, "url", r[i].url);
        rc |= S_opt_str(w, "title", r[i].title);
        rc |= S_opt_str(w, "preview", r[i].preview);
        rc |= S_opt_str(w, "description", r[i].description);
        rc |= S_opt_str(w, "site_name", r[i].site_name);
        rc |= gx_jw_end_map(w);
    }
    return rc | gx_jw_end_array(w);
}

/* The names and types of attachments given as objects, when any has one
 * (parallel to file_attachments; a message of bare ids has neither). */
static int
S_files_named(gx_jw *w, const grokx_message *m)
{
    size_t i;
    int named = 0;
    for (i = 0; i < m->file_names.count && i < m->file_types.count; i++)
        named |= m->file_names.items[i].len || m->file_types.items[i].len;
    return named ? S_strlist(w, "file_names", m->file_names) | S_strlist(w, "file_types", m->file_types) : 0;
}

static int
S_steps(gx_jw *w, const grokx_step *s, size_t n)
{
    size_t i, k;
    int rc = 0;
    if (!n)
        return 0;
    rc |= gx_jw_cstr(w, "steps");
    rc |= gx_jw_begin_array(w);
    for (i = 0; i < n; i++) {
        rc |= gx_jw_begin_map(w);
        rc |= S_opt_str(w, "header", s[i].header);
        rc |= S_opt_str(w, "summary", s[i].summary);
        if (s[i].tag_names.count) {
            rc |= gx_jw_cstr(w, "tags");
            rc |= gx_jw_begin_array(w);
            for (k = 0; k < s[i].tag_names.count; k++) {
                rc |= gx_jw_begin_array(w);
                rc |= gx_jw_gstr(w, s[i].tag_names.items[k]);
                rc |= gx_jw_gstr(w, s[i].tag_texts.items[k]);
                rc |= gx_jw_end_array(w);
            }
            rc |= gx_jw_end_array(w);
        }
        rc |= S_strlist(w, "tool_cards", s[i].tool_cards);
        rc |= S_strlist(w, "tool_results", s[i].tool_results);
        rc |= S_results(w, "web_results", s[i].web_results, s[i].web_result_count);
        rc |= S_strlist(w, "xpost_ids", s[i].xpost_ids);
        rc |= gx_jw_end_map(w);
    }
    return rc | gx_jw_end_array(w);
}

static int
S_agents(gx_jw *w, const grokx_agent_trace *a, size_t n)
{
    size_t i;
    int rc = 0;
    if (!n)
        return 0;
    rc |= gx_jw_cstr(w, "agent_traces");
    rc |= gx_jw_begin_array(w);
    for (i = 0; i < n; i++) {
        rc |= gx_jw_begin_map(w);
        rc |= S_opt_str(w, "agent_id", a[i].agent_id);
        rc |= gx_jw_kstr(w, "text", a[i].text);
        rc |= gx_jw_end_map(w);
    }
    return rc | gx_jw_end_array(w);
}

static int
S_message(S_events *e, const grokx_conversation *c, const grokx_message *m)
{
    gx_jw *w = e->jw;
    int rc = 0;
    rc |= gx_jw_begin_map(w);
    rc |= gx_jw_kcstr(w, "event", "message");
    rc |= gx_jw_kstr(w, "conversation", c->id);
    rc |= gx_jw_kstr(w, "id", m->id);
    rc |= gx_jw_cstr(w, "parent") | gx_jw_int(w, m->parent);
    rc |= S_opt_str(w, "parent_id", m->parent_id);
    rc |= gx_jw_kuint(w, "depth", m->depth);
    if (m->sibling_count > 1) {
        rc |= gx_jw_kuint(w, "sibling", m->sibling_index + 1);
        rc |= gx_jw_kuint(w, "siblings", m->sibling_count);
    }
    rc |= gx_jw_kuint(w, "file_index", m->file_index);
    rc |= gx_jw_kcstr(w, "role", m->role == GROKX_ROLE_USER     ? "user"
                                 : m->role == GROKX_ROLE_SYSTEM ? "system"
                                                                : "assistant");
    rc |= gx_jw_kstr(w, "sender", m->sender);
    rc |= S_opt_str(w, "model", m->model);
    if (!(m->model.len == m->model_picker.len &&
          !memcmp(m->model.ptr, m->model_picker.ptr, m->model.len)))
        rc |= S_opt_str(w, "model_picker", m->model_picker);
    rc |= S_fine_time(w, "time", m->create_time, m->create_ns, m->create_digits);
    if (m->flags & GROKX_MSG_ACTIVE)
        rc |= gx_jw_cstr(w, "active") | gx_jw_bool(w, 1);
    if (m->flags & GROKX_MSG_PARTIAL)
        rc |= gx_jw_cstr(w, "partial") | gx_jw_bool(w, 1);
    if (m->flags & GROKX_MSG_DUPLICATE_ID)
        rc |= gx_jw_cstr(w, "duplicate_id") | gx_jw_bool(w, 1);
    if (m->flags & GROKX_MSG_SHARED_PUBLIC)
        rc |= gx_jw_cstr(w, "shared_public") | gx_jw_bool(w, 1);
    rc |= gx_jw_kstr(w, "text", m->text);
    rc |= S_opt_str(w, "error", m->error);
    rc |= S_opt_str(w, "thinking", m->thinking);
    rc |= S_opt_time(w, "thinking_start", m->thinking_start);
    rc |= S_opt_time(w, "thinking_end", m->thinking_end);
    rc |= S_agents(w, m->agent_traces, m->agent_trace_count);
    rc |= S_steps(w, m->steps, m->step_count);
    rc |= S_results(w, "web_results", m->web_results, m->web_result_count);
    rc |= S_results(w, "cited_results", m->cited_results, m->cited_result_count);
    rc |= S_strlist(w, "xpost_ids", m->xpost_ids);
    rc |= S_strlist(w, "webpage_urls", m->webpage_urls);
    rc |= S_strlist(w, "generated_image_urls", m->generated_image_urls);
    rc |= S_strlist(w, "file_attachments", m->file_attachments);
    rc |= S_files_named(w, m);
    rc |= S_strlist(w, "card_attachments", m->card_attachments);
    rc |= S_strlist(w, "media_types", m->media_types);
    rc |= S_opt_str(w, "image_edit_uri", m->image_edit_uri);
    rc |= S_opt_str(w, "query", m->query);
    rc |= S_opt_str(w, "query_type", m->query_type);
    rc |= S_opt_str(w, "share_link_id", m->share_link_id);
    rc |= gx_jw_end_map(w);
    return rc ? GROKX_E_NOMEM : S_line_done(e);
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_events *e = self;
    gx_jw *w = e->jw;
    size_t i;
    int rc = 0;
    rc |= gx_jw_begin_map(w);
    rc |= gx_jw_kcstr(w, "event", "conversation");
    rc |= gx_jw_kuint(w, "index", c->index);
    rc |= gx_jw_kstr(w, "id", c->id);
    rc |= gx_jw_kstr(w, "title", c->title);
    rc |= S_fine_time(w, "create_time", c->create_time, c->create_ns, c->create_digits);
    rc |= S_fine_time(w, "modify_time", c->modify_time, c->modify_ns, c->modify_digits);
    rc |= S_derived(w, c->flags);
    if (c->flags & GROKX_CONV_NO_MESSAGES)
        rc |= gx_jw_cstr(w, "no_messages") | gx_jw_bool(w, 1);
    rc |= gx_jw_cstr(w, "starred") | gx_jw_bool(w, c->starred);
    rc |= gx_jw_cstr(w, "temporary") | gx_jw_bool(w, c->temporary);
    rc |= S_opt_str(w, "leaf_response_id", c->leaf_response_id);
    rc |= S_opt_str(w, "system_prompt_name", c->system_prompt_name);
    rc |= S_opt_str(w, "summary", c->summary);
    rc |= S_opt_str(w, "user_id", c->user_id);
    rc |= gx_jw_kuint(w, "messages", c->message_count);
    rc |= gx_jw_kuint(w, "nodes", c->node_count);
    rc |= gx_jw_kuint(w, "forks", c->fork_count);
    rc |= gx_jw_end_map(w);
    if (rc)
        return GROKX_E_NOMEM;
    if ((rc = S_line_done(e)) != 0)
        return rc;
    for (i = 0; i < c->message_count; i++)
        if ((rc = S_message(e, c, &c->messages[i])) != 0)
            return rc;
    return S_flush(e);
}

static int
S_item(void *self, const grokx_item *it)
{
    S_events *e = self;
    gx_jw *w = e->jw;
    int rc = 0;
    rc |= gx_jw_begin_map(w);
    rc |= gx_jw_kcstr(w, "event", "item");
    rc |= gx_jw_kstr(w, "section", it->section);
    rc |= gx_jw_kuint(w, "index", it->index);
    rc |= S_opt_str(w, "id", it->id);
    rc |= S_opt_str(w, "name", it->name);
    rc |= S_opt_time(w, "create_time", it->create_time);
    rc |= gx_jw_kstr(w, "json", it->json);
    rc |= gx_jw_end_map(w);
    if (rc || (rc = S_line_done(e)) != 0)
        return rc ? rc : GROKX_E_NOMEM;
    return S_flush(e);
}

static int
S_begin(void *self, const grokx_export_info *info)
{
    S_events *e = self;
    int rc = gx_jw_begin_map(e->jw) | gx_jw_kcstr(e->jw, "event", "begin_export") |
             gx_jw_kstr(e->jw, "input", info->input_name) | gx_jw_end_map(e->jw);
    if (rc || (rc = S_line_done(e)) != 0)
        return rc ? rc : GROKX_E_NOMEM;
    return S_flush(e);
}

static int
S_end(void *self, const grokx_stats *s)
{
    S_events *e = self;
    gx_jw *w = e->jw;
    int rc = 0;
    rc |= gx_jw_begin_map(w);
    rc |= gx_jw_kcstr(w, "event", "end_export");
    rc |= gx_jw_kuint(w, "conversations", s->conversations);
    rc |= gx_jw_kuint(w, "conversations_skipped", s->conversations_skipped);
    rc |= gx_jw_kuint(w, "messages", s->messages);
    rc |= gx_jw_kuint(w, "items", s->items);
    rc |= gx_jw_kuint(w, "warnings", s->warnings);
    rc |= gx_jw_kuint(w, "strings_repaired", s->strings_repaired);
    rc |= gx_jw_kuint(w, "bytes", s->bytes);
    rc |= gx_jw_end_map(w);
    if (rc || (rc = S_line_done(e)) != 0)
        return rc ? rc : GROKX_E_NOMEM;
    return S_flush(e);
}

static void
S_destroy(void *self)
{
    S_events *e = self;
    S_flush(e); /* after a failed parse: the events up to the error */
    gx_jw_free(e->jw);
    free(e);
}

static const char *
S_why(void *self)
{
    S_events *e = self;
    return e->why[0] ? e->why : "writing events failed";
}

int
gx_writer_events_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_begin, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    S_events *e = calloc(1, sizeof *e);
    GX_UNUSED(err); /* memory is all it can lack */
    if (!e)
        return GROKX_E_NOMEM;
    gx_mem_init(&e->mem, NULL, NULL, 0);
    e->sink = cfg->sink;
    e->jw = gx_jw_new(&e->mem, 0);
    *out = e->jw ? grokx_writer_new(&vt, e) : NULL;
    if (!*out) {
        gx_jw_free(e->jw);
        free(e);
        return GROKX_E_NOMEM;
    }
    return 0;
}
