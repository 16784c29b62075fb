/*
 * version.c -- the library's version, as the running binary has it.
 */
#include "base/base.h"

unsigned
grokx_version(void)
{
    return GROKX_VERSION_NUM;
}

const char *
grokx_version_string(void)
{
    return GROKX_VERSION_STRING;
}
