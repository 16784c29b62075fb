/*
 * schema.c -- the key-path state machine that maps the export's JSON onto
 * the model (export -> conversation -> message).
 *
 * Each open container the export defines has a frame whose kind says what
 * it is (the conversation wrapper, a response, a search result, ...). Keys
 * are looked up in the kind's table, which gives a field and the type of
 * value expected. Unknown keys and their subtrees are skipped by counting
 * depth (nothing is built); values of the wrong type are skipped the same
 * way, with a warning. Items of other top-level sections, and list
 * elements that are objects, are captured as compact JSON.
 *
 * Handlers return 0 or a GROKX_E_* code; json.c converts for yajl.
 *
 * Its state is a gx_schema (parse/schema.h) that the parser handle embeds
 * and json.c hands to every handler. What it builds leaves through the
 * owner's two deliveries (a conversation, ordered here by assemble.c; an
 * item); its warnings go to the user's callback, its errors into the
 * owner's error record. It calls nothing of parser.c.
 */
#include <stdio.h>
#include <string.h>

#include "parse/schema.h"

static const grokx_str S_empty = {"", 0};

/* grokx_message.flags bit for a wrapper without a response: dropped. */
#define GX_MSG_DEAD 0x80000000u

enum kind {
    K_ROOT = 1, K_CONVS, K_CWRAP, K_CONV, K_RESPS, K_RWRAP, K_RESP, K_SHARE,
    K_META, K_REQMETA, K_DATE, K_NUMLONG, K_STRLIST, K_JSONLIST, K_RESULTS,
    K_RESULT, K_AGENTS, K_AGENT, K_STEPS, K_STEP, K_TAGGED, K_SECTION,
    K_FILES, K_FILE, K_END
};
_Static_assert(K_END <= GX_KINDS, "parse/schema.h: GX_KINDS must cover every kind");

enum type { T_NONE, T_STR, T_BOOL, T_TIME, T_OBJ, T_ARR, T_LIST, T_JSONLIST };

/* Field ids fit S_key.field (a byte); gx_frame.seen has a bit per key
 * of the frame's table instead (S_key_bit): 64 field ids were not
 * enough. */
enum field {
    F_NONE,
    F_CONVERSATIONS, F_SECTION,
    F_W_CONVERSATION, F_W_RESPONSES, F_W_RESPONSE, F_W_SHARE,
    F_C_ID, F_C_TITLE, F_C_CREATE, F_C_MODIFY, F_C_STARRED, F_C_TEMPORARY,
    F_C_LEAF, F_C_PROMPT, F_C_SUMMARY, F_C_USER,
    F_R_ID, F_R_PARENT, F_R_SENDER, F_R_MESSAGE, F_R_MODEL, F_R_CREATE,
    F_R_THINKING, F_R_TSTART, F_R_TEND, F_R_AGENTS, F_R_STEPS, F_R_WEB,
    F_R_CITED, F_R_XPOSTS, F_R_WEBPAGES, F_R_GENIMG, F_R_FILES, F_R_CARDS,
    F_R_MEDIA, F_R_EDIT_URI, F_R_QUERY, F_R_QTYPE, F_R_ERROR, F_R_PARTIAL,
    F_R_METADATA, F_SH_ID, F_SH_PUBLIC, F_M_REQUEST, F_RM_RESOLVED,
    F_SR_URL, F_SR_TITLE, F_SR_PREVIEW, F_A_ID, F_A_TEXT,
    F_S_TAGORDER, F_S_TAGGED, F_S_CARDS, F_S_RESULTS, F_S_WEB, F_S_XPOSTS, F_TAG,
    F_D_DATE, F_D_NUMLONG, F_D_SECS, F_D_NANOS,
    F_SR_DESC, F_SR_SITE,
    F_FA_ID, F_FA_ANYID, F_FA_NAME, F_FA_TYPE, /* a file attachment given as an object */
    F_COUNT
};
_Static_assert(F_COUNT <= 256, "S_key.field is a byte");

/* A file attachment as it is read: its id (F_FA_ID's keys, else "id"),
 * name and type; S_msg_end splits the list into the message's parallel
 * lists. drop: an object with none of them (warned, not delivered). */
typedef struct S_file {
    grokx_str id, any_id, name, type;
    int drop;
} S_file;

typedef struct S_key {
    const char *name;
    uint8_t len;
    uint8_t field, type, kind; /* kind: what a T_OBJ/T_ARR value opens */
} S_key;

#define KEY(n, f, t, k) {n, sizeof(n) - 1, f, t, k}
static const S_key S_root[] = {KEY("conversations", F_CONVERSATIONS, T_ARR, K_CONVS)};
static const S_key S_cwrap[] = {
    KEY("conversation", F_W_CONVERSATION, T_OBJ, K_CONV),
    KEY("responses", F_W_RESPONSES, T_ARR, K_RESPS)};
static const S_key S_conv[] = {
    KEY("id", F_C_ID, T_STR, 0), KEY("title", F_C_TITLE, T_STR, 0),
    KEY("create_time", F_C_CREATE, T_TIME, 0), KEY("modify_time", F_C_MODIFY, T_TIME, 0),
    KEY("starred", F_C_STARRED, T_BOOL, 0), KEY("temporary", F_C_TEMPORARY, T_BOOL, 0),
    KEY("leaf_response_id", F_C_LEAF, T_STR, 0),
    KEY("system_prompt_name", F_C_PROMPT, T_STR, 0), KEY("summary", F_C_SUMMARY, T_STR, 0),
    KEY("user_id", F_C_USER, T_STR, 0)};
static const S_key S_rwrap[] = {KEY("response", F_W_RESPONSE, T_OBJ, K_RESP),
                                KEY("share_link", F_W_SHARE, T_OBJ, K_SHARE)};
static const S_key S_resp[] = {
    KEY("_id", F_R_ID, T_STR, 0), KEY("parent_response_id", F_R_PARENT, T_STR, 0),
    KEY("sender", F_R_SENDER, T_STR, 0), KEY("message", F_R_MESSAGE, T_STR, 0),
    KEY("model", F_R_MODEL, T_STR, 0), KEY("create_time", F_R_CREATE, T_TIME, 0),
    KEY("metadata", F_R_METADATA, T_OBJ, K_META),
    KEY("thinking_trace", F_R_THINKING, T_STR, 0),
    KEY("thinking_start_time", F_R_TSTART, T_TIME, 0),
    KEY("thinking_end_time", F_R_TEND, T_TIME, 0),
    KEY("agent_thinking_traces", F_R_AGENTS, T_ARR, K_AGENTS),
    KEY("steps", F_R_STEPS, T_ARR, K_STEPS),
    KEY("web_search_results", F_R_WEB, T_ARR, K_RESULTS),
    KEY("cited_web_search_results", F_R_CITED, T_ARR, K_RESULTS),
    KEY("xpost_ids", F_R_XPOSTS, T_LIST, 0), KEY("webpage_urls", F_R_WEBPAGES, T_LIST, 0),
    KEY("generated_image_urls", F_R_GENIMG, T_LIST, 0),
    KEY("file_attachments", F_R_FILES, T_ARR, K_FILES),
    KEY("card_attachments_json", F_R_CARDS, T_JSONLIST, 0),
    KEY("media_types", F_R_MEDIA, T_LIST, 0), KEY("image_edit_uri", F_R_EDIT_URI, T_STR, 0),
    KEY("query", F_R_QUERY, T_STR, 0), KEY("query_type", F_R_QTYPE, T_STR, 0),
    KEY("error", F_R_ERROR, T_STR, 0), KEY("partial", F_R_PARTIAL, T_BOOL, 0)};
static const S_key S_share[] = {KEY("share_link_id", F_SH_ID, T_STR, 0),
                                KEY("is_public", F_SH_PUBLIC, T_BOOL, 0)};
static const S_key S_meta[] = {KEY("request_metadata", F_M_REQUEST, T_OBJ, K_REQMETA)};
static const S_key S_reqmeta[] = {KEY("resolved_model", F_RM_RESOLVED, T_STR, 0)};
static const S_key S_result[] = {KEY("url", F_SR_URL, T_STR, 0),
                                 KEY("title", F_SR_TITLE, T_STR, 0),
                                 KEY("preview", F_SR_PREVIEW, T_STR, 0),
                                 KEY("description", F_SR_DESC, T_STR, 0),
                                 KEY("site_name", F_SR_SITE, T_STR, 0),
                                 /* as bench/gen-export and some tools write it */
                                 KEY("siteName", F_SR_SITE, T_STR, 0)};
/* The shapes other tools write an attachment object in: the asset's id
 * under one of several names (a bare "id" only when none of them is
 * there), its file name, its MIME type. */
static const S_key S_file_keys[] = {
    KEY("asset_id", F_FA_ID, T_STR, 0), KEY("assetId", F_FA_ID, T_STR, 0),
    KEY("file_id", F_FA_ID, T_STR, 0), KEY("fileId", F_FA_ID, T_STR, 0),
    KEY("id", F_FA_ANYID, T_STR, 0),
    KEY("name", F_FA_NAME, T_STR, 0), KEY("file_name", F_FA_NAME, T_STR, 0),
    KEY("fileName", F_FA_NAME, T_STR, 0), KEY("filename", F_FA_NAME, T_STR, 0),
    KEY("type", F_FA_TYPE, T_STR, 0), KEY("mime_type", F_FA_TYPE, T_STR, 0),
    KEY("mimeType", F_FA_TYPE, T_STR, 0), KEY("content_type", F_FA_TYPE, T_STR, 0),
    KEY("contentType", F_FA_TYPE, T_STR, 0)};
static const S_key S_agent[] = {KEY("agent_id", F_A_ID, T_STR, 0),
                                KEY("thinking_trace", F_A_TEXT, T_STR, 0)};
static const S_key S_step[] = {KEY("tag_order", F_S_TAGORDER, T_LIST, 0),
                               KEY("tagged_text", F_S_TAGGED, T_OBJ, K_TAGGED),
                               KEY("tool_usage_cards", F_S_CARDS, T_JSONLIST, 0),
                               KEY("tool_usage_results", F_S_RESULTS, T_JSONLIST, 0),
                               KEY("web_search_results", F_S_WEB, T_ARR, K_RESULTS),
                               KEY("x_posts_ids", F_S_XPOSTS, T_LIST, 0)};
/* A time as an object: MongoDB's extended JSON ({"$date": ...}, a bare
 * {"$numberLong": ...}), protobuf's {"seconds", "nanos"} and Firestore's
 * {"_seconds", "_nanoseconds"}. */
static const S_key S_date[] = {KEY("$date", F_D_DATE, T_TIME, 0),
                               KEY("$numberLong", F_D_NUMLONG, T_TIME, 0),
                               KEY("seconds", F_D_SECS, T_TIME, 0),
                               KEY("_seconds", F_D_SECS, T_TIME, 0),
                               KEY("nanos", F_D_NANOS, T_TIME, 0),
                               KEY("_nanoseconds", F_D_NANOS, T_TIME, 0)};
static const S_key S_numlong[] = {KEY("$numberLong", F_D_NUMLONG, T_TIME, 0)};
#undef KEY

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* gx_frame.seen has a bit per key of a frame's table, a wrapper's own
 * keys first, then its inner object's. */
_Static_assert(N(S_resp) + N(S_rwrap) <= 64 && N(S_conv) + N(S_cwrap) <= 64 && N(S_file_keys) <= 64 &&
                   N(S_step) <= 64 && N(S_result) <= 64,
               "gx_frame.seen: a table of more than 64 keys");

typedef struct S_table {
    const S_key *keys;
    size_t n;
    const S_key *fallback; /* wrappers also accept their inner object's keys */
    size_t nfallback;
} S_table;

static S_table
S_table_of(int kind)
{
    S_table t = {NULL, 0, NULL, 0};
#define T(a) (t.keys = (a), t.n = N(a))
    switch (kind) {
    case K_ROOT: T(S_root); break;
    case K_CWRAP: T(S_cwrap); t.fallback = S_conv; t.nfallback = N(S_conv); break;
    case K_CONV: T(S_conv); break;
    case K_RWRAP: T(S_rwrap); t.fallback = S_resp; t.nfallback = N(S_resp); break;
    case K_RESP: T(S_resp); break;
    case K_SHARE: T(S_share); break;
    case K_META: T(S_meta); break;
    case K_REQMETA: T(S_reqmeta); break;
    case K_RESULT: T(S_result); break;
    case K_AGENT: T(S_agent); break;
    case K_STEP: T(S_step); break;
    case K_FILE: T(S_file_keys); break;
    case K_DATE: T(S_date); break;
    case K_NUMLONG: T(S_numlong); break;
    default: break;
    }
#undef T
    return t;
}

/* Keys are looked up through a small open-addressing table per kind,
 * built once per parser (gx_schema_init), since lookups run for every key
 * of the export. */
static unsigned
S_key_hash(const char *s, size_t len)
{
    unsigned h = (unsigned)len * 31u;
    if (len)
        h += (unsigned char)s[0] * 7u + (unsigned char)s[len - 1] * 131u + (unsigned char)s[len / 2];
    return h & (GX_KEY_SLOTS - 1);
}

static void
S_index_keys(uint8_t *slots, const S_key *keys, size_t n)
{
    size_t i;
    unsigned h;
    memset(slots, 0, GX_KEY_SLOTS);
    for (i = 0; i < n; i++) {
        for (h = S_key_hash(keys[i].name, keys[i].len); slots[h]; h = (h + 1) & (GX_KEY_SLOTS - 1))
            ;
        slots[h] = (uint8_t)(i + 1);
    }
}

static const S_key *
S_find(const uint8_t *slots, const S_key *keys, const char *s, size_t len)
{
    unsigned h;
    for (h = S_key_hash(s, len); slots[h]; h = (h + 1) & (GX_KEY_SLOTS - 1)) {
        const S_key *k = &keys[slots[h] - 1];
        if (k->len == len && !memcmp(k->name, s, len))
            return k;
    }
    return NULL;
}

static int
S_is_array_kind(int kind)
{
    switch (kind) {
    case K_CONVS: case K_RESPS: case K_STRLIST: case K_JSONLIST: case K_RESULTS:
    case K_AGENTS: case K_STEPS: case K_SECTION: case K_FILES:
        return 1;
    default:
        return 0;
    }
}

static const char *
S_field_name(int field)
{
    static const S_key *const all[] = {S_root, S_cwrap, S_conv, S_rwrap, S_resp, S_share,
                                       S_meta, S_reqmeta, S_result, S_agent, S_step,
                                       S_date, S_numlong, S_file_keys};
    static const size_t counts[] = {N(S_root), N(S_cwrap), N(S_conv), N(S_rwrap),
                                    N(S_resp), N(S_share), N(S_meta), N(S_reqmeta),
                                    N(S_result), N(S_agent), N(S_step), N(S_date),
                                    N(S_numlong), N(S_file_keys)};
    size_t i, k;
    for (i = 0; i < N(all); i++)
        for (k = 0; k < counts[i]; k++)
            if (all[i][k].field == field)
                return all[i][k].name;
    return "value";
}

void
gx_schema_init(gx_schema *sc, gx_mem *mem, const grokx_options *o, grokx_stats *stats,
               grokx_error *err, const gx_schema_owner *owner)
{
    int kind;
    memset(sc, 0, sizeof *sc);
    for (kind = 0; kind < GX_KINDS; kind++) {
        S_table t = S_table_of(kind);
        S_index_keys(sc->key_slots[kind], t.keys, t.n);
    }
    sc->mem = mem;
    sc->err = err;
    sc->stats = stats;
    sc->max_depth = o->max_depth;
    sc->max_conversation = o->max_conversation;
    sc->all_branches = (o->flags & GROKX_OPT_ALL_BRANCHES) != 0;
    sc->warning = o->warning;
    sc->warning_ud = o->warning_ud;
    sc->owner = *owner;
    gx_arena_init(&sc->arena, mem);
    gx_buf_init(&sc->section, mem);
    gx_buf_init(&sc->scratch, mem);
}

void
gx_schema_free(gx_schema *sc)
{
    gx_jw_free(sc->cap);
    gx_arena_free(&sc->arena);
    gx_buf_free(&sc->section);
    gx_buf_free(&sc->scratch);
    gx_free(sc->mem, sc->frames, sc->frames_cap * sizeof *sc->frames);
    sc->cap = NULL;
    sc->frames = NULL;
    sc->frames_cap = sc->nframes = 0;
}

int
gx_schema_is_export(const gx_schema *sc)
{
    return sc->saw_conversations || sc->saw_section;
}

/* ---- frames ---------------------------------------------------------- */

static gx_frame *
S_top(gx_schema *sc)
{
    return sc->nframes ? &sc->frames[sc->nframes - 1] : NULL;
}

static int
S_push(gx_schema *sc, int kind, void *target)
{
    gx_frame *f;
    if (sc->nframes == sc->frames_cap) {
        size_t cap = sc->frames_cap ? sc->frames_cap * 2 : 16;
        gx_frame *nf = gx_realloc(sc->mem, sc->frames, sc->frames_cap * sizeof *nf,
                                  cap * sizeof *nf);
        if (!nf)
            return GROKX_E_NOMEM;
        sc->frames = nf;
        sc->frames_cap = cap;
    }
    f = &sc->frames[sc->nframes++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->target = target;
    return 0;
}

/* ---- warnings -------------------------------------------------------- */

void
gx_schema_where(const gx_schema *sc, char *buf, size_t n)
{
    int k = 0;
    buf[0] = 0;
    if (!sc->in_conv) {
        if (sc->section.len)
            snprintf(buf, n, "in section \"%s\"", sc->section.ptr);
        return;
    }
    k = snprintf(buf, n, "in conversation %zu", sc->conv_index + 1);
    if (k > 0 && (size_t)k < n && sc->conv.id.len)
        k += snprintf(buf + k, n - (size_t)k, " (id %.64s)", sc->conv.id.ptr);
    if (k > 0 && (size_t)k < n && sc->msg) {
        k += snprintf(buf + k, n - (size_t)k, ", response %zu", sc->msg->file_index + 1);
        if (k > 0 && (size_t)k < n && sc->msg->id.len)
            snprintf(buf + k, n - (size_t)k, " (id %.64s)", sc->msg->id.ptr);
    }
}

/* A warning at the current token ("byte N (line L, column C): ..."),
 * handed to the user's callback; counted either way. */
static void
S_warn_token(gx_schema *sc, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void
S_warn_token(gx_schema *sc, int code, const char *fmt, ...)
{
    va_list ap;
    char msg[GROKX_ERROR_TEXT_MAX];
    sc->stats->warnings++;
    if (!sc->warning)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gx_json_error_at(sc->json, &sc->warn, code, 0, "%s", msg);
    sc->warning(sc->warning_ud, &sc->warn);
}

/* A warning prefixed with where the parser is ("in conversation 3 (id
 * c3), response 2: ..."), when it is anywhere in particular. ctx is the
 * schema (the gx_warn_fn shape, so the assembler reports through it). */
static void
S_warn(void *ctx, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void
S_warn(void *ctx, int code, const char *fmt, ...)
{
    gx_schema *sc = ctx;
    char where[200], msg[GROKX_ERROR_TEXT_MAX];
    va_list ap;
    gx_schema_where(sc, where, sizeof where);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    S_warn_token(sc, code, "%s%s%s", where, where[0] ? ": " : "", msg);
}

/* got: what the value is and what became of it, e.g. "a number; ignored". */
static void
S_wrong_type(gx_schema *sc, int field, const char *got)
{
    S_warn(sc, GROKX_W_WRONG_TYPE, "\"%s\" is %s", S_field_name(field), got);
}

/* ---- storing values -------------------------------------------------- */

static int
S_store(gx_schema *sc, const char *s, size_t len, grokx_str *out)
{
    int repaired, rc = gx_arena_str(&sc->arena, s, len, out, &repaired);
    if (rc)
        return rc;
    if (repaired) {
        sc->stats->strings_repaired++;
        S_warn(sc, GROKX_W_UTF8_REPAIRED, "invalid UTF-8 or NUL replaced by U+FFFD");
    }
    return 0;
}

static grokx_str *
S_str_slot(gx_schema *sc, int field)
{
    grokx_message *m = sc->msg;
    grokx_search_result *r = sc->elem;
    grokx_agent_trace *a = sc->elem;
    S_file *fa = sc->elem;
    switch (field) {
    case F_C_ID: return &sc->conv.id;
    case F_C_TITLE: return &sc->conv.title;
    case F_C_LEAF: return &sc->conv.leaf_response_id;
    case F_C_PROMPT: return &sc->conv.system_prompt_name;
    case F_C_SUMMARY: return &sc->conv.summary;
    case F_C_USER: return &sc->conv.user_id;
    case F_R_ID: return &m->id;
    case F_R_PARENT: return &m->parent_id;
    case F_R_SENDER: return &m->sender;
    case F_R_MESSAGE: return &m->text;
    case F_R_MODEL: return &m->model_picker;
    case F_RM_RESOLVED: return &m->model;
    case F_R_THINKING: return &m->thinking;
    case F_R_EDIT_URI: return &m->image_edit_uri;
    case F_R_QUERY: return &m->query;
    case F_R_QTYPE: return &m->query_type;
    case F_R_ERROR: return &m->error;
    case F_SH_ID: return &m->share_link_id;
    case F_SR_URL: return &r->url;
    case F_SR_TITLE: return &r->title;
    case F_SR_PREVIEW: return &r->preview;
    case F_SR_DESC: return &r->description;
    case F_SR_SITE: return &r->site_name;
    case F_FA_ID: return &fa->id;
    case F_FA_ANYID: return &fa->any_id;
    case F_FA_NAME: return &fa->name;
    case F_FA_TYPE: return &fa->type;
    case F_A_ID: return &a->agent_id;
    case F_A_TEXT: return &a->text;
    default: return NULL;
    }
}

/* A time read for field: its milliseconds, and for the times the model
 * keeps finer (conversation create/modify, message create), the rest. */
static void
S_time_store(gx_schema *sc, int field, const gx_time_fine *t)
{
    grokx_conversation *c = &sc->conv;
    grokx_message *m = sc->msg;
    switch (field) {
    case F_C_CREATE:
        c->create_time = t->ms, c->create_ns = t->ns, c->create_digits = t->digits;
        break;
    case F_C_MODIFY:
        c->modify_time = t->ms, c->modify_ns = t->ns, c->modify_digits = t->digits;
        break;
    case F_R_CREATE:
        m->create_time = t->ms, m->create_ns = t->ns, m->create_digits = t->digits;
        break;
    case F_R_TSTART: m->thinking_start = t->ms; break;
    case F_R_TEND: m->thinking_end = t->ms; break;
    default: break;
    }
}

static gx_list *
S_list_slot(gx_schema *sc, int field)
{
    switch (field) {
    case F_R_XPOSTS: return &sc->mlists[GX_L_XPOSTS];
    case F_R_WEBPAGES: return &sc->mlists[GX_L_WEBPAGES];
    case F_R_GENIMG: return &sc->mlists[GX_L_GENIMG];
    case F_R_FILES: return &sc->mlists[GX_L_FILES];
    case F_R_CARDS: return &sc->mlists[GX_L_CARDS];
    case F_R_MEDIA: return &sc->mlists[GX_L_MEDIA];
    case F_R_WEB: return &sc->mlists[GX_L_WEB];
    case F_R_CITED: return &sc->mlists[GX_L_CITED];
    case F_R_AGENTS: return &sc->mlists[GX_L_AGENTS];
    case F_R_STEPS: return &sc->mlists[GX_L_STEPS];
    case F_S_TAGORDER: return &sc->slists[GX_LS_TAGORDER];
    case F_S_CARDS: return &sc->slists[GX_LS_CARDS];
    case F_S_RESULTS: return &sc->slists[GX_LS_RESULTS];
    case F_S_WEB: return &sc->slists[GX_LS_WEB];
    case F_S_XPOSTS: return &sc->slists[GX_LS_XPOSTS];
    default: return NULL;
    }
}

static int
S_push_str(gx_schema *sc, gx_list *l, const char *s, size_t len)
{
    grokx_str *e = gx_list_push(&sc->arena, l, sizeof *e);
    return e ? S_store(sc, s, len, e) : GROKX_E_NOMEM;
}

/* A file attachment, empty, at the end of the message's list. */
static S_file *
S_file_push(gx_schema *sc)
{
    S_file *fa = gx_list_push(&sc->arena, &sc->mlists[GX_L_FILES], sizeof *fa);
    if (fa) {
        fa->id = fa->any_id = fa->name = fa->type = S_empty;
        fa->drop = 0;
    }
    return fa;
}

/* A file attachment given as a scalar: a string is its id (the export's
 * own form), a number's text too (with a warning); anything else is
 * said and ignored, never dropped silently. index: its place in the
 * list from 1 (as S_bad_element counts), 0 for a lone value. */
static int
S_file_scalar(gx_schema *sc, unsigned index, int vtype, const char *s, size_t len)
{
    S_file *fa;
    if (!s)
        return 0; /* null: no attachment */
    if (vtype != T_STR) {
        char what[48] = "\"file_attachments\"";
        if (index)
            snprintf(what, sizeof what, "\"file_attachments\" element %u", index);
        S_warn(sc, GROKX_W_WRONG_TYPE, "%s is %s", what,
               vtype == T_BOOL ? "a boolean; ignored" : "a number, not a string; kept as text");
        if (vtype == T_BOOL)
            return 0;
    }
    if (!(fa = S_file_push(sc)))
        return GROKX_E_NOMEM;
    return S_store(sc, s, len, &fa->id);
}

/* A scalar time: an ISO string, or a number (or numeric string) of
 * seconds, milliseconds, microseconds or nanoseconds, told apart by its
 * magnitude (gx_time_parse_number). */
static void
S_set_time(gx_schema *sc, int field, int vtype, const char *s, size_t len)
{
    gx_time_fine t;
    if (vtype == T_BOOL) {
        S_wrong_type(sc, field, "a boolean, not a time; ignored");
        return;
    }
    if (vtype == T_STR ? gx_time_parse_any(s, len, &t) : gx_time_parse_number(s, len, &t))
        S_warn(sc, GROKX_W_BAD_TIME, "\"%s\" is not a time (%.*s); ignored", S_field_name(field),
               (int)GX_MIN(len, (size_t)40), s);
    else
        S_time_store(sc, field, &t);
}

static int
S_is_time_kind(int kind)
{
    return kind == K_DATE || kind == K_NUMLONG;
}

/* A scalar inside a time object: the time itself ($date, $numberLong), or
 * one of its parts (seconds, nanos), kept until the object closes. */
static void
S_time_obj_scalar(gx_schema *sc, int field, int vtype, const char *s, size_t len)
{
    int64_t v = 0;
    size_t i = len && s[0] == '-';
    int ok = vtype != T_BOOL && i < len && len - i <= 18;
    if (field != F_D_SECS && field != F_D_NANOS) {
        S_set_time(sc, sc->tobj.field, vtype, s, len);
        sc->tobj.warned = 1; /* read or warned: either way said */
        return;
    }
    /* whole seconds or nanoseconds, as a number or a numeric string */
    for (; ok && i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (s[i] - '0');
        else
            ok = 0;
    v = len && s[0] == '-' ? -v : v;
    if (!ok || (field == F_D_NANOS && (v < 0 || v > 999999999))) {
        S_warn(sc, GROKX_W_BAD_TIME, "\"%s\": \"%s\" is not a whole number (%.*s); ignored",
               S_field_name(sc->tobj.field), S_field_name(field), (int)GX_MIN(len, (size_t)40), s);
        sc->tobj.warned = 1;
        return;
    }
    if (field == F_D_SECS)
        sc->tobj.have_s = 1, sc->tobj.s = v;
    else
        sc->tobj.have_n = 1, sc->tobj.n = v;
}

/* A time object closes (f: its frame): an empty one is a warning; the
 * outermost puts seconds and nanos together. */
static void
S_time_obj_end(gx_schema *sc, const gx_frame *f)
{
    gx_time_fine t;
    if (!f->seen && !sc->tobj.warned) {
        S_warn(sc, GROKX_W_BAD_TIME, "\"%s\" is an object without a time in it; ignored",
               S_field_name(sc->tobj.field));
        sc->tobj.warned = 1;
    }
    if (--sc->tobj.depth)
        return;
    if (sc->tobj.have_s) {
        if (gx_time_from_parts(sc->tobj.s, sc->tobj.have_n ? sc->tobj.n : 0,
                               sc->tobj.have_n ? 9 : 0, &t))
            S_warn(sc, GROKX_W_BAD_TIME, "\"%s\": seconds %lld are out of range; ignored",
                   S_field_name(sc->tobj.field), (long long)sc->tobj.s);
        else
            S_time_store(sc, sc->tobj.field, &t);
    } else if (sc->tobj.have_n && !sc->tobj.warned) {
        S_warn(sc, GROKX_W_BAD_TIME, "\"%s\" has nanos but no seconds; ignored",
               S_field_name(sc->tobj.field));
    }
}

/* vtype: T_STR for a string, T_NONE for a number, T_BOOL for a boolean
 * (s = "true"/"false"). */
static int
S_scalar_field(gx_schema *sc, gx_frame *f, int vtype, const char *s, size_t len)
{
    int field = f->field;
    grokx_str *slot;
    if (field == F_R_FILES) /* one attachment where a list was expected */
        return S_file_scalar(sc, 0, vtype, s, len);
    switch (f->type) {
    case T_STR:
        if (!(slot = S_str_slot(sc, field)))
            return 0;
        if (vtype != T_STR)
            S_wrong_type(sc, field, vtype == T_BOOL ? "a boolean, not a string; ignored"
                                                    : "a number, not a string; kept as text");
        if (vtype == T_BOOL)
            return 0;
        return S_store(sc, s, len, slot);
    case T_TIME:
        if (S_is_time_kind(f->kind))
            S_time_obj_scalar(sc, field, vtype, s, len);
        else
            S_set_time(sc, field, vtype, s, len);
        return 0;
    case T_BOOL:
        if (vtype != T_BOOL) {
            S_wrong_type(sc, field, "not a boolean; ignored");
            return 0;
        }
        if (field == F_C_STARRED)
            sc->conv.starred = s[0] == 't';
        else if (field == F_C_TEMPORARY)
            sc->conv.temporary = s[0] == 't';
        else if (field == F_R_PARTIAL && s[0] == 't')
            sc->msg->flags |= GROKX_MSG_PARTIAL;
        else if (field == F_SH_PUBLIC && s[0] == 't')
            sc->msg->flags |= GROKX_MSG_SHARED_PUBLIC;
        return 0;
    case T_LIST:
    case T_JSONLIST: /* a lone string where a list was expected */
        if (vtype != T_STR) {
            S_wrong_type(sc, field, "not a list; ignored");
            return 0;
        }
        return S_push_str(sc, S_list_slot(sc, field), s, len);
    default:
        /* a wrapper whose "response" is a scalar: S_msg_end reports it */
        if (field != F_W_RESPONSE)
            S_wrong_type(sc, field, vtype == T_STR ? "a string; ignored" : "a scalar; ignored");
        return 0;
    }
}

/* ---- captures (compact JSON copies of a subtree) --------------------- */

static int
S_cap_str(gx_schema *sc, const char *s, size_t len)
{
    size_t bad, n = gx_utf8_repaired_len(s, len, &bad);
    int rc;
    if (!bad)
        return gx_jw_str(sc->cap, s, len);
    sc->scratch.len = 0;
    if ((rc = gx_buf_reserve(&sc->scratch, n)) != 0)
        return rc;
    gx_utf8_repair(sc->scratch.ptr, s, len);
    sc->scratch.len = n;
    sc->stats->strings_repaired++;
    return gx_jw_str(sc->cap, sc->scratch.ptr, n);
}

static int
S_cap_begin(gx_schema *sc, int purpose, gx_list *list)
{
    if (!sc->cap && !(sc->cap = gx_jw_new(sc->mem, 0)))
        return GROKX_E_NOMEM;
    gx_jw_reset(sc->cap);
    sc->cap_for = purpose;
    sc->cap_list = list;
    sc->cap_depth = 0;
    sc->cap_overflow = 0;
    sc->cap_key = 0;
    return 0;
}

static int
S_item_begin(gx_schema *sc, size_t index)
{
    memset(&sc->item, 0, sizeof sc->item);
    sc->item.section.ptr = sc->section.ptr;
    sc->item.section.len = sc->section.len;
    sc->item.index = index;
    sc->item.id = sc->item.name = sc->item.json = S_empty;
    sc->item.create_time = GROKX_TIME_NONE;
    return S_cap_begin(sc, GX_CAP_ITEM, NULL);
}

/* An item's create_time in another form than ISO (a media post's, a
 * project's): read from the item's JSON with the rules a conversation's
 * time follows ($date, $numberLong, {seconds, nanos}, a number by its
 * magnitude). The item was captured whole, so it is walked once more. */
typedef struct S_itime {
    unsigned depth, in_depth;
    int key_time, sub, found, null, bad, have_t, have_s, have_n;
    int64_t s, n;
    gx_time_fine t;
} S_itime;

static int
S_itime_scalar(S_itime *it, const char *s, size_t len, int str)
{
    gx_time_fine t;
    int64_t v = 0;
    size_t i = 0;
    if (it->depth == 1 && it->key_time) {
        it->key_time = 0, it->found = 1;
        if (str ? gx_time_parse_any(s, len, &t) : gx_time_parse_number(s, len, &t))
            it->bad = 1;
        else
            it->t = t, it->have_t = 1;
    } else if (it->in_depth && it->sub == 1) {
        if (str ? gx_time_parse_any(s, len, &t) : gx_time_parse_number(s, len, &t))
            it->bad = 1;
        else
            it->t = t, it->have_t = 1;
    } else if (it->in_depth && (it->sub == 2 || it->sub == 3)) {
        for (; i < len && i < 18 && s[i] >= '0' && s[i] <= '9'; i++)
            v = v * 10 + (s[i] - '0');
        if (!len || i != len)
            it->bad = 1;
        else if (it->sub == 2)
            it->s = v, it->have_s = 1;
        else
            it->n = v, it->have_n = 1;
    }
    return 0;
}

static int
S_itime_string(void *ctx, const char *s, size_t len)
{
    return S_itime_scalar(ctx, s, len, 1);
}

static int
S_itime_number(void *ctx, const char *s, size_t len)
{
    return S_itime_scalar(ctx, s, len, 0);
}

static int
S_itime_null(void *ctx)
{
    S_itime *it = ctx;
    if (it->depth == 1 && it->key_time)
        it->key_time = 0, it->found = it->null = 1; /* absent */
    return 0;
}

static int
S_itime_bool(void *ctx, int v)
{
    S_itime *it = ctx;
    (void)v;
    if (it->depth == 1 && it->key_time)
        it->key_time = 0, it->found = it->bad = 1;
    return 0;
}

static int
S_itime_key(void *ctx, const char *s, size_t len)
{
    static const char *const date[] = {"$date", "$numberLong"}, *const secs[] = {"seconds", "_seconds"},
                             *const nanos[] = {"nanos", "_nanoseconds"};
    S_itime *it = ctx;
    size_t i;
    if (it->depth == 1) {
        it->key_time = len == 11 && !memcmp(s, "create_time", 11);
        return 0;
    }
    it->sub = 0;
    for (i = 0; i < 2; i++) {
        if (strlen(date[i]) == len && !memcmp(s, date[i], len))
            it->sub = 1;
        if (strlen(secs[i]) == len && !memcmp(s, secs[i], len))
            it->sub = 2;
        if (strlen(nanos[i]) == len && !memcmp(s, nanos[i], len))
            it->sub = 3;
    }
    return 0;
}

static int
S_itime_open(void *ctx)
{
    S_itime *it = ctx;
    it->depth++;
    if (it->depth == 2 && it->key_time)
        it->key_time = 0, it->found = 1, it->in_depth = 2;
    return 0;
}

static int
S_itime_close(void *ctx)
{
    S_itime *it = ctx;
    if (it->in_depth && it->depth == it->in_depth)
        it->in_depth = 0;
    it->depth--;
    return 0;
}

static int
S_itime_array(void *ctx)
{
    S_itime *it = ctx;
    if (it->depth == 1 && it->key_time)
        it->key_time = 0, it->found = it->bad = 1;
    it->depth++;
    return 0;
}

static int
S_itime_array_end(void *ctx)
{
    ((S_itime *)ctx)->depth--;
    return 0;
}

static void
S_item_time(gx_schema *sc)
{
    static const gx_json_events ev = {S_itime_null, S_itime_bool, S_itime_number, S_itime_string,
                                      S_itime_key, S_itime_open, S_itime_close, S_itime_array,
                                      S_itime_array_end, NULL};
    S_itime it;
    gx_time_fine t;
    memset(&it, 0, sizeof it);
    if (!strstr(sc->item.json.ptr, "\"create_time\"") ||
        gx_json_walk(sc->item.json.ptr, sc->item.json.len, 64, &ev, &it, sc->mem) != 0)
        return;
    if (it.have_t)
        sc->item.create_time = it.t.ms;
    else if (it.have_s && !gx_time_from_parts(it.s, it.have_n ? it.n : 0, it.have_n ? 9 : 0, &t))
        sc->item.create_time = t.ms;
    else if (it.found && !it.null)
        S_warn(sc, GROKX_W_BAD_TIME, "%.*s item %zu: \"create_time\" is not a time; ignored",
               (int)GX_MIN(sc->item.section.len, (size_t)40), sc->item.section.ptr, sc->item.index);
}

/* An item is complete: to the owner. Its arena is reset after, unless
 * a conversation is being built in it. */
static int
S_item_deliver(gx_schema *sc)
{
    int rc;
    if (sc->item.create_time == GROKX_TIME_NONE)
        S_item_time(sc);
    rc = sc->owner.item(sc->owner.ctx, &sc->item);
    if (!sc->in_conv)
        gx_arena_reset(&sc->arena);
    return rc;
}

/* The capture is complete: hand it to its owner. */
static int
S_cap_end(gx_schema *sc)
{
    size_t len;
    const char *text = gx_jw_text(sc->cap, &len);
    int rc;
    if (sc->cap_overflow == 2) { /* too deep: S_too_deep warned */
        rc = 0;
    } else if (sc->cap_overflow) {
        S_warn(sc, GROKX_W_ITEM_SKIPPED, "an item larger than max_conversation was skipped");
        rc = 0;
    } else if (sc->cap_for == GX_CAP_LIST) {
        grokx_str *e = gx_list_push(&sc->arena, sc->cap_list, sizeof *e);
        rc = e ? S_store(sc, text, len, e) : GROKX_E_NOMEM;
    } else {
        rc = S_store(sc, text, len, &sc->item.json);
        if (!rc)
            rc = S_item_deliver(sc);
    }
    sc->cap_for = 0;
    return rc;
}

static int
S_cap_check(gx_schema *sc)
{
    size_t len;
    gx_jw_text(sc->cap, &len);
    if (len > sc->max_conversation)
        sc->cap_overflow = 1;
    return 0;
}

/* Item fields worth lifting out of the JSON (at the item's top level). */
static void
S_cap_key(gx_schema *sc, const char *s, size_t len)
{
    static const struct { const char *k; int which; } keys[] = {
        {"id", 1}, {"workspace_id", 1}, {"name", 2}, {"title", 2},
        {"original_prompt", 2}, {"create_time", 3}};
    size_t i;
    sc->cap_key = 0;
    if (sc->cap_for != GX_CAP_ITEM || sc->cap_depth != 1)
        return;
    for (i = 0; i < N(keys); i++)
        if (strlen(keys[i].k) == len && !memcmp(keys[i].k, s, len))
            sc->cap_key = keys[i].which;
}

static int
S_cap_item_value(gx_schema *sc, int vtype, const char *s, size_t len)
{
    int which = sc->cap_key;
    sc->cap_key = 0;
    if (sc->cap_for != GX_CAP_ITEM || sc->cap_depth != 1 || vtype != T_STR)
        return 0;
    if (which == 1 && !sc->item.id.len)
        return S_store(sc, s, len, &sc->item.id);
    if (which == 2 && !sc->item.name.len)
        return S_store(sc, s, len, &sc->item.name);
    if (which == 3)
        gx_time_parse_iso(s, len, &sc->item.create_time);
    return 0;
}

/* One event inside a capture. ev: 0 scalar, 1 open map, 2 open array,
 * 3 close map, 4 close array, 5 key. */
enum { CE_SCALAR, CE_MAP, CE_ARRAY, CE_END_MAP, CE_END_ARRAY, CE_KEY };

static int
S_cap_write(gx_schema *sc, int ev, int vtype, const char *s, size_t len)
{
    int rc;
    switch (ev) {
    case CE_SCALAR:
        if ((rc = S_cap_item_value(sc, vtype, s, len)) != 0)
            return rc;
        if (vtype == T_STR)
            return S_cap_str(sc, s, len);
        if (vtype == T_BOOL)
            return gx_jw_bool(sc->cap, s[0] == 't');
        return s ? gx_jw_number_text(sc->cap, s, len) : gx_jw_null(sc->cap);
    case CE_MAP:
        return gx_jw_begin_map(sc->cap);
    case CE_ARRAY:
        return gx_jw_begin_array(sc->cap);
    case CE_END_MAP:
        return gx_jw_end_map(sc->cap);
    case CE_END_ARRAY:
        return gx_jw_end_array(sc->cap);
    default:
        S_cap_key(sc, s, len);
        return S_cap_str(sc, s, len);
    }
}

static int
S_cap_event(gx_schema *sc, int ev, int vtype, const char *s, size_t len)
{
    int opens = ev == CE_MAP || ev == CE_ARRAY, closes = ev == CE_END_MAP || ev == CE_END_ARRAY;
    int rc = 0;
    if (opens)
        sc->cap_key = 0;
    if (!sc->cap_overflow) { /* past the cap only the depth is tracked */
        rc = S_cap_write(sc, ev, vtype, s, len);
        if (!rc)
            S_cap_check(sc);
    }
    if (rc)
        return rc == GROKX_E_INVALID ? GROKX_E_NOMEM : rc;
    sc->cap_depth += opens;
    sc->cap_depth -= closes;
    return sc->cap_depth == 0 ? S_cap_end(sc) : 0;
}

/* A whole item that is one scalar. */
static int
S_item_scalar(gx_schema *sc, size_t index, int vtype, const char *s, size_t len)
{
    int rc = S_item_begin(sc, index);
    if (rc)
        return rc;
    sc->cap_depth = 1; /* S_cap_event's count: the scalar closes the capture */
    rc = S_cap_write(sc, CE_SCALAR, vtype, s, len);
    if (rc)
        return rc == GROKX_E_INVALID ? GROKX_E_NOMEM : rc;
    sc->cap_depth = 0;
    return S_cap_end(sc);
}

/* ---- conversations and messages ------------------------------------- */

static void
S_conv_begin(gx_schema *sc)
{
    grokx_conversation *c = &sc->conv;
    memset(c, 0, sizeof *c);
    c->id = c->title = c->leaf_response_id = S_empty;
    c->system_prompt_name = c->summary = c->user_id = S_empty;
    c->create_time = c->modify_time = GROKX_TIME_NONE;
    c->index = sc->conv_index;
    memset(&sc->msgs, 0, sizeof sc->msgs);
    sc->msg = NULL;
    sc->resp_index = 0;
    sc->in_conv = 1;
    sc->conv_skip = 0;
    sc->foreign = 0;
    {
        uint64_t line, col;
        gx_json_pos(sc->json, &c->byte_offset, &line, &col);
    }
}

static int
S_msg_begin(gx_schema *sc)
{
    grokx_message *m = gx_list_push(&sc->arena, &sc->msgs, sizeof *m);
    if (!m)
        return GROKX_E_NOMEM;
    m->id = m->parent_id = m->sender = m->text = m->model = m->model_picker = S_empty;
    m->thinking = m->image_edit_uri = m->query = m->query_type = m->error = S_empty;
    m->share_link_id = S_empty;
    m->create_time = m->thinking_start = m->thinking_end = GROKX_TIME_NONE;
    m->file_index = sc->resp_index++;
    m->parent = -1;
    memset(sc->mlists, 0, sizeof sc->mlists);
    sc->msg = m;
    sc->msg_body = 0;
    return 0;
}

static grokx_strlist
S_strlist(gx_schema *sc, gx_list *l, int *err)
{
    grokx_strlist out;
    out.count = l->count;
    out.items = gx_list_array(&sc->arena, l, sizeof(grokx_str), err);
    return out;
}

/* Whether sender is word, in any case. */
static int
S_sender_is(grokx_str sender, const char *word)
{
    size_t k;
    if (strlen(word) != sender.len)
        return 0;
    for (k = 0; k < sender.len; k++)
        if ((sender.ptr[k] | 0x20) != word[k])
            return 0;
    return 1;
}

/* "human" or "user" -> USER; "system" -> SYSTEM; anything else is Grok
 * (assistant, ASSISTANT, grok-3, model: real exports write all of these). */
static grokx_role
S_role(grokx_str sender)
{
    if (S_sender_is(sender, "human") || S_sender_is(sender, "user"))
        return GROKX_ROLE_USER;
    if (S_sender_is(sender, "system"))
        return GROKX_ROLE_SYSTEM;
    return GROKX_ROLE_ASSISTANT;
}

/* The attachments read (S_file) as the message's three parallel lists. */
static int
S_msg_files(gx_schema *sc, grokx_message *m)
{
    gx_list *l = &sc->mlists[GX_L_FILES];
    size_t n = l->count, i, k = 0;
    int err = 0;
    S_file *fa = gx_list_array(&sc->arena, l, sizeof *fa, &err);
    grokx_str *ids, *names, *types;
    if (err || !n)
        return err;
    ids = gx_arena_alloc(&sc->arena, n * sizeof *ids);
    names = gx_arena_alloc(&sc->arena, n * sizeof *names);
    types = gx_arena_alloc(&sc->arena, n * sizeof *types);
    if (!ids || !names || !types)
        return GROKX_E_NOMEM;
    for (i = 0; i < n; i++)
        if (!fa[i].drop) {
            ids[k] = fa[i].id;
            names[k] = fa[i].name;
            types[k++] = fa[i].type;
        }
    m->file_attachments.items = ids;
    m->file_names.items = names;
    m->file_types.items = types;
    m->file_attachments.count = m->file_names.count = m->file_types.count = k;
    return 0;
}

static int
S_msg_end(gx_schema *sc)
{
    grokx_message *m = sc->msg;
    gx_list *L = sc->mlists;
    int e[12] = {0}, i;
    sc->msg = NULL;
    if (!sc->msg_body) {
        m->flags |= GX_MSG_DEAD;
        S_warn(sc, GROKX_W_ITEM_SKIPPED, "response %zu has no response object; skipped",
               m->file_index + 1);
        return 0;
    }
    m->role = S_role(m->sender);
    if (!m->model.len)
        m->model = m->model_picker;
    m->xpost_ids = S_strlist(sc, &L[GX_L_XPOSTS], &e[0]);
    m->webpage_urls = S_strlist(sc, &L[GX_L_WEBPAGES], &e[1]);
    m->generated_image_urls = S_strlist(sc, &L[GX_L_GENIMG], &e[2]);
    e[3] = S_msg_files(sc, m);
    m->card_attachments = S_strlist(sc, &L[GX_L_CARDS], &e[4]);
    m->media_types = S_strlist(sc, &L[GX_L_MEDIA], &e[5]);
    m->web_result_count = L[GX_L_WEB].count;
    m->web_results = gx_list_array(&sc->arena, &L[GX_L_WEB], sizeof *m->web_results, &e[6]);
    m->cited_result_count = L[GX_L_CITED].count;
    m->cited_results =
        gx_list_array(&sc->arena, &L[GX_L_CITED], sizeof *m->cited_results, &e[7]);
    m->agent_trace_count = L[GX_L_AGENTS].count;
    m->agent_traces =
        gx_list_array(&sc->arena, &L[GX_L_AGENTS], sizeof *m->agent_traces, &e[8]);
    m->step_count = L[GX_L_STEPS].count;
    m->steps = gx_list_array(&sc->arena, &L[GX_L_STEPS], sizeof *m->steps, &e[9]);
    for (i = 0; i < 12; i++)
        if (e[i])
            return e[i];
    return 0;
}

static int
S_step_begin(gx_schema *sc)
{
    grokx_step *s = gx_list_push(&sc->arena, &sc->mlists[GX_L_STEPS], sizeof *s);
    if (!s)
        return GROKX_E_NOMEM;
    s->header = s->summary = S_empty;
    memset(sc->slists, 0, sizeof sc->slists);
    sc->step = s;
    return 0;
}

/* tagged_text entries: those named in tag_order first, then the rest in
 * file order, so nothing is dropped. */
static int
S_step_end(gx_schema *sc)
{
    grokx_step *s = sc->step;
    gx_list *L = sc->slists;
    int e[7] = {0};
    grokx_strlist order = S_strlist(sc, &L[GX_LS_TAGORDER], &e[0]);
    grokx_strlist names = S_strlist(sc, &L[GX_LS_TAGNAMES], &e[1]);
    grokx_strlist texts = S_strlist(sc, &L[GX_LS_TAGTEXTS], &e[2]);
    size_t n = names.count, i, k, out = 0;
    grokx_str *on = NULL, *ot = NULL;
    unsigned char *used = NULL;
    sc->step = NULL;
    s->tool_cards = S_strlist(sc, &L[GX_LS_CARDS], &e[3]);
    s->tool_results = S_strlist(sc, &L[GX_LS_RESULTS], &e[4]);
    s->xpost_ids = S_strlist(sc, &L[GX_LS_XPOSTS], &e[5]);
    s->web_result_count = L[GX_LS_WEB].count;
    s->web_results = gx_list_array(&sc->arena, &L[GX_LS_WEB], sizeof *s->web_results, &e[6]);
    if (e[0] || e[1] || e[2] || e[3] || e[4] || e[5] || e[6])
        return GROKX_E_NOMEM;
    if (!n)
        return 0;
    on = gx_arena_alloc(&sc->arena, n * sizeof *on);
    ot = gx_arena_alloc(&sc->arena, n * sizeof *ot);
    used = gx_arena_alloc(&sc->arena, n);
    if (!on || !ot || !used)
        return GROKX_E_NOMEM;
    for (i = 0; i < order.count; i++)
        for (k = 0; k < n; k++)
            if (!used[k] && names.items[k].len == order.items[i].len &&
                !memcmp(names.items[k].ptr, order.items[i].ptr, order.items[i].len)) {
                used[k] = 1;
                on[out] = names.items[k];
                ot[out++] = texts.items[k];
                break;
            }
    for (k = 0; k < n; k++)
        if (!used[k]) {
            on[out] = names.items[k];
            ot[out++] = texts.items[k];
        }
    s->tag_names.items = on;
    s->tag_texts.items = ot;
    s->tag_names.count = s->tag_texts.count = n;
    return 0;
}

static int
S_tagged_text(gx_schema *sc, int vtype, const char *s, size_t len)
{
    grokx_str *name, *text;
    if (!s)
        return 0; /* null: no text */
    if (vtype != T_STR) {
        S_wrong_type(sc, F_S_TAGGED, "not a string; ignored");
        return 0;
    }
    name = gx_list_push(&sc->arena, &sc->slists[GX_LS_TAGNAMES], sizeof *name);
    text = gx_list_push(&sc->arena, &sc->slists[GX_LS_TAGTEXTS], sizeof *text);
    if (!name || !text)
        return GROKX_E_NOMEM;
    *name = sc->tag_name;
    if (S_store(sc, s, len, text))
        return GROKX_E_NOMEM;
    if (name->len == 6 && !memcmp(name->ptr, "header", 6))
        sc->step->header = *text;
    else if (name->len == 7 && !memcmp(name->ptr, "summary", 7))
        sc->step->summary = *text;
    return 0;
}

static void
S_conv_oversize(gx_schema *sc)
{
    size_t above = 0;
    /* drop what was built and skip to the end of the wrapper */
    while (sc->nframes && S_top(sc)->kind != K_CWRAP) {
        sc->nframes--;
        above++;
    }
    sc->skip += (unsigned)above;
    sc->conv_skip = 1;
    sc->msg = NULL;
    sc->step = NULL;
    sc->elem = NULL;
    sc->cap_for = 0;
    memset(&sc->msgs, 0, sizeof sc->msgs);
    sc->conv.id = sc->conv.title = S_empty;
    gx_arena_reset(&sc->arena);
}

/* Keys of other apps' chat exports where a conversation's belong: what
 * they say about the file when no response came with them. */
static const struct {
    const char *key;
    const char *said; /* "conversations[N] <said> but no responses: <why>" */
    const char *why;
} S_foreign[] = {
    {"messages", "has messages[]", "this is not xAI's export format"},
    {"mapping", "has a mapping", "this looks like ChatGPT's export, not xAI's"},
    {"chat_messages", "has chat_messages[]", "this looks like Claude's export, not xAI's"},
    {"turns", "has turns[]", "this is not xAI's export format"},
};

static void
S_foreign_key(gx_schema *sc, const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < N(S_foreign); i++)
        if (strlen(S_foreign[i].key) == len && !memcmp(S_foreign[i].key, s, len))
            sc->foreign |= 1u << i;
}

/* A conversation gave no message. Nothing to give (no responses, or an
 * empty list) is fine. Entries that gave none, or another app's keys in
 * their place, warn (GROKX_W_NO_MESSAGES) and flag it; when no
 * conversation before it had responses either, the file is another app's:
 * GROKX_E_SCHEMA at once (a 5 GB file fails at its first conversation). */
static int
S_no_messages(gx_schema *sc)
{
    size_t i = 0;
    if (!sc->foreign && !sc->resp_index)
        return 0;
    while (sc->foreign && !(sc->foreign & (1u << i)))
        i++;
    if (sc->foreign && !sc->resp_index && !sc->saw_responses) {
        gx_json_error_at(sc->json, sc->err, GROKX_E_SCHEMA, 0,
                         "not a Grok export: conversations[%zu] %s but no responses: %s",
                         sc->conv_index, S_foreign[i].said, S_foreign[i].why);
        return GROKX_E_SCHEMA;
    }
    sc->conv.flags |= GROKX_CONV_NO_MESSAGES;
    if (sc->resp_index)
        S_warn(sc, GROKX_W_NO_MESSAGES, "none of its %zu responses entries gave a message",
               sc->resp_index);
    else
        S_warn(sc, GROKX_W_NO_MESSAGES, "it %s but no responses: no message read (%s)",
               S_foreign[i].said, S_foreign[i].why);
    return 0;
}

/* A conversation is complete: its messages (wrappers without a response
 * dropped) in order (assemble.c), to the owner. */
static int
S_conv_deliver(gx_schema *sc)
{
    grokx_conversation *c = &sc->conv;
    grokx_message *all, *live, *ordered = NULL;
    size_t n = sc->msgs.count, i, k = 0, out_n = 0;
    int err = 0, rc;
    all = gx_list_array(&sc->arena, &sc->msgs, sizeof *all, &err);
    if (err)
        return err;
    for (i = 0, live = all; i < n; i++) /* drop wrappers without a response */
        if (!(all[i].flags & GX_MSG_DEAD))
            live[k++] = all[i];
    if (!k && (rc = S_no_messages(sc)) != 0)
        return rc;
    sc->saw_responses |= sc->resp_index > 0;
    if (!c->id.len) {
        char where[64];
        snprintf(where, sizeof where, "conversation %zu", sc->conv_index + 1);
        S_warn_token(sc, GROKX_W_MISSING_ID, "%s has no id", where);
    }
    rc = gx_assemble(&sc->arena, live, k, c->leaf_response_id, sc->all_branches, S_warn, sc,
                     &ordered, &out_n, &c->fork_count);
    if (rc)
        return rc;
    c->messages = ordered;
    c->message_count = out_n;
    c->node_count = k;
    if ((rc = gx_conv_fallbacks(&sc->arena, c, live, k)) != 0)
        return rc;
    return sc->owner.conversation(sc->owner.ctx, c);
}

static int
S_conv_end(gx_schema *sc)
{
    int rc = 0;
    if (sc->conv_skip) {
        char where[120];
        sc->stats->conversations_skipped++;
        snprintf(where, sizeof where, "conversation %zu", sc->conv_index + 1);
        S_warn_token(sc, GROKX_W_CONVERSATION_TOO_LARGE,
                       "%s: larger than max_conversation (%zu bytes); skipped", where,
                       sc->max_conversation);
    } else {
        rc = S_conv_deliver(sc);
    }
    sc->in_conv = 0;
    sc->conv_index++;
    gx_arena_reset(&sc->arena);
    return rc;
}

/* ---- event handlers -------------------------------------------------- */

static int
S_after_store(gx_schema *sc)
{
    if (sc->in_conv && !sc->conv_skip && sc->arena.used > sc->max_conversation)
        S_conv_oversize(sc);
    return 0;
}

/* An element of conversations[] or responses[] that is not an object. */
static void
S_bad_element(gx_schema *sc, gx_frame *f, const char *what)
{
    if (f->kind == K_RESPS)
        sc->resp_index++;
    S_warn(sc, GROKX_W_ITEM_SKIPPED, "%s element %u is %s, not an object; skipped",
           f->kind == K_CONVS ? "conversations" : "responses", f->index, what);
}

static int
S_array_scalar(gx_schema *sc, gx_frame *f, int vtype, const char *s, size_t len)
{
    f->index++;
    switch (f->kind) {
    case K_CONVS:
    case K_RESPS:
        S_bad_element(sc, f, vtype == T_STR ? "a string" : s ? "a scalar" : "null");
        return 0;
    case K_STRLIST:
    case K_JSONLIST:
        if (vtype == T_STR || (s && f->kind == K_JSONLIST))
            return S_push_str(sc, f->target, s, len);
        return 0; /* null elements carry nothing */
    case K_AGENTS:
        if (vtype == T_STR) {
            grokx_agent_trace *a = gx_list_push(&sc->arena, f->target, sizeof *a);
            if (!a)
                return GROKX_E_NOMEM;
            a->agent_id = S_empty;
            return S_store(sc, s, len, &a->text);
        }
        return 0;
    case K_SECTION:
        return S_item_scalar(sc, f->index - 1, vtype, s, len);
    case K_FILES:
        return S_file_scalar(sc, f->index, vtype, s, len);
    default:
        return 0;
    }
}

static int
S_scalar(gx_schema *sc, int vtype, const char *s, size_t len)
{
    gx_frame *f;
    int rc;
    if (sc->skip)
        return 0;
    if (sc->cap_for)
        return S_cap_event(sc, CE_SCALAR, vtype, s, len);
    f = S_top(sc);
    if (!f) {
        gx_json_error_at(sc->json, sc->err, GROKX_E_SCHEMA, 0,
                         "not a Grok export: the document is a single value, not an object");
        return GROKX_E_SCHEMA;
    }
    if (S_is_array_kind(f->kind))
        rc = S_array_scalar(sc, f, vtype, s, len);
    else if (f->kind == K_TAGGED)
        rc = S_tagged_text(sc, vtype, s, len);
    else if (f->kind == K_ROOT && f->field == F_SECTION)
        rc = S_item_scalar(sc, 0, vtype, s, len);
    else if (f->field && s)
        rc = S_scalar_field(sc, f, vtype, s, len);
    else
        rc = 0; /* null, or an unknown key: no value */
    if (!S_is_array_kind(f->kind))
        f->field = 0;
    return rc ? rc : S_after_store(sc);
}

static int S_null(void *ctx) { return S_scalar(ctx, T_NONE, NULL, 0); }
static int S_bool(void *ctx, int v) { return S_scalar(ctx, T_BOOL, v ? "true" : "false", v ? 4u : 5u); }
static int S_number(void *ctx, const char *s, size_t len) { return S_scalar(ctx, T_NONE, s, len); }
static int S_string(void *ctx, const char *s, size_t len) { return S_scalar(ctx, T_STR, s, len); }

static int
S_section_name(gx_schema *sc, const char *s, size_t len)
{
    size_t bad, n = gx_utf8_repaired_len(s, len, &bad);
    sc->section.len = 0;
    if (gx_buf_reserve(&sc->section, n))
        return GROKX_E_NOMEM;
    gx_utf8_repair(sc->section.ptr, s, len);
    sc->section.len = n;
    sc->section.ptr[n] = 0;
    /* an export without conversations still has these; other files do not */
    if (!strcmp(sc->section.ptr, "projects") || !strcmp(sc->section.ptr, "tasks") ||
        !strcmp(sc->section.ptr, "media_posts"))
        sc->saw_section = 1;
    return 0;
}

/* k's bit in gx_frame.seen: the place in its table of the first key of
 * its field, so spellings of one field ("seconds", "_seconds") are one
 * key twice, as when the bits were field ids. */
static unsigned
S_key_bit(const S_key *keys, const S_key *k)
{
    unsigned i = 0;
    while (keys[i].field != k->field)
        i++;
    return i;
}

static int
S_on_key(void *ctx, const char *s, size_t len)
{
    gx_schema *sc = ctx;
    gx_frame *f;
    const S_key *k;
    S_table t;
    unsigned bit = 0; /* the key's place in its table (own keys, then the fallback's) */
    if (sc->skip)
        return 0;
    if (sc->cap_for)
        return S_cap_event(sc, CE_KEY, 0, s, len);
    f = S_top(sc);
    f->field = F_NONE;
    if (f->kind == K_TAGGED) {
        f->field = F_TAG;
        return S_store(sc, s, len, &sc->tag_name);
    }
    if (sc->conv_skip && f->kind == K_CWRAP)
        return 0;
    t = S_table_of(f->kind);
    k = t.n ? S_find(sc->key_slots[f->kind], t.keys, s, len) : NULL;
    if (k)
        bit = S_key_bit(t.keys, k);
    if (!k && t.fallback) {
        k = S_find(sc->key_slots[f->kind == K_CWRAP ? K_CONV : K_RESP], t.fallback, s, len);
        if (k)
            bit = (unsigned)t.n + S_key_bit(t.fallback, k);
        if (k && f->kind == K_RWRAP)
            sc->msg_body = 1; /* a flat response, without the wrapper */
    }
    if (!k) {
        if (f->kind == K_CWRAP || f->kind == K_CONV)
            S_foreign_key(sc, s, len);
        if (f->kind != K_ROOT)
            return 0;
        f->field = F_SECTION;
        return S_section_name(sc, s, len);
    }
    if (k->field == F_CONVERSATIONS)
        sc->saw_conversations = 1;
    if (f->seen & ((uint64_t)1 << bit))
        S_warn(sc, GROKX_W_DUPLICATE_KEY,
                       k->kind == K_RESPS || k->kind == K_CONVS
                           ? "key \"%s\" appears twice; the items of both are kept" /* appended */
                           : "key \"%s\" appears twice; the last wins",
                       k->name);
    f->seen |= (uint64_t)1 << bit;
    f->field = k->field;
    f->type = k->type;
    f->sub = k->kind;
    return 0;
}

static int
S_push_item(gx_schema *sc, int kind, gx_list *list, void **elem, size_t size)
{
    void *e = gx_list_push(&sc->arena, list, size);
    if (!e)
        return GROKX_E_NOMEM;
    *elem = e;
    return S_push(sc, kind, NULL);
}

/* A container opens as an element of array frame f. */
static int
S_array_open(gx_schema *sc, gx_frame *f, int is_map)
{
    int rc;
    f->index++;
    if (f->kind == K_JSONLIST || f->kind == K_SECTION) {
        rc = f->kind == K_SECTION ? S_item_begin(sc, f->index - 1)
                                  : S_cap_begin(sc, GX_CAP_LIST, f->target);
        return rc ? rc : S_cap_event(sc, is_map ? CE_MAP : CE_ARRAY, 0, NULL, 0);
    }
    if (!is_map || f->kind == K_STRLIST) {
        if (f->kind == K_CONVS || f->kind == K_RESPS)
            S_bad_element(sc, f, "an array");
        else if (f->kind == K_FILES)
            S_warn(sc, GROKX_W_WRONG_TYPE, "\"file_attachments\" element %u is an array; ignored", f->index);
        sc->skip = 1;
        return 0;
    }
    switch (f->kind) {
    case K_CONVS:
        S_conv_begin(sc);
        return S_push(sc, K_CWRAP, NULL);
    case K_RESPS:
        rc = S_msg_begin(sc);
        return rc ? rc : S_push(sc, K_RWRAP, NULL);
    case K_STEPS:
        rc = S_step_begin(sc);
        return rc ? rc : S_push(sc, K_STEP, NULL);
    case K_RESULTS: {
        grokx_search_result *r;
        rc = S_push_item(sc, K_RESULT, f->target, &sc->elem, sizeof *r);
        if (!rc) {
            r = sc->elem;
            r->url = r->title = r->preview = r->description = r->site_name = S_empty;
        }
        return rc;
    }
    case K_FILES:
        if (!(sc->elem = S_file_push(sc)))
            return GROKX_E_NOMEM;
        return S_push(sc, K_FILE, NULL);
    case K_AGENTS: {
        grokx_agent_trace *a;
        rc = S_push_item(sc, K_AGENT, f->target, &sc->elem, sizeof *a);
        if (!rc) {
            a = sc->elem;
            a->agent_id = a->text = S_empty;
        }
        return rc;
    }
    default:
        sc->skip = 1;
        return 0;
    }
}

/* A container opens as the value of the pending field of object frame f. */
static int
S_field_open(gx_schema *sc, gx_frame *f, int is_map)
{
    int field = f->field, type = f->type, kind = f->sub, rc;
    void *target = NULL;
    f->field = 0;
    if (f->kind == K_ROOT && field == F_SECTION) {
        if (!is_map)
            return S_push(sc, K_SECTION, NULL);
        rc = S_item_begin(sc, 0);
        return rc ? rc : S_cap_event(sc, CE_MAP, 0, NULL, 0);
    }
    if (field == F_NONE) {
        sc->skip = 1;
        return 0;
    }
    if (type == T_TIME && is_map && field != F_D_SECS && field != F_D_NANOS) {
        if (!S_is_time_kind(f->kind)) { /* the outermost: a time object begins */
            memset(&sc->tobj, 0, sizeof sc->tobj);
            sc->tobj.field = field;
        }
        sc->tobj.depth++;
        return S_push(sc, f->kind == K_DATE ? K_NUMLONG : K_DATE, NULL);
    }
    if (field == F_R_FILES && is_map) { /* one attachment where a list was expected */
        if (!(sc->elem = S_file_push(sc)))
            return GROKX_E_NOMEM;
        return S_push(sc, K_FILE, NULL);
    }
    if (type == T_JSONLIST && is_map) { /* one object where a list was expected */
        rc = S_cap_begin(sc, GX_CAP_LIST, S_list_slot(sc, field));
        return rc ? rc : S_cap_event(sc, CE_MAP, 0, NULL, 0);
    }
    if (type == T_OBJ && is_map) {
        if (field == F_W_RESPONSE)
            sc->msg_body = 1;
        return S_push(sc, kind, NULL);
    }
    if ((type == T_ARR || type == T_LIST || type == T_JSONLIST) && !is_map) {
        if (type != T_ARR)
            kind = type == T_LIST ? K_STRLIST : K_JSONLIST;
        target = S_list_slot(sc, field);
        if (target)
            memset(target, 0, sizeof(gx_list)); /* a repeated key: the last one wins */
        return S_push(sc, kind, target);
    }
    S_wrong_type(sc, field, is_map ? "an object; ignored" : "an array; ignored");
    sc->skip = 1;
    return 0;
}

/* A value nested past max_depth that is being skipped (an unknown key's,
 * a wrong type's) or captured (an item, a card): one warning where it
 * passes the cap; a capture is dropped. Only the depth is counted on. */
static void
S_too_deep(gx_schema *sc)
{
    if (sc->cap_for)
        sc->cap_overflow = 2;
    else
        sc->deep_warned = 1;
    if (!sc->conv_skip)
        S_warn(sc, GROKX_W_TOO_DEEP, "%s nested deeper than max_depth (%u); skipped",
                       sc->cap_for == GX_CAP_ITEM ? "an item" : "a value", sc->max_depth);
}

static int S_open_here(gx_schema *sc, int is_map);

/* Nesting past max_depth: a skipped or captured value is skipped with a
 * warning and the parse goes on; a container the export defines (a frame)
 * that deep cannot be read, and is an error. */
static int
S_open(gx_schema *sc, int is_map)
{
    size_t nframes = sc->nframes;
    int deep = gx_json_depth(sc->json) > sc->max_depth, rc;
    if (sc->skip) {
        sc->skip++;
        if (deep && !sc->deep_warned)
            S_too_deep(sc);
        return 0;
    }
    if (sc->cap_for) {
        if (deep && !sc->cap_overflow)
            S_too_deep(sc);
        return S_cap_event(sc, is_map ? CE_MAP : CE_ARRAY, 0, NULL, 0);
    }
    rc = S_open_here(sc, is_map);
    if (rc || !deep)
        return rc;
    if (sc->nframes > nframes) {
        gx_json_error_at(sc->json, sc->err, GROKX_E_LIMIT, 1,
                         "nesting deeper than max_depth (%u) in a field the export defines",
                         sc->max_depth);
        return GROKX_E_LIMIT;
    }
    if ((sc->skip && !sc->deep_warned) || (sc->cap_for && !sc->cap_overflow))
        S_too_deep(sc);
    return 0;
}

static int
S_open_here(gx_schema *sc, int is_map)
{
    gx_frame *f = S_top(sc);
    if (!f) {
        if (!is_map) {
            gx_json_error_at(sc->json, sc->err, GROKX_E_SCHEMA, 1,
                             "not a Grok export: the top level is an array, not an object");
            return GROKX_E_SCHEMA;
        }
        return S_push(sc, K_ROOT, NULL);
    }
    if (S_is_array_kind(f->kind))
        return S_array_open(sc, f, is_map);
    if (f->kind == K_TAGGED) {
        S_wrong_type(sc, F_S_TAGGED, "not a string; ignored");
        f->field = 0;
        sc->skip = 1;
        return 0;
    }
    return S_field_open(sc, f, is_map);
}

static int
S_close(gx_schema *sc, int is_map)
{
    gx_frame f;
    if (sc->skip) {
        if (--sc->skip == 0)
            sc->deep_warned = 0;
        return 0;
    }
    if (sc->cap_for)
        return S_cap_event(sc, is_map ? CE_END_MAP : CE_END_ARRAY, 0, NULL, 0);
    f = sc->frames[--sc->nframes];
    switch (f.kind) {
    case K_CWRAP:
        return S_conv_end(sc);
    case K_RWRAP:
        return sc->msg ? S_msg_end(sc) : 0;
    case K_STEP:
        return S_step_end(sc);
    case K_RESULT:
    case K_AGENT:
        sc->elem = NULL;
        return 0;
    case K_FILE: {
        S_file *fa = sc->elem;
        sc->elem = NULL;
        if (!fa->id.len)
            fa->id = fa->any_id;
        if (!fa->id.len && !fa->name.len && !fa->type.len) {
            fa->drop = 1;
            S_warn(sc, GROKX_W_WRONG_TYPE, "a \"file_attachments\" object with no id, name or type; ignored");
        }
        return 0;
    }
    case K_SECTION:
        sc->section.len = 0;
        return 0;
    case K_DATE:
    case K_NUMLONG:
        S_time_obj_end(sc, &f);
        return 0;
    default:
        return 0;
    }
}

static void
S_repaired(void *ctx, uint64_t offset, uint64_t line, uint64_t col)
{
    gx_schema *sc = ctx;
    sc->stats->strings_repaired++;
    sc->stats->warnings++;
    if (!sc->warning)
        return;
    sc->warn.code = GROKX_W_UTF8_REPAIRED;
    sc->warn.offset = offset;
    sc->warn.line = line;
    sc->warn.column = col;
    snprintf(sc->warn.text, sizeof sc->warn.text,
             "byte %llu (line %llu, column %llu): lone surrogate escape replaced by U+FFFD",
             (unsigned long long)offset, (unsigned long long)line, (unsigned long long)col);
    sc->warning(sc->warning_ud, &sc->warn);
}

static int S_start_map(void *ctx) { return S_open(ctx, 1); }
static int S_start_array(void *ctx) { return S_open(ctx, 0); }
static int S_end_map(void *ctx) { return S_close(ctx, 1); }
static int S_end_array(void *ctx) { return S_close(ctx, 0); }

const gx_json_events gx_schema_events = {
    S_null, S_bool, S_number, S_string, S_on_key,
    S_start_map, S_end_map, S_start_array, S_end_array, S_repaired,
};
