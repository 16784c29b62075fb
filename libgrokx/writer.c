/*
 * writer.c -- writer handles, the tee writer, and the registry of
 * built-in formats. Adding a format: one file, one row in S_formats.
 */
#include <string.h>
#include <stdlib.h>

#include "internal.h"

grokx_writer *
grokx_writer_new(const grokx_writer_vtable *vt, void *self)
{
    grokx_writer *w;
    if (!vt || vt->abi_version != GROKX_ABI_VERSION)
        return NULL;
    w = malloc(sizeof *w);
    if (!w)
        return NULL;
    w->vt = *vt;
    w->self = self;
    return w;
}

void
grokx_writer_free(grokx_writer *w)
{
    if (!w)
        return;
    if (w->vt.destroy)
        w->vt.destroy(w->self);
    free(w);
}

int
gx_writer_call_status(int rc)
{
    if (rc < 0 && rc >= GROKX_E_CANCELLED)
        return rc;
    return GROKX_E_WRITER;
}

int
gx_sink_write(grokx_sink s, const char *buf, size_t len)
{
    if (!s.write)
        return 0;
    return s.write(s.ud, buf, len) ? GROKX_E_IO : 0;
}

/* ---- tee ------------------------------------------------------------- */

typedef struct S_tee {
    size_t n;
    const char *why; /* error_text of the writer that failed */
    grokx_writer *ws[];
} S_tee;

#define S_TEE_CALL(t, cb, arg)                                                           \
    do {                                                                                 \
        size_t i_;                                                                       \
        for (i_ = 0; i_ < (t)->n; i_++) {                                                \
            grokx_writer *w_ = (t)->ws[i_];                                              \
            int rc_ = w_->vt.cb ? w_->vt.cb(w_->self, arg) : 0;                          \
            if (rc_) {                                                                   \
                (t)->why = w_->vt.error_text ? w_->vt.error_text(w_->self) : NULL;       \
                return rc_;                                                              \
            }                                                                            \
        }                                                                                \
        return 0;                                                                        \
    } while (0)

static int S_tee_begin(void *s, const grokx_export_info *i) { S_TEE_CALL((S_tee *)s, begin_export, i); }
static int S_tee_conv(void *s, const grokx_conversation *c) { S_TEE_CALL((S_tee *)s, conversation, c); }
static int S_tee_item(void *s, const grokx_item *i) { S_TEE_CALL((S_tee *)s, item, i); }
static int S_tee_end(void *s, const grokx_stats *st) { S_TEE_CALL((S_tee *)s, end_export, st); }
static const char *S_tee_why(void *s) { return ((S_tee *)s)->why; }
static void S_tee_destroy(void *s) { free(s); }

grokx_writer *
grokx_writer_tee_new(grokx_writer *const *ws, size_t n)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_tee_begin, S_tee_conv,
                                           S_tee_item, S_tee_end, S_tee_destroy, S_tee_why};
    S_tee *t;
    grokx_writer *w;
    size_t i;
    for (i = 0; i < n; i++)
        if (!ws[i])
            return NULL;
    if (n > (SIZE_MAX - sizeof *t) / sizeof t->ws[0])
        return NULL;
    t = malloc(sizeof *t + n * sizeof t->ws[0]);
    if (!t)
        return NULL;
    t->n = n;
    t->why = NULL;
    if (n)
        memcpy(t->ws, ws, n * sizeof ws[0]);
    w = grokx_writer_new(&vt, t);
    if (!w)
        free(t);
    return w;
}

/* ---- registry -------------------------------------------------------- */

static const struct {
    const char *name;
    int (*create)(const grokx_writer_config *cfg, grokx_writer **out);
    const char *ext;  /* of its one output file; NULL: it writes a folder */
    int streams;      /* can write to cfg.sink when out_dir is NULL */
} S_formats[] = {
    {"events", gx_writer_events_new, "jsonl", 1},
    {"md", gx_writer_md_new, NULL, 1},
    {"html", gx_writer_html_new, NULL, 0},
    {"index", gx_writer_index_new, "gxi", 1},
};

void
grokx_writer_config_init(grokx_writer_config *c)
{
    memset(c, 0, sizeof *c);
    c->abi_version = GROKX_ABI_VERSION;
}

int
grokx_writer_create(const char *format, const grokx_writer_config *cfg, grokx_writer **out)
{
    size_t i;
    if (!out)
        return GROKX_E_INVALID;
    *out = NULL;
    if (!format || !cfg)
        return GROKX_E_INVALID;
    if (cfg->abi_version != GROKX_ABI_VERSION)
        return GROKX_E_VERSION;
    for (i = 0; i < sizeof S_formats / sizeof S_formats[0]; i++)
        if (!strcmp(S_formats[i].name, format))
            return S_formats[i].create(cfg, out);
    return GROKX_E_INVALID;
}

int
grokx_writer_format_info(const char *format, const char **ext, int *streams)
{
    size_t i;
    for (i = 0; format && i < sizeof S_formats / sizeof S_formats[0]; i++)
        if (!strcmp(S_formats[i].name, format)) {
            if (ext)
                *ext = S_formats[i].ext;
            if (streams)
                *streams = S_formats[i].streams;
            return 0;
        }
    return GROKX_E_INVALID;
}

const char *
grokx_writer_format_name(size_t i)
{
    return i < sizeof S_formats / sizeof S_formats[0] ? S_formats[i].name : NULL;
}

size_t
gx_models(const grokx_conversation *c, grokx_str *out, size_t cap)
{
    size_t i, j, n = 0;
    for (i = 0; i < c->message_count && n < cap; i++) {
        const grokx_message *x = &c->messages[i];
        if (x->role != GROKX_ROLE_ASSISTANT || !x->model.len)
            continue;
        for (j = 0; j < n; j++) /* few distinct models: linear in the messages */
            if (out[j].len == x->model.len && !memcmp(out[j].ptr, x->model.ptr, x->model.len))
                break;
        if (j == n)
            out[n++] = x->model;
    }
    return n;
}
