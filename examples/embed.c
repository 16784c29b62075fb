/* embed.c -- libgrokx in a few lines: print each conversation's title and
 * message count, then who said how much. Build:
 * cc embed.c $(pkg-config --cflags --libs libgrokx) */
#include <grokx.h>
#include <stdio.h>

static int on_conversation(void *self, const grokx_conversation *c)
{
    const grokx_message *m;
    (void)self;
    printf("%s\t%zu messages\n", c->title.len ? c->title.ptr : "(untitled)", c->message_count);
    /* walk arrays with their accessor, never c->messages[i] (grokx.h, ARRAYS) */
    for (size_t i = 0; (m = grokx_conversation_message(c, i)); i++)
        printf("  %s: %zu bytes\n", m->sender.ptr, m->text.len);
    return 0;
}

int main(int argc, char **argv)
{
    grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, on_conversation, NULL, NULL, NULL, NULL};
    grokx_writer *w = NULL;
    grokx_parser *p = NULL;
    int rc = grokx_writer_wrap(&vt, NULL, &w);
    if (!rc)
        rc = grokx_parser_create(NULL, w, &p);
    if (!rc)
        rc = argc > 1 ? grokx_parse_path(p, argv[1]) : GROKX_E_INVALID;
    if (rc)
        fprintf(stderr, "embed: %s\n", p && grokx_parser_error(p)->code ? grokx_parser_error(p)->text
                                                                         : grokx_strerror(rc));
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc ? 1 : 0;
}
