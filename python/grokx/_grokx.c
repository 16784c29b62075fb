/*
 * _grokx.c -- the CPython extension behind `import grokx`, written against
 * libgrokx's PUBLIC API only (grokx.h): no gx_ internal is used, so the
 * package works the same over the static library it is built with or any
 * later libgrokx of the same ABI.
 *
 * Streaming. The parser is push-based: it calls a writer for each
 * conversation, whose model is valid only during that call. The Python
 * iterator (Reader) turns that into pull in one of two ways:
 *   - a path (ZIP, folder, JSON, .json.gz, "-"): grokx_input_parse() runs on
 *     a thread of its own that never touches Python. Its conversation
 *     callback hands the model to the consumer and waits until __next__
 *     (holding the GIL) has converted it to Python objects: a rendezvous,
 *     so one conversation is held at a time and the parser reads ahead
 *     while the caller works on the previous one.
 *   - a binary file object: __next__ reads a chunk with file.read(), then
 *     feeds it with the GIL released; the callback takes the GIL back for
 *     the conversion and queues the objects. Fed until one is queued.
 * Warnings are copied into a small buffer by the callbacks (on whichever
 * thread) and given to Python's warnings module by __next__.
 *
 * Threads: the GIL is released while parsing (the worker, or feed()),
 * converting (grokx_convert), summarising (info), merging and searching.
 * One Reader is iterated from one thread at a time (a second is refused
 * with RuntimeError); Index objects may be searched from many threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <structmember.h>

#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grokx.h"

/* ---- exceptions and warnings ------------------------------------------- */

static PyObject *Error, *InputError, *JSONError, *TruncatedError, *LimitError, *SchemaError,
    *ArchiveError, *NotFoundError, *ReadError, *WriteError, *CorruptIndexError, *QueryError,
    *InvalidError, *CancelledError, *NoMemoryError, *ExportWarning;

static PyObject *
S_error_class(int code, int origin)
{
    switch (code) {
    case GROKX_E_SYNTAX: return JSONError;
    case GROKX_E_TRUNCATED: return TruncatedError;
    case GROKX_E_LIMIT: return LimitError;
    case GROKX_E_SCHEMA: return SchemaError;
    case GROKX_E_ARCHIVE: return ArchiveError;
    case GROKX_E_NOTFOUND: return NotFoundError;
    case GROKX_E_IO: return origin == GROKX_ORIGIN_WRITER ? WriteError : ReadError;
    case GROKX_E_WRITER: return WriteError;
    case GROKX_E_CORRUPT: return CorruptIndexError;
    case GROKX_E_QUERY: return QueryError;
    case GROKX_E_INVALID: return InvalidError;
    case GROKX_E_CANCELLED: return CancelledError;
    case GROKX_E_NOMEM: return NoMemoryError;
    default: return Error;
    }
}

/* Raise the grokx.Error subclass of code, carrying the record's position.
 * Returns NULL. */
static PyObject *
S_raise(int code, const grokx_error *e)
{
    PyObject *cls = S_error_class(code, e ? e->origin : 0), *inst, *v;
    const char *text = e && e->text[0] ? e->text : grokx_strerror(code);
    inst = PyObject_CallFunction(cls, "s", text);
    if (!inst)
        return NULL;
#define SET(name, val)                                                                         \
    do {                                                                                       \
        if (!(v = (val)) || PyObject_SetAttrString(inst, name, v) < 0) {                       \
            Py_XDECREF(v);                                                                     \
            Py_DECREF(inst);                                                                   \
            return NULL;                                                                       \
        }                                                                                      \
        Py_DECREF(v);                                                                          \
    } while (0)
    SET("code", PyLong_FromLong(code));
    SET("offset", PyLong_FromUnsignedLongLong(e ? e->offset : 0));
    SET("line", PyLong_FromUnsignedLongLong(e ? e->line : 0));
    SET("column", PyLong_FromUnsignedLongLong(e ? e->column : 0));
    SET("origin", PyUnicode_FromString(e && e->origin == GROKX_ORIGIN_WRITER ? "writer" : "input"));
#undef SET
    PyErr_SetObject(cls, inst);
    Py_DECREF(inst);
    return NULL;
}

/* Warnings the callbacks keep until the GIL is held: the first WARN_KEEP
 * of a batch, and a count of the others (one line says how many). */
#define WARN_KEEP 100
typedef struct warn_buf {
    grokx_error *items;
    size_t n;
    unsigned long long dropped;
} warn_buf;

static void
S_warn_add(warn_buf *b, const grokx_error *w)
{
    if (b->n == WARN_KEEP || (!b->items && !(b->items = malloc(WARN_KEEP * sizeof *b->items)))) {
        b->dropped++;
        return;
    }
    b->items[b->n++] = *w;
}

/* Give the kept warnings to Python (GIL held); -1 if a filter made one an
 * error. */
static int
S_warn_flush(warn_buf *b)
{
    size_t i, n = b->n;
    unsigned long long dropped = b->dropped;
    b->n = 0;
    b->dropped = 0;
    for (i = 0; i < n; i++)
        if (PyErr_WarnEx(ExportWarning, b->items[i].text, 1) < 0)
            return -1;
    if (dropped && PyErr_WarnFormat(ExportWarning, 1, "%llu more warnings not shown", dropped) < 0)
        return -1;
    return 0;
}

/* ---- the model as Python objects --------------------------------------- */

static PyTypeObject ConversationType, MessageType, WebResultType, AttachmentType, HitType,
    AgentTraceType;
static PyObject *S_empty, *S_role[3], *S_branch_active, *S_branch_other;

static PyStructSequence_Field conversation_fields[] = {
    {"id", "the conversation's id"},
    {"title", "its title (derived from the first question when blank)"},
    {"create_time", "aware datetime (UTC) or None"},
    {"modify_time", "aware datetime (UTC) or None"},
    {"starred", "bool"},
    {"temporary", "bool"},
    {"models", "tuple of the distinct models that answered, in order"},
    {"messages", "list of Message, in conversation order"},
    {"index", "0-based position among the export's conversations"},
    {"node_count", "messages in the export, all branches"},
    {"fork_count", "messages with more than one child"},
    {"summary", "the export's summary, \"\" if none"},
    {"system_prompt_name", "\"\" if none"},
    {"leaf_response_id", "as written, \"\" if none"},
    {"title_derived", "True when grokx made the title up"},
    {NULL, NULL}};
static PyStructSequence_Desc conversation_desc = {
    "grokx.Conversation", "One conversation of an export (read-only).", conversation_fields, 15};

static PyStructSequence_Field message_fields[] = {
    {"id", "the message's _id"},
    {"parent_id", "the parent's id as written, \"\" if none"},
    {"parent", "index of the parent in Conversation.messages, -1 for a root"},
    {"depth", "0 for roots"},
    {"sibling_index", "0-based among its parent's children"},
    {"sibling_count", ">1: regenerations or edits at this turn"},
    {"branch", "\"active\" on the active branch, else \"other\" (branches=\"all\")"},
    {"role", "\"user\", \"assistant\" or \"system\""},
    {"sender", "the sender as written"},
    {"model", "the model that answered, \"\" if none"},
    {"text", "Markdown text"},
    {"time", "aware datetime (UTC) or None"},
    {"thinking", "the thinking trace, \"\" if none"},
    {"thinking_start", "aware datetime or None"},
    {"thinking_end", "aware datetime or None"},
    {"citations", "tuple of WebResult: the cited web results"},
    {"web_results", "tuple of WebResult: every web result"},
    {"attachments", "tuple of Attachment (id, name, type)"},
    {"card_attachments", "tuple of str, each a JSON text"},
    {"xpost_ids", "tuple of str"},
    {"webpage_urls", "tuple of str"},
    {"generated_image_urls", "tuple of str"},
    {"media_types", "tuple of str"},
    {"agent_traces", "tuple of AgentTrace (agent_id, text)"},
    {"query", "\"\" if none"},
    {"query_type", "\"\" if none (\"imagine\")"},
    {"error", "\"\" if none"},
    {"partial", "True for an interrupted turn"},
    {"file_index", "position in the export's responses array"},
    {NULL, NULL}};
static PyStructSequence_Desc message_desc = {"grokx.Message", "One message (read-only).",
                                             message_fields, 29};

static PyStructSequence_Field web_result_fields[] = {
    {"url", NULL}, {"title", NULL}, {"preview", NULL}, {"description", NULL}, {"site_name", NULL},
    {NULL, NULL}};
static PyStructSequence_Desc web_result_desc = {"grokx.WebResult", "A web search result.",
                                                web_result_fields, 5};
static PyStructSequence_Field attachment_fields[] = {
    {"id", "asset id, \"\" if none"}, {"name", "file name, \"\" if none"},
    {"type", "MIME type, \"\" if none"}, {NULL, NULL}};
static PyStructSequence_Desc attachment_desc = {"grokx.Attachment", "A file attached to a message.",
                                                attachment_fields, 3};
static PyStructSequence_Field agent_trace_fields[] = {{"agent_id", NULL}, {"text", NULL}, {NULL, NULL}};
static PyStructSequence_Desc agent_trace_desc = {"grokx.AgentTrace", "An agent's thinking trace.",
                                                 agent_trace_fields, 2};
static PyStructSequence_Field hit_fields[] = {
    {"title", NULL},
    {"conversation_id", NULL},
    {"message_id", "the best message, \"\" with snippets=False"},
    {"time", "the message's time: aware datetime or None"},
    {"snippet", "one line around the match"},
    {"path", "the note convert -f md writes, relative to its folder"},
    {"score", "BM25 of the best message"},
    {"matches", "messages of the conversation that match"},
    {"sender", NULL},
    {"model", NULL},
    {"role", NULL},
    {"conversation_time", "aware datetime or None"},
    {"starred", NULL},
    {"highlights", "tuple of (start, length) byte spans in the UTF-8 snippet"},
    {NULL, NULL}};
static PyStructSequence_Desc hit_desc = {"grokx.Hit", "A conversation found by Index.search.",
                                         hit_fields, 14};

/* A long text decoded into a str allocated once at its final size and
 * kind. PyUnicode_DecodeUTF8 starts with a one-byte buffer and widens it
 * at the first wider character (copying): for an 8 MB answer holding one
 * emoji that is a 29 MB UCS-4 string beside its 8 MB start, at the moment
 * the parser holds the whole conversation too, and was the peak of
 * iterating the generated 1 GB export. Here a first pass counts the code
 * points and finds the widest, a second writes them. The library hands
 * over valid UTF-8 only (grokx.h, STRINGS). */
#define BIG_STR (256 * 1024)

static PyObject *
S_str_big(const unsigned char *p, size_t len)
{
    size_t i = 0, n = 0;
    Py_UCS4 max = 0, c;
    PyObject *u;
    int kind;
    void *data;
    while (i < len) {
        unsigned char b = p[i];
        if (b < 0x80)
            c = b, i += 1;
        else if (b < 0xE0)
            c = (Py_UCS4)(b & 0x1F) << 6 | (p[i + 1] & 0x3F), i += 2;
        else if (b < 0xF0)
            c = 0x800, i += 3; /* at least: two bytes a code point either way */
        else
            c = 0x10000, i += 4;
        if (c > max)
            max = c;
        n++;
    }
    if (i != len) /* a broken promise: let CPython's decoder say so */
        return PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)len, "replace");
    if (!(u = PyUnicode_New((Py_ssize_t)n, max)))
        return NULL;
    kind = PyUnicode_KIND(u);
    data = PyUnicode_DATA(u);
    for (i = 0, n = 0; i < len; n++) {
        unsigned char b = p[i];
        if (b < 0x80)
            c = b, i += 1;
        else if (b < 0xE0)
            c = (Py_UCS4)(b & 0x1F) << 6 | (p[i + 1] & 0x3F), i += 2;
        else if (b < 0xF0)
            c = (Py_UCS4)(b & 0x0F) << 12 | (Py_UCS4)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F), i += 3;
        else
            c = (Py_UCS4)(b & 0x07) << 18 | (Py_UCS4)(p[i + 1] & 0x3F) << 12 |
                (Py_UCS4)(p[i + 2] & 0x3F) << 6 | (p[i + 3] & 0x3F),
            i += 4;
        PyUnicode_WRITE(kind, data, n, c);
    }
    return u;
}

static PyObject *
S_str(grokx_str s)
{
    if (!s.len)
        return Py_NewRef(S_empty);
    if (s.len >= BIG_STR)
        return S_str_big((const unsigned char *)s.ptr, s.len);
    /* valid UTF-8 by the library's contract; "replace" all the same, so a
     * broken promise is a U+FFFD, not an exception */
    return PyUnicode_DecodeUTF8(s.ptr, (Py_ssize_t)s.len, "replace");
}

/* days since 1970-01-01 -> civil date (H. Hinnant's algorithm) */
static void
S_civil(long long z, int *y, int *m, int *d)
{
    long long era, yoe, doy, mp;
    unsigned doe;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A time (ms, plus ns past the ms) as an aware UTC datetime; None when
 * absent or outside datetime's years 1-9999. */
static PyObject *
S_time(grokx_time t, uint32_t ns)
{
    long long days, ms_of_day;
    int y, mo, d, us;
    if (t == GROKX_TIME_NONE)
        Py_RETURN_NONE;
    days = t / 86400000;
    ms_of_day = t % 86400000;
    if (ms_of_day < 0)
        ms_of_day += 86400000, days--;
    S_civil(days, &y, &mo, &d);
    if (y < 1 || y > 9999)
        Py_RETURN_NONE;
    us = (int)(ms_of_day % 1000) * 1000 + (int)(ns / 1000);
    return PyDateTimeAPI->DateTime_FromDateAndTime(
        y, mo, d, (int)(ms_of_day / 3600000), (int)(ms_of_day / 60000 % 60),
        (int)(ms_of_day / 1000 % 60), us, PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
}

static PyObject *
S_strlist(const grokx_strlist *l)
{
    const grokx_str *s;
    PyObject *t = PyTuple_New((Py_ssize_t)l->count), *v;
    size_t i;
    if (!t)
        return NULL;
    for (i = 0; (s = grokx_strlist_item(l, i)) && i < l->count; i++) {
        if (!(v = S_str(*s)))
            return Py_DECREF(t), NULL;
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    return t;
}

/* Set field i of the struct sequence seq to expr; when expr fails (NULL),
 * free owner (which holds seq, or is seq) and return NULL. A struct
 * sequence or tuple with NULL items frees the others. */
#define FIELD(owner, seq, i, expr)                                                             \
    do {                                                                                       \
        PyObject *v_ = (expr);                                                                 \
        if (!v_) {                                                                             \
            Py_DECREF(owner);                                                                  \
            return NULL;                                                                       \
        }                                                                                      \
        PyStructSequence_SET_ITEM(seq, i, v_);                                                 \
    } while (0)

static PyObject *
S_results(const grokx_message *m, size_t n, int cited)
{
    PyObject *t = PyTuple_New((Py_ssize_t)n), *r;
    const grokx_search_result *w;
    size_t i;
    if (!t)
        return NULL;
    for (i = 0; i < n && (w = cited ? grokx_message_cited_result(m, i) : grokx_message_web_result(m, i));
         i++) {
        if (!(r = PyStructSequence_New(&WebResultType)))
            return Py_DECREF(t), NULL;
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, r);
        FIELD(t, r, 0, S_str(w->url));
        FIELD(t, r, 1, S_str(w->title));
        FIELD(t, r, 2, S_str(w->preview));
        FIELD(t, r, 3, S_str(w->description));
        FIELD(t, r, 4, S_str(w->site_name));
    }
    return t;
}

static PyObject *
S_attachments(const grokx_message *m)
{
    size_t i, n = m->file_attachments.count;
    PyObject *t = PyTuple_New((Py_ssize_t)n), *r;
    const grokx_str *s;
    if (!t)
        return NULL;
    for (i = 0; i < n && (s = grokx_strlist_item(&m->file_attachments, i)); i++) {
        const grokx_str *name = grokx_strlist_item(&m->file_names, i);
        const grokx_str *type = grokx_strlist_item(&m->file_types, i);
        grokx_str none = {"", 0};
        if (!(r = PyStructSequence_New(&AttachmentType)))
            return Py_DECREF(t), NULL;
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, r);
        FIELD(t, r, 0, S_str(*s));
        FIELD(t, r, 1, S_str(name ? *name : none));
        FIELD(t, r, 2, S_str(type ? *type : none));
    }
    return t;
}

static PyObject *
S_agent_traces(const grokx_message *m)
{
    size_t i, n = m->agent_trace_count;
    PyObject *t = PyTuple_New((Py_ssize_t)n), *r;
    const grokx_agent_trace *a;
    if (!t)
        return NULL;
    for (i = 0; i < n && (a = grokx_message_agent_trace(m, i)); i++) {
        if (!(r = PyStructSequence_New(&AgentTraceType)))
            return Py_DECREF(t), NULL;
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, r);
        FIELD(t, r, 0, S_str(a->agent_id));
        FIELD(t, r, 1, S_str(a->text));
    }
    return t;
}

static PyObject *
S_message(const grokx_message *m)
{
    PyObject *o = PyStructSequence_New(&MessageType);
    if (!o)
        return NULL;
    FIELD(o, o, 0, S_str(m->id));
    FIELD(o, o, 1, S_str(m->parent_id));
    FIELD(o, o, 2, PyLong_FromLong(m->parent));
    FIELD(o, o, 3, PyLong_FromUnsignedLong(m->depth));
    FIELD(o, o, 4, PyLong_FromUnsignedLong(m->sibling_index));
    FIELD(o, o, 5, PyLong_FromUnsignedLong(m->sibling_count));
    FIELD(o, o, 6, Py_NewRef(m->flags & GROKX_MSG_ACTIVE ? S_branch_active : S_branch_other));
    FIELD(o, o, 7, Py_NewRef(S_role[m->role <= GROKX_ROLE_SYSTEM ? m->role : GROKX_ROLE_ASSISTANT]));
    FIELD(o, o, 8, S_str(m->sender));
    FIELD(o, o, 9, S_str(m->model));
    FIELD(o, o, 10, S_str(m->text));
    FIELD(o, o, 11, S_time(m->create_time, m->create_ns));
    FIELD(o, o, 12, S_str(m->thinking));
    FIELD(o, o, 13, S_time(m->thinking_start, 0));
    FIELD(o, o, 14, S_time(m->thinking_end, 0));
    FIELD(o, o, 15, S_results(m, m->cited_result_count, 1));
    FIELD(o, o, 16, S_results(m, m->web_result_count, 0));
    FIELD(o, o, 17, S_attachments(m));
    FIELD(o, o, 18, S_strlist(&m->card_attachments));
    FIELD(o, o, 19, S_strlist(&m->xpost_ids));
    FIELD(o, o, 20, S_strlist(&m->webpage_urls));
    FIELD(o, o, 21, S_strlist(&m->generated_image_urls));
    FIELD(o, o, 22, S_strlist(&m->media_types));
    FIELD(o, o, 23, S_agent_traces(m));
    FIELD(o, o, 24, S_str(m->query));
    FIELD(o, o, 25, S_str(m->query_type));
    FIELD(o, o, 26, S_str(m->error));
    FIELD(o, o, 27, PyBool_FromLong(m->flags & GROKX_MSG_PARTIAL));
    FIELD(o, o, 28, PyLong_FromSize_t(m->file_index));
    return o;
}

/* The distinct models that answered, in order of first answer. */
static PyObject *
S_models(const grokx_conversation *c)
{
    PyObject *l = PyList_New(0), *t;
    const grokx_message *m;
    size_t i, k;
    if (!l)
        return NULL;
    for (i = 0; (m = grokx_conversation_message(c, i)); i++) {
        int seen = 0;
        if (!m->model.len)
            continue;
        for (k = 0; k < i && !seen; k++) {
            const grokx_message *p = grokx_conversation_message(c, k);
            seen = p->model.len == m->model.len && !memcmp(p->model.ptr, m->model.ptr, m->model.len);
        }
        if (!seen) {
            PyObject *s = S_str(m->model);
            if (!s || PyList_Append(l, s) < 0) {
                Py_XDECREF(s);
                return Py_DECREF(l), NULL;
            }
            Py_DECREF(s);
        }
    }
    t = PyList_AsTuple(l);
    Py_DECREF(l);
    return t;
}

/* glibc raises its mmap threshold after a large block is freed (up to 32
 * MiB), so the next large blocks (the parser's buffers growing by realloc
 * for an 8 MB answer, the str made of it) come from the heap: realloc
 * there copies where mremap would not, and the freed pages stay. Iterating
 * the generated 1 GB export peaked at 79 MiB so, 63 MiB with the threshold
 * pinned at 1 MiB, as the grokx command pins it. The first grokx.open()
 * pins it for the process (blocks of 1 MiB and more then always come from
 * mmap and go back at free: what glibc does anyway until its first large
 * free), unless GROKX_KEEP_MALLOC is set in the environment
 * (docs/python.md). */
static void
S_pin_mmap_threshold(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    static int done;
    if (!done && !getenv("GROKX_KEEP_MALLOC"))
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    done = 1;
#endif
}

static PyObject *
S_conversation(const grokx_conversation *c)
{
    PyObject *o = PyStructSequence_New(&ConversationType), *msgs;
    const grokx_message *m;
    size_t i;
    if (!o)
        return NULL;
    FIELD(o, o, 0, S_str(c->id));
    FIELD(o, o, 1, S_str(c->title));
    FIELD(o, o, 2, S_time(c->create_time, c->create_ns));
    FIELD(o, o, 3, S_time(c->modify_time, c->modify_ns));
    FIELD(o, o, 4, PyBool_FromLong(c->starred));
    FIELD(o, o, 5, PyBool_FromLong(c->temporary));
    FIELD(o, o, 6, S_models(c));
    FIELD(o, o, 7, msgs = PyList_New((Py_ssize_t)c->message_count));
    for (i = 0; i < c->message_count && (m = grokx_conversation_message(c, i)); i++) {
        PyObject *v = S_message(m);
        if (!v)
            return Py_DECREF(o), NULL;
        PyList_SET_ITEM(msgs, (Py_ssize_t)i, v);
    }
    FIELD(o, o, 8, PyLong_FromSize_t(c->index));
    FIELD(o, o, 9, PyLong_FromSize_t(c->node_count));
    FIELD(o, o, 10, PyLong_FromSize_t(c->fork_count));
    FIELD(o, o, 11, S_str(c->summary));
    FIELD(o, o, 12, S_str(c->system_prompt_name));
    FIELD(o, o, 13, S_str(c->leaf_response_id));
    FIELD(o, o, 14, PyBool_FromLong(c->flags & GROKX_CONV_TITLE_DERIVED));
    return o;
}

/* ---- Reader: the streaming iterator ------------------------------------ */

#define READ_CHUNK (256 * 1024)

typedef struct Reader {
    PyObject_HEAD
    int from_file;      /* 1: a file object fed here; 0: a path parsed on a thread */
    int busy;           /* __next__ or close() running (GIL-released parts inside) */
    int finished;       /* end or error seen: no more conversations */
    int rc;             /* the parse's result, raised once the queue is drained */
    grokx_error err;    /* its record */
    grokx_parser *parser;
    grokx_writer *writer, *filter;
    grokx_input *input;
    char *title, *model; /* the filter's strings */
    /* file mode */
    PyObject *file, *queue; /* queue: converted conversations not yet returned */
    Py_ssize_t qpos;
    PyThreadState *ts;      /* saved while feed() runs without the GIL */
    int convert_failed;     /* a Python exception is set (raised by __next__) */
    int warn_raised;        /* a warning raised as an exception: the reader stops */
    PyObject *wt, *wv, *wtb; /* file mode: that exception, raised once the queue is given */
    /* thread mode */
    pthread_t thread;
    int started, joined;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const grokx_conversation *pending; /* handed over, waiting for __next__ */
    int done, cancel;
    warn_buf warns; /* under mu */
} Reader;

static PyTypeObject ReaderType;
static PyObject *S_flush_warnings(Reader *r);

static void
S_on_warning(void *ud, const grokx_error *w)
{
    Reader *r = ud;
    pthread_mutex_lock(&r->mu);
    S_warn_add(&r->warns, w);
    pthread_mutex_unlock(&r->mu);
}

static int
S_on_progress(void *ud, const grokx_stats *st)
{
    Reader *r = ud;
    int c;
    (void)st;
    pthread_mutex_lock(&r->mu);
    c = r->cancel;
    pthread_mutex_unlock(&r->mu);
    return c;
}

/* File mode: called inside feed(), on the caller's thread without the
 * GIL: take it back to convert, queue, and release it again. */
static int
S_on_conversation_fed(void *self, const grokx_conversation *c)
{
    Reader *r = self;
    PyObject *o;
    int rc = 0;
    PyEval_RestoreThread(r->ts);
    if (!S_flush_warnings(r)) { /* c's own (or earlier): c is not delivered */
        PyErr_Fetch(&r->wt, &r->wv, &r->wtb);
        r->ts = PyEval_SaveThread();
        return GROKX_E_CANCELLED;
    }
    o = S_conversation(c);
    if (!o || PyList_Append(r->queue, o) < 0) {
        r->convert_failed = 1;
        rc = GROKX_E_NOMEM;
    }
    Py_XDECREF(o);
    r->ts = PyEval_SaveThread();
    return rc;
}

/* Thread mode: called on the parse thread; hand c over and wait until
 * __next__ has converted it (c is valid only during this call). */
static int
S_on_conversation_thread(void *self, const grokx_conversation *c)
{
    Reader *r = self;
    int rc;
    pthread_mutex_lock(&r->mu);
    r->pending = c;
    pthread_cond_broadcast(&r->cv);
    while (r->pending && !r->cancel)
        pthread_cond_wait(&r->cv, &r->mu);
    r->pending = NULL;
    rc = r->cancel ? GROKX_E_CANCELLED : 0;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static void *
S_parse_thread(void *arg)
{
    Reader *r = arg;
    int rc = grokx_input_parse(r->input, r->parser);
    pthread_mutex_lock(&r->mu);
    r->rc = rc;
    if (rc)
        r->err = *grokx_parser_error(r->parser);
    r->done = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Stop the parse thread (if running) and wait for it, without the GIL. */
static void
S_stop(Reader *r)
{
    if (!r->started || r->joined)
        return;
    pthread_mutex_lock(&r->mu);
    r->cancel = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    Py_BEGIN_ALLOW_THREADS
    pthread_join(r->thread, NULL);
    Py_END_ALLOW_THREADS
    r->joined = 1;
}

/* Free everything the reader holds from the library; safe twice. */
static void
S_release(Reader *r)
{
    S_stop(r);
    grokx_parser_free(r->parser);
    r->parser = NULL;
    grokx_writer_free(r->filter);
    r->filter = NULL;
    grokx_writer_free(r->writer);
    r->writer = NULL;
    grokx_input_close(r->input);
    r->input = NULL;
    Py_CLEAR(r->file);
    r->finished = 1;
}

static PyObject *
S_flush_warnings(Reader *r)
{
    warn_buf b;
    int rc;
    pthread_mutex_lock(&r->mu);
    b = r->warns;
    r->warns.items = NULL;
    r->warns.n = 0;
    r->warns.dropped = 0;
    pthread_mutex_unlock(&r->mu);
    rc = S_warn_flush(&b);
    free(b.items);
    if (rc < 0)
        r->warn_raised = 1;
    return rc < 0 ? NULL : Py_None;
}

static PyObject *
S_finish_error(Reader *r)
{
    int rc = r->rc;
    r->rc = 0;
    if (rc && rc != GROKX_E_CANCELLED)
        return S_raise(rc, &r->err);
    return NULL; /* StopIteration */
}

static PyObject *
S_next_file(Reader *r)
{
    for (;;) {
        PyObject *data, *o;
        Py_buffer view;
        int rc;
        if (r->qpos < PyList_GET_SIZE(r->queue)) {
            o = Py_NewRef(PyList_GET_ITEM(r->queue, r->qpos));
            r->qpos++;
            return o;
        }
        if (r->qpos) {
            if (PyList_SetSlice(r->queue, 0, PY_SSIZE_T_MAX, NULL) < 0)
                return NULL;
            r->qpos = 0;
        }
        if (r->wt) { /* the conversations before the warned one were given */
            PyErr_Restore(r->wt, r->wv, r->wtb);
            r->wt = r->wv = r->wtb = NULL;
            r->warn_raised = 1;
            return NULL;
        }
        if (r->finished)
            return S_finish_error(r);
        if (!(data = PyObject_CallMethod(r->file, "read", "n", (Py_ssize_t)READ_CHUNK)))
            return NULL;
        if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
            Py_DECREF(data);
            PyErr_SetString(PyExc_TypeError, "grokx.open: the file must be opened in binary mode");
            return NULL;
        }
        r->ts = PyEval_SaveThread();
        rc = view.len ? grokx_parser_feed(r->parser, view.buf, (size_t)view.len)
                      : grokx_parser_finish(r->parser);
        PyEval_RestoreThread(r->ts);
        r->ts = NULL;
        if (!view.len)
            r->finished = 1;
        PyBuffer_Release(&view);
        Py_DECREF(data);
        if (!r->wt && PyList_GET_SIZE(r->queue) == r->qpos && !S_flush_warnings(r))
            return NULL; /* (with conversations queued, the next callback's flush gives them) */
        if (r->convert_failed)
            return NULL;
        if (rc) {
            r->rc = rc;
            r->err = *grokx_parser_error(r->parser);
            r->finished = 1;
        }
    }
}

static PyObject *
S_next_thread(Reader *r)
{
    for (;;) {
        const grokx_conversation *c;
        int done, interrupted = 0;
        if (!S_flush_warnings(r))
            return NULL;
        if (r->finished)
            return S_finish_error(r);
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&r->mu);
        while (!r->pending && !r->done) {
            /* wake now and then to see Ctrl-C */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100000000;
            if (ts.tv_nsec >= 1000000000)
                ts.tv_sec++, ts.tv_nsec -= 1000000000;
            if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) == ETIMEDOUT) {
                interrupted = 1;
                break;
            }
        }
        c = r->pending;
        done = r->done;
        pthread_mutex_unlock(&r->mu);
        Py_END_ALLOW_THREADS
        if (c) {
            /* the warnings so far are c's (or earlier): flushed while the
             * parser still waits on c, so none of the next one's is */
            PyObject *o = S_conversation(c);
            if (o && !S_flush_warnings(r))
                Py_CLEAR(o);
            pthread_mutex_lock(&r->mu);
            r->pending = NULL;
            pthread_cond_broadcast(&r->cv);
            pthread_mutex_unlock(&r->mu);
            return o;
        }
        if (done) {
            Py_BEGIN_ALLOW_THREADS
            pthread_join(r->thread, NULL);
            Py_END_ALLOW_THREADS
            r->joined = 1;
            r->finished = 1;
            continue;
        }
        if (interrupted && PyErr_CheckSignals() < 0)
            return NULL;
    }
}

static PyObject *
Reader_next(PyObject *self)
{
    Reader *r = (Reader *)self;
    PyObject *o;
    if (r->busy) {
        PyErr_SetString(PyExc_RuntimeError, "grokx: a Reader is iterated from one thread at a time");
        return NULL;
    }
    r->busy = 1;
    o = r->from_file ? S_next_file(r) : S_next_thread(r);
    r->busy = 0;
    if (!o && !PyErr_Occurred())
        S_release(r); /* the end: give back the parser's memory at once */
    else if (!o && r->warn_raised) {
        /* A warning the filters turned into an exception (or a raising
         * showwarning) stops the reader: the warned conversation and the
         * parse's read-ahead cannot be told apart from the others, so
         * going on would deliver a shifted mix (issue 24). This next()
         * raises it; later ones raise StopIteration. */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        r->rc = 0;
        S_release(r);
        if (r->queue && PyList_SetSlice(r->queue, 0, PY_SSIZE_T_MAX, NULL) < 0)
            PyErr_Clear(); /* an empty list's slice: cannot fail */
        r->qpos = 0;
        PyErr_Restore(t, v, tb);
    }
    return o;
}

static PyObject *
Reader_close(PyObject *self, PyObject *unused)
{
    Reader *r = (Reader *)self;
    (void)unused;
    if (r->busy) {
        PyErr_SetString(PyExc_RuntimeError, "grokx: Reader.close() while another thread iterates it");
        return NULL;
    }
    S_release(r);
    if (r->queue && PyList_SetSlice(r->queue, 0, PY_SSIZE_T_MAX, NULL) < 0)
        return NULL;
    r->qpos = 0;
    r->rc = 0;
    Py_RETURN_NONE;
}

static PyObject *
Reader_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(self);
}

static PyObject *
Reader_exit(PyObject *self, PyObject *args)
{
    (void)args;
    return Reader_close(self, NULL);
}

static PyObject *
Reader_stats(PyObject *self, PyObject *unused)
{
    Reader *r = (Reader *)self;
    (void)unused;
    if (!r->parser || (!r->from_file && !r->joined))
        Py_RETURN_NONE; /* the thread owns the counters until it ends */
    {
        const grokx_stats *s = grokx_parser_stats(r->parser);
        return Py_BuildValue("{sKsKsKsKsKsK}", "bytes", (unsigned long long)s->bytes, "conversations",
                             (unsigned long long)s->conversations, "conversations_skipped",
                             (unsigned long long)s->conversations_skipped, "messages",
                             (unsigned long long)s->messages, "warnings",
                             (unsigned long long)s->warnings, "strings_repaired",
                             (unsigned long long)s->strings_repaired);
    }
}

static void
Reader_dealloc(PyObject *self)
{
    Reader *r = (Reader *)self;
    PyObject_GC_UnTrack(self);
    S_release(r);
    Py_CLEAR(r->queue);
    Py_CLEAR(r->wt);
    Py_CLEAR(r->wv);
    Py_CLEAR(r->wtb);
    free(r->warns.items);
    free(r->title);
    free(r->model);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    Py_TYPE(self)->tp_free(self);
}

static int
Reader_traverse(PyObject *self, visitproc visit, void *arg)
{
    Reader *r = (Reader *)self;
    Py_VISIT(r->file);
    Py_VISIT(r->queue);
    return 0;
}

static PyMethodDef Reader_methods[] = {
    {"close", Reader_close, METH_NOARGS,
     "Stop reading and free the parser; later iteration ends at once."},
    {"stats", Reader_stats, METH_NOARGS,
     "The parse's counters once it ended (bytes, conversations, messages, warnings, ...), else None."},
    {"__enter__", Reader_enter, METH_NOARGS, NULL},
    {"__exit__", Reader_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "grokx.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "An iterator of Conversation objects, streamed from an export (grokx.open).",
    .tp_dealloc = Reader_dealloc,
    .tp_traverse = Reader_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = Reader_next,
    .tp_methods = Reader_methods,
};

static char *
S_dup_opt(PyObject *o, int *fail)
{
    const char *s;
    char *d;
    if (o == Py_None)
        return NULL;
    if (!(s = PyUnicode_AsUTF8(o)) || !(d = strdup(s))) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        *fail = 1;
        return NULL;
    }
    return d;
}

static grokx_time
S_opt_time(PyObject *o)
{
    return o == Py_None ? GROKX_TIME_NONE : (grokx_time)PyLong_AsLongLong(o);
}

/* _open(source, is_file, all_branches, since_ms, until_ms, title, model,
 * starred) -> Reader. since/until: int ms or None; the Python side turns
 * dates into them. */
static PyObject *
M_open(PyObject *mod, PyObject *args)
{
    PyObject *src, *since, *until, *title, *model;
    int is_file, all, starred, fail = 0, rc;
    Reader *r;
    grokx_options o;
    grokx_writer_vtable vt;
    grokx_filter f;
    grokx_error err;
    (void)mod;
    if (!PyArg_ParseTuple(args, "OppOOOOp", &src, &is_file, &all, &since, &until, &title, &model,
                          &starred))
        return NULL;
    S_pin_mmap_threshold();
    if (!(r = PyObject_GC_New(Reader, &ReaderType)))
        return NULL;
    memset((char *)r + sizeof(PyObject), 0, sizeof *r - sizeof(PyObject));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    PyObject_GC_Track((PyObject *)r);
    r->from_file = is_file;
    if (!(r->queue = PyList_New(0)))
        goto fail;
    grokx_filter_init(&f);
    f.since = S_opt_time(since);
    f.until = S_opt_time(until);
    r->title = S_dup_opt(title, &fail);
    r->model = S_dup_opt(model, &fail);
    if (fail || PyErr_Occurred())
        goto fail;
    f.title = r->title;
    f.model = r->model;
    f.starred_only = starred;
    memset(&vt, 0, sizeof vt);
    vt.abi_version = GROKX_ABI_VERSION;
    vt.conversation = is_file ? S_on_conversation_fed : S_on_conversation_thread;
    if ((rc = grokx_writer_wrap(&vt, r, &r->writer)) != 0) {
        S_raise(rc, NULL);
        goto fail;
    }
    if (f.since != GROKX_TIME_NONE || f.until != GROKX_TIME_NONE || f.title || f.model || starred) {
        if ((rc = grokx_writer_filter_create(r->writer, &f, &r->filter)) != 0) {
            S_raise(rc, NULL);
            goto fail;
        }
    }
    grokx_options_init(&o);
    o.flags = all ? GROKX_OPT_ALL_BRANCHES : 0;
    o.warning = S_on_warning;
    o.warning_ud = r;
    o.progress = S_on_progress;
    o.progress_ud = r;
    if (is_file) {
        r->file = Py_NewRef(src);
        o.input_name = "(file object)";
    } else {
        const char *path;
        int orc;
        if (!(path = PyBytes_AsString(src)))
            goto fail;
        Py_BEGIN_ALLOW_THREADS
        orc = grokx_input_open(path, NULL, &r->input, &err);
        Py_END_ALLOW_THREADS
        if (orc != 0) {
            S_raise(orc, &err);
            goto fail;
        }
        o.input_name = grokx_input_name(r->input);
    }
    if ((rc = grokx_parser_create(&o, r->filter ? r->filter : r->writer, &r->parser)) != 0) {
        S_raise(rc, NULL);
        goto fail;
    }
    if (!is_file) {
        if ((errno = pthread_create(&r->thread, NULL, S_parse_thread, r)) != 0) {
            PyErr_SetFromErrno(PyExc_OSError);
            goto fail;
        }
        r->started = 1;
    }
    return (PyObject *)r;
fail:
    Py_DECREF(r);
    return NULL;
}

/* ---- info, convert, merge ------------------------------------------------ */

typedef struct membuf {
    char *p;
    size_t n, cap;
} membuf;

static int
S_membuf_write(void *ud, const char *buf, size_t len)
{
    membuf *b = ud;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->n + len)
            cap *= 2;
        if (!(p = realloc(b->p, cap)))
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, buf, len);
    b->n += len;
    return 0;
}

typedef struct warn_sink {
    pthread_mutex_t mu;
    warn_buf b;
    PyObject *reports; /* convert: the writers' report lines, appended with the GIL */
    char **lines;
    size_t nlines, caplines;
} warn_sink;

static void
S_sink_warning(void *ud, const grokx_error *w)
{
    warn_sink *s = ud;
    pthread_mutex_lock(&s->mu);
    S_warn_add(&s->b, w);
    pthread_mutex_unlock(&s->mu);
}

/* A writer's report line ("notes: 3 new"), kept until the GIL is back; may
 * come from a writer thread. */
static void
S_sink_report(void *ud, const char *text)
{
    warn_sink *s = ud;
    char *d;
    pthread_mutex_lock(&s->mu);
    if (s->nlines == s->caplines) {
        size_t cap = s->caplines ? 2 * s->caplines : 16;
        char **l = realloc(s->lines, cap * sizeof *l);
        if (!l) {
            pthread_mutex_unlock(&s->mu);
            return;
        }
        s->lines = l;
        s->caplines = cap;
    }
    if ((d = strdup(text)))
        s->lines[s->nlines++] = d;
    pthread_mutex_unlock(&s->mu);
}

static void
S_sink_free(warn_sink *s)
{
    size_t i;
    for (i = 0; i < s->nlines; i++)
        free(s->lines[i]);
    free(s->lines);
    free(s->b.items);
    pthread_mutex_destroy(&s->mu);
}

/* ---- Ctrl-C during a long call ------------------------------------------ */

/* Python runs a signal's handler only when the main thread next holds the
 * GIL, and convert() and info() hold it released until the whole job is
 * done: Ctrl-C raised KeyboardInterrupt only after every output was
 * written. So the parser's progress callback (after each chunk fed), on
 * the main thread and every MiB of input, takes the GIL and runs
 * the pending handlers; one that raises stops the parse
 * (GROKX_E_CANCELLED: convert aborts its outputs, the previous ones stay)
 * and its exception is raised when the call returns. Not on the main
 * thread (a Dask worker), nothing is checked: no handler could run there,
 * and taking the GIL would only contend with the threads that hold it. */
typedef struct sig_watch {
    int on_main;
    uint64_t next; /* the input byte at which to look again */
    PyObject *type, *value, *tb; /* the handler's exception */
} sig_watch;

static unsigned long S_main_ident;

#define S_SIG_EVERY ((uint64_t)1 << 20)

static void
S_sig_init(sig_watch *w)
{
    memset(w, 0, sizeof *w);
    w->on_main = S_main_ident && PyThread_get_thread_ident() == S_main_ident;
}

static int
S_sig_progress(void *ud, const grokx_stats *st)
{
    sig_watch *w = ud;
    PyGILState_STATE g;
    int stop;
    if (!w->on_main || st->bytes < w->next)
        return 0;
    w->next = st->bytes + S_SIG_EVERY;
    g = PyGILState_Ensure();
    stop = PyErr_CheckSignals() < 0;
    if (stop)
        PyErr_Fetch(&w->type, &w->value, &w->tb);
    PyGILState_Release(g);
    return stop;
}

/* After the call, with the GIL: 1 and the handler's exception raised, if
 * one stopped it (the job's own error and warnings are then dropped). */
static int
S_sig_raise(sig_watch *w)
{
    if (!w->type)
        return 0;
    PyErr_Restore(w->type, w->value, w->tb);
    w->type = w->value = w->tb = NULL;
    return 1;
}

/* _sniff(head: bytes, name: str) -> None, or the SchemaError a path of
 * those first bytes gets ("name: not a Grok export: this looks like a PDF
 * document", "...: the file is empty"): the library's own judgement, made
 * by opening the bytes as an input held in memory. For a file object's
 * head that is neither gzip nor ZIP (the caller checks those). */
static PyObject *
M_sniff(PyObject *mod, PyObject *args)
{
    Py_buffer head;
    const char *name;
    grokx_input *in = NULL;
    grokx_error err;
    int rc;
    (void)mod;
    if (!PyArg_ParseTuple(args, "y*s", &head, &name))
        return NULL;
    memset(&err, 0, sizeof err);
    rc = grokx_input_open_memory(head.buf, (size_t)head.len, NULL, &in, &err);
    grokx_input_close(in);
    PyBuffer_Release(&head);
    if (!rc)
        Py_RETURN_NONE;
    if (!strncmp(err.text, "(memory): ", 10)) { /* the stream's name, as a path's */
        char text[sizeof err.text];
        snprintf(text, sizeof text, "%s: %s", name, err.text + 10);
        memcpy(err.text, text, sizeof text);
    }
    return S_raise(rc, &err);
}

/* _info(path: bytes) -> the JSON text of `grokx info --json` */
static PyObject *
M_info(PyObject *mod, PyObject *args)
{
    const char *path;
    grokx_input *in = NULL;
    grokx_summary *sum = NULL;
    grokx_parser *p = NULL;
    grokx_options o;
    grokx_error err;
    membuf out = {0};
    warn_sink ws;
    grokx_sink sink = {S_membuf_write, &out};
    PyObject *res = NULL;
    sig_watch sw;
    int rc;
    (void)mod;
    if (!PyArg_ParseTuple(args, "y", &path))
        return NULL;
    memset(&ws, 0, sizeof ws);
    pthread_mutex_init(&ws.mu, NULL);
    memset(&err, 0, sizeof err);
    grokx_options_init(&o);
    o.flags = GROKX_OPT_ALL_BRANCHES;
    o.warning = S_sink_warning;
    o.warning_ud = &ws;
    S_sig_init(&sw);
    o.progress = S_sig_progress;
    o.progress_ud = &sw;
    Py_BEGIN_ALLOW_THREADS
    rc = grokx_input_open(path, NULL, &in, &err);
    if (rc == 0) {
        o.input_name = grokx_input_name(in);
        if (!(sum = grokx_summary_new()) || grokx_summary_set_input(sum, in) != 0 ||
            (rc = grokx_parser_create(&o, grokx_summary_writer(sum), &p)) != 0)
            rc = rc ? rc : GROKX_E_NOMEM;
        else if ((rc = grokx_input_parse(in, p)) != 0)
            err = *grokx_parser_error(p);
        else if (grokx_summary_print(sum, 1, sink) != 0)
            rc = GROKX_E_NOMEM;
    }
    grokx_parser_free(p);
    grokx_summary_free(sum);
    grokx_input_close(in);
    Py_END_ALLOW_THREADS
    if (S_sig_raise(&sw) || S_warn_flush(&ws.b) < 0)
        goto done;
    if (rc) {
        S_raise(rc, &err);
        goto done;
    }
    res = PyUnicode_DecodeUTF8(out.p ? out.p : "", (Py_ssize_t)out.n, "strict");
done:
    free(out.p);
    S_sink_free(&ws);
    return res;
}

/* _convert(input: bytes, output: bytes, formats: str, all_branches, since,
 * until, title, model, starred, flags, name_template, tz_minutes,
 * memory_budget) -> (stats dict, report lines) */
static PyObject *
M_convert(PyObject *mod, PyObject *args)
{
    const char *input, *output, *formats, *title, *model, *name_template;
    PyObject *since, *until, *res = NULL, *lines = NULL, *stats = NULL;
    int all, starred, tz, rc;
    unsigned flags;
    Py_ssize_t memory;
    grokx_options o;
    grokx_writer_config cfg;
    grokx_filter f;
    grokx_stats st;
    grokx_error err;
    warn_sink ws;
    sig_watch sw;
    size_t i;
    (void)mod;
    if (!PyArg_ParseTuple(args, "yyspOOzzpIzin", &input, &output, &formats, &all, &since, &until,
                          &title, &model, &starred, &flags, &name_template, &tz, &memory))
        return NULL;
    grokx_filter_init(&f);
    f.since = S_opt_time(since);
    f.until = S_opt_time(until);
    if (PyErr_Occurred())
        return NULL;
    f.title = title;
    f.model = model;
    f.starred_only = starred;
    memset(&ws, 0, sizeof ws);
    pthread_mutex_init(&ws.mu, NULL);
    grokx_options_init(&o);
    o.flags = all ? GROKX_OPT_ALL_BRANCHES : 0;
    o.warning = S_sink_warning;
    o.warning_ud = &ws;
    S_sig_init(&sw);
    o.progress = S_sig_progress;
    o.progress_ud = &sw;
    grokx_writer_config_init(&cfg);
    cfg.flags = flags;
    cfg.name_template = name_template;
    cfg.tz_minutes = tz;
    cfg.memory_budget = (size_t)memory;
    cfg.report = S_sink_report;
    cfg.report_ud = &ws;
    Py_BEGIN_ALLOW_THREADS
    rc = grokx_convert(input, output, formats, &o, &cfg,
                       f.since != GROKX_TIME_NONE || f.until != GROKX_TIME_NONE || f.title || f.model ||
                               starred
                           ? &f
                           : NULL,
                       &st, &err);
    Py_END_ALLOW_THREADS
    if (S_sig_raise(&sw) || S_warn_flush(&ws.b) < 0)
        goto done;
    if (rc) {
        S_raise(rc, &err);
        goto done;
    }
    if (!(lines = PyList_New(0)))
        goto done;
    for (i = 0; i < ws.nlines; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(ws.lines[i], (Py_ssize_t)strlen(ws.lines[i]), "replace");
        if (!s || PyList_Append(lines, s) < 0) {
            Py_XDECREF(s);
            goto done;
        }
        Py_DECREF(s);
    }
    stats = Py_BuildValue("{sKsKsKsKsKsKsK}", "bytes", (unsigned long long)st.bytes, "conversations",
                          (unsigned long long)st.conversations, "conversations_skipped",
                          (unsigned long long)st.conversations_skipped, "messages",
                          (unsigned long long)st.messages, "items", (unsigned long long)st.items,
                          "warnings", (unsigned long long)st.warnings, "strings_repaired",
                          (unsigned long long)st.strings_repaired);
    if (stats)
        res = PyTuple_Pack(2, stats, lines);
done:
    Py_XDECREF(stats);
    Py_XDECREF(lines);
    S_sink_free(&ws);
    return res;
}

/* _merge(out: bytes, paths: list of bytes) */
static PyObject *
M_merge(PyObject *mod, PyObject *args)
{
    const char *out;
    PyObject *list;
    const char **paths;
    Py_ssize_t n, i;
    grokx_error err;
    grokx_file *f = NULL;
    int rc = 0, eno = 0;
    const void *sig = NULL;
    size_t sig_len = 0;
    (void)mod;
    if (!PyArg_ParseTuple(args, "yO!", &out, &PyList_Type, &list))
        return NULL;
    n = PyList_GET_SIZE(list);
    if (!n) {
        PyErr_SetString(InvalidError, "grokx.merge: no index given");
        return NULL;
    }
    if (!(paths = malloc((size_t)n * sizeof *paths)))
        return PyErr_NoMemory();
    for (i = 0; i < n; i++)
        if (!(paths[i] = PyBytes_AsString(PyList_GET_ITEM(list, i)))) {
            free(paths);
            return NULL;
        }
    memset(&err, 0, sizeof err);
    grokx_writer_format_signature("index", &sig, &sig_len);
    Py_BEGIN_ALLOW_THREADS
    for (i = 0; i < n && !rc; i++) /* never over one of the inputs, by any name */
        rc = grokx_output_check(paths[i], out, &err);
    if (!rc && !(f = grokx_file_open_ours(out, 0600, GROKX_FILE_FSYNC | GROKX_FILE_LOCK, sig, sig_len)))
        rc = GROKX_E_IO, eno = errno;
    if (!rc && (rc = grokx_index_merge(paths, (size_t)n, grokx_file_sink(f), &err)) != 0) {
        eno = errno;
        grokx_file_abort(f);
    } else if (!rc && grokx_file_commit(f) != 0) {
        rc = GROKX_E_IO, eno = errno;
    }
    Py_END_ALLOW_THREADS
    free(paths);
    if (rc == GROKX_E_IO && !err.text[0]) {
        err.origin = GROKX_ORIGIN_WRITER;
        snprintf(err.text, sizeof err.text, "%s: %s", out,
                 eno == EEXIST ? "exists and is not an index of grokx: left alone"
                 : eno == EWOULDBLOCK ? "locked by another run"
                                      : strerror(eno));
    }
    if (rc)
        return S_raise(rc, &err);
    Py_RETURN_NONE;
}

/* _parse_time(s) -> (ms, date_only) */
static PyObject *
M_parse_time(PyObject *mod, PyObject *args)
{
    const char *s;
    grokx_time t;
    int date_only = 0;
    (void)mod;
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    if (grokx_time_parse(s, &t, &date_only) != 0) {
        PyErr_Format(InvalidError, "%s: not a date (YYYY-MM-DD or ISO 8601)", s);
        return NULL;
    }
    return Py_BuildValue("(Li)", (long long)t, date_only);
}

/* _format_names() -> the registry's formats: name -> (ext or None, streams) */
static PyObject *
M_formats(PyObject *mod, PyObject *unused)
{
    PyObject *d = PyDict_New();
    const char *name, *ext;
    size_t i;
    int streams;
    (void)mod;
    (void)unused;
    if (!d)
        return NULL;
    for (i = 0; (name = grokx_writer_format_name(i)); i++) {
        PyObject *v;
        if (grokx_writer_format_info(name, &ext, &streams) != 0)
            continue;
        if (!(v = Py_BuildValue("(zO)", ext, streams ? Py_True : Py_False)) ||
            PyDict_SetItemString(d, name, v) < 0) {
            Py_XDECREF(v);
            return Py_DECREF(d), NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

/* ---- Index --------------------------------------------------------------- */

typedef struct Index {
    PyObject_HEAD
    grokx_index *ix;
    long searching; /* searches running without the GIL: close() waits for none */
} Index;

static int
Index_init(PyObject *self, PyObject *args, PyObject *kw)
{
    Index *x = (Index *)self;
    static char *names[] = {"path", NULL};
    PyObject *path = NULL;
    grokx_error err;
    int rc;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&", names, PyUnicode_FSConverter, &path))
        return -1;
    if (x->ix) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_RuntimeError, "grokx.Index: already open");
        return -1;
    }
    memset(&err, 0, sizeof err);
    {
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = grokx_index_open(p, &x->ix, &err);
        Py_END_ALLOW_THREADS
    }
    if (rc && !strstr(err.text, PyBytes_AS_STRING(path))) { /* "No such file": say which */
        char text[sizeof err.text + 4096];
        size_t k;
        snprintf(text, sizeof text, "%s: %s", PyBytes_AS_STRING(path),
                 err.text[0] ? err.text : grokx_strerror(rc));
        k = strlen(text) < sizeof err.text ? strlen(text) : sizeof err.text - 1;
        memcpy(err.text, text, k);
        err.text[k] = 0;
    }
    Py_DECREF(path);
    if (rc) {
        S_raise(rc, &err);
        return -1;
    }
    return 0;
}

static int
S_index_ready(Index *x)
{
    if (!x->ix) {
        PyErr_SetString(PyExc_ValueError, "grokx.Index: closed");
        return 0;
    }
    return 1;
}

static PyObject *
S_hit(const grokx_hit *h)
{
    PyObject *o = PyStructSequence_New(&HitType), *hl;
    const grokx_span *sp;
    size_t k;
    if (!o)
        return NULL;
    FIELD(o, o, 0, S_str(h->title));
    FIELD(o, o, 1, S_str(h->conversation_id));
    FIELD(o, o, 2, S_str(h->message_id));
    FIELD(o, o, 3, S_time(h->time, 0));
    FIELD(o, o, 4, S_str(h->snippet));
    FIELD(o, o, 5, S_str(h->path));
    FIELD(o, o, 6, PyFloat_FromDouble(h->score));
    FIELD(o, o, 7, PyLong_FromUnsignedLongLong(h->matches));
    FIELD(o, o, 8, S_str(h->sender));
    FIELD(o, o, 9, S_str(h->model));
    FIELD(o, o, 10, Py_NewRef(S_role[h->role <= GROKX_ROLE_SYSTEM ? h->role : GROKX_ROLE_ASSISTANT]));
    FIELD(o, o, 11, S_time(h->conversation_time, 0));
    FIELD(o, o, 12, PyBool_FromLong(h->starred));
    FIELD(o, o, 13, hl = PyTuple_New((Py_ssize_t)h->highlight_count));
    for (k = 0; k < h->highlight_count && (sp = grokx_hit_highlight(h, k)); k++) {
        PyObject *t = Py_BuildValue("(nn)", (Py_ssize_t)sp->start, (Py_ssize_t)sp->len);
        if (!t)
            return Py_DECREF(o), NULL;
        PyTuple_SET_ITEM(hl, (Py_ssize_t)k, t);
    }
    return o;
}

/* _search(query, n, since, until, sender, model, conversation,
 * snippet_bytes, snippets) -> (hits, total_messages) */
static PyObject *
Index_search(PyObject *self, PyObject *args)
{
    Index *x = (Index *)self;
    const char *query, *sender, *model, *conv;
    PyObject *since, *until, *list = NULL, *res;
    Py_ssize_t n, snip;
    int snippets, rc;
    grokx_search_options so;
    grokx_results *r = NULL;
    grokx_error err;
    size_t i;
    if (!PyArg_ParseTuple(args, "snOOzzznp", &query, &n, &since, &until, &sender, &model, &conv,
                          &snip, &snippets))
        return NULL;
    if (!S_index_ready(x))
        return NULL;
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "grokx.Index.search: n must be at least 1");
        return NULL;
    }
    grokx_search_options_init(&so);
    so.limit = (size_t)n;
    so.since = S_opt_time(since);
    so.until = S_opt_time(until);
    if (PyErr_Occurred())
        return NULL;
    so.sender = sender;
    so.model = model;
    so.conversation = conv;
    so.snippet_bytes = snip > 0 ? (size_t)snip : 0;
    so.flags = snippets ? 0 : GROKX_SEARCH_NO_SNIPPETS;
    memset(&err, 0, sizeof err);
    x->searching++;
    Py_BEGIN_ALLOW_THREADS
    rc = grokx_index_search(x->ix, query, &so, &r, &err);
    Py_END_ALLOW_THREADS
    x->searching--;
    if (rc)
        return S_raise(rc, &err);
    if (!(list = PyList_New((Py_ssize_t)grokx_results_count(r))))
        goto fail;
    for (i = 0; i < grokx_results_count(r); i++) {
        PyObject *h = S_hit(grokx_results_hit(r, i));
        if (!h)
            goto fail;
        PyList_SET_ITEM(list, (Py_ssize_t)i, h);
    }
    res = Py_BuildValue("(NK)", list, (unsigned long long)grokx_results_total(r));
    grokx_results_free(r);
    return res;
fail:
    Py_XDECREF(list);
    grokx_results_free(r);
    return NULL;
}

static PyObject *
Index_check(PyObject *self, PyObject *unused)
{
    Index *x = (Index *)self;
    grokx_error err;
    int rc;
    (void)unused;
    if (!S_index_ready(x))
        return NULL;
    memset(&err, 0, sizeof err);
    x->searching++;
    Py_BEGIN_ALLOW_THREADS
    rc = grokx_index_check(x->ix, &err);
    Py_END_ALLOW_THREADS
    x->searching--;
    if (rc)
        return S_raise(rc, &err);
    Py_RETURN_NONE;
}

static PyObject *
Index_info(PyObject *self, PyObject *unused)
{
    Index *x = (Index *)self;
    grokx_index_info in;
    (void)unused;
    if (!S_index_ready(x))
        return NULL;
    grokx_index_get_info(x->ix, &in);
    return Py_BuildValue("{sKsKsKsKsKsK}", "messages", (unsigned long long)in.messages,
                         "conversations", (unsigned long long)in.conversations, "terms",
                         (unsigned long long)in.terms, "tokens", (unsigned long long)in.tokens,
                         "file_bytes", (unsigned long long)in.file_bytes, "store_bytes",
                         (unsigned long long)in.store_bytes);
}

static PyObject *
Index_close(PyObject *self, PyObject *unused)
{
    Index *x = (Index *)self;
    (void)unused;
    if (x->searching) {
        PyErr_SetString(PyExc_RuntimeError, "grokx.Index.close: a search is running in another thread");
        return NULL;
    }
    grokx_index_close(x->ix);
    x->ix = NULL;
    Py_RETURN_NONE;
}

static PyObject *
Index_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (!S_index_ready((Index *)self))
        return NULL;
    return Py_NewRef(self);
}

static PyObject *
Index_exit(PyObject *self, PyObject *args)
{
    (void)args;
    return Index_close(self, NULL);
}

static void
Index_dealloc(PyObject *self)
{
    grokx_index_close(((Index *)self)->ix);
    Py_TYPE(self)->tp_free(self);
}

static PyMethodDef Index_methods[] = {
    {"_search", Index_search, METH_VARARGS, NULL},
    {"check", Index_check, METH_NOARGS,
     "Verify every checksum and structure of the file; raises CorruptIndexError if damaged."},
    {"info", Index_info, METH_NOARGS, "Counts of the index: messages, conversations, terms, ..."},
    {"close", Index_close, METH_NOARGS, "Unmap the file."},
    {"__enter__", Index_enter, METH_NOARGS, NULL},
    {"__exit__", Index_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyTypeObject IndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "grokx._grokx.Index",
    .tp_basicsize = sizeof(Index),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A search index written by convert(formats=[\"index\"]) or merge().",
    .tp_new = PyType_GenericNew,
    .tp_init = Index_init,
    .tp_dealloc = Index_dealloc,
    .tp_methods = Index_methods,
};

/* ---- the module ---------------------------------------------------------- */

static PyMethodDef module_methods[] = {
    {"_open", M_open, METH_VARARGS, NULL},
    {"_info", M_info, METH_VARARGS, NULL},
    {"_sniff", M_sniff, METH_VARARGS, NULL},
    {"_convert", M_convert, METH_VARARGS, NULL},
    {"_merge", M_merge, METH_VARARGS, NULL},
    {"_parse_time", M_parse_time, METH_VARARGS, NULL},
    {"_formats", M_formats, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "grokx._grokx",
                                        "libgrokx, compiled in (see grokx/__init__.py).", -1,
                                        module_methods, NULL, NULL, NULL, NULL};

static int
S_add_exc(PyObject *m, PyObject **slot, const char *name, PyObject *bases, const char *doc)
{
    char full[64];
    snprintf(full, sizeof full, "grokx.%s", name);
    if (!(*slot = PyErr_NewExceptionWithDoc(full, doc, bases, NULL)))
        return -1;
    return PyModule_AddObjectRef(m, name, *slot);
}

static int
S_add_exceptions(PyObject *m)
{
    PyObject *b;
    int rc = 0;
#define EXC(slot, name, doc, ...)                                                             \
    do {                                                                                       \
        if (!(b = PyTuple_Pack(__VA_ARGS__)))                                                  \
            return -1;                                                                         \
        rc = S_add_exc(m, &slot, name, b, doc);                                                \
        Py_DECREF(b);                                                                          \
        if (rc < 0)                                                                            \
            return -1;                                                                         \
    } while (0)
    EXC(Error, "Error", "Base of grokx's errors; .code, .offset, .line, .column, .origin.", 1,
        PyExc_Exception);
    EXC(InputError, "InputError", "The export could not be read.", 1, Error);
    EXC(JSONError, "JSONError", "The export is not well-formed JSON.", 1, InputError);
    EXC(TruncatedError, "TruncatedError", "The export ends inside the document.", 1, JSONError);
    EXC(LimitError, "LimitError", "A string or nesting limit was exceeded.", 1, InputError);
    EXC(SchemaError, "SchemaError", "Well-formed, but not a Grok export.", 1, InputError);
    EXC(ArchiveError, "ArchiveError", "A corrupt, truncated or unsupported ZIP or gzip.", 1,
        InputError);
    EXC(NotFoundError, "NotFoundError", "No backend JSON in the export.", 2, InputError,
        PyExc_FileNotFoundError);
    EXC(ReadError, "ReadError", "Reading the input failed.", 2, InputError, PyExc_OSError);
    EXC(WriteError, "WriteError", "Writing an output failed, or it is not grokx's to replace.", 2,
        Error, PyExc_OSError);
    EXC(CorruptIndexError, "CorruptIndexError", "A search index is damaged or not one.", 1, Error);
    EXC(QueryError, "QueryError", "A search query cannot be read.", 2, Error, PyExc_ValueError);
    EXC(InvalidError, "InvalidError", "A bad argument (unknown format, output over the input).", 2,
        Error, PyExc_ValueError);
    EXC(CancelledError, "CancelledError", "The parse was stopped.", 1, Error);
    EXC(NoMemoryError, "NoMemoryError", "Memory ran out or a memory cap was hit.", 2, Error,
        PyExc_MemoryError);
#undef EXC
    if (!(ExportWarning = PyErr_NewExceptionWithDoc(
              "grokx.ExportWarning", "Something in the export was skipped or repaired.",
              PyExc_UserWarning, NULL)))
        return -1;
    return PyModule_AddObjectRef(m, "ExportWarning", ExportWarning);
}

PyMODINIT_FUNC PyInit__grokx(void);

PyMODINIT_FUNC
PyInit__grokx(void)
{
    PyObject *m;
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI)
        return NULL;
    if (!(m = PyModule_Create(&module_def)))
        return NULL;
    if (PyStructSequence_InitType2(&ConversationType, &conversation_desc) < 0 ||
        PyStructSequence_InitType2(&MessageType, &message_desc) < 0 ||
        PyStructSequence_InitType2(&WebResultType, &web_result_desc) < 0 ||
        PyStructSequence_InitType2(&AttachmentType, &attachment_desc) < 0 ||
        PyStructSequence_InitType2(&AgentTraceType, &agent_trace_desc) < 0 ||
        PyStructSequence_InitType2(&HitType, &hit_desc) < 0 || PyType_Ready(&ReaderType) < 0 ||
        PyType_Ready(&IndexType) < 0)
        goto fail;
    if (PyModule_AddObjectRef(m, "Conversation", (PyObject *)&ConversationType) < 0 ||
        PyModule_AddObjectRef(m, "Message", (PyObject *)&MessageType) < 0 ||
        PyModule_AddObjectRef(m, "WebResult", (PyObject *)&WebResultType) < 0 ||
        PyModule_AddObjectRef(m, "Attachment", (PyObject *)&AttachmentType) < 0 ||
        PyModule_AddObjectRef(m, "AgentTrace", (PyObject *)&AgentTraceType) < 0 ||
        PyModule_AddObjectRef(m, "Hit", (PyObject *)&HitType) < 0 ||
        PyModule_AddObjectRef(m, "Reader", (PyObject *)&ReaderType) < 0 ||
        PyModule_AddObjectRef(m, "Index", (PyObject *)&IndexType) < 0 || S_add_exceptions(m) < 0)
        goto fail;
    if (!(S_empty = PyUnicode_FromStringAndSize("", 0)) ||
        !(S_role[GROKX_ROLE_USER] = PyUnicode_InternFromString("user")) ||
        !(S_role[GROKX_ROLE_ASSISTANT] = PyUnicode_InternFromString("assistant")) ||
        !(S_role[GROKX_ROLE_SYSTEM] = PyUnicode_InternFromString("system")) ||
        !(S_branch_active = PyUnicode_InternFromString("active")) ||
        !(S_branch_other = PyUnicode_InternFromString("other")))
        goto fail;
    if (PyModule_AddStringConstant(m, "LIBGROKX_VERSION", grokx_version_string()) < 0)
        goto fail;
    { /* the main thread, whose signal handlers S_sig_progress runs */
        PyObject *th = PyImport_ImportModule("threading"), *mt = NULL, *id = NULL;
        if (th && (mt = PyObject_CallMethod(th, "main_thread", NULL)) &&
            (id = PyObject_GetAttrString(mt, "ident")) && PyLong_Check(id))
            S_main_ident = PyLong_AsUnsignedLong(id);
        Py_XDECREF(id), Py_XDECREF(mt), Py_XDECREF(th);
        if (PyErr_Occurred())
            goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
