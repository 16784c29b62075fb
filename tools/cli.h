/*
 * cli.h -- what the grokx command's files share: exit codes, the option
 * parser and its tables (opts.c), the progress line (progress.c), and the
 * few helpers both the export commands (grokx.c) and the search commands
 * (search.c) use.
 */
#ifndef GROKX_CLI_H
#define GROKX_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "grokx.h"

enum { EXIT_OK = 0, EXIT_WARN = 1, EXIT_INPUT = 2, EXIT_OUTPUT = 3, EXIT_USAGE = 64,
       EXIT_LOCKED = 75 /* EX_TEMPFAIL: another grokx run is writing the same output */ };
/* grokx search: no conversation matched (as grep says "no match") */
#define EXIT_NO_MATCH 1

extern const char *prog;

/* ---- the option parser (opts.c) --------------------------------------
 * The one option parser of every grokx command, and the tables it reads. GNU conventions (as getopt_long with permutation, written
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

/* One option. Long-only options use a key above 255. */
typedef struct cli_opt {
    const char *name;  /* the long name without "--"; NULL ends a table */
    int key;           /* its short letter, or a code > 255 for none */
    const char *value; /* the value's name in --help ("LIST"); NULL: a flag */
    /* what its value completes to: NULL any text, "@files", "@formats"
     * (the registry's, a comma-separated list), else words ("active all") */
    const char *complete;
    /* --help's text; lines joined by '\n'; {formats}, {folders}, {files},
     * {streams} and {all_branches} stand for the registry's formats of
     * each kind */
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
     * query words), else words ("bash zsh fish") */
    const char *operands;
    const char *summary; /* one line, for grokx --help and completions */
} cli_command;

enum { OPT_DONE = -1, OPT_OPERAND = 0, OPT_FAIL = -2 };

typedef struct cli_parser {
    const cli_command *cmd;
    int argc;
    char **argv;
    int i;        /* the next argv */
    char *bundle; /* the rest of a bundle of short options (in argv) */
    int ended;    /* after "--" */
    int operands; /* operands returned so far */
    /* search: once this many operands are read, "-word" is an operand (a
     * query word to leave out), except -X and -X<digits> for a known
     * short option X; 0: never */
    int words_after;
    char *value;      /* the option's value, or the operand (in argv) */
    char spelled[64]; /* the option as written, for messages */
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
 * when sep is " ". FORMATS_ALL_BRANCHES: those that keep every branch
 * (GROKX_FORMAT_ALL_BRANCHES). */
enum { FORMATS_ALL, FORMATS_FOLDER, FORMATS_FILE, FORMATS_STREAM, FORMATS_ALL_BRANCHES };
void formats_list(char *buf, size_t n, int kind, const char *sep);

/* A sink on standard output, and its final flush (EXIT_OUTPUT if it failed). */
int stdout_write(void *ud, const char *buf, size_t len);
int finish_stdout(void);
/* Text from an export or an index as a person should see it on one line,
 * through grokx_terminal_write: C0 and C1 controls (a terminal's escape
 * sequences among them), DEL and U+2028/U+2029 become spaces, bidi
 * controls (U+202E...) U+FFFD. */
void put_clean(FILE *f, const char *s, size_t n);
/* A sink on a FILE *. */
int file_write(void *ud, const char *buf, size_t len);
/* put_clean() of a NUL-terminated string, then a newline, on stderr. */
void put_clean_line(const char *s);
/* "+02:00", "-0530", "UTC", "local" -> minutes east of UTC; -1 if not one. */
int parse_tz(const char *z, int *minutes);

/* The progress line (progress.c): "[####----]  42% 512.0 MB of 1.24 GB,
 * 3,456 conversations, 85.1 MB/s, ETA 0:12" for done of total bytes
 * after secs; without total, bytes read, conversations and the rate.
 * columns: the terminal's width (0: not a terminal, "grokx: " and the
 * whole text). On a terminal the line is never wider than columns - 1:
 * a bar from 80 columns up (the choice depends on the width alone, so it
 * does not flicker), fields dropped in a fixed order, at the narrowest
 * only the share. */
void progress_format(char *buf, size_t n, uint64_t done, uint64_t total, uint64_t conversations,
                     double secs, int columns);
/* The width of the terminal on fd; 80 when it does not say. */
int terminal_columns(int fd);

/* Refuse an output that could destroy an input (grokx_output_check):
 * EXIT_USAGE with the reason on stderr, before anything is opened. */
int check_output(const char *cmd, const char *input, const char *out);
/* What -o OUT is, looked at before anything is opened (lstat): *stream 1
 * when it is a FIFO or a character device, or a symbolic link to one
 * (written through, never replaced: stream_to() makes it standard
 * output); EXIT_USAGE, reported, for a symbolic link to anything but one
 * of those or a folder, and for a block device or socket. */
int output_kind(const char *cmd, const char *out, int *stream);
int stream_to(const char *cmd, const char *out);
/* A file output that exists and is not grokx's (grokx_file_open, errno
 * EEXIST): EXIT_USAGE, reported. */
int report_not_ours(const char *cmd, const char *path, const char *what);
/* A failed open of out (a folder when folder is 1, else a file):
 * EXIT_LOCKED, naming the lock and its holder, when another run holds it
 * (errno EWOULDBLOCK), else EXIT_OUTPUT. */
int report_open_failure(const char *out, int folder);

/* The commands of search.c (their tables for --help and completion). */
extern const cli_command search_command, merge_command, check_command;
int cmd_search(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_check(int argc, char **argv);
/* grokx completion bash|zsh|fish (completion.c): the script for the
 * commands given, their options and the registry's formats. */
extern const cli_command completion_command;
int cmd_completion(int argc, char **argv, const cli_command *const *cmds, size_t n);

#endif
