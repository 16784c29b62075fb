/*
 * md_turns.c -- how CommonMark's reference parser (cmark) reads a note:
 * the number of top-level "## You · ...", "## Grok · ..." and "## System · ..." headings, i.e.
 * turns no message swallowed (an unclosed fence or HTML block would hide
 * the turns after it). Used by tests/formats/md/md_check.py when built.
 *   md-turns FILE          prints the count
 *   md-turns --html FILE   prints the note as cmark renders it (tests look
 *                          for text a code block should not hold)
 */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is node a level-2 heading whose text starts with prefix? */
static int
S_heading(cmark_node *node, const char *prefix)
{
    cmark_node *t;
    const char *s;
    if (cmark_node_get_type(node) != CMARK_NODE_HEADING || cmark_node_get_heading_level(node) != 2)
        return 0;
    t = cmark_node_first_child(node);
    s = t && cmark_node_get_type(t) == CMARK_NODE_TEXT ? cmark_node_get_literal(t) : NULL;
    return s && !strncmp(s, prefix, strlen(prefix));
}

int
main(int argc, char **argv)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    cmark_node *doc, *c;
    int turns = 0, html = argc == 3 && !strcmp(argv[1], "--html");
    if (argc != 2 + html || !(f = fopen(argv[1 + html], "rb"))) {
        fprintf(stderr, "usage: md-turns [--html] FILE\n");
        return 2;
    }
    do {
        if (len + 65536 > cap && !(buf = realloc(buf, cap = (len + 65536) * 2)))
            return 2;
        n = fread(buf + len, 1, 65536, f);
        len += n;
    } while (n);
    fclose(f);
    if (!(doc = cmark_parse_document(buf, len, CMARK_OPT_DEFAULT)))
        return 2;
    if (html) {
        char *out = cmark_render_html(doc, CMARK_OPT_DEFAULT);
        fputs(out ? out : "", stdout);
        free(out);
        cmark_node_free(doc);
        free(buf);
        return out ? 0 : 2;
    }
    for (c = cmark_node_first_child(doc); c; c = cmark_node_next(c))
        turns += S_heading(c, "You \xC2\xB7 ") || S_heading(c, "Grok \xC2\xB7 ") ||
                 S_heading(c, "System \xC2\xB7 ");
    cmark_node_free(doc);
    free(buf);
    printf("%d\n", turns);
    return 0;
}
