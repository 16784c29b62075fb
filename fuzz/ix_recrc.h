/*
 * ix_recrc.h -- make every checksum of a (damaged) index match its bytes
 * again: the page checksums (PAGES), the sections' and the directory's.
 * Damage then gets past the checksums to the structural checks behind
 * them. For fuzz/fuzz_index.c and tests/index/test_index.c; header-only.
 */
#ifndef GX_FUZZ_IX_RECRC_H
#define GX_FUZZ_IX_RECRC_H

#include <zlib.h>

#include "index/ix.h"

static void
ix_recrc(unsigned char *b, size_t n)
{
    uint64_t dir, k, poff, plen;
    unsigned char *pr;
    if (n < GX_IX_PRELUDE + GX_IX_FOOTER)
        return;
    dir = gx_le64(b + n - GX_IX_FOOTER);
    if (dir > n - GX_IX_FOOTER ||
        n - GX_IX_FOOTER - dir < GX_IX_DIR_FIXED + GX_SEC_COUNT * GX_IX_SECTION_REC)
        return;
    pr = b + dir + GX_IX_DIR_FIXED + (GX_SEC_PAGES - 1) * GX_IX_SECTION_REC;
    poff = gx_le64(pr + 8), plen = gx_le64(pr + 16);
    if (poff <= dir && plen <= dir - poff)
        for (k = 0; k * 4 + 4 <= plen && k * GX_IX_PAGE < poff; k++)
            gx_put32(b + poff + k * 4,
                     (uint32_t)crc32(0, b + k * GX_IX_PAGE,
                                     (uInt)GX_MIN((uint64_t)GX_IX_PAGE, poff - k * GX_IX_PAGE)));
    for (k = 0; k < GX_SEC_COUNT; k++) {
        unsigned char *r = b + dir + GX_IX_DIR_FIXED + k * GX_IX_SECTION_REC;
        uint64_t off = gx_le64(r + 8), len = gx_le64(r + 16);
        if (off <= dir && len <= dir - off)
            gx_put32(r + 4, (uint32_t)crc32(0, b + off, (uInt)len));
    }
    gx_put32(b + n - GX_IX_FOOTER + 16,
             (uint32_t)crc32(0, b + dir, GX_IX_DIR_FIXED + GX_SEC_COUNT * GX_IX_SECTION_REC));
}

#endif
