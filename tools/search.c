/*
 * search.c -- the index commands of grokx:
 *
 *   grokx search [-n N] [--json] [--since D] [--until D] [--sender S]
 *                [--model M] [--conversation ID] [--tz Z] [--color WHEN] INDEX QUERY...
 *   grokx merge -o OUT INDEX...
 *   grokx check INDEX
 *
 * search exits 0 when something matched, 1 when nothing did, 2 when the
 * index cannot be read, 64 for a usage error or a query it cannot read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { O_JSON = OPT_LONG(1), O_SINCE, O_UNTIL, O_SENDER, O_MODEL, O_CONVERSATION, O_TZ, O_COLOR,
       O_MARKS };

static const cli_opt search_opts[] = {
    {"limit", 'n', "N", NULL, "conversations to show (default 10)"},
    {"json", O_JSON, NULL, NULL, "one JSON object with every hit (and its highlights)"},
    {"since", O_SINCE, "DATE", NULL, "only messages from DATE (YYYY-MM-DD or ISO 8601)"},
    {"until", O_UNTIL, "DATE", NULL, "only messages before DATE (a day: up to its end)"},
    {"sender", O_SENDER, "WHO", "you user human grok assistant system",
     "you, user or human; grok or assistant; system;\nor a sender as the export writes it (case-insensitive)"},
    {"model", O_MODEL, "NAME", NULL, "only answers whose model contains NAME\n(case-insensitive)"},
    {"conversation", O_CONVERSATION, "ID", NULL, "only that conversation (an id or its beginning)"},
    {"tz", O_TZ, "ZONE", "UTC local",
     "times (and DATE days) in UTC (default), local,\n+HH:MM, +HHMM, +HH (also -)"},
    {"color", O_COLOR, "WHEN", "auto always never",
     "auto (default: on a terminal, unless NO_COLOR is set\nand not empty, or TERM is dumb), always, never"},
    {"marks", O_MARKS, "OPEN,CLOSE", NULL,
     "what marks a match in a snippet without colour\n"
     "(default \xc2\xab,\xc2\xbb, which Markdown leaves alone;\n"
     "'[,]' for brackets; ',' for none)"},
    {"help", 'h', NULL, NULL, "this text"},
    {NULL, 0, NULL, NULL, NULL}};

const cli_command search_command = {
    "search",
    "usage: grokx search [options] INDEX QUERY...\n"
    "\n"
    "Search an index written by `grokx convert -f index -o INDEX EXPORT`.\n"
    "QUERY: words (all must occur), A OR B, -word or NOT word, \"an exact phrase\",\n"
    "prefix*, (groups). Case, accents and width are ignored; snake_case, camelCase\n"
    "and paths are found whole or by their parts; Chinese, Japanese and Korean\n"
    "are matched by character pairs.\n",
    search_opts,
    "Options may come before or after the query. After INDEX a word that begins\n"
    "with one - is a query word (-word leaves out what holds it), except -n N,\n"
    "-nN and -h; after -- every argument is a query word.\n"
    "exit status: 0 found, 1 nothing found, 2 index unreadable, 64 usage or query\n",
    "@index", "search an index made by convert -f index"};

static const cli_opt merge_opts[] = {
    {"output", 'o', "OUT", "@files", "the merged index"},
    {"help", 'h', NULL, NULL, "this text"},
    {NULL, 0, NULL, NULL, NULL}};

const cli_command merge_command = {
    "merge",
    "usage: grokx merge -o OUT INDEX...\n"
    "\n"
    "Merge indexes (of several exports, or built on several machines) into OUT.\n"
    "A conversation found in several is kept once: the copy modified last.\n",
    merge_opts, NULL, "@files", "merge indexes: grokx merge -o ALL.gxi A.gxi B.gxi ..."};

static const cli_opt check_opts[] = {
    {"help", 'h', NULL, NULL, "this text"},
    {NULL, 0, NULL, NULL, NULL}};

const cli_command check_command = {
    "check",
    "usage: grokx check INDEX\n"
    "\n"
    "Verify every checksum and structure of an index file.\n",
    check_opts, NULL, "@files", "verify an index file completely"};

/* ---- printing ------------------------------------------------------------ */

static void
put_json_str(FILE *f, const char *s, size_t n)
{
    grokx_sink sink = {file_write, f};
    size_t i, run = 0;
    fputc('"', f);
    for (i = 0; i < n; i++) { /* '"', '\\' and C0 here; DEL, C1 and bidi controls below */
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20) {
            grokx_terminal_write(sink, s + run, i - run, GROKX_TERMINAL_JSON);
            if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fprintf(f, "\\%c", c);
            run = i + 1;
        }
    }
    grokx_terminal_write(sink, s + run, n - run, GROKX_TERMINAL_JSON);
    fputc('"', f);
}

/* "2025-06-10 11:29" at tz minutes east of UTC, or "undated". */
static void
fmt_time(grokx_time t, int tz, int iso, char *buf, size_t n)
{
    time_t s;
    struct tm tm;
    if (t == GROKX_TIME_NONE || t / 1000 > (grokx_time)253402300799 ||
        t / 1000 < -(grokx_time)62135596800) {
        snprintf(buf, n, "undated");
        return;
    }
    s = (time_t)((t - ((t % 1000) + 1000) % 1000) / 1000) + (time_t)tz * 60;
    gmtime_r(&s, &tm);
    if (iso)
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(((t % 1000) + 1000) % 1000));
    else
        snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min);
}

static void
print_json_time(FILE *f, grokx_time t)
{
    char b[64];
    fmt_time(t, 0, 1, b, sizeof b);
    if (!strcmp(b, "undated"))
        fputs("null", f);
    else
        fprintf(f, "\"%s\"", b);
}

static void
print_json(FILE *f, const char *query, const grokx_results *res)
{
    size_t i, k;
    fputs("{\"query\":", f);
    put_json_str(f, query, strlen(query));
    fprintf(f, ",\"total_messages\":%llu,\"hits\":[", (unsigned long long)grokx_results_total(res));
    for (i = 0; i < grokx_results_count(res); i++) {
        const grokx_hit *h = grokx_results_hit(res, i);
        fprintf(f, "%s{\"score\":%.4f,\"conversation_id\":", i ? "," : "", h->score);
        put_json_str(f, h->conversation_id.ptr, h->conversation_id.len);
        fputs(",\"title\":", f);
        put_json_str(f, h->title.ptr, h->title.len);
        fputs(",\"path\":", f);
        put_json_str(f, h->path.ptr, h->path.len);
        fputs(",\"conversation_time\":", f);
        print_json_time(f, h->conversation_time);
        fprintf(f, ",\"starred\":%s,\"matches\":%llu,\"message_id\":", h->starred ? "true" : "false",
                (unsigned long long)h->matches);
        put_json_str(f, h->message_id.ptr, h->message_id.len);
        fprintf(f, ",\"role\":\"%s\",\"sender\":",
                h->role == GROKX_ROLE_USER ? "user" : h->role == GROKX_ROLE_SYSTEM ? "system" : "assistant");
        put_json_str(f, h->sender.ptr, h->sender.len);
        fputs(",\"model\":", f);
        put_json_str(f, h->model.ptr, h->model.len);
        fputs(",\"time\":", f);
        print_json_time(f, h->time);
        fputs(",\"snippet\":", f);
        put_json_str(f, h->snippet.ptr, h->snippet.len);
        fputs(",\"highlights\":[", f);
        for (k = 0; k < h->highlight_count; k++)
            fprintf(f, "%s[%zu,%zu]", k ? "," : "", h->highlights[k].start, h->highlights[k].len);
        fputs("]}", f);
    }
    fputs("]}\n", f);
}

static void
print_text(FILE *f, const grokx_results *res, int color, int tz, const char *open, size_t open_len,
           const char *close)
{
    const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
               *mark = color ? "\033[1;33m" : "", *off = color ? "\033[0m" : "";
    size_t i, k, at;
    for (i = 0; i < grokx_results_count(res); i++) {
        const grokx_hit *h = grokx_results_hit(res, i);
        char when[64];
        fmt_time(h->time, tz, 0, when, sizeof when);
        fprintf(f, "%s%zu. %s", bold, i + 1, h->starred ? "* " : "");
        if (h->title.len)
            put_clean(f, h->title.ptr, h->title.len);
        else
            fputs("(untitled)", f);
        fprintf(f, "%s\n   %s%s, ", off, dim, when);
        if (h->role == GROKX_ROLE_USER || h->role == GROKX_ROLE_SYSTEM)
            fputs(h->role == GROKX_ROLE_USER ? "you" : "system", f);
        else
            put_clean(f, h->model.len ? h->model.ptr : "Grok", h->model.len ? h->model.len : 4);
        fprintf(f, ", %llu matching message%s%s\n   ", (unsigned long long)h->matches,
                h->matches == 1 ? "" : "s", off);
        for (k = 0, at = 0; k < h->highlight_count; k++) { /* the snippet, matches marked */
            const grokx_span *s = &h->highlights[k];
            put_clean(f, h->snippet.ptr + at, s->start - at);
            if (color)
                fputs(mark, f);
            else
                put_clean(f, open, open_len);
            put_clean(f, h->snippet.ptr + s->start, s->len);
            if (color)
                fputs(off, f);
            else
                put_clean(f, close, strlen(close));
            at = s->start + s->len;
        }
        put_clean(f, h->snippet.ptr + at, h->snippet.len - at);
        fprintf(f, "\n   %s", dim);
        put_clean(f, h->path.ptr, h->path.len);
        fprintf(f, "  (");
        put_clean(f, h->conversation_id.ptr, h->conversation_id.len);
        fprintf(f, ")%s\n\n", off);
    }
}

/* ---- commands -------------------------------------------------------------- */

static int
parse_day(const char *opt, const char *v, int tz, int end, grokx_time *out)
{
    int date_only;
    if (grokx_time_parse(v, out, &date_only) != 0) {
        fprintf(stderr, "%s: search: %s %s: not a date (YYYY-MM-DD or ISO 8601)\n", prog, opt, v);
        return -1;
    }
    if (date_only) /* a day in the chosen zone; --until counts it whole */
        *out -= (grokx_time)tz * 60000 - (end ? 86400000 : 0);
    return 0;
}

/* An index is a file: a folder named as one fails to open (exit 2) */
static int
is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
cmd_search(int argc, char **argv)
{
    grokx_search_options o;
    grokx_index *ix = NULL;
    grokx_results *res = NULL;
    grokx_error err;
    const char *path = NULL, *since = NULL, *until = NULL, *color_when = "auto";
    char *query = NULL;
    size_t qlen = 0;
    int as_json = 0, tz = 0, i, rc, color, ex;
    const char *marks = "\xc2\xab,\xc2\xbb", *close;
    cli_parser p;
    grokx_search_options_init(&o);
    opt_init(&p, &search_command, argc, argv);
    p.words_after = 1; /* after INDEX, "-word" is a query word */
    while ((i = opt_next(&p)) != OPT_DONE) {
        const char *a = p.value;
        switch (i) {
        case 'h':
            opt_print_help(&search_command, stdout);
            free(query);
            return EXIT_OK;
        case 'n': {
            char *end;
            unsigned long n = strtoul(a, &end, 10);
            if (*end || !n || n > 100000 || a[0] == '-') {
                free(query);
                return opt_usage_error(&search_command, "-n takes 1 to 100000");
            }
            o.limit = n;
            break;
        }
        case O_JSON:
            as_json = 1;
            break;
        case O_SINCE:
            since = a;
            break;
        case O_UNTIL:
            until = a;
            break;
        case O_SENDER:
            o.sender = a;
            break;
        case O_MODEL:
            o.model = a;
            break;
        case O_CONVERSATION:
            o.conversation = a;
            break;
        case O_TZ:
            if (parse_tz(a, &tz) != 0) {
                free(query);
                return opt_usage_error(&search_command, "--tz takes UTC, Z, local, +HH:MM, +HHMM or +HH");
            }
            break;
        case O_COLOR:
            color_when = a;
            break;
        case O_MARKS:
            if (!strchr(a, ',')) {
                free(query);
                return opt_usage_error(&search_command, "--marks takes OPEN,CLOSE (such as '[,]'; ',' for none)");
            }
            marks = a;
            break;
        case OPT_OPERAND:
            if (!path) {
                path = a;
                break;
            } else { /* the words after INDEX form the query, -word included */
                size_t n = strlen(a);
                char *q = realloc(query, qlen + n + 2);
                if (!q) {
                    free(query);
                    return fprintf(stderr, "%s: out of memory\n", prog), EXIT_INPUT;
                }
                query = q;
                if (qlen)
                    query[qlen++] = ' ';
                memcpy(query + qlen, a, n + 1);
                qlen += n;
            }
            break;
        default:
            free(query);
            return EXIT_USAGE;
        }
    }
    if (!path || !query) {
        free(query);
        return opt_usage_error(&search_command, "%s missing", !path ? "INDEX" : "QUERY");
    }
    if (!strcmp(color_when, "always"))
        color = 1;
    else if (!strcmp(color_when, "never"))
        color = 0;
    else if (!strcmp(color_when, "auto"))
        /* no-color.org: NO_COLOR counts when present and not empty */
        color = isatty(1) && !(getenv("NO_COLOR") && *getenv("NO_COLOR")) &&
                !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
    else {
        free(query);
        return opt_usage_error(&search_command, "--color takes auto, always or never");
    }
    close = strchr(marks, ',') + 1;
    if ((since && parse_day("--since", since, tz, 0, &o.since)) ||
        (until && parse_day("--until", until, tz, 1, &o.until))) {
        free(query);
        return EXIT_USAGE;
    }
    if (is_file(path) && (rc = check_output("search", path, "-")) != EXIT_OK) { /* "1<>index.gxi" */
        free(query);
        return rc;
    }
    if ((rc = grokx_index_open(path, &ix, &err)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err.text);
        free(query);
        return EXIT_INPUT;
    }
    rc = grokx_index_search(ix, query, &o, &res, &err);
    if (rc) {
        fprintf(stderr, "%s: %s%s%s\n", prog, rc == GROKX_E_QUERY ? "search: " : path,
                rc == GROKX_E_QUERY ? "" : ": ", err.text);
        ex = rc == GROKX_E_QUERY ? EXIT_USAGE : EXIT_INPUT;
    } else {
        if (as_json)
            print_json(stdout, query, res);
        else
            print_text(stdout, res, color, tz, marks, (size_t)(close - marks - 1), close);
        ex = finish_stdout();
        if (ex == EXIT_OK && !grokx_results_count(res))
            ex = EXIT_NO_MATCH;
    }
    grokx_results_free(res);
    grokx_index_close(ix);
    free(query);
    return ex;
}

int
cmd_merge(int argc, char **argv)
{
    const char *out = NULL, **in;
    size_t n = 0;
    grokx_file *f;
    grokx_error err;
    cli_parser p;
    int i, rc, stream;
    if (!(in = calloc((size_t)argc + 1, sizeof *in)))
        return fprintf(stderr, "%s: out of memory\n", prog), EXIT_INPUT;
    opt_init(&p, &merge_command, argc, argv);
    while ((i = opt_next(&p)) != OPT_DONE) {
        if (i == 'h') {
            opt_print_help(&merge_command, stdout);
            free(in);
            return EXIT_OK;
        } else if (i == 'o') {
            out = p.value;
        } else if (i == OPT_OPERAND) {
            in[n++] = p.value;
        } else {
            free(in);
            return EXIT_USAGE;
        }
    }
    if (!out || !n) {
        free(in);
        return opt_usage_error(&merge_command, "%s missing", !out ? "-o OUT" : "INDEX");
    }
    for (i = 0; i < (int)n; i++) /* the same file by any name, as convert decides it */
        if ((rc = check_output("merge", in[i], out)) != EXIT_OK) {
            free(in);
            return rc;
        }
    if ((rc = output_kind("merge", out, &stream)) != EXIT_OK) {
        free(in);
        return rc;
    }
    if (stream) { /* a FIFO or a device: written through, never replaced */
        grokx_sink so = {stdout_write, NULL};
        if ((rc = stream_to("merge", out)) != EXIT_OK) {
            free(in);
            return rc;
        }
        rc = grokx_index_merge(in, n, so, &err);
        free(in);
        if (rc == GROKX_E_IO)
            return fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno)), EXIT_OUTPUT;
        if (rc)
            return fprintf(stderr, "%s: %s\n", prog, err.text), EXIT_INPUT;
        return finish_stdout();
    }
    if (!(f = grokx_file_open(out, 0600, GROKX_FILE_FSYNC | GROKX_FILE_LOCK | GROKX_FILE_OURS_INDEX))) {
        if (errno == EEXIST) {
            free(in);
            return report_not_ours("merge", out, "index");
        }
        free(in);
        return report_open_failure(out, 0);
    }
    rc = grokx_index_merge(in, n, grokx_file_sink(f), &err);
    free(in);
    if (rc) {
        grokx_file_abort(f);
        if (rc == GROKX_E_IO)
            return fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno)), EXIT_OUTPUT;
        fprintf(stderr, "%s: %s\n", prog, err.text);
        return EXIT_INPUT;
    }
    if (grokx_file_commit(f) != 0)
        return fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno)), EXIT_OUTPUT;
    return EXIT_OK;
}

int
cmd_check(int argc, char **argv)
{
    grokx_index *ix;
    grokx_index_info info;
    grokx_error err;
    const char *path = NULL;
    cli_parser p;
    int i;
    opt_init(&p, &check_command, argc, argv);
    while ((i = opt_next(&p)) != OPT_DONE) {
        if (i == 'h')
            return opt_print_help(&check_command, stdout), EXIT_OK;
        if (i != OPT_OPERAND)
            return EXIT_USAGE;
        if (path)
            return opt_usage_error(&check_command, "one INDEX only");
        path = p.value;
    }
    if (!path)
        return opt_usage_error(&check_command, "INDEX missing");
    if (is_file(path) && check_output("check", path, "-") != EXIT_OK) /* "1<>index.gxi" */
        return EXIT_USAGE;
    if (grokx_index_open(path, &ix, &err) != 0 || grokx_index_check(ix, &err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err.text);
        grokx_index_close(ix);
        return EXIT_INPUT;
    }
    grokx_index_get_info(ix, &info);
    printf("%s: ok: %llu messages in %llu conversations, %llu distinct words, %llu bytes\n",
           path, (unsigned long long)info.messages, (unsigned long long)info.conversations,
           (unsigned long long)info.terms, (unsigned long long)info.file_bytes);
    grokx_index_close(ix);
    return finish_stdout();
}
