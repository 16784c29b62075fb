/*
 * formats/formats.h -- the formats stage: the built-in writers a user names
 * (events, md, html, sqlite; the index's is index/) and the registry that makes
 * them by name (grokx_writer_create). Uses: every stage below.
 */
#ifndef GROKX_FORMATS_FORMATS_H
#define GROKX_FORMATS_FORMATS_H

#include "index/index.h"

/* Each returns 0 or a GROKX_E_* code, and on failure fills err (may be
 * NULL) with what went wrong when it has words for it (a folder that
 * cannot be made, a lock held); registry.c fills it otherwise. */
int gx_writer_events_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);
int gx_writer_md_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);
int gx_writer_sqlite_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);
int gx_writer_html_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err);

/* The first 16 bytes of every SQLite 3 database (sqlite.c's output):
 * a re-run replaces only a file that begins so (or an empty one), and
 * then only when its application_id says grokx wrote it. */
#define GX_SQLITE_SIGNATURE "SQLite format 3"

#endif /* GROKX_FORMATS_FORMATS_H */
