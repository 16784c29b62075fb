/*
 * index/index.h -- the index stage as the stages above it see it.
 * Owns: the full-text index (tokenizing, building, the file format,
 * reading, merging, queries: the public grokx_index_* functions).
 * Uses: base/, writer/, parse/, input/, render/ (cards), out/ (layout, for
 * the attachments an index records). index/ix.h is private to this folder.
 */
#ifndef GROKX_INDEX_INDEX_H
#define GROKX_INDEX_INDEX_H

#include "out/out.h"

/* The "index" format's writer (build.c), made by formats/registry.c. */
int gx_writer_index_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);

#endif /* GROKX_INDEX_INDEX_H */
