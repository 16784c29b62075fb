/*
 * cli.h -- what the grokx command's files share: exit codes and the few
 * helpers both the export commands (grokx.c) and the search commands
 * (search.c) use.
 */
#ifndef GROKX_CLI_H
#define GROKX_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "grokx.h"
#include "opts.h"

enum { EXIT_OK = 0, EXIT_WARN = 1, EXIT_INPUT = 2, EXIT_OUTPUT = 3, EXIT_USAGE = 64,
       EXIT_LOCKED = 75 /* EX_TEMPFAIL: another grokx run is writing the same output */ };
/* grokx search: no conversation matched (as grep says "no match") */
#define EXIT_NO_MATCH 1

extern const char *prog;
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

/* The progress line (progress.c): "[####----]  42%  512.0 MB of 1.2 GB
 * 3,456 conversations  85.1 MB/s  ETA 0:12" for done of total bytes
 * after secs; without total, bytes read and the rate. columns: the
 * terminal's width, the bar filling what the text leaves (0: no bar). */
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
