/*
 * sqlite.c -- the "sqlite" format: the export as an SQLite database that
 * the sqlite3 shell, sqlite-utils and datasette query (docs/sqlite.md has
 * the schema, column by column).
 *
 * A database is written by name, not through a sink, so the writer takes
 * its file's path as cfg.out_dir (GROKX_FORMAT_FILE) and does what the
 * tool does for the other single-file formats: grokx_file_open_ours (the
 * lock, never over another's file: the SQLite signature, then our
 * application_id), a temporary beside the file, renamed over it after an
 * fsync at end_export. The previous database is never written in place:
 * an update copies it into the temporary first (sqlite3_backup), so a
 * run that fails, is interrupted or killed leaves it exactly as it was,
 * and the temporary can run without a journal and without syncs (a
 * rollback journal would only protect a file we throw away on failure).
 *
 * Incremental: each conversation's digest (every value stored but the
 * export's name) is kept in grokx_digests; a conversation whose digest is
 * unchanged is not touched, another one's rows are deleted and inserted
 * again (the FTS triggers follow), so a re-run of a newer export reports
 * new, updated and unchanged conversations as md does.
 *
 * Speed: a new database gets its FTS indexes and their triggers at the
 * end, in one 'rebuild' each, and its secondary indexes by one sort each;
 * rows go in through statements prepared once, a transaction per batch
 * of conversations, 16 KiB pages. Memory: the page cache is capped
 * (S_CACHE_KIB), FTS5 flushes its pending terms every 4 MiB; no row is
 * held.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/formats.h"

/* PRAGMA user_version: the schema's version (docs/sqlite.md). */
#define S_SCHEMA_VERSION 1
/* PRAGMA application_id: "grkx". A database without it is not ours. */
#define S_APP_ID 0x67726b78
/* Measured on the generated 1 GB export (docs/sqlite.md): 16 KiB pages
 * hold a typical message without overflow pages (a fifth less CPU than
 * 4 KiB); peak RSS grew by about 4 MiB per MiB of page cache (SQLite's
 * sorts and FTS5 merges take their buffers from its size), so a 2 MiB
 * cache keeps the run near 54 MiB, within the 64 MiB bound, and costs no
 * measurable time: pages the cache drops are the kernel's to keep. */
#define S_PAGE_SIZE "16384"
#define S_CACHE_KIB "2048"
/* FTS5's pending terms before it writes a segment (its default: 1 MiB),
 * during the new database's one rebuild: fewer segments to merge */
#define S_FTS_HASH "4194304"
/* How long an update waits for another program's write lock. */
#define S_BUSY_MS 5000
/* conversations per transaction (a new database) */
#define S_BATCH 512

static const char S_schema[] =
    "PRAGMA page_size = " S_PAGE_SIZE ";\n"
    "PRAGMA application_id = 1735551864;\n"
    "PRAGMA user_version = 1;\n"
    "CREATE TABLE projects (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  name TEXT,\n"
    "  created TEXT,\n"
    "  json TEXT\n"
    ");\n"
    "CREATE TABLE conversations (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  title TEXT,\n"
    "  created TEXT,\n"
    "  updated TEXT,\n"
    "  starred INTEGER NOT NULL,\n"
    "  models TEXT,\n"
    "  message_count INTEGER NOT NULL,\n"
    "  summary TEXT,\n"
    "  project_id TEXT REFERENCES projects(id),\n"
    "  export TEXT\n"
    ");\n"
    "CREATE TABLE messages (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  conversation_id TEXT NOT NULL REFERENCES conversations(id),\n"
    "  parent_id TEXT,\n"
    "  sender TEXT,\n"
    "  role TEXT,\n"
    "  model TEXT,\n"
    "  created TEXT,\n"
    "  text TEXT,\n"
    "  thinking TEXT,\n"
    "  is_active_branch INTEGER NOT NULL,\n"
    "  position INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE attachments (\n"
    "  message_id TEXT NOT NULL REFERENCES messages(id),\n"
    "  n INTEGER NOT NULL,\n"
    "  asset_id TEXT,\n"
    "  name TEXT,\n"
    "  type TEXT,\n"
    "  PRIMARY KEY (message_id, n)\n"
    ");\n"
    "CREATE TABLE citations (\n"
    "  message_id TEXT NOT NULL REFERENCES messages(id),\n"
    "  n INTEGER NOT NULL,\n"
    "  cited INTEGER NOT NULL,\n"
    "  title TEXT,\n"
    "  url TEXT,\n"
    "  site_name TEXT,\n"
    "  description TEXT,\n"
    "  PRIMARY KEY (message_id, n)\n"
    ");\n"
    "CREATE TABLE steps (\n"
    "  message_id TEXT NOT NULL REFERENCES messages(id),\n"
    "  n INTEGER NOT NULL,\n"
    "  step INTEGER NOT NULL,\n"
    "  header TEXT,\n"
    "  call_id TEXT,\n"
    "  tool TEXT,\n"
    "  arguments TEXT,\n"
    "  result TEXT,\n"
    "  PRIMARY KEY (message_id, n)\n"
    ");\n"
    "CREATE TABLE grokx_digests (\n"
    "  conversation_id TEXT PRIMARY KEY,\n"
    "  digest INTEGER NOT NULL\n"
    ");\n"
    /* as sqlite-utils' enable-fts writes them, so its search and
     * datasette's FTS detection (content=[table]) find them */
    "CREATE VIRTUAL TABLE [messages_fts] USING FTS5 (\n"
    "    [text],\n"
    "    content=[messages]\n"
    ");\n"
    "CREATE VIRTUAL TABLE [conversations_fts] USING FTS5 (\n"
    "    [title],\n"
    "    content=[conversations]\n"
    ");\n";

/* What a new database gets once its rows are in (IF NOT EXISTS: an
 * export that repeats a conversation id made the first one early). */
static const char S_finish[] =
    "CREATE INDEX IF NOT EXISTS messages_conversation_id ON messages(conversation_id);\n"
    "CREATE INDEX IF NOT EXISTS messages_created ON messages(created);\n"
    "CREATE INDEX IF NOT EXISTS messages_sender ON messages(sender);\n"
    "CREATE INDEX IF NOT EXISTS messages_model ON messages(model);\n"
    "CREATE INDEX IF NOT EXISTS conversations_created ON conversations(created);\n"
    /* the index built in larger runs, merged less often (measured: a
     * tenth to a fifth less time at 1 GB), then FTS5's defaults again for
     * the rows a later run or the user changes */
    "INSERT INTO [messages_fts] ([messages_fts], rank) VALUES ('hashsize', " S_FTS_HASH ");\n"
    "INSERT INTO [messages_fts] ([messages_fts], rank) VALUES ('automerge', 16);\n"
    "INSERT INTO [messages_fts] ([messages_fts]) VALUES ('rebuild');\n"
    "DELETE FROM [messages_fts_config] WHERE k IN ('hashsize', 'automerge');\n"
    "INSERT INTO [conversations_fts] ([conversations_fts]) VALUES ('rebuild');\n"
    "CREATE TRIGGER [messages_ai] AFTER INSERT ON [messages] BEGIN\n"
    "  INSERT INTO [messages_fts] (rowid, [text]) VALUES (new.rowid, new.[text]);\n"
    "END;\n"
    "CREATE TRIGGER [messages_ad] AFTER DELETE ON [messages] BEGIN\n"
    "  INSERT INTO [messages_fts] ([messages_fts], rowid, [text]) VALUES('delete', old.rowid, old.[text]);\n"
    "END;\n"
    "CREATE TRIGGER [messages_au] AFTER UPDATE ON [messages] BEGIN\n"
    "  INSERT INTO [messages_fts] ([messages_fts], rowid, [text]) VALUES('delete', old.rowid, old.[text]);\n"
    "  INSERT INTO [messages_fts] (rowid, [text]) VALUES (new.rowid, new.[text]);\n"
    "END;\n"
    "CREATE TRIGGER [conversations_ai] AFTER INSERT ON [conversations] BEGIN\n"
    "  INSERT INTO [conversations_fts] (rowid, [title]) VALUES (new.rowid, new.[title]);\n"
    "END;\n"
    "CREATE TRIGGER [conversations_ad] AFTER DELETE ON [conversations] BEGIN\n"
    "  INSERT INTO [conversations_fts] ([conversations_fts], rowid, [title]) VALUES('delete', old.rowid, old.[title]);\n"
    "END;\n"
    "CREATE TRIGGER [conversations_au] AFTER UPDATE ON [conversations] BEGIN\n"
    "  INSERT INTO [conversations_fts] ([conversations_fts], rowid, [title]) VALUES('delete', old.rowid, old.[title]);\n"
    "  INSERT INTO [conversations_fts] (rowid, [title]) VALUES (new.rowid, new.[title]);\n"
    "END;\n";

/* The statements, prepared once. */
enum {
    Q_DIGEST_GET,
    Q_DIGEST_PUT,
    Q_SEEN,
    Q_OLD_FILL,
    Q_OLD_TAKEN,
    Q_GONE_ATT,
    Q_GONE_CIT,
    Q_GONE_STEP,
    Q_GONE_MSG,
    Q_OLD_CLEAR,
    Q_TRIM_ATT,
    Q_TRIM_CIT,
    Q_TRIM_STEP,
    Q_CONV,
    Q_MSG,
    Q_ATT,
    Q_CIT,
    Q_STEP,
    Q_RESULT,
    Q_PROJECT,
    Q_N
};

static const char *const S_sql[Q_N] = {
    "SELECT digest FROM grokx_digests WHERE conversation_id = ?1",
    "INSERT OR REPLACE INTO grokx_digests (conversation_id, digest) VALUES (?1, ?2)",
    /* the conversation ids this run stored: one that comes again is
     * kept under another (S_key) */
    "INSERT OR IGNORE INTO temp.grokx_seen (id) VALUES (?1)",
    /* a changed conversation: the ids of its messages stored, each
     * taken off when the new version writes it; those left are gone */
    "INSERT INTO temp.grokx_old (id) SELECT id FROM messages WHERE conversation_id = ?1",
    "DELETE FROM temp.grokx_old WHERE id = ?1",
    "DELETE FROM attachments WHERE message_id IN (SELECT id FROM temp.grokx_old)",
    "DELETE FROM citations WHERE message_id IN (SELECT id FROM temp.grokx_old)",
    "DELETE FROM steps WHERE message_id IN (SELECT id FROM temp.grokx_old)",
    "DELETE FROM messages WHERE id IN (SELECT id FROM temp.grokx_old)",
    "DELETE FROM temp.grokx_old",
    /* a message's rows past those the new version has */
    "DELETE FROM attachments WHERE message_id = ?1 AND n >= ?2",
    "DELETE FROM citations WHERE message_id = ?1 AND n >= ?2",
    "DELETE FROM steps WHERE message_id = ?1 AND n >= ?2",
    /* rows are updated, not deleted and inserted: the columns a user
     * added to them (sqlite-utils add-column, ALTER TABLE) stay */
    "INSERT INTO conversations (id, title, created, updated, starred, models, message_count, summary, "
    "project_id, export) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(id) DO UPDATE "
    "SET title = excluded.title, created = excluded.created, updated = excluded.updated, starred = "
    "excluded.starred, models = excluded.models, message_count = excluded.message_count, summary = "
    "excluded.summary, project_id = excluded.project_id, export = excluded.export",
    /* an id already taken, but not by this conversation's previous
     * version (a duplicate _id, or none; another conversation's) is
     * seen in sqlite3_changes() and the row goes in under another id */
    "INSERT INTO messages (id, conversation_id, parent_id, sender, role, model, created, text, "
    "thinking, is_active_branch, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT(id) DO UPDATE SET conversation_id = excluded.conversation_id, parent_id = "
    "excluded.parent_id, sender = excluded.sender, role = excluded.role, model = excluded.model, "
    "created = excluded.created, text = excluded.text, thinking = excluded.thinking, "
    "is_active_branch = excluded.is_active_branch, position = excluded.position "
    "WHERE messages.id IN (SELECT id FROM temp.grokx_old)",
    "INSERT INTO attachments (message_id, n, asset_id, name, type) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(message_id, n) DO UPDATE SET asset_id = excluded.asset_id, name = excluded.name, "
    "type = excluded.type",
    "INSERT INTO citations (message_id, n, cited, title, url, site_name, description) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(message_id, n) DO UPDATE SET cited = "
    "excluded.cited, title = excluded.title, url = excluded.url, site_name = excluded.site_name, "
    "description = excluded.description",
    /* a tool_usage_cards entry: {tool_usage_card_id, intent, tool:
     * {Name: {args: {...}}}} (or the arguments flat under the name) */
    "INSERT INTO steps (message_id, n, step, header, call_id, tool, arguments, result) VALUES "
    "(?1, ?2, ?3, ?4, json_extract(?5, '$.tool_usage_card_id'), "
    "(SELECT key FROM json_each(?5, '$.tool') WHERE type = 'object' LIMIT 1), "
    "coalesce((SELECT coalesce(json_extract(value, '$.args'), value) FROM json_each(?5, '$.tool') "
    "WHERE type = 'object' LIMIT 1), ?5), ?6) ON CONFLICT(message_id, n) DO UPDATE SET step = "
    "excluded.step, header = excluded.header, call_id = excluded.call_id, tool = excluded.tool, "
    "arguments = excluded.arguments, result = excluded.result",
    /* a tool_usage_results entry goes to its call (same card id) */
    "UPDATE steps SET result = ?3 WHERE rowid = (SELECT rowid FROM steps WHERE message_id = ?1 AND "
    "step = ?2 AND result IS NULL AND call_id = json_extract(?3, '$.tool_usage_card_id') ORDER BY n "
    "LIMIT 1)",
    "INSERT OR REPLACE INTO projects (id, name, created, json) VALUES (?1, ?2, ?3, ?4)",
};

typedef struct S_db {
    gx_mem mem;
    void (*report)(void *ud, const char *text);
    void *report_ud;
    grokx_file *file; /* the lock and the temporary, committed at end_export */
    char *path;
    sqlite3 *db;
    sqlite3_stmt *q[Q_N];
    int fresh;    /* a new database: indexes, FTS and triggers at the end */
    int inplace;  /* an update: the user's file, in one transaction */
    int known;    /* the conversation being stored had a previous version */
    int in_batch; /* a transaction is open */
    unsigned batch;
    int committed;
    char *export_name;
    /* the row being built: hashed (digest) or bound and stepped */
    int hashing;
    uint64_t h;
    sqlite3_stmt *st;
    int arg;
    gx_jw *models;
    gx_buf id; /* the message id stored (its own, or one made unique) */
    unsigned long n_new, n_updated, n_unchanged, n_projects;
    unsigned long long n_messages;
    char why[512];
} S_db;

static int
S_fail(S_db *s, const char *what)
{
    snprintf(s->why, sizeof s->why, "%s: %s: %s", s->path, what, s->db ? sqlite3_errmsg(s->db) : "?");
    return GROKX_E_IO;
}

static int
S_exec(S_db *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(s->why, sizeof s->why, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return GROKX_E_IO;
}

/* ---- a row: the same walk digests a conversation and stores it ------- */

static void
S_mix(S_db *s, unsigned tag, const void *p, size_t n)
{
    /* per value: its type, length and XXH64, chained */
    s->h = (s->h ^ gx_hash64(p, n)) * 0x100000001b3ull + ((uint64_t)n << 3 | tag);
}

static void
S_row(S_db *s, int q)
{
    s->st = s->q[q];
    s->arg = 1;
}

static void
S_text(S_db *s, const char *p, size_t n)
{
    if (s->hashing)
        S_mix(s, 1, p, n);
    else
        sqlite3_bind_text64(s->st, s->arg, p, n, SQLITE_TRANSIENT, SQLITE_UTF8);
    s->arg++;
}

static void
S_str(S_db *s, grokx_str v)
{
    S_text(s, v.ptr, v.len);
}

/* An absent value: NULL, not "". */
static void
S_opt(S_db *s, grokx_str v)
{
    if (v.len)
        S_str(s, v);
    else {
        if (s->hashing)
            S_mix(s, 2, "", 0);
        else
            sqlite3_bind_null(s->st, s->arg);
        s->arg++;
    }
}

static void
S_int(S_db *s, long long v)
{
    if (s->hashing)
        S_mix(s, 3, &v, sizeof v);
    else
        sqlite3_bind_int64(s->st, s->arg, v);
    s->arg++;
}

/* ISO 8601 in UTC with the fraction the export gave (3 digits at least),
 * as md and events print it; NULL when absent. */
static void
S_time(S_db *s, grokx_time t, uint32_t ns, int digits)
{
    char buf[40];
    grokx_str v = {"", 0};
    if (t != GROKX_TIME_NONE) {
        gx_time_format_fine(t, ns, digits, buf);
        v.ptr = buf, v.len = strlen(buf);
    }
    S_opt(s, v);
}

/* Whether v is empty or only white space. */
static int
S_blank(grokx_str v)
{
    size_t i;
    for (i = 0; i < v.len; i++)
        if (!strchr(" \t\r\n", v.ptr[i]))
            return 0;
    return 1;
}

/* The folders of path that are missing, made 0700 as md makes OUT (a
 * file's parent, not the file). 0, or errno's value. */
static int
S_parents(const char *path)
{
    char *p = gx_strdup(path), *q;
    int e = 0;
    if (!p)
        return ENOMEM;
    for (q = strchr(p + 1, '/'); q && !e; q = strchr(q + 1, '/')) {
        struct stat st;
        *q = 0;
        if (stat(p, &st) != 0 && errno == ENOENT && mkdir(p, 0700) != 0 && errno != EEXIST)
            e = errno;
        *q = '/';
    }
    free(p);
    return e;
}

/* Run the bound row (nothing when hashing). */
static int
S_step(S_db *s, const char *what)
{
    int rc;
    if (s->hashing)
        return 0;
    rc = sqlite3_step(s->st);
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : S_fail(s, what);
}

/* The id a message is stored under when its own is empty or taken (a
 * duplicate _id): "<conversation id>#<position>", then "#2", "#3"... after
 * it, should that be taken too. */
static int
S_derived_id(S_db *s, const grokx_conversation *c, size_t pos, unsigned k)
{
    s->id.len = 0;
    if (gx_buf_put(&s->id, c->id.ptr, c->id.len) ||
        (k ? gx_buf_printf(&s->id, "#%zu#%u", pos, k + 1) : gx_buf_printf(&s->id, "#%zu", pos)))
        return GROKX_E_NOMEM;
    return 0;
}

/* The message's row; s->id gets the id it is stored under (the digest
 * hashes the export's own). */
static int
S_message_row(S_db *s, const grokx_conversation *c, const grokx_message *m, size_t pos)
{
    static const char *const roles[] = {"user", "assistant", "system"};
    const char *role = roles[m->role == GROKX_ROLE_USER ? 0 : m->role == GROKX_ROLE_SYSTEM ? 2 : 1];
    unsigned tries = 0;
    int rc;
    s->id.len = 0;
    if (gx_buf_put(&s->id, m->id.ptr, m->id.len))
        return GROKX_E_NOMEM;
    if (!s->hashing && !m->id.len && (rc = S_derived_id(s, c, pos, tries++)) != 0)
        return rc;
    for (;;) {
        S_row(s, Q_MSG);
        S_text(s, s->id.ptr, s->id.len);
        S_str(s, c->id);
        S_opt(s, m->parent_id);
        S_str(s, m->sender);
        S_text(s, role, strlen(role));
        S_opt(s, m->model);
        S_time(s, m->create_time, m->create_ns, m->create_digits);
        S_str(s, m->text);
        S_opt(s, m->thinking);
        S_int(s, (m->flags & GROKX_MSG_ACTIVE) != 0);
        S_int(s, (long long)pos);
        if ((rc = S_step(s, "messages")) != 0)
            return rc;
        if (s->hashing)
            return 0;
        if (sqlite3_changes(s->db) == 1) { /* a later duplicate id may not take it again */
            S_row(s, Q_OLD_TAKEN);
            S_text(s, s->id.ptr, s->id.len);
            return S_step(s, "grokx_old");
        }
        if (tries == 1000)
            return snprintf(s->why, sizeof s->why, "%s: no free id for a message of %.64s", s->path,
                            c->id.ptr),
                   GROKX_E_IO;
        if ((rc = S_derived_id(s, c, pos, tries++)) != 0)
            return rc;
    }
}

/* A message's rows of table q from n on: its previous version had more. */
static int
S_trim(S_db *s, int q, long long n)
{
    if (s->hashing || !s->known)
        return 0;
    S_row(s, q);
    S_text(s, s->id.ptr, s->id.len);
    S_int(s, n);
    return S_step(s, "trim");
}

static int
S_results(S_db *s, const grokx_message *m, long long *n)
{
    const grokx_search_result *r;
    size_t i;
    int cited, rc;
    for (cited = 1; cited >= 0; cited--)
        for (i = 0; (r = cited ? grokx_message_cited_result(m, i) : grokx_message_web_result(m, i)); i++) {
            S_row(s, Q_CIT);
            S_text(s, s->id.ptr, s->id.len);
            S_int(s, (*n)++);
            S_int(s, cited);
            S_opt(s, r->title);
            S_opt(s, r->url);
            S_opt(s, r->site_name);
            S_opt(s, r->description.len ? r->description : r->preview);
            if ((rc = S_step(s, "citations")) != 0)
                return rc;
        }
    return S_trim(s, Q_TRIM_CIT, *n);
}

static int
S_steps(S_db *s, const grokx_message *m)
{
    const grokx_step *st;
    const grokx_str *v;
    long long n = 0;
    size_t i, k;
    int rc;
    for (i = 0; (st = grokx_message_step(m, i)); i++) {
        /* a step without calls is a row of its own: its header */
        for (k = 0; (v = grokx_strlist_item(&st->tool_cards, k)) || (k == 0); k++) {
            S_row(s, Q_STEP);
            S_text(s, s->id.ptr, s->id.len);
            S_int(s, n++);
            S_int(s, (long long)i);
            S_opt(s, st->header);
            if (v)
                S_str(s, *v);
            else
                S_opt(s, (grokx_str){"", 0});
            S_opt(s, (grokx_str){"", 0}); /* result: joined below */
            if ((rc = S_step(s, "steps")) != 0)
                return rc;
            if (!v)
                break;
        }
        for (k = 0; (v = grokx_strlist_item(&st->tool_results, k)); k++) {
            S_row(s, Q_RESULT);
            S_text(s, s->id.ptr, s->id.len);
            S_int(s, (long long)i);
            S_str(s, *v);
            if ((rc = S_step(s, "steps")) != 0)
                return rc;
            if (s->hashing || sqlite3_changes(s->db))
                continue;
            /* a result with no call of its own: a row by itself */
            S_row(s, Q_STEP);
            S_text(s, s->id.ptr, s->id.len);
            S_int(s, n++);
            S_int(s, (long long)i);
            S_opt(s, st->header);
            S_text(s, "{}", 2);
            S_str(s, *v);
            if ((rc = S_step(s, "steps")) != 0)
                return rc;
        }
    }
    return S_trim(s, Q_TRIM_STEP, n);
}

static int
S_attachments(S_db *s, const grokx_message *m)
{
    const grokx_str *id, *name, *type;
    size_t i;
    int rc;
    for (i = 0; (id = grokx_strlist_item(&m->file_attachments, i)); i++) {
        name = grokx_strlist_item(&m->file_names, i);
        type = grokx_strlist_item(&m->file_types, i);
        S_row(s, Q_ATT);
        S_text(s, s->id.ptr, s->id.len);
        S_int(s, (long long)i);
        S_opt(s, *id);
        S_opt(s, name ? *name : (grokx_str){"", 0});
        S_opt(s, type ? *type : (grokx_str){"", 0});
        if ((rc = S_step(s, "attachments")) != 0)
            return rc;
    }
    return S_trim(s, Q_TRIM_ATT, (long long)i);
}

/* The models the conversation's messages name, each once, in order of
 * first use, as a JSON array ("[]" when none). */
static int
S_models(S_db *s, const grokx_conversation *c, grokx_str *out)
{
    const grokx_message *m, *o;
    size_t i, j, len;
    int rc;
    gx_jw_reset(s->models);
    rc = gx_jw_begin_array(s->models);
    for (i = 0; !rc && (m = grokx_conversation_message(c, i)); i++) {
        if (!m->model.len)
            continue;
        for (j = 0; j < i && (o = grokx_conversation_message(c, j)); j++)
            if (o->model.len == m->model.len && !memcmp(o->model.ptr, m->model.ptr, m->model.len))
                break;
        if (j == i)
            rc = gx_jw_gstr(s->models, m->model);
    }
    rc |= gx_jw_end_array(s->models);
    out->ptr = gx_jw_text(s->models, &len);
    out->len = len;
    return rc ? GROKX_E_NOMEM : 0;
}

/* Every row of c: hashed into s->h, or stored. */
static int
S_walk(S_db *s, const grokx_conversation *c)
{
    const grokx_message *m;
    grokx_str models;
    size_t i;
    int rc;
    if ((rc = S_models(s, c, &models)) != 0)
        return rc;
    S_row(s, Q_CONV);
    S_str(s, c->id);
    S_str(s, c->title);
    S_time(s, c->create_time, c->create_ns, c->create_digits);
    S_time(s, c->modify_time, c->modify_ns, c->modify_digits);
    S_int(s, c->starred != 0);
    S_str(s, models);
    S_int(s, (long long)c->message_count);
    S_opt(s, S_blank(c->summary) ? (grokx_str){"", 0} : c->summary); /* as md: blank is none */
    S_opt(s, (grokx_str){"", 0}); /* project_id: the model has no link (docs/sqlite.md) */
    if (!s->hashing) /* the export it came from: not part of the digest */
        sqlite3_bind_text(s->st, s->arg, s->export_name, -1, SQLITE_STATIC);
    s->arg++;
    if ((rc = S_step(s, "conversations")) != 0)
        return rc;
    for (i = 0; (m = grokx_conversation_message(c, i)); i++) {
        long long n = 0;
        if ((rc = S_message_row(s, c, m, i)) != 0 || (rc = S_attachments(s, m)) != 0 ||
            (rc = S_results(s, m, &n)) != 0 || (rc = S_steps(s, m)) != 0)
            return rc;
    }
    return 0;
}

/* ---- the writer --------------------------------------------------------- */

static int
S_batch(S_db *s)
{
    int rc;
    if (s->inplace) /* one transaction, begun by S_open, to the end */
        return 0;
    if (s->in_batch && s->batch >= S_BATCH) {
        if ((rc = S_exec(s, "COMMIT")) != 0)
            return rc;
        s->in_batch = 0;
    }
    if (!s->in_batch) {
        if ((rc = S_exec(s, "BEGIN")) != 0)
            return rc;
        s->in_batch = 1, s->batch = 0;
    }
    s->batch++;
    return 0;
}

/* A changed conversation: its previous messages listed in grokx_old (the
 * new version's upserts take theirs off), or, done (back is 1), those
 * left deleted with their rows: the messages no longer in it. */
static int
S_old(S_db *s, grokx_str id, int back)
{
    static const int gone[] = {Q_GONE_ATT, Q_GONE_CIT, Q_GONE_STEP, Q_GONE_MSG, Q_OLD_CLEAR};
    size_t i;
    int rc;
    if (!back) {
        if (s->fresh && (rc = S_exec(s, "CREATE INDEX IF NOT EXISTS messages_conversation_id "
                                        "ON messages(conversation_id)")) != 0)
            return rc; /* an export naming one conversation twice: rare, and no scans */
        S_row(s, Q_OLD_FILL);
        S_str(s, id);
        return S_step(s, "grokx_old");
    }
    for (i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        S_row(s, gone[i]);
        if ((rc = S_step(s, "delete")) != 0)
            return rc;
    }
    return 0;
}

/* The key c is stored under, into key: its id; without one "#<stamp>";
 * for an id that came before in this run "<id>#<stamp>" ("~k" added
 * only for exact ties), as md names the notes of a shared id
 * (gx_layout_key, gx_note_stamp): what is c's own, not its place in the
 * export, so a re-run finds each under the same key. */
static int
S_key(S_db *s, const grokx_conversation *c, char *key, size_t cap, grokx_str *out)
{
    char stamp[32];
    unsigned tie;
    int rc;
    gx_note_stamp(c, stamp, sizeof stamp);
    if (c->id.len) {
        S_row(s, Q_SEEN);
        S_str(s, c->id);
        if ((rc = S_step(s, "grokx_seen")) != 0)
            return rc;
        if (sqlite3_changes(s->db) == 1) {
            *out = c->id;
            return 0;
        }
    }
    for (tie = 1;; tie++) {
        int n = tie > 1 ? snprintf(key, cap, "%.*s#%s~%u", (int)GX_MIN(c->id.len, cap - 48), c->id.ptr, stamp, tie)
                        : snprintf(key, cap, "%.*s#%s", (int)GX_MIN(c->id.len, cap - 48), c->id.ptr, stamp);
        out->ptr = key, out->len = (size_t)n;
        S_row(s, Q_SEEN);
        S_str(s, *out);
        if ((rc = S_step(s, "grokx_seen")) != 0)
            return rc;
        if (sqlite3_changes(s->db) == 1)
            break;
    }
    if (c->id.len && s->report) {
        char line[400];
        snprintf(line, sizeof line,
                 "sqlite: conversation id %.*s is shared by more than one conversation: each is "
                 "kept (this one as %.200s)",
                 (int)GX_MIN(c->id.len, (size_t)120), c->id.ptr, key);
        s->report(s->report_ud, line);
    }
    return 0;
}

static int
S_conversation(void *self, const grokx_conversation *conv)
{
    S_db *s = self;
    sqlite3_stmt *q = s->q[Q_DIGEST_GET];
    grokx_conversation named = *conv;
    const grokx_conversation *c = &named;
    char key[GX_NOTE_KEY_MAX + 48];
    int rc, known = 0;
    uint64_t digest;
    if ((rc = S_batch(s)) != 0 || (rc = S_key(s, conv, key, sizeof key, &named.id)) != 0)
        return rc;
    s->hashing = 1;
    s->h = 0x9e3779b97f4a7c15ull;
    if ((rc = S_walk(s, c)) != 0)
        return rc;
    s->hashing = 0;
    digest = s->h;
    sqlite3_bind_text64(q, 1, c->id.ptr, c->id.len, SQLITE_STATIC, SQLITE_UTF8);
    if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        known = 1;
        if ((uint64_t)sqlite3_column_int64(q, 0) == digest) {
            sqlite3_reset(q);
            s->n_unchanged++;
            return 0;
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return S_fail(s, "grokx_digests");
    if (known && (rc = S_old(s, c->id, 0)) != 0)
        return rc;
    s->known = known;
    rc = S_walk(s, c);
    s->known = 0;
    if (rc != 0 || (known && (rc = S_old(s, c->id, 1)) != 0))
        return rc;
    S_row(s, Q_DIGEST_PUT);
    S_str(s, c->id);
    S_int(s, (long long)digest);
    if ((rc = S_step(s, "grokx_digests")) != 0)
        return rc;
    if (known)
        s->n_updated++;
    else
        s->n_new++;
    s->n_messages += c->message_count;
    return 0;
}

/* A project (the "projects" section): its id, name, time and all of it
 * as JSON. Other sections are not stored. */
static int
S_item(void *self, const grokx_item *it)
{
    S_db *s = self;
    char idx[32];
    int rc;
    if (it->section.len != 8 || memcmp(it->section.ptr, "projects", 8))
        return 0;
    if ((rc = S_batch(s)) != 0)
        return rc;
    S_row(s, Q_PROJECT);
    if (it->id.len)
        S_str(s, it->id);
    else /* no id: its place in the section */
        snprintf(idx, sizeof idx, "#%zu", it->index), S_text(s, idx, strlen(idx));
    S_opt(s, it->name);
    S_time(s, it->create_time, 0, 3);
    S_str(s, it->json);
    if ((rc = S_step(s, "projects")) != 0)
        return rc;
    s->n_projects++;
    return 0;
}

static int
S_begin(void *self, const grokx_export_info *info)
{
    S_db *s = self;
    free(s->export_name);
    s->export_name = gx_strdup(info && info->input_name.len ? info->input_name.ptr : "");
    return s->export_name ? 0 : GROKX_E_NOMEM;
}

static void
S_close_db(S_db *s)
{
    size_t i;
    for (i = 0; i < Q_N; i++) {
        sqlite3_finalize(s->q[i]);
        s->q[i] = NULL;
    }
    if (s->db)
        sqlite3_close(s->db);
    s->db = NULL;
}

static int
S_end(void *self, const grokx_stats *stats)
{
    S_db *s = self;
    char line[256];
    int rc;
    GX_UNUSED(stats);
    if (s->inplace) {
        /* the one transaction: SQLite's journal (rollback or WAL, the
         * user's) makes it all or nothing */
        if ((rc = S_exec(s, "COMMIT")) != 0)
            return rc;
        s->in_batch = 0;
        s->committed = 1;
        S_close_db(s);
        grokx_file_abort(s->file); /* only the lock and an empty placeholder */
        s->file = NULL;
    } else {
        if (s->in_batch && (rc = S_exec(s, "COMMIT")) != 0)
            return rc;
        s->in_batch = 0;
        if (s->fresh && ((rc = S_exec(s, "BEGIN")) != 0 || (rc = S_exec(s, S_finish)) != 0 ||
                         (rc = S_exec(s, "COMMIT")) != 0))
            return rc;
        S_close_db(s);
        if (grokx_file_commit(s->file) != 0) {
            s->file = NULL;
            snprintf(s->why, sizeof s->why, "%s: %s", s->path, strerror(errno));
            return GROKX_E_IO;
        }
        s->file = NULL;
        s->committed = 1;
    }
    if (s->report) {
        snprintf(line, sizeof line,
                 "sqlite: %lu new, %lu updated, %lu unchanged conversations, %llu messages written, "
                 "%lu projects",
                 s->n_new, s->n_updated, s->n_unchanged, s->n_messages, s->n_projects);
        s->report(s->report_ud, line);
    }
    return 0;
}

static void
S_destroy(void *self)
{
    S_db *s = self;
    if (s->db && s->inplace && !s->committed)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); /* the previous database stays */
    S_close_db(s);
    grokx_file_abort(s->file); /* not committed: the previous file stays */
    gx_jw_free(s->models);
    gx_buf_free(&s->id);
    free(s->export_name);
    free(s->path);
    free(s);
}

static const char *
S_why(void *self)
{
    S_db *s = self;
    return s->why[0] ? s->why : NULL;
}

/* Whether the database at path (not empty) is ours: our application_id,
 * and a schema version this library knows. 0, GROKX_E_INVALID with errno
 * EEXIST (another program's database), GROKX_E_VERSION (ours, of another
 * schema: never changed by this one), or GROKX_E_IO. */
static int
S_ours(S_db *s, sqlite3 *old)
{
    sqlite3_stmt *q = NULL;
    long long app = -1, ver = -1;
    if (sqlite3_prepare_v2(old, "PRAGMA application_id", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        app = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(old, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        ver = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (app == -1 || ver == -1) {
        snprintf(s->why, sizeof s->why, "%s: %s", s->path, sqlite3_errmsg(old));
        return GROKX_E_IO;
    }
    if (app != S_APP_ID) {
        snprintf(s->why, sizeof s->why, "exists, not ours: %s (an SQLite database grokx did not write)",
                 s->path);
        errno = EEXIST;
        return GROKX_E_INVALID;
    }
    if (ver != S_SCHEMA_VERSION) {
        snprintf(s->why, sizeof s->why,
                 "%s: a grokx database of schema version %lld, this grokx writes version %d: "
                 "convert into another file",
                 s->path, ver, S_SCHEMA_VERSION);
        errno = EEXIST;
        return GROKX_E_VERSION;
    }
    return 0;
}

/* An update: the user's database itself, in one write transaction taken
 * through SQLite's own locking (BEGIN IMMEDIATE), so another program's
 * connection, WAL or rollback journal, open transaction or later write is
 * SQLite's to order, never lost; the journal mode, the file's mode, owner
 * and links are the user's and stay. Another program holding its write
 * lock is waited for S_BUSY_MS, then named. */
static int
S_open_old(S_db *s)
{
    char pragmas[128];
    int rc;
    if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return S_fail(s, "opening it");
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, S_BUSY_MS);
    /* first: anything that reads the file waits on another's lock */
    rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_BUSY) {
        snprintf(s->why, sizeof s->why,
                 "%s: another program holds the database's write lock (an open write "
                 "transaction: BEGIN IMMEDIATE or EXCLUSIVE, or a long write); waited %d s: try "
                 "again when it has committed or closed",
                 s->path, S_BUSY_MS / 1000);
        errno = EBUSY;
        return GROKX_E_IO;
    }
    if (rc != SQLITE_OK)
        return S_fail(s, "beginning its transaction");
    s->inplace = 1, s->in_batch = 1;
    snprintf(pragmas, sizeof pragmas, "PRAGMA cache_size = -%s; PRAGMA foreign_keys = OFF;",
             S_CACHE_KIB);
    if ((rc = S_exec(s, pragmas)) != 0)
        return rc;
    /* read under the lock: another program's EXCLUSIVE was waited for */
    return S_ours(s, s->db);
}

static int
S_open(S_db *s, const grokx_writer_config *cfg)
{
    static const char sig[] = GX_SQLITE_SIGNATURE;
    char pragmas[256];
    struct stat st;
    size_t i;
    int rc;
    if (cfg->input && gx_input_path(cfg->input)) {
        grokx_error err;
        if (grokx_output_check(gx_input_path(cfg->input), s->path, &err) != 0) {
            snprintf(s->why, sizeof s->why, "%s", err.text);
            errno = EINVAL;
            return GROKX_E_INVALID;
        }
    }
    if (stat(s->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(s->why, sizeof s->why,
                 "%s is a folder: sqlite writes a file; name the database (e.g. %s/chats.db)",
                 s->path, s->path);
        errno = EISDIR;
        return GROKX_E_INVALID;
    }
    if ((rc = S_parents(s->path)) != 0) {
        snprintf(s->why, sizeof s->why, "%s: making its folder: %s", s->path, strerror(rc));
        errno = rc;
        return rc == ENOMEM ? GROKX_E_NOMEM : GROKX_E_IO;
    }
    /* the lock, the signature (an SQLite file or an empty one), a dead
     * run's temporaries swept, our temporary made (empty: SQLite takes an
     * empty file for a new database) */
    if (!(s->file = grokx_file_open_ours(s->path, 0600, GROKX_FILE_FSYNC | GROKX_FILE_LOCK, sig,
                                         sizeof sig))) {
        int e = errno;
        if (e == EEXIST)
            snprintf(s->why, sizeof s->why, "exists, not ours: %s", s->path);
        else
            snprintf(s->why, sizeof s->why, "%s: %s", s->path, strerror(e));
        errno = e;
        return e == EEXIST ? GROKX_E_INVALID : e == ENOMEM ? GROKX_E_NOMEM : GROKX_E_IO;
    }
    s->fresh = !(stat(s->path, &st) == 0 && st.st_size > 0);
    if (!s->fresh) {
        if ((rc = S_open_old(s)) != 0)
            return rc;
        goto prepare;
    }
    if (sqlite3_open_v2(gx_file_temp(s->file), &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return S_fail(s, "opening its temporary");
    sqlite3_extended_result_codes(s->db, 1);
    /* the temporary is thrown away on any failure: no journal, no syncs */
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; "
             "PRAGMA cache_size = -%s; PRAGMA foreign_keys = OFF;",
             S_CACHE_KIB);
    if ((rc = S_exec(s, pragmas)) != 0)
        return rc;
    if ((rc = S_exec(s, S_schema)) != 0)
        return rc;
prepare:
    if ((rc = S_exec(s, "CREATE TEMP TABLE grokx_old (id TEXT PRIMARY KEY); "
                        "CREATE TEMP TABLE grokx_seen (id TEXT PRIMARY KEY)")) != 0)
        return rc;
    for (i = 0; i < Q_N; i++)
        if (sqlite3_prepare_v3(s->db, S_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) !=
            SQLITE_OK)
            return S_fail(s, "preparing its statements");
    return 0;
}

int
gx_writer_sqlite_new(const grokx_writer_config *cfg, grokx_writer **out, grokx_error *err)
{
    static const grokx_writer_vtable vt = {GROKX_ABI_VERSION, S_begin, S_conversation, S_item,
                                           S_end, S_destroy, S_why};
    S_db *s;
    int rc;
    if (!cfg->out_dir || !*cfg->out_dir)
        return gx_err_set(err, GROKX_E_INVALID,
                          "sqlite writes a file: give its path as out_dir (it cannot stream)");
    if (!(s = calloc(1, sizeof *s)))
        return GROKX_E_NOMEM;
    gx_mem_init(&s->mem, NULL, NULL, 0);
    gx_buf_init(&s->id, &s->mem);
    s->report = cfg->report;
    s->report_ud = cfg->report_ud;
    s->path = gx_strdup(cfg->out_dir);
    s->models = gx_jw_new(&s->mem, 0);
    s->export_name = gx_strdup("");
    if (!s->path || !s->models || !s->export_name) {
        S_destroy(s);
        return GROKX_E_NOMEM;
    }
    if ((rc = S_open(s, cfg)) != 0) {
        int e = errno;
        gx_err_set(err, rc, "%s", s->why);
        S_destroy(s);
        errno = e;
        return rc;
    }
    if ((rc = grokx_writer_wrap(&vt, s, out)) != 0) {
        S_destroy(s);
        return rc;
    }
    return 0;
}
