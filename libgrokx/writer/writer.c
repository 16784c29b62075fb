/*
 * writer.c -- writer handles and the tee writer. The registry of built-in
 * formats is formats/registry.c.
 */
#include <string.h>
#include <stdlib.h>

#include "writer/writer.h"

int
grokx_writer_wrap(const grokx_writer_vtable *vt, void *self, grokx_writer **out)
{
    grokx_writer *w;
    if (!out)
        return GROKX_E_INVALID;
    *out = NULL;
    if (!vt)
        return GROKX_E_INVALID;
    if (vt->abi_version != GROKX_ABI_VERSION)
        return GROKX_E_VERSION;
    w = malloc(sizeof *w);
    if (!w)
        return GROKX_E_NOMEM;
    w->vt = *vt;
    w->self = self;
    *out = w;
    return GROKX_OK;
}

/* Kept for compatibility: grokx_writer_wrap() says which failure. */
grokx_writer *
grokx_writer_new(const grokx_writer_vtable *vt, void *self)
{
    grokx_writer *w;
    return grokx_writer_wrap(vt, self, &w) ? NULL : w;
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
