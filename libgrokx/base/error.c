/*
 * error.c -- the library's error texts (grokx_strerror) and the one way an
 * error record is filled (gx_err_set).
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

const char *
grokx_strerror(int code)
{
    switch (code) {
    case GROKX_OK: return "success";
    case GROKX_E_NOMEM: return "out of memory";
    case GROKX_E_SYNTAX: return "malformed JSON";
    case GROKX_E_LIMIT: return "a size or nesting limit was exceeded";
    case GROKX_E_SCHEMA: return "not a Grok export";
    case GROKX_E_IO: return "input/output error";
    case GROKX_E_WRITER: return "a writer failed";
    case GROKX_E_STATE: return "call out of order";
    case GROKX_E_VERSION: return "unsupported ABI version";
    case GROKX_E_INVALID: return "invalid argument";
    case GROKX_E_TRUNCATED: return "unexpected end of input";
    case GROKX_E_NOTFOUND: return "not found";
    case GROKX_E_ARCHIVE: return "corrupt, truncated or unsupported archive";
    case GROKX_E_CANCELLED: return "stopped on request";
    case GROKX_E_CORRUPT: return "not a libgrokx index, or a damaged one";
    case GROKX_E_QUERY: return "the query cannot be read";
    default: return "unknown error";
    }
}

int
gx_err_set(grokx_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
    }
    return code;
}
