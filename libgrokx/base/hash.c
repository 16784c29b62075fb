/*
 * hash.c -- the 64-bit hash of note bytes (the manifest's change and edit
 * detection) and of names and ids in tables; the one FNV-1a (64 and 32
 * bits) behind version-1 manifests, names, message ids and index terms.
 *
 * gx_hash64 is XXH64 with seed 0, as specified by xxHash (Yann Collet):
 * 8 bytes a step in four lanes, so hashing every note costs a few percent of
 * a byte-at-a-time hash. Its values are stored in manifests (version 2), so
 * they must never change; tests/system/test_unit.c holds reference values that
 * xxhsum -H64 gives. gx_hash64_v1 (FNV-1a) is what version-1 manifests hold,
 * kept only to read them.
 */
#include <string.h>

#include "base/base.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t
S_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* little-endian loads, whatever the host's byte order */
static uint64_t
S_read64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static uint64_t
S_read32(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

static uint64_t
S_round(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = S_rotl(acc, 31);
    return acc * P1;
}

static uint64_t
S_merge(uint64_t h, uint64_t v)
{
    h ^= S_round(0, v);
    return h * P1 + P4;
}

uint64_t
gx_hash64(const void *data, size_t n)
{
    const unsigned char *p = data, *end = p + n;
    uint64_t h;
    if (n >= 32) {
        uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
        const unsigned char *last = end - 32;
        do {
            v1 = S_round(v1, S_read64(p));
            v2 = S_round(v2, S_read64(p + 8));
            v3 = S_round(v3, S_read64(p + 16));
            v4 = S_round(v4, S_read64(p + 24));
            p += 32;
        } while (p <= last);
        h = S_rotl(v1, 1) + S_rotl(v2, 7) + S_rotl(v3, 12) + S_rotl(v4, 18);
        h = S_merge(h, v1);
        h = S_merge(h, v2);
        h = S_merge(h, v3);
        h = S_merge(h, v4);
    } else {
        h = P5;
    }
    h += (uint64_t)n;
    for (; end - p >= 8; p += 8) {
        h ^= S_round(0, S_read64(p));
        h = S_rotl(h, 27) * P1 + P4;
    }
    if (end - p >= 4) {
        h ^= S_read32(p) * P1;
        h = S_rotl(h, 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++) {
        h ^= *p * P5;
        h = S_rotl(h, 11) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

/* ---- FNV-1a (Fowler, Noll, Vo): a byte at a time, for short keys ------ */

uint64_t
gx_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    while (n--)
        h = (h ^ *s++) * GX_FNV64_PRIME;
    return h;
}

uint32_t
gx_fnv1a32(uint32_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    while (n--)
        h = (h ^ *s++) * GX_FNV32_PRIME;
    return h;
}

uint64_t
gx_hash64_v1(const void *data, size_t n)
{
    return gx_fnv1a64(GX_FNV64_BASIS_V1, data, n);
}
