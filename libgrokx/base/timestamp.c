/*
 * timestamp.c -- the export's time forms, to and from milliseconds since
 * the epoch (UTC). No libc time zone functions: results never depend on
 * the machine's TZ.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t
S_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void
S_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Read exactly n digits at s[*i]; -1 if not digits. */
static int
S_digits(const char *s, size_t len, size_t *i, int n)
{
    int v = 0;
    while (n--) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[(*i)++] - '0');
    }
    return v;
}

static int
S_expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i < len && s[*i] == c) {
        ++*i;
        return 0;
    }
    return -1;
}

static int
S_days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* Parse "(Z|z|+HH:MM|-HH:MM|+HHMM|)" into minutes east of UTC. */
static int
S_zone(const char *s, size_t len, size_t *i, int *minutes)
{
    int sign, hh, mm;
    *minutes = 0;
    if (*i == len)
        return 0;
    if (s[*i] == 'Z' || s[*i] == 'z') {
        ++*i;
        return 0;
    }
    if (s[*i] != '+' && s[*i] != '-')
        return -1;
    sign = s[(*i)++] == '-' ? -1 : 1;
    if ((hh = S_digits(s, len, i, 2)) < 0 || hh > 23)
        return -1;
    if (*i < len && s[*i] == ':')
        ++*i;
    if ((mm = S_digits(s, len, i, 2)) < 0 || mm > 59)
        return -1;
    *minutes = sign * (hh * 60 + mm);
    return 0;
}

int
gx_time_parse_iso(const char *s, size_t len, grokx_time *out)
{
    gx_time_fine f;
    if (gx_time_parse_iso_fine(s, len, &f))
        return -1;
    *out = f.ms;
    return 0;
}

int
gx_time_parse_iso_fine(const char *s, size_t len, gx_time_fine *out)
{
    size_t i = 0;
    int y, mo, d, h, mi, sec = 0, ms = 0, zone, digits = 0;
    uint32_t ns = 0; /* the fraction's digits past the millisecond, as nanoseconds */
    if ((y = S_digits(s, len, &i, 4)) < 0 || S_expect(s, len, &i, '-') ||
        (mo = S_digits(s, len, &i, 2)) < 1 || mo > 12 || S_expect(s, len, &i, '-') ||
        (d = S_digits(s, len, &i, 2)) < 1 || d > S_days_in_month(y, mo))
        return -1;
    if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
        return -1;
    i++;
    if ((h = S_digits(s, len, &i, 2)) < 0 || h > 23 || S_expect(s, len, &i, ':') ||
        (mi = S_digits(s, len, &i, 2)) < 0 || mi > 59)
        return -1;
    if (i < len && s[i] == ':') {
        i++;
        if ((sec = S_digits(s, len, &i, 2)) < 0 || sec > 60)
            return -1;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            int k;
            for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (s[i] - '0');
                else if (digits < 9) /* past nanoseconds: cut (no clock gives more) */
                    ns = ns * 10 + (uint32_t)(s[i] - '0');
            if (digits == 0)
                return -1;
            for (k = digits; k < 3; k++)
                ms *= 10;
            for (k = digits < 3 ? 3 : digits; k < 9; k++)
                ns *= 10;
        }
    }
    if (S_zone(s, len, &i, &zone) || i != len)
        return -1;
    out->ms = ((S_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                sec - (int64_t)zone * 60) *
               1000) +
              ms;
    out->ns = ns;
    out->digits = (uint8_t)(digits > 9 ? 9 : digits);
    return 0;
}

/* ---- numbers: seconds, milliseconds, microseconds or nanoseconds ------ */

/* Every time must stay within years 0-9999 (far from GROKX_TIME_NONE and
 * within the formatter's fast path). */
#define S_MS_MAX 253402300799999LL   /* 9999-12-31T23:59:59.999Z */
#define S_MS_MIN (-62167219200000LL) /* 0000-01-01T00:00:00.000Z */

/* ms + ns (|ns| below 10^9, either sign) into out, normalised so that
 * 0 <= out->ns < 10^6; -1 when out of range. */
static int
S_fine_set(int64_t ms, int64_t ns, int digits, gx_time_fine *out)
{
    ms += ns / 1000000;
    ns %= 1000000;
    if (ns < 0) {
        ns += 1000000;
        ms--;
    }
    if (ms > S_MS_MAX || ms < S_MS_MIN)
        return -1;
    out->ms = ms;
    out->ns = (uint32_t)ns;
    out->digits = (uint8_t)digits;
    return 0;
}

int
gx_time_from_parts(int64_t secs, int64_t nanos, int digits, gx_time_fine *out)
{
    if (secs > S_MS_MAX / 1000 || secs < S_MS_MIN / 1000 || nanos < 0 || nanos > 999999999)
        return -1;
    return S_fine_set(secs * 1000 + nanos / 1000000, nanos % 1000000, digits, out);
}

/* The unit a bare number is in, from its magnitude (of its integer part):
 *   below 10^11           seconds       (10^11 s is the year 5138)
 *   10^11 to below 10^14  milliseconds  (10^11 ms is 1973-03-03)
 *   10^14 to below 10^17  microseconds  (10^14 us is 1973-03-03)
 *   10^17 and above       nanoseconds   (10^17 ns is 1973-03-03)
 * So any time from March 1973 to the year 5138 is read right in each unit;
 * what is lost is a millisecond count before March 1973 (read as seconds),
 * which no chat export holds. Returns the unit's digits: 0, 3, 6 or 9. */
static int
S_unit_digits(uint64_t v)
{
    return v < 100000000000ull ? 0 : v < 100000000000000ull ? 3 : v < 100000000000000000ull ? 6 : 9;
}

int
gx_time_parse_number(const char *s, size_t len, gx_time_fine *out)
{
    static const int64_t pow10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                      10000000, 100000000, 1000000000};
    size_t i = 0;
    int neg = 0, unit, frac = 0, k;
    uint64_t v = 0;
    int64_t per_ns, whole_ns, frac_ns = 0, ms;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len || s[i] < '0' || s[i] > '9')
        return -1;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    unit = S_unit_digits(v);
    per_ns = pow10[9 - unit]; /* nanoseconds per unit */
    if (i < len && s[i] == '.') { /* a fraction of the unit: kept to the nanosecond */
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, frac++)
            if (unit + frac < 9)
                frac_ns = frac_ns * 10 + (s[i] - '0');
        if (!frac)
            return -1;
        for (k = unit + (frac < 9 - unit ? frac : 9 - unit); k < 9; k++)
            frac_ns *= 10;
    }
    if (i != len)
        return -1; /* exponents and garbage are not times */
    /* v units = (v / per_ms) ms + remainder; keep everything in ns below the ms */
    if (unit == 0) {
        if (v > (uint64_t)S_MS_MAX / 1000 + 1)
            return -1;
        ms = (int64_t)v * 1000;
        whole_ns = 0;
    } else {
        int64_t per_ms = pow10[unit - 3]; /* units per millisecond: 1, 1000, 10^6 */
        ms = (int64_t)(v / (uint64_t)per_ms);
        whole_ns = (int64_t)(v % (uint64_t)per_ms) * per_ns;
        if (ms > S_MS_MAX + 1)
            return -1;
    }
    whole_ns += frac_ns;
    k = unit + frac > 9 ? 9 : unit + frac;
    if (neg) /* -(ms + ns): the instant before the epoch, ns kept non-negative */
        return S_fine_set(-ms, -whole_ns, k, out);
    return S_fine_set(ms, whole_ns, k, out);
}

int
gx_time_parse_any(const char *s, size_t len, gx_time_fine *out)
{
    return gx_time_parse_iso_fine(s, len, out) && gx_time_parse_number(s, len, out) ? -1 : 0;
}

/* v as exactly n decimal digits (v < 10^n). */
static void
S_put_digits(char *p, unsigned v, int n)
{
    while (n--) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void
gx_time_format(grokx_time t, char *buf)
{
    int64_t days, secs, y;
    unsigned m, d;
    int ms;
    if (t == GROKX_TIME_NONE) {
        strcpy(buf, "-");
        return;
    }
    days = t / 86400000;
    secs = t % 86400000;
    if (secs < 0) {
        secs += 86400000;
        days--;
    }
    ms = (int)(secs % 1000);
    secs /= 1000;
    S_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) { /* every real date: digits by hand (printf was a tenth of html) */
        S_put_digits(buf, (unsigned)y, 4);
        buf[4] = '-';
        S_put_digits(buf + 5, m, 2);
        buf[7] = '-';
        S_put_digits(buf + 8, d, 2);
        buf[10] = 'T';
        S_put_digits(buf + 11, (unsigned)(secs / 3600), 2);
        buf[13] = ':';
        S_put_digits(buf + 14, (unsigned)(secs / 60 % 60), 2);
        buf[16] = ':';
        S_put_digits(buf + 17, (unsigned)(secs % 60), 2);
        buf[19] = '.';
        S_put_digits(buf + 20, (unsigned)ms, 3);
        buf[23] = 'Z';
        buf[24] = 0;
        return;
    }
    char tmp[96]; /* roomy for any int64 year; real years fit in 24 bytes */
    snprintf(tmp, sizeof tmp, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), ms);
    memcpy(buf, tmp, 31);
    buf[31] = 0;
}

/* ---- printing with the export's precision ----------------------------- */

void
gx_time_format_fine(grokx_time t, uint32_t ns, int digits, char *buf)
{
    gx_time_format(t, buf);
    if (t == GROKX_TIME_NONE || digits <= 3 || ns > 999999 || buf[0] == '-' || strlen(buf) != 24)
        return; /* milliseconds (always shown), or nothing finer to show */
    if (digits > 9)
        digits = 9;
    { /* "....SS.mmmZ" -> "....SS.mmm" + digits - 3 more + "Z" */
        char more[8];
        S_put_digits(more, ns, 6);
        memcpy(buf + 23, more, (size_t)(digits - 3));
        buf[20 + digits] = 'Z';
        buf[21 + digits] = 0;
    }
}

int
gx_time_parse_ms(const char *s, size_t len, grokx_time *out)
{
    size_t i = 0;
    int neg = 0;
    int64_t v = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len)
        return -1;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') /* a fraction of a millisecond: drop it */
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    if (i != len)
        return -1; /* exponents and garbage are not times */
    /* keep far from GROKX_TIME_NONE and the formatter's year range */
    if (v > 253402300799999LL) /* 9999-12-31T23:59:59.999Z */
        return -1;
    *out = neg ? -v : v;
    return 0;
}

int
grokx_time_parse(const char *s, grokx_time *out, int *date_only)
{
    size_t len = s ? strlen(s) : 0;
    char tmp[32];
    if (date_only)
        *date_only = 0;
    if (len == 10) { /* a date alone: its midnight */
        snprintf(tmp, sizeof tmp, "%sT00:00:00Z", s);
        if (date_only)
            *date_only = 1;
        return gx_time_parse_iso(tmp, strlen(tmp), out) ? GROKX_E_INVALID : 0;
    }
    return s && !gx_time_parse_iso(s, len, out) ? 0 : GROKX_E_INVALID;
}

void
gx_time_human(grokx_time t, int tz, char *buf, size_t n, int with_zone)
{
    char iso[32];
    if (t == GROKX_TIME_NONE) {
        snprintf(buf, n, "undated");
        return;
    }
    gx_time_format(t + (grokx_time)tz * 60000, iso);
    if (n >= 24 && iso[10] == 'T' && tz > -6000 && tz < 6000) { /* without printf */
        memcpy(buf, iso, 10);
        buf[10] = ' ';
        memcpy(buf + 11, iso + 11, 5);
        if (!with_zone) {
            buf[16] = 0;
        } else if (tz == 0) {
            memcpy(buf + 16, " UTC", 5);
        } else {
            buf[16] = ' ';
            buf[17] = tz < 0 ? '-' : '+';
            S_put_digits(buf + 18, (unsigned)(abs(tz) / 60 % 100), 2);
            buf[20] = ':';
            S_put_digits(buf + 21, (unsigned)(abs(tz) % 60), 2);
            buf[23] = 0;
        }
        return;
    }
    if (!with_zone)
        snprintf(buf, n, "%.10s %.5s", iso, iso + 11);
    else if (tz == 0)
        snprintf(buf, n, "%.10s %.5s UTC", iso, iso + 11);
    else
        snprintf(buf, n, "%.10s %.5s %c%02d:%02d", iso, iso + 11, tz < 0 ? '-' : '+',
                 abs(tz) / 60, abs(tz) % 60);
}

void
gx_time_iso_offset(grokx_time t, int tz, char *buf, size_t n)
{
    gx_time_iso_offset_fine(t, 0, 3, tz, buf, n);
}

void
gx_time_iso_offset_fine(grokx_time t, uint32_t ns, int digits, int tz, char *buf, size_t n)
{
    char iso[40];
    size_t len;
    gx_time_format_fine(t + (grokx_time)tz * 60000, ns, digits, iso);
    len = strlen(iso);
    if (len > 24 && iso[len - 1] == 'Z') /* finer than milliseconds: all of it, less the Z */
        len--;
    else
        len = 23;
    snprintf(buf, n, "%.*s%c%02d:%02d", (int)len, iso, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t
S_days(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int
gx_tz_at(unsigned flags, int tz_minutes, grokx_time t)
{
    time_t s;
    struct tm lt;
    int64_t local;
    if (!(flags & GROKX_WF_LOCAL_TIME) || t == GROKX_TIME_NONE)
        return tz_minutes;
    s = (time_t)(t / 1000 - (t % 1000 < 0));
    if (!localtime_r(&s, &lt))
        return tz_minutes;
    /* the local wall clock read back as if it were UTC, minus the instant */
    local = S_days((int64_t)lt.tm_year + 1900, (unsigned)lt.tm_mon + 1, (unsigned)lt.tm_mday) * 86400 +
            lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec;
    return (int)((local - (int64_t)s) / 60);
}

void
gx_time_local(unsigned flags, int tz_minutes, grokx_time t, char iso[32])
{
    if (t == GROKX_TIME_NONE)
        strcpy(iso, "undated");
    else
        gx_time_format(t + (grokx_time)gx_tz_at(flags, tz_minutes, t) * 60000, iso);
}

long long
gx_thinking_seconds(const grokx_message *m)
{
    uint64_t d;
    if (m->thinking_start == GROKX_TIME_NONE || m->thinking_end == GROKX_TIME_NONE ||
        m->thinking_end < m->thinking_start)
        return -1;
    d = (uint64_t)m->thinking_end - (uint64_t)m->thinking_start; /* no signed overflow */
    return (long long)(d / 1000 + (d % 1000 >= 500));
}
