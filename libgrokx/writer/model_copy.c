/*
 * model_copy.c -- deep copies of what a writer receives (a conversation,
 * an item), each into one caller-provided block, so the copy outlives the
 * callback (thread.c hands it to another thread).
 *
 * One walk serves both passes: with no block it only adds up the bytes
 * needed; with one it copies. Strings keep their NUL terminator.
 */
#include <string.h>

#include "writer/writer.h"

#define S_ALIGN (sizeof(max_align_t))

/* A new field in the model must be copied here (and set in
 * tests/system/test_thread.c): these sizes, on 64-bit systems, say when. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(grokx_conversation) == 184 && sizeof(grokx_message) == 464 &&
                   sizeof(grokx_step) == 128 && sizeof(grokx_search_result) == 80 &&
                   sizeof(grokx_agent_trace) == 32 && sizeof(grokx_item) == 80,
               "the model changed: update model_copy.c");
#endif

typedef struct S_cp {
    char *base; /* NULL: measure only */
    size_t used;
} S_cp;

/* Room for n bytes (aligned when asked); NULL while measuring. */
static void *
S_take(S_cp *cp, size_t n, int align)
{
    void *p;
    if (align)
        cp->used = (cp->used + S_ALIGN - 1) & ~(S_ALIGN - 1);
    p = cp->base ? cp->base + cp->used : NULL;
    cp->used += n;
    return p;
}

static void
S_str(S_cp *cp, grokx_str *s)
{
    char *p = S_take(cp, s->len + 1, 0);
    if (p) {
        memcpy(p, s->ptr, s->len);
        p[s->len] = 0;
        s->ptr = p;
    }
}

/* Copies the strings and arrays that the element at e points to. */
typedef void (*S_fix_fn)(S_cp *cp, void *e);

typedef union S_any { /* room for any element, while measuring */
    grokx_str str;
    grokx_search_result result;
    grokx_step step;
    grokx_agent_trace trace;
    grokx_message message;
} S_any;

/* A copy of the n elements of size bytes at src, each fixed by fix; src
 * itself while measuring, and for an empty array (which may be NULL). */
static const void *
S_array(S_cp *cp, const void *src, size_t n, size_t size, S_fix_fn fix)
{
    S_any tmp;
    char *d;
    size_t i;
    if (!n)
        return src;
    d = S_take(cp, n * size, 1);
    for (i = 0; i < n; i++) {
        void *e = d ? d + i * size : (void *)&tmp;
        memcpy(e, (const char *)src + i * size, size);
        fix(cp, e);
    }
    return d ? d : src;
}

static void
S_str_at(S_cp *cp, void *e)
{
    S_str(cp, e);
}

static void
S_strlist(S_cp *cp, grokx_strlist *l)
{
    l->items = S_array(cp, l->items, l->count, sizeof *l->items, S_str_at);
}

static void
S_result(S_cp *cp, void *e)
{
    grokx_search_result *r = e;
    S_str(cp, &r->url);
    S_str(cp, &r->title);
    S_str(cp, &r->preview);
    S_str(cp, &r->description);
    S_str(cp, &r->site_name);
}

static const grokx_search_result *
S_results(S_cp *cp, const grokx_search_result *src, size_t n)
{
    return S_array(cp, src, n, sizeof *src, S_result);
}

static void
S_step(S_cp *cp, void *e)
{
    grokx_step *s = e;
    S_str(cp, &s->header);
    S_str(cp, &s->summary);
    S_strlist(cp, &s->tag_names);
    S_strlist(cp, &s->tag_texts);
    S_strlist(cp, &s->tool_cards);
    S_strlist(cp, &s->tool_results);
    s->web_results = S_results(cp, s->web_results, s->web_result_count);
    S_strlist(cp, &s->xpost_ids);
}

static void
S_trace(S_cp *cp, void *e)
{
    grokx_agent_trace *t = e;
    S_str(cp, &t->agent_id);
    S_str(cp, &t->text);
}

static void
S_message(S_cp *cp, void *e)
{
    grokx_message *m = e;
    S_str(cp, &m->id);
    S_str(cp, &m->parent_id);
    S_str(cp, &m->sender);
    S_str(cp, &m->text);
    S_str(cp, &m->model);
    S_str(cp, &m->model_picker);
    S_str(cp, &m->thinking);
    m->agent_traces = S_array(cp, m->agent_traces, m->agent_trace_count, sizeof *m->agent_traces, S_trace);
    m->steps = S_array(cp, m->steps, m->step_count, sizeof *m->steps, S_step);
    m->web_results = S_results(cp, m->web_results, m->web_result_count);
    m->cited_results = S_results(cp, m->cited_results, m->cited_result_count);
    S_strlist(cp, &m->xpost_ids);
    S_strlist(cp, &m->webpage_urls);
    S_strlist(cp, &m->generated_image_urls);
    S_strlist(cp, &m->file_attachments);
    S_strlist(cp, &m->file_names);
    S_strlist(cp, &m->file_types);
    S_strlist(cp, &m->card_attachments);
    S_strlist(cp, &m->media_types);
    S_str(cp, &m->image_edit_uri);
    S_str(cp, &m->query);
    S_str(cp, &m->query_type);
    S_str(cp, &m->error);
    S_str(cp, &m->share_link_id);
}

static void
S_conversation(S_cp *cp, const grokx_conversation *src, grokx_conversation *dst)
{
    *dst = *src;
    S_str(cp, &dst->id);
    S_str(cp, &dst->title);
    S_str(cp, &dst->leaf_response_id);
    S_str(cp, &dst->system_prompt_name);
    S_str(cp, &dst->summary);
    S_str(cp, &dst->user_id);
    dst->messages = S_array(cp, src->messages, src->message_count, sizeof *src->messages, S_message);
}

size_t
gx_conv_copy_size(const grokx_conversation *c)
{
    S_cp cp = {NULL, 0};
    grokx_conversation tmp;
    S_conversation(&cp, c, &tmp);
    return cp.used;
}

void
gx_conv_copy(void *block, const grokx_conversation *src, grokx_conversation *dst)
{
    S_cp cp = {block, 0};
    S_conversation(&cp, src, dst);
}

static void
S_item(S_cp *cp, const grokx_item *src, grokx_item *dst)
{
    *dst = *src;
    S_str(cp, &dst->section);
    S_str(cp, &dst->json);
    S_str(cp, &dst->id);
    S_str(cp, &dst->name);
}

size_t
gx_item_copy_size(const grokx_item *it)
{
    S_cp cp = {NULL, 0};
    grokx_item tmp;
    S_item(&cp, it, &tmp);
    return cp.used;
}

void
gx_item_copy(void *block, const grokx_item *src, grokx_item *dst)
{
    S_cp cp = {block, 0};
    S_item(&cp, src, dst);
}
