/*
 * input/input.h -- the input stage as the stages above it see it: the
 * public grokx_input_* and grokx_asset_* functions (grokx.h) and
 * grokx_parse_path. Owns: opening an export (ZIP, folder, JSON, gzip,
 * stdin), checking every member, sniffing what is not an export, feeding
 * the parser (on a second thread when inflating). Uses: base/, writer/,
 * parse/. input/backend.h is private to this folder: the dispatch
 * (input.c, asset.c), the back ends (zip.c, folder.c, gzip.c, plain.c,
 * and pump.c, their inflating thread) and their shared core (entries.c,
 * source.c, sniff.c) share it; calls point that way only.
 */
#ifndef GROKX_INPUT_INPUT_H
#define GROKX_INPUT_INPUT_H

#include "parse/parse.h"

/* Appended to an archive error of the conversations member found after
 * some of its bytes were parsed (a CRC-32 or size mismatch at its end). */
#define GX_DAMAGED_TAIL                                                                         \
    ": the export is damaged: anything written from it by this run (notes, pages) may hold "  \
    "damaged text; download the export again"

/* The path the input was opened from, as given; NULL for memory. */
const char *gx_input_path(const grokx_input *in);

#endif /* GROKX_INPUT_INPUT_H */
