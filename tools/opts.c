/*
 * opts.c -- the one option parser of grokx's commands (opts.h), and the
 * --help text printed from the same tables, so the two cannot differ.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void
opt_init(cli_parser *p, const cli_command *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
}

int
opt_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: %s: ", prog, cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see %s %s --help\n", prog, cmd->name);
    return EXIT_USAGE;
}

/* The option as written, cut to fit and cleaned for the terminal later. */
static void
spell(cli_parser *p, const char *dashes, const char *s, size_t n)
{
    snprintf(p->spelled, sizeof p->spelled, "%s%.*s", dashes, (int)n, s);
}

static const cli_opt *
find_short(const cli_command *cmd, int c)
{
    const cli_opt *o;
    for (o = cmd->opts; o->name; o++)
        if (o->key == c && c < 256)
            return o;
    return NULL;
}

/* A long option by its name or a unique prefix of it; *ambiguous when a
 * prefix names several. */
static const cli_opt *
find_long(const cli_command *cmd, const char *s, size_t n, int *ambiguous)
{
    const cli_opt *o, *found = NULL;
    *ambiguous = 0;
    for (o = cmd->opts; o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, s, n))
            return o;
    for (o = cmd->opts; o->name; o++)
        if (!strncmp(o->name, s, n)) {
            if (found)
                *ambiguous = 1;
            found = o;
        }
    return *ambiguous ? NULL : found;
}

/* Is a (beginning with one '-') a query word in search's word position?
 * It is unless it is -X or -X<digits> for a known short option X. */
static int
is_word(const cli_parser *p, const char *a)
{
    const cli_opt *o = find_short(p->cmd, (unsigned char)a[1]);
    const char *d;
    if (!o)
        return 1;
    if (!a[2])
        return 0;
    if (!o->value)
        return 1;
    for (d = a + 2; *d >= '0' && *d <= '9'; d++)
        ;
    return *d != 0;
}

static int
short_option(cli_parser *p)
{
    int c = (unsigned char)*p->bundle++;
    const cli_opt *o = find_short(p->cmd, c);
    char what[2] = {(char)c, 0};
    spell(p, "-", what, 1);
    if (!o) {
        p->bundle = NULL;
        fprintf(stderr, "%s: %s: unknown option ", prog, p->cmd->name);
        put_clean(stderr, p->spelled, strlen(p->spelled));
        fprintf(stderr, "; see %s %s --help\n", prog, p->cmd->name);
        return OPT_FAIL;
    }
    p->value = NULL;
    if (o->value) {
        if (*p->bundle) /* -n5, -fmd: the rest is the value */
            p->value = p->bundle;
        else if (p->i < p->argc)
            p->value = p->argv[p->i++];
        else
            return opt_usage_error(p->cmd, "option -%c needs a value (%s)", c, o->value), OPT_FAIL;
        p->bundle = NULL;
    }
    if (p->bundle && !*p->bundle)
        p->bundle = NULL;
    return o->key;
}

static int
long_option(cli_parser *p, char *a)
{
    char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    int ambiguous;
    const cli_opt *o = find_long(p->cmd, a, n, &ambiguous);
    spell(p, "--", a, n);
    if (!o) {
        fprintf(stderr, "%s: %s: %s option ", prog, p->cmd->name, ambiguous ? "ambiguous" : "unknown");
        put_clean(stderr, p->spelled, strlen(p->spelled));
        if (ambiguous) {
            const cli_opt *k;
            const char *sep = " (";
            for (k = p->cmd->opts; k->name; k++)
                if (!strncmp(k->name, a, n))
                    fprintf(stderr, "%s--%s", sep, k->name), sep = ", ";
            fputc(')', stderr);
        }
        fprintf(stderr, "; see %s %s --help\n", prog, p->cmd->name);
        return OPT_FAIL;
    }
    spell(p, "--", o->name, strlen(o->name));
    p->value = NULL;
    if (!o->value && eq)
        return opt_usage_error(p->cmd, "option --%s takes no value", o->name), OPT_FAIL;
    if (o->value) {
        if (eq)
            p->value = eq + 1;
        else if (p->i < p->argc)
            p->value = p->argv[p->i++];
        else
            return opt_usage_error(p->cmd, "option --%s needs a value (%s)", o->name, o->value),
                   OPT_FAIL;
    }
    return o->key;
}

int
opt_next(cli_parser *p)
{
    char *a;
    if (p->bundle)
        return short_option(p);
    if (p->i >= p->argc)
        return OPT_DONE;
    a = p->argv[p->i++];
    if (!p->ended && !strcmp(a, "--")) {
        p->ended = 1;
        return opt_next(p);
    }
    if (p->ended || a[0] != '-' || !a[1] ||
        (a[1] != '-' && p->words_after && p->operands >= p->words_after && is_word(p, a))) {
        p->operands++;
        p->value = a;
        return OPT_OPERAND;
    }
    if (a[1] == '-')
        return long_option(p, a + 2);
    p->bundle = a + 1;
    return short_option(p);
}

/* ---- --help ------------------------------------------------------------ */

void
formats_list(char *buf, size_t n, int kind, const char *sep)
{
    size_t i, k = 0;
    const char *name, *ext;
    int streams;
    unsigned flags;
    buf[0] = 0;
    for (i = 0; (name = grokx_writer_format_name(i)) != NULL; i++) {
        if (grokx_writer_format_info(name, &ext, &streams) != 0 ||
            grokx_writer_format_flags(name, &flags) != 0)
            continue;
        if ((kind == FORMATS_FOLDER && ext) || (kind == FORMATS_FILE && !ext) ||
            (kind == FORMATS_STREAM && !streams) ||
            (kind == FORMATS_ALL_BRANCHES && !(flags & GROKX_FORMAT_ALL_BRANCHES)))
            continue;
        if (k < n)
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? sep : "", name);
    }
}

/* The help text with {formats}, {folders}, {files}, {streams}, {all_branches} filled. */
static void
put_help_text(FILE *f, const char *s, int indent)
{
    static const struct {
        const char *tag;
        int kind;
    } tags[] = {{"{formats}", FORMATS_ALL}, {"{folders}", FORMATS_FOLDER},
                {"{files}", FORMATS_FILE}, {"{streams}", FORMATS_STREAM},
                {"{all_branches}", FORMATS_ALL_BRANCHES}};
    size_t t;
    for (; *s; s++) {
        if (*s == '\n') {
            fprintf(f, "\n%*s", indent, "");
            continue;
        }
        for (t = 0; t < sizeof tags / sizeof tags[0]; t++)
            if (!strncmp(s, tags[t].tag, strlen(tags[t].tag))) {
                char list[256];
                formats_list(list, sizeof list, tags[t].kind, ", ");
                fputs(list, f);
                s += strlen(tags[t].tag) - 1;
                break;
            }
        if (t == sizeof tags / sizeof tags[0])
            fputc(*s, f);
    }
}

#define HELP_COLUMN 26

void
opt_print_help(const cli_command *cmd, FILE *f)
{
    const cli_opt *o;
    fputs(cmd->usage, f);
    fputs("\noptions:\n", f);
    for (o = cmd->opts; o->name; o++) {
        char spec[64];
        int n;
        if (o->key < 256)
            n = snprintf(spec, sizeof spec, "  -%c, --%s%s%s", o->key, o->name, o->value ? " " : "",
                         o->value ? o->value : "");
        else
            n = snprintf(spec, sizeof spec, "      --%s%s%s", o->name, o->value ? " " : "",
                         o->value ? o->value : "");
        fputs(spec, f);
        if (n >= HELP_COLUMN - 1)
            fprintf(f, "\n%*s", HELP_COLUMN, "");
        else
            fprintf(f, "%*s", HELP_COLUMN - n, "");
        put_help_text(f, o->help, HELP_COLUMN);
        fputc('\n', f);
    }
    if (cmd->footer)
        fputs(cmd->footer, f);
}
