/*
 * mime_lang.c -- the language a code fence names for an artifact's
 * contentType: Grok writes MIME types ("text/x-python",
 * "application/javascript"), highlighters (Obsidian, GitHub, highlight.js
 * through class="language-...") want language names ("python",
 * "javascript"). One map, used wherever a fence language comes from a
 * type (cards.c, for both the md and the html writer).
 */
#include <stdio.h>
#include <string.h>

#include "render/render.h"

/* MIME types whose language is not their subtype with "x-" taken off. */
static const struct {
    const char *mime, *lang;
} S_map[] = {
    {"text/plain", ""},
    {"text/x-c++src", "cpp"}, {"text/x-c++hdr", "cpp"}, {"text/x-c++", "cpp"},
    {"text/x-csrc", "c"}, {"text/x-chdr", "c"},
    {"text/x-csharp", "csharp"},
    {"text/x-java-source", "java"},
    {"text/x-python-script", "python"}, {"application/x-python-code", "python"},
    {"application/javascript", "javascript"}, {"text/javascript", "javascript"},
    {"application/x-javascript", "javascript"}, {"text/ecmascript", "javascript"},
    {"application/ecmascript", "javascript"},
    {"text/x-sh", "sh"}, {"application/x-sh", "sh"}, {"text/x-shellscript", "sh"},
    {"application/x-shellscript", "sh"}, {"application/x-bash", "bash"},
    {"text/x-markdown", "markdown"}, {"text/markdown", "markdown"},
    {"application/xhtml+xml", "html"},
    {"image/svg+xml", "xml"},
    {"application/x-httpd-php", "php"},
    {"application/x-tex", "latex"}, {"text/x-tex", "latex"},
    {"text/x-objcsrc", "objectivec"},
    {"text/x-protobuf", "protobuf"},
    {"application/vnd.ms-powershell", "powershell"},
};

/* lowered, parameters dropped: "Text/X-Python; charset=utf-8" -> "text/x-python" */
static size_t
S_lower(const char *type, char *out, size_t cap)
{
    size_t i, n = 0;
    while (*type == ' ' || *type == '\t')
        type++;
    for (i = 0; type[i] && type[i] != ';' && type[i] != ' ' && n + 1 < cap; i++)
        out[n++] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32 : type[i]);
    out[n] = 0;
    return n;
}

void
gx_mime_lang(const char *type, char *out, size_t cap)
{
    char t[128];
    const char *l;
    size_t i, n = 0;
    if (!cap)
        return;
    S_lower(type, t, sizeof t);
    for (i = 0; i < sizeof S_map / sizeof S_map[0]; i++)
        if (!strcmp(t, S_map[i].mime)) {
            snprintf(out, cap, "%s", S_map[i].lang);
            return;
        }
    l = strchr(t, '/') ? strchr(t, '/') + 1 : t; /* "text/python", or a bare "python" */
    if (!strncmp(l, "x-", 2))
        l += 2;
    if (strrchr(l, '+') && strrchr(l, '+')[1]) /* a structured suffix: "ld+json" is JSON */
        l = strrchr(l, '+') + 1;
    /* a fence's info string and a class name: nothing that could end either */
    for (i = 0; l[i] && n + 1 < cap; i++)
        if ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '+' || l[i] == '-')
            out[n++] = l[i];
    out[n] = 0;
    if (!strcmp(out, "plain"))
        out[0] = 0;
}
