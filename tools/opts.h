/*
 * opts.h -- the one option parser of every grokx command, and the tables
 * it reads. GNU conventions (as getopt_long with permutation, written
 * here so every libc behaves the same and the tables also give --help,
 * the completion scripts and the man page test their options):
 *
 *   --name=value, --name value, a unique prefix of a long name (--form),
 *   -f value, -fvalue, bundled flags (-qf md, -qn5), options anywhere
 *   among the operands, -- ends the options, - alone is an operand.
 *
 * An unknown option, a missing value or a value given to a flag is a
 * usage error (EXIT_USAGE) that names the option and the command's --help.
 */
#ifndef GROKX_OPTS_H
#define GROKX_OPTS_H

#include <stdio.h>

/* One option. Long-only options use a key above 255. */
typedef struct cli_opt {
    const char *name;  /* the long name without "--"; NULL ends a table */
    int key;           /* its short letter, or a code > 255 for none */
    const char *value; /* the value's name in --help ("LIST"); NULL: a flag */
    /* what its value completes to: NULL any text, "@files", "@formats"
     * (the registry's, a comma-separated list), else words ("active all") */
    const char *complete;
    /* --help's text; lines joined by '\n'; {formats}, {folders}, {files}
     * and {streams} stand for the registry's formats of each kind */
    const char *help;
} cli_opt;

#define OPT_LONG(n) (256 + (n))

/* A command: the tables of grokx's commands, for --help, completion. */
typedef struct cli_command {
    const char *name;
    const char *usage; /* "usage: grokx ..." and the text before the options */
    const cli_opt *opts;
    const char *footer; /* after the options; may be NULL */
    /* what its operands complete to: "@files", "@index" (an index, then
     * query words), "@shells" */
    const char *operands;
    const char *summary; /* one line, for grokx --help and completions */
} cli_command;

enum { OPT_DONE = -1, OPT_OPERAND = 0, OPT_FAIL = -2 };

typedef struct cli_parser {
    const cli_command *cmd;
    int argc;
    char **argv;
    int i;              /* the next argv */
    char *bundle; /* the rest of a bundle of short options (in argv) */
    int ended;          /* after "--" */
    int operands;       /* operands returned so far */
    /* search: once this many operands are read, "-word" is an operand (a
     * query word to leave out), except -X and -X<digits> for a known
     * short option X; 0: never */
    int words_after;
    char *value; /* the option's value, or the operand (in argv) */
    char spelled[64];    /* the option as written, for messages */
} cli_parser;

void opt_init(cli_parser *p, const cli_command *cmd, int argc, char **argv);
/* The next option's key (its value in p->value), OPT_OPERAND (the
 * operand in p->value), OPT_DONE, or OPT_FAIL once a usage error is
 * reported on stderr. */
int opt_next(cli_parser *p);
/* "grokx: CMD: <what>; see grokx CMD --help" on stderr; EXIT_USAGE. */
int opt_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The command's --help: its usage, options and footer. */
void opt_print_help(const cli_command *cmd, FILE *f);
/* The registry's formats as "md, html, ..." (FORMATS_*), or space-separated
 * when sep is " ". */
enum { FORMATS_ALL, FORMATS_FOLDER, FORMATS_FILE, FORMATS_STREAM };
void formats_list(char *buf, size_t n, int kind, const char *sep);

#endif
