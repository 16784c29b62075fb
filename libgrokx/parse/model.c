/*
 * model.c -- the public accessors of the model's arrays (grokx.h,
 * "ARRAYS"): element i of a conversation's messages, a message's steps,
 * traces and search results, a step's results, a string list's strings.
 *
 * Why functions and not direct indexing: a caller compiled against an
 * older grokx.h computes &messages[i] with ITS sizeof(grokx_message); once
 * a later library appends a field, every element after the first is read
 * at the wrong place. Here the address is computed with the library's own
 * size, so structs may grow at their end without breaking old binaries.
 * Internal code is compiled with the library and indexes directly.
 */
#include "parse/parse.h"

#define S_AT(arr, count, i) ((i) < (count) ? &(arr)[i] : NULL)

const grokx_message *
grokx_conversation_message(const grokx_conversation *c, size_t i)
{
    return c ? S_AT(c->messages, c->message_count, i) : NULL;
}

const grokx_agent_trace *
grokx_message_agent_trace(const grokx_message *m, size_t i)
{
    return m ? S_AT(m->agent_traces, m->agent_trace_count, i) : NULL;
}

const grokx_step *
grokx_message_step(const grokx_message *m, size_t i)
{
    return m ? S_AT(m->steps, m->step_count, i) : NULL;
}

const grokx_search_result *
grokx_message_web_result(const grokx_message *m, size_t i)
{
    return m ? S_AT(m->web_results, m->web_result_count, i) : NULL;
}

const grokx_search_result *
grokx_message_cited_result(const grokx_message *m, size_t i)
{
    return m ? S_AT(m->cited_results, m->cited_result_count, i) : NULL;
}

const grokx_search_result *
grokx_step_web_result(const grokx_step *s, size_t i)
{
    return s ? S_AT(s->web_results, s->web_result_count, i) : NULL;
}

const grokx_str *
grokx_strlist_item(const grokx_strlist *l, size_t i)
{
    return l ? S_AT(l->items, l->count, i) : NULL;
}
