/*
 * fuzz_input.c -- libFuzzer harness for the container path: the bytes are
 * an export held in memory (ZIP, gzip or JSON). The backend is parsed
 * into the events writer, then every attachment is opened and read to
 * its end. Invariants beyond "no crash": an asset's bytes never exceed
 * its declared size, and an asset read to its end without an error gave
 * exactly that size (the size and CRC-32 are checked before the end is
 * reported); every failure other than "not found" says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grokx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
discard(void *ud, const char *buf, size_t len)
{
    (void)ud;
    (void)buf;
    (void)len;
    return 0;
}

static int
read_asset(void *ud, const grokx_entry *e)
{
    grokx_input *in = ud;
    grokx_asset *a;
    unsigned char buf[4096];
    size_t got;
    uint64_t total = 0;
    int rc;
    if (e->kind != GROKX_ENTRY_ASSET)
        return 0;
    if ((rc = grokx_asset_open(in, e->asset_id.ptr, &a)) != 0) {
        /* corrupt entries fail cleanly, and say which member */
        if (rc != GROKX_E_NOTFOUND && !grokx_input_asset_error(in)[0])
            abort();
        return 0;
    }
    while ((rc = grokx_asset_read(a, buf, sizeof buf, &got)) == 0 && got)
        total += got;
    if (total > grokx_asset_size(a))
        abort();
    /* an end without an error comes only after the size (and CRC) checks */
    if (rc == 0 && total != grokx_asset_size(a))
        abort();
    if (rc != 0 && !grokx_input_asset_error(in)[0])
        abort();
    grokx_asset_close(a);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    grokx_input_options io = {GROKX_ABI_VERSION, (uint64_t)64 << 20, (uint64_t)16 << 20};
    grokx_writer_config cfg;
    grokx_input *in = NULL;
    grokx_writer *w = NULL;
    grokx_parser *p;
    grokx_error err;
    if (grokx_input_open_memory(data, size, &io, &in, &err) != 0)
        return 0;
    grokx_writer_config_init(&cfg);
    cfg.sink.write = discard;
    cfg.input = in;
    if (grokx_writer_create("events", &cfg, &w) != 0 || !(p = grokx_parser_new(NULL, w)))
        abort();
    grokx_input_parse(in, p);
    grokx_input_entries(in, read_asset, in);
    grokx_parser_free(p);
    grokx_writer_free(w);
    grokx_input_close(in);
    return 0;
}
