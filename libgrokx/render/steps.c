/*
 * steps.c -- the steps of a tool-using answer (DeepSearch, agent mode) as
 * Markdown a person can read: each step's heading and texts, the tools it
 * called with their arguments, and what each call returned.
 *
 * The export can hold one call three times: parsed in tool_usage_cards,
 * as XML in tagged_text.tool_usage_card, and its hits again in the step's
 * web_search_results. Each is shown once: the parsed call, and from the
 * XML only a call no parsed card has (by id); the step's hits only those
 * no result listed. Results are joined to their calls by
 * tool_usage_card_id; a result with no call is shown on its own. Nothing
 * the step holds is dropped: a card that is not the JSON we expect, or
 * holds fields we do not read (a hit is read as its title and link; its
 * preview is not shown), is shown as written, in a code block. Calls,
 * results and hits are matched through hash sets: a step of 60,000
 * calls is linear work.
 *
 * The Markdown cannot break the note: texts go through the guard
 * (md_guard.c) and are never inside a list, values are code spans or
 * fenced blocks longer than any backtick run in them, links are escaped
 * (md_inline.c). The md writer quotes it into a callout; the html writer
 * renders it with md4c.
 *
 * The cards are read with json.c's walk, callbacks in one pass (never a
 * tree: yajl_tree recursed and leaked on errors), depth-capped, every
 * string repaired to UTF-8.
 */
#include <string.h>

#include "render/render.h"

#define PUT(b, s) gx_buf_put((b), (s), strlen(s))

enum { S_MAX_DEPTH = 64, S_SPAN_MAX = 300 /* longer values get a block */ };

typedef struct S_span {
    size_t off, len;
} S_span;

/* An argument (key, value) of a call, or a hit (url, title) of a result. */
typedef struct S_pair {
    S_span a, b;
} S_pair;

typedef enum S_mode { S_CALL, S_RESULT, S_ARGS } S_mode;

/* What each open container is, so a value knows where it belongs. */
typedef enum S_role { R_OTHER, R_TOP, R_TOOL, R_NAMED, R_ARGS, R_RESULT, R_HITS, R_HIT } S_role;

typedef struct S_card {
    S_mode mode;
    gx_buf text;  /* every string kept, back to back */
    gx_buf pairs; /* S_pair: a call's arguments, or a result's hits */
    S_span id, name, intent, value;
    int have_id, have_name, have_intent, have_value;
    int depth;
    unsigned char role[S_MAX_DEPTH + 1], is_map[S_MAX_DEPTH + 1];
    S_span key[S_MAX_DEPTH + 1]; /* the last key read in the map at each depth */
    int named_active;            /* the key just read in R_TOOL is the tool's name */
    /* a compound value being written out as compact JSON */
    gx_jw *jw;
    int cap_depth; /* depth of the container captured; 0: none */
    int cap_value; /* 1: it is the result's value; 0: an argument */
    S_span cap_key;
    S_span hit_url, hit_title;
    int have_url, have_title;
    int unmodelled; /* it holds something not read above: shown as written too */
    int top_unknown; /* the key just read at the top is not one of ours, or a second one */
    unsigned top_seen; /* our top-level keys read so far: 1 id, 2 intent, 4 tool, 8 result */
    int odd_hit;     /* a hit that is no link: when hits are shown, so is the card */
    int nomem;
} S_card;

/* ---- reading one card --------------------------------------------------- */

/* Keep s, NUL-terminated, repaired (a "\u0000" escape or a bad byte
 * becomes U+FFFD). */
static S_span
S_keep(S_card *c, const char *s, size_t len)
{
    S_span sp = {c->text.len, 0};
    size_t bad, n = gx_utf8_valid(s, len) ? len : gx_utf8_repaired_len(s, len, &bad);
    if (gx_buf_reserve(&c->text, n + 1)) {
        c->nomem = 1;
        return sp;
    }
    if (n == len)
        memcpy(c->text.ptr + c->text.len, s, len);
    else
        gx_utf8_repair(c->text.ptr + c->text.len, s, len);
    c->text.ptr[c->text.len + n] = 0;
    c->text.len += n + 1;
    sp.len = n;
    return sp;
}

static const char *
S_at(const S_card *c, S_span s)
{
    /* a card that kept no text has no buffer: its spans are empty */
    return c->text.ptr ? c->text.ptr + s.off : "";
}

static int
S_is(const S_card *c, S_span s, const char *word)
{
    return s.len == strlen(word) && !memcmp(S_at(c, s), word, s.len);
}

static void
S_pair_add(S_card *c, S_span a, S_span b)
{
    S_pair p;
    p.a = a;
    p.b = b;
    if (gx_buf_put(&c->pairs, &p, sizeof p))
        c->nomem = 1;
}

/* The key a value at the current depth was given (none in an array). */
static S_span
S_cur_key(const S_card *c)
{
    S_span none = {0, 0};
    return c->depth ? c->key[c->depth] : none;
}

/* A scalar's text (a string, or a number, true, false, null as written). */
static void
S_scalar(S_card *c, const char *s, size_t len, int is_string)
{
    S_role r = c->depth ? (S_role)c->role[c->depth] : R_OTHER;
    S_span k = S_cur_key(c);
    if (c->cap_depth) {
        int rc;
        if (is_string)
            rc = gx_jw_str(c->jw, s, len);
        else if (len == 4 && !memcmp(s, "null", 4))
            rc = gx_jw_null(c->jw);
        else if (len == 4 && !memcmp(s, "true", 4))
            rc = gx_jw_bool(c->jw, 1);
        else if (len == 5 && !memcmp(s, "false", 5))
            rc = gx_jw_bool(c->jw, 0);
        else
            rc = gx_jw_number_text(c->jw, s, len);
        if (rc)
            c->nomem = 1;
    }
    if (r == R_HIT && (S_is(c, k, "url") ? c->have_url : S_is(c, k, "title") ? c->have_title : 0))
        c->odd_hit = 1; /* a second url or title */
    if (r == R_HIT && is_string && S_is(c, k, "url") && !c->have_url) {
        c->hit_url = S_keep(c, s, len);
        c->have_url = 1;
    } else if (r == R_HIT && is_string && S_is(c, k, "title") && !c->have_title) {
        c->hit_title = S_keep(c, s, len);
        c->have_title = 1;
    }
    if (r == R_HITS)
        c->odd_hit = 1; /* a hit that is no object */
    if (c->cap_depth)
        return;
    if (r == R_TOP && c->mode != S_ARGS && !(!is_string && len == 4 && !memcmp(s, "null", 4)) &&
        (c->top_unknown || (!is_string && !S_is(c, k, "result")) || S_is(c, k, "tool")))
        c->unmodelled = 1; /* "status": "failed", "tool": "x", a number for an id */
    if (r == R_TOP && c->top_unknown)
        return;
    if (r == R_TOP && is_string && S_is(c, k, "tool_usage_card_id") && !c->have_id && c->mode != S_ARGS) {
        c->id = S_keep(c, s, len);
        c->have_id = 1;
    } else if (r == R_TOP && is_string && S_is(c, k, "intent") && !c->have_intent && c->mode == S_CALL) {
        c->intent = S_keep(c, s, len);
        c->have_intent = 1;
    } else if ((r == R_TOOL && c->named_active) || r == R_NAMED || r == R_ARGS ||
               (r == R_TOP && c->mode == S_ARGS)) {
        S_pair_add(c, r == R_TOOL ? (S_span){0, 0} : k, S_keep(c, s, len));
    } else if ((r == R_RESULT && c->named_active) || (r == R_TOP && c->mode == S_RESULT && S_is(c, k, "result"))) {
        if (!c->have_value) {
            c->value = S_keep(c, s, len);
            c->have_value = 1;
        }
    }
    if (r == R_TOOL || r == R_RESULT)
        c->named_active = 0;
}

/* The walk goes on (0) unless memory ran out. */
static int
S_go_on(const S_card *c)
{
    return c->nomem ? GROKX_E_NOMEM : 0;
}

static int S_null(void *u) { S_scalar(u, "null", 4, 0); return S_go_on(u); }
static int S_bool(void *u, int v) { S_scalar(u, v ? "true" : "false", v ? 4 : 5, 0); return S_go_on(u); }
static int S_number(void *u, const char *s, size_t l) { S_scalar(u, s, l, 0); return S_go_on(u); }
static int S_string(void *u, const char *s, size_t l) { S_scalar(u, s, l, 1); return S_go_on(u); }

static int
S_key(void *u, const char *s, size_t len)
{
    S_card *c = u;
    S_role r = (S_role)c->role[c->depth];
    if (c->cap_depth && gx_jw_str(c->jw, s, len))
        c->nomem = 1;
    c->key[c->depth] = S_keep(c, s, len);
    if (r == R_TOP && c->mode != S_ARGS) {
        S_span k = c->key[c->depth];
        unsigned bit = S_is(c, k, "tool_usage_card_id")            ? 1u
                       : c->mode == S_CALL && S_is(c, k, "intent") ? 2u
                       : c->mode == S_CALL && S_is(c, k, "tool")   ? 4u
                       : c->mode == S_RESULT && S_is(c, k, "result") ? 8u
                                                                    : 0u;
        c->top_unknown = !bit || (c->top_seen & bit);
        c->top_seen |= bit;
    }
    if ((r == R_TOOL || r == R_RESULT) && !c->cap_depth && c->have_name)
        c->unmodelled = 1; /* a second tool, a second envelope */
    if ((r == R_TOOL || r == R_RESULT) && !c->cap_depth) {
        c->named_active = !c->have_name;
        if (!c->have_name) {
            c->name = c->key[c->depth];
            c->have_name = 1;
        }
    }
    return S_go_on(c);
}

/* The role of a container opened at the current position. */
static S_role
S_child_role(S_card *c, int is_map)
{
    S_role r = c->depth ? (S_role)c->role[c->depth] : R_OTHER;
    S_span k = S_cur_key(c);
    if (!c->depth)
        return is_map ? R_TOP : R_OTHER;
    if (r == R_TOP && c->top_unknown)
        return R_OTHER;
    if (r == R_TOP && c->mode == S_CALL && is_map && S_is(c, k, "tool"))
        return R_TOOL;
    if (r == R_TOP && c->mode == S_RESULT && is_map && S_is(c, k, "result"))
        return R_RESULT;
    if (r == R_TOOL && c->named_active && is_map)
        return R_NAMED;
    if (r == R_NAMED && is_map && S_is(c, k, "args"))
        return R_ARGS;
    if (r == R_RESULT && c->named_active && !is_map)
        return R_HITS;
    if (r == R_HITS && is_map)
        return R_HIT;
    return R_OTHER;
}

/* Does a container opened here hold a value to show (an argument, or the
 * result's value)? 1 argument, 2 value, 0 neither. */
static int
S_capture_here(S_card *c, S_role child)
{
    S_role r = c->depth ? (S_role)c->role[c->depth] : R_OTHER;
    if (c->cap_depth || !c->depth)
        return 0;
    if (child == R_NAMED || child == R_ARGS || child == R_TOOL || child == R_RESULT)
        return 0;
    if ((r == R_TOOL && c->named_active) || r == R_NAMED || r == R_ARGS || (r == R_TOP && c->mode == S_ARGS))
        return 1;
    if ((r == R_RESULT && c->named_active) ||
        (r == R_TOP && !c->top_unknown && c->mode == S_RESULT && S_is(c, S_cur_key(c), "result")))
        return c->have_value ? 0 : 2;
    return 0;
}

static int
S_open(S_card *c, int is_map)
{
    S_role child = S_child_role(c, is_map);
    int cap = S_capture_here(c, child);
    if (c->depth >= S_MAX_DEPTH)
        return GROKX_E_LIMIT; /* the walk's cap stops it first */
    if (child == R_OTHER && !cap && !c->cap_depth && c->depth && c->role[c->depth] == R_TOP && c->mode != S_ARGS)
        c->unmodelled = 1; /* "tool": [...] */
    if (child == R_OTHER && c->depth && c->role[c->depth] == R_HITS)
        c->odd_hit = 1;
    if (cap) {
        gx_jw_reset(c->jw);
        c->cap_value = cap == 2;
        c->cap_key = c->role[c->depth] == R_TOOL ? (S_span){0, 0} : S_cur_key(c);
        c->cap_depth = c->depth + 1;
    }
    if (c->depth && (c->role[c->depth] == R_TOOL || c->role[c->depth] == R_RESULT))
        c->named_active = 0; /* its value is this container */
    if (c->cap_depth && (is_map ? gx_jw_begin_map(c->jw) : gx_jw_begin_array(c->jw)))
        c->nomem = 1;
    c->depth++;
    c->role[c->depth] = (unsigned char)child;
    c->is_map[c->depth] = (unsigned char)is_map;
    c->key[c->depth] = (S_span){0, 0};
    if (child == R_HIT)
        c->have_url = c->have_title = 0;
    return S_go_on(c);
}

static int S_open_map(void *u) { return S_open(u, 1); }
static int S_open_array(void *u) { return S_open(u, 0); }

static int
S_close(void *u)
{
    S_card *c = u;
    if (c->role[c->depth] == R_HIT && c->have_url)
        S_pair_add(c, c->hit_url, c->have_title ? c->hit_title : c->hit_url);
    else if (c->role[c->depth] == R_HIT && c->have_title)
        S_pair_add(c, (S_span){0, 0}, c->hit_title); /* no link: shown as text */
    else if (c->role[c->depth] == R_HIT)
        c->odd_hit = 1;
    if (c->cap_depth) {
        if (c->is_map[c->depth] ? gx_jw_end_map(c->jw) : gx_jw_end_array(c->jw))
            c->nomem = 1;
        if (c->depth == c->cap_depth) {
            size_t n;
            const char *t = gx_jw_text(c->jw, &n);
            if (c->cap_value) {
                c->value = S_keep(c, t, n);
                c->have_value = 1;
            } else {
                S_pair_add(c, c->cap_key, S_keep(c, t, n));
            }
            c->cap_depth = 0;
        }
    }
    c->depth--;
    if (c->depth && (c->role[c->depth] == R_TOOL || c->role[c->depth] == R_RESULT))
        c->named_active = 0;
    return S_go_on(c);
}

static const gx_json_events S_events = {
    S_null, S_bool, S_number, S_string, S_key, S_open_map, S_close, S_open_array, S_close, NULL,
};

static void
S_card_init(S_card *c, gx_mem *mem, gx_jw *jw)
{
    memset(c, 0, sizeof *c);
    gx_buf_init(&c->text, mem);
    gx_buf_init(&c->pairs, mem);
    c->jw = jw;
}

static void
S_card_free(S_card *c)
{
    gx_buf_free(&c->text);
    gx_buf_free(&c->pairs);
}

/* Read one card's JSON: 1 read (a top-level object), 0 not that, or
 * GROKX_E_NOMEM. */
static int
S_card_read(S_card *c, S_mode mode, gx_mem *mem, const char *s, size_t len)
{
    gx_buf text = c->text, pairs = c->pairs;
    gx_jw *jw = c->jw;
    int rc;
    memset(c, 0, sizeof *c);
    c->text = text;
    c->pairs = pairs;
    c->text.len = c->pairs.len = 0;
    c->jw = jw;
    c->mode = mode;
    rc = gx_json_walk(s, len, S_MAX_DEPTH, &S_events, c, mem); /* S_keep repairs the strings */
    if (c->nomem || rc == GROKX_E_NOMEM)
        return GROKX_E_NOMEM;
    return !rc && c->role[1] == R_TOP;
}

static size_t
S_npairs(const S_card *c)
{
    return c->pairs.len / sizeof(S_pair);
}

static S_pair
S_pair_at(const S_card *c, size_t i)
{
    S_pair p;
    memcpy(&p, c->pairs.ptr + i * sizeof p, sizeof p);
    return p;
}

/* ---- a set of strings ------------------------------------------------- */

/* Strings (call ids, tool names, hit URLs), each with a count (or a value
 * of the caller's): lookups are constant time, where scanning a list made
 * a hostile step quadratic. */
typedef struct S_set {
    gx_mem *mem;
    gx_buf strs;   /* each string: its size_t length, then its bytes */
    size_t *slot;  /* 1 + the offset of a string in strs; 0 empty */
    size_t *count; /* how many times it was added, less those taken */
    size_t cap, n; /* cap: 0 or a power of two, at least twice n */
} S_set;

static void
S_set_init(S_set *t, gx_mem *mem)
{
    memset(t, 0, sizeof *t);
    t->mem = mem;
    gx_buf_init(&t->strs, mem);
}

static void
S_set_drop_table(S_set *t)
{
    gx_free(t->mem, t->slot, t->cap * sizeof *t->slot);
    gx_free(t->mem, t->count, t->cap * sizeof *t->count);
    t->slot = t->count = NULL;
    t->cap = 0;
}

static void
S_set_free(S_set *t)
{
    S_set_drop_table(t);
    gx_buf_free(&t->strs);
}

/* Empty it; a table a big step grew is let go, so small steps after it do
 * not clear it each time. */
static void
S_set_clear(S_set *t)
{
    if (t->cap > 256)
        S_set_drop_table(t);
    else if (t->cap)
        memset(t->slot, 0, t->cap * sizeof *t->slot);
    t->strs.len = t->n = 0;
}

/* The slot holding s, or the empty one where it would go (cap > 0). */
static size_t
S_set_find(const S_set *t, const char *s, size_t len)
{
    size_t i;
    s = len ? s : ""; /* an empty buffer's pointer may be NULL */
    i = (size_t)gx_hash64(s, len) & (t->cap - 1);
    while (t->slot[i]) {
        size_t n;
        const char *at = t->strs.ptr + t->slot[i] - 1;
        memcpy(&n, at, sizeof n);
        if (n == len && !memcmp(at + sizeof n, s, len))
            return i;
        i = (i + 1) & (t->cap - 1);
    }
    return i;
}

/* The slot of s, added (its count 0) if it was not there: *at. */
static int
S_set_put(S_set *t, const char *s, size_t len, size_t *at)
{
    size_t i;
    s = len ? s : "";
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16, *slot, *count, k, old = t->cap;
        size_t *oslot = t->slot, *ocount = t->count;
        if (!(slot = gx_alloc(t->mem, cap * sizeof *slot)) || !(count = gx_alloc(t->mem, cap * sizeof *count))) {
            gx_free(t->mem, slot, cap * sizeof *slot);
            return GROKX_E_NOMEM;
        }
        memset(slot, 0, cap * sizeof *slot);
        t->slot = slot, t->count = count, t->cap = cap;
        for (k = 0; k < old; k++)
            if (oslot[k]) {
                size_t n;
                const char *str = t->strs.ptr + oslot[k] - 1;
                memcpy(&n, str, sizeof n);
                i = S_set_find(t, str + sizeof n, n);
                t->slot[i] = oslot[k];
                t->count[i] = ocount[k];
            }
        gx_free(t->mem, oslot, old * sizeof *oslot);
        gx_free(t->mem, ocount, old * sizeof *ocount);
    }
    *at = i = S_set_find(t, s, len);
    if (t->slot[i])
        return 0;
    t->slot[i] = t->strs.len + 1;
    t->count[i] = 0;
    t->n++;
    return gx_buf_put(&t->strs, &len, sizeof len) || gx_buf_put(&t->strs, s, len) ? GROKX_E_NOMEM : 0;
}

static int
S_set_add(S_set *t, const char *s, size_t len)
{
    size_t at;
    int rc = S_set_put(t, s, len, &at);
    if (!rc)
        t->count[at]++;
    return rc;
}

static int
S_set_has(const S_set *t, const char *s, size_t len)
{
    return t->cap && t->slot[S_set_find(t, s, len)];
}

/* 1 and one count less when s is there with a count left, else 0. */
static int
S_set_take(S_set *t, const char *s, size_t len)
{
    size_t i;
    if (!t->cap || !t->slot[i = S_set_find(t, s, len)] || !t->count[i])
        return 0;
    t->count[i]--;
    return 1;
}

/* ---- writing Markdown --------------------------------------------------- */

typedef struct S_out {
    gx_buf *b;
    gx_mem *mem;
    const grokx_message *msg;
    gx_jw *jw;
    S_card call;
    /* the step's tool results, each read once: res[i], got[i] as
     * S_card_read returned, used[i] once shown under a call */
    S_card *res;
    size_t res_cap;
    gx_buf got, used;
    /* the step's parsed calls, which the XML repeats: their ids, and each
     * one's id and tool name (records: size_t length, bytes; twice); when
     * first needed, the tool names (S_norm_name) of those no XML id
     * matches; the URLs its results listed */
    const grokx_step *st;
    S_set ids, urls, xml_ids, unclaimed;
    gx_buf parsed, norm;
    int unclaimed_known;
    /* the results by id: 1 + the first one's index as the count of
     * results_by_id, and res_next[i] 1 + the next one's with that id */
    S_set results_by_id;
    size_t *res_next, next_cap;
} S_out;

static int
S_indent(gx_buf *b, unsigned n)
{
    static const char sp[] = "        ";
    return gx_buf_put(b, sp, GX_MIN(n, sizeof sp - 1));
}

static int
S_is_space(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
            return 0;
    return 1;
}

/* s as a code block after a blank line (md_inline.c chooses the fence). */
static int
S_fenced(gx_buf *b, unsigned indent, const char *lang, const char *s, size_t len)
{
    return gx_buf_putc(b, '\n') | gx_md_code_block(b, indent, lang, s, len);
}

static int
S_one_line(const char *s, size_t len)
{
    return len <= S_SPAN_MAX && !memchr(s, '\n', len) && !memchr(s, '\r', len);
}

/* A value: a code span when short and on one line, else (long) 0 and the
 * caller writes a block. */
static int
S_span_value(gx_buf *b, const char *s, size_t len)
{
    return len ? gx_md_code_span(b, s, len) : PUT(b, "`\"\"`");
}

/* Message text (a summary, a decision) as blocks of its own, after its
 * tag's name as a label ("image_generation_card": "Image generation card"). */
static int
S_text_block(S_out *o, const char *label, const char *s, size_t len)
{
    int closed, rc = 0;
    size_t i, n = label ? strlen(label) : 0;
    while (n && strchr("_ \t\n\r", label[0])) /* "* " would start a list */
        label++, n--;
    while (n && strchr("_ \t\n\r", label[n - 1]))
        n--;
    if (n) {
        rc |= PUT(o->b, "*");
        for (i = 0; i < n && !rc; i++) {
            char ch = label[i] == '_' ? ' ' : !i && label[i] >= 'a' && label[i] <= 'z' ? (char)(label[i] - 32) : label[i];
            rc = gx_md_text(o->b, &ch, 1);
        }
        rc |= PUT(o->b, ":*\n\n");
    }
    if (gx_md_has_labels(s, len)) { /* no footnote of a step's text: [^1] is a citation's label */
        gx_md_labels none;
        gx_buf esc;
        int got;
        gx_md_labels_init(&none, o->mem);
        gx_buf_init(&esc, o->mem);
        if ((got = gx_md_labels_rewrite(&esc, s, len, &none, "", NULL, 0)) < 0)
            rc |= got;
        else
            rc |= gx_md_guarded(o->b, got ? esc.ptr : s, got ? esc.len : len, &closed);
        gx_buf_free(&esc);
        gx_md_labels_free(&none);
    } else {
        rc |= gx_md_guarded(o->b, s, len, &closed);
    }
    if (o->b->len && o->b->ptr[o->b->len - 1] != '\n')
        rc |= gx_buf_putc(o->b, '\n');
    return rc | gx_buf_putc(o->b, '\n');
}

/* A card's text as written: one we could not read, or the whole of one
 * holding more than we read. */
static int
S_raw_item(S_out *o, unsigned indent, const char *what, const char *lang, const char *s, size_t len)
{
    int rc = S_indent(o->b, indent) | PUT(o->b, "- ") | PUT(o->b, what) | PUT(o->b, ":\n");
    return rc | S_fenced(o->b, indent + 2, lang, s, len);
}

/* "- [title](<url>)", or the title alone when there is no URL (url NULL
 * or ""); nothing for a hit with neither (an empty item would underline
 * the line above it as a heading). */
static int
S_hit(S_out *o, unsigned indent, const char *text, size_t tlen, const char *url)
{
    int has_url = url && url[0];
    if (!has_url && S_is_space(text, tlen))
        return 0;
    return S_indent(o->b, indent) | PUT(o->b, "- ") |
           (has_url ? gx_md_link(o->b, text, tlen, url) : gx_md_text_lead(o->b, text, tlen)) | gx_buf_putc(o->b, '\n');
}

/* A result's hits, or its value, as sub-items of the call above; then the
 * card as written (raw) when it holds more than that. */
static int
S_result_body(S_out *o, const S_card *r, unsigned indent, int with_id, grokx_str raw)
{
    size_t i, n = S_npairs(r);
    int rc = 0;
    if (n) {
        for (i = 0; i < n && !rc; i++) {
            S_pair p = S_pair_at(r, i);
            S_span text = p.b.len ? p.b : p.a; /* the title, else the URL */
            rc = S_hit(o, indent, S_at(r, text), text.len, p.a.len ? S_at(r, p.a) : NULL);
        }
        return rc || !(r->unmodelled || r->odd_hit) ? rc : S_raw_item(o, indent, "Result as written", "json", raw.ptr, raw.len);
    }
    rc = S_indent(o->b, indent) | PUT(o->b, "- Result");
    if (with_id && r->have_id)
        rc |= PUT(o->b, " of ") | S_span_value(o->b, S_at(r, r->id), r->id.len);
    if (r->have_name)
        rc |= PUT(o->b, " (") | gx_md_text(o->b, S_at(r, r->name), r->name.len) | PUT(o->b, ")");
    if (!r->have_value)
        rc |= gx_buf_putc(o->b, '\n');
    else if (S_one_line(S_at(r, r->value), r->value.len))
        rc |= PUT(o->b, ": ") | S_span_value(o->b, S_at(r, r->value), r->value.len) | gx_buf_putc(o->b, '\n');
    else
        rc |= PUT(o->b, ":\n") | S_fenced(o->b, indent + 2, "", S_at(r, r->value), r->value.len);
    if (!rc && r->unmodelled)
        rc = (r->have_value && !S_one_line(S_at(r, r->value), r->value.len) ? gx_buf_putc(o->b, '\n') : 0) |
             S_raw_item(o, indent + 2, "As written", "json", raw.ptr, raw.len);
    return rc;
}

/* Was a result read into something to show (hits, or a value)? */
static int
S_readable(const S_card *r, int got)
{
    return got > 0 && (S_npairs(r) || r->have_value);
}

/* Every result whose id is id, under the call with that id. */
static int
S_results_for(S_out *o, const grokx_step *st, const char *id, size_t idlen)
{
    size_t i, next;
    int rc = 0;
    if (!idlen || !o->results_by_id.cap || !o->results_by_id.slot[i = S_set_find(&o->results_by_id, id, idlen)])
        return 0;
    for (next = o->results_by_id.count[i]; next && !rc; next = o->res_next[next - 1]) {
        const S_card *r = &o->res[i = next - 1];
        if (o->used.ptr[i])
            continue;
        o->used.ptr[i] = 1;
        rc = S_readable(r, 1) ? S_result_body(o, r, 2, 0, st->tool_results.items[i])
                                      : S_raw_item(o, 2, "Result", "json", st->tool_results.items[i].ptr,
                                                   st->tool_results.items[i].len);
    }
    return rc;
}

/* "- **Name** (intent) · key: `value` …", then long values as blocks, the
 * card as written when it holds more than that (raw: the JSON card; XML
 * is never marked), and the call's results. */
static int
S_call_item(S_out *o, const grokx_step *st, const S_card *c, const grokx_str *raw)
{
    size_t i, n = S_npairs(c), longs = 0;
    int rc = PUT(o->b, "- **") | gx_md_text(o->b, S_at(c, c->name), c->name.len) | PUT(o->b, "**");
    if (c->have_intent && c->intent.len)
        rc |= PUT(o->b, " (") | gx_md_text(o->b, S_at(c, c->intent), c->intent.len) | PUT(o->b, ")");
    for (i = 0; i < n; i++) {
        S_pair p = S_pair_at(c, i);
        if (!S_one_line(S_at(c, p.b), p.b.len)) {
            longs++;
            continue;
        }
        rc |= PUT(o->b, " · ");
        if (p.a.len)
            rc |= gx_md_text(o->b, S_at(c, p.a), p.a.len) | PUT(o->b, ": ");
        rc |= S_span_value(o->b, S_at(c, p.b), p.b.len);
    }
    rc |= gx_buf_putc(o->b, '\n');
    for (i = 0; i < n && longs; i++) {
        S_pair p = S_pair_at(c, i);
        if (S_one_line(S_at(c, p.b), p.b.len))
            continue;
        rc |= PUT(o->b, "\n  ");
        rc |= p.a.len ? gx_md_text(o->b, S_at(c, p.a), p.a.len) : PUT(o->b, "argument");
        rc |= PUT(o->b, ":\n") | S_fenced(o->b, 2, "", S_at(c, p.b), p.b.len);
    }
    if (longs && ((c->have_id && c->id.len) || (c->unmodelled && raw)))
        rc |= gx_buf_putc(o->b, '\n'); /* the sub-list starts anew */
    if (c->unmodelled && raw)
        rc |= S_raw_item(o, 2, "Card as written", "json", raw->ptr, raw->len);
    return rc ? rc : S_results_for(o, st, c->have_id ? S_at(c, c->id) : "", c->have_id ? c->id.len : 0);
}

#define S_CARD_OPEN "<xai:tool_usage_card>"
#define S_CARD_CLOSE "</xai:tool_usage_card>"

/* The card at a (before end): its body [*body, *bend), and *next just
 * past it (end when it is not closed). 1 closed, 0 not. */
static int
S_xml_bounds(const char *a, const char *end, const char **body, const char **bend, const char **next)
{
    const char *z;
    *body = a + strlen(S_CARD_OPEN);
    z = gx_find(*body, (size_t)(end - *body), S_CARD_CLOSE);
    *bend = z ? z : end;
    *next = z ? z + strlen(S_CARD_CLOSE) : end;
    return z != NULL;
}

/* <tag>value</tag> inside a card's body, trimmed (CDATA too, for the
 * arguments): *v, or NULL when the card has no such element. */
static void
S_xml_field(const char *body, const char *bend, int k, const char **v, size_t *vlen)
{
    static const char *const o_tag[3] = {"<xai:tool_usage_card_id>", "<xai:tool_name>", "<xai:tool_args>"};
    static const char *const c_tag[3] = {"</xai:tool_usage_card_id>", "</xai:tool_name>", "</xai:tool_args>"};
    const char *p, *e;
    *v = NULL;
    *vlen = 0;
    if ((p = gx_find(body, (size_t)(bend - body), o_tag[k])) == NULL)
        return;
    p += strlen(o_tag[k]);
    e = gx_find(p, (size_t)(bend - p), c_tag[k]);
    e = e ? e : bend;
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
        e--;
    if (k == 2 && e - p >= 12 && !memcmp(p, "<![CDATA[", 9) && !memcmp(e - 3, "]]>", 3)) {
        p += 9;
        e -= 3;
    }
    *v = p;
    *vlen = (size_t)(e - p);
}

/* A tool's name as both copies spell it: parsed cards say "WebSearch"
 * where the XML says "web_search"; ASCII folded, '_', '-' and ' ' out. */
static int
S_norm_name(gx_buf *b, const char *s, size_t len)
{
    size_t i;
    int rc = 0;
    b->len = 0;
    for (i = 0; i < len && !rc; i++)
        if (s[i] != '_' && s[i] != '-' && s[i] != ' ')
            rc = gx_buf_putc(b, s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i]);
    return rc;
}

/* The parsed calls no XML id matches, by their names' S_norm_name. */
static int
S_find_unclaimed(S_out *o)
{
    size_t i, at = 0;
    for (i = 0; i < o->st->tag_names.count; i++) {
        grokx_str t = o->st->tag_texts.items[i];
        const char *p = t.ptr, *end = t.ptr + t.len, *a, *body, *bend, *id;
        size_t idlen;
        if (strcmp(o->st->tag_names.items[i].ptr, "tool_usage_card"))
            continue;
        while ((a = gx_find(p, (size_t)(end - p), S_CARD_OPEN)) != NULL) {
            S_xml_bounds(a, end, &body, &bend, &p);
            S_xml_field(body, bend, 0, &id, &idlen);
            if (idlen && S_set_add(&o->xml_ids, id, idlen))
                return GROKX_E_NOMEM;
        }
    }
    while (at < o->parsed.len) {
        size_t n[2];
        const char *v[2];
        int k;
        for (k = 0; k < 2; k++) {
            memcpy(&n[k], o->parsed.ptr + at, sizeof n[k]);
            v[k] = o->parsed.ptr + at + sizeof n[k];
            at += sizeof n[k] + n[k];
        }
        if (!n[0] || !S_set_has(&o->xml_ids, v[0], n[0]))
            if (S_norm_name(&o->norm, v[1], n[1]) || S_set_add(&o->unclaimed, o->norm.ptr, o->norm.len))
                return GROKX_E_NOMEM;
    }
    return 0;
}

/* Did a parsed card show this XML call (name: its tool)? Its id says so;
 * else one of the parsed cards no XML id matches is taken for it when it
 * names the same tool (each once). 1 yes, 0 no, or GROKX_E_NOMEM. */
static int
S_parsed_already(S_out *o, const char *id, size_t idlen, const char *name, size_t nlen)
{
    int rc;
    if (idlen && S_set_has(&o->ids, id, idlen))
        return 1;
    if (!o->parsed.len)
        return 0;
    if (!o->unclaimed_known) {
        if ((rc = S_find_unclaimed(o)) != 0)
            return rc;
        o->unclaimed_known = 1;
    }
    if (!o->unclaimed.n)
        return 0;
    return S_norm_name(&o->norm, name, nlen) ? GROKX_E_NOMEM : S_set_take(&o->unclaimed, o->norm.ptr, o->norm.len);
}

/* The <xai:tool_usage_card> element at a (before end) into c: its id, its
 * name and its JSON arguments (CDATA optional; arguments that are not a
 * JSON object are one argument, as written). *next: just past it (or end,
 * when it is not closed: *closed 0). 1 read, 0 it names no tool, 2 a call
 * one of o's parsed cards showed (not read; o NULL: none), or
 * GROKX_E_NOMEM. */
static int
S_xml_card(S_card *c, gx_mem *mem, const char *a, const char *end, const char **next, int *closed, S_out *o)
{
    const char *body, *bend, *f[3];
    size_t fl[3], k;
    int got;
    *closed = S_xml_bounds(a, end, &body, &bend, next);
    for (k = 0; k < 3; k++)
        S_xml_field(body, bend, (int)k, &f[k], &fl[k]);
    if (!f[1] || !fl[1])
        return 0;
    if (o && (got = S_parsed_already(o, f[0], fl[0], f[1], fl[1])) != 0)
        return got < 0 ? got : 2; /* its arguments are not parsed again */
    got = S_card_read(c, S_ARGS, mem, f[2] ? f[2] : "{}", f[2] ? fl[2] : 2);
    if (got < 0)
        return got;
    if (!got) { /* arguments that are not a JSON object: shown as written */
        c->text.len = c->pairs.len = 0;
        S_pair_add(c, S_keep(c, "args", 4), S_keep(c, f[2], fl[2]));
    }
    c->name = S_keep(c, f[1], fl[1]);
    c->have_name = 1;
    if (f[0]) {
        c->id = S_keep(c, f[0], fl[0]);
        c->have_id = 1;
    }
    return c->nomem ? GROKX_E_NOMEM : 1;
}

/* The calls in a tool_usage_card tag, each with its results; XML we do
 * not know is kept as it is. A call a parsed card showed is not repeated. */
static int
S_xml_calls(S_out *o, const grokx_step *st, const char *s, size_t len)
{
    const char *p = s, *end = s + len, *a, *next;
    int rc = 0, any = 0, closed;
    while (!rc && (a = gx_find(p, (size_t)(end - p), S_CARD_OPEN)) != NULL) {
        int got;
        if (!S_is_space(p, (size_t)(a - p)) && (rc = S_raw_item(o, 0, "Tool call", "xml", p, (size_t)(a - p))) != 0)
            return rc; /* text between the calls is kept as written */
        got = S_xml_card(&o->call, o->mem, a, end, &next, &closed, o);
        if (got < 0)
            return got;
        if (got != 2) /* else shown from its parsed card */
            rc = got ? S_call_item(o, st, &o->call, NULL) : S_raw_item(o, 0, "Tool call", "xml", a, (size_t)(next - a));
        any = 1;
        p = next;
    }
    if (!any && !rc)
        rc = S_raw_item(o, 0, "Tool call", "xml", s, len);
    else if (!rc && !S_is_space(p, (size_t)(end - p)))
        rc = S_raw_item(o, 0, "Tool call", "xml", p, (size_t)(end - p));
    return rc;
}

/* Shown already in the message's thinking trace? A short text ("Yes")
 * is found inside any trace's words, so it counts only as a whole line. */
enum { S_TRACE_MATCH_MIN = 24 };
static int
S_in_thinking(const grokx_message *msg, grokx_str t)
{
    const char *tr = msg->thinking.ptr, *end = tr + msg->thinking.len, *p = tr;
    if (!msg->thinking.len || !t.len || strlen(t.ptr) != t.len)
        return 0; /* gx_find reads t up to its NUL: a text holding one is never matched */
    while ((p = gx_find(p, (size_t)(end - p), t.ptr)) != NULL) {
        if (t.len >= S_TRACE_MATCH_MIN ||
            ((p == tr || p[-1] == '\n') && (p + t.len == end || p[t.len] == '\n' || p[t.len] == '\r')))
            return 1;
        p++;
    }
    return 0;
}

/* One step, numbered among those shown; nothing when it holds nothing to
 * show (then *shown stays). */
static int
S_step(S_out *o, const grokx_step *st, size_t *shown)
{
    size_t i, k, start = o->b->len, body;
    size_t unlisted = 0;
    int rc, list = 0, titled;
    const grokx_str *xml = NULL;
    /* the results' ids, to join them to their calls */
    o->got.len = o->used.len = 0;
    S_set_clear(&o->ids);
    S_set_clear(&o->xml_ids);
    S_set_clear(&o->unclaimed);
    o->st = st;
    o->parsed.len = 0;
    o->unclaimed_known = 0;
    S_set_clear(&o->urls);
    S_set_clear(&o->results_by_id);
    if (st->tool_results.count > o->next_cap) {
        size_t cap = GX_MAX(st->tool_results.count, 2 * o->next_cap);
        size_t *next = gx_realloc(o->mem, o->res_next, o->next_cap * sizeof *next, cap * sizeof *next);
        if (!next)
            return GROKX_E_NOMEM;
        o->res_next = next;
        o->next_cap = cap;
    }
    if (st->tool_results.count > o->res_cap) {
        size_t cap = GX_MAX(st->tool_results.count, 2 * o->res_cap);
        S_card *n = gx_realloc(o->mem, o->res, o->res_cap * sizeof *n, cap * sizeof *n);
        if (!n)
            return GROKX_E_NOMEM;
        for (i = o->res_cap; i < cap; i++)
            S_card_init(&n[i], o->mem, o->jw);
        o->res = n;
        o->res_cap = cap;
    }
    for (i = 0; i < st->tool_results.count; i++) {
        int got = S_card_read(&o->res[i], S_RESULT, o->mem, st->tool_results.items[i].ptr, st->tool_results.items[i].len);
        if (got < 0)
            return got;
        if (gx_buf_putc(&o->got, (char)got) || gx_buf_putc(&o->used, 0))
            return GROKX_E_NOMEM;
        for (k = 0; got > 0 && k < S_npairs(&o->res[i]); k++) {
            S_pair p = S_pair_at(&o->res[i], k);
            if (p.a.len && S_set_add(&o->urls, S_at(&o->res[i], p.a), p.a.len))
                return GROKX_E_NOMEM;
        }
    }
    for (i = st->tool_results.count; i-- > 0;) { /* chains in the results' order */
        const S_card *r = &o->res[i];
        size_t at;
        o->res_next[i] = 0;
        if (o->got.ptr[i] <= 0 || !r->have_id || !r->id.len)
            continue;
        if (S_set_put(&o->results_by_id, S_at(r, r->id), r->id.len, &at))
            return GROKX_E_NOMEM;
        o->res_next[i] = o->results_by_id.count[at];
        o->results_by_id.count[at] = i + 1;
    }
    titled = st->header.len && !S_is_space(st->header.ptr, st->header.len) && !S_in_thinking(o->msg, st->header);
    if (titled)
        rc = gx_buf_printf(o->b, "**%zu. ", *shown + 1) | gx_md_text(o->b, st->header.ptr, st->header.len) |
             PUT(o->b, "**\n\n");
    else
        rc = gx_buf_printf(o->b, "**Step %zu**\n\n", *shown + 1);
    body = o->b->len;
    for (i = 0; i < st->tag_names.count && !rc; i++) {
        grokx_str name = st->tag_names.items[i], t = st->tag_texts.items[i];
        if (!strcmp(name.ptr, "header") || S_is_space(t.ptr, t.len))
            continue;
        if (!strcmp(name.ptr, "tool_usage_card")) {
            xml = xml ? xml : &st->tag_texts.items[i];
            continue;
        }
        if (S_in_thinking(o->msg, t))
            continue;
        if (!strcmp(name.ptr, "raw_function_result"))
            rc = PUT(o->b, "*Output:*\n") | S_fenced(o->b, 0, "", t.ptr, t.len) | gx_buf_putc(o->b, '\n');
        else
            rc = S_text_block(o, !strcmp(name.ptr, "summary") ? NULL : name.ptr,
                              t.ptr, t.len);
    }
    /* the calls, each with its results */
    for (i = 0; i < st->tool_cards.count && !rc; i++) {
        int got = S_card_read(&o->call, S_CALL, o->mem, st->tool_cards.items[i].ptr, st->tool_cards.items[i].len);
        if (got < 0)
            return got;
        rc = got && o->call.have_name && o->call.name.len ? S_call_item(o, st, &o->call, &st->tool_cards.items[i])
                                      : S_raw_item(o, 0, "Tool call", "json", st->tool_cards.items[i].ptr,
                                                   st->tool_cards.items[i].len);
        if (!rc && got > 0) { /* shown parsed or raw: the XML repeats it */
            size_t idlen = o->call.have_id ? o->call.id.len : 0, nlen = o->call.have_name ? o->call.name.len : 0;
            if ((idlen && S_set_add(&o->ids, S_at(&o->call, o->call.id), idlen)) ||
                gx_buf_put(&o->parsed, &idlen, sizeof idlen) || gx_buf_put(&o->parsed, S_at(&o->call, o->call.id), idlen) ||
                gx_buf_put(&o->parsed, &nlen, sizeof nlen) || gx_buf_put(&o->parsed, S_at(&o->call, o->call.name), nlen))
                return GROKX_E_NOMEM;
        }
        list = 1;
    }
    for (i = 0; xml && i < st->tag_names.count && !rc; i++)
        if (!strcmp(st->tag_names.items[i].ptr, "tool_usage_card") && !S_is_space(st->tag_texts.items[i].ptr, st->tag_texts.items[i].len)) {
            size_t before = o->b->len;
            rc = S_xml_calls(o, st, st->tag_texts.items[i].ptr, st->tag_texts.items[i].len);
            list |= o->b->len != before;
        }
    /* results no call claimed */
    for (i = 0; i < st->tool_results.count && !rc; i++) {
        const S_card *r = &o->res[i];
        int got = o->got.ptr[i];
        if (o->used.ptr[i])
            continue;
        if (got && S_npairs(r))
            rc = PUT(o->b, "- Results") |
                 (r->have_id && r->id.len ? PUT(o->b, " of ") | S_span_value(o->b, S_at(r, r->id), r->id.len) : 0) |
                 PUT(o->b, ":\n") | S_result_body(o, r, 2, 0, st->tool_results.items[i]);
        else
            rc = S_readable(r, got) ? S_result_body(o, r, 0, 1, st->tool_results.items[i])
                                          : S_raw_item(o, 0, "Result", "json", st->tool_results.items[i].ptr, st->tool_results.items[i].len);
        list = 1;
    }
    /* the step's hits, but those a result listed (the export repeats them) */
    for (i = 0; i < st->web_result_count; i++) {
        const grokx_search_result *w = &st->web_results[i];
        unlisted += (w->url.len || !S_is_space(w->title.ptr, w->title.len)) && !S_set_has(&o->urls, w->url.ptr, w->url.len);
    }
    if (unlisted && !rc) {
        rc = PUT(o->b, "- Web results:\n");
        for (i = 0; i < st->web_result_count && !rc; i++) {
            const grokx_search_result *w = &st->web_results[i];
            if (S_set_has(&o->urls, w->url.ptr, w->url.len))
                continue;
            rc = S_hit(o, 2, w->title.len ? w->title.ptr : w->url.ptr, w->title.len ? w->title.len : w->url.len,
                       w->url.ptr);
        }
        list = 1;
    }
    if (st->xpost_ids.count && !rc) {
        rc = PUT(o->b, "- X posts:");
        for (i = 0; i < st->xpost_ids.count && !rc; i++) {
            grokx_str x = st->xpost_ids.items[i];
            k = 0;
            while (k < x.len && x.ptr[k] >= '0' && x.ptr[k] <= '9')
                k++;
            rc = PUT(o->b, i ? ", " : " ");
            if (x.len && k == x.len && x.len < 40)
                rc |= gx_buf_printf(o->b, "[%s](<https://x.com/i/status/%s>)", x.ptr, x.ptr);
            else
                rc |= S_span_value(o->b, x.ptr, x.len);
        }
        rc |= gx_buf_putc(o->b, '\n');
        list = 1;
    }
    if (rc)
        return rc;
    if (list)
        rc = gx_buf_putc(o->b, '\n');
    if (o->b->len == body && !titled)
        o->b->len = start; /* nothing to show */
    else
        (*shown)++;
    return rc;
}

long
gx_steps_markdown(gx_buf *b, gx_mem *mem, const grokx_message *msg)
{
    S_out o;
    size_t i, shown = 0;
    int rc = 0;
    if (!msg->step_count)
        return 0;
    memset(&o, 0, sizeof o);
    if (!(o.jw = gx_jw_new(mem, 0)))
        return GROKX_E_NOMEM;
    o.b = b;
    o.mem = mem;
    o.msg = msg;
    S_card_init(&o.call, mem, o.jw);
    gx_buf_init(&o.got, mem);
    gx_buf_init(&o.used, mem);
    S_set_init(&o.ids, mem);
    S_set_init(&o.urls, mem);
    S_set_init(&o.xml_ids, mem);
    S_set_init(&o.unclaimed, mem);
    gx_buf_init(&o.parsed, mem);
    gx_buf_init(&o.norm, mem);
    S_set_init(&o.results_by_id, mem);
    for (i = 0; i < msg->step_count && !rc; i++)
        rc = S_step(&o, &msg->steps[i], &shown);
    S_card_free(&o.call);
    for (i = 0; i < o.res_cap; i++)
        S_card_free(&o.res[i]);
    gx_free(mem, o.res, o.res_cap * sizeof *o.res);
    gx_buf_free(&o.got);
    gx_buf_free(&o.used);
    S_set_free(&o.ids);
    S_set_free(&o.urls);
    S_set_free(&o.xml_ids);
    S_set_free(&o.unclaimed);
    gx_buf_free(&o.parsed);
    gx_buf_free(&o.norm);
    S_set_free(&o.results_by_id);
    gx_free(mem, o.res_next, o.next_cap * sizeof *o.res_next);
    gx_jw_free(o.jw);
    return rc ? rc : (long)shown;
}

/* One line for a call inside text: "*Tool call:* **name** · key: `value`".
 * 0 when a value does not fit on one line (the XML then stays). */
static int
S_inline_call(gx_buf *b, const S_card *c, int *fits)
{
    size_t i, n = S_npairs(c);
    int rc;
    *fits = 0;
    for (i = 0; i < n; i++)
        if (!S_one_line(S_at(c, S_pair_at(c, i).b), S_pair_at(c, i).b.len))
            return 0;
    *fits = 1;
    rc = PUT(b, "*Tool call:* **") | gx_md_text(b, S_at(c, c->name), c->name.len) | PUT(b, "**");
    for (i = 0; i < n; i++) {
        S_pair p = S_pair_at(c, i);
        rc |= PUT(b, " · ");
        if (p.a.len)
            rc |= gx_md_text(b, S_at(c, p.a), p.a.len) | PUT(b, ": ");
        rc |= S_span_value(b, S_at(c, p.b), p.b.len);
    }
    return rc;
}

/* Does s end a line, after text (not a blank line)? */
static int
S_ends_line(const char *s, size_t n)
{
    size_t e = n && s[n - 1] == '\n' ? (n >= 2 && s[n - 2] == '\r' ? 2 : 1) : n && s[n - 1] == '\r' ? 1 : 0;
    return e && n > e && s[n - e - 1] != '\n' && s[n - e - 1] != '\r';
}

/* Does s start with one line end and then text (not a blank line)? */
static int
S_line_follows(const char *s, size_t n)
{
    size_t e = n && s[0] == '\r' ? (n >= 2 && s[1] == '\n' ? 2 : 1) : n && s[0] == '\n' ? 1 : 0;
    return e && n > e && s[e] != '\n' && s[e] != '\r';
}

int
gx_steps_inline_calls(gx_buf *out, gx_mem *mem, const char *s, size_t len)
{
    const char *p = s, *end = s + len, *a, *next;
    S_card c;
    gx_jw *jw;
    int rc = 0, any = 0, fenced;
    if (!gx_find(s, len, S_CARD_OPEN))
        return 0;
    /* inside a code fence a blank line would change the code: none added */
    fenced = gx_find(s, len, "```") || gx_find(s, len, "~~~");
    if (!(jw = gx_jw_new(mem, 0)))
        return GROKX_E_NOMEM;
    S_card_init(&c, mem, jw);
    while (!rc && (a = gx_find(p, (size_t)(end - p), S_CARD_OPEN)) != NULL) {
        int closed, got = S_xml_card(&c, mem, a, end, &next, &closed, NULL), fits = 0;
        size_t mark;
        if (got < 0) {
            rc = got;
            break;
        }
        rc = gx_buf_put(out, p, (size_t)(a - p));
        mark = out->len;
        /* a call on a line of its own is a paragraph of its own: lines of
         * one paragraph are read as one line, calls and all */
        if (!rc && !fenced && S_ends_line(out->ptr, out->len))
            rc = gx_buf_putc(out, out->ptr[out->len - 1]); /* a CR after a bare CR: one LF would make them one CR LF */
        if (!rc && got > 0 && closed) /* an unclosed one may hold the trace's text */
            rc = S_inline_call(out, &c, &fits);
        if (!rc && fits && !fenced && S_line_follows(next, (size_t)(end - next)))
            rc = gx_buf_putc(out, '\n');
        if (!rc && !fits) { /* kept as written */
            out->len = mark;
            rc = gx_buf_put(out, a, (size_t)(next - a));
        }
        any |= fits;
        p = next;
    }
    if (!rc)
        rc = gx_buf_put(out, p, (size_t)(end - p));
    S_card_free(&c);
    gx_jw_free(jw);
    return rc ? rc : any;
}
