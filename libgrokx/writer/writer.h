/*
 * writer/writer.h -- the writer stage: the handle every format and the
 * parser talk through. Owns: writer handles and the tee, the writer
 * thread, deep copies of the model (for that thread), the filter.
 * Uses: base/.
 */
#ifndef GROKX_WRITER_WRITER_H
#define GROKX_WRITER_WRITER_H

#include "base/base.h"

struct grokx_writer {
    grokx_writer_vtable vt;
    void *self;
};

/* Call a writer callback and map its result to a return code. */
int gx_writer_call_status(int rc);

/* The models of c's answers, distinct, in order of use, at most cap of
 * them (GX_MODELS_MAX is plenty) into out; returns how many. */
#define GX_MODELS_MAX 32
size_t gx_models(const grokx_conversation *c, grokx_str *out, size_t cap);


/* ---- model_copy.c: deep copies that outlive a callback ------------------ */

/* Bytes of one block that holds a copy of c (or it) with every string and
 * array it points to; then the copy into block (malloc-aligned, at least
 * that big). dst points into block and may be used until it is freed. */
size_t gx_conv_copy_size(const grokx_conversation *c);
void gx_conv_copy(void *block, const grokx_conversation *src, grokx_conversation *dst);
size_t gx_item_copy_size(const grokx_item *it);
void gx_item_copy(void *block, const grokx_item *src, grokx_item *dst);

#endif /* GROKX_WRITER_WRITER_H */
