/*
 * parse/parser.h -- the parser handle, private to parse/: shared by parser.c (lifecycle, feed,
 * finish, delivery) and schema.c (the key-path state machine that builds
 * the model from JSON events). Private.
 */
#ifndef GROKX_PARSE_PARSER_H
#define GROKX_PARSE_PARSER_H

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
    uint64_t seen;  /* bit per field id seen, to warn on duplicate keys */
    void *target;   /* list or time being filled */
} gx_frame;

/* grokx_message.flags bit for a wrapper without a response: dropped. */
#define GX_MSG_DEAD 0x80000000u

/* Frame kinds (schema.c's enum kind) and key-table slots per kind. */
#define GX_KINDS 24
#define GX_KEY_SLOTS 64

/* What a capture (compact JSON copy of a subtree) is for. */
enum { GX_CAP_ITEM = 1, GX_CAP_LIST = 2 };

struct grokx_parser {
    gx_mem mem;
    grokx_options opt;
    grokx_error err;
    grokx_error warn; /* scratch record handed to opt.warning */
    grokx_stats stats;
    grokx_writer *writer;
    gx_json *json;
    gx_arena arena;
    int state; /* 0 running, 1 finished OK, <0 failed */
    int begun; /* begin_export was called */

    uint8_t key_slots[GX_KINDS][GX_KEY_SLOTS]; /* see gx_schema_init */

    /* frame stack */
    gx_frame *frames;
    size_t nframes, frames_cap;
    unsigned skip; /* >0: inside an unknown subtree, this many levels */
    int deep_warned; /* the skipped subtree passed max_depth: warned once */

    /* capture */
    gx_jw *cap;
    int cap_for;        /* GX_CAP_* */
    unsigned cap_depth; /* open containers inside the capture */
    int cap_overflow;
    gx_list *cap_list;
    int cap_key;        /* item field of the pending key at depth 1 */
    grokx_item item;
    gx_buf section;     /* name of the section being read */
    gx_buf scratch;     /* repaired copies of strings for captures */

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
    uint64_t conv_offset;
    size_t conv_index;
    int saw_conversations, saw_section;
};

extern const gx_json_events gx_schema_events;

/* parser.c */
void gx_parser_warn(grokx_parser *p, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int gx_parser_deliver_conversation(grokx_parser *p);
int gx_parser_deliver_item(grokx_parser *p);
/* schema.c: build the key lookup tables. */
void gx_schema_init(grokx_parser *p);
/* schema.c: a warning prefixed with where the parser is; a gx_warn_fn. */
void gx_schema_warn(void *ctx, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* schema.c: a description of where the parser is, for error messages. */
void gx_schema_where(grokx_parser *p, char *buf, size_t n);

#endif
