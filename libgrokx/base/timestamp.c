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
    size_t i = 0;
    int y, mo, d, h, mi, sec = 0, ms = 0, zone, digits = 0;
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
            for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (s[i] - '0');
            if (digits == 0)
                return -1;
            for (; digits < 3; digits++)
                ms *= 10;
        }
    }
    if (S_zone(s, len, &i, &zone) || i != len)
        return -1;
    *out = ((S_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
             sec - (int64_t)zone * 60) *
            1000) +
           ms;
    return 0;
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
    char iso[32];
    gx_time_format(t + (grokx_time)tz * 60000, iso);
    snprintf(buf, n, "%.23s%c%02d:%02d", iso, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
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
