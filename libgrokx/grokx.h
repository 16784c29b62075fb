/*
 * grokx.h -- libgrokx: stream an xAI Grok data export into writers.
 *
 * This header is the manual. Everything an embedder may use is declared
 * here, with its contract.
 *
 * THE MODEL
 *   An export (prod-grok-backend.json) holds conversations; a conversation
 *   holds messages (the export calls them "responses") that form a tree via
 *   parent ids. libgrokx reads the export as a stream, holds ONE conversation
 *   at a time, orders it (see "Ordering" below) and hands it whole to a
 *   writer. Items of the other top-level sections (projects, tasks,
 *   media_posts, and any section it does not know) reach the writer as
 *   grokx_item, one at a time.
 *
 * STREAMING RULES (push API)
 *   - grokx_parser_feed(p, buf, len) may be called with any number of bytes,
 *     down to one at a time; the parser copies what it needs, so buf may be
 *     reused as soon as the call returns. Results do not depend on how the
 *     input is split: writers see the same calls, errors report the same
 *     positions.
 *   - Writer callbacks run inside feed() and finish(). A conversation is
 *     delivered when its closing brace has been read (so possibly during a
 *     later feed() than the one that held most of its bytes).
 *   - grokx_parser_finish(p) signals end of input; it fails if the document
 *     is incomplete. After finish() or any error, feed() and finish()
 *     return the same error again (or GROKX_E_STATE after a success).
 *   - Every function returns 0 (GROKX_OK) on success and a negative
 *     GROKX_E_* code on failure; grokx_parser_error() then says what and
 *     where. Warnings (a skipped item, a repaired string) never stop the
 *     parse; they go to options.warning and are counted in grokx_stats.
 *
 * MEMORY
 *   Peak memory is bounded by the options, not by the size of the export:
 *       peak <= read_slice_max + 2 * max_string + max_conversation
 *               + max_depth + ~64 KiB
 *   In practice: the bytes of the largest conversation, plus one token.
 *   A conversation larger than max_conversation is skipped with a warning
 *   (GROKX_W_CONVERSATION_TOO_LARGE); a string or number longer than
 *   max_string is an error. A value the parser skips (an unknown key's,
 *   a wrong type's) or an item it captures that nests deeper than
 *   max_depth is skipped with GROKX_W_TOO_DEEP (up to 2^20 levels, which
 *   cost yajl 1 MiB); a field it reads that deep is an error.
 *
 * STRINGS
 *   Every grokx_str handed to a writer is valid UTF-8, NUL-terminated
 *   (ptr[len] == 0), and holds no interior NUL: invalid UTF-8 (including
 *   overlongs, surrogates, code points above U+10FFFF) and U+0000 are
 *   replaced by U+FFFD, with one warning per affected string. ptr is never
 *   NULL ("" when absent). Strings and every other pointer in a callback's
 *   arguments are valid during that call only.
 *
 * ARRAYS (how to walk the model so a later library still fits)
 *   The library fills the model (grokx_conversation, grokx_message, ...)
 *   and may append fields to its structs in a later version. A program
 *   that indexes an array of them (c->messages[i]) computes the address
 *   with its own compile-time struct size, which is then wrong for every
 *   element after the first. So reach element i of every public array
 *   through its accessor: it uses the library's size, and returns NULL
 *   past the end (or for a NULL owner):
 *       const grokx_message *m;
 *       for (size_t i = 0; (m = grokx_conversation_message(c, i)); i++)
 *           ...m->id, m->text...
 *   The accessors: grokx_conversation_message, grokx_message_agent_trace,
 *   grokx_message_step, grokx_message_web_result,
 *   grokx_message_cited_result, grokx_step_web_result, grokx_strlist_item,
 *   grokx_hit_highlight, grokx_results_hit. Fields are only ever appended,
 *   so the element they return reads correctly through an older header.
 *   The *_count fields stay. (The library's own code indexes directly: it
 *   is compiled with the same header.)
 *
 * ERRORS AND CONSTRUCTORS (the rule)
 *   - A function that can fail returns an int: GROKX_OK (0), or a negative
 *     GROKX_E_* code that says why.
 *   - A function that makes a handle gives it through its pointer-to-
 *     pointer argument out, and sets *out to NULL when it fails. When the
 *     reason needs words (a file that is no export, a damaged index, a
 *     query), it fills the caller's grokx_error *err, its last argument
 *     (may be NULL).
 *   - A caller's struct with another abi_version is GROKX_E_VERSION; a
 *     NULL handle or a bad argument GROKX_E_INVALID; memory GROKX_E_NOMEM.
 *   Kept as they are: grokx_summary_new, grokx_writer_tee_new and
 *   grokx_writer_thread_new return the handle or NULL: they fail only when
 *   memory runs out or an argument is NULL, so NULL says enough.
 *   grokx_writer_create has no err: grokx_writer_open is the same with one.
 *   grokx_parser_new, grokx_writer_new and grokx_writer_filter_new return
 *   NULL for a wrong abi_version too, which NULL cannot tell from lack of
 *   memory: use grokx_parser_create, grokx_writer_wrap and
 *   grokx_writer_filter_create; the _new forms are kept for compatibility.
 *   grokx_file_open and grokx_file_commit report as open(2) and rename(2)
 *   do, with errno (EEXIST, EWOULDBLOCK, ENOSPC): what a caller prints
 *   beside the path.
 *
 * THREADS
 *   No global state. Handles are independent; use one handle from one
 *   thread at a time. Exceptions: an input's attachments may be read on
 *   one other thread while the input parses (the writers of
 *   grokx_writer_thread_new() do), and an index may be searched from
 *   many threads.
 */
#ifndef GROKX_H
#define GROKX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define GROKX_API __attribute__((visibility("default")))
#else
#define GROKX_API
#endif

/* ---- Version --------------------------------------------------------- */

#define GROKX_VERSION_MAJOR 0
#define GROKX_VERSION_MINOR 1
#define GROKX_VERSION_PATCH 0
#define GROKX_VERSION_STRING "0.1.0"
/* major << 16 | minor << 8 | patch, comparable with < and >. */
#define GROKX_VERSION_NUM                                                   \
    ((GROKX_VERSION_MAJOR << 16) | (GROKX_VERSION_MINOR << 8) | GROKX_VERSION_PATCH)

/* The ABI version of the structs the caller fills (grokx_options,
 * grokx_writer_vtable). Set their abi_version field to this value; a
 * library built for another ABI refuses them with GROKX_E_VERSION. */
#define GROKX_ABI_VERSION 1u

/* The version of the library actually linked, as GROKX_VERSION_NUM. */
GROKX_API unsigned grokx_version(void);
GROKX_API const char *grokx_version_string(void);

/* ---- Return codes ---------------------------------------------------- */

enum {
    GROKX_OK = 0,
    GROKX_E_NOMEM = -1,   /* an allocation failed or a memory cap was hit */
    GROKX_E_SYNTAX = -2,  /* the input is not well-formed JSON */
    GROKX_E_LIMIT = -3,   /* max_depth or max_string exceeded */
    GROKX_E_SCHEMA = -4,  /* well-formed JSON but not a Grok export */
    GROKX_E_IO = -5,      /* reading the input or writing output failed */
    GROKX_E_WRITER = -6,  /* a writer callback returned non-zero */
    GROKX_E_STATE = -7,   /* call out of order (feed after finish, ...) */
    GROKX_E_VERSION = -8, /* abi_version of a caller struct is unsupported */
    GROKX_E_INVALID = -9, /* bad argument (NULL handle, unknown format) */
    GROKX_E_TRUNCATED = -10, /* the input ended inside the document */
    GROKX_E_NOTFOUND = -11,  /* no backend JSON in the export, or no such asset */
    GROKX_E_ARCHIVE = -12,   /* a corrupt, truncated or unsupported ZIP or gzip */
    GROKX_E_CANCELLED = -13, /* options.progress asked to stop */
    GROKX_E_CORRUPT = -14,   /* a search index is damaged, truncated or not one */
    GROKX_E_QUERY = -15      /* a search query cannot be read */
};

/* A static, never-NULL English description of a GROKX_E_* code. */
GROKX_API const char *grokx_strerror(int code);

/* ---- Errors and warnings -------------------------------------------- */

/* Warning codes, passed in grokx_error.code to options.warning. */
enum {
    GROKX_W_UTF8_REPAIRED = 1,          /* invalid UTF-8 or NUL -> U+FFFD */
    GROKX_W_WRONG_TYPE = 2,             /* a known field had the wrong JSON type */
    GROKX_W_BAD_TIME = 3,               /* a time field could not be read */
    GROKX_W_ITEM_SKIPPED = 4,           /* a non-object response/conversation */
    GROKX_W_CONVERSATION_TOO_LARGE = 5, /* skipped: over max_conversation */
    GROKX_W_DUPLICATE_ID = 6,           /* two messages share an _id */
    GROKX_W_CYCLE = 7,                  /* parent links form a cycle */
    GROKX_W_DUPLICATE_KEY = 8,          /* a known key appeared twice */
    GROKX_W_MISSING_ID = 9,             /* a conversation without an id */
    GROKX_W_UNLINKED = 10,              /* a message whose parent is not named or not in the
                                           export, placed where its time puts it (see Ordering) */
    GROKX_W_TOO_DEEP = 11,              /* a skipped or captured value nested past max_depth: skipped */
    GROKX_W_ARCHIVE_MEMBER = 12,        /* a member of the ZIP (or folder) that is not read (a
                                           symlink, encrypted, sizes past the file, ...) or whose
                                           local header disagrees with the central directory */
    GROKX_W_NO_MESSAGES = 13,           /* a conversation held content that should have given
                                           messages (responses[] entries, or messages[],
                                           mapping, chat_messages of another app's format) but
                                           none was read; it is delivered without messages */
    GROKX_W_TIME_ORDER = 14             /* turns ordered by time (no parent links), not by the
                                           file; or links and times disagree (see Ordering) */
};

#define GROKX_ERROR_TEXT_MAX 320

/* An error or warning, with its position in the input. A fixed-size record
 * kept in the handle, so reporting never allocates. */
enum { GROKX_ORIGIN_INPUT = 0, GROKX_ORIGIN_WRITER = 1 };

typedef struct grokx_error {
    int code;         /* GROKX_E_* for errors, GROKX_W_* for warnings */
    int origin;       /* GROKX_ORIGIN_*: the input (or the parser), or a writer */
    uint64_t offset;  /* byte offset in the JSON, 0-based */
    uint64_t line;    /* 1-based; lines end at '\n'; 0 when unknown */
    uint64_t column;  /* 1-based, in bytes; 0 when unknown */
    /* One line of text without the "program:" prefix, e.g.
     * "byte 1234 (line 1, column 1235): unexpected end of input". The
     * input's bytes never appear raw in it: controls are escaped. */
    char text[GROKX_ERROR_TEXT_MAX];
} grokx_error;

/* ---- Model ----------------------------------------------------------- */

/* UTF-8 text: see STRINGS above. */
typedef struct grokx_str {
    const char *ptr;
    size_t len;
} grokx_str;

/* Milliseconds since 1970-01-01T00:00:00Z; GROKX_TIME_NONE when absent. */
typedef int64_t grokx_time;
#define GROKX_TIME_NONE INT64_MIN

typedef struct grokx_strlist {
    const grokx_str *items;
    size_t count;
} grokx_strlist;

/* Who speaks. SYSTEM: sender "system" (any case), instructions given to
 * Grok rather than a turn of either side (shown as "System"). */
typedef enum grokx_role {
    GROKX_ROLE_USER = 0,
    GROKX_ROLE_ASSISTANT = 1,
    GROKX_ROLE_SYSTEM = 2
} grokx_role;

typedef struct grokx_search_result {
    grokx_str url, title, preview;
    /* Appended in 0.1: a result's "description" and "site_name" ("" when
     * absent). Read them only through a library that has them (an older
     * one's results are shorter: walk them with the accessors). */
    grokx_str description, site_name;
} grokx_search_result;

typedef struct grokx_agent_trace {
    grokx_str agent_id, text;
} grokx_agent_trace;

/* One step of a tool-using answer (DeepSearch, agent mode). */
typedef struct grokx_step {
    grokx_str header, summary;
    /* tagged_text entries in tag_order first, then the others in file
     * order; names[i] pairs with texts[i]. */
    grokx_strlist tag_names, tag_texts;
    /* tool_usage_cards and tool_usage_results, each element as compact
     * JSON text, in file order. */
    grokx_strlist tool_cards, tool_results;
    /* The step's own hits; real exports repeat them in the message's
     * web_results, so writers usually show only one of the two. */
    const grokx_search_result *web_results;
    size_t web_result_count;
    grokx_strlist xpost_ids; /* "x_posts_ids" (sic) */
} grokx_step;

/* Message flags. */
#define GROKX_MSG_PARTIAL 0x1u      /* partial: true (interrupted turn) */
#define GROKX_MSG_ACTIVE 0x2u       /* on the active branch */
#define GROKX_MSG_DUPLICATE_ID 0x4u /* its _id was already used */
#define GROKX_MSG_SHARED_PUBLIC 0x8u /* share_link.is_public: true */

typedef struct grokx_message {
    grokx_str id;        /* "_id" */
    grokx_str parent_id; /* "parent_response_id" as written, "" if none */
    grokx_role role;     /* "human" or "user" (any case) -> USER, "system" -> SYSTEM,
                            else ASSISTANT */
    grokx_str sender;    /* "sender" as written */
    grokx_str text;      /* "message": Markdown, may embed <grok:render> etc. */
    /* metadata.request_metadata.resolved_model if present, else "model". */
    grokx_str model;
    grokx_str model_picker; /* "model" as written (may be a UI picker) */
    grokx_time create_time;
    grokx_str thinking; /* "thinking_trace" */
    grokx_time thinking_start, thinking_end;
    const grokx_agent_trace *agent_traces;
    size_t agent_trace_count;
    const grokx_step *steps;
    size_t step_count;
    const grokx_search_result *web_results;   /* "web_search_results" */
    size_t web_result_count;
    const grokx_search_result *cited_results; /* "cited_web_search_results" */
    size_t cited_result_count;
    grokx_strlist xpost_ids, webpage_urls, generated_image_urls;
    /* asset ids; an attachment given as an object ({"name", "mime_type",
     * "asset_id"} and the like) gives its id here ("" when it has none)
     * and its name and type in file_names and file_types, appended below */
    grokx_strlist file_attachments;
    grokx_strlist card_attachments;  /* each a JSON text, as in the export */
    grokx_strlist media_types;
    grokx_str image_edit_uri, query, query_type, error;
    grokx_str share_link_id; /* from the wrapper's share_link, "" if none */
    unsigned flags;          /* GROKX_MSG_* */
    /* Tree position in the order delivered (see Ordering). parent is an
     * index into grokx_conversation.messages, or -1 for a root (or when the
     * parent is not among the delivered messages). */
    long parent;
    unsigned depth;          /* 0 for roots */
    unsigned sibling_index;  /* 0-based among its parent's children */
    unsigned sibling_count;  /* >1: regenerations or edits at this turn */
    size_t file_index;       /* position in the export's responses array */
    /* Appended in 0.1 (issue 27): create_time as precise as the export
     * gave it. create_time stays milliseconds; create_ns is what the
     * export held past that millisecond (0-999999 ns), create_digits how
     * many fraction-of-second digits it gave (0-9: an ISO fraction's own
     * count; a number: 0 for seconds, 3 ms, 6 us, 9 ns, plus its fraction;
     * {seconds, nanos}: 9). Writers print max(3, create_digits) digits. */
    uint32_t create_ns;
    uint8_t create_digits;
    /* Appended in 0.1: file_attachments' names and types, parallel to it
     * (file_names.items[i] names file_attachments.items[i]; "" when the
     * export gives none, as for an attachment given as a bare id). */
    grokx_strlist file_names, file_types;
} grokx_message;

/* Ordering. By default a conversation holds its ACTIVE BRANCH only: the
 * chain from a root to leaf_response_id when it names a message, else to
 * the newest leaf (largest create_time; ties: later in the file). With
 * GROKX_OPT_ALL_BRANCHES it holds every message, depth-first from the roots,
 * children by create_time then file position; the active branch is marked
 * with GROKX_MSG_ACTIVE. No turn is ever dropped or hidden by a lost link:
 *   - Links decide. Times closer than a second are one moment (an answer is
 *     often stamped a few ms before its question) and never overrule them.
 *   - The earliest root starts the conversation; roots of its role naming
 *     the same missing parent as it are other versions of the first turn.
 *     Any other root (no parent named, or one the export does not hold) goes where its
 *     time puts it, with GROKX_W_UNLINKED: an answer after the latest
 *     question before it, a question after the latest turn before it that
 *     ends a chain; when nothing before it ends one, after the newest turn
 *     that does. (Versions of one answer find the same question so.)
 *   - An id used twice: a link to it goes to the latest message of that id
 *     stamped before the linking one (GROKX_W_DUPLICATE_ID).
 *   - When no message has a resolvable parent link, the turns are ordered by
 *     time (file order breaks ties, a question goes before an answer stamped
 *     less than a second before it), each question following the turn before
 *     it and each answer the question before it (answers in a row are
 *     versions of one answer); GROKX_W_TIME_ORDER when that differs from
 *     the file's order. Unstamped turns keep their place after the turn
 *     before them in the file.
 *   - A message stamped a second or more before its parent: links decide,
 *     GROKX_W_TIME_ORDER once per conversation.
 * Cycles are broken (with a warning), so every message is delivered exactly
 * once. */
typedef struct grokx_conversation {
    grokx_str id, title;
    grokx_time create_time, modify_time;
    int starred, temporary;     /* 0 or 1 */
    grokx_str leaf_response_id; /* as written, "" if null */
    grokx_str system_prompt_name, summary, user_id;
    const grokx_message *messages; /* walk with grokx_conversation_message() */
    size_t message_count;
    size_t node_count;   /* messages in the export, all branches */
    size_t fork_count;   /* messages (or roots) with more than one child */
    size_t index;        /* 0-based position among the export's conversations */
    uint64_t byte_offset; /* input offset just past its opening brace */
    /* Appended in 0.1 (issue 27). create_time and modify_time as precise
     * as the export gave them: as grokx_message.create_ns/create_digits. */
    uint32_t create_ns, modify_ns;
    uint8_t create_digits, modify_digits;
    /* GROKX_CONV_*: which fields the parser filled in itself (see
     * "Fallbacks" below), so a writer can tell them from the export's. */
    unsigned flags;
} grokx_conversation;

/* Fallbacks, filled after the conversation is ordered, each flagged:
 * - create_time absent (or unreadable): the earliest message time, over
 *   all branches (GROKX_CONV_CREATE_DERIVED);
 * - modify_time earlier than a message's time: the latest message time
 *   (GROKX_CONV_MODIFY_DERIVED); an absent one stays absent;
 * - title: always trimmed of white space at both ends; blank: the start
 *   of the first question (its first line, markup markers dropped, cut at
 *   a word boundary near 60 characters, "..." added when cut), else the
 *   summary (the same way); else left "" (writers show "Untitled")
 *   (GROKX_CONV_TITLE_DERIVED).
 * GROKX_CONV_NO_MESSAGES: the export's entries for it gave no message
 * (GROKX_W_NO_MESSAGES was warned); writers say so rather than show an
 * empty conversation. */
#define GROKX_CONV_CREATE_DERIVED 0x1u
#define GROKX_CONV_MODIFY_DERIVED 0x2u
#define GROKX_CONV_TITLE_DERIVED 0x4u
#define GROKX_CONV_NO_MESSAGES 0x8u

/* Element i of the model's arrays, or NULL past the end (see ARRAYS):
 * walk them with these, never with [i], so a later library's larger
 * structs do not break the program. */
GROKX_API const grokx_message *grokx_conversation_message(const grokx_conversation *c, size_t i);
GROKX_API const grokx_agent_trace *grokx_message_agent_trace(const grokx_message *m, size_t i);
GROKX_API const grokx_step *grokx_message_step(const grokx_message *m, size_t i);
GROKX_API const grokx_search_result *grokx_message_web_result(const grokx_message *m, size_t i);
GROKX_API const grokx_search_result *grokx_message_cited_result(const grokx_message *m, size_t i);
GROKX_API const grokx_search_result *grokx_step_web_result(const grokx_step *s, size_t i);
/* The i-th string of a list (a message's xpost_ids, file_attachments, ...,
 * a step's tag_names, ...). */
GROKX_API const grokx_str *grokx_strlist_item(const grokx_strlist *l, size_t i);

/* An item of another top-level section. */
typedef struct grokx_item {
    grokx_str section; /* "projects", "tasks", "media_posts", or another key */
    size_t index;      /* position in the section's array (0 for a scalar) */
    grokx_str json;    /* the item as compact JSON (strings repaired) */
    grokx_str id;      /* "id" / "workspace_id" when present, else "" */
    grokx_str name;    /* "name" / "title" / "original_prompt", else "" */
    grokx_time create_time;
} grokx_item;

typedef struct grokx_export_info {
    grokx_str input_name; /* options.input_name, "" if unset */
} grokx_export_info;

typedef struct grokx_stats {
    uint64_t bytes;              /* input bytes read */
    uint64_t conversations;      /* delivered to the writer */
    uint64_t conversations_skipped;
    uint64_t messages;           /* all nodes of delivered conversations */
    uint64_t items;              /* grokx_item delivered */
    uint64_t warnings;
    uint64_t strings_repaired;
    size_t peak_memory;          /* bytes, as counted by the allocator */
} grokx_stats;

/* ---- Writers --------------------------------------------------------- */

/* A writer receives the export. Every callback is optional (NULL = ignore).
 * A callback returns 0 to continue. A negative GROKX_E_* value stops the
 * parse and becomes its return code (e.g. GROKX_E_IO when output fails);
 * any other non-zero value stops it with GROKX_E_WRITER. The parser's error
 * text then quotes error_text(self) when the writer provides it.
 * The vtable is copied when the writer is created. */
typedef struct grokx_writer_vtable {
    unsigned abi_version; /* GROKX_ABI_VERSION */
    int (*begin_export)(void *self, const grokx_export_info *info);
    int (*conversation)(void *self, const grokx_conversation *conv);
    int (*item)(void *self, const grokx_item *item);
    int (*end_export)(void *self, const grokx_stats *stats);
    /* Called by grokx_writer_free() to release self. */
    void (*destroy)(void *self);
    /* Why the last callback failed, or NULL. */
    const char *(*error_text)(void *self);
} grokx_writer_vtable;

typedef struct grokx_writer grokx_writer; /* opaque */

/* Wrap a vtable and its state into *out: GROKX_E_INVALID if vt or out is
 * NULL, GROKX_E_VERSION if vt has another abi_version, GROKX_E_NOMEM. */
GROKX_API int grokx_writer_wrap(const grokx_writer_vtable *vt, void *self, grokx_writer **out);
/* The same, kept for compatibility: NULL for any of those failures. */
GROKX_API grokx_writer *grokx_writer_new(const grokx_writer_vtable *vt, void *self);
/* Calls vt->destroy(self), then frees the handle. NULL is a no-op. */
GROKX_API void grokx_writer_free(grokx_writer *w);
/* One writer that forwards every call to each of ws[0..n-1] in order,
 * stopping at the first that fails. The tee does not own them. */
GROKX_API grokx_writer *grokx_writer_tee_new(grokx_writer *const *ws, size_t n);

/* A writer that runs inner (not owned; free this one first) on a thread
 * of its own, so the parse goes on while inner writes: each conversation
 * and item is copied and delivered to inner in order, a few at a time
 * (memory: 2 MiB of copies; a conversation over 1 MiB is not copied but
 * delivered on the caller's thread once the queue is empty).
 * begin_export and end_export run on the caller's thread, after every
 * queued call. A failure of inner is returned by a later call, at the
 * latest end_export, and stops delivery. If no thread can be started,
 * inner runs on the caller's thread. Returns NULL if inner is NULL or
 * memory runs out. */
GROKX_API grokx_writer *grokx_writer_thread_new(grokx_writer *inner);

/* Output for writers: write len bytes; return 0, or non-zero to abort. */
typedef struct grokx_sink {
    int (*write)(void *ud, const char *buf, size_t len);
    void *ud;
} grokx_sink;

/* Write text to sink as a terminal may show it: C0 and C1 controls, DEL
 * and the line and paragraph separators U+2028/U+2029 become a space; the
 * bidirectional controls U+202A-U+202E, U+2066-U+2069, U+200E, U+200F and
 * U+061C become U+FFFD; all other bytes pass unchanged. With
 * GROKX_TERMINAL_JSON, text is JSON (a document, or a string's inside with
 * '"', '\\' and C0 already escaped): each of those characters but C0
 * becomes its escape (\u202e), which is the same JSON to a reader. grokx
 * prints every string from an export (titles, names, warnings quoting
 * it) through it. Returns 0, or GROKX_E_IO if the sink failed. */
#define GROKX_TERMINAL_JSON 0x1u
GROKX_API int grokx_terminal_write(grokx_sink sink, const char *text, size_t len, unsigned flags);

/* An output file that appears whole or not at all: written to a temporary
 * name beside path (created with O_EXCL, mode 0600 when mode is 0),
 * then grokx_file_commit() renames it over path (a symlink at path is
 * replaced, never followed; a FIFO, a device or a socket there is never
 * replaced: errno EEXIST), after an fsync when flags has
 * GROKX_FILE_FSYNC. (Writers of thousands of files skip the per-file
 * fsync: each file is still whole or absent.) grokx_file_abort() removes the
 * temporary. Both free f. grokx_file_open returns NULL with errno set. */
#define GROKX_FILE_FSYNC 0x1u
/* GROKX_FILE_LOCK: path is the whole output of a run (an index, an events
 * file). Before the temporary is made, the sibling ".<name>.grokx-lock"
 * (0600, never through a symbolic link) is flocked, exclusive and without
 * waiting, until commit or abort: a second writer of the same path fails
 * with errno EWOULDBLOCK. Commit and abort remove the lock file; a kill -9
 * releases the lock and leaves the file, which the next run takes. Then
 * the temporaries of path a dead run left
 * ("<name>.tmp-<pid>-<n>" whose process is gone) are removed. */
#define GROKX_FILE_LOCK 0x2u
/* GROKX_FILE_OURS_INDEX, GROKX_FILE_OURS_EVENTS: never over a file grokx
 * did not write. A file already at path is replaced only when it is a
 * regular file that is recognisably that output of grokx (an index: its
 * magic bytes, docs/index-format.md; an events file: its first line,
 * {"event":"begin_export"...), or empty; anything else there (another
 * file, a symbolic link, a FIFO, a device, a folder) fails with errno
 * EEXIST before anything (lock or temporary) is made. */
#define GROKX_FILE_OURS_INDEX 0x4u
#define GROKX_FILE_OURS_EVENTS 0x8u
typedef struct grokx_file grokx_file; /* opaque */
GROKX_API grokx_file *grokx_file_open(const char *path, unsigned mode, unsigned flags);
/* grokx_file_open for the output of any single-file format: a file already
 * at path is replaced only when it is a regular file that starts with the
 * sig_len bytes of sig (the format's signature,
 * grokx_writer_format_signature), or is empty; anything else fails with
 * errno EEXIST before anything is made. sig_len 0: no such check (as
 * grokx_file_open without GROKX_FILE_OURS_*; here sig decides, those flags
 * are not read). At most GROKX_FILE_SIG_MAX bytes; EINVAL past that. */
#define GROKX_FILE_SIG_MAX 64
GROKX_API grokx_file *grokx_file_open_ours(const char *path, unsigned mode, unsigned flags,
                                           const void *sig, size_t sig_len);
GROKX_API grokx_sink grokx_file_sink(grokx_file *f);
/* 0, or GROKX_E_IO with errno set (a failed write is reported here). */
GROKX_API int grokx_file_commit(grokx_file *f);
GROKX_API void grokx_file_abort(grokx_file *f);

/* Whether writing out could destroy the export at input: 0 when it
 * cannot; GROKX_E_INVALID, with the reason in *err (may be NULL), when out
 * is the input (the same file by any name: a hard or symbolic link), lies
 * inside the input (an extracted export folder), holds it (a folder out
 * with the input somewhere below it), or climbs with ".." out of a folder
 * that does not exist yet. Decided on devices and inodes of real paths (a
 * not yet existing out by its nearest existing folder), never on how the
 * names are spelled. input "-" is standard input and out "-" standard
 * output, each checked when it is a file (a shell's "1<>in.json" or
 * "< in.json": by its inode, and by its name in /proc on Linux). grokx_writer_create() applies it to cfg.out_dir and cfg.input;
 * an embedder writing a file of its own (grokx_file_open) calls it first,
 * as the grokx command does for every output, before opening any. */
GROKX_API int grokx_output_check(const char *input, const char *out, grokx_error *err);

/* Only some conversations: a writer that passes on to inner (not owned)
 * the conversations matching every condition set. A conversation's date is
 * its create_time, else its first message's; one without a date fails
 * since/until. Items and begin/end always pass. */
typedef struct grokx_filter {
    unsigned abi_version; /* GROKX_ABI_VERSION */
    grokx_time since;     /* keep date >= since; GROKX_TIME_NONE: no bound */
    grokx_time until;     /* keep date < until; GROKX_TIME_NONE: no bound */
    const char *title;    /* substring of the title, ASCII case-insensitive; NULL: any */
    const char *model;    /* substring of some message's model; NULL: any */
    int starred_only;
} grokx_filter;
GROKX_API void grokx_filter_init(grokx_filter *f); /* no conditions */
/* Parse "YYYY-MM-DD" (midnight UTC) or ISO 8601 with time and optional
 * zone, as the export writes them. 0, or GROKX_E_INVALID. *date_only is
 * set when no time was given (may be NULL). */
GROKX_API int grokx_time_parse(const char *s, grokx_time *out, int *date_only);
/* The filter writer into *out: GROKX_E_INVALID if inner, f or out is NULL,
 * GROKX_E_VERSION if f has another abi_version, GROKX_E_NOMEM. */
GROKX_API int grokx_writer_filter_create(grokx_writer *inner, const grokx_filter *f,
                                         grokx_writer **out);
/* The same, kept for compatibility: NULL for any of those failures. */
GROKX_API grokx_writer *grokx_writer_filter_new(grokx_writer *inner, const grokx_filter *f);

/* Built-in writers, by format name: "events" prints one JSON object per
 * line per event (the parser's test oracle) to cfg.sink; "md" writes one
 * Markdown note per conversation into cfg.out_dir, or all of them to
 * cfg.sink; "html" writes an offline site into cfg.out_dir (index.html,
 * one page per conversation, style.css, index.js); "index" writes a
 * search index (docs/index-format.md) to cfg.sink: one document per
 * message delivered, searched with grokx_index_search(); "sqlite" writes
 * an SQLite database (docs/sqlite.md) at the path cfg.out_dir, updating
 * the one already there (GROKX_FORMAT_FILE). */
typedef struct grokx_input grokx_input; /* see "Inputs" below */

/* Writer flags. */
#define GROKX_WF_NO_THINKING 0x1u /* leave thinking traces and steps out */
#define GROKX_WF_FLAT 0x2u        /* all notes in one folder, not YYYY/MM/ */
/* replace notes the user edited since we wrote them (never a file we did
 * not write: md and html leave those alone, reported "exists, not ours") */
#define GROKX_WF_FORCE 0x4u
/* Print times in the local zone (TZ), each with the offset in force on its
 * own date (summer time included); tz_minutes is then ignored. */
#define GROKX_WF_LOCAL_TIME 0x8u
/* Do all the work on the caller's thread. Without it, md and html write
 * their notes and pages on a thread of their own, and index inverts on
 * one. */
#define GROKX_WF_NO_THREADS 0x10u

typedef struct grokx_writer_config {
    unsigned abi_version; /* GROKX_ABI_VERSION */
    grokx_sink sink;      /* where a single-stream format writes */
    grokx_input *input;   /* the export being read, for attachments (may be NULL) */
    /* A folder for formats that write many files (md, html); NULL: the
     * format streams to sink if it can (md does). Created 0700 if missing. */
    const char *out_dir;
    unsigned flags; /* GROKX_WF_* */
    /* File names of notes, from {date} {title} {id} (the first 8 characters
     * of the conversation id); NULL: "{date} {title} ({id})". */
    const char *name_template;
    int tz_minutes; /* offset east of UTC for every time printed */
    /* Called with a line of text a person should see (counts of notes
     * written, notes kept because the user edited them); may be NULL. A
     * line beginning "warning: " says something was left undone (a file
     * that is not grokx's left alone: "warning: exists, not ours: PATH");
     * the grokx command exits 1 after one.
     * Behind grokx_writer_thread_new() it is called on that thread. */
    void (*report)(void *ud, const char *text);
    void *report_ud;
    /* index: bytes of postings held in memory before they are written to
     * a temporary segment (merged at the end); 0: 256 MiB. */
    size_t memory_budget;
    /* index: where temporary segments go (unlinked at once); NULL: $TMPDIR
     * or /tmp. */
    const char *temp_dir;
} grokx_writer_config;

/* Fill c with the defaults (abi_version included, everything else empty). */
GROKX_API void grokx_writer_config_init(grokx_writer_config *c);

/* Create a built-in writer by name; *out receives it. GROKX_E_INVALID for
 * an unknown name, or when cfg.out_dir could destroy cfg.input
 * (grokx_output_check()). A writer of a folder (md, html) holds the
 * exclusive lock cfg.out_dir/.grokx-lock (flock, released by a kill -9)
 * until it is freed: while another run holds it, GROKX_E_IO with errno
 * EWOULDBLOCK. Freeing it removes the lock file, and cfg.out_dir too when
 * the writer made it and left it empty. */
GROKX_API int grokx_writer_create(const char *format, const grokx_writer_config *cfg,
                                  grokx_writer **out);
/* grokx_writer_create, and when it fails err (may be NULL) says why in
 * words: the unknown name and the formats there are, the output that
 * would destroy the input, the folder that cannot be made, the lock held
 * ("... .grokx-lock: held by another run"). */
GROKX_API int grokx_writer_open(const char *format, const grokx_writer_config *cfg,
                                grokx_writer **out, grokx_error *err);
/* What a built-in format writes: *ext the extension of its one output
 * file ("jsonl"), or NULL when it writes a folder (cfg.out_dir); *streams
 * 1 when it can write to cfg.sink instead. Either pointer may be NULL.
 * GROKX_E_INVALID for an unknown name. */
GROKX_API int grokx_writer_format_info(const char *format, const char **ext, int *streams);
/* The i-th built-in format name, or NULL past the end. */
GROKX_API const char *grokx_writer_format_name(size_t i);
/* The bytes every output file of a single-file format begins with (index:
 * its magic; events: {"event":"begin_export"): a file that begins so is
 * that format's output, which grokx_file_open_ours may replace. *sig NULL
 * and *len 0 for a format that writes a folder. GROKX_E_INVALID for an
 * unknown name. */
GROKX_API int grokx_writer_format_signature(const char *format, const void **sig, size_t *len);
/* GROKX_FORMAT_THREAD: the format renders notes or pages, work that a
 * writer thread (grokx_writer_thread_new) takes off the parser's thread;
 * the others gain nothing from one (index has its own). */
#define GROKX_FORMAT_THREAD 0x1u
/* GROKX_FORMAT_FILE: the format writes its one file (ext) itself, by name,
 * as a database must: give the file's path as cfg.out_dir, and no sink
 * (it cannot stream). The writer does what grokx_file_open_ours does for
 * the others: the sibling lock (GROKX_FILE_LOCK; errno EWOULDBLOCK while
 * another run holds it), never over a file that is not its own output
 * (errno EEXIST: the signature, and more the format checks itself),
 * never over cfg.input (grokx_output_check), a temporary beside it
 * renamed over it, after an fsync, at end_export; a run that fails or is
 * killed leaves the previous file as it was. */
#define GROKX_FORMAT_FILE 0x2u
/* GROKX_FORMAT_ALL_BRANCHES: the format keeps every branch and marks the
 * active one itself (sqlite's is_active_branch), so a run of it alone
 * parses with GROKX_OPT_ALL_BRANCHES unless told otherwise. */
#define GROKX_FORMAT_ALL_BRANCHES 0x4u
/* The GROKX_FORMAT_* flags of a built-in format; GROKX_E_INVALID for an
 * unknown name. */
GROKX_API int grokx_writer_format_flags(const char *format, unsigned *flags);

/* ---- Summary (what `grokx info` prints) ----------------------------- */

/* A writer that counts what an export holds: messages by sender and role,
 * models, date range, text bytes, branches, thinking traces, web searches,
 * attachments, and items per section. Give the parser
 * GROKX_OPT_ALL_BRANCHES so every message is counted. */
typedef struct grokx_summary grokx_summary; /* opaque */
GROKX_API grokx_summary *grokx_summary_new(void);
GROKX_API void grokx_summary_free(grokx_summary *s);
/* The writer view of s; owned by s (do not free it). */
GROKX_API grokx_writer *grokx_summary_writer(grokx_summary *s);
/* Print the summary as text or as one JSON object. */
GROKX_API int grokx_summary_print(const grokx_summary *s, int as_json, grokx_sink sink);
/* Also list the files of the export (names and sizes; assets counted). */
GROKX_API int grokx_summary_set_input(grokx_summary *s, grokx_input *in);

/* ---- Parser ---------------------------------------------------------- */

/* The allocator hook, in Lua's style: returns a block of nsize bytes for
 * ptr (NULL: new block; osize is the old size), or frees ptr when
 * nsize == 0 (returning NULL). May return NULL for nsize > 0 to signal
 * failure: the parser then fails with GROKX_E_NOMEM and stays valid for
 * grokx_parser_free(). */
typedef void *(*grokx_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Option flags. */
#define GROKX_OPT_ALL_BRANCHES 0x1u /* deliver every branch, not only the active one */

typedef struct grokx_options {
    unsigned abi_version; /* GROKX_ABI_VERSION */
    unsigned flags;       /* GROKX_OPT_* */
    unsigned max_depth;   /* nesting of what is read; default 512 (see MEMORY) */
    size_t max_string;    /* bytes in one string, key or number; default 64 MiB */
    size_t max_conversation; /* bytes held for one conversation; default 512 MiB */
    size_t max_memory;    /* all allocations of the handle; 0 = no cap */
    grokx_alloc_fn alloc; /* NULL: malloc/realloc/free */
    void *alloc_ud;
    /* Called for each warning (may be NULL). */
    void (*warning)(void *ud, const grokx_error *w);
    void *warning_ud;
    /* The name used in messages and given to writers, e.g. the file name. */
    const char *input_name;
    /* Called after each chunk fed (about every MiB; may be NULL), e.g. for
     * a progress line; stats->bytes counts the JSON's bytes so far. A
     * non-zero return stops the parse with GROKX_E_CANCELLED (e.g. on
     * Ctrl-C: set a flag in the signal handler, return it here). */
    int (*progress)(void *ud, const grokx_stats *stats);
    void *progress_ud;
} grokx_options;

/* Fill o with the defaults (abi_version included). */
GROKX_API void grokx_options_init(grokx_options *o);

typedef struct grokx_parser grokx_parser; /* opaque */

/* A parser that sends the export to w (not owned; must outlive the
 * parser), into *out. opts may be NULL for the defaults; it is copied.
 * GROKX_E_VERSION when opts->abi_version is not GROKX_ABI_VERSION,
 * GROKX_E_INVALID when w or out is NULL, GROKX_E_NOMEM when memory runs
 * out (or max_memory is too small for the parser itself). */
GROKX_API int grokx_parser_create(const grokx_options *opts, grokx_writer *w,
                                  grokx_parser **out);
/* The same, kept for compatibility: NULL for any of those failures. */
GROKX_API grokx_parser *grokx_parser_new(const grokx_options *opts, grokx_writer *w);
GROKX_API void grokx_parser_free(grokx_parser *p);
GROKX_API int grokx_parser_feed(grokx_parser *p, const void *buf, size_t len);
GROKX_API int grokx_parser_finish(grokx_parser *p);
/* The last error (code GROKX_OK if none). Never NULL for a non-NULL p. */
GROKX_API const grokx_error *grokx_parser_error(const grokx_parser *p);
/* Counters so far (final after finish()). */
GROKX_API const grokx_stats *grokx_parser_stats(const grokx_parser *p);

/* Pull helpers: read everything (feed + finish), in large slices, so a
 * pipe or a 5 GB file streams in bounded memory. grokx_parse_fd reads
 * plain JSON from fd; grokx_parse_path takes anything grokx_input_open()
 * does (the export ZIP as downloaded, its folder, the JSON, a .json.gz,
 * "-"). To give writers the export's attachments, use grokx_input. */
GROKX_API int grokx_parse_fd(grokx_parser *p, int fd);
GROKX_API int grokx_parse_path(grokx_parser *p, const char *path);

/* ---- Inputs: the export as downloaded, or extracted -------------------
 *
 * grokx_input_open() accepts the export ZIP itself (the backend JSON is
 * found at any depth and inflated while it is parsed: never extracted,
 * never held whole), the extracted export folder, prod-grok-backend.json,
 * a .json.gz (concatenated members too), or "-" for standard input (plain
 * JSON or gzip). The kind is decided from the bytes, never the name.
 * Nothing but the backend JSON is read unless asked: the account file
 * (e-mail, birth date, IP addresses) is listed by name and size only.
 */
enum {
    GROKX_INPUT_JSON = 1,
    GROKX_INPUT_GZIP = 2,
    GROKX_INPUT_ZIP = 3,
    GROKX_INPUT_FOLDER = 4
};

typedef struct grokx_input_options {
    unsigned abi_version;  /* GROKX_ABI_VERSION */
    /* Most bytes the backend JSON may expand to from a ZIP or gzip, so a
     * bomb ends with a clear error. Default 64 GiB; 0 = default. */
    uint64_t max_expanded;
    /* Most bytes one attachment may expand to. Default 4 GiB. */
    uint64_t max_asset;
} grokx_input_options;

/* Open path; on failure returns a GROKX_E_* code and fills *err (which may
 * be NULL) with what went wrong. opts may be NULL. A file that is no
 * export is GROKX_E_SCHEMA, said from its first bytes ("not a Grok export:
 * this looks like a PDF document"); a ZIP or folder without the backend is
 * GROKX_E_NOTFOUND, with the first names it holds. Each ZIP member's local
 * header is compared with its central record here. */
GROKX_API int grokx_input_open(const char *path, const grokx_input_options *opts,
                               grokx_input **out, grokx_error *err);
/* The same for an export held in memory (a ZIP, gzip or JSON). buf must
 * outlive the input. */
GROKX_API int grokx_input_open_memory(const void *buf, size_t len,
                                      const grokx_input_options *opts, grokx_input **out,
                                      grokx_error *err);
GROKX_API void grokx_input_close(grokx_input *in);
GROKX_API int grokx_input_kind(const grokx_input *in); /* GROKX_INPUT_* */
/* The backend JSON's name for messages, e.g. "export.zip:ttl/30d/.../
 * prod-grok-backend.json", or the path given. */
GROKX_API const char *grokx_input_name(const grokx_input *in);
/* Stream the backend JSON through p (feed + finish). Errors of the
 * container (corrupt ZIP, CRC mismatch, gzip bomb) are reported like the
 * parser's own: grokx_parser_error(p). Once per input. */
GROKX_API int grokx_input_parse(grokx_input *in, grokx_parser *p);
/* How far grokx_input_parse() has read, for a progress bar: *done of
 * *total bytes of the source as stored (the compressed bytes of a ZIP's
 * backend member or of a .json.gz, the JSON's own bytes otherwise), so a
 * percentage and the time left hold for compressed inputs too. *total is
 * 0 when unknown (a pipe). Safe to call from the parser's progress
 * callback while the input is inflated on another thread (the count may
 * run a few MiB ahead of the parser). Returns 0, or GROKX_E_INVALID. */
GROKX_API int grokx_input_position(const grokx_input *in, uint64_t *done, uint64_t *total);

/* The files of an export (ZIP or folder), by name and size only. */
enum {
    GROKX_ENTRY_BACKEND = 1, /* prod-grok-backend.json */
    GROKX_ENTRY_ACCOUNT = 2, /* prod-mc-auth-mgmt-api.json: never read */
    GROKX_ENTRY_BILLING = 3, /* prod-mc-billing.json */
    GROKX_ENTRY_ASSET = 4,   /* prod-mc-asset-server/<asset id>/content */
    GROKX_ENTRY_OTHER = 5
};
typedef struct grokx_entry {
    grokx_str name;     /* path inside the ZIP or folder, as stored */
    uint64_t size;      /* uncompressed bytes */
    int kind;           /* GROKX_ENTRY_* */
    grokx_str asset_id; /* for assets, else "" */
} grokx_entry;
/* Call cb for each file, in archive (or sorted folder) order; a non-zero
 * return stops the walk and is returned. JSON, gzip and stdin inputs
 * have no entries. */
GROKX_API int grokx_input_entries(grokx_input *in,
                                  int (*cb)(void *ud, const grokx_entry *e), void *ud);

/* Attachments: the uploaded files the export keeps as
 * prod-mc-asset-server/<asset id>/content, read from the same ZIP or
 * folder. The type is sniffed from the first bytes (there is no name or
 * MIME type in the export). */
typedef struct grokx_asset grokx_asset; /* opaque */
/* GROKX_E_NOTFOUND when the export does not hold that asset (common:
 * most generated images are not included), or holds it in a member that
 * cannot be read (a symlink, encrypted, sizes past the file: the parse
 * warned about it with GROKX_W_ARCHIVE_MEMBER). Other failures (a corrupt
 * member found in its first bytes, a read error) are errors of the input:
 * grokx_input_asset_error() says which. */
GROKX_API int grokx_asset_open(grokx_input *in, const char *asset_id, grokx_asset **out);
/* Read up to cap bytes; *got == 0 at the end, and only once the member's
 * size and CRC-32 were checked: a mismatch, or deflate data that is not,
 * is GROKX_E_ARCHIVE, more than max_asset GROKX_E_LIMIT. So bytes read
 * are trusted only once *got == 0 came back without an error. A writer
 * that fails with GROKX_E_ARCHIVE makes the parse fail with origin
 * GROKX_ORIGIN_INPUT. */
GROKX_API int grokx_asset_read(grokx_asset *a, void *buf, size_t cap, size_t *got);
/* Why the last grokx_asset_open() or grokx_asset_read() on in failed, one
 * line naming the member ("" after a success or GROKX_E_NOTFOUND). */
GROKX_API const char *grokx_input_asset_error(const grokx_input *in);
GROKX_API uint64_t grokx_asset_size(const grokx_asset *a);
/* e.g. "image/png" and "png"; "application/octet-stream" and "bin" when
 * the bytes say nothing. */
GROKX_API const char *grokx_asset_mime(const grokx_asset *a);
GROKX_API const char *grokx_asset_ext(const grokx_asset *a);
GROKX_API void grokx_asset_close(grokx_asset *a);

/* Sniff a type from the first bytes of a file (up to 4 KiB is enough).
 * Returns the MIME type and sets *ext to a file extension without dot. */
GROKX_API const char *grokx_sniff_type(const void *head, size_t len, const char **ext);

/* ---- One call: convert an export ------------------------------------
 *
 * What `grokx convert` does, in one call: open input (anything
 * grokx_input_open takes), make the writers of formats (a comma-separated
 * list of registry names, "md,index"; NULL: "md"), stream the export
 * through them and commit their outputs.
 *   out   one format: its file (a single-file format: index, events) or
 *         folder (md, html); several: a folder holding one of each
 *         (out/md/, out/index.gxi, ...), as the tool names them. NULL: the
 *         one format given streams to cfg->sink (md, events, index).
 *   opts  the parser's options (branches, warning and progress callbacks,
 *         limits); NULL: the defaults. input_name NULL: the input's name.
 *   cfg   the writers' configuration (flags, name template, zone, report,
 *         index memory); its out_dir and input are set here, its sink read
 *         only when out is NULL. NULL: the defaults.
 *   filter only the conversations it keeps; NULL: all.
 *   stats filled with the parse's counters (may be NULL). grokx_stats
 *         never grows: a later version adds counters through a function.
 * The outputs follow the tool's rules: nothing is written over, inside or
 * around the input (grokx_output_check, GROKX_E_INVALID); a file that is
 * not a format's own output is never replaced and a folder's notes the
 * user edited are kept (GROKX_E_IO, "not ours"); output files appear whole
 * on success and not at all on failure; a second run into the same output
 * fails (GROKX_E_IO, "locked"). Returns 0 or a GROKX_E_* code, with err
 * (may be NULL) saying what and where: for a parse error the parser's own
 * record (offset, line, column, origin). The md and html writers render
 * on a thread of their own unless cfg->flags has GROKX_WF_NO_THREADS.
 * When every format keeps every branch (GROKX_FORMAT_ALL_BRANCHES: sqlite)
 * the parse gives every branch, as the command does by default; otherwise
 * opts->flags decides (GROKX_OPT_ALL_BRANCHES). */
GROKX_API int grokx_convert(const char *input, const char *out, const char *formats,
                            const grokx_options *opts, const grokx_writer_config *cfg,
                            const grokx_filter *filter, grokx_stats *stats, grokx_error *err);

/* ---- Search index ------------------------------------------------------ */

/* An index written by the "index" writer (or grokx_index_merge), opened
 * read-only (memory-mapped). The file is never trusted: a damaged or
 * truncated one gives GROKX_E_CORRUPT with the reason in *err. Searching
 * one handle from several threads at once is safe. */
typedef struct grokx_index grokx_index; /* opaque */
GROKX_API int grokx_index_open(const char *path, grokx_index **out, grokx_error *err);
/* The same for an index held in memory; buf must outlive the handle. */
GROKX_API int grokx_index_open_memory(const void *buf, size_t len, grokx_index **out,
                                      grokx_error *err);
GROKX_API void grokx_index_close(grokx_index *ix);
/* Verify every checksum and decode every structure of the file: 0, or
 * GROKX_E_CORRUPT with what is wrong in *err. */
GROKX_API int grokx_index_check(grokx_index *ix, grokx_error *err);

typedef struct grokx_index_info {
    uint64_t messages, conversations, terms, tokens;
    uint64_t file_bytes, store_bytes; /* the whole file; its compressed texts */
} grokx_index_info;
GROKX_API void grokx_index_get_info(const grokx_index *ix, grokx_index_info *info);

typedef struct grokx_search_options {
    unsigned abi_version; /* GROKX_ABI_VERSION */
    size_t limit;         /* conversations returned; 0: 10 */
    grokx_time since;     /* messages with time >= since; GROKX_TIME_NONE: any */
    grokx_time until;     /* messages with time < until; GROKX_TIME_NONE: any */
    /* a role: "user", "human" or "you"; "assistant" or "grok"; else a
     * sender as written ("grok-3"); ASCII case-insensitive. NULL: any. */
    const char *sender;
    /* a substring of the answer's model, ASCII case-insensitive (as
     * grokx_filter's model); NULL: any */
    const char *model;
    const char *conversation; /* a conversation id or its prefix; NULL: any */
    size_t snippet_bytes;     /* about this long; 0: 160 */
    unsigned flags;           /* GROKX_SEARCH_* */
} grokx_search_options;
/* Rank only: hits without message_id, snippet and highlights (the message
 * texts are not read; a search UI that shows hits needs them). */
#define GROKX_SEARCH_NO_SNIPPETS 0x1u
GROKX_API void grokx_search_options_init(grokx_search_options *o);

/* Where a snippet shows a matched word: bytes [start, start + len). */
typedef struct grokx_span {
    size_t start, len;
} grokx_span;

/* One conversation found: its best-scoring message and its snippet. */
typedef struct grokx_hit {
    double score;              /* BM25 of the best message */
    uint64_t matches;          /* its messages that match */
    grokx_str conversation_id, title;
    grokx_str path;            /* the note `grokx convert -f md` writes, OUT-relative */
    grokx_time conversation_time;
    int starred;
    grokx_str message_id, sender, model;
    grokx_role role;
    grokx_time time;
    grokx_str snippet;         /* one line of the message around the match */
    const grokx_span *highlights; /* reach them with grokx_hit_highlight() */
    size_t highlight_count;
} grokx_hit;

/* The i-th highlight of h, or NULL past the end (see ARRAYS). */
GROKX_API const grokx_span *grokx_hit_highlight(const grokx_hit *h, size_t i);

typedef struct grokx_results grokx_results; /* opaque */
/* Search: words (all must occur), OR between alternatives, -word or NOT
 * word to exclude, "exact phrases", prefix*, parentheses. Messages are
 * ranked by BM25 and grouped by conversation, best first. GROKX_E_QUERY
 * with the reason in *err for a query that cannot be read. The results
 * point into ix: free them before closing it. */
GROKX_API int grokx_index_search(grokx_index *ix, const char *query,
                                 const grokx_search_options *o, grokx_results **out,
                                 grokx_error *err);
GROKX_API size_t grokx_results_count(const grokx_results *r);
GROKX_API const grokx_hit *grokx_results_hit(const grokx_results *r, size_t i);
/* Messages that matched, over every conversation (not only those returned). */
GROKX_API uint64_t grokx_results_total(const grokx_results *r);
GROKX_API void grokx_results_free(grokx_results *r);
/* Every message that matches (filters applied), in index order, not
 * grouped or cut: cb(ud, message, score) with the message's number in the
 * index (0-based, in the order the export delivered them); a non-zero
 * return stops the walk (and is not an error). */
GROKX_API int grokx_index_matches(grokx_index *ix, const char *query,
                                  const grokx_search_options *o,
                                  int (*cb)(void *ud, uint64_t message, double score), void *ud,
                                  grokx_error *err);

/* Merge indexes into one on out (e.g. a grokx_file's sink), in the order
 * given. A conversation present in several is kept once: the copy
 * modified last (ties: the later index). */
GROKX_API int grokx_index_merge(const char *const *paths, size_t n, grokx_sink out,
                                grokx_error *err);

#ifdef __cplusplus
}
#endif
#endif /* GROKX_H */
