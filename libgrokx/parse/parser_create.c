/*
 * parser_create.c -- grokx_parser_create(), the constructor in the style of
 * grokx.h ("ERRORS AND CONSTRUCTORS"): it says which failure
 * grokx_parser_new() would only have answered with NULL (an abi_version
 * the library does not know, no writer, no memory). grokx_parser_new()
 * (parser.c) stays for compatibility and does the work.
 */
#include "parse/parse.h"

int
grokx_parser_create(const grokx_options *opts, grokx_writer *w, grokx_parser **out)
{
    if (!out)
        return GROKX_E_INVALID;
    *out = NULL;
    if (opts && opts->abi_version != GROKX_ABI_VERSION)
        return GROKX_E_VERSION;
    if (!w)
        return GROKX_E_INVALID;
    /* with a known abi_version and a writer, only memory is left to fail */
    *out = grokx_parser_new(opts, w);
    return *out ? GROKX_OK : GROKX_E_NOMEM;
}
