/*
 * utf8.c -- UTF-8 validation and repair.
 *
 * yajl's own check accepts overlongs, surrogates and code points above
 * U+10FFFF, and turns some \u escapes into invalid bytes, so every string
 * is checked here before a writer or a file name sees it. Policy: repair,
 * never fail. Each maximal invalid subpart (Unicode 15, section 3.9) and
 * each NUL becomes U+FFFD.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/base.h"

static const char S_fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};

/* Valid range of the second byte for lead byte c (first: lo, hi). */
static void
S_second_range(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c == 0xE0)
        *lo = 0xA0; /* no overlongs */
    else if (c == 0xED)
        *hi = 0x9F; /* no surrogates */
    else if (c == 0xF0)
        *lo = 0x90; /* no overlongs */
    else if (c == 0xF4)
        *hi = 0x8F; /* nothing above U+10FFFF */
}

static size_t
S_seq_need(unsigned c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* Returns the length of the valid sequence at s, or 0; when 0, *bad is the
 * length of the maximal invalid subpart (>= 1). */
static size_t
S_check(const unsigned char *s, size_t len, size_t *bad)
{
    unsigned c = s[0], lo, hi;
    size_t need = S_seq_need(c), i;
    if (c < 0x80 && c != 0)
        return 1;
    *bad = 1;
    if (need == 0)
        return 0;
    S_second_range(c, &lo, &hi);
    for (i = 1; i < need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi)
            return 0;
        *bad = i + 1;
        lo = 0x80;
        hi = 0xBF;
    }
    return need;
}

size_t
gx_utf8_seq(const unsigned char *s, size_t len)
{
    size_t bad;
    return len ? S_check(s, len, &bad) : 0;
}

/* Bytes of s before the first byte that is not plain ASCII (or is NUL).
 * Text mixes ASCII with other scripts and emoji, so runs are often short:
 * the first offending byte of a block is found from its mask, not by
 * stepping to it. */
static size_t
S_ascii_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint64_t w, m;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int mask = _mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero)));
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (i + 8 <= len) {
        memcpy(&w, s + i, 8);
        /* a byte >= 0x80, or a 0 (the borrow only marks bytes above it) */
        m = (w & 0x8080808080808080ull) | ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull);
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t)__builtin_ctzll(m) / 8;
#else
            break;
#endif
        }
        i += 8;
    }
    while (i < len && s[i] < 0x80 && s[i] != 0)
        i++;
    return i;
}

size_t
gx_utf8_repaired_len(const char *str, size_t len, size_t *nbad)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, out = 0, bad, n;
    *nbad = 0;
    while (i < len) {
        n = S_ascii_prefix(s + i, len - i);
        i += n;
        out += n;
        if (i >= len)
            break;
        n = S_check(s + i, len - i, &bad);
        if (n) {
            i += n;
            out += n;
        } else {
            i += bad;
            out += 3;
            ++*nbad;
        }
        if (out < n) /* overflow guard, never on real sizes */
            return SIZE_MAX;
    }
    return out;
}

void
gx_utf8_repair(char *dst, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, bad, n;
    while (i < len) {
        n = S_ascii_prefix(s + i, len - i);
        memcpy(dst, s + i, n);
        dst += n;
        i += n;
        if (i >= len)
            break;
        n = S_check(s + i, len - i, &bad);
        if (n) {
            memcpy(dst, s + i, n);
            dst += n;
            i += n;
        } else {
            memcpy(dst, S_fffd, 3);
            dst += 3;
            i += bad;
        }
    }
}

static int
S_cont(unsigned c)
{
    return (c & 0xC0) == 0x80;
}

/* S_check without *bad, for gx_utf8_valid: the common leads inline (two-
 * byte, three-byte other than E0 and ED, F0 for emoji), the rest checked
 * by S_check. The length of the valid sequence at s (s[0] >= 0x80), or 0. */
static size_t
S_seq_valid(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    size_t bad;
    if (c - 0xC2u <= 0xDFu - 0xC2u)
        return len >= 2 && S_cont(s[1]) ? 2 : 0;
    if (c - 0xE1u <= 0xEFu - 0xE1u && c != 0xED)
        return len >= 3 && S_cont(s[1]) && S_cont(s[2]) ? 3 : 0;
    if (c == 0xF0)
        return len >= 4 && s[1] >= 0x90 && S_cont(s[1]) && S_cont(s[2]) && S_cont(s[3]) ? 4 : 0;
    return S_check(s, len, &bad);
}

int
gx_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n;
    while (i < len) {
        i += S_ascii_prefix(s + i, len - i);
        /* a run of other scripts (CJK, emoji) is checked sequence by sequence */
        while (i < len && s[i] >= 0x80) {
            if (!(n = S_seq_valid(s + i, len - i)))
                return 0;
            i += n;
        }
        if (i < len && s[i] == 0)
            return 0;
    }
    return 1;
}

uint32_t
gx_utf8_decode(const unsigned char *s, size_t n)
{
    if (n == 1)
        return s[0];
    if (n == 2)
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (n == 3)
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}
