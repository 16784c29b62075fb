/*
 * filter.c -- a writer that passes on only the conversations a user asked
 * for (dates, title, model, starred), to any other writer. Items and the
 * begin/end calls always pass.
 */
#include <stdlib.h>
#include <string.h>

#include "writer/writer.h"

typedef struct S_filter {
    grokx_writer *inner;
    grokx_filter f;
    char *title, *model;
    uint64_t kept, dropped;
} S_filter;

/* Case-insensitive (ASCII) substring test; needle "" matches. */
static int
S_contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i, j;
    for (i = 0; i + k <= n; i++) {
        for (j = 0; j < k; j++) {
            char a = hay[i + j], b = needle[j];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a + 32);
            if (b >= 'A' && b <= 'Z')
                b = (char)(b + 32);
            if (a != b)
                break;
        }
        if (j == k)
            return 1;
    }
    return 0;
}

/* A conversation's date: its create_time, else its first message's. */
static grokx_time
S_when(const grokx_conversation *c)
{
    size_t i;
    if (c->create_time != GROKX_TIME_NONE)
        return c->create_time;
    for (i = 0; i < c->message_count; i++)
        if (c->messages[i].create_time != GROKX_TIME_NONE)
            return c->messages[i].create_time;
    return GROKX_TIME_NONE;
}

static int
S_keep(const S_filter *s, const grokx_conversation *c)
{
    grokx_time t = S_when(c);
    size_t i;
    if (s->f.starred_only && !c->starred)
        return 0;
    if (s->f.since != GROKX_TIME_NONE && (t == GROKX_TIME_NONE || t < s->f.since))
        return 0;
    if (s->f.until != GROKX_TIME_NONE && (t == GROKX_TIME_NONE || t >= s->f.until))
        return 0;
    if (s->title && !S_contains(c->title.ptr, c->title.len, s->title))
        return 0;
    if (s->model) {
        for (i = 0; i < c->message_count; i++)
            if (S_contains(c->messages[i].model.ptr, c->messages[i].model.len, s->model))
                break;
        if (i == c->message_count)
            return 0;
    }
    return 1;
}

static int
S_begin(void *self, const grokx_export_info *info)
{
    S_filter *s = self;
    return s->inner->vt.begin_export ? s->inner->vt.begin_export(s->inner->self, info) : 0;
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    S_filter *s = self;
    if (!S_keep(s, c)) {
        s->dropped++;
        return 0;
    }
    s->kept++;
    return s->inner->vt.conversation ? s->inner->vt.conversation(s->inner->self, c) : 0;
}

static int
S_item(void *self, const grokx_item *it)
{
    S_filter *s = self;
    return s->inner->vt.item ? s->inner->vt.item(s->inner->self, it) : 0;
}

static int
S_end(void *self, const grokx_stats *st)
{
    S_filter *s = self;
    return s->inner->vt.end_export ? s->inner->vt.end_export(s->inner->self, st) : 0;
}

static const char *
S_why(void *self)
{
    S_filter *s = self;
    return s->inner->vt.error_text ? s->inner->vt.error_text(s->inner->self) : NULL;
}

static void
S_destroy(void *self)
{
    S_filter *s = self;
    free(s->title);
    free(s->model);
    free(s);
}

void
grokx_filter_init(grokx_filter *f)
{
    memset(f, 0, sizeof *f);
    f->abi_version = GROKX_ABI_VERSION;
    f->since = f->until = GROKX_TIME_NONE;
}

int
grokx_writer_filter_create(grokx_writer *inner, const grokx_filter *f, grokx_writer **out)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_begin, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    S_filter *s;
    if (!out)
        return GROKX_E_INVALID;
    *out = NULL;
    if (!inner || !f)
        return GROKX_E_INVALID;
    if (f->abi_version != GROKX_ABI_VERSION)
        return GROKX_E_VERSION;
    if (!(s = calloc(1, sizeof *s)))
        return GROKX_E_NOMEM;
    s->inner = inner;
    s->f = *f;
    if ((f->title && !(s->title = gx_strdup(f->title))) ||
        (f->model && !(s->model = gx_strdup(f->model))) || !(*out = grokx_writer_new(&vt, s))) {
        S_destroy(s);
        return GROKX_E_NOMEM;
    }
    return GROKX_OK;
}

/* Kept for compatibility: grokx_writer_filter_create() says which failure. */
grokx_writer *
grokx_writer_filter_new(grokx_writer *inner, const grokx_filter *f)
{
    grokx_writer *w;
    return grokx_writer_filter_create(inner, f, &w) ? NULL : w;
}
