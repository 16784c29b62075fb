/*
 * manifest.c -- what an earlier run wrote into a notes folder, so a new
 * run on a newer export rewrites only what changed, and can tell a note
 * the user edited (its bytes no longer hash to what we wrote).
 *
 * The file is OUT/.grokx-manifest: a header line, then one line per note,
 * "<hash hex>\t<conversation id>\t<path relative to OUT>". It is written
 * with a temp file and a rename like every output.
 *
 * OUT/.grokx-manifest.journal, in the same line format, lists the notes a
 * run rewrote, each line written before its note: a run that was killed
 * leaves it behind, and the next run takes a note whose bytes match a
 * journal line as ours, not as the user's edit. A finished run removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/out.h"

/* version 2 holds gx_hash64 (XXH64); version 1 held gx_hash64_v1 */
#define S_HEADER "# grokx manifest 2\n"
#define S_HEADER_V1 "# grokx manifest 1\n"

struct gx_manifest {
    gx_manifest_entry *e;
    size_t n, cap;
    size_t *slot; /* open addressing on id: index + 1 */
    size_t nslot;
    int version; /* of the file it was loaded from; 2 when new */
    int journal_fd;    /* the journal, when journal_state is 1 */
    int journal_state; /* 0 not opened yet, 1 open, -1 could not be opened */
};

static int
S_rehash(gx_manifest *m)
{
    size_t n = 64, i, k;
    while (n < 2 * m->n + 2)
        n *= 2;
    free(m->slot);
    if (!(m->slot = calloc(n, sizeof *m->slot)))
        return GROKX_E_NOMEM;
    m->nslot = n;
    for (i = 0; i < m->n; i++) {
        for (k = (size_t)gx_hash64(m->e[i].id, strlen(m->e[i].id)) & (n - 1); m->slot[k];
             k = (k + 1) & (n - 1))
            ;
        m->slot[k] = i + 1;
    }
    return 0;
}

gx_manifest_entry *
gx_manifest_find(gx_manifest *m, const char *id)
{
    size_t k;
    if (!m->nslot)
        return NULL;
    for (k = (size_t)gx_hash64(id, strlen(id)) & (m->nslot - 1); m->slot[k];
         k = (k + 1) & (m->nslot - 1))
        if (!strcmp(m->e[m->slot[k] - 1].id, id))
            return &m->e[m->slot[k] - 1];
    return NULL;
}

/* Record (or replace) id's note. */
int
gx_manifest_set(gx_manifest *m, const char *id, uint64_t hash, const char *rel)
{
    gx_manifest_entry *e = gx_manifest_find(m, id);
    char *nrel = gx_strdup(rel);
    size_t k;
    if (!nrel)
        return GROKX_E_NOMEM;
    if (e) {
        free(e->rel);
        e->rel = nrel;
        e->hash = hash;
        e->seen = 1;
        return 0;
    }
    if (gx_grow(&m->e, &m->cap, m->n + 1, sizeof *m->e) || !(m->e[m->n].id = gx_strdup(id))) {
        free(nrel);
        return GROKX_E_NOMEM;
    }
    m->e[m->n].rel = nrel;
    m->e[m->n].hash = hash;
    m->e[m->n].seen = 1;
    m->n++;
    if (2 * m->n + 2 > m->nslot)
        return S_rehash(m);
    for (k = (size_t)gx_hash64(id, strlen(id)) & (m->nslot - 1); m->slot[k];
         k = (k + 1) & (m->nslot - 1))
        ;
    m->slot[k] = m->n;
    return 0;
}

int
gx_manifest_rekey(gx_manifest *m, const char *id, const char *to)
{
    gx_manifest_entry *e = gx_manifest_find(m, id);
    char *nid;
    if (!e || gx_manifest_find(m, to))
        return 0;
    if (!(nid = gx_strdup(to)))
        return GROKX_E_NOMEM;
    free(e->id);
    e->id = nid;
    return S_rehash(m);
}

/* One "<hash>\t<id>\t<rel>\n" line, split in place: 0, or -1 when it is
 * not one we could have written. */
static int
S_parse_line(char *line, uint64_t *hash, char **id_out, char **rel_out)
{
    char *id = strchr(line, '\t'), *rel = id ? strchr(id + 1, '\t') : NULL, *end;
    unsigned long long h;
    if (!rel || (end = strchr(rel, '\n')) == NULL)
        return -1;
    *id++ = 0;
    *rel++ = 0;
    *end = 0;
    if (sscanf(line, "%16llx", &h) != 1 || !*id || !gx_rel_safe(rel))
        return -1; /* a path we did not write is never used (on its components: a
                    * title "Wait... what?" is a name, not a way out of OUT) */
    *hash = (uint64_t)h, *id_out = id, *rel_out = rel;
    return 0;
}

gx_manifest *
gx_manifest_load(const char *path)
{
    gx_manifest *m = calloc(1, sizeof *m);
    FILE *f;
    char line[8192];
    if (!m)
        return NULL;
    m->version = 2;
    if (!(f = fopen(path, "r")))
        return m; /* a first run */
    if (!fgets(line, sizeof line, f) || (strcmp(line, S_HEADER) && strcmp(line, S_HEADER_V1))) {
        fclose(f);
        return m; /* not ours, or a later version: start afresh */
    }
    if (!strcmp(line, S_HEADER_V1))
        m->version = 1;
    while (fgets(line, sizeof line, f)) {
        char *id, *rel;
        uint64_t h;
        if (S_parse_line(line, &h, &id, &rel))
            continue;
        if (gx_manifest_set(m, id, h, rel)) {
            gx_manifest_free(m);
            fclose(f);
            return NULL;
        }
        m->e[m->n - 1].seen = 0;
    }
    fclose(f);
    return m;
}

int
gx_manifest_version(const gx_manifest *m)
{
    return m->version;
}

size_t
gx_manifest_count(const gx_manifest *m)
{
    return m->n;
}

gx_manifest_entry *
gx_manifest_at(gx_manifest *m, size_t i)
{
    return &m->e[i];
}

int
gx_manifest_save(const gx_manifest *m, const char *path)
{
    grokx_file *f = grokx_file_open(path, 0600, GROKX_FILE_FSYNC);
    grokx_sink s;
    char line[64];
    size_t i;
    int bad = 0;
    if (!f)
        return GROKX_E_IO;
    s = grokx_file_sink(f);
    bad |= s.write(s.ud, S_HEADER, strlen(S_HEADER));
    for (i = 0; i < m->n; i++) {
        int n = snprintf(line, sizeof line, "%016llx\t", (unsigned long long)m->e[i].hash);
        bad |= s.write(s.ud, line, (size_t)n);
        bad |= s.write(s.ud, m->e[i].id, strlen(m->e[i].id));
        bad |= s.write(s.ud, "\t", 1);
        bad |= s.write(s.ud, m->e[i].rel, strlen(m->e[i].rel));
        bad |= s.write(s.ud, "\n", 1);
    }
    GX_UNUSED(bad); /* a failed write fails the commit */
    return grokx_file_commit(f) ? GROKX_E_IO : 0;
}

int
gx_manifest_journal_add(gx_manifest *m, const char *path, const char *id, uint64_t hash,
                        const char *rel)
{
    char line[GX_NOTE_KEY_MAX + 4096 + 32];
    int n;
    if (m->journal_state < 0)
        return GROKX_E_IO; /* it could not be opened: the run stops */
    if (!m->journal_state) {
        char last = '\n';
        off_t end;
        m->journal_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        m->journal_state = m->journal_fd < 0 ? -1 : 1;
        if (m->journal_fd < 0)
            return GROKX_E_IO;
        /* a failed run's last line may be cut short: end it, so ours stay whole */
        if ((end = lseek(m->journal_fd, 0, SEEK_END)) > 0 && pread(m->journal_fd, &last, 1, end - 1) == 1 &&
            last != '\n' && write(m->journal_fd, "\n", 1) != 1)
            return GROKX_E_IO;
    }
    n = snprintf(line, sizeof line, "%016llx\t%s\t%s\n", (unsigned long long)hash, id, rel);
    if (n < 0 || (size_t)n >= sizeof line)
        return GROKX_E_LIMIT;
    /* not buffered: in the file (the page cache) before the note is */
    {
        const char *p = line;
        size_t left = (size_t)n;
        while (left) {
            ssize_t w = write(m->journal_fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                if (w == 0)
                    errno = EIO;
                return GROKX_E_IO;
            }
            p += w, left -= (size_t)w;
        }
    }
    return 0;
}

int
gx_manifest_journal_read(const char *path, int (*fn)(void *ud, const char *id, uint64_t hash, const char *rel),
                         void *ud)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int rc = 0;
    if (!f)
        return 0; /* the last run finished */
    while (!rc && fgets(line, sizeof line, f)) {
        char *id, *rel;
        uint64_t h;
        if (!S_parse_line(line, &h, &id, &rel))
            rc = fn(ud, id, h, rel);
    }
    fclose(f);
    return rc;
}

void
gx_manifest_journal_end(gx_manifest *m, const char *path)
{
    if (m->journal_state > 0)
        close(m->journal_fd);
    m->journal_state = 0;
    (void)unlink(path); /* if it stays, it only names notes that are ours */
}

void
gx_manifest_free(gx_manifest *m)
{
    size_t i;
    if (!m)
        return;
    for (i = 0; i < m->n; i++) {
        free(m->e[i].id);
        free(m->e[i].rel);
    }
    if (m->journal_state > 0)
        close(m->journal_fd); /* an unfinished run: the journal stays */
    free(m->e);
    free(m->slot);
    free(m);
}
