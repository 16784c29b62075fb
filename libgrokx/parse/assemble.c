/*
 * assemble.c -- order one conversation's messages (see "Ordering" in
 * grokx.h).
 *
 * Input: the messages in file order. The tree comes from parent ids; the
 * file's order and create_time are both unreliable on their own (answers
 * can be stamped before their questions), so links decide and time only
 * orders siblings. Everything is iterative: a chain of 10^5 messages must
 * not recurse 10^5 deep. All scratch memory comes from the conversation
 * arena.
 */
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

typedef struct S_ctx {
    gx_arena *a;
    grokx_message *m;
    size_t n;
    long *parent;     /* index of parent, -1 for roots */
    size_t *kid_start; /* children of i: kids[kid_start[i] .. kid_start[i+1]) */
    size_t *kids;      /* ...sorted; roots are "children" of index n */
    gx_warn_fn warn;
    void *warn_ctx;
    size_t *dups;      /* messages whose id an earlier one has, in file order */
    size_t ndups;
} S_ctx;

static uint64_t
S_hash(grokx_str s)
{
    return gx_fnv1a64(GX_FNV64_BASIS_V1, s.ptr, s.len);
}

static int
S_str_eq(grokx_str a, grokx_str b)
{
    return a.len == b.len && !memcmp(a.ptr, b.ptr, a.len);
}

/* Open-addressing table id -> first index with that id. */
typedef struct S_map {
    size_t *slot; /* index + 1, 0 = empty */
    size_t mask;
} S_map;

static long
S_map_find(const S_ctx *c, const S_map *map, grokx_str id)
{
    size_t h;
    if (!id.len)
        return -1;
    for (h = (size_t)S_hash(id) & map->mask; map->slot[h]; h = (h + 1) & map->mask)
        if (S_str_eq(c->m[map->slot[h] - 1].id, id))
            return (long)map->slot[h] - 1;
    return -1;
}

static int
S_map_build(S_ctx *c, S_map *map)
{
    size_t size = 16, i, h;
    while (size < c->n * 2)
        size *= 2;
    map->slot = gx_arena_alloc(c->a, size * sizeof *map->slot);
    if (!map->slot)
        return GROKX_E_NOMEM;
    map->mask = size - 1;
    for (i = 0; i < c->n; i++) {
        if (!c->m[i].id.len)
            continue;
        if (S_map_find(c, map, c->m[i].id) >= 0) {
            c->m[i].flags |= GROKX_MSG_DUPLICATE_ID;
            c->warn(c->warn_ctx, GROKX_W_DUPLICATE_ID,
                    "message id %.64s is used twice; a link to it goes to the latest of them "
                    "stamped before the linking message",
                    c->m[i].id.ptr);
            if (!c->dups && !(c->dups = gx_arena_alloc(c->a, c->n * sizeof *c->dups)))
                return GROKX_E_NOMEM;
            c->dups[c->ndups++] = i;
            continue;
        }
        for (h = (size_t)S_hash(c->m[i].id) & map->mask; map->slot[h]; h = (h + 1) & map->mask)
            ;
        map->slot[h] = i + 1;
    }
    return 0;
}

/* A question and its answer are stamped when each record is persisted, at
 * the end of the turn, so an answer can carry a stamp a few milliseconds
 * EARLIER than its question (see grok-export-format.md, 2.5). Times
 * closer than this are one moment: they never overrule a question-answer
 * order. A person cannot read an answer and send the next question within
 * it. */
#define S_JITTER_MS 1000

/* How far a place (or a copy of a duplicated id) is looked for: an export
 * where that is not enough is built to be slow; the message is then
 * placed after the newest turn that ends a chain, or warned about. */
#define S_SCAN_MAX 1024

static int S_timed(const grokx_message *m);

/* An id used twice (never seen in a real export, but a merged or hand-made
 * file has them): the message a link means is the latest of them stamped
 * before the linking one (within the stamp jitter), else the first. With
 * every link going to the first, the turns after the second copy became
 * a branch of the first's, hidden off the active branch. */
static long
S_which_copy(const S_ctx *c, long first, size_t child)
{
    long best = first;
    size_t k;
    grokx_time t = c->m[child].create_time;
    if (!S_timed(&c->m[child]))
        return first;
    for (k = 0; k < c->ndups && k < S_SCAN_MAX; k++) {
        size_t d = c->dups[k];
        if (d == child || !S_timed(&c->m[d]) || c->m[d].create_time - t >= S_JITTER_MS ||
            !S_str_eq(c->m[d].id, c->m[first].id))
            continue;
        if (!S_timed(&c->m[best]) || c->m[d].create_time > c->m[best].create_time)
            best = (long)d;
    }
    return best;
}

/* Parent links as the ids name them; returns how many resolve. */
static size_t
S_link(S_ctx *c, const S_map *map)
{
    size_t i, linked = 0;
    for (i = 0; i < c->n; i++) {
        long p = S_map_find(c, map, c->m[i].parent_id);
        if (p >= 0 && c->ndups)
            p = S_which_copy(c, p, i);
        if (p == (long)i) {
            c->warn(c->warn_ctx, GROKX_W_CYCLE, "message %.64s is its own parent; it becomes a root",
                    c->m[i].id.ptr);
            p = -1;
        }
        c->parent[i] = p;
        linked += p >= 0;
    }
    return linked;
}

static int
S_timed(const grokx_message *m)
{
    return m->create_time != GROKX_TIME_NONE;
}

/* A message's place in time: its stamp, or an unstamped message's the
 * stamp of the last stamped one before it in the file (it was written
 * then, as far as anything says). */
typedef struct S_when {
    grokx_time t;
    size_t i;
} S_when;

static int
S_when_cmp(const void *pa, const void *pb)
{
    const S_when *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* order[0..n) = the messages by time, file order breaking ties; pos[i] =
 * where message i sits in it. */
static int
S_by_time(S_ctx *c, size_t **order_out, size_t **pos_out)
{
    S_when *w = gx_arena_alloc(c->a, c->n * sizeof *w);
    size_t *order = gx_arena_alloc(c->a, c->n * sizeof *order);
    size_t *pos = gx_arena_alloc(c->a, c->n * sizeof *pos), i;
    grokx_time last = GROKX_TIME_NONE;
    if (!w || !order || !pos)
        return GROKX_E_NOMEM;
    for (i = 0; i < c->n; i++) {
        if (S_timed(&c->m[i]))
            last = c->m[i].create_time;
        w[i].t = last;
        w[i].i = i;
    }
    qsort(w, c->n, sizeof *w, S_when_cmp);
    for (i = 0; i < c->n; i++) {
        order[i] = w[i].i;
        pos[w[i].i] = i;
    }
    *order_out = order;
    *pos_out = pos;
    return 0;
}

static int
S_is_answer(const grokx_message *m)
{
    return m->role == GROKX_ROLE_ASSISTANT;
}

/* No message names a parent the conversation holds (old exports, other
 * tools' files): the turns are ordered by time, and the tree is rebuilt
 * from the roles. A question follows the turn before it; an answer
 * follows the question before it, so answers in a row are versions of
 * one answer (regenerations), as a linked export would show them. An
 * answer stamped within S_JITTER_MS before the question it follows in
 * time goes after it. */
static int
S_chain_by_time(S_ctx *c)
{
    size_t *order, *pos, k, moved = 0;
    long prev = -1;
    int rc = S_by_time(c, &order, &pos);
    if (rc)
        return rc;
    for (k = 0; k + 1 < c->n; k++) {
        const grokx_message *a = &c->m[order[k]], *b = &c->m[order[k + 1]];
        if (S_is_answer(a) && !S_is_answer(b) && S_timed(a) && S_timed(b) &&
            b->create_time - a->create_time < S_JITTER_MS) {
            size_t t = order[k];
            order[k] = order[k + 1];
            order[k + 1] = t;
            k++;
        }
    }
    for (k = 0; k < c->n; k++) {
        size_t x = order[k];
        if (S_is_answer(&c->m[x]) && prev >= 0 && S_is_answer(&c->m[prev]))
            c->parent[x] = c->parent[prev];
        else
            c->parent[x] = prev;
        prev = (long)x;
        moved += x != k;
    }
    if (moved)
        c->warn(c->warn_ctx, GROKX_W_TIME_ORDER,
                "no message names its parent; %zu of %zu turns are ordered by their times, "
                "not by their place in the file",
                moved, c->n);
    return 0;
}

/* Union-find over trees: the root of x's tree, as far as attachments have
 * merged them. */
static size_t
S_tree(size_t *uf, size_t x)
{
    size_t r = x, y;
    while (uf[r] != r)
        r = uf[r];
    while (uf[x] != r) {
        y = uf[x];
        uf[x] = r;
        x = y;
    }
    return r;
}


/* Where time puts root o (in another tree than its own): an answer after
 * the latest question stamped before it (or within S_JITTER_MS after it);
 * a question after the latest turn stamped before it that ends a chain (a
 * leaf), so it continues the conversation rather than forking it. -1:
 * nowhere (nothing is earlier). */
static long
S_place(S_ctx *c, size_t *uf, const size_t *order, const size_t *pos, const size_t *nkids,
        size_t o)
{
    size_t k = pos[o], steps = 0, me = S_tree(uf, o);
    grokx_time t = c->m[o].create_time;
    int answer = S_is_answer(&c->m[o]);
    if (answer && S_timed(&c->m[o])) {
        while (k + 1 < c->n && steps++ < S_SCAN_MAX && S_timed(&c->m[order[k + 1]]) &&
               c->m[order[k + 1]].create_time - t < S_JITTER_MS)
            k++;
        k++; /* the scan below starts at order[k - 1] */
    }
    for (steps = 0; k-- > 0 && steps++ < S_SCAN_MAX;) {
        size_t x = order[k];
        if (S_tree(uf, x) == me)
            continue;
        if (answer ? !S_is_answer(&c->m[x]) : nkids[x] == 0)
            return (long)x;
    }
    return -1;
}

/* The newest turn (in time) of another tree than o's that ends a chain:
 * where a root goes when nothing stamped before it ends one, so that it
 * and its turns follow the conversation rather than hide behind it. -1:
 * none within S_SCAN_MAX. */
static long
S_last_leaf(S_ctx *c, size_t *uf, const size_t *order, const size_t *nkids, size_t o)
{
    size_t k = c->n, steps = 0, me = S_tree(uf, o);
    while (k-- > 0 && steps++ < S_SCAN_MAX)
        if (nkids[order[k]] == 0 && S_tree(uf, order[k]) != me)
            return (long)order[k];
    return -1;
}

/* Links exist, but more than one message is a root. The earliest root
 * starts the conversation, and roots of its role that name the same
 * missing parent as it are other versions of the first turn (an edited
 * first question). Every other root lost its link (no parent named, or one
 * the export does not hold): left a root, it would start a branch of its
 * own, and the active branch would show only the newest of them. It goes
 * where its own time puts it, with a warning. */
static int
S_attach_roots(S_ctx *c, const S_map *map)
{
    size_t *order, *pos, *uf, *nkids, k, i, first = (size_t)-1, roots = 0;
    int rc;
    for (i = 0; i < c->n; i++)
        roots += c->parent[i] < 0;
    if (roots < 2)
        return 0;
    if ((rc = S_by_time(c, &order, &pos)) != 0)
        return rc;
    uf = gx_arena_alloc(c->a, c->n * sizeof *uf);
    nkids = gx_arena_alloc(c->a, c->n * sizeof *nkids);
    if (!uf || !nkids)
        return GROKX_E_NOMEM;
    memset(nkids, 0, c->n * sizeof *nkids);
    for (i = 0; i < c->n; i++) {
        uf[i] = c->parent[i] < 0 ? i : (size_t)c->parent[i];
        if (c->parent[i] >= 0)
            nkids[c->parent[i]]++;
    }
    for (k = 0; k < c->n; k++) {
        size_t o = order[k];
        long at = -1;
        grokx_str named = c->m[o].parent_id;
        const char *how;
        if (c->parent[o] >= 0)
            continue;
        if (first == (size_t)-1) {
            first = o;
            continue;
        }
        if (named.len && S_str_eq(named, c->m[first].parent_id) &&
            S_is_answer(&c->m[o]) == S_is_answer(&c->m[first]))
            continue; /* another version of the first turn (a question's: a question) */
        /* Any other root goes where its own time puts it. Roots naming one
         * missing parent are not put together: a parent named by turns far
         * apart (a deleted message, a tool's placeholder) would hide every
         * turn between them; versions of one answer find the same question
         * by their times anyway. */
        how = S_timed(&c->m[o]) ? "where its time puts it" : "where its place in the file puts it";
        if (at < 0)
            at = S_place(c, uf, order, pos, nkids, o);
        if (at < 0) { /* nothing before it ends a chain: after the newest turn that does */
            at = S_last_leaf(c, uf, order, nkids, o);
            how = "the newest turn that ends a chain (none before it does)";
        }
        if (at < 0) {
            c->warn(c->warn_ctx, GROKX_W_UNLINKED,
                    "message %.64s has no parent and no place could be found for it; "
                    "it starts a branch of its own",
                    c->m[o].id.ptr);
            continue;
        }
        c->parent[o] = at;
        nkids[at]++;
        uf[o] = S_tree(uf, (size_t)at);
        if (named.len && S_map_find(c, map, named) >= 0)
            c->warn(c->warn_ctx, GROKX_W_UNLINKED,
                    "message %.64s lost its link to %.64s (a cycle); it follows %.64s, %s",
                    c->m[o].id.ptr, named.ptr, c->m[at].id.ptr, how);
        else if (named.len)
            c->warn(c->warn_ctx, GROKX_W_UNLINKED,
                    "message %.64s names parent %.64s, which the export does not hold; "
                    "it follows %.64s, %s",
                    c->m[o].id.ptr, named.ptr, c->m[at].id.ptr, how);
        else
            c->warn(c->warn_ctx, GROKX_W_UNLINKED, "message %.64s names no parent; it follows %.64s, %s",
                    c->m[o].id.ptr, c->m[at].id.ptr, how);
    }
    return 0;
}

/* Links decide the order; a message stamped well before the turn it
 * follows says the links and the times disagree, which a reader should
 * know (once per conversation). */
static void
S_check_times(S_ctx *c)
{
    size_t i, odd = 0, first = 0;
    for (i = 0; i < c->n; i++) {
        long p = c->parent[i];
        if (p >= 0 && S_timed(&c->m[i]) && S_timed(&c->m[p]) &&
            c->m[p].create_time - c->m[i].create_time >= S_JITTER_MS && !odd++)
            first = i;
    }
    if (odd)
        c->warn(c->warn_ctx, GROKX_W_TIME_ORDER,
                "%zu message%s stamped before the turn it follows (first: %.64s); "
                "the parent links decide the order",
                odd, odd == 1 ? " is" : "s are", c->m[first].id.ptr);
}

/* Walk up from every node; a walk that meets its own trail found a cycle,
 * which is broken at its member that comes first in the file. */
static int
S_break_cycles(S_ctx *c)
{
    size_t *mark = gx_arena_alloc(c->a, c->n * sizeof *mark), i;
    if (!mark && c->n)
        return GROKX_E_NOMEM;
    for (i = 0; i < c->n; i++) {
        long x = (long)i;
        while (x >= 0 && !mark[x]) {
            mark[x] = i + 1;
            x = c->parent[x];
        }
        if (x >= 0 && mark[x] == i + 1) { /* x is on a cycle */
            long y = c->parent[x], first = x;
            while (y != x) {
                if (y < first)
                    first = y;
                y = c->parent[y];
            }
            c->warn(c->warn_ctx, GROKX_W_CYCLE,
                    "parent links form a cycle; message %.64s becomes a root",
                    c->m[first].id.ptr);
            c->parent[first] = -1;
        }
    }
    return 0;
}

static int
S_before(const grokx_message *m, size_t a, size_t b, int by_time)
{
    if (by_time && m[a].create_time != m[b].create_time)
        return m[a].create_time < m[b].create_time;
    return a < b;
}

/* Insertion-sort each sibling group (groups are small; a stable merge
 * would only pay for itself on pathological fan-outs), by create_time when
 * every sibling has one, else by file position. */
static void
S_sort_group(S_ctx *c, size_t *k, size_t cnt)
{
    size_t i, j;
    int by_time = 1;
    for (i = 0; i < cnt; i++)
        if (c->m[k[i]].create_time == GROKX_TIME_NONE)
            by_time = 0;
    if (cnt > 64 && !by_time)
        return; /* already in file order */
    for (i = 1; i < cnt; i++) {
        size_t v = k[i];
        for (j = i; j > 0 && S_before(c->m, v, k[j - 1], by_time); j--)
            k[j] = k[j - 1];
        k[j] = v;
    }
}

static int
S_children(S_ctx *c)
{
    size_t n = c->n, i, *fill;
    c->kid_start = gx_arena_alloc(c->a, (n + 2) * sizeof *c->kid_start);
    c->kids = gx_arena_alloc(c->a, (n + 1) * sizeof *c->kids);
    fill = gx_arena_alloc(c->a, (n + 1) * sizeof *fill);
    if (!c->kid_start || !c->kids || !fill)
        return GROKX_E_NOMEM;
    for (i = 0; i < n; i++)
        c->kid_start[(c->parent[i] < 0 ? n : (size_t)c->parent[i]) + 1]++;
    for (i = 1; i <= n + 1; i++)
        c->kid_start[i] += c->kid_start[i - 1];
    memcpy(fill, c->kid_start, (n + 1) * sizeof *fill);
    for (i = 0; i < n; i++)
        c->kids[fill[c->parent[i] < 0 ? n : (size_t)c->parent[i]]++] = i;
    for (i = 0; i <= n; i++)
        S_sort_group(c, c->kids + c->kid_start[i], c->kid_start[i + 1] - c->kid_start[i]);
    return 0;
}

static size_t
S_nkids(const S_ctx *c, size_t i)
{
    return c->kid_start[i + 1] - c->kid_start[i];
}

/* Is a newer than b, as a leaf? Larger time wins; without times, or on a
 * tie, the later one in the file. */
static int
S_newer(const grokx_message *m, size_t a, size_t b)
{
    if (m[a].create_time != m[b].create_time)
        return m[a].create_time > m[b].create_time;
    return a > b;
}

/* The newest leaf in the subtree of top (top == n: the whole forest). */
static size_t
S_newest_leaf(const S_ctx *c, size_t top, size_t *stack)
{
    size_t sp = 0, best = (size_t)-1, x, k;
    stack[sp++] = top;
    while (sp) {
        x = stack[--sp];
        if (x != c->n && S_nkids(c, x) == 0 && (best == (size_t)-1 || S_newer(c->m, x, best)))
            best = x;
        for (k = c->kid_start[x]; k < c->kid_start[x + 1]; k++)
            stack[sp++] = c->kids[k];
    }
    return best;
}

/* Mark the active branch; returns its leaf. A named leaf that still has
 * children is extended to the newest leaf below it, so no later turn of
 * that branch is hidden. */
static size_t
S_mark_active(S_ctx *c, const S_map *map, grokx_str leaf_id, size_t *stack)
{
    long named = S_map_find(c, map, leaf_id);
    size_t leaf = S_newest_leaf(c, named >= 0 ? (size_t)named : c->n, stack);
    long x;
    for (x = (long)leaf; x >= 0; x = c->parent[x])
        c->m[x].flags |= GROKX_MSG_ACTIVE;
    return leaf;
}

static void
S_sibling_info(const S_ctx *c, size_t i, grokx_message *out)
{
    size_t group = c->parent[i] < 0 ? c->n : (size_t)c->parent[i], k;
    out->sibling_count = (unsigned)(c->kid_start[group + 1] - c->kid_start[group]);
    for (k = c->kid_start[group]; k < c->kid_start[group + 1]; k++)
        if (c->kids[k] == i)
            out->sibling_index = (unsigned)(k - c->kid_start[group]);
}

/* Depth-first, children in sorted order; out_of[i] is i's output index. */
static size_t
S_emit_all(S_ctx *c, grokx_message *out, size_t *stack, long *out_of)
{
    size_t sp = 0, o = 0, k;
    for (k = c->kid_start[c->n + 1]; k > c->kid_start[c->n]; k--)
        stack[sp++] = c->kids[k - 1];
    while (sp) {
        size_t x = stack[--sp];
        long par = c->parent[x];
        out[o] = c->m[x];
        out[o].parent = par >= 0 ? out_of[par] : -1;
        out[o].depth = par >= 0 ? out[out_of[par]].depth + 1 : 0;
        S_sibling_info(c, x, &out[o]);
        out_of[x] = (long)o++;
        for (k = c->kid_start[x + 1]; k > c->kid_start[x]; k--)
            stack[sp++] = c->kids[k - 1];
    }
    return o;
}

static size_t
S_emit_active(S_ctx *c, grokx_message *out, size_t leaf)
{
    size_t len = 0, i;
    long x;
    for (x = (long)leaf; x >= 0; x = c->parent[x])
        len++;
    i = len;
    for (x = (long)leaf; x >= 0; x = c->parent[x]) {
        out[--i] = c->m[x];
        S_sibling_info(c, (size_t)x, &out[i]);
    }
    for (i = 0; i < len; i++) {
        out[i].parent = (long)i - 1;
        out[i].depth = (unsigned)i;
    }
    return len;
}

int
gx_assemble(gx_arena *a, grokx_message *msgs, size_t n, grokx_str leaf_id, int all_branches,
            gx_warn_fn warn, void *warn_ctx, grokx_message **out, size_t *out_n,
            size_t *fork_count)
{
    S_ctx c;
    S_map map;
    size_t *stack, leaf, i;
    long *out_of;
    int rc;
    *out = NULL;
    *out_n = 0;
    *fork_count = 0;
    if (n == 0)
        return 0;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.m = msgs;
    c.n = n;
    c.warn = warn;
    c.warn_ctx = warn_ctx;
    c.parent = gx_arena_alloc(a, n * sizeof *c.parent);
    stack = gx_arena_alloc(a, (n + 1) * sizeof *stack);
    out_of = gx_arena_alloc(a, n * sizeof *out_of);
    *out = gx_arena_alloc(a, n * sizeof **out);
    if (!c.parent || !stack || !out_of || !*out)
        return GROKX_E_NOMEM;
    if ((rc = S_map_build(&c, &map)) != 0)
        return rc;
    if (S_link(&c, &map) == 0)
        rc = S_chain_by_time(&c);
    else if ((rc = S_break_cycles(&c)) == 0 && (rc = S_attach_roots(&c, &map)) == 0)
        S_check_times(&c);
    if (rc || (rc = S_children(&c)) != 0)
        return rc;
    for (i = 0; i <= n; i++)
        *fork_count += S_nkids(&c, i) > 1;
    leaf = S_mark_active(&c, &map, leaf_id, stack);
    *out_n = all_branches ? S_emit_all(&c, *out, stack, out_of) : S_emit_active(&c, *out, leaf);
    return 0;
}
