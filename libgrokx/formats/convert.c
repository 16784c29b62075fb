/*
 * convert.c -- grokx_convert(): the whole of `grokx convert` in one call,
 * for embedders (the Python package, a GUI) that would otherwise rebuild
 * the chain of input, writers, tee, writer thread, filter, parser and
 * atomic output files by hand, and get one of its rules wrong (an output
 * over the input, a file that is not ours replaced, a half-written index).
 *
 * It lives in formats/ because it makes the writers by name through the
 * registry (formats/registry.c); everything else it calls is public API of
 * the stages below. The tool does the same steps itself (with its own
 * messages and exit codes); the two write the same bytes (tests/python).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/formats.h"

#define MAX_FORMATS 8

typedef struct conv_job {
    char *list; /* the caller's format list, split in place */
    const char *formats[MAX_FORMATS];
    size_t n;
    char *paths[MAX_FORMATS];     /* OUT/<format>[.ext] with several formats */
    grokx_writer *writers[MAX_FORMATS];
    grokx_file *files[MAX_FORMATS];
    int made_out; /* OUT (of several formats) was made by this call */
} conv_job;

/* An output's failure: said to come from the writer's side, so a caller
 * can tell it from the input's (grokx_error.origin). */
static int
S_out_err(grokx_error *err, int rc)
{
    if (err)
        err->origin = GROKX_ORIGIN_WRITER;
    return rc;
}

/* "md,index" -> the names; GROKX_E_INVALID for an empty, too long or
 * repeated list or an unknown name (twice the same would write one output
 * twice over: the second writer would find the first one's lock). */
static int
S_split(conv_job *j, const char *formats, grokx_error *err)
{
    char *tok, *save = NULL;
    size_t i, len = strlen(formats);
    if (!(j->list = malloc(len + 1)))
        return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
    memcpy(j->list, formats, len + 1);
    for (tok = strtok_r(j->list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (j->n == MAX_FORMATS)
            return gx_err_set(err, GROKX_E_INVALID, "more than %d formats", MAX_FORMATS);
        if (grokx_writer_format_info(tok, NULL, NULL) != 0)
            return gx_err_set(err, GROKX_E_INVALID, "unknown format \"%s\"", tok);
        for (i = 0; i < j->n; i++)
            if (!strcmp(j->formats[i], tok))
                return gx_err_set(err, GROKX_E_INVALID, "format \"%s\" given twice", tok);
        j->formats[j->n++] = tok;
    }
    return j->n ? GROKX_OK : gx_err_set(err, GROKX_E_INVALID, "no format given");
}

/* Where format i writes: OUT itself, or OUT/<format>[.ext] with several. */
static int
S_paths(conv_job *j, const char *out, grokx_error *err)
{
    size_t i;
    for (i = 0; j->n > 1 && i < j->n; i++) {
        const char *ext = NULL;
        size_t n = strlen(out) + strlen(j->formats[i]) + 16;
        grokx_writer_format_info(j->formats[i], &ext, NULL);
        if (!(j->paths[i] = malloc(n)))
            return gx_err_set(err, GROKX_E_NOMEM, "out of memory");
        snprintf(j->paths[i], n, ext ? "%s/%s.%s" : "%s/%s", out, j->formats[i], ext ? ext : "");
    }
    return GROKX_OK;
}

static int
S_open(conv_job *j, const char *out, grokx_input *in, const grokx_writer_config *base,
       grokx_error *err)
{
    size_t i;
    int rc;
    if (out && j->n > 1 && !(j->made_out = mkdir(out, 0700) == 0) && errno != EEXIST)
        return S_out_err(err, gx_err_set(err, GROKX_E_IO, "%s: %s", out, strerror(errno)));
    for (i = 0; i < j->n; i++) {
        grokx_writer_config cfg = *base;
        const char *ext = NULL, *path = j->n > 1 ? j->paths[i] : out;
        int streams = 0;
        unsigned fflags = 0;
        grokx_writer_format_info(j->formats[i], &ext, &streams);
        grokx_writer_format_flags(j->formats[i], &fflags);
        cfg.input = in;
        cfg.out_dir = NULL;
        if (!path && !streams)
            return gx_err_set(err, GROKX_E_INVALID, "%s writes %s: give an output path",
                              j->formats[i], ext ? "a file of its own" : "a folder");
        if (path && ext && (fflags & GROKX_FORMAT_FILE)) {
            /* a file the writer fills by name (a database): the lock, the
             * signature and the commit are its own (GROKX_FORMAT_FILE) */
            cfg.out_dir = path;
        } else if (path && ext) {
            /* replaced only when it is this format's own output, locked
             * against a second run, whole or not at all */
            const void *sig = NULL;
            size_t sig_len = 0;
            grokx_writer_format_signature(j->formats[i], &sig, &sig_len);
            j->files[i] = grokx_file_open_ours(path, 0600, GROKX_FILE_FSYNC | GROKX_FILE_LOCK, sig,
                                               sig_len);
            if (!j->files[i] && errno == EEXIST)
                return S_out_err(err, gx_err_set(err, GROKX_E_IO,
                                                 "%s: exists and is not a %s output of grokx: left alone",
                                                 path, j->formats[i]));
            if (!j->files[i])
                return S_out_err(err, gx_err_set(err, GROKX_E_IO, "%s: %s", path,
                                                 errno == EWOULDBLOCK ? "locked by another run"
                                                                      : strerror(errno)));
            cfg.sink = grokx_file_sink(j->files[i]);
        } else if (path) {
            cfg.out_dir = path;
        }
        if ((rc = grokx_writer_open(j->formats[i], &cfg, &j->writers[i], err)) != 0)
            return rc == GROKX_E_IO ? S_out_err(err, rc) : rc;
    }
    return GROKX_OK;
}

/* Free the writers (joining their threads), then commit every output file
 * (ok) or remove the temporaries. */
static int
S_close(conv_job *j, const char *out, int ok, grokx_error *err)
{
    size_t i;
    int rc = GROKX_OK;
    for (i = 0; i < j->n; i++) {
        grokx_writer_free(j->writers[i]);
        if (j->files[i] && ok && rc == GROKX_OK) {
            if (grokx_file_commit(j->files[i]) != 0)
                rc = S_out_err(err, gx_err_set(err, GROKX_E_IO, "%s: %s",
                                               j->n > 1 ? j->paths[i] : out, strerror(errno)));
        } else if (j->files[i]) {
            grokx_file_abort(j->files[i]);
        }
        free(j->paths[i]);
    }
    if (j->made_out && (!ok || rc))
        (void)rmdir(out); /* made by this call and left empty (each format removes what it made) */
    free(j->list);
    return rc;
}

/* How many of the job's formats carry a GROKX_FORMAT_* flag. */
static size_t
S_with(const conv_job *j, unsigned flag)
{
    size_t i, n = 0;
    unsigned flags;
    for (i = 0; i < j->n; i++)
        n += grokx_writer_format_flags(j->formats[i], &flags) == 0 && (flags & flag);
    return n;
}

/* Every output path of the job, checked against the input before anything
 * is opened. */
static int
S_check(const conv_job *j, const char *input, const char *out, grokx_error *err)
{
    size_t i;
    int rc;
    if (!out)
        return GROKX_OK;
    if ((rc = grokx_output_check(input, out, err)) != 0)
        return rc;
    for (i = 0; j->n > 1 && i < j->n; i++)
        if ((rc = grokx_output_check(input, j->paths[i], err)) != 0)
            return rc;
    return GROKX_OK;
}

int
grokx_convert(const char *input, const char *out, const char *formats, const grokx_options *opts,
              const grokx_writer_config *cfg, const grokx_filter *filter, grokx_stats *stats,
              grokx_error *err)
{
    conv_job j;
    grokx_options o;
    grokx_writer_config base;
    grokx_input *in = NULL;
    grokx_parser *p = NULL;
    grokx_writer *tee = NULL, *thr = NULL, *top = NULL;
    int rc, crc;
    memset(&j, 0, sizeof j);
    if (err)
        memset(err, 0, sizeof *err);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!input)
        return gx_err_set(err, GROKX_E_INVALID, "no input given");
    if ((opts && opts->abi_version != GROKX_ABI_VERSION) ||
        (cfg && cfg->abi_version != GROKX_ABI_VERSION) ||
        (filter && filter->abi_version != GROKX_ABI_VERSION))
        return gx_err_set(err, GROKX_E_VERSION, "a struct of another ABI version");
    if (opts)
        o = *opts;
    else
        grokx_options_init(&o);
    if (cfg)
        base = *cfg;
    else
        grokx_writer_config_init(&base);
    if ((rc = S_split(&j, formats ? formats : "md", err)) != 0 ||
        (!out && j.n > 1 && (rc = gx_err_set(err, GROKX_E_INVALID,
                                             "several formats need an output folder")) != 0) ||
        (out && (rc = S_paths(&j, out, err)) != 0) || (rc = S_check(&j, input, out, err)) != 0 ||
        (rc = grokx_input_open(input, NULL, &in, err)) != 0) {
        S_close(&j, out, 0, NULL);
        return rc;
    }
    if (!o.input_name)
        o.input_name = grokx_input_name(in);
    /* formats that all keep every branch and mark the active one (sqlite)
     * get every branch, as the command gives them by default */
    if (j.n > 0 && S_with(&j, GROKX_FORMAT_ALL_BRANCHES) == j.n)
        o.flags |= GROKX_OPT_ALL_BRANCHES;
    if ((rc = S_open(&j, out, in, &base, err)) != 0)
        goto done;
    tee = grokx_writer_tee_new(j.writers, j.n);
    /* a format that renders (GROKX_FORMAT_THREAD) is worth a writer thread */
    thr = tee && !(base.flags & GROKX_WF_NO_THREADS) && S_with(&j, GROKX_FORMAT_THREAD)
              ? grokx_writer_thread_new(tee)
              : tee;
    top = thr && filter ? grokx_writer_filter_new(thr, filter) : thr;
    if (!top || (rc = grokx_parser_create(&o, top, &p)) != 0) {
        rc = gx_err_set(err, GROKX_E_NOMEM, "out of memory");
        goto done;
    }
    rc = grokx_input_parse(in, p);
    if (rc && err)
        *err = *grokx_parser_error(p);
    if (stats)
        *stats = *grokx_parser_stats(p);
done:
    grokx_parser_free(p);
    if (top != thr)
        grokx_writer_free(top);
    if (thr != tee)
        grokx_writer_free(thr); /* joins the writing thread */
    grokx_writer_free(tee);
    crc = S_close(&j, out, rc == GROKX_OK, rc ? NULL : err);
    grokx_input_close(in);
    return rc ? rc : crc;
}
