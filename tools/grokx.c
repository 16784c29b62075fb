/*
 * grokx -- the command line: a thin shell over libgrokx.
 *
 *   grokx info [options] INPUT
 *   grokx convert [-f FORMAT[,FORMAT...]] -o OUT [options] INPUT
 *   grokx search INDEX QUERY, grokx merge -o OUT INDEX..., grokx check INDEX (search.c)
 *   grokx completion bash|zsh|fish (completion.c)
 *   grokx --version | --help | COMMAND --help
 *
 * Each command's options are a table (cli_opt) read by the one parser
 * (opts.c), which also prints --help from it; completion.c writes the
 * shell scripts from the same tables.
 *
 * Exit status: 0 success; 1 success with warnings (items skipped or
 * repaired, files not ours left alone, each reported on stderr); 2 the input could not be read or is
 * not a valid export; 3 writing output failed; 64 usage error (an output
 * that could overwrite the input among them); 75 another grokx run is
 * writing the same output (its lock is held).
 */
#include <errno.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* SIGINT/SIGTERM: the handler only records the signal; the next progress
 * call stops the parse, and the normal clean-up removes temporaries. */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
    got_signal = sig;
}

static void
catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
#define MAX_PRINTED_WARNINGS 100


static const char usage_main[] =
    "usage: grokx COMMAND [options] INPUT\n"
    "\n"
    "Turn an xAI Grok data export into files you own: Markdown notes, and more.\n"
    "\n"
    "commands:\n"
    "%s"
    "\n"
    "options:\n"
    "  -h, --help     this text; COMMAND --help (or help COMMAND) for a command's\n"
    "                 options\n"
    "  -V, --version  print the version\n"
    "\n"
    "INPUT is the export ZIP as downloaded, its extracted folder,\n"
    "prod-grok-backend.json, a .json.gz, or - for standard input.\n"
    "Options may come before or after the operands; -- ends them.\n"
    "exit status: 0 ok, 1 ok with warnings, 2 input error, 3 output error, 64 usage\n"
    "(or an output that would overwrite the input), 75 output locked by another run\n";

enum { O_JSON = OPT_LONG(1), O_PROGRESS, O_BRANCHES, O_LAYOUT, O_NAME, O_NO_THINKING, O_FORCE,
       O_TZ, O_SINCE, O_UNTIL, O_TITLE, O_MODEL, O_STARRED, O_MEMORY, O_THREADS };

#define OPT_QUIET {"quiet", 'q', NULL, NULL, "no progress line and no warnings on stderr"}
#define OPT_PROGRESS                                                                            \
    {"progress", O_PROGRESS, NULL, NULL,                                                        \
     "show progress on stderr even when it is no\n"                                            \
     "terminal (a line per update, for wrappers) or -q"}
#define OPT_HELP {"help", 'h', NULL, NULL, "this text"}

static const cli_opt info_opts[] = {
    {"json", O_JSON, NULL, NULL, "print one JSON object instead of text"},
    OPT_QUIET,
    OPT_PROGRESS,
    OPT_HELP,
    {NULL, 0, NULL, NULL, NULL}};

static const cli_command info_command = {
    "info",
    "usage: grokx info [--json] [-q] INPUT\n"
    "\n"
    "Print what the export holds: conversations, messages by sender, models,\n"
    "date range, text size, branches, thinking traces, web searches,\n"
    "attachments, and the other sections (projects, tasks, media posts).\n",
    info_opts, NULL, "@files", "print what the export holds"};

static const cli_opt convert_opts[] = {
    {"format", 'f', "LIST", "@formats", "formats to write (default md; -f a -f b is -f a,b);\navailable: {formats}"},
    {"output", 'o', "OUT", "@files",
     "a folder for {folders}; a file for {files};\n"
     "- streams {streams} to standard output;\n"
     "with several formats OUT is a folder holding one\n"
     "of each (OUT/md/, OUT/index.gxi, OUT/sqlite.db, ...)"},
    {"branches", O_BRANCHES, "MODE", "active all",
     "active (default): each conversation's current\nbranch; all: every regeneration and edit too\n"
     "(the default when every format keeps all: {all_branches};\n"
     "mixed with formats that keep the active one, give it)"},
    {"layout", O_LAYOUT, "MODE", "nested flat",
     "nested (default): OUT/YYYY/MM/<note>.md;\nflat: OUT/<note>.md"},
    {"name", O_NAME, "TEMPLATE", NULL,
     "note names from {date} {title} {id};\ndefault \"{date} {title} ({id})\""},
    {"no-thinking", O_NO_THINKING, NULL, NULL, "leave thinking traces and steps out"},
    {"force", O_FORCE, NULL, NULL,
     "replace notes you edited since grokx wrote them\n"
     "(without it they are kept, and a later run says so);\n"
     "a file grokx did not write is never replaced"},
    {"tz", O_TZ, "ZONE", "UTC local",
     "times in UTC (default), local (TZ, with summer time),\nor +HH:MM, +HHMM, +HH (also -)"},
    {"since", O_SINCE, "DATE", NULL, "only conversations from DATE (YYYY-MM-DD or ISO 8601)"},
    {"until", O_UNTIL, "DATE", NULL, "only conversations before DATE (a day: up to its end)"},
    {"title", O_TITLE, "TEXT", NULL, "only titles containing TEXT (case-insensitive)"},
    {"model", O_MODEL, "NAME", NULL,
     "only conversations where a model name contains NAME\n(case-insensitive)"},
    {"starred", O_STARRED, NULL, NULL, "only starred conversations"},
    {"memory", O_MEMORY, "SIZE", NULL,
     "index: postings kept in memory before a temporary\n"
     "segment is written (default 256M; K, M, G)"},
    {"threads", O_THREADS, "N", "1 2",
     "2 (default): render and write files on other threads\nwhile the export is read; 1: all on one thread"},
    OPT_QUIET,
    OPT_PROGRESS,
    OPT_HELP,
    {NULL, 0, NULL, NULL, NULL}};

static const cli_command convert_command = {
    "convert",
    "usage: grokx convert [-f FORMAT[,FORMAT...]] -o OUT [options] INPUT\n"
    "\n"
    "Write the export in one or more formats.\n",
    convert_opts, NULL, "@files", "write the export in one or more formats (md, html, index, sqlite, ...)"};

/* ---- diagnostics ------------------------------------------------------- */

typedef struct run {
    char *input_name; /* the run's own copy: printed up to finish_run's last line */
    int quiet;
    /* the progress line: PROGRESS_TTY redrawn in place on a terminal,
     * PROGRESS_LINES one line per update (--progress, stderr no terminal) */
    int progress;
    int force_progress; /* --progress */
    int to_stdout;      /* convert writes standard output (-o -, a device) */
    /* a progress line is on the terminal now; the writer's thread clears
     * it too (its reports) */
    atomic_int shown;
    unsigned long warnings;
    /* report lines that are warnings ("warning: exists, not ours: ..."),
     * counted on the writer's thread, read after it is joined */
    unsigned long report_warnings;
    double start, last_progress;
    grokx_parser *parser;
    grokx_input *input;
} run;
enum { PROGRESS_NONE, PROGRESS_TTY, PROGRESS_LINES };

/* "grokx: NAME: ", the name as the terminal may show it (a file name can
 * hold escapes too) */
static void
put_input_prefix(const run *r)
{
    fprintf(stderr, "%s: ", prog);
    put_clean(stderr, r->input_name, strlen(r->input_name));
    fputs(": ", stderr);
}

/* Take the progress line off the terminal before another line is written
 * (a warning, a report), or when the run is done. */
static void
clear_progress(run *r)
{
    if (r->progress == PROGRESS_TTY && atomic_exchange(&r->shown, 0))
        fputs("\r\033[K", stderr);
}

static void
on_warning(void *ud, const grokx_error *w)
{
    run *r = ud;
    r->warnings++;
    if (r->quiet || r->warnings > MAX_PRINTED_WARNINGS)
        return;
    clear_progress(r);
    put_input_prefix(r);
    fputs("warning: ", stderr);
    put_clean_line(w->text); /* it may quote the export: no escape reaches the terminal */
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
show_progress(run *r, int final)
{
    const grokx_stats *st;
    uint64_t done = 0, total = 0;
    double t = now();
    char line[256];
    if (r->progress == PROGRESS_NONE)
        return;
    if (final && r->progress == PROGRESS_TTY) { /* the terminal is left as it was */
        clear_progress(r);
        return;
    }
    /* at most 10 updates a second */
    if (!final && t - r->last_progress < 0.1)
        return;
    r->last_progress = t;
    st = grokx_parser_stats(r->parser);
    if (grokx_input_position(r->input, &done, &total) != 0 || !done)
        done = st->bytes;
    progress_format(line, sizeof line, done, total, st->conversations, t - r->start,
                    r->progress == PROGRESS_TTY ? terminal_columns(2) : 0);
    if (r->progress == PROGRESS_TTY) {
        fprintf(stderr, "\r\033[K%s", line);
        atomic_store(&r->shown, 1);
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

static int
report_error(run *r, int rc)
{
    const grokx_error *e = grokx_parser_error(r->parser);
    clear_progress(r);
    if (rc == GROKX_E_CANCELLED) {
        fprintf(stderr, "%s: interrupted; no partial file was left\n", prog);
        return EXIT_INPUT;
    }
    put_input_prefix(r);
    put_clean_line(e->text[0] ? e->text : grokx_strerror(rc));
    return e->origin == GROKX_ORIGIN_WRITER ? EXIT_OUTPUT : EXIT_INPUT;
}

/* ---- input --------------------------------------------------------------- */

#define READ_FAILED 1 /* already reported */

static int
on_progress(void *ud, const grokx_stats *st)
{
    (void)st;
    show_progress(ud, 0);
    return got_signal != 0;
}

/* Open INPUT (ZIP, folder, JSON, .json.gz or -); READ_FAILED if it cannot. */
static int
open_input(run *r, const char *path)
{
    grokx_error err;
    if (grokx_input_open(path, NULL, &r->input, &err) != 0) {
        fprintf(stderr, "%s: ", prog);
        put_clean_line(err.text);
        return READ_FAILED;
    }
    r->input_name = strdup(!strcmp(path, "-") ? "(stdin)" : grokx_input_name(r->input));
    if (!r->input_name) {
        grokx_input_close(r->input);
        fprintf(stderr, "%s: out of memory\n", prog);
        return READ_FAILED;
    }
    return 0;
}

/* The input and the run's copy of its name: closed last, after the final
 * line that names it. */
static void
close_run(run *r)
{
    grokx_input_close(r->input);
    r->input = NULL;
    free(r->input_name);
    r->input_name = NULL;
}

/* Stream the export through the parser, with a progress line. */
static int
read_input(run *r)
{
    int rc;
    r->start = r->last_progress = now();
    rc = grokx_input_parse(r->input, r->parser);
    show_progress(r, 1);
    return rc;
}

/* ---- output -------------------------------------------------------------- */

typedef struct out_target {
    grokx_file *file; /* NULL: stdout */
    const char *path;
} out_target;

/* ---- commands ------------------------------------------------------------ */

static void
parse_common(run *r, grokx_options *o, unsigned flags)
{
    grokx_options_init(o);
    o->flags = flags;
    o->warning = on_warning;
    o->warning_ud = r;
    o->input_name = r->input_name;
    o->progress = on_progress;
    o->progress_ud = r;
    /* on a terminal unless -q; anywhere when --progress asks; not over
     * notes streamed to the terminal (it would be drawn into them) */
    if (!r->force_progress && r->to_stdout && isatty(1))
        r->progress = PROGRESS_NONE;
    else if (isatty(2) && (!r->quiet || r->force_progress))
        r->progress = PROGRESS_TTY;
    else if (r->force_progress)
        r->progress = PROGRESS_LINES;
}

/* The run's last words; closes the input (and frees its name) after them. */
static int
finish_run(run *r, int rc)
{
    if (got_signal) {
        /* a signal after the parse (during the writers' end: the commit of
         * a database, the rename of an index) stops nothing: the outputs
         * were committed, and the user is told so, not left to guess; a
         * cancelled run was reported as such (report_error) */
        if (rc == EXIT_OK || rc == EXIT_WARN)
            fprintf(stderr,
                    "%s: interrupted (signal %d) after the run had finished: its outputs are "
                    "complete and committed\n",
                    prog, (int)got_signal);
        close_run(r); /* temporaries are gone; say so the shell's way */
        return 128 + got_signal;
    }
    if (r->warnings > MAX_PRINTED_WARNINGS && !r->quiet) {
        put_input_prefix(r);
        fprintf(stderr, "%lu more warnings not shown\n", r->warnings - MAX_PRINTED_WARNINGS);
    }
    close_run(r);
    if (rc)
        return rc;
    return r->warnings || r->report_warnings ? EXIT_WARN : EXIT_OK;
}

static int
cmd_info(int argc, char **argv)
{
    run r = {0};
    grokx_options o;
    grokx_summary *sum;
    const char *input = NULL;
    int as_json = 0, i, rc, ex;
    grokx_sink sink = {stdout_write, NULL};
    cli_parser p;
    opt_init(&p, &info_command, argc, argv);
    while ((i = opt_next(&p)) != OPT_DONE) {
        switch (i) {
        case 'h':
            opt_print_help(&info_command, stdout);
            return EXIT_OK;
        case O_JSON:
            as_json = 1;
            break;
        case 'q':
            r.quiet = 1;
            break;
        case O_PROGRESS:
            r.force_progress = 1;
            break;
        case OPT_OPERAND:
            if (input)
                return opt_usage_error(&info_command, "one INPUT only");
            input = p.value;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (!input)
        return opt_usage_error(&info_command, "INPUT missing");
    if ((ex = check_output("info", input, "-")) != EXIT_OK) /* "1<>export.json" */
        return ex;
    if (open_input(&r, input) != 0)
        return EXIT_INPUT;
    parse_common(&r, &o, GROKX_OPT_ALL_BRANCHES);
    if (!(sum = grokx_summary_new()) ||
        !(r.parser = grokx_parser_new(&o, grokx_summary_writer(sum))) ||
        grokx_summary_set_input(sum, r.input) != 0) {
        grokx_parser_free(r.parser);
        grokx_summary_free(sum);
        close_run(&r);
        return fprintf(stderr, "%s: out of memory\n", prog), EXIT_INPUT;
    }
    rc = read_input(&r);
    if (rc)
        ex = report_error(&r, rc);
    else if (grokx_summary_print(sum, as_json, sink) != 0)
        ex = EXIT_OUTPUT;
    else
        ex = finish_stdout();
    grokx_parser_free(r.parser);
    grokx_summary_free(sum);
    return finish_run(&r, ex);
}

/* File extension of a format's single-stream output; NULL for formats
 * that write a folder. */
static const char *
format_ext(const char *f)
{
    const char *ext = NULL;
    grokx_writer_format_info(f, &ext, NULL);
    return ext;
}

/* A writer's report ("notes: 3 new, ..."), on stderr unless -q. */
static void
on_report(void *ud, const char *text)
{
    run *r = ud;
    if (!strncmp(text, "warning: ", 9))
        r->report_warnings++; /* something left undone: exit 1, also with -q */
    if (r->quiet)
        return;
    clear_progress(r);
    fprintf(stderr, "%s: ", prog);
    put_clean_line(text);
}

typedef struct md_options {
    unsigned flags;
    const char *name_template;
    int tz;
} md_options;

/* The formats the registry holds, as a list for a message (opts.c). The
 * tool names none. */
static int
formats_available(char *buf, size_t n, int kind)
{
    formats_list(buf, n, kind, ", ");
    return 0;
}

/* "256M", "1G", "65536" -> bytes; at least 1 MiB. */
static int
parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    if (end == s)
        return -1;
    if (*end == 'K' || *end == 'k')
        shift = 10, end++;
    else if (*end == 'M' || *end == 'm')
        shift = 20, end++;
    else if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    if (*end || v > (SIZE_MAX >> shift) || (v << shift) < (1u << 20))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

#define MAX_FORMATS 8
struct convert_job;
static int parse_dates(struct convert_job *j);

typedef struct convert_job {
    md_options md;
    size_t memory; /* index: the postings budget, 0: the default */
    grokx_filter filter;
    const char *since, *until;
    int filtered;
    int one_thread; /* --threads 1: write on the parsing thread */
    char *formats[MAX_FORMATS];
    size_t nformats;
    grokx_writer *writers[MAX_FORMATS];
    out_target outs[MAX_FORMATS];
    char *paths[MAX_FORMATS];
    int made_out; /* OUT (of several formats) was made by this run */
} convert_job;

static int
split_formats(convert_job *j, char *list)
{
    char *tok, *next;
    size_t i;
    for (tok = list; tok; tok = next) {
        if ((next = strchr(tok, ',')) != NULL)
            *next++ = 0;
        if (!*tok) { /* md,,html or md, is a slip, refused as --format= is */
            fprintf(stderr, "%s: convert: an empty name in the format list\n", prog);
            return -2;
        }
        if (j->nformats == MAX_FORMATS)
            return -1;
        /* twice the same would write one output twice over: the second
         * writer found the first one's lock (exit 75, "another run") */
        for (i = 0; i < j->nformats; i++)
            if (!strcmp(j->formats[i], tok)) {
                fprintf(stderr, "%s: convert: format \"%s\" given twice\n", prog, tok);
                return -2;
            }
        j->formats[j->nformats++] = tok;
    }
    return j->nformats ? 0 : -1;
}

/* Open every format's output; OUT is a folder when there are several. */
static int
open_outputs(convert_job *j, const char *out, grokx_input *input, run *r)
{
    size_t i;
    int to_stdout = !strcmp(out, "-");
    if (j->nformats > 1 && to_stdout)
        return fprintf(stderr, "%s: convert: -o - takes one format\n", prog), EXIT_USAGE;
    if (j->nformats > 1 && !(j->made_out = mkdir(out, 0700) == 0) && errno != EEXIST)
        return fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno)), EXIT_OUTPUT;
    for (i = 0; i < j->nformats; i++) {
        grokx_writer_config cfg;
        const char *ext = format_ext(j->formats[i]), *path = out;
        int rc, streams = 1;
        unsigned fflags = 0;
        grokx_error why;
        grokx_writer_format_flags(j->formats[i], &fflags);
        /* binary on a terminal garbles it and is lost: refused, as gzip
         * does (the index is the one binary format that streams) */
        if (to_stdout && !strcmp(j->formats[i], "index") && isatty(1))
            return fprintf(stderr,
                           "%s: convert: refusing to write binary index to a terminal; redirect or use -o FILE\n",
                           prog),
                   EXIT_USAGE;
        if (grokx_writer_format_info(j->formats[i], NULL, &streams) == 0 && to_stdout && !streams)
            return fprintf(stderr, "%s: convert: %s writes %s: give -o %s, not -o -\n", prog,
                           j->formats[i], ext ? "a file of its own" : "a folder", ext ? "FILE" : "DIR"),
                   EXIT_USAGE;
        grokx_writer_config_init(&cfg);
        cfg.sink.write = stdout_write;
        cfg.input = input;
        cfg.flags = j->md.flags | (j->one_thread ? GROKX_WF_NO_THREADS : 0);
        cfg.name_template = j->md.name_template;
        cfg.tz_minutes = j->md.tz;
        cfg.report = on_report;
        cfg.report_ud = r;
        cfg.memory_budget = j->memory;
        if (j->nformats > 1) {
            size_t n = strlen(out) + strlen(j->formats[i]) + 16;
            if (!(j->paths[i] = malloc(n)))
                return EXIT_OUTPUT;
            snprintf(j->paths[i], n, ext ? "%s/%s.%s" : "%s/%s", out, j->formats[i], ext ? ext : "");
            path = j->paths[i];
        }
        if (!to_stdout && ext && (fflags & GROKX_FORMAT_FILE)) {
            /* a file the writer fills by name (a database): it takes the
             * lock, checks the file is its own and renames its temporary
             * over it itself (GROKX_FORMAT_FILE) */
            cfg.out_dir = path;
        } else if (!to_stdout && ext) {
            /* locked (a second run into it exits 75), and a dead run's
             * temporaries of it swept */
            /* replaced only when it is this format's own output: the
             * registry gives what every file of it begins with */
            const void *sig = NULL;
            size_t sig_len = 0;
            grokx_writer_format_signature(j->formats[i], &sig, &sig_len);
            j->outs[i].file = grokx_file_open_ours(path, 0600, GROKX_FILE_FSYNC | GROKX_FILE_LOCK,
                                                   sig, sig_len);
            j->outs[i].path = path;
            if (!j->outs[i].file && errno == EEXIST)
                return report_not_ours("convert", path, j->formats[i]);
            if (!j->outs[i].file)
                return report_open_failure(path, 0);
            cfg.sink = grokx_file_sink(j->outs[i].file);
        } else if (!to_stdout) {
            cfg.out_dir = path;
        }
        if ((rc = grokx_writer_open(j->formats[i], &cfg, &j->writers[i], &why)) != 0) {
            char avail[256];
            int e = errno;
            if (fflags & GROKX_FORMAT_FILE) {
                errno = e;
                if (e == EEXIST && rc == GROKX_E_INVALID)
                    return report_not_ours("convert", path, j->formats[i]);
                if (e == EWOULDBLOCK || e == EAGAIN)
                    return report_open_failure(path, 0);
                fprintf(stderr, "%s: ", prog);
                put_clean_line(why.text);
                if (e == EBUSY) /* another program's lock in the file (sqlite) */
                    return EXIT_LOCKED;
                return rc == GROKX_E_INVALID || rc == GROKX_E_VERSION ? EXIT_USAGE : EXIT_OUTPUT;
            }
            errno = e;
            if (rc != GROKX_E_INVALID)
                return report_open_failure(path, 1);
            formats_available(avail, sizeof avail, FORMATS_ALL);
            fprintf(stderr, "%s: convert: unknown format \"%s\" (available: %s)\n", prog,
                    j->formats[i], avail);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* --since / --until, in the --tz zone; a bare --until day counts whole. */
static int
parse_dates(convert_job *j)
{
    const char *v[2] = {j->since, j->until};
    grokx_time *t[2] = {&j->filter.since, &j->filter.until};
    int i, date_only;
    for (i = 0; i < 2; i++) {
        if (!v[i])
            continue;
        if (grokx_time_parse(v[i], t[i], &date_only) != 0) {
            fprintf(stderr, "%s: convert: %s: not a date (YYYY-MM-DD or ISO 8601)\n", prog, v[i]);
            return -1;
        }
        if (date_only) /* a day in the chosen zone */
            *t[i] -= (grokx_time)j->md.tz * 60000;
        if (date_only && i == 1)
            *t[i] += 86400000;
    }
    return 0;
}

/* Commit every output (ok) or remove the temporaries. */
static int
close_outputs(convert_job *j, int ok)
{
    size_t i;
    int ex = EXIT_OK;
    for (i = 0; i < j->nformats; i++) {
        grokx_writer_free(j->writers[i]);
        if (j->outs[i].file && ok) {
            if (grokx_file_commit(j->outs[i].file) != 0) {
                fprintf(stderr, "%s: %s: %s\n", prog, j->outs[i].path, strerror(errno));
                ex = EXIT_OUTPUT;
            }
        } else if (j->outs[i].file) {
            grokx_file_abort(j->outs[i].file);
        }
        free(j->paths[i]);
    }
    return ex;
}

/* How many formats asked carry a GROKX_FORMAT_* flag; *first (may be
 * NULL) the first of them, or NULL. */
static size_t
formats_with(const convert_job *j, unsigned flag, const char **first)
{
    size_t i, n = 0;
    unsigned flags;
    if (first)
        *first = NULL;
    for (i = 0; i < j->nformats; i++)
        if (grokx_writer_format_flags(j->formats[i], &flags) == 0 && (flags & flag) && !n++ && first)
            *first = j->formats[i];
    return n;
}

/* Whether a format renders notes or pages (GROKX_FORMAT_THREAD): those
 * are worth a writer thread. events and index alone are not (index has its
 * own thread, and the copies would cost events a fifth more memory for a
 * tenth less time). */
static int
renders(const convert_job *j)
{
    return formats_with(j, GROKX_FORMAT_THREAD, NULL) > 0;
}

/* Whether every format asked keeps every branch (GROKX_FORMAT_ALL_BRANCHES:
 * sqlite marks the active one in its rows): then --branches defaults to
 * all. A run mixing them with formats that show the active branch must
 * say which (cmd_convert). */
static int
all_branches(const convert_job *j)
{
    return j->nformats > 0 && formats_with(j, GROKX_FORMAT_ALL_BRANCHES, NULL) == j->nformats;
}

static int
cmd_convert(int argc, char **argv)
{
    run r = {0};
    grokx_options o;
    convert_job j;
    grokx_writer *tee = NULL, *thr = NULL, *top = NULL;
    /* -f md -f html is -f md,html: the lists add up */
    char formats[512] = "";
    const char *input = NULL, *out = NULL;
    cli_parser p;
    unsigned flags = 0;
    int i, rc, ex, branches_given = 0;
    const char *keeps_all = NULL;
    memset(&j, 0, sizeof j);
    grokx_filter_init(&j.filter);
    opt_init(&p, &convert_command, argc, argv);
    while ((i = opt_next(&p)) != OPT_DONE) {
        const char *v = p.value;
        switch (i) {
        case 'h':
            opt_print_help(&convert_command, stdout);
            return EXIT_OK;
        case 'f': {
            size_t have = strlen(formats), add = strlen(p.value);
            if (have + add + 2 > sizeof formats)
                return opt_usage_error(&convert_command, "the format list is too long");
            if (have)
                formats[have++] = ',';
            memcpy(formats + have, p.value, add + 1);
            break;
        }
        case 'o':
            out = v;
            break;
        case O_BRANCHES:
            branches_given = 1;
            if (!strcmp(v, "all"))
                flags |= GROKX_OPT_ALL_BRANCHES;
            else if (!strcmp(v, "active"))
                flags &= ~GROKX_OPT_ALL_BRANCHES;
            else
                return opt_usage_error(&convert_command, "--branches takes active or all");
            break;
        case O_LAYOUT:
            if (!strcmp(v, "flat"))
                j.md.flags |= GROKX_WF_FLAT;
            else if (!strcmp(v, "nested"))
                j.md.flags &= ~GROKX_WF_FLAT;
            else
                return opt_usage_error(&convert_command, "--layout takes nested or flat");
            break;
        case O_NAME:
            j.md.name_template = v;
            break;
        case O_NO_THINKING:
            j.md.flags |= GROKX_WF_NO_THINKING;
            break;
        case O_FORCE:
            j.md.flags |= GROKX_WF_FORCE;
            break;
        case O_TZ:
            if (parse_tz(v, &j.md.tz) != 0)
                return opt_usage_error(&convert_command, "--tz takes UTC, Z, local, +HH:MM, +HHMM or +HH");
            /* local: each time with its own date's offset (summer time);
             * md.tz (today's offset) only places --since/--until days */
            if (!strcmp(v, "local"))
                j.md.flags |= GROKX_WF_LOCAL_TIME;
            else
                j.md.flags &= ~GROKX_WF_LOCAL_TIME;
            break;
        case O_SINCE:
            j.since = v, j.filtered = 1;
            break;
        case O_UNTIL:
            j.until = v, j.filtered = 1;
            break;
        case O_TITLE:
            j.filter.title = v, j.filtered = 1;
            break;
        case O_MODEL:
            j.filter.model = v, j.filtered = 1;
            break;
        case O_STARRED:
            j.filter.starred_only = 1, j.filtered = 1;
            break;
        case O_MEMORY:
            if (parse_size(v, &j.memory) != 0)
                return opt_usage_error(&convert_command, "--memory takes a size such as 256M (at least 1M)");
            break;
        case O_THREADS:
            if (strcmp(v, "1") && strcmp(v, "2"))
                return opt_usage_error(&convert_command, "--threads takes 1 or 2");
            j.one_thread = !strcmp(v, "1");
            break;
        case 'q':
            r.quiet = 1;
            break;
        case O_PROGRESS:
            r.force_progress = 1;
            break;
        case OPT_OPERAND:
            if (input)
                return opt_usage_error(&convert_command, "one INPUT only");
            input = v;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (!input || !out)
        return opt_usage_error(&convert_command, "%s missing", !input ? "INPUT" : "-o OUT");
    if (!formats[0])
        strcpy(formats, "md");
    if ((rc = split_formats(&j, formats)) != 0)
        return rc == -1 ? (fprintf(stderr, "%s: convert: bad format list\n", prog), EXIT_USAGE)
                        : EXIT_USAGE;
    if (parse_dates(&j) != 0)
        return EXIT_USAGE;
    if (!branches_given && all_branches(&j))
        flags |= GROKX_OPT_ALL_BRANCHES;
    else if (!branches_given && formats_with(&j, GROKX_FORMAT_ALL_BRANCHES, &keeps_all) > 0)
        /* sqlite keeps every branch, md and html show the active one: a
         * silent choice either way would change one of them, and a re-run
         * of a database with only active branches would replace the other
         * branches the database held */
        return opt_usage_error(&convert_command,
                               "%s keeps every branch and the other formats the active one: "
                               "give --branches all or --branches active (or convert it alone)",
                               keeps_all);
    /* OUT, and each file or folder a run of several formats writes in it,
     * never is, holds or lies inside the input: refused before anything
     * is opened */
    if ((ex = check_output("convert", input, out)) != EXIT_OK)
        return ex;
    for (i = 0; j.nformats > 1 && strcmp(out, "-") && i < (int)j.nformats; i++) {
        const char *ext = format_ext(j.formats[i]);
        /* to its length, as open_outputs() names it: a path cut to a buffer
         * would have another file checked than the one written */
        size_t n = strlen(out) + strlen(j.formats[i]) + 16;
        char *path = malloc(n);
        if (!path)
            return fprintf(stderr, "%s: out of memory\n", prog), EXIT_OUTPUT;
        snprintf(path, n, ext ? "%s/%s.%s" : "%s/%s", out, j.formats[i], ext ? ext : "");
        ex = check_output("convert", input, path);
        free(path);
        if (ex != EXIT_OK)
            return ex;
    }
    /* a FIFO or a character device (/dev/null, a terminal) is written
     * through as standard output is, never replaced; a symbolic link to a
     * file is refused */
    if ((ex = output_kind("convert", out, &i)) != EXIT_OK)
        return ex;
    if (i) {
        int streams = 0;
        if (j.nformats > 1)
            return fprintf(stderr, "%s: convert: -o %s (a FIFO or device) takes one format\n", prog, out),
                   EXIT_USAGE;
        if (grokx_writer_format_info(j.formats[0], NULL, &streams) == 0 && !streams)
            return fprintf(stderr, "%s: convert: %s writes %s: %s is a FIFO or device\n", prog,
                           j.formats[0], format_ext(j.formats[0]) ? "a file of its own" : "a folder", out),
                   EXIT_USAGE;
        if ((ex = stream_to("convert", out)) != EXIT_OK)
            return ex;
        out = "-";
    }
    if (open_input(&r, input) != 0)
        return EXIT_INPUT;
    r.to_stdout = !strcmp(out, "-");
    if ((ex = open_outputs(&j, out, r.input, &r)) != EXIT_OK) {
        close_outputs(&j, 0);
        close_run(&r);
        return ex;
    }
    parse_common(&r, &o, flags);
    tee = grokx_writer_tee_new(j.writers, j.nformats);
    thr = tee && !j.one_thread && renders(&j) ? grokx_writer_thread_new(tee) : tee;
    top = thr && j.filtered ? grokx_writer_filter_new(thr, &j.filter) : thr;
    r.parser = top ? grokx_parser_new(&o, top) : NULL;
    if (!r.parser) {
        if (top != thr)
            grokx_writer_free(top);
        if (thr != tee)
            grokx_writer_free(thr);
        grokx_writer_free(tee);
        close_outputs(&j, 0);
        close_run(&r);
        return fprintf(stderr, "%s: out of memory\n", prog), EXIT_INPUT;
    }
    rc = read_input(&r);
    ex = rc ? report_error(&r, rc) : EXIT_OK;
    if (rc == GROKX_E_ARCHIVE && renders(&j) && strcmp(out, "-")) {
        /* the conversations' member failed its check after some of it was
         * parsed: say how many conversations went to notes or pages */
        const grokx_stats *st = grokx_parser_stats(r.parser);
        if (st && st->conversations)
            fprintf(stderr, "%s: %s: the notes or pages of up to %llu conversations were written by this run "
                            "before the damage was found\n",
                    prog, out, (unsigned long long)st->conversations);
    }
    if (ex == EXIT_OK && !strcmp(out, "-"))
        ex = finish_stdout();
    grokx_parser_free(r.parser);
    if (top != thr)
        grokx_writer_free(top);
    if (thr != tee)
        grokx_writer_free(thr); /* joins the writing thread */
    grokx_writer_free(tee);
    rc = close_outputs(&j, ex == EXIT_OK);
    if (j.made_out && (ex || rc))
        (void)rmdir(out); /* made by this run and left empty (each format removes what it made) */
    return finish_run(&r, ex ? ex : rc);
}

/* Every command, for grokx --help and the completion scripts. */
static const cli_command *const commands[] = {&info_command, &convert_command, &search_command,
                                              &merge_command, &check_command, &completion_command};

static void
print_usage_main(FILE *f)
{
    char list[1024];
    size_t i, k = 0;
    for (i = 0; i < sizeof commands / sizeof commands[0] && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "  %-11s%s\n", commands[i]->name,
                              commands[i]->summary);
    fprintf(f, usage_main, list);
}

int
main(int argc, char **argv)
{
    catch_signals();
#ifdef M_MMAP_THRESHOLD
    /* Blocks of 1 MiB and more (a big conversation, its page) come from
     * mmap and go back at free. glibc would otherwise raise this threshold
     * after the first such free, and with three threads' heaps holding
     * freed blocks the peak memory grew by a fifth. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    if (argc < 2) {
        print_usage_main(stderr);
        return EXIT_USAGE;
    }
    /* grokx help CMD is CMD --help, as git and cargo have it */
    if (!strcmp(argv[1], "help") && argc > 2 && strcmp(argv[2], "help")) {
        static char help[] = "--help";
        argv[1] = argv[2];
        argv[2] = help;
        argc = 3;
    }
    /* a unique prefix of a long option, as every command takes them */
    if (!strncmp(argv[1], "--", 2) && strlen(argv[1]) > 2) {
        static char version[] = "--version", help[] = "--help";
        size_t len = strlen(argv[1]);
        if (!strncmp(argv[1], version, len))
            argv[1] = version;
        else if (!strncmp(argv[1], help, len))
            argv[1] = help;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("grokx %s (libgrokx %s)\n", GROKX_VERSION_STRING, grokx_version_string());
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        print_usage_main(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "info"))
        return cmd_info(argc - 2, argv + 2);
    if (!strcmp(argv[1], "convert"))
        return cmd_convert(argc - 2, argv + 2);
    if (!strcmp(argv[1], "search"))
        return cmd_search(argc - 2, argv + 2);
    if (!strcmp(argv[1], "merge"))
        return cmd_merge(argc - 2, argv + 2);
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(argv[1], "completion"))
        return cmd_completion(argc - 2, argv + 2, commands, sizeof commands / sizeof commands[0]);
    if (argv[1][0] == '-') {
        fprintf(stderr, "%s: unknown option ", prog);
        put_clean(stderr, argv[1], strlen(argv[1]));
        fprintf(stderr, "; see %s --help\n", prog);
        return EXIT_USAGE;
    }
    fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[1]);
    print_usage_main(stderr);
    return EXIT_USAGE;
}
