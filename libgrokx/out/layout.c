/*
 * layout.c -- where a writer of many files (md, html) puts each
 * conversation: OUT/YYYY/MM/<name>.<ext> (or flat), names from a template
 * over safe components (names.c), collisions resolved deterministically
 * and case-insensitively, folders made 0700, attachments copied beside the
 * file, every file written to a temporary name and renamed.
 *
 * Nothing here can write outside OUT: every component placed under it is
 * either fixed by us ("attachments", "YYYY", "MM") or passed through
 * gx_name_component(), and asset ids are checked to be plain ids.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out/out.h"

#define S_TITLE_MAX 96 /* bytes of title in a file name */

static int S_sweep(gx_layout *l, const char *dir);

int
gx_layout_init(gx_layout *l, const grokx_writer_config *cfg)
{
    memset(l, 0, sizeof *l);
    l->lock_fd = -1;
    l->flags = cfg->flags;
    l->tz_minutes = cfg->tz_minutes;
    l->input = cfg->input;
    l->report = cfg->report;
    l->report_ud = cfg->report_ud;
    l->name_template = gx_strdup(cfg->name_template ? cfg->name_template : "{date} {title} ({id})");
    if (!l->name_template)
        return GROKX_E_NOMEM;
    if (!cfg->out_dir)
        return 0;
    if (!(l->out_dir = gx_strdup(cfg->out_dir)))
        return GROKX_E_NOMEM;
    if (gx_input_path(cfg->input)) {
        grokx_error err;
        if (grokx_output_check(gx_input_path(cfg->input), cfg->out_dir, &err) != 0) {
            snprintf(l->why, sizeof l->why, "%s", err.text);
            errno = EINVAL;
            return GROKX_E_INVALID; /* nothing made, nothing opened */
        }
    }
    if (!(cfg->flags & GROKX_WF_NO_THREADS))
        l->filer = gx_filer_new(); /* NULL: files are written here */
    {
        char lock[4096];
        struct stat st;
        int rc;
        l->made_out = lstat(l->out_dir, &st) != 0 && errno == ENOENT;
        if ((rc = gx_layout_mkdirs(l, l->out_dir)) != 0)
            return rc;
        /* one writer at a time: a second run into OUT would leave a
         * manifest whose hashes match no note (and sweep our temporaries) */
        if ((rc = gx_layout_join(l, lock, sizeof lock, l->out_dir, GX_LOCK_NAME)) != 0)
            return rc;
        if (gx_lock_take(lock, &l->lock_fd) != 0) {
            int e = errno;
            /* a folder nothing can be made in (a re-run that changes
             * nothing still succeeds there): the folder itself is locked */
            if ((e == EACCES || e == EPERM || e == EROFS) && gx_lock_take_folder(l->out_dir, &l->lock_fd) == 0)
                return S_sweep(l, l->out_dir);
            if (e == EACCES || e == EPERM || e == EROFS)
                e = errno;
            gx_layout_fail(l, "locked by another grokx run", lock);
            errno = e;
            return GROKX_E_IO;
        }
        if (!(l->lock_path = gx_strdup(lock)))
            return GROKX_E_NOMEM;
        return S_sweep(l, l->out_dir);
    }
}

void
gx_layout_free(gx_layout *l)
{
    gx_filer_free(l->filer); /* every file renamed before the lock goes */
    gx_lock_release(l->lock_fd, l->lock_path);
    /* a folder this run made and left empty (an export refused before its
     * first note): gone, as if the run had not been; rmdir fails on any
     * file, which is then kept */
    if (l->made_out && l->lock_fd >= 0)
        (void)rmdir(l->out_dir);
    free(l->lock_path);
    free(l->reserved);
    free(l->out_dir);
    free(l->name_template);
    free(l->used);
    free(l->next_key);
    free(l->next_k);
    free(l->swept);
    free(l->keys);
    free(l->bare);
    memset(l, 0, sizeof *l);
}

int
gx_layout_fail(gx_layout *l, const char *what, const char *path)
{
    return gx_io_fail(l->why, sizeof l->why, what, path);
}

/* dir/name did not fit its buffer: GROKX_E_IO, errno ENAMETOOLONG, and
 * the path's start (which folder) and end (which file) in l->why, since
 * the whole is longer than the message. */
static int
S_too_long(gx_layout *l, const char *dir, const char *name)
{
    size_t dn = strlen(dir), nn = strlen(name);
    snprintf(l->why, sizeof l->why, "%.100s%s/%s%s: path too long: %s", dir, dn > 100 ? "..." : "",
             nn > 100 ? "..." : "", name + (nn > 100 ? nn - 100 : 0), strerror(ENAMETOOLONG));
    errno = ENAMETOOLONG;
    return GROKX_E_IO;
}

int
gx_layout_join(gx_layout *l, char *buf, size_t cap, const char *dir, const char *name)
{
    return gx_path_join(buf, cap, "%s/%s", dir, name) == 0 ? 0 : S_too_long(l, dir, name);
}

/* Make the folder p (one component); below OUT, refuse one that is a
 * symbolic link: a link planted in OUT must not send notes elsewhere. */
static int
S_mkdir(gx_layout *l, const char *p)
{
    struct stat st;
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return gx_layout_fail(l, "cannot create folder", p);
    if (l->out_dir && strlen(p) > strlen(l->out_dir) && lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
        errno = ELOOP; /* "...: not followed: Too many levels of symbolic links" */
        return gx_layout_fail(l, "a link inside the output folder, not followed", p);
    }
    return 0;
}

int
gx_layout_mkdirs(gx_layout *l, const char *path)
{
    char *p = gx_strdup(path), *s;
    int rc = 0;
    if (!p)
        return GROKX_E_NOMEM;
    for (s = p + 1; *s && !rc; s++)
        if (*s == '/') {
            *s = 0;
            rc = S_mkdir(l, p);
            *s = '/';
        }
    if (!rc)
        rc = S_mkdir(l, p);
    free(p);
    return rc;
}

/* "YYYY-MM-DD" of t in the configured zone, or "undated". */
static void
S_date(const gx_layout *l, grokx_time t, char out[16])
{
    char iso[32];
    gx_time_local(l->flags, l->tz_minutes, t, iso);
    snprintf(out, 16, "%.10s", iso);
}

/* A byte of a conversation id kept in a note's name. */
static int
S_name_id_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* name_template with {date} {title} {id} expanded into out: one safe
 * path component whatever the template or the title holds. */
static void
S_file_name(const gx_layout *l, const grokx_conversation *c, char *out, size_t cap)
{
    const char *t = l->name_template;
    char title[S_TITLE_MAX + 8], id[16], date[16], tmp[512];
    size_t n = 0, i;
    gx_name_component(c->title.ptr, c->title.len, title, sizeof title);
    /* The id's first 8 bytes name the file: those safe in a name on every
     * system and inert in a link ([A-Za-z0-9_-], S_name_id_byte) kept,
     * any other '_'. The first writer kept hex and dashes only, written
     * for UUIDs, which made "conv-001" "c___-001". */
    for (i = 0; i < 8 && i < c->id.len; i++)
        id[i] = S_name_id_byte(c->id.ptr[i]) ? c->id.ptr[i] : '_';
    id[i] = 0;
    S_date(l, c->create_time, date);
    while (*t && n + 1 < sizeof tmp) {
        const char *v = NULL;
        if (!strncmp(t, "{date}", 6))
            v = date, t += 6;
        else if (!strncmp(t, "{title}", 7))
            v = title, t += 7;
        else if (!strncmp(t, "{id}", 4))
            v = id[0] ? id : "noid", t += 4;
        if (v) {
            size_t k = GX_MIN(strlen(v), sizeof tmp - 1 - n);
            memcpy(tmp + n, v, k);
            n += k;
        } else {
            tmp[n++] = *t++;
        }
    }
    gx_name_component(tmp, n, out, cap);
}

/* A set of 64-bit hashes (open addressing): 1 when h was in it already,
 * else 0 (now it is), or GROKX_E_NOMEM. */
static int
S_claim_in(uint64_t **set, size_t *n, size_t *cap_io, uint64_t h)
{
    size_t i;
    h |= 1; /* 0 marks an empty slot */
    if (2 * (*n + 1) > *cap_io) {
        size_t cap = *cap_io ? *cap_io * 2 : 1024, k;
        uint64_t *nu = calloc(cap, sizeof *nu);
        if (!nu)
            return GROKX_E_NOMEM;
        for (k = 0; k < *cap_io; k++)
            if ((*set)[k]) {
                for (i = (size_t)(*set)[k] & (cap - 1); nu[i]; i = (i + 1) & (cap - 1))
                    ;
                nu[i] = (*set)[k];
            }
        free(*set);
        *set = nu;
        *cap_io = cap;
    }
    for (i = (size_t)h & (*cap_io - 1); (*set)[i]; i = (i + 1) & (*cap_io - 1))
        if ((*set)[i] == h)
            return 1;
    (*set)[i] = h;
    (*n)++;
    return 0;
}

/* The next-number slot of a taken name (0: none yet), or NULL on OOM. */
static unsigned *
S_next_slot(gx_layout *l, uint64_t key)
{
    size_t i;
    if (2 * (l->nnext + 1) > l->next_cap) {
        size_t cap = l->next_cap ? l->next_cap * 2 : 256, k;
        uint64_t *nk = calloc(cap, sizeof *nk);
        unsigned *nv = calloc(cap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return NULL;
        }
        for (k = 0; k < l->next_cap; k++)
            if (l->next_key[k]) {
                for (i = (size_t)l->next_key[k] & (cap - 1); nk[i]; i = (i + 1) & (cap - 1))
                    ;
                nk[i] = l->next_key[k], nv[i] = l->next_k[k];
            }
        free(l->next_key);
        free(l->next_k);
        l->next_key = nk, l->next_k = nv, l->next_cap = cap;
    }
    for (i = (size_t)key & (l->next_cap - 1); l->next_key[i]; i = (i + 1) & (l->next_cap - 1))
        if (l->next_key[i] == key)
            return &l->next_k[i];
    l->next_key[i] = key;
    l->nnext++;
    return &l->next_k[i];
}

void
gx_note_key(const grokx_conversation *c, char key[GX_NOTE_KEY_MAX])
{
    size_t i;
    for (i = 0; i < c->id.len && (unsigned char)c->id.ptr[i] >= 0x20; i++)
        ;
    if (i < c->id.len) { /* a tab or a newline would break the manifest's line */
        snprintf(key, GX_NOTE_KEY_MAX, "#x%016llx", (unsigned long long)gx_hash64(c->id.ptr, c->id.len));
        return;
    }
    snprintf(key, GX_NOTE_KEY_MAX, "%.*s", (int)GX_MIN(c->id.len, (size_t)GX_NOTE_KEY_MAX - 1),
             c->id.ptr);
    if (!key[0])
        snprintf(key, GX_NOTE_KEY_MAX, "#%zu", c->index); /* no id: its position */
}

static int
S_cmp_pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

int
gx_layout_reserve(gx_layout *l, const char *const *rels, const char *const *keys, size_t n)
{
    size_t i;
    free(l->reserved);
    l->reserved = NULL;
    l->nreserved = 0;
    if (!n)
        return 0;
    if (n > SIZE_MAX / sizeof *l->reserved || !(l->reserved = malloc(n * sizeof *l->reserved)))
        return GROKX_E_NOMEM;
    for (i = 0; i < n; i++) {
        l->reserved[i][0] = gx_name_fold_hash(rels[i]) | 1;
        l->reserved[i][1] = gx_hash64(keys[i], strlen(keys[i]));
    }
    qsort(l->reserved, n, sizeof *l->reserved, S_cmp_pair);
    l->nreserved = n;
    return 0;
}

/* Whether the name of hash h is kept for a conversation other than key's. */
static int
S_reserved_for_other(const gx_layout *l, uint64_t h, uint64_t key)
{
    size_t lo = 0, hi = l->nreserved;
    h |= 1;
    while (lo < hi) { /* the first pair with this name */
        size_t mid = lo + (hi - lo) / 2;
        if (l->reserved[mid][0] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < l->nreserved && l->reserved[lo][0] == h; lo++)
        if (l->reserved[lo][1] == key)
            return 0;
    return lo > 0 && l->reserved[lo - 1][0] == h;
}

/* Claim the name of hash h for the conversation of key: 0 claimed, 1
 * taken (in this run, or kept for another's note), or an error. */
static int
S_claim_name(gx_layout *l, uint64_t h, uint64_t key)
{
    if (l->nreserved && S_reserved_for_other(l, h, key))
        return 1;
    return S_claim_in(&l->used, &l->nused, &l->used_cap, h);
}

/* The folder's own index page (md's Index.md, html's index.html): a
 * conversation titled "Index" in a flat layout must not be written there. */
static int
S_root_page(uint64_t h)
{
    return h == (gx_name_fold_hash("index.md") | 1) || h == (gx_name_fold_hash("index.html") | 1);
}

/* What of c stays c's whatever the export's order: "t<create_time ms>",
 * else "m<hash of its first message's id>", else "h<hash of its title>". */
static void
S_own_stamp(const grokx_conversation *c, char *out, size_t cap)
{
    if (c->create_time != GROKX_TIME_NONE)
        snprintf(out, cap, "t%lld", (long long)c->create_time);
    else if (c->message_count && c->messages[0].id.len)
        snprintf(out, cap, "m%016llx", (unsigned long long)gx_hash64(c->messages[0].id.ptr, c->messages[0].id.len));
    else
        snprintf(out, cap, "h%016llx", (unsigned long long)gx_hash64(c->title.ptr, c->title.len));
}

/* "<id>#<stamp><tie>" into key, the id cut to fit. */
static void
S_stamped_key(const char *id, const char *stamp, unsigned tie, char key[GX_NOTE_KEY_MAX])
{
    char suffix[48];
    size_t n = tie > 1 ? (size_t)snprintf(suffix, sizeof suffix, "#%s~%u", stamp, tie)
                       : (size_t)snprintf(suffix, sizeof suffix, "#%s", stamp);
    snprintf(key, GX_NOTE_KEY_MAX, "%.*s%s", (int)GX_MIN(strlen(id), GX_NOTE_KEY_MAX - 1 - n), id, suffix);
}

/* The stamp of the conversation that took the key "<id>" (hash h) in
 * this run, set (stamp not NULL) or looked up (into out): 1 found. */
static int
S_bare(gx_layout *l, uint64_t h, const char *stamp, char out[24])
{
    size_t i;
    h |= 1;
    if (stamp && 2 * (l->nbare + 1) > l->bare_cap) {
        size_t cap = l->bare_cap ? l->bare_cap * 2 : 256, k;
        struct gx_bare_key *nu = calloc(cap, sizeof *nu);
        if (!nu)
            return GROKX_E_NOMEM;
        for (k = 0; k < l->bare_cap; k++)
            if (l->bare[k].h) {
                for (i = (size_t)l->bare[k].h & (cap - 1); nu[i].h; i = (i + 1) & (cap - 1))
                    ;
                nu[i] = l->bare[k];
            }
        free(l->bare);
        l->bare = nu;
        l->bare_cap = cap;
    }
    if (!l->bare_cap)
        return 0;
    for (i = (size_t)h & (l->bare_cap - 1); l->bare[i].h; i = (i + 1) & (l->bare_cap - 1))
        if (l->bare[i].h == h) {
            if (out)
                memcpy(out, l->bare[i].stamp, 24);
            return 1;
        }
    if (!stamp)
        return 0;
    l->bare[i].h = h;
    snprintf(l->bare[i].stamp, sizeof l->bare[i].stamp, "%s", stamp);
    l->nbare++;
    return 0;
}

void
gx_note_stamp(const grokx_conversation *c, char *out, size_t cap)
{
    S_own_stamp(c, out, cap);
}

int
gx_layout_key(gx_layout *l, const grokx_conversation *c, gx_manifest *known, char key[GX_NOTE_KEY_MAX])
{
    char id[GX_NOTE_KEY_MAX], stamp[24];
    unsigned tie;
    int rc;
    gx_note_key(c, id);
    S_own_stamp(c, stamp, sizeof stamp);
    /* a conversation of an id that came more than once in an earlier run
     * takes the key it had then, first here or not (the one before it may
     * be filtered out, or listed later) */
    S_stamped_key(id, stamp, 1, key);
    if (!known || !gx_manifest_find(known, key) ||
        (rc = S_claim_in(&l->keys, &l->nkeys, &l->keys_cap, gx_hash64(key, strlen(key)))) == 1) {
        snprintf(key, GX_NOTE_KEY_MAX, "%s", id);
        rc = S_claim_in(&l->keys, &l->nkeys, &l->keys_cap, gx_hash64(key, strlen(key)));
        if (rc == 0 && (rc = S_bare(l, gx_hash64(id, strlen(id)), stamp, NULL)) > 0)
            rc = 0;
        if (rc == 1 && known) { /* the id again: the first's note is known by its stamp */
            char first[24], to[GX_NOTE_KEY_MAX];
            if (S_bare(l, gx_hash64(id, strlen(id)), NULL, first) == 1) {
                S_stamped_key(id, first, 1, to);
                if (gx_manifest_rekey(known, id, to) ||
                    S_claim_in(&l->keys, &l->nkeys, &l->keys_cap, gx_hash64(to, strlen(to))) < 0)
                    return GROKX_E_NOMEM;
            }
        }
        /* a later conversation of an id takes "<id>#<stamp>", from what
         * is its own (not its place in the file: a newer export listing
         * them otherwise keeps each note with its conversation); a
         * position only between exact ties */
        for (tie = 1; rc == 1; tie++) {
            S_stamped_key(id, stamp, tie, key);
            rc = S_claim_in(&l->keys, &l->nkeys, &l->keys_cap, gx_hash64(key, strlen(key)));
        }
    }
    if (rc < 0)
        return rc;
    if (strcmp(key, id) && l->report) {
        char line[300];
        snprintf(line, sizeof line, "conversation id %.120s is shared by more than one conversation: each is kept (this one as %s)",
                 id, key);
        l->report(l->report_ud, line);
    }
    return 0;
}

int
gx_layout_place(gx_layout *l, const grokx_conversation *c, const char *ext, char *dir,
                size_t dcap, char *rel, size_t rcap)
{
    return gx_layout_place_key(l, c, NULL, ext, dir, dcap, rel, rcap);
}

/* dir and rel of a file named name (a safe component) in the folder of
 * time t, claimed for the note of owner (the hash of its key). */
static int
S_place(gx_layout *l, grokx_time t, const char *name, uint64_t owner, const char *ext, char *dir,
        size_t dcap, char *rel, size_t rcap)
{
    char iso[32];
    unsigned k, *slot;
    uint64_t base;
    int rc;
    if (l->flags & GROKX_WF_FLAT || (!l->out_dir && !l->names_only))
        dir[0] = 0;
    else if (t == GROKX_TIME_NONE)
        snprintf(dir, dcap, "undated/");
    else {
        gx_time_local(l->flags, l->tz_minutes, t, iso);
        snprintf(dir, dcap, "%.4s/%.2s/", iso, iso + 5);
    }
    snprintf(rel, rcap, "%s%s.%s", dir, name, ext);
    base = gx_name_fold_hash(rel) | 1;
    if (!S_root_page(base) && (rc = S_claim_name(l, base, owner)) <= 0)
        return rc;
    /* taken: "<name> 2", "<name> 3", ... from where the last search for this
     * name stopped (deterministic as before, but linear when a thousand
     * conversations share a title and date) */
    slot = S_next_slot(l, base);
    if (!slot)
        return GROKX_E_NOMEM;
    for (k = *slot ? *slot : 2;; k++) {
        snprintf(rel, rcap, "%s%s %u.%s", dir, name, k, ext);
        if ((rc = S_claim_name(l, gx_name_fold_hash(rel), owner)) <= 0) {
            if (!rc && (slot = S_next_slot(l, base)) != NULL) /* the table may have moved */
                *slot = k + 1;
            return rc;
        }
    }
}

int
gx_layout_place_key(gx_layout *l, const grokx_conversation *c, const char *owner_key, const char *ext,
                    char *dir, size_t dcap, char *rel, size_t rcap)
{
    char name[200];
    uint64_t owner = 0;
    S_file_name(l, c, name, sizeof name);
    if (l->nreserved) {
        char key[GX_NOTE_KEY_MAX];
        if (!owner_key)
            gx_note_key(c, key);
        owner = owner_key ? gx_hash64(owner_key, strlen(owner_key)) : gx_hash64(key, strlen(key));
    }
    return S_place(l, c->create_time, name, owner, ext, dir, dcap, rel, rcap);
}

int
gx_layout_place_named(gx_layout *l, grokx_time t, const char *title, const char *owner_key, const char *ext,
                      char *dir, size_t dcap, char *rel, size_t rcap)
{
    char name[200];
    gx_name_component(title, strlen(title), name, sizeof name);
    return S_place(l, t, name, l->nreserved ? gx_hash64(owner_key, strlen(owner_key)) : 0, ext, dir, dcap, rel,
                   rcap);
}

/* Is name a temporary of a file we write here: a note, page, index,
 * style sheet, script or manifest, or anything in an attachments folder?
 * A user's own "draft.tmp-2024-1" is never touched. */
static int
S_ours(const char *dir, const char *name)
{
    static const char *const exts[] = {".md", ".html", ".css", ".js", ".grokx-manifest"};
    const char *slash = strrchr(dir, '/');
    size_t i, n = 0;
    if (!gx_temp_pid(name, &n))
        return 0;
    if (!strcmp(slash ? slash + 1 : dir, "attachments"))
        return 1;
    for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t k = strlen(exts[i]);
        if (n >= k && !memcmp(name + n - k, exts[i], k))
            return 1;
    }
    return 0;
}

/* Remove the temporaries a killed run left in dir (SIGKILL, power loss):
 * only ours by name, and only when their process is gone, so a run
 * writing into the same folder at the same time keeps its own. Once per
 * folder per run. */
static int
S_sweep(gx_layout *l, const char *dir)
{
    DIR *d;
    struct dirent *e;
    int rc = S_claim_in(&l->swept, &l->nswept, &l->swept_cap, gx_hash64(dir, strlen(dir)));
    if (rc != 0)
        return rc < 0 ? rc : 0; /* swept already, or out of memory */
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (!S_ours(dir, e->d_name) || !gx_temp_dead(gx_temp_pid(e->d_name, NULL)))
            continue; /* not a temporary, ours, or its process still runs */
        if (gx_path_join(path, sizeof path, "%s/%s", dir, e->d_name) == 0)
            unlink(path); /* (a cut path would be another file: left alone) */
    }
    closedir(d);
    return 0;
}

int
gx_layout_enter(gx_layout *l, const char *dir, char *abs, size_t cap)
{
    int rc;
    if (gx_path_join(abs, cap, "%s/%.*s", l->out_dir ? l->out_dir : ".",
                     (int)(dir[0] ? strlen(dir) - 1 : 0), dir) != 0)
        return S_too_long(l, l->out_dir ? l->out_dir : ".", dir);
    if (!l->out_dir || !strcmp(abs, l->last_dir))
        return 0; /* most files share the folder of the one before */
    if ((rc = gx_layout_mkdirs(l, abs)) != 0 || (rc = S_sweep(l, abs)) != 0)
        return rc;
    /* remembered only when whole, so a cut copy never matches */
    if (gx_path_join(l->last_dir, sizeof l->last_dir, "%s", abs) != 0)
        l->last_dir[0] = '\0';
    return 0;
}

void
gx_layout_not_ours(gx_layout *l, const char *path)
{
    size_t n = l->out_dir ? strlen(l->out_dir) : 0;
    l->not_ours++;
    if (l->report && l->not_ours <= 20) {
        char line[600];
        if (n && !strncmp(path, l->out_dir, n) && path[n] == '/')
            path += n + 1; /* as the user sees it in OUT */
        snprintf(line, sizeof line,
                 GX_REPORT_WARNING "exists, not ours: %.400s (left alone; move it away to let grokx write there)",
                 path);
        l->report(l->report_ud, line);
    }
}

void
gx_layout_not_ours_more(gx_layout *l)
{
    if (l->report && l->not_ours > 20) {
        char line[120];
        snprintf(line, sizeof line, GX_REPORT_WARNING "exists, not ours: %lu more not shown", l->not_ours - 20);
        l->report(l->report_ud, line);
    }
}

int
gx_layout_ours(gx_layout *l, const char *path, const char *mark)
{
    struct stat st;
    char head[4097];
    ssize_t got = 0, r;
    int fd;
    if (lstat(path, &st) != 0)
        return errno == ENOENT; /* else the write fails and says why */
    if (S_ISREG(st.st_mode) && mark && (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
        while (got < (ssize_t)sizeof head - 1 && ((r = read(fd, head + got, sizeof head - 1 - (size_t)got)) > 0 ||
                                                  (r < 0 && errno == EINTR)))
            got += r > 0 ? r : 0;
        close(fd);
        head[got] = 0;
        if (gx_find(head, (size_t)got, mark))
            return 1;
    }
    gx_layout_not_ours(l, path);
    return 0;
}

int
gx_layout_write(gx_layout *l, const char *path, const char *text, size_t len)
{
    int rc = l->filer ? gx_filer_put(l->filer, path, text, len, l->why, sizeof l->why)
                      : gx_write_whole(path, text, len, l->why, sizeof l->why);
    if (!rc)
        l->wrote = 1;
    return rc;
}

int
gx_layout_remove(gx_layout *l, const char *path)
{
    if (l->filer)
        return gx_filer_unlink(l->filer, path, l->why, sizeof l->why);
    if (unlink(path) != 0 && errno != ENOENT)
        return gx_layout_fail(l, "cannot remove", path);
    return 0;
}

int
gx_layout_flush(gx_layout *l)
{
    return l->filer ? gx_filer_flush(l->filer, l->why, sizeof l->why) : 0;
}

/* An asset id names a file: letters, digits, '-' and '_' only. */
static int
S_plain_id(const char *id)
{
    size_t i;
    for (i = 0; id[i]; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_'))
            return 0;
    return i > 0 && i < 200;
}

/* An attachment the export holds but that cannot be read whole and
 * intact (a CRC-32 or size mismatch, a read error): the run fails, as an
 * error of the input (GROKX_E_ARCHIVE), naming the member. */
static int
S_asset_failed(gx_layout *l, int rc)
{
    const char *why = grokx_input_asset_error(l->input);
    if (rc == GROKX_E_NOMEM)
        return rc;
    snprintf(l->why, sizeof l->why, "%s", why[0] ? why : grokx_strerror(rc));
    return GROKX_E_ARCHIVE;
}

/* Extensions a browser opens from file:// without running anything in
 * them, as Chromium does (tests/formats/html/html.sh clicks each): text and JSON
 * shown as text, raster images and media shown, archives and office
 * files downloaded. Not here, so stored as "<ext>.txt": html, svg, xml,
 * xhtml, xsl, mht and whatever the sniffer learns next. */
int
gx_asset_inert_ext(const char *ext)
{
    static const char *const inert[] = {"txt", "json", "png", "jpg", "gif", "webp", "bmp", "ico",
                                        "tiff", "heic", "wav", "mp3", "ogg", "flac", "m4a", "mp4",
                                        "mov", "webm", "zip", "gz", "docx", "xlsx", "pptx", "bin",
                                        "pdf"};
    size_t i;
    for (i = 0; i < sizeof inert / sizeof inert[0]; i++)
        if (!strcmp(ext, inert[i]))
            return 1;
    return 0;
}

int
gx_layout_copy_asset(gx_layout *l, const char *absdir, const char *id, char *link, size_t cap,
                     int *kind)
{
    grokx_asset *a;
    grokx_file *f;
    grokx_sink sink;
    char path[4096], buf[65536];
    const char *ext, *mime;
    size_t got;
    int rc, active;
    struct stat st;
    if (!l->input || !S_plain_id(id))
        return 0;
    if ((rc = grokx_asset_open(l->input, id, &a)) != 0)
        return rc == GROKX_E_NOTFOUND ? 0 : S_asset_failed(l, rc);
    ext = grokx_asset_ext(a);
    mime = grokx_asset_mime(a);
    active = !gx_asset_inert_ext(ext);
    snprintf(link, cap, "attachments/%s.%s%s", id, ext, active ? ".txt" : "");
    if (!strcmp(mime, "image/svg+xml"))
        *kind = GX_ASSET_SVG;
    else if (!strcmp(ext, "pdf"))
        *kind = GX_ASSET_NOLINK;
    else
        *kind = !strncmp(mime, "image/", 6) && !active ? GX_ASSET_IMAGE : GX_ASSET_FILE;
    if (!l->out_dir) {
        grokx_asset_close(a);
        return 1;
    }
    if ((rc = gx_layout_join(l, path, sizeof path, absdir, "attachments")) != 0 ||
        (rc = gx_layout_mkdirs(l, path)) != 0 || (rc = S_sweep(l, path)) != 0) {
        grokx_asset_close(a);
        return rc;
    }
    if (active) { /* the copy an earlier grokx left under the active name goes */
        char inert[256]; /* id: under 200 plain characters (S_plain_id) */
        snprintf(inert, sizeof inert, "attachments/%s.%s", id, ext);
        if ((rc = gx_layout_join(l, path, sizeof path, absdir, inert)) != 0) {
            grokx_asset_close(a);
            return rc;
        }
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == grokx_asset_size(a))
            unlink(path);
    }
    if ((rc = gx_layout_join(l, path, sizeof path, absdir, link)) != 0) {
        grokx_asset_close(a);
        return rc;
    }
    /* copied by an earlier run (or for another file here): assets never change */
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == grokx_asset_size(a)) {
        grokx_asset_close(a);
        return 1;
    }
    /* anything else there is not ours (ours are whole: written by rename) */
    if (lstat(path, &st) == 0) {
        gx_layout_not_ours(l, path);
        grokx_asset_close(a);
        return 0; /* the text notes the attachment as not copied */
    }
    if (!(f = grokx_file_open(path, 0600, 0))) {
        grokx_asset_close(a);
        return gx_layout_fail(l, "cannot write", path);
    }
    sink = grokx_file_sink(f);
    while ((rc = grokx_asset_read(a, buf, sizeof buf, &got)) == 0 && got)
        if (sink.write(sink.ud, buf, got))
            break;
    grokx_asset_close(a);
    if (rc) { /* never renamed into place: its bytes are not the export's */
        grokx_file_abort(f);
        return S_asset_failed(l, rc);
    }
    if (grokx_file_commit(f))
        return gx_layout_fail(l, "cannot write", path);
    l->wrote = 1;
    return 1;
}

int
gx_layout_asset_base64(gx_layout *l, const char *id, size_t max, gx_buf *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    grokx_asset *a;
    unsigned char buf[3 * 4096];
    size_t got, have = 0, i, start = out->len;
    int rc = 0;
    if (!l->input || !S_plain_id(id) || grokx_asset_open(l->input, id, &a) != 0)
        return 0;
    if (grokx_asset_size(a) > max) {
        grokx_asset_close(a);
        return 0;
    }
    for (;;) { /* whole groups of 3 bytes, the rest carried to the next read */
        size_t n, full;
        if ((rc = grokx_asset_read(a, buf + have, sizeof buf - have, &got)) != 0)
            break;
        n = have + got;
        full = got ? n / 3 * 3 : n;
        for (i = 0; i < full && !rc; i += 3) {
            unsigned v = (unsigned)buf[i] << 16 | (i + 1 < n ? (unsigned)buf[i + 1] << 8 : 0) |
                         (i + 2 < n ? buf[i + 2] : 0);
            char q[4] = {b64[v >> 18], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                         i + 2 < n ? b64[v & 63] : '='};
            rc = gx_buf_put(out, q, 4);
        }
        if (rc || !got)
            break;
        have = n - full;
        memmove(buf, buf + full, have);
    }
    grokx_asset_close(a);
    if (rc) {
        out->len = start;
        return rc == GROKX_E_NOMEM ? rc : 0; /* a corrupt attachment: not shown */
    }
    return 1;
}

int
gx_generated_asset_id(grokx_str url, char *id, size_t cap)
{
    const char *last = strrchr(url.ptr, '/'), *prev;
    id[0] = 0;
    if (!last || last == url.ptr)
        return 0;
    for (prev = last - 1; prev > url.ptr && prev[-1] != '/'; prev--)
        ;
    snprintf(id, cap, "%.*s", (int)(last - prev), prev);
    return id[0] != 0;
}

const char *
gx_role_label(grokx_role r)
{
    return r == GROKX_ROLE_USER ? "You" : r == GROKX_ROLE_SYSTEM ? "System" : "Grok";
}

const char *
gx_no_messages_note(const grokx_conversation *c)
{
    return c->flags & GROKX_CONV_NO_MESSAGES
               ? "No message of this conversation could be read from the export (see the warnings)."
               : "The export holds no message for this conversation.";
}

int
gx_voice_turn(const grokx_message *m)
{
    size_t i;
    for (i = 0; i < m->media_types.count; i++)
        if (!strcmp(m->media_types.items[i].ptr, "audio"))
            return 1;
    return 0;
}
