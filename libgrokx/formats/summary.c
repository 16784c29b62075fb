/*
 * summary.c -- a writer that counts what an export holds, and prints the
 * count as text or JSON (what `grokx info` shows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

/* A small name -> count table (senders, models, sections: a handful each). */
#define S_TALLY_MAX 256
typedef struct S_entry {
    char *name;
    uint64_t count;
} S_entry;
typedef struct S_tally {
    S_entry *e;
    size_t n, cap;
    uint64_t other; /* past S_TALLY_MAX distinct names */
} S_tally;

struct grokx_summary {
    grokx_writer *writer;
    grokx_str input;
    char *input_buf;
    grokx_stats stats;
    uint64_t conversations, starred, temporary, empty;
    uint64_t messages, user, assistant, off_branch;
    uint64_t forked_convs, forks;
    uint64_t text_bytes, thinking_bytes;
    uint64_t thinking_msgs, agent_msgs, steps;
    uint64_t web_msgs, web_results, cited;
    uint64_t files, images, cards, xposts, webpages;
    uint64_t errors, partial;
    grokx_time first, last;
    S_tally senders, models, sections;
    int failed; /* out of memory while counting */
    /* the export's files (ZIP or folder): all but assets, which are counted */
    int has_files;
    struct S_file {
        char *name;
        uint64_t size;
        int kind;
    } *entries;
    size_t nentries, entries_cap;
    uint64_t assets, asset_bytes;
};

static int
S_tally_add(S_tally *t, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        if (strlen(t->e[i].name) == len && !memcmp(t->e[i].name, name, len)) {
            t->e[i].count++;
            return 0;
        }
    if (t->n >= S_TALLY_MAX) {
        t->other++;
        return 0;
    }
    if (gx_grow(&t->e, &t->cap, t->n + 1, sizeof *t->e))
        return GROKX_E_NOMEM;
    if (!(t->e[t->n].name = malloc(len + 1))) /* name is not NUL-terminated */
        return GROKX_E_NOMEM;
    memcpy(t->e[t->n].name, name, len);
    t->e[t->n].name[len] = 0;
    t->e[t->n++].count = 1;
    return 0;
}

static void
S_tally_free(S_tally *t)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        free(t->e[i].name);
    free(t->e);
}

/* Most frequent first, then by name, so output is stable. */
static int
S_tally_cmp(const void *a, const void *b)
{
    const S_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static void
S_time_span(grokx_summary *s, grokx_time t)
{
    if (t == GROKX_TIME_NONE)
        return;
    if (s->first == GROKX_TIME_NONE || t < s->first)
        s->first = t;
    if (s->last == GROKX_TIME_NONE || t > s->last)
        s->last = t;
}

static void
S_count_message(grokx_summary *s, const grokx_message *m)
{
    size_t i;
    s->messages++;
    if (m->role == GROKX_ROLE_USER)
        s->user++;
    else if (m->role == GROKX_ROLE_ASSISTANT)
        s->assistant++; /* system turns are counted in messages only */
    if (!(m->flags & GROKX_MSG_ACTIVE))
        s->off_branch++;
    s->failed |= S_tally_add(&s->senders, m->sender.ptr, m->sender.len);
    if (m->role == GROKX_ROLE_ASSISTANT && m->model.len)
        s->failed |= S_tally_add(&s->models, m->model.ptr, m->model.len);
    s->text_bytes += m->text.len;
    s->thinking_bytes += m->thinking.len;
    s->thinking_msgs += m->thinking.len || m->agent_trace_count;
    s->agent_msgs += m->agent_trace_count > 0;
    s->steps += m->step_count;
    s->web_msgs += m->web_result_count > 0;
    s->web_results += m->web_result_count;
    s->cited += m->cited_result_count;
    s->files += m->file_attachments.count;
    for (i = 0; i < m->generated_image_urls.count; i++)
        s->images += m->generated_image_urls.items[i].len > 0;
    s->cards += m->card_attachments.count;
    s->xposts += m->xpost_ids.count;
    s->webpages += m->webpage_urls.count;
    s->errors += m->error.len > 0;
    s->partial += (m->flags & GROKX_MSG_PARTIAL) != 0;
    S_time_span(s, m->create_time);
}

static int
S_conversation(void *self, const grokx_conversation *c)
{
    grokx_summary *s = self;
    size_t i;
    s->conversations++;
    s->starred += c->starred != 0;
    s->temporary += c->temporary != 0;
    s->empty += c->message_count == 0;
    s->forked_convs += c->fork_count > 0;
    s->forks += c->fork_count;
    S_time_span(s, c->create_time);
    S_time_span(s, c->modify_time);
    for (i = 0; i < c->message_count; i++)
        S_count_message(s, &c->messages[i]);
    return s->failed ? GROKX_E_NOMEM : 0;
}

static int
S_item(void *self, const grokx_item *it)
{
    grokx_summary *s = self;
    return S_tally_add(&s->sections, it->section.ptr, it->section.len);
}

static int
S_begin(void *self, const grokx_export_info *info)
{
    grokx_summary *s = self;
    free(s->input_buf);
    s->input_buf = malloc(info->input_name.len + 1);
    if (!s->input_buf)
        return GROKX_E_NOMEM;
    memcpy(s->input_buf, info->input_name.ptr, info->input_name.len + 1);
    s->input.ptr = s->input_buf;
    s->input.len = info->input_name.len;
    return 0;
}

static int
S_end(void *self, const grokx_stats *st)
{
    grokx_summary *s = self;
    s->stats = *st;
    return 0;
}

grokx_summary *
grokx_summary_new(void)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_begin, S_conversation, S_item,
                                           S_end, NULL, NULL};
    grokx_summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->first = s->last = GROKX_TIME_NONE;
    s->input.ptr = "";
    s->writer = grokx_writer_new(&vt, s);
    if (!s->writer) {
        free(s);
        return NULL;
    }
    return s;
}

static int
S_add_file(void *ud, const grokx_entry *e)
{
    grokx_summary *s = ud;
    if (e->kind == GROKX_ENTRY_ASSET) {
        s->assets++;
        s->asset_bytes += e->size;
        return 0;
    }
    if (gx_grow(&s->entries, &s->entries_cap, s->nentries + 1, sizeof *s->entries) ||
        !(s->entries[s->nentries].name = gx_strdup(e->name.ptr)))
        return GROKX_E_NOMEM;
    s->entries[s->nentries].size = e->size;
    s->entries[s->nentries++].kind = e->kind;
    return 0;
}

int
grokx_summary_set_input(grokx_summary *s, grokx_input *in)
{
    int k = grokx_input_kind(in);
    if (!s || !in)
        return GROKX_E_INVALID;
    s->has_files = k == GROKX_INPUT_ZIP || k == GROKX_INPUT_FOLDER;
    return s->has_files ? grokx_input_entries(in, S_add_file, s) : 0;
}

static const char *
S_kind_name(int kind)
{
    switch (kind) {
    case GROKX_ENTRY_BACKEND: return "conversations";
    case GROKX_ENTRY_ACCOUNT: return "account (e-mail, birth date, sessions and IP addresses; not read)";
    case GROKX_ENTRY_BILLING: return "billing (not read)";
    default: return "other";
    }
}

void
grokx_summary_free(grokx_summary *s)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < s->nentries; i++)
        free(s->entries[i].name);
    free(s->entries);
    grokx_writer_free(s->writer);
    S_tally_free(&s->senders);
    S_tally_free(&s->models);
    S_tally_free(&s->sections);
    free(s->input_buf);
    free(s);
}

grokx_writer *
grokx_summary_writer(grokx_summary *s)
{
    return s ? s->writer : NULL;
}

/* ---- printing -------------------------------------------------------- */

static uint64_t
S_section_count(const S_tally *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        if (!strcmp(t->e[i].name, name))
            return t->e[i].count;
    return 0;
}

/* The sections to show: the three every export has, then the others. */
static int
S_sections(const grokx_summary *s, S_tally *out)
{
    static const char *const known[] = {"projects", "tasks", "media_posts"};
    size_t i;
    memset(out, 0, sizeof *out);
    for (i = 0; i < 3; i++) {
        if (S_tally_add(out, known[i], strlen(known[i])))
            return GROKX_E_NOMEM;
        out->e[i].count = S_section_count(&s->sections, known[i]);
    }
    for (i = 0; i < s->sections.n; i++)
        if (S_section_count(out, s->sections.e[i].name) == 0 &&
            strcmp(s->sections.e[i].name, "projects") && strcmp(s->sections.e[i].name, "tasks") &&
            strcmp(s->sections.e[i].name, "media_posts")) {
            if (S_tally_add(out, s->sections.e[i].name, strlen(s->sections.e[i].name)))
                return GROKX_E_NOMEM;
            out->e[out->n - 1].count = s->sections.e[i].count;
        }
    return 0;
}

static void
S_tally_sorted(S_tally *t)
{
    if (t->n > 1)
        qsort(t->e, t->n, sizeof *t->e, S_tally_cmp);
}

static int
S_json_tally(gx_jw *w, const char *key, const S_tally *t)
{
    size_t i;
    int rc = gx_jw_cstr(w, key) | gx_jw_begin_map(w);
    for (i = 0; i < t->n; i++)
        rc |= gx_jw_kuint(w, t->e[i].name, t->e[i].count);
    if (t->other)
        rc |= gx_jw_kuint(w, "(other)", t->other);
    return rc | gx_jw_end_map(w);
}

static int
S_print_json(const grokx_summary *s, const S_tally *sections, grokx_sink sink)
{
    gx_mem mem;
    gx_jw *w;
    const char *text;
    size_t len;
    int rc = 0;
    gx_mem_init(&mem, NULL, NULL, 0);
    if (!(w = gx_jw_new(&mem, 1)))
        return GROKX_E_NOMEM;
    rc |= gx_jw_begin_map(w);
    rc |= gx_jw_kstr(w, "input", s->input);
    rc |= gx_jw_kuint(w, "bytes", s->stats.bytes);
    rc |= gx_jw_kuint(w, "conversations", s->conversations);
    rc |= gx_jw_kuint(w, "conversations_skipped", s->stats.conversations_skipped);
    rc |= gx_jw_kuint(w, "starred", s->starred);
    rc |= gx_jw_kuint(w, "temporary", s->temporary);
    rc |= gx_jw_kuint(w, "empty_conversations", s->empty);
    rc |= gx_jw_kuint(w, "messages", s->messages);
    rc |= gx_jw_kuint(w, "user_messages", s->user);
    rc |= gx_jw_kuint(w, "assistant_messages", s->assistant);
    rc |= S_json_tally(w, "senders", &s->senders);
    rc |= S_json_tally(w, "models", &s->models);
    rc |= gx_jw_ktime(w, "first_time", s->first);
    rc |= gx_jw_ktime(w, "last_time", s->last);
    rc |= gx_jw_kuint(w, "text_bytes", s->text_bytes);
    rc |= gx_jw_kuint(w, "thinking_bytes", s->thinking_bytes);
    rc |= gx_jw_kuint(w, "conversations_with_branches", s->forked_convs);
    rc |= gx_jw_kuint(w, "fork_points", s->forks);
    rc |= gx_jw_kuint(w, "messages_off_active_branch", s->off_branch);
    rc |= gx_jw_kuint(w, "messages_with_thinking", s->thinking_msgs);
    rc |= gx_jw_kuint(w, "messages_with_agent_traces", s->agent_msgs);
    rc |= gx_jw_kuint(w, "steps", s->steps);
    rc |= gx_jw_kuint(w, "messages_with_web_search", s->web_msgs);
    rc |= gx_jw_kuint(w, "web_search_results", s->web_results);
    rc |= gx_jw_kuint(w, "cited_results", s->cited);
    rc |= gx_jw_kuint(w, "file_attachments", s->files);
    rc |= gx_jw_kuint(w, "generated_images", s->images);
    rc |= gx_jw_kuint(w, "cards", s->cards);
    rc |= gx_jw_kuint(w, "x_posts", s->xposts);
    rc |= gx_jw_kuint(w, "webpage_urls", s->webpages);
    rc |= gx_jw_kuint(w, "error_messages", s->errors);
    rc |= gx_jw_kuint(w, "partial_messages", s->partial);
    rc |= S_json_tally(w, "sections", sections);
    if (s->has_files) {
        size_t i;
        rc |= gx_jw_cstr(w, "files") | gx_jw_begin_array(w);
        for (i = 0; i < s->nentries; i++) {
            static const char *const kinds[] = {"", "backend", "account", "billing", "asset", "other"};
            rc |= gx_jw_begin_map(w) | gx_jw_kcstr(w, "name", s->entries[i].name);
            rc |= gx_jw_kuint(w, "size", s->entries[i].size);
            rc |= gx_jw_kcstr(w, "kind", kinds[s->entries[i].kind >= 1 && s->entries[i].kind <= 5 ? s->entries[i].kind : 5]);
            rc |= gx_jw_end_map(w);
        }
        rc |= gx_jw_end_array(w);
        rc |= gx_jw_kuint(w, "asset_files", s->assets);
        rc |= gx_jw_kuint(w, "asset_bytes", s->asset_bytes);
    }
    rc |= gx_jw_kuint(w, "warnings", s->stats.warnings);
    rc |= gx_jw_kuint(w, "strings_repaired", s->stats.strings_repaired);
    rc |= gx_jw_end_map(w);
    text = gx_jw_text(w, &len);
    if (!rc) /* names as a terminal may show them: DEL, C1 and bidi controls escaped */
        rc = grokx_terminal_write(sink, text, len, GROKX_TERMINAL_JSON);
    if (!rc)
        rc = gx_sink_write(sink, "\n", 1);
    gx_jw_free(w);
    return rc ? (rc == GROKX_E_IO ? rc : GROKX_E_NOMEM) : 0;
}

static void
S_bytes(char *buf, size_t n, uint64_t v)
{
    if (v >= 1000000000)
        snprintf(buf, n, "%.2f GB", (double)v / 1e9);
    else if (v >= 1000000)
        snprintf(buf, n, "%.1f MB", (double)v / 1e6);
    else if (v >= 1000)
        snprintf(buf, n, "%.1f kB", (double)v / 1e3);
    else
        snprintf(buf, n, "%llu bytes", (unsigned long long)v);
}

static int
S_buf_write(void *ud, const char *p, size_t n)
{
    return gx_buf_put(ud, p, n);
}

/* A name from the export (or the input's path), as a terminal may show it
 * (grokx_terminal_write: controls, separators, bidi controls). */
static int
S_put_name(gx_buf *b, const char *s)
{
    grokx_sink sink = {S_buf_write, b};
    return grokx_terminal_write(sink, s, strlen(s), 0) ? GROKX_E_NOMEM : 0; /* only the buffer fails */
}

static int
S_text_tally(gx_buf *b, const char *label, const S_tally *t)
{
    size_t i;
    int rc = gx_buf_printf(b, "%-18s", label);
    if (!t->n)
        rc |= gx_buf_puts(b, "none");
    for (i = 0; i < t->n && i < 12; i++) {
        rc |= gx_buf_puts(b, i ? ", " : "");
        rc |= S_put_name(b, t->e[i].name[0] ? t->e[i].name : "\"\"");
        rc |= gx_buf_printf(b, " %llu", (unsigned long long)t->e[i].count);
    }
    if (t->n > 12 || t->other)
        rc |= gx_buf_printf(b, ", and %zu more", t->n > 12 ? t->n - 12 : 0);
    return rc | gx_buf_putc(b, '\n');
}

static int
S_print_text(const grokx_summary *s, const S_tally *sections, grokx_sink sink)
{
    gx_mem mem;
    gx_buf b;
    char t1[32], t2[32], n1[32], n2[32];
    int rc = 0;
    gx_mem_init(&mem, NULL, NULL, 0);
    gx_buf_init(&b, &mem);
    S_bytes(n1, sizeof n1, s->stats.bytes);
    rc |= gx_buf_printf(&b, "%-18s", "Export:");
    rc |= S_put_name(&b, s->input.len ? s->input.ptr : "-");
    rc |= gx_buf_printf(&b, " (%s)\n", n1);
    rc |= gx_buf_printf(&b, "%-18s%llu (%llu starred, %llu temporary, %llu empty",
                        "Conversations:", (unsigned long long)s->conversations,
                        (unsigned long long)s->starred, (unsigned long long)s->temporary,
                        (unsigned long long)s->empty);
    if (s->stats.conversations_skipped)
        rc |= gx_buf_printf(&b, ", %llu skipped",
                            (unsigned long long)s->stats.conversations_skipped);
    rc |= gx_buf_puts(&b, ")\n");
    rc |= gx_buf_printf(&b, "%-18s%llu (%llu user, %llu assistant)\n", "Messages:",
                        (unsigned long long)s->messages, (unsigned long long)s->user,
                        (unsigned long long)s->assistant);
    rc |= S_text_tally(&b, "  by sender:", &s->senders);
    rc |= S_text_tally(&b, "Models:", &s->models);
    gx_time_format(s->first, t1);
    gx_time_format(s->last, t2);
    rc |= gx_buf_printf(&b, "%-18s%.10s .. %.10s\n", "Date range:", t1, t2);
    S_bytes(n1, sizeof n1, s->text_bytes);
    S_bytes(n2, sizeof n2, s->thinking_bytes);
    rc |= gx_buf_printf(&b, "%-18s%s of messages, %s of thinking\n", "Text:", n1, n2);
    rc |= gx_buf_printf(&b,
                        "%-18s%llu conversations with regenerations or edits, %llu fork points, "
                        "%llu messages off the active branch\n",
                        "Branches:", (unsigned long long)s->forked_convs,
                        (unsigned long long)s->forks, (unsigned long long)s->off_branch);
    rc |= gx_buf_printf(&b, "%-18s%llu messages (%llu with agent traces), %llu steps\n",
                        "Thinking traces:", (unsigned long long)s->thinking_msgs,
                        (unsigned long long)s->agent_msgs, (unsigned long long)s->steps);
    rc |= gx_buf_printf(&b, "%-18s%llu messages, %llu results (%llu cited)\n", "Web searches:",
                        (unsigned long long)s->web_msgs, (unsigned long long)s->web_results,
                        (unsigned long long)s->cited);
    rc |= gx_buf_printf(&b,
                        "%-18s%llu files, %llu generated images, %llu cards, %llu X posts, "
                        "%llu web pages\n",
                        "Attachments:", (unsigned long long)s->files,
                        (unsigned long long)s->images, (unsigned long long)s->cards,
                        (unsigned long long)s->xposts, (unsigned long long)s->webpages);
    rc |= gx_buf_printf(&b, "%-18s%llu failed, %llu partial\n", "Errored turns:",
                        (unsigned long long)s->errors, (unsigned long long)s->partial);
    rc |= S_text_tally(&b, "Other sections:", sections);
    if (s->has_files) {
        size_t i;
        rc |= gx_buf_puts(&b, "Files:\n"); /* no padding: nothing follows it */
        for (i = 0; i < s->nentries; i++) {
            S_bytes(n1, sizeof n1, s->entries[i].size);
            rc |= gx_buf_puts(&b, "  ");
            rc |= S_put_name(&b, s->entries[i].name);
            rc |= gx_buf_printf(&b, " (%s): %s\n", n1, S_kind_name(s->entries[i].kind));
        }
        S_bytes(n1, sizeof n1, s->asset_bytes);
        rc |= gx_buf_printf(&b, "  attachments: %llu files, %s\n", (unsigned long long)s->assets, n1);
    }
    rc |= gx_buf_printf(&b, "%-18s%llu\n", "Warnings:", (unsigned long long)s->stats.warnings);
    if (!rc) /* every name from the export went through S_put_name */
        rc = gx_sink_write(sink, b.ptr, b.len);
    gx_buf_free(&b);
    return rc ? (rc == GROKX_E_IO ? rc : GROKX_E_NOMEM) : 0;
}

int
grokx_summary_print(const grokx_summary *cs, int as_json, grokx_sink sink)
{
    grokx_summary *s = (grokx_summary *)cs; /* sorting tallies is not a visible change */
    S_tally sections;
    int rc;
    if (!s)
        return GROKX_E_INVALID;
    S_tally_sorted(&s->senders);
    S_tally_sorted(&s->models);
    if ((rc = S_sections(s, &sections)) == 0)
        rc = as_json ? S_print_json(s, &sections, sink) : S_print_text(s, &sections, sink);
    S_tally_free(&sections);
    return rc;
}
