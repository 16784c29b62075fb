/*
 * fuzz_md_guard.c -- libFuzzer harness for md_guard.c: any text as a
 * message, guarded, then what the md writer puts after a message (a blank
 * line and the next turn's heading). Invariants, with cmark (CommonMark's
 * reference parser) as the reader: the last top-level block is that
 * heading, i.e. the message swallowed nothing; the message's own bytes
 * come first, unchanged; guarding never fails but for memory.
 */
#include <cmark.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_PREV "## A turn\n\n"
#define S_NEXT "\n## Next turn\n"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gx_mem mem;
    gx_buf b;
    cmark_node *doc, *last, *t;
    const char *text;
    int closed = 0;
    if (size > 65536 || memchr(data, 0, size) || !gx_utf8_valid((const char *)data, size))
        return 0; /* the parser's strings are valid UTF-8 without NUL */
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&b, &mem);
    /* as in a note, the message follows its turn's heading (a BOM is one
     * only at the start of a document) */
    if (gx_buf_put(&b, S_PREV, strlen(S_PREV)) ||
        gx_md_guarded(&b, (const char *)data, size, &closed) != 0 || b.len < strlen(S_PREV) + size ||
        (size && memcmp(b.ptr + strlen(S_PREV), data, size)) || (closed && b.len == strlen(S_PREV) + size))
        abort();
    if (gx_buf_put(&b, S_NEXT, strlen(S_NEXT)) != 0 || !(doc = cmark_parse_document(b.ptr, b.len, 0)))
        abort();
    last = cmark_node_last_child(doc);
    t = last && cmark_node_get_type(last) == CMARK_NODE_HEADING ? cmark_node_first_child(last) : NULL;
    text = t && cmark_node_get_type(t) == CMARK_NODE_TEXT ? cmark_node_get_literal(t) : NULL;
    if (!text || strcmp(text, "Next turn"))
        abort(); /* the message swallowed the next turn */
    cmark_node_free(doc);
    gx_buf_free(&b);
    return 0;
}
