/*
 * folder.c -- the back end for an export already extracted: the folder
 * holding prod-grok-backend.json and the attachments. Lists its regular
 * files (symbolic links listed, never followed: they are warned about),
 * reads the backend through plain.c, and opens an attachment's file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/backend.h"

#define S_FOLDER_DEPTH 8 /* how deep to look for the backend in a folder */

static char *
S_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, na);
    if (na && a[na - 1] == '/') /* "z/" as the shell completes it: z/x, not z//x */
        na--;
    s[na] = '/';
    memcpy(s + na + 1, b, nb + 1);
    return s;
}

/* Add the regular files under dir (recursively, symlinks never followed
 * but listed, to be warned about), named relative to root. */
static int
S_walk(grokx_input *in, const char *root, const char *rel, int depth)
{
    char *dir = rel[0] ? S_join(root, rel) : gx_strdup(root);
    DIR *d;
    struct dirent *de;
    int rc = 0;
    if (!dir)
        return GROKX_E_NOMEM;
    if (!(d = opendir(dir))) {
        free(dir);
        return 0; /* unreadable folders are skipped */
    }
    while (!rc && (de = readdir(d)) != NULL) {
        struct stat st;
        char *full, *name;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        full = S_join(dir, de->d_name);
        name = rel[0] ? S_join(rel, de->d_name) : gx_strdup(de->d_name);
        if (!full || !name)
            rc = GROKX_E_NOMEM;
        else if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < S_FOLDER_DEPTH)
            rc = S_walk(in, root, name, depth + 1);
        else if (lstat(full, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
            gx_entry *e = gx_input_add_entry(in, name, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
            if (!e || gx_input_classify(in, e))
                rc = GROKX_E_NOMEM;
            else {
                e->defect = S_ISLNK(st.st_mode) ? GX_DEFECT_SYMLINK : 0; /* listed, never followed */
                e->path = full;
                full = NULL;
            }
        }
        free(full);
        free(name);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int
S_cmp_names(const void *a, const void *b)
{
    return strcmp(((const gx_entry *)a)->name, ((const gx_entry *)b)->name);
}

int
gx_folder_open(grokx_input *in, grokx_error *err)
{
    int rc = S_walk(in, in->path, "", 0);
    if (rc)
        return gx_err_set(err, rc, "out of memory");
    qsort(in->entries, in->nentries, sizeof *in->entries, S_cmp_names);
    return gx_input_index_assets(in, err);
}

/* ---- the backend ---------------------------------------------------- */

int
gx_folder_parse(grokx_input *in, grokx_parser *p, unsigned char *buf)
{
    const gx_entry *e = &in->entries[in->backend];
    grokx_error err;
    int fd, rc;
    if ((rc = gx_input_defect(in, e, 1, &err)) != 0)
        return gx_parser_fail(p, rc, "%s", err.text);
    if ((fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return gx_parser_fail(p, GROKX_E_IO, "%s: %s", e->path, strerror(errno));
    gx_input_warn_members(in, p);
    rc = gx_plain_parse(in, fd, p, buf, 1);
    close(fd);
    return rc;
}

/* ---- attachments ----------------------------------------------------- */

int
gx_folder_member_open(const gx_entry *e, int *fd, grokx_error *err)
{
    if ((*fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return gx_err_set(err, GROKX_E_IO, "%s: %s", e->path, strerror(errno));
    return 0;
}

int
gx_folder_member_read(const gx_entry *e, int fd, void *buf, size_t cap, size_t *got,
                      grokx_error *err)
{
    ssize_t n;
    do
        n = read(fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return gx_err_set(err, GROKX_E_IO, "%s: read failed: %s", e->path, strerror(errno));
    *got = (size_t)n;
    return 0;
}
