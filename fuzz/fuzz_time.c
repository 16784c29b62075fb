/*
 * fuzz_time.c -- libFuzzer harness for the export's time forms
 * (base/timestamp.c): any bytes as a time string (ISO 8601 with 0-9+
 * fraction digits and offsets, or a number of s/ms/us/ns told apart by
 * magnitude), and the first 16 bytes also as {seconds, nanos} (int64 each).
 * Invariants: a time read lies in years 0-9999 (ISO with an offset may
 * cross a year's edge by a day), ns < 10^6, digits <= 9; printed with
 * gx_time_format_fine it reads back as the same instant, with
 * max(3, digits) digits, and nothing past them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MS_MIN (-62167219200000LL) /* 0000-01-01 */
#define MS_MAX 253402300799999LL   /* 9999-12-31T23:59:59.999 */
#define DAY 86400000LL

static const uint32_t S_cut[10] = {1000000, 1000000, 1000000, 1000000, 100000, 10000, 1000, 100, 10, 1};

static void
S_check(const gx_time_fine *t)
{
    char buf[40];
    gx_time_fine back;
    int digits = t->digits < 3 ? 3 : t->digits;
    if (t->ns >= 1000000 || t->digits > 9 || t->ms < MS_MIN - DAY || t->ms > MS_MAX + DAY)
        abort();
    if (t->ns % S_cut[t->digits]) /* a digit the export did not give */
        abort();
    if (t->ms < MS_MIN || t->ms > MS_MAX)
        return; /* outside the formatter's years: not printed in full */
    gx_time_format_fine(t->ms, t->ns, t->digits, buf);
    if (strlen(buf) != (size_t)(21 + digits))
        abort();
    if (gx_time_parse_iso_fine(buf, strlen(buf), &back) || back.ms != t->ms ||
        back.ns != t->ns || back.digits != digits)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gx_time_fine t;
    const char *s = (const char *)data;
    if (!gx_time_parse_any(s, size, &t))
        S_check(&t);
    if (!gx_time_parse_number(s, size, &t))
        S_check(&t);
    if (size >= 16) {
        int64_t secs, nanos;
        memcpy(&secs, data, 8);
        memcpy(&nanos, data + 8, 8);
        if (!gx_time_from_parts(secs, nanos, 9, &t)) /* as the parser: nanos given, 9 digits */
            S_check(&t);
    }
    return 0;
}
