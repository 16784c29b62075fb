/*
 * parse/schema.h -- the schema's state, private to parse/: the key-path
 * state machine of schema.c (JSON events -> model), owned by the parser
 * handle (parser.c), which embeds it and gives json.c its events table.
 *
 * The schema reaches its owner only through what gx_schema_init is given:
 * the allocator, the owner's error record (a schema error is written
 * there and its code returned through json.c), the stats it counts into,
 * the user's warning callback (warnings about the JSON are the schema's
 * to word and place), and two deliveries, a whole conversation and an
 * item (gx_schema_owner). parser.c uses schema.c; schema.c calls nothing
 * of parser.c.
 */
#ifndef GROKX_PARSE_SCHEMA_H
#define GROKX_PARSE_SCHEMA_H

#include "parse/parse.h"

/* Lists built while one message / one step is open. */
enum {
    GX_L_XPOSTS,
    GX_L_WEBPAGES,
    GX_L_GENIMG,
    GX_L_FILES,
    GX_L_CARDS,
    GX_L_MEDIA,
    GX_L_WEB,    /* grokx_search_result */
    GX_L_CITED,  /* grokx_search_result */
    GX_L_AGENTS, /* grokx_agent_trace */
    GX_L_STEPS,  /* grokx_step */
    GX_L_MSG_COUNT
};
enum {
    GX_LS_TAGORDER,
    GX_LS_TAGNAMES,
    GX_LS_TAGTEXTS,
    GX_LS_CARDS,
    GX_LS_RESULTS,
    GX_LS_WEB,    /* grokx_search_result */
    GX_LS_XPOSTS,
    GX_LS_COUNT
};

typedef struct gx_frame {
    uint8_t kind;
    uint8_t type;   /* value type of the pending key */
    uint8_t sub;    /* kind of container the pending key's value opens */
    uint16_t field; /* the pending key's field, 0 = unknown */
    uint32_t index; /* elements seen, in arrays */
    uint64_t seen;  /* bit per key of the kind's table seen, to warn on duplicate keys */
    void *target;   /* list or time being filled */
} gx_frame;

/* Frame kinds (schema.c's enum kind) and key-table slots per kind. */
#define GX_KINDS 26
#define GX_KEY_SLOTS 64

/* What a capture (compact JSON copy of a subtree) is for. */
enum { GX_CAP_ITEM = 1, GX_CAP_LIST = 2 };

/* What the schema hands its owner. Each returns 0 or a GROKX_E_* code,
 * which stops the parse (the owner has filled the error record). The
 * conversation is complete and ordered, its strings in the schema's
 * arena until the call returns; so is the item. */
typedef struct gx_schema_owner {
    void *ctx;
    int (*conversation)(void *ctx, grokx_conversation *c);
    int (*item)(void *ctx, const grokx_item *item);
} gx_schema_owner;

typedef struct gx_schema {
    /* frame stack */
    gx_frame *frames;
    size_t nframes, frames_cap;
    unsigned skip;   /* >0: inside an unknown subtree, this many levels */
    int deep_warned; /* the skipped subtree passed max_depth: warned once */

    /* capture */
    gx_jw *cap;
    int cap_for;        /* GX_CAP_* */
    unsigned cap_depth; /* open containers inside the capture */
    int cap_overflow;
    gx_list *cap_list;
    int cap_key;        /* item field of the pending key at depth 1 */

    gx_json *json;      /* the events' source: positions, depth */
    gx_arena arena;     /* the conversation or item being built */

    /* the conversation being built */
    int in_conv;
    int conv_skip;      /* over max_conversation: skipping the rest */
    grokx_conversation conv;
    gx_list msgs;       /* grokx_message, in file order */
    grokx_message *msg; /* open message */
    int msg_body;       /* its wrapper held a response (or flat fields) */
    grokx_str tag_name; /* pending key of a step's tagged_text */
    gx_list mlists[GX_L_MSG_COUNT];
    grokx_step *step;   /* open step */
    gx_list slists[GX_LS_COUNT];
    void *elem;         /* open search result / agent trace */
    size_t resp_index;  /* responses seen in this conversation */
    size_t conv_index;
    /* A time given as an object ({"$date": ...}, {"$numberLong": ...},
     * {"seconds", "nanos"}): the field it is for, read when the outermost
     * of its objects closes (depth counts them). */
    struct {
        int field;
        unsigned depth;
        int warned;            /* a warning was given for it already */
        int have_s, have_n;
        int64_t s, n;
    } tobj;
    /* Keys of another app's chat format in this conversation (S_FOREIGN_*
     * bits of schema.c), and whether an earlier conversation had
     * responses: a file whose first such conversation shows another
     * format fails there (GROKX_E_SCHEMA), later ones only warn. */
    unsigned foreign;
    int saw_responses;
    int saw_conversations, saw_section;

    grokx_item item;
    gx_buf section;     /* name of the section being read */
    gx_buf scratch;     /* repaired copies of strings for captures */

    /* given by the owner (gx_schema_init) */
    gx_mem *mem;
    grokx_error *err;     /* the owner's error record */
    grokx_stats *stats;   /* warnings, strings repaired, conversations skipped */
    unsigned max_depth;
    size_t max_conversation;
    int all_branches;     /* GROKX_OPT_ALL_BRANCHES */
    void (*warning)(void *ud, const grokx_error *w); /* the user's, may be NULL */
    void *warning_ud;
    grokx_error warn;     /* scratch record handed to warning */
    gx_schema_owner owner;

    uint8_t key_slots[GX_KINDS][GX_KEY_SLOTS]; /* see gx_schema_init */
} gx_schema;

/* The events json.c delivers to a gx_schema (its ctx). */
extern const gx_json_events gx_schema_events;

/* Ready sc for an export: key tables built, nothing allocated yet. o: the
 * parser's options (limits, flags, the warning callback). json is set
 * before the first event (the owner creates it with sc as its ctx). */
void gx_schema_init(gx_schema *sc, gx_mem *mem, const grokx_options *o, grokx_stats *stats,
                    grokx_error *err, const gx_schema_owner *owner);
void gx_schema_free(gx_schema *sc);
/* Whether what was read is an export: "conversations", or a section only
 * an export has, at the top level. */
int gx_schema_is_export(const gx_schema *sc);
/* A description of where the parser is, for error messages ("in
 * conversation 3 (id c3), response 2"), "" when nowhere in particular. */
void gx_schema_where(const gx_schema *sc, char *buf, size_t n);

#endif /* GROKX_PARSE_SCHEMA_H */
