/*
 * search.c -- queries over an index: parsing (docs/search.md), a
 * document-at-a-time evaluation over postings cursors, BM25 per message,
 * grouping by conversation, snippets with highlights; and the public
 * grokx_index_* functions.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/ix.h"

#define S_END INT64_MAX
#define S_MAX_NODES 256      /* words, phrases and groups in one query */
#define S_MAX_PHRASE 32      /* words in one phrase */
#define S_MAX_PREFIX_POSTINGS ((size_t)64 << 20) /* documents gathered for prefix* */
#define S_MAX_TERMS 64       /* terms highlighted */

struct grokx_index {
    gx_ix ix;
};

const gx_ix *
gx_index_ix(const grokx_index *g)
{
    return &g->ix;
}

/* ---- the query tree -------------------------------------------------- */

enum { Q_TERM, Q_PHRASE, Q_PREFIX, Q_AND, Q_OR, Q_NONE };

typedef struct S_hitdoc { /* a prefix's documents, gathered */
    uint32_t doc;
    float score;
} S_hitdoc;

typedef struct S_node {
    int kind;
    int64_t doc; /* current document; -1 before the first, S_END after the last */
    struct S_node **kids;
    size_t nkids;
    struct S_node **nots; /* Q_AND: documents to exclude */
    size_t nnots;
    /* Q_TERM */
    gx_term_info info;
    gx_pcur cur;
    double idf;
    /* Q_PHRASE: kids are terms; offs their places in the phrase */
    uint32_t offs[S_MAX_PHRASE];
    uint32_t tf;
    /* Q_PREFIX */
    S_hitdoc *hits;
    size_t nhits, at;
} S_node;

typedef struct S_q {
    grokx_index *gi;
    const gx_ix *ix;
    const char *s; /* the query text, being read */
    size_t nodes;
    S_node *all[S_MAX_NODES * 4];
    size_t nall;
    const uint32_t *pos[S_MAX_PHRASE]; /* positions of a phrase's terms */
    /* terms to highlight (exact, or prefixes) */
    char hl[S_MAX_TERMS][GX_TERM_MAX];
    size_t hl_len[S_MAX_TERMS];
    int hl_prefix[S_MAX_TERMS];
    size_t nhl;
    int neg; /* > 0 while reading an excluded atom: its terms are not highlighted */
    int err;
    char why[GROKX_ERROR_TEXT_MAX];
} S_q;

static int
S_qfail(S_q *q, int code, const char *fmt, ...)
{
    va_list ap;
    if (q->err)
        return q->err;
    va_start(ap, fmt);
    vsnprintf(q->why, sizeof q->why, fmt, ap);
    va_end(ap);
    return q->err = code;
}

static S_node *
S_new(S_q *q, int kind)
{
    S_node *n;
    if (q->nall == sizeof q->all / sizeof q->all[0]) {
        S_qfail(q, GROKX_E_QUERY, "the query is too long");
        return NULL;
    }
    if (!(n = calloc(1, sizeof *n))) {
        S_qfail(q, GROKX_E_NOMEM, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->doc = -1;
    q->all[q->nall++] = n;
    return n;
}

static int
S_add(S_q *q, S_node ***arr, size_t *n, S_node *k)
{
    S_node **a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a)
        return S_qfail(q, GROKX_E_NOMEM, "out of memory");
    a[(*n)++] = k;
    *arr = a;
    return 0;
}

static double
S_idf(const gx_ix *ix, uint64_t df)
{
    double n = (double)ix->n.ndocs;
    return log(1.0 + (n - (double)df + 0.5) / ((double)df + 0.5));
}

static void
S_highlight(S_q *q, const char *t, size_t len, int prefix)
{
    size_t i;
    if (q->neg)
        return; /* a snippet marks what was found, never what was excluded */
    for (i = 0; i < q->nhl; i++)
        if (q->hl_len[i] == len && q->hl_prefix[i] == prefix && !memcmp(q->hl[i], t, len))
            return;
    if (q->nhl == S_MAX_TERMS)
        return;
    memcpy(q->hl[q->nhl], t, len);
    q->hl_len[q->nhl] = len;
    q->hl_prefix[q->nhl++] = prefix;
}

/* A term leaf; one that is not in the index matches nothing (Q_NONE). */
static S_node *
S_term(S_q *q, const char *t, size_t len, int highlight)
{
    S_node *n = S_new(q, Q_TERM);
    int rc;
    if (!n)
        return NULL;
    if (highlight)
        S_highlight(q, t, len, 0);
    rc = gx_dict_find(q->ix, t, len, &n->info);
    if (rc < 0) {
        S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why);
        return NULL;
    }
    if (rc == 0) {
        n->kind = Q_NONE;
        n->doc = S_END;
        return n;
    }
    gx_pcur_init(&n->cur, q->ix, &n->info);
    n->idf = S_idf(q->ix, n->info.df);
    return n;
}

/* BM25's term-frequency part for a message of dl tokens. */
static double
S_tf(const gx_ix *ix, double tf, uint32_t dl)
{
    return gx_bm25_tf(tf, dl, ix->avgdl);
}

static int
S_hitdoc_cmp(const void *a, const void *b)
{
    const S_hitdoc *x = a, *y = b;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* prefix*: every term that starts with it, gathered into one list of
 * documents (their scores summed). */
static S_node *
S_prefix(S_q *q, const char *t, size_t len)
{
    S_node *n = S_new(q, Q_PREFIX);
    gx_dict_iter it;
    size_t cap = 0, i, j;
    int rc;
    if (!n)
        return NULL;
    S_highlight(q, t, len, 1);
    if (gx_dict_seek(&it, q->ix, t, len) < 0) {
        S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why);
        return NULL;
    }
    while ((rc = gx_dict_next(&it)) == 1) {
        gx_pcur c;
        double idf;
        if (it.len < len || memcmp(it.term, t, len))
            break;
        gx_pcur_init(&c, q->ix, &it.info);
        idf = S_idf(q->ix, it.info.df);
        while ((rc = gx_pcur_next(&c)) == 1) {
            gx_doc d;
            if (n->nhits == S_MAX_PREFIX_POSTINGS) {
                S_qfail(q, GROKX_E_QUERY, "%.*s* matches too many words: make it longer",
                        (int)len, t);
                return NULL;
            }
            if (gx_grow(&n->hits, &cap, n->nhits + 1, sizeof *n->hits)) {
                S_qfail(q, GROKX_E_NOMEM, "out of memory");
                return NULL;
            }
            if (gx_ix_doc(q->ix, (uint64_t)c.doc, &d)) {
                rc = GROKX_E_CORRUPT;
                break;
            }
            n->hits[n->nhits].doc = (uint32_t)c.doc;
            n->hits[n->nhits++].score = (float)(idf * S_tf(q->ix, c.freq, d.ntokens));
        }
        gx_pcur_free(&c);
        if (rc < 0)
            break;
    }
    if (rc < 0) {
        S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why[0] ? q->ix->why : "damaged postings");
        return NULL;
    }
    if (n->nhits)
        qsort(n->hits, n->nhits, sizeof *n->hits, S_hitdoc_cmp);
    for (i = j = 0; i < n->nhits; i++) { /* one entry per document */
        if (j && n->hits[j - 1].doc == n->hits[i].doc)
            n->hits[j - 1].score += n->hits[i].score;
        else
            n->hits[j++] = n->hits[i];
    }
    n->nhits = j;
    return n;
}

/* ---- reading the query ----------------------------------------------- */

typedef struct S_toks {
    char term[S_MAX_PHRASE][GX_TERM_MAX];
    size_t len[S_MAX_PHRASE];
    uint32_t pos[S_MAX_PHRASE];
    size_t n;
    size_t first_start, last_end; /* the source bytes of the parts */
    char joined[GX_TERM_MAX];
    size_t joined_len, joined_start, joined_end;
    int njoined, overflow;
} S_toks;

static int
S_tok_cb(void *ud, const gx_tok *t)
{
    S_toks *k = ud;
    if (t->flags & GX_TOK_JOINED) {
        if (!k->njoined++) {
            memcpy(k->joined, t->term, t->len);
            k->joined_len = t->len;
            k->joined_start = t->start, k->joined_end = t->end;
        }
        return 0;
    }
    if (k->n == S_MAX_PHRASE) {
        k->overflow = 1;
        return 1;
    }
    if (!k->n)
        k->first_start = t->start;
    k->last_end = t->end;
    memcpy(k->term[k->n], t->term, t->len);
    k->len[k->n] = t->len;
    k->pos[k->n++] = t->pos;
    return 0;
}

/* The words of text as one leaf: a term, a phrase of its parts, or (with
 * prefix) a prefix search on the last part. NULL with q->err set, or a
 * Q_NONE node when the text holds no word at all (punctuation). */
static S_node *
S_words(S_q *q, const char *text, size_t len, int prefix, int exact_phrase)
{
    S_toks k;
    S_node *n;
    size_t i;
    memset(&k, 0, sizeof k);
    if (gx_tokenize(text, len, S_tok_cb, &k) == GROKX_E_NOMEM) {
        S_qfail(q, GROKX_E_NOMEM, "out of memory");
        return NULL;
    }
    if (k.overflow) {
        S_qfail(q, GROKX_E_QUERY, "a phrase of more than %d words", S_MAX_PHRASE);
        return NULL;
    }
    if (!k.n) {
        if ((n = S_new(q, Q_NONE)) != NULL)
            n->doc = -2; /* no word: ignored by the caller */
        return n;
    }
    /* one word that splits (getUserName, snake_case): its whole form */
    if (!exact_phrase && !prefix && k.njoined == 1 && k.joined_start == k.first_start &&
        k.joined_end == k.last_end)
        return S_term(q, k.joined, k.joined_len, 1);
    if (k.n == 1)
        return prefix ? S_prefix(q, k.term[0], k.len[0]) : S_term(q, k.term[0], k.len[0], 1);
    if (prefix) { /* "foo.ba*": foo, then ba* */
        S_node *a = S_new(q, Q_AND), *leaf;
        if (!a)
            return NULL;
        for (i = 0; i < k.n; i++) {
            leaf = i + 1 < k.n ? S_term(q, k.term[i], k.len[i], 1) : S_prefix(q, k.term[i], k.len[i]);
            if (!leaf || S_add(q, &a->kids, &a->nkids, leaf))
                return NULL;
        }
        return a;
    }
    if (!(n = S_new(q, Q_PHRASE)))
        return NULL;
    for (i = 0; i < k.n; i++) {
        S_node *t = S_term(q, k.term[i], k.len[i], 1);
        if (!t || S_add(q, &n->kids, &n->nkids, t))
            return NULL;
        n->offs[i] = k.pos[i] - k.pos[0];
        n->idf += t->idf;
        if (t->kind == Q_NONE) {
            n->kind = Q_NONE;
            n->doc = S_END;
        }
    }
    return n;
}

static void
S_space(S_q *q)
{
    while (*q->s == ' ' || *q->s == '\t' || *q->s == '\n' || *q->s == '\r')
        q->s++;
}

static int
S_is_word_end(char c)
{
    return !c || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '"';
}

static S_node *S_parse_or(S_q *q, int depth);

/* atom := "phrase" | ( or ) | word | word* */
static S_node *
S_parse_atom(S_q *q, int depth)
{
    const char *start;
    S_space(q);
    if (*q->s == '"') {
        const char *end = strchr(++q->s, '"');
        size_t len = end ? (size_t)(end - q->s) : strlen(q->s);
        S_node *n = S_words(q, q->s, len, 0, 1);
        q->s += len + (end ? 1 : 0);
        return n;
    }
    if (*q->s == '(') {
        S_node *n;
        q->s++;
        n = S_parse_or(q, depth + 1);
        if (!n)
            return NULL; /* q->s may be at the end: never step past it */
        S_space(q);
        if (*q->s != ')') {
            S_qfail(q, GROKX_E_QUERY, "a '(' is not closed");
            return NULL;
        }
        q->s++;
        return n;
    }
    start = q->s;
    while (!S_is_word_end(*q->s))
        q->s++;
    if (q->s - start > 1 && q->s[-1] == '*')
        return S_words(q, start, (size_t)(q->s - start - 1), 1, 0);
    return S_words(q, start, (size_t)(q->s - start), 0, 0);
}

static int
S_keyword(S_q *q, const char *kw)
{
    size_t n = strlen(kw);
    if (strncmp(q->s, kw, n) || !S_is_word_end(q->s[n]))
        return 0; /* NOT"a b" and NOT(a) are NOT "a b" and NOT (a), like -"a b" */
    q->s += n;
    return 1;
}

/* and := unary+, unary := (-+|NOT) atom | atom
 *
 * A minus (or a run of them: --word is -word) excludes the atom right
 * after it, with no space between: a word, a prefix, a "phrase" or a
 * (group). A minus followed by a space, a ')' or the end is punctuation,
 * ignored like any word without letters or digits ("a - b" is "a b").
 * The '"' and '(' must be tested here: they end a word, and a '-' read as
 * an atom before them was a word of no letters, so dropped, and the
 * phrase or group after it became required (issue 29). */
static S_node *
S_parse_and(S_q *q, int depth)
{
    S_node *a = S_new(q, Q_AND);
    if (!a)
        return NULL;
    for (;;) {
        int neg = 0;
        S_node *n;
        S_space(q);
        if (!*q->s || *q->s == ')')
            break;
        if (!strncmp(q->s, "OR", 2) && S_is_word_end(q->s[2]))
            break;
        if (*q->s == '-') {
            const char *p = q->s;
            while (*p == '-')
                p++;
            if (*p == '"' || *p == '(' || !S_is_word_end(*p))
                neg = 1, q->s = p;
        }
        if (!neg && S_keyword(q, "NOT"))
            neg = 1;
        else if (!neg && S_keyword(q, "AND"))
            continue;
        q->neg += neg;
        n = S_parse_atom(q, depth);
        q->neg -= neg;
        if (!n)
            return NULL;
        if (n->kind == Q_NONE && n->doc == -2)
            continue; /* punctuation alone */
        if (S_add(q, neg ? &a->nots : &a->kids, neg ? &a->nnots : &a->nkids, n))
            return NULL;
    }
    return a;
}

static S_node *
S_parse_or(S_q *q, int depth)
{
    S_node *o;
    if (depth > 32) {
        S_qfail(q, GROKX_E_QUERY, "parentheses nest too deep");
        return NULL;
    }
    if (!(o = S_new(q, Q_OR)))
        return NULL;
    for (;;) {
        S_node *a = S_parse_and(q, depth);
        if (!a)
            return NULL;
        if (!a->nkids && a->nnots) {
            S_qfail(q, GROKX_E_QUERY, "a query needs a word that is not excluded");
            return NULL;
        }
        if (a->nkids && S_add(q, &o->kids, &o->nkids, a))
            return NULL;
        S_space(q);
        if (!S_keyword(q, "OR"))
            break;
    }
    return o;
}

/* ---- evaluation ------------------------------------------------------ */

static int S_next(S_q *q, S_node *n);
static int S_seek(S_q *q, S_node *n, int64_t t);

static int
S_cur_rc(S_q *q, S_node *n, int rc)
{
    if (rc < 0)
        return S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why[0] ? q->ix->why : "damaged postings");
    n->doc = rc ? n->cur.doc : S_END;
    return 0;
}

static int
S_phrase_ok(S_q *q, S_node *n)
{
    size_t i, j;
    uint32_t tf = 0;
    for (i = 0; i < n->nkids; i++) {
        int rc = gx_pcur_positions(&n->kids[i]->cur, &q->pos[i]);
        if (rc)
            return S_qfail(q, rc, "%s", rc == GROKX_E_NOMEM ? "out of memory"
                                         : q->ix->why[0] ? q->ix->why : "damaged positions");
    }
    /* each start of the first word; the others found by a forward merge */
    {
        uint32_t at[S_MAX_PHRASE] = {0};
        for (j = 0; j < n->kids[0]->cur.freq; j++) {
            uint32_t p0 = q->pos[0][j];
            int ok = 1;
            for (i = 1; i < n->nkids && ok; i++) {
                const gx_pcur *c = &n->kids[i]->cur;
                uint64_t want = (uint64_t)p0 + n->offs[i];
                while (at[i] < c->freq && q->pos[i][at[i]] < want)
                    at[i]++;
                ok = at[i] < c->freq && q->pos[i][at[i]] == want;
            }
            tf += ok;
        }
    }
    n->tf = tf;
    return 0;
}

/* Bring an AND (or phrase) to the next document all its kids share, not
 * excluded, starting from where the kids are. */
static int
S_align(S_q *q, S_node *n)
{
    for (;;) {
        int64_t t = -1;
        size_t i;
        int same = 1, excluded = 0;
        for (i = 0; i < n->nkids; i++)
            t = GX_MAX(t, n->kids[i]->doc);
        if (t == S_END) {
            n->doc = S_END;
            return 0;
        }
        for (i = 0; i < n->nkids; i++) {
            if (n->kids[i]->doc < t && S_seek(q, n->kids[i], t))
                return q->err;
            if (n->kids[i]->doc != t)
                same = 0;
        }
        if (!same)
            continue;
        for (i = 0; i < n->nnots && !excluded; i++) {
            if (n->nots[i]->doc < t && S_seek(q, n->nots[i], t))
                return q->err;
            excluded = n->nots[i]->doc == t;
        }
        if (!excluded && n->kind == Q_PHRASE) {
            if (S_phrase_ok(q, n))
                return q->err;
            excluded = n->tf == 0;
        }
        if (!excluded) {
            n->doc = t;
            return 0;
        }
        if (S_next(q, n->kids[0]))
            return q->err;
    }
}

static int
S_next(S_q *q, S_node *n)
{
    size_t i;
    switch (n->kind) {
    case Q_NONE:
        n->doc = S_END;
        return 0;
    case Q_TERM:
        return S_cur_rc(q, n, gx_pcur_next(&n->cur));
    case Q_PREFIX:
        if (n->doc == -1)
            n->at = 0;
        else if (n->at < n->nhits)
            n->at++;
        n->doc = n->at < n->nhits ? n->hits[n->at].doc : S_END;
        return 0;
    case Q_OR: {
        int64_t cur = n->doc, low = S_END;
        for (i = 0; i < n->nkids; i++) {
            if ((cur == -1 || n->kids[i]->doc == cur) && S_next(q, n->kids[i]))
                return q->err;
            low = GX_MIN(low, n->kids[i]->doc);
        }
        n->doc = low;
        return 0;
    }
    default: /* Q_AND, Q_PHRASE */
        if (n->doc == -1) {
            for (i = 0; i < n->nkids; i++)
                if (S_next(q, n->kids[i]))
                    return q->err;
        } else if (S_next(q, n->kids[0])) {
            return q->err;
        }
        return S_align(q, n);
    }
}

static int
S_seek(S_q *q, S_node *n, int64_t t)
{
    size_t i;
    if (n->doc >= t)
        return 0;
    switch (n->kind) {
    case Q_NONE:
        n->doc = S_END;
        return 0;
    case Q_TERM:
        return S_cur_rc(q, n, gx_pcur_seek(&n->cur, t));
    case Q_PREFIX: { /* binary search in the gathered list */
        size_t lo = n->doc == -1 ? 0 : n->at, hi = n->nhits;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if ((int64_t)n->hits[mid].doc < t)
                lo = mid + 1;
            else
                hi = mid;
        }
        n->at = lo;
        n->doc = lo < n->nhits ? n->hits[lo].doc : S_END;
        return 0;
    }
    case Q_OR: {
        int64_t low = S_END;
        for (i = 0; i < n->nkids; i++) {
            if (S_seek(q, n->kids[i], t))
                return q->err;
            low = GX_MIN(low, n->kids[i]->doc);
        }
        n->doc = low;
        return 0;
    }
    default:
        for (i = 0; i < n->nkids; i++)
            if (S_seek(q, n->kids[i], t))
                return q->err;
        return S_align(q, n);
    }
}

/* The score of document d, where n is positioned on it. */
static double
S_score(const S_q *q, const S_node *n, int64_t d, uint32_t dl)
{
    double s = 0;
    size_t i;
    if (n->doc != d)
        return 0;
    switch (n->kind) {
    case Q_TERM:
        return n->idf * S_tf(q->ix, n->cur.freq, dl);
    case Q_PREFIX:
        return n->hits[n->at].score;
    case Q_PHRASE:
        return n->idf * S_tf(q->ix, n->tf, dl);
    case Q_NONE:
        return 0;
    default:
        for (i = 0; i < n->nkids; i++)
            s += S_score(q, n->kids[i], d, dl);
        return s;
    }
}

/* ---- filters and grouping -------------------------------------------- */

static int
S_ieq(const char *a, grokx_str b)
{
    size_t i;
    if (strlen(a) != b.len)
        return 0;
    for (i = 0; i < b.len; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b.ptr[i]))
            return 0;
    return 1;
}

/* needle within h, ASCII case-insensitive: --model matches as convert's
 * filter does (writer/filter.c), "Grok-3" as "grok-3" */
static int
S_has(grokx_str h, const char *needle)
{
    size_t n = strlen(needle), i;
    if (!n)
        return 1;
    for (i = 0; i + n <= h.len; i++)
        if (S_ieq(needle, (grokx_str){h.ptr + i, n}))
            return 1;
    return 0;
}

typedef struct S_group {
    uint32_t conv, best_doc;
    double score;
    uint64_t matches;
} S_group;

/* The top `limit` groups, kept in a min-heap by score (ties: lower
 * conversation number, i.e. earlier in the export, ranks higher). */
static int
S_worse(const S_group *a, const S_group *b)
{
    return a->score < b->score || (a->score == b->score && a->conv > b->conv);
}

static void
S_heap_push(S_group *h, size_t *n, size_t cap, const S_group *g)
{
    size_t i;
    if (*n == cap) {
        if (!S_worse(&h[0], g))
            return;
        h[0] = *g; /* replace the worst and sift down */
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < *n && S_worse(&h[l], &h[m]))
                m = l;
            if (r < *n && S_worse(&h[r], &h[m]))
                m = r;
            if (m == i)
                break;
            S_group t = h[i];
            h[i] = h[m], h[m] = t, i = m;
        }
        return;
    }
    i = (*n)++;
    h[i] = *g;
    while (i && S_worse(&h[i], &h[(i - 1) / 2])) {
        S_group t = h[i];
        h[i] = h[(i - 1) / 2], h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static int
S_group_cmp(const void *a, const void *b)
{
    const S_group *x = a, *y = b;
    return S_worse(x, y) ? 1 : S_worse(y, x) ? -1 : 0;
}

/* ---- snippets -------------------------------------------------------- */

typedef struct S_snip_tok {
    size_t start, end;
    int term; /* index into q->hl */
} S_snip_tok;

#define S_SNIP_MATCHES 4096 /* matches enough to choose a window */

typedef struct S_snip {
    const S_q *q;
    S_snip_tok *t;
    size_t n, cap;
    size_t base;    /* added to the tokens' offsets (a part of a text) */
    size_t *total;  /* matches kept in the whole text so far */
    int full;       /* S_SNIP_MATCHES were kept: no more */
} S_snip;

static int
S_snip_cb(void *ud, const gx_tok *t)
{
    S_snip *s = ud;
    size_t i;
    for (i = 0; i < s->q->nhl; i++) {
        size_t n = s->q->hl_len[i];
        if (s->q->hl_prefix[i] ? t->len >= n && !memcmp(t->term, s->q->hl[i], n)
                               : t->len == n && !memcmp(t->term, s->q->hl[i], n))
            break;
    }
    if (i == s->q->nhl)
        return 0;
    if (*s->total == S_SNIP_MATCHES)
        return s->full = 1; /* enough to choose a window */
    if (gx_grow(&s->t, &s->cap, s->n + 1, sizeof *s->t))
        return GROKX_E_NOMEM;
    if (s->n && s->t[s->n - 1].start == s->base + t->start && s->t[s->n - 1].end >= s->base + t->end)
        return 0; /* a part inside a joined form already marked */
    s->t[s->n].start = s->base + t->start;
    s->t[s->n].end = s->base + t->end;
    s->t[s->n++].term = (int)i;
    ++*s->total;
    return 0;
}

typedef struct grokx_results_impl {
    grokx_hit *hits;
    size_t n;
    uint64_t total;
    gx_buf text; /* snippets, then highlight arrays */
    gx_mem mem;
} S_results;

struct grokx_results {
    S_results r;
};

/* The bytes of a text a snippet reads: [base, end) of it, at p; the
 * text's whole length len. */
typedef struct S_text {
    const char *p;
    size_t base, end, len;
} S_text;

#define S_AT(x, i) ((x)->p[(i) - (x)->base])

/* Write the window of about width bytes that starts a little before match
 * best (or at the text's start when there is no match, best == NULL): one
 * line, its matches (t[0..n), in text order, those inside it) as
 * highlights. x holds at least [best - width / 2 - 1, best + width + 8). */
static int
S_snip_write(grokx_results *res, const S_text *x, const S_snip_tok *t, size_t n,
             const S_snip_tok *best, size_t width, size_t *hl_off, size_t *hl_n)
{
    size_t i, from, to, start_len;
    gx_buf *out = &res->r.text;
    int rc;
    if (best) { /* start a little before the first match, on a word boundary */
        from = best->start > width / 4 ? best->start - width / 4 : 0;
        while (from > 0 && from > best->start - GX_MIN(best->start, width / 2) &&
               S_AT(x, from - 1) != ' ' && S_AT(x, from - 1) != '\n')
            from--;
    } else {
        from = 0;
    }
    while (from < x->end && ((unsigned char)S_AT(x, from) & 0xC0) == 0x80)
        from++; /* never start inside a character */
    to = GX_MIN(x->len, from + width);
    while (to < x->end && ((unsigned char)S_AT(x, to) & 0xC0) == 0x80)
        to++;
    to = GX_MIN(to, x->end);
    start_len = out->len;
    *hl_off = 0;
    *hl_n = 0;
    if (from > 0 && (rc = gx_buf_puts(out, "\xE2\x80\xA6")))
        return rc;
    {
        /* copy with whitespace runs as one space; map matches as we go */
        size_t k = 0, nh = 0;
        grokx_span spans[64];
        int space = 0;
        for (i = from; i < to; i++) {
            char c = S_AT(x, i);
            while (k < n && t[k].start < i)
                k++;
            if (k < n && t[k].start == i && t[k].end <= to && nh < 64) {
                if (space && (rc = gx_buf_putc(out, ' ')))
                    return rc;
                space = 0;
                spans[nh].start = out->len - start_len;
                spans[nh].len = t[k].end - t[k].start;
                nh++;
                if ((rc = gx_buf_put(out, &S_AT(x, i), t[k].end - t[k].start)))
                    return rc;
                i = t[k].end - 1;
                continue;
            }
            /* one line: a run of whitespace is one space. Other controls
             * (ESC, BEL, DEL) are kept: a JSON reader gets the text as it
             * is, and the terminal path (grokx search) shows them as
             * spaces. A NUL cannot be kept in the NUL-ended string. */
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || !c) {
                space = out->len > start_len;
                continue;
            }
            if (space && (rc = gx_buf_putc(out, ' ')))
                return rc;
            space = 0;
            if ((rc = gx_buf_putc(out, c)))
                return rc;
        }
        if (to < x->len && (rc = gx_buf_puts(out, "\xE2\x80\xA6")))
            return rc;
        if ((rc = gx_buf_putc(out, 0)))
            return rc;
        /* highlights after the text, aligned */
        while (out->len % sizeof(size_t))
            if ((rc = gx_buf_putc(out, 0)))
                return rc;
        *hl_off = out->len;
        *hl_n = nh;
        if (nh && (rc = gx_buf_put(out, spans, nh * sizeof spans[0])))
            return rc;
    }
    return 0;
}

/* A one-line window of text of about width bytes with the most distinct
 * matched terms, its matches as highlights. */
static int
S_snippet(const S_q *q, grokx_results *res, grokx_str text, size_t width,
          size_t *hl_off, size_t *hl_n)
{
    size_t total = 0;
    S_snip s = {q, NULL, 0, 0, 0, &total, 0};
    size_t best = 0, best_score = 0, i, j;
    S_text x = {text.ptr, 0, text.len, text.len};
    int rc = gx_tokenize(text.ptr, text.len, S_snip_cb, &s);
    gx_snippet_bytes += text.len;
    if (rc < 0 && rc != 1)
        return free(s.t), rc;
    for (i = 0; i < s.n; i++) { /* distinct terms in [start_i, start_i + width) */
        unsigned long long seen = 0;
        size_t k = 0;
        for (j = i; j < s.n && s.t[j].end <= s.t[i].start + width; j++)
            if (!(seen & 1ull << s.t[j].term))
                seen |= 1ull << s.t[j].term, k++;
        if (k > best_score)
            best_score = k, best = i;
    }
    rc = S_snip_write(res, &x, s.t, s.n, s.n ? &s.t[best] : NULL, width, hl_off, hl_n);
    free(s.t);
    return rc;
}

/* ---- snippets of long messages: from the marks -------------------------- */

/* A message of a marked block (docs/index-format.md, STORE) is cut at its
 * marks into parts that inflate and tokenise on their own. The postings
 * say at which positions the highlighted terms are, so which parts hold
 * matches; only those that can hold the best window are read (a bound
 * from the positions: a window of width bytes spans at most width + 1
 * positions where each position starts at a byte of its own, which the
 * writer flags per part, else 9 * width + 32: 18 from one character of at
 * least 2 bytes), then the window itself. The matches found and the
 * window chosen are those S_snippet finds in the whole text. */

typedef struct S_hlpos {
    uint32_t pos;
    uint32_t term;
} S_hlpos;

typedef struct S_part {
    size_t npos;            /* highlighted positions in it */
    size_t bound;           /* the most terms a window from one of its matches can hold */
    S_snip_tok *t;          /* its matches, once tokenised */
    size_t n;
    char *raw;              /* its bytes, once inflated */
    int done;
} S_part;

typedef struct S_long {
    const S_q *q;
    const gx_ix *ix;
    gx_store_marks m;
    gx_store_mark *k;
    size_t hdr, len; /* the text: at hdr in the record, len bytes */
    S_part *part;
    size_t total;    /* matches kept so far (in text order when capped) */
    int capped;      /* the matches may reach S_SNIP_MATCHES: parts in order */
    int full;
    size_t next;     /* capped: the first part not yet tokenised */
    gx_buf buf;
} S_long;

static size_t
S_part_start(const S_long *l, size_t i)
{
    return i < l->m.n ? l->k[i].raw - l->hdr : l->len;
}

static int
S_hlpos_cmp(const void *a, const void *b)
{
    const S_hlpos *x = a, *y = b;
    if (x->pos != y->pos)
        return (x->pos > y->pos) - (x->pos < y->pos);
    return (x->term > y->term) - (x->term < y->term);
}

/* One term in doc: its frequency added to *freq; with out, its positions
 * appended. */
static int
S_term_positions(const gx_ix *ix, const gx_term_info *info, uint32_t doc, uint32_t term,
                 uint64_t *freq, S_hlpos **out, size_t *n, size_t *cap)
{
    gx_pcur c;
    const uint32_t *pos;
    uint32_t i;
    int rc = gx_pcur_init(&c, ix, info);
    if (!rc && (rc = gx_pcur_seek(&c, doc)) == 1 && c.doc == (int64_t)doc) {
        *freq += c.freq;
        rc = 0;
        if (out && !(rc = gx_pcur_positions(&c, &pos))) {
            if (gx_grow(out, cap, *n + c.freq, sizeof **out))
                rc = GROKX_E_NOMEM;
            for (i = 0; !rc && i < c.freq; i++) {
                (*out)[*n].pos = pos[i];
                (*out)[(*n)++].term = term;
            }
        }
    }
    gx_pcur_free(&c);
    return rc < 0 ? rc : 0;
}

/* Every highlighted term (each expansion of a prefix) in doc: their
 * frequencies summed in *freq, the terms found in *found; with out, their
 * positions. */
static int
S_hl_positions(const S_q *q, uint32_t doc, uint64_t *freq, unsigned long long *found,
               S_hlpos **out, size_t *n, size_t *cap)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < q->nhl && !rc; i++) {
        gx_term_info info;
        uint64_t f = *freq;
        if (!q->hl_prefix[i]) {
            if ((rc = gx_dict_find(q->ix, q->hl[i], q->hl_len[i], &info)) == 1)
                rc = S_term_positions(q->ix, &info, doc, (uint32_t)i, freq, out, n, cap);
        } else {
            gx_dict_iter it;
            if ((rc = gx_dict_seek(&it, q->ix, q->hl[i], q->hl_len[i])) >= 0)
                while ((rc = gx_dict_next(&it)) == 1) {
                    if (it.len < q->hl_len[i] || memcmp(it.term, q->hl[i], q->hl_len[i])) {
                        rc = 0;
                        break;
                    }
                    if ((rc = S_term_positions(q->ix, &it.info, doc, (uint32_t)i, freq, out, n, cap)) != 0)
                        break;
                }
        }
        rc = rc < 0 ? rc : 0;
        if (*freq > f)
            *found |= 1ull << i;
    }
    return rc;
}

/* Tokenise part i: its matches. */
static int
S_part_read(S_long *l, size_t i)
{
    S_part *p = &l->part[i];
    size_t a = S_part_start(l, i), b = S_part_start(l, i + 1);
    S_snip s = {l->q, NULL, 0, 0, a, &l->total, 0};
    int rc;
    p->done = 1;
    if (!p->npos || l->full)
        return 0;
    l->buf.len = 0;
    if ((rc = gx_ix_store_inflate(l->ix, &l->m, l->k[i].z, b - a, &l->buf)) != 0)
        return rc;
    if (!(p->raw = malloc(b - a)))
        return GROKX_E_NOMEM;
    memcpy(p->raw, l->buf.ptr, b - a);
    rc = gx_tokenize(l->buf.ptr, b - a, S_snip_cb, &s);
    gx_snippet_bytes += b - a;
    p->t = s.t, p->n = s.n;
    if (s.full)
        l->full = 1;
    return rc < 0 ? rc : 0;
}

/* Part i's matches known (when capped, every part's before it too). */
static int
S_part_need(S_long *l, size_t i)
{
    int rc;
    if (i >= l->m.n || l->part[i].done)
        return 0;
    if (!l->capped)
        return S_part_read(l, i);
    for (; l->next <= i; l->next++)
        if (!l->part[l->next].done && (rc = S_part_read(l, l->next)) != 0)
            return rc;
    return 0;
}

/* Distinct terms of the matches from t[i] of part pi on that end by
 * start + width (as S_snippet counts them). */
static int
S_window_terms(S_long *l, size_t pi, size_t i, size_t width, size_t *k)
{
    size_t lim = l->part[pi].t[i].start + width, p = pi, j = i;
    unsigned long long seen = 0;
    int rc;
    *k = 0;
    for (;;) {
        if (j == l->part[p].n) { /* on to the next part, if a match there can be in */
            if (++p >= l->m.n || S_part_start(l, p) >= lim)
                return 0;
            if ((rc = S_part_need(l, p)) != 0)
                return rc;
            j = 0;
            continue;
        }
        if (l->part[p].t[j].end > lim)
            return 0;
        if (!(seen & 1ull << l->part[p].t[j].term))
            seen |= 1ull << l->part[p].t[j].term, ++*k;
        j++;
    }
}

static int
S_snippet_long(const S_q *q, grokx_results *res, S_long *l, uint32_t doc, size_t width,
               size_t *hl_off, size_t *hl_n)
{
    const gx_ix *ix = q->ix;
    S_hlpos *hp = NULL;
    size_t nhp = 0, hcap = 0, i, j, c, best_k = 0, bp = 0, bi = 0, span, wide;
    unsigned long long all = 0;
    uint64_t freq = 0;
    int rc = 0, have = 0;
    S_snip_tok *win = NULL;
    size_t nwin = 0, wcap = 0;
    /* at most two matches a position (a compound's first part and its
     * whole form): with fewer than S_SNIP_MATCHES / 2 positions the parts
     * may go in any order, and their positions say which can hold the best
     * window; with more (common words), the parts go in order up to the
     * matches S_snippet weighs, and the positions are not needed */
    if ((rc = S_hl_positions(q, doc, &freq, &all, NULL, NULL, NULL)) != 0)
        goto out;
    l->capped = freq * 2 > S_SNIP_MATCHES;
    if (l->capped) {
        for (i = 0; i < l->m.n; i++)
            l->part[i].npos = 1, l->part[i].bound = S_MAX_TERMS;
        goto parts;
    }
    freq = 0;
    if ((rc = S_hl_positions(q, doc, &freq, &all, &hp, &nhp, &hcap)) != 0)
        goto out;
    if (nhp)
        qsort(hp, nhp, sizeof *hp, S_hlpos_cmp);
    /* each part's positions, and the terms a window from them can reach */
    wide = width > (SIZE_MAX - 32) / 9 ? SIZE_MAX : 9 * width + 32;
    for (i = j = c = 0; i < l->m.n; i++) {
        uint32_t hi = i + 1 < l->m.n ? l->k[i + 1].pos : UINT32_MAX;
        size_t first = j;
        while (j < nhp && hp[j].pos < hi)
            j++;
        l->part[i].npos = j - first;
        if (j == first)
            continue;
        /* a window from this part ends in it or the next; when neither
         * has a character of several positions, each position starts at a
         * byte of its own, and a window spans at most width + 1 of them */
        span = wide;
        if (!l->k[i].dense &&
            (i + 1 >= l->m.n ||
             (!l->k[i + 1].dense && (i + 2 >= l->m.n || S_part_start(l, i + 2) - S_part_start(l, i + 1) >= width))))
            span = width + 1;
        { /* the most terms in reach of one of its positions */
            size_t cnt[S_MAX_TERMS] = {0}, a, in = 0;
            for (a = c = first; a < j; a++) {
                while (c < nhp && hp[c].pos - hp[a].pos <= span)
                    in += !cnt[hp[c++].term]++;
                if (in > l->part[i].bound)
                    l->part[i].bound = in;
                in -= !--cnt[hp[a].term];
            }
        }
    }
parts:
    /* the parts in order: the first match with the most terms wins */
    for (i = 0; i < l->m.n && !rc; i++) {
        S_part *p = &l->part[i];
        if (!p->npos || (!l->capped && p->bound <= best_k))
            continue;
        if ((rc = S_part_need(l, i)) != 0)
            break;
        for (j = 0; j < p->n && !rc; j++) {
            size_t k;
            if ((rc = S_window_terms(l, i, j, width, &k)) == 0 && k > best_k)
                best_k = k, bp = i, bi = j, have = 1;
        }
        if (best_k == (size_t)__builtin_popcountll(all) || l->full)
            break; /* none later can do better */
    }
    for (i = 0; !have && !rc && i < l->m.n; i++) /* no window holds a whole match: the first */
        if (l->part[i].npos && !(rc = S_part_need(l, i)) && l->part[i].n)
            bp = i, bi = 0, have = 1;
    if (rc)
        goto out;
    {
        /* the window's bytes and every match in them */
        S_text x;
        size_t at = have ? l->part[bp].t[bi].start : 0, lo, hi, a, b;
        S_snip_tok best;
        lo = at > width / 2 + 1 ? at - width / 2 - 1 : 0;
        hi = width > l->len ? l->len : GX_MIN(l->len, at + width + 8);
        for (a = 0; a + 1 < l->m.n && S_part_start(l, a + 1) <= lo; a++)
            ;
        for (b = a; b < l->m.n && S_part_start(l, b) < hi; b++)
            if ((rc = S_part_need(l, b)) != 0)
                goto out;
        for (i = a; i < b; i++) /* in text order */
            for (j = 0; j < l->part[i].n; j++) {
                if (gx_grow(&win, &wcap, nwin + 1, sizeof *win)) {
                    rc = GROKX_E_NOMEM;
                    goto out;
                }
                win[nwin++] = l->part[i].t[j];
            }
        if (have)
            best = l->part[bp].t[bi];
        l->buf.len = 0;
        lo = S_part_start(l, a);
        for (i = a; i < b && l->part[i].raw; i++) /* the parts read: as they are */
            if ((rc = gx_buf_put(&l->buf, l->part[i].raw,
                                 GX_MIN(hi, S_part_start(l, i + 1)) - S_part_start(l, i))) != 0)
                goto out;
        if (i < b) {
            l->buf.len = 0;
            if ((rc = gx_ix_store_inflate(ix, &l->m, l->k[a].z, hi - lo, &l->buf)) != 0)
                goto out;
        }
        x.p = l->buf.ptr, x.base = lo, x.end = hi, x.len = l->len;
        rc = S_snip_write(res, &x, win, nwin, have ? &best : NULL, width, hl_off, hl_n);
    }
out:
    free(hp);
    free(win);
    return rc;
}

/* The record of doc d when its block is marked: 1 with its id (copied to
 * the results with a NUL) and the snippet written, 0 when the block is not
 * marked, or an error. */
static int
S_long_hit(const S_q *q, grokx_results *res, uint32_t doc, const gx_doc *d, size_t width,
           size_t *id_len, size_t *hl_off, size_t *hl_n)
{
    S_long l;
    int rc;
    memset(&l, 0, sizeof l);
    l.q = q;
    l.ix = q->ix;
    if ((rc = gx_ix_store_marks(q->ix, d->store_block, &l.m)) <= 0)
        return rc;
    if (d->store_off) /* a marked block holds one record */
        return GROKX_E_CORRUPT;
    if ((rc = gx_ix_store_mark_list(q->ix, &l.m, &l.k)) != 0)
        return rc;
    gx_buf_init(&l.buf, &res->r.mem);
    l.hdr = l.k[0].raw;
    l.len = (size_t)(l.m.raw_len - l.hdr);
    { /* the record's header: id and text length, up to the first mark */
        const unsigned char *p, *e;
        uint64_t n1, n2;
        if ((rc = gx_ix_store_inflate(q->ix, &l.m, 0, l.hdr, &l.buf)) != 0)
            goto out;
        p = (const unsigned char *)l.buf.ptr, e = p + l.hdr;
        if (gx_varint(&p, e, &n1) || n1 > (uint64_t)(e - p)) {
            rc = GROKX_E_CORRUPT;
            goto out;
        }
        *id_len = (size_t)n1;
        if ((rc = gx_buf_put(&res->r.text, p, (size_t)n1)) || (rc = gx_buf_putc(&res->r.text, 0)))
            goto out;
        p += n1;
        if (gx_varint(&p, e, &n2) || p != e || n2 != l.len) {
            rc = GROKX_E_CORRUPT;
            goto out;
        }
    }
    if (!(l.part = calloc(l.m.n, sizeof *l.part))) {
        rc = GROKX_E_NOMEM;
        goto out;
    }
    rc = S_snippet_long(q, res, &l, doc, width, hl_off, hl_n);
out:
    if (l.part) {
        uint32_t i;
        for (i = 0; i < l.m.n; i++)
            free(l.part[i].t), free(l.part[i].raw);
        free(l.part);
    }
    free(l.k);
    gx_buf_free(&l.buf);
    return rc ? rc : 1;
}

/* Does message d pass the filters? */
static int
S_keep(const gx_ix *ix, const grokx_search_options *o, const gx_doc *d, int *bad)
{
    grokx_str s;
    if (o->since != GROKX_TIME_NONE && (d->time == GROKX_TIME_NONE || d->time < o->since))
        return 0;
    if (o->until != GROKX_TIME_NONE && (d->time == GROKX_TIME_NONE || d->time >= o->until))
        return 0;
    if (o->sender) {
        /* the roles by every name they go by: the notes label them "You"
         * and "Grok", the export "human" and "assistant" */
        if (S_ieq(o->sender, (grokx_str){"user", 4}) || S_ieq(o->sender, (grokx_str){"human", 5}) ||
            S_ieq(o->sender, (grokx_str){"you", 3})) {
            if (d->role != 0)
                return 0;
        } else if (S_ieq(o->sender, (grokx_str){"assistant", 9}) ||
                   S_ieq(o->sender, (grokx_str){"grok", 4})) {
            if (d->role != 1)
                return 0;
        } else if (gx_ix_name(ix, d->sender, &s)) {
            return *bad = 1, 0;
        } else if (!S_ieq(o->sender, s)) {
            return 0;
        }
    }
    if (o->model && gx_ix_name(ix, d->model, &s))
        return *bad = 1, 0;
    if (o->model && !S_has(s, o->model))
        return 0;
    if (o->conversation) {
        gx_conv c;
        size_t n = strlen(o->conversation);
        if (gx_ix_conv(ix, d->conv, &c)) {
            *bad = 1;
            return 0;
        }
        if (c.id.len < n || memcmp(c.id.ptr, o->conversation, n))
            return 0;
    }
    return 1;
}

static int
S_unfiltered(const grokx_search_options *o)
{
    return o->since == GROKX_TIME_NONE && o->until == GROKX_TIME_NONE && !o->sender && !o->model &&
           !o->conversation;
}

/* ---- evaluation of a whole query -------------------------------------- */

/* Called for each message that matches and passes the filters, in index
 * order; a non-zero return stops. */
typedef int (*S_match_fn)(void *ud, uint32_t doc, const gx_doc *d, double score);

/* Parse query and walk its matches. q->err (with q->why) on failure. */
typedef struct S_grouping S_grouping;
typedef void (*S_fast_fn)(S_q *q, S_node *word, S_grouping *g);

static void
S_eval(S_q *q, const char *query, const grokx_search_options *o, S_match_fn fn, void *ud,
       S_fast_fn fast, S_node **fast_word)
{
    S_node *root;
    int bad = 0;
    q->s = query;
    root = S_parse_or(q, 0);
    if (root)
        S_space(q);
    if (root && *q->s == ')')
        S_qfail(q, GROKX_E_QUERY, "a ')' without its '('");
    if (!q->err && root && !root->nkids)
        S_qfail(q, GROKX_E_QUERY, "the query has no word to search for");
    if (!q->err && root && root->nkids == 1)
        root = root->kids[0];
    /* an AND of one positive kid and no exclusions is that kid */
    while (!q->err && root && root->kind == Q_AND && root->nkids == 1 && !root->nnots)
        root = root->kids[0];
    if (!q->err && root && fast && root->kind == Q_TERM) {
        *fast_word = root;
        fast(q, root, ud);
        return;
    }
    if (!q->err && root)
        S_next(q, root);
    while (!q->err && root && root->doc != S_END) {
        gx_doc d;
        int64_t doc = root->doc;
        if (gx_ix_doc(q->ix, (uint64_t)doc, &d)) {
            S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why[0] ? q->ix->why : "a damaged document record");
            break;
        }
        if (d.conv >= q->ix->n.nconvs) {
            S_qfail(q, GROKX_E_CORRUPT, "message %lld: a damaged record", (long long)doc);
            break;
        }
        if (S_keep(q->ix, o, &d, &bad) && fn(ud, (uint32_t)doc, &d, S_score(q, root, doc, d.ntokens)))
            break;
        if (bad) {
            S_qfail(q, GROKX_E_CORRUPT, "%s", q->ix->why[0] ? q->ix->why : "a damaged document record");
            break;
        }
        S_next(q, root);
    }
}

/* Grouping by conversation for grokx_index_search: documents come in
 * conversation order, so a conversation is complete when the next starts. */
struct S_grouping {
    S_group *heap, cur;
    size_t nheap, limit;
    int have_cur;
    grokx_results *res;
};

static int
S_group_add(void *ud, uint32_t doc, const gx_doc *d, double sc)
{
    S_grouping *g = ud;
    g->res->r.total++;
    if (g->have_cur && g->cur.conv != d->conv) {
        S_heap_push(g->heap, &g->nheap, g->limit, &g->cur);
        g->have_cur = 0;
    }
    if (!g->have_cur) {
        g->cur.conv = d->conv, g->cur.best_doc = doc, g->cur.score = sc, g->cur.matches = 0;
        g->have_cur = 1;
    } else if (sc > g->cur.score) {
        g->cur.best_doc = doc, g->cur.score = sc;
    }
    g->cur.matches++;
    return 0;
}

/* One word and no filters, the common case: the total is its df, and a
 * block whose impact (the best score any of its messages can have) cannot
 * beat the last of the best conversations so far is skipped unread.
 * Skipped messages score below every conversation kept, so the ranking is
 * exactly the full walk's; the kept ones' match counts are taken after. */
static void
S_top_term(S_q *q, S_node *n, S_grouping *g)
{
    gx_pcur *c = &n->cur;
    const gx_ix *ix = q->ix;
    int rc;
    g->res->r.total = n->info.df;
    while ((rc = gx_pcur_block(c)) == 1) {
        size_t k;
        if (g->nheap == g->limit && n->idf * gx_impact_bound(c->block_impact) < g->heap[0].score) {
            gx_pcur_skip_block(c);
            continue;
        }
        if ((rc = gx_pcur_decode(c)) != 0)
            break;
        for (k = c->bi; k < c->bn; k++) {
            const unsigned char *r =
                gx_ix_at(ix, GX_SEC_DOCS, (uint64_t)c->bdoc[k] * GX_IX_DOC_REC, GX_IX_DOC_REC);
            gx_doc d;
            if (!r) {
                S_qfail(q, GROKX_E_CORRUPT, "%s", ix->why);
                return;
            }
            d.conv = gx_le32(r);
            if (d.conv >= ix->n.nconvs) {
                S_qfail(q, GROKX_E_CORRUPT, "message %u: a damaged record", (unsigned)c->bdoc[k]);
                return;
            }
            S_group_add(g, c->bdoc[k], &d, n->idf * S_tf(ix, c->bfreq[k], gx_le32(r + 4)));
        }
        g->res->r.total = n->info.df; /* S_group_add counted them too */
        c->i += c->bn - c->bi;
        c->doc = c->bdoc[c->bn - 1];
        c->bi = c->bn;
    }
    if (rc < 0)
        S_qfail(q, GROKX_E_CORRUPT, "%s", ix->why[0] ? ix->why : "damaged postings");
}

/* The messages of conversation conv that hold term t, in *n: 0, or
 * GROKX_E_CORRUPT (a count is never taken from a damaged file). */
static int
S_count_in(const gx_ix *ix, const gx_term_info *t, uint32_t conv, uint64_t *n)
{
    gx_conv cv;
    gx_pcur c;
    int rc;
    *n = 0;
    if (gx_ix_conv(ix, conv, &cv))
        return GROKX_E_CORRUPT;
    gx_pcur_init(&c, ix, t);
    rc = gx_pcur_seek(&c, cv.first_doc);
    while (rc == 1 && c.doc < (int64_t)cv.first_doc + cv.doc_count) {
        (*n)++;
        rc = gx_pcur_next(&c);
    }
    gx_pcur_free(&c);
    return rc < 0 ? GROKX_E_CORRUPT : 0;
}

/* ---- the public functions -------------------------------------------- */

static void
S_err(grokx_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

int
grokx_index_open(const char *path, grokx_index **out, grokx_error *err)
{
    grokx_index *g;
    int rc;
    if (!out || !path)
        return S_err(err, GROKX_E_INVALID, "no index path"), GROKX_E_INVALID;
    *out = NULL;
    if (!(g = calloc(1, sizeof *g)))
        return S_err(err, GROKX_E_NOMEM, "out of memory"), GROKX_E_NOMEM;
    if ((rc = gx_ix_open_file(&g->ix, path)) != 0) {
        S_err(err, rc, "%s", g->ix.why);
        gx_ix_close(&g->ix);
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int
grokx_index_open_memory(const void *buf, size_t len, grokx_index **out, grokx_error *err)
{
    grokx_index *g;
    int rc;
    if (!out || (!buf && len))
        return S_err(err, GROKX_E_INVALID, "no index"), GROKX_E_INVALID;
    *out = NULL;
    if (!(g = calloc(1, sizeof *g)))
        return S_err(err, GROKX_E_NOMEM, "out of memory"), GROKX_E_NOMEM;
    if ((rc = gx_ix_open_mem(&g->ix, buf ? buf : "", len)) != 0) {
        S_err(err, rc, "%s", g->ix.why);
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void
grokx_index_close(grokx_index *g)
{
    if (!g)
        return;
    gx_ix_close(&g->ix);
    free(g);
}

int
grokx_index_check(grokx_index *g, grokx_error *err)
{
    int rc;
    if (!g)
        return S_err(err, GROKX_E_INVALID, "no index"), GROKX_E_INVALID;
    if ((rc = gx_ix_check(&g->ix)) != 0)
        S_err(err, rc, "%s", g->ix.why);
    return rc;
}

void
grokx_index_get_info(const grokx_index *g, grokx_index_info *info)
{
    memset(info, 0, sizeof *info);
    if (!g)
        return;
    info->messages = g->ix.n.ndocs;
    info->conversations = g->ix.n.nconvs;
    info->terms = g->ix.nterms;
    info->tokens = g->ix.n.total_tokens;
    info->file_bytes = g->ix.size;
    info->store_bytes = g->ix.sec[GX_SEC_STORE].len;
}

void
grokx_search_options_init(grokx_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->abi_version = GROKX_ABI_VERSION;
    o->since = o->until = GROKX_TIME_NONE;
}

static void
S_q_free(S_q *q)
{
    size_t i;
    for (i = 0; i < q->nall; i++) {
        gx_pcur_free(&q->all[i]->cur);
        free(q->all[i]->kids);
        free(q->all[i]->nots);
        free(q->all[i]->hits);
        free(q->all[i]);
    }
}

int
grokx_index_search(grokx_index *g, const char *query, const grokx_search_options *o,
                   grokx_results **out, grokx_error *err)
{
    grokx_search_options def;
    S_q *q;
    grokx_results *res = NULL;
    S_group *heap = NULL, cur = {0, 0, 0, 0};
    S_grouping gr = {0};
    S_node *top = NULL; /* the word, when the fast path ran */
    size_t nheap = 0, limit, i;
    int have_cur = 0;
    int rc = 0;
    gx_buf raw;
    if (out)
        *out = NULL;
    if (!g || !query || !out)
        return S_err(err, GROKX_E_INVALID, "no index or query"), GROKX_E_INVALID;
    if (!o) {
        grokx_search_options_init(&def);
        o = &def;
    }
    if (o->abi_version != GROKX_ABI_VERSION)
        return S_err(err, GROKX_E_VERSION, "unsupported ABI version"), GROKX_E_VERSION;
    limit = o->limit ? GX_MIN(o->limit, (size_t)100000) : 10;
    if (!(q = calloc(1, sizeof *q)) || !(res = calloc(1, sizeof *res)) ||
        !(heap = malloc(limit * sizeof *heap))) {
        free(q);
        free(res);
        return S_err(err, GROKX_E_NOMEM, "out of memory"), GROKX_E_NOMEM;
    }
    gx_mem_init(&res->r.mem, NULL, NULL, 0);
    gx_buf_init(&res->r.text, &res->r.mem);
    q->gi = g;
    q->ix = &g->ix;
    gr.heap = heap, gr.limit = limit, gr.res = res;
    S_eval(q, query, o, S_group_add, &gr, S_unfiltered(o) ? S_top_term : NULL, &top);
    heap = gr.heap, nheap = gr.nheap, cur = gr.cur, have_cur = gr.have_cur;
    if (have_cur && !q->err)
        S_heap_push(heap, &nheap, limit, &cur);
    if (q->err) {
        rc = q->err;
        S_err(err, rc, "%s", q->why);
        goto done;
    }
    qsort(heap, nheap, sizeof *heap, S_group_cmp);
    for (i = 0; top && i < nheap; i++) /* the fast path skipped some: count them all */
        if ((rc = S_count_in(q->ix, &top->info, heap[i].conv, &heap[i].matches)) != 0) {
            S_err(err, rc, "%s", q->ix->why[0] ? q->ix->why : "damaged postings");
            goto done;
        }
    if (nheap && !(res->r.hits = calloc(nheap, sizeof *res->r.hits))) {
        rc = GROKX_E_NOMEM;
        S_err(err, rc, "out of memory");
        goto done;
    }
    gx_buf_init(&raw, &res->r.mem);
    {
        size_t *snip_off = calloc(nheap + 1, sizeof *snip_off), *hl_off = calloc(nheap + 1, sizeof *hl_off);
        size_t *hl_n = calloc(nheap + 1, sizeof *hl_n);
        size_t width = o->snippet_bytes ? o->snippet_bytes : 160;
        if (!snip_off || !hl_off || !hl_n)
            rc = GROKX_E_NOMEM;
        for (i = 0; i < nheap && !rc; i++) {
            grokx_hit *h = &res->r.hits[i];
            gx_conv c;
            gx_doc d;
            grokx_str id = {"", 0}, text = {"", 0};
            if (gx_ix_doc(q->ix, heap[i].best_doc, &d) || gx_ix_conv(q->ix, d.conv, &c) || gx_ix_name(q->ix, d.sender, &h->sender) ||
                gx_ix_name(q->ix, d.model, &h->model)) {
                rc = GROKX_E_CORRUPT;
                break;
            }
            h->score = heap[i].score;
            h->matches = heap[i].matches;
            h->conversation_id = c.id;
            h->title = c.title;
            h->path = c.path;
            h->conversation_time = c.create_time;
            h->starred = !!(c.flags & GX_IX_CONV_STARRED);
            h->role = d.role == 0 ? GROKX_ROLE_USER : d.role == 2 ? GROKX_ROLE_SYSTEM : GROKX_ROLE_ASSISTANT;
            h->time = d.time;
            snip_off[i] = res->r.text.len;
            if (!(o->flags & GROKX_SEARCH_NO_SNIPPETS)) {
                size_t long_id = 0;
                /* a long message: its id and snippet from the parts it shows */
                if ((rc = S_long_hit(q, res, heap[i].best_doc, &d, width, &long_id, &hl_off[i],
                                     &hl_n[i])) < 0)
                    break;
                if (rc == 1) {
                    h->message_id.len = long_id;
                    rc = 0;
                    continue;
                }
                if ((rc = gx_ix_store_fetch(q->ix, d.store_block, d.store_off, &raw, &id, &text)) != 0)
                    break;
                gx_snippet_bytes += raw.len;
            }
            /* the id lives in the inflated block: copy it with the snippet */
            if ((rc = gx_buf_put(&res->r.text, id.ptr, id.len)) || (rc = gx_buf_putc(&res->r.text, 0)))
                break;
            h->message_id.len = id.len;
            rc = S_snippet(q, res, text, width, &hl_off[i], &hl_n[i]);
        }
        /* pointers only now: the buffer moved while it grew */
        for (i = 0; i < nheap && !rc; i++) {
            grokx_hit *h = &res->r.hits[i];
            h->message_id.ptr = res->r.text.ptr + snip_off[i];
            h->snippet.ptr = h->message_id.ptr + h->message_id.len + 1;
            h->snippet.len = strlen(h->snippet.ptr);
            h->highlights = hl_n[i] ? (const grokx_span *)(const void *)(res->r.text.ptr + hl_off[i]) : NULL;
            h->highlight_count = hl_n[i];
        }
        free(snip_off);
        free(hl_off);
        free(hl_n);
    }
    gx_buf_free(&raw);
    if (rc) {
        S_err(err, rc, "%s", rc == GROKX_E_NOMEM ? "out of memory"
                             : q->ix->why[0] ? q->ix->why : "a damaged message store");
        goto done;
    }
    res->r.n = nheap;
done:
    S_q_free(q);
    free(q);
    free(heap);
    if (rc) {
        grokx_results_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

typedef struct S_matches {
    int (*cb)(void *ud, uint64_t message, double score);
    void *ud;
    int stopped;
} S_matches;

static int
S_match_cb(void *ud, uint32_t doc, const gx_doc *d, double score)
{
    S_matches *m = ud;
    GX_UNUSED(d);
    return m->stopped = m->cb(m->ud, doc, score) != 0;
}

int
grokx_index_matches(grokx_index *g, const char *query, const grokx_search_options *o,
                    int (*cb)(void *ud, uint64_t message, double score), void *ud,
                    grokx_error *err)
{
    grokx_search_options def;
    S_matches m = {cb, ud, 0};
    S_q *q;
    int rc;
    if (!g || !query || !cb)
        return S_err(err, GROKX_E_INVALID, "no index, query or callback"), GROKX_E_INVALID;
    if (!o) {
        grokx_search_options_init(&def);
        o = &def;
    }
    if (o->abi_version != GROKX_ABI_VERSION)
        return S_err(err, GROKX_E_VERSION, "unsupported ABI version"), GROKX_E_VERSION;
    if (!(q = calloc(1, sizeof *q)))
        return S_err(err, GROKX_E_NOMEM, "out of memory"), GROKX_E_NOMEM;
    q->gi = g;
    q->ix = &g->ix;
    S_eval(q, query, o, S_match_cb, &m, NULL, NULL);
    rc = q->err;
    if (rc)
        S_err(err, rc, "%s", q->why);
    S_q_free(q);
    free(q);
    return rc;
}

size_t
grokx_results_count(const grokx_results *r)
{
    return r ? r->r.n : 0;
}

const grokx_hit *
grokx_results_hit(const grokx_results *r, size_t i)
{
    return r && i < r->r.n ? &r->r.hits[i] : NULL;
}

const grokx_span *
grokx_hit_highlight(const grokx_hit *h, size_t i)
{
    return h && i < h->highlight_count ? &h->highlights[i] : NULL;
}

uint64_t
grokx_results_total(const grokx_results *r)
{
    return r ? r->r.total : 0;
}

void
grokx_results_free(grokx_results *r)
{
    if (!r)
        return;
    gx_buf_free(&r->r.text);
    free(r->r.hits);
    free(r);
}

int
grokx_index_merge(const char *const *paths, size_t n, grokx_sink out, grokx_error *err)
{
    gx_ix *ixs;
    gx_ix **ptrs;
    gx_mem mem;
    char why[GROKX_ERROR_TEXT_MAX] = "";
    size_t i, opened = 0;
    int rc = 0;
    if (!paths || !n || !out.write)
        return S_err(err, GROKX_E_INVALID, "nothing to merge"), GROKX_E_INVALID;
    ixs = calloc(n, sizeof *ixs);
    ptrs = calloc(n, sizeof *ptrs);
    if (!ixs || !ptrs) {
        free(ixs);
        free(ptrs);
        return S_err(err, GROKX_E_NOMEM, "out of memory"), GROKX_E_NOMEM;
    }
    for (i = 0; i < n && !rc; i++, opened++) {
        ptrs[i] = &ixs[i];
        if ((rc = gx_ix_open_file(&ixs[i], paths[i])) != 0)
            S_err(err, rc, "%s: %s", paths[i], ixs[i].why);
    }
    if (!rc) {
        gx_mem_init(&mem, NULL, NULL, 0);
        rc = gx_ix_merge(ptrs, n, 1, 1, 0, NULL, NULL, out, &mem, why, sizeof why);
        if (rc)
            S_err(err, rc, "%s", why[0] ? why : grokx_strerror(rc));
    }
    for (i = 0; i < opened; i++)
        gx_ix_close(&ixs[i]);
    free(ixs);
    free(ptrs);
    return rc;
}
