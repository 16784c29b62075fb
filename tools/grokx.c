/*
 * grokx -- the command line: a thin shell over libgrokx.
 *
 *   grokx info [--json] [-q] INPUT
 *   grokx convert [-f FORMAT[,FORMAT...]] -o OUT [--branches active|all] [-q] INPUT
 *   grokx search INDEX QUERY, grokx merge -o OUT INDEX..., grokx check INDEX (search.c)
 *   grokx --version | --help | COMMAND --help
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
    "  info      print what the export holds (conversations, messages, models, ...)\n"
    "  convert   write the export in one or more formats (md, html, index, sqlite, ...)\n"
    "  search    search an index made by convert -f index: grokx search INDEX QUERY\n"
    "  merge     merge indexes: grokx merge -o ALL.gxi A.gxi B.gxi ...\n"
    "  check     verify an index file completely: grokx check INDEX\n"
    "\n"
    "options:\n"
    "  --help     this text; COMMAND --help for a command's options\n"
    "  --version  print the version\n"
    "\n"
    "INPUT is the export ZIP as downloaded, its extracted folder,\n"
    "prod-grok-backend.json, a .json.gz, or - for standard input.\n"
    "exit status: 0 ok, 1 ok with warnings, 2 input error, 3 output error, 64 usage\n"
    "(or an output that would overwrite the input), 75 output locked by another run\n";

static const char usage_info[] =
    "usage: grokx info [--json] [-q] INPUT\n"
    "\n"
    "Print what the export holds: conversations, messages by sender, models,\n"
    "date range, text size, branches, thinking traces, web searches,\n"
    "attachments, and the other sections (projects, tasks, media posts).\n"
    "\n"
    "  --json   print one JSON object instead of text\n"
    "  -q       no progress line and no warnings on stderr\n";

static const char usage_convert[] =
    "usage: grokx convert [-f FORMAT[,FORMAT...]] -o OUT [options] INPUT\n"
    "\n"
    "  -f, --format LIST    formats to write (default md); available: %s\n"
    "  -o, --output OUT     a folder for %s; a file for %s;\n"
    "                       - streams %s to standard output;\n"
    "                       with several formats OUT is a folder holding one\n"
    "                       of each (OUT/md/, OUT/index.gxi, OUT/sqlite.db, ...)\n"
    "  --branches MODE      active (default): each conversation's current\n"
    "                       branch; all: every regeneration and edit too\n"
    "                       (the default when every format keeps all: %s)\n"
    "  --layout MODE        nested (default): OUT/YYYY/MM/<note>.md; flat: OUT/<note>.md\n"
    "  --name TEMPLATE      note names from {date} {title} {id};\n"
    "                       default \"{date} {title} ({id})\"\n"
    "  --no-thinking        leave thinking traces and steps out\n"
    "  --force              replace notes you edited since grokx wrote them\n"
    "                       (without it they are kept, and a later run says so);\n"
    "                       a file grokx did not write is never replaced\n"
    "  --tz ZONE            times in UTC (default), local (TZ, with summer time),\n"
    "                       or +HH:MM, +HHMM, +HH (also -)\n"
    "  --since DATE         only conversations from DATE (YYYY-MM-DD or ISO 8601)\n"
    "  --until DATE         only conversations before DATE (a day: up to its end)\n"
    "  --title TEXT         only titles containing TEXT (case-insensitive)\n"
    "  --model NAME         only conversations where a model name contains NAME\n"
    "  --starred            only starred conversations\n"
    "  --memory SIZE        index: postings kept in memory before a temporary\n"
    "                       segment is written (default 256M; K, M, G)\n"
    "  --threads N          2 (default): render and write files on other threads\n"
    "                       while the export is read; 1: all on one thread\n"
    "  -q                   no progress line and no warnings on stderr\n";

/* ---- diagnostics ------------------------------------------------------- */

typedef struct run {
    char *input_name; /* the run's own copy: printed up to finish_run's last line */
    int quiet;
    int progress; /* stderr is a TTY */
    unsigned long warnings;
    /* report lines that are warnings ("warning: exists, not ours: ..."),
     * counted on the writer's thread, read after it is joined */
    unsigned long report_warnings;
    double start, last_progress;
    grokx_parser *parser;
    grokx_input *input;
} run;

/* "grokx: NAME: ", the name as the terminal may show it (a file name can
 * hold escapes too) */
static void
put_input_prefix(const run *r)
{
    fprintf(stderr, "%s: ", prog);
    put_clean(stderr, r->input_name, strlen(r->input_name));
    fputs(": ", stderr);
}

static void
on_warning(void *ud, const grokx_error *w)
{
    run *r = ud;
    r->warnings++;
    if (r->quiet || r->warnings > MAX_PRINTED_WARNINGS)
        return;
    if (r->progress)
        fputs("\r\033[K", stderr);
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
    double t = now(), secs;
    if (!r->progress || r->quiet || (!final && t - r->last_progress < 0.25))
        return;
    r->last_progress = t;
    st = grokx_parser_stats(r->parser);
    secs = t - r->start > 1e-6 ? t - r->start : 1e-6;
    fprintf(stderr, "\r\033[K%s: %.1f MB read, %.1f MB/s, %llu conversations%s", prog,
            (double)st->bytes / 1e6, (double)st->bytes / 1e6 / secs,
            (unsigned long long)st->conversations, final ? "\n" : "");
}

static int
report_error(run *r, int rc)
{
    const grokx_error *e = grokx_parser_error(r->parser);
    if (r->progress && !r->quiet)
        fputs("\r\033[K", stderr);
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
    r->progress = isatty(2);
}

/* The run's last words; closes the input (and frees its name) after them. */
static int
finish_run(run *r, int rc)
{
    if (got_signal) {
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
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_info, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json"))
            as_json = 1;
        else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            r.quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return fprintf(stderr, "%s: info: unknown option %s\n%s", prog, argv[i], usage_info),
                   EXIT_USAGE;
        else if (input)
            return fprintf(stderr, "%s: info: one INPUT only\n", prog), EXIT_USAGE;
        else
            input = argv[i];
    }
    if (!input)
        return fprintf(stderr, "%s: info: INPUT missing\n%s", prog, usage_info), EXIT_USAGE;
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
    if (r->progress)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "%s: ", prog);
    put_clean_line(text);
}

typedef struct md_options {
    unsigned flags;
    const char *name_template;
    int tz;
} md_options;

/* The formats the registry holds, as a list for the help text: all, or
 * those that write a folder, a file, or can stream. The tool names none. */
enum { FORMATS_ALL, FORMATS_FOLDER, FORMATS_FILE, FORMATS_STREAM, FORMATS_ALL_BRANCHES };
static int
formats_available(char *buf, size_t n, int kind)
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
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", name);
    }
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
    char *save = NULL, *tok;
    size_t i;
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
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

/* Whether a format renders notes or pages (GROKX_FORMAT_THREAD): those
 * are worth a writer thread. events and index alone are not (index has its
 * own thread, and the copies would cost events a fifth more memory for a
 * tenth less time). */
static int
renders(const convert_job *j)
{
    size_t i;
    unsigned flags;
    for (i = 0; i < j->nformats; i++)
        if (grokx_writer_format_flags(j->formats[i], &flags) == 0 && (flags & GROKX_FORMAT_THREAD))
            return 1;
    return 0;
}

/* Whether every format asked keeps every branch (GROKX_FORMAT_ALL_BRANCHES:
 * sqlite marks the active one in its rows): then --branches defaults to
 * all. With md or html in the run it stays active, their default. */
static int
all_branches(const convert_job *j)
{
    size_t i;
    unsigned flags;
    for (i = 0; i < j->nformats; i++)
        if (grokx_writer_format_flags(j->formats[i], &flags) != 0 || !(flags & GROKX_FORMAT_ALL_BRANCHES))
            return 0;
    return j->nformats > 0;
}

static int
cmd_convert(int argc, char **argv)
{
    run r = {0};
    grokx_options o;
    convert_job j;
    grokx_writer *tee = NULL, *thr = NULL, *top = NULL;
    char default_formats[] = "md", *formats = default_formats, avail[256];
    char folders[256], files[256], streamers[256], keep_all[256];
    const char *input = NULL, *out = NULL;
    unsigned flags = 0;
    int i, rc, ex, branches_given = 0;
    memset(&j, 0, sizeof j);
    grokx_filter_init(&j.filter);
    formats_available(avail, sizeof avail, FORMATS_ALL);
    formats_available(folders, sizeof folders, FORMATS_FOLDER);
    formats_available(files, sizeof files, FORMATS_FILE);
    formats_available(streamers, sizeof streamers, FORMATS_STREAM);
    formats_available(keep_all, sizeof keep_all, FORMATS_ALL_BRANCHES);
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_arg = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf(usage_convert, avail, folders, files, streamers, keep_all);
            return EXIT_OK;
        } else if ((!strcmp(a, "-f") || !strcmp(a, "--format")) && has_arg)
            formats = argv[++i];
        else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has_arg)
            out = argv[++i];
        else if (!strcmp(a, "--branches") && has_arg) {
            const char *m = argv[++i];
            branches_given = 1;
            if (!strcmp(m, "all"))
                flags |= GROKX_OPT_ALL_BRANCHES;
            else if (strcmp(m, "active"))
                return fprintf(stderr, "%s: convert: --branches takes active or all\n", prog),
                       EXIT_USAGE;
        } else if (!strcmp(a, "--layout") && has_arg) {
            const char *m = argv[++i];
            if (!strcmp(m, "flat"))
                j.md.flags |= GROKX_WF_FLAT;
            else if (strcmp(m, "nested"))
                return fprintf(stderr, "%s: convert: --layout takes nested or flat\n", prog),
                       EXIT_USAGE;
        } else if (!strcmp(a, "--name") && has_arg)
            j.md.name_template = argv[++i];
        else if (!strcmp(a, "--no-thinking"))
            j.md.flags |= GROKX_WF_NO_THINKING;
        else if (!strcmp(a, "--force"))
            j.md.flags |= GROKX_WF_FORCE;
        else if (!strcmp(a, "--tz") && has_arg) {
            if (parse_tz(argv[++i], &j.md.tz) != 0)
                return fprintf(stderr, "%s: convert: --tz takes UTC, Z, local, +HH:MM, +HHMM or +HH\n", prog),
                       EXIT_USAGE;
            /* local: each time with its own date's offset (summer time);
             * md.tz (today's offset) only places --since/--until days */
            if (!strcmp(argv[i], "local"))
                j.md.flags |= GROKX_WF_LOCAL_TIME;
            else
                j.md.flags &= ~GROKX_WF_LOCAL_TIME;
        } else if (!strcmp(a, "--since") && has_arg)
            j.since = argv[++i], j.filtered = 1;
        else if (!strcmp(a, "--until") && has_arg)
            j.until = argv[++i], j.filtered = 1;
        else if (!strcmp(a, "--title") && has_arg)
            j.filter.title = argv[++i], j.filtered = 1;
        else if (!strcmp(a, "--model") && has_arg)
            j.filter.model = argv[++i], j.filtered = 1;
        else if (!strcmp(a, "--starred"))
            j.filter.starred_only = 1, j.filtered = 1;
        else if (!strcmp(a, "--memory") && has_arg) {
            if (parse_size(argv[++i], &j.memory) != 0)
                return fprintf(stderr, "%s: convert: --memory takes a size such as 256M (at least 1M)\n", prog),
                       EXIT_USAGE;
        }
        else if (!strcmp(a, "--threads") && has_arg) {
            const char *m = argv[++i];
            if (strcmp(m, "1") && strcmp(m, "2"))
                return fprintf(stderr, "%s: convert: --threads takes 1 or 2\n", prog), EXIT_USAGE;
            j.one_thread = !strcmp(m, "1");
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            r.quiet = 1;
        else if (a[0] == '-' && a[1])
            return fprintf(stderr, "%s: convert: unknown option or missing value: %s\n", prog,
                           a),
                   EXIT_USAGE;
        else if (input)
            return fprintf(stderr, "%s: convert: one INPUT only\n", prog), EXIT_USAGE;
        else
            input = a;
    }
    if (!input || !out) {
        fprintf(stderr, "%s: convert: %s missing\n", prog, !input ? "INPUT" : "-o OUT");
        fprintf(stderr, usage_convert, avail, folders, files, streamers, keep_all);
        return EXIT_USAGE;
    }
    if ((rc = split_formats(&j, formats)) != 0)
        return rc == -1 ? (fprintf(stderr, "%s: convert: bad format list\n", prog), EXIT_USAGE)
                        : EXIT_USAGE;
    if (parse_dates(&j) != 0)
        return EXIT_USAGE;
    if (!branches_given && all_branches(&j))
        flags |= GROKX_OPT_ALL_BRANCHES;
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
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("grokx %s (libgrokx %s)\n", GROKX_VERSION_STRING, grokx_version_string());
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_main, stdout);
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
    fprintf(stderr, "%s: unknown command \"%s\"\n%s", prog, argv[1], usage_main);
    return EXIT_USAGE;
}
