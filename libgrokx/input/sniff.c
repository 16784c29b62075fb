/*
 * sniff.c -- what an attachment is, from its first bytes. The export
 * stores uploads as extensionless "content" blobs with no MIME type.
 * Also what a file given as the export is when it is none (a PDF, an
 * image, a README, grokx's own index), said before the JSON parser would
 * call its first byte a lexical error.
 */
#include <strings.h>
#include <stdio.h>
#include <string.h>

#include "input/backend.h"

static int
S_at(const unsigned char *h, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off + n && !memcmp(h + off, magic, n);
}

/* Does h[0..len) contain s anywhere? (h is not NUL-terminated) */
static int
S_contains(const unsigned char *h, size_t len, const char *s)
{
    size_t n = strlen(s), i;
    for (i = 0; i + n <= len; i++)
        if (!memcmp(h + i, s, n))
            return 1;
    return 0;
}

/* Which Office format a ZIP holds: its first entry names give it away. */
static const char *
S_office(const unsigned char *h, size_t len, const char **ext)
{
    static const struct { const char *dir, *mime, *ext; } kinds[] = {
        {"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
        {"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
        {"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
    };
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (S_contains(h, len, kinds[k].dir)) {
            *ext = kinds[k].ext;
            return kinds[k].mime;
        }
    *ext = "zip";
    return "application/zip";
}

/* Text: valid UTF-8 (a sequence cut at the end of the sample is fine)
 * without control characters other than whitespace. */
static int
S_is_text(const unsigned char *h, size_t len)
{
    size_t i = 0, n;
    if (len == 0)
        return 0;
    while (i < len) {
        if (h[i] < 0x80) {
            if (h[i] < 0x20 && h[i] != '\n' && h[i] != '\r' && h[i] != '\t' && h[i] != '\f')
                return 0;
            i++;
            continue;
        }
        n = gx_utf8_seq(h + i, len - i);
        if (!n)
            return len - i < 4; /* cut by the sample's end */
        i += n;
    }
    return 1;
}

static const char *
S_text_kind(const unsigned char *h, size_t len, const char **ext)
{
    size_t i = 0;
    while (i < len && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    if (S_at(h, len, i, "<svg", 4) || (S_at(h, len, i, "<?xml", 5) && S_contains(h, len, "<svg")))
        return *ext = "svg", "image/svg+xml";
    if (S_at(h, len, i, "%PDF-", 5))
        return *ext = "pdf", "application/pdf";
    if (i < len && (h[i] == '{' || h[i] == '['))
        return *ext = "json", "application/json";
    if (S_at(h, len, i, "<!DOCTYPE html", 14) || S_at(h, len, i, "<html", 5))
        return *ext = "html", "text/html";
    return *ext = "txt", "text/plain";
}

const char *
grokx_sniff_type(const void *head, size_t len, const char **ext)
{
    const unsigned char *h = head;
    const char *dummy;
    if (!ext)
        ext = &dummy;
    if (S_at(h, len, 0, "\x89PNG\r\n\x1a\n", 8)) return *ext = "png", "image/png";
    if (S_at(h, len, 0, "\xFF\xD8\xFF", 3)) return *ext = "jpg", "image/jpeg";
    if (S_at(h, len, 0, "GIF87a", 6) || S_at(h, len, 0, "GIF89a", 6)) return *ext = "gif", "image/gif";
    if (S_at(h, len, 0, "RIFF", 4) && S_at(h, len, 8, "WEBP", 4)) return *ext = "webp", "image/webp";
    if (S_at(h, len, 0, "RIFF", 4) && S_at(h, len, 8, "WAVE", 4)) return *ext = "wav", "audio/wav";
    if (S_at(h, len, 0, "%PDF-", 5)) return *ext = "pdf", "application/pdf";
    if (S_at(h, len, 0, "PK\x03\x04", 4)) return S_office(h, len, ext);
    if (S_at(h, len, 4, "ftypheic", 8) || S_at(h, len, 4, "ftypheix", 8)) return *ext = "heic", "image/heic";
    if (S_at(h, len, 4, "ftypqt", 6)) return *ext = "mov", "video/quicktime";
    if (S_at(h, len, 4, "ftypM4A", 7)) return *ext = "m4a", "audio/mp4";
    if (S_at(h, len, 4, "ftyp", 4)) return *ext = "mp4", "video/mp4";
    if (S_at(h, len, 0, "\x1A\x45\xDF\xA3", 4)) return *ext = "webm", "video/webm";
    if (S_at(h, len, 0, "OggS", 4)) return *ext = "ogg", "audio/ogg";
    if (S_at(h, len, 0, "ID3", 3) || (len >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0))
        return *ext = "mp3", "audio/mpeg";
    if (S_at(h, len, 0, "fLaC", 4)) return *ext = "flac", "audio/flac";
    if (S_at(h, len, 0, "BM", 2) && len >= 18 && h[15] == 0 && h[16] == 0 && h[17] == 0 &&
        (h[14] == 12 || h[14] == 40 || h[14] == 56 || h[14] == 108 || h[14] == 124))
        return *ext = "bmp", "image/bmp"; /* with a known DIB header size */
    if (S_at(h, len, 0, "\x00\x00\x01\x00", 4)) return *ext = "ico", "image/x-icon";
    if (S_at(h, len, 0, "II*\x00", 4) || S_at(h, len, 0, "MM\x00*", 4)) return *ext = "tiff", "image/tiff";
    if (S_at(h, len, 0, "\x1f\x8b", 2)) return *ext = "gz", "application/gzip";
    if (S_is_text(h, len))
        return S_text_kind(h, len, ext);
    return *ext = "bin", "application/octet-stream";
}

/* ---- what a file given as the export is ------------------------------- */

static const struct {
    const char *mime, *what;
} S_kinds[] = {
    {"image/png", "a PNG image"},
    {"image/jpeg", "a JPEG image"},
    {"image/gif", "a GIF image"},
    {"image/webp", "a WebP image"},
    {"image/heic", "a HEIC image"},
    {"image/bmp", "a BMP image"},
    {"image/x-icon", "an icon"},
    {"image/tiff", "a TIFF image"},
    {"image/svg+xml", "an SVG image"},
    {"application/pdf", "a PDF document"},
    {"audio/wav", "a WAV sound"},
    {"audio/mp4", "an M4A sound"},
    {"audio/ogg", "an Ogg sound"},
    {"audio/mpeg", "an MP3 sound"},
    {"audio/flac", "a FLAC sound"},
    {"video/quicktime", "a QuickTime video"},
    {"video/mp4", "an MP4 video"},
    {"video/webm", "a WebM video"},
    {"application/gzip", "gzip data"},
    {"text/html", "an HTML page"},
};

const char *
gx_sniff_not_export(const unsigned char *h, size_t len, int at_end, char *buf, size_t cap)
{
    const char *mime, *ext;
    size_t i = 0, k;
    if (len >= 8 && !memcmp(h, "GROKXIX\0", 8))
        return "this is a grokx search index: use grokx search INDEX QUERY";
    if (len >= 3 && !memcmp(h, "\xEF\xBB\xBF", 3))
        i = 3; /* a BOM, which the parser accepts */
    while (i < len && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    if (i == len) { /* nothing but whitespace so far */
        if (!at_end)
            return NULL;
        return len ? "this file holds nothing but white space" : "the file is empty";
    }
    if (h[i] == '{' || h[i] == '[')
        return NULL; /* JSON: the parser judges it */
    if ((len - i >= 14 && !strncasecmp((const char *)h + i, "<!doctype html", 14)) ||
        (len - i >= 5 && !strncasecmp((const char *)h + i, "<html", 5)))
        return "this looks like an HTML page";
    mime = grokx_sniff_type(h + i, len - i, &ext);
    for (k = 0; k < sizeof S_kinds / sizeof S_kinds[0]; k++)
        if (!strcmp(mime, S_kinds[k].mime)) {
            snprintf(buf, cap, "this looks like %s", S_kinds[k].what);
            return buf;
        }
    if (!strcmp(mime, "text/plain"))
        snprintf(buf, cap, "this looks like %s, not JSON",
                 h[i] == '#' || (len - i >= 4 && !memcmp(h + i, "---\n", 4))
                     ? "a Markdown text"
                     : "a text file");
    else if (!strcmp(ext, "zip") || !strcmp(ext, "docx") || !strcmp(ext, "xlsx") || !strcmp(ext, "pptx"))
        snprintf(buf, cap, "this looks like a ZIP archive%s", strcmp(ext, "zip") ? " (an Office document)" : "");
    else
        snprintf(buf, cap, "this looks like binary data, not JSON");
    return buf;
}
