/*
 * md_notes.c -- how GitHub's CommonMark parser (cmark-gfm, with its table
 * and footnote extensions, as Obsidian and GitHub read notes) reads each
 * note: its turns, and its footnotes. Used by tests/formats/md/md_check.py.
 *   md-notes FILE...   one line per file:
 *                      "<turns> <duplicates> <lost> <broken> <file>"
 * turns: top-level "## You · ...", "## Grok · ..." and "## System · ..." headings (no message
 * swallowed the turns after it); duplicates: footnote definitions whose
 * label (case and spaces folded) another definition already has; lost:
 * grokx's own citation definitions (numeric labels) that no reference
 * uses, i.e. a marker the note does not render as one (dropped from a
 * table row, read as code, ...), or renders inside a heading. cmark-gfm keeps the first definition of
 * a label and drops the others and every unreferenced one; dropped
 * definitions are the top-level lines no block of the parsed document
 * covers that read "[^label]:".
 * broken: lines grokx writes as a block of their own that do not stay a
 * one-line paragraph: a callout's header "> [!..." (a paragraph in a block
 * quote), a card's or an artifact's line ("*File: ", "**Artifact: ", ...);
 * the text after them made them a setext heading, a table's header row,
 * or continued them.
 */
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines grokx writes as a one-line paragraph of their own. */
static const char *const S_own[] = {"*File: ", "**Artifact: ", "[Image: ", "![generated image](<",
                                    "Generated image: [", "*A generated image is not in the export.*"};

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

/* The label of a definition "[^label]:" at the start of line (after a
 * container's "> " and spaces when nested), folded: lower case, runs of
 * spaces one, trimmed. 0 if the line holds none. */
static int
S_def_label(const char *line, size_t n, int nested, char *out, size_t cap)
{
    size_t i = 0, k = 0, j;
    while (nested && i < n && (line[i] == ' ' || line[i] == '>' || line[i] == '\t'))
        i++;
    if (i + 3 > n || line[i] != '[' || line[i + 1] != '^')
        return 0;
    for (j = i + 2; j < n && line[j] != ']'; j++)
        ;
    if (j + 1 >= n || line[j + 1] != ':')
        return 0;
    for (i += 2; i < j && k + 1 < cap; i++) {
        char c = (char)tolower((unsigned char)line[i]);
        if (c == ' ' || c == '\t') {
            if (k && out[k - 1] != ' ')
                out[k++] = ' ';
        } else {
            out[k++] = c;
        }
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = 0;
    return k > 0;
}

typedef struct S_labels {
    char (*v)[128];
    size_t n, cap;
} S_labels;

static int
S_has(const S_labels *l, const char *s)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return 1;
    return 0;
}

static void
S_add(S_labels *l, const char *s)
{
    if (l->n == l->cap && !(l->v = realloc(l->v, (l->cap = l->cap * 2 + 16) * sizeof *l->v)))
        exit(2);
    snprintf(l->v[l->n++], sizeof *l->v, "%s", s);
}

static int
S_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, label[128];
    size_t len = 0, cap = 0, n, nlines = 0, i;
    size_t *starts = NULL;
    unsigned char *covered = NULL;
    cmark_parser *p;
    cmark_node *doc, *c;
    cmark_iter *it;
    cmark_event_type ev;
    S_labels kept = {NULL, 0, 0}, seen = {NULL, 0, 0};
    unsigned char *single = NULL;
    int turns = 0, dups = 0, lost = 0, broken = 0;
    if (!f)
        return 2;
    do {
        if (len + 65536 > cap && !(buf = realloc(buf, cap = (len + 65536) * 2)))
            return 2;
        n = fread(buf + len, 1, 65536, f);
        len += n;
    } while (n);
    fclose(f);
    p = cmark_parser_new(CMARK_OPT_FOOTNOTES);
    cmark_parser_attach_syntax_extension(p, cmark_find_syntax_extension("table"));
    cmark_parser_feed(p, buf, len);
    if (!(doc = cmark_parser_finish(p)))
        return 2;
    /* the lines, numbered from 1 as cmark numbers them */
    starts = malloc((len + 2) * sizeof *starts);
    covered = calloc(len + 2, 1);
    single = calloc(len + 2, 1);
    if (!starts || !covered || !single)
        return 2;
    starts[++nlines] = 0;
    for (i = 0; i < len; i++)
        if (buf[i] == '\n' && i + 1 < len)
            starts[++nlines] = i + 1;
    for (c = cmark_node_first_child(doc); c; c = cmark_node_next(c)) {
        int a = cmark_node_get_start_line(c), b = cmark_node_get_end_line(c), l;
        turns += S_heading(c, "You \xC2\xB7 ") || S_heading(c, "Grok \xC2\xB7 ") ||
                 S_heading(c, "System \xC2\xB7 ");
        for (l = a; l >= 1 && l <= b && (size_t)l <= nlines; l++)
            covered[l] = 1;
    }
    /* the definitions kept follow the document in the order of their
     * numbers, which are their references' literals; labels from the source */
    for (c = cmark_node_first_child(doc); c; c = cmark_node_next(c)) {
        size_t l = (size_t)cmark_node_get_start_line(c);
        if (cmark_node_get_type(c) != CMARK_NODE_FOOTNOTE_DEFINITION || l < 1 || l > nlines)
            continue;
        n = (l < nlines ? starts[l + 1] : len) - starts[l];
        if (!S_def_label(buf + starts[l], n, 1, label, sizeof label))
            label[0] = 0;
        if (label[0] && S_has(&kept, label))
            dups++;
        S_add(&kept, label); /* kept.v[i]: footnote number i + 1 */
    }
    it = cmark_iter_new(doc); /* citations (numeric labels) inside headings */
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *d = cmark_iter_get_node(it), *up;
        const char *lit = cmark_node_get_literal(d), *lb;
        long ix;
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(d) != CMARK_NODE_FOOTNOTE_REFERENCE || !lit ||
            (ix = strtol(lit, NULL, 10)) < 1 || (size_t)ix > kept.n)
            continue;
        lb = kept.v[ix - 1];
        if (!lb[0] || strspn(lb, "0123456789") != strlen(lb))
            continue;
        for (up = cmark_node_parent(d); up; up = cmark_node_parent(up))
            if (cmark_node_get_type(up) == CMARK_NODE_HEADING) {
                lost++;
                fprintf(stderr, "%s:%d: citation [^%s] inside a heading\n", path, cmark_node_get_start_line(up), lb);
                break;
            }
    }
    cmark_iter_free(it);
    it = cmark_iter_new(doc); /* one-line paragraphs: 1, 2 in a block quote */
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *d = cmark_iter_get_node(it);
        int a = cmark_node_get_start_line(d);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(d) == CMARK_NODE_PARAGRAPH && a >= 1 &&
            (size_t)a <= nlines && cmark_node_get_end_line(d) == a)
            single[a] = cmark_node_get_type(cmark_node_parent(d)) == CMARK_NODE_BLOCK_QUOTE ? 2 : 1;
    }
    cmark_iter_free(it);
    for (i = 1; i <= nlines; i++) { /* grokx's own lines stay one-line paragraphs */
        const char *l = buf + starts[i];
        size_t k, left = (i < nlines ? starts[i + 1] : len) - starts[i];
        int want = left >= 4 && !memcmp(l, "> [!", 4) ? 2 : 0;
        for (k = 0; !want && k < sizeof S_own / sizeof *S_own; k++)
            want = left >= strlen(S_own[k]) && !memcmp(l, S_own[k], strlen(S_own[k]));
        if (want && single[i] != want) {
            broken++;
            fprintf(stderr, "%s:%zu: grokx's line is no longer a paragraph of its own\n", path, i);
        }
    }
    for (i = 1; i <= nlines; i++) { /* the definitions dropped */
        n = (i < nlines ? starts[i + 1] : len) - starts[i];
        if (covered[i] || !S_def_label(buf + starts[i], n, 0, label, sizeof label))
            continue;
        if (S_has(&kept, label) || S_has(&seen, label)) {
            dups++;
            fprintf(stderr, "%s:%zu: footnote [^%s] defined twice\n", path, i, label);
        } else if (strspn(label, "0123456789") == strlen(label)) {
            lost++;
            fprintf(stderr, "%s:%zu: citation [^%s] is never rendered\n", path, i, label);
        }
        S_add(&seen, label);
    }
    printf("%d %d %d %d %s\n", turns, dups, lost, broken, path);
    free(kept.v);
    free(seen.v);
    free(starts);
    free(covered);
    free(single);
    cmark_node_free(doc);
    cmark_parser_free(p);
    free(buf);
    return 0;
}

int
main(int argc, char **argv)
{
    int i, rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: md-notes FILE...\n");
        return 2;
    }
    cmark_gfm_core_extensions_ensure_registered();
    for (i = 1; i < argc; i++)
        if (S_file(argv[i])) {
            fprintf(stderr, "md-notes: cannot read %s\n", argv[i]);
            rc = 2;
        }
    return rc;
}
