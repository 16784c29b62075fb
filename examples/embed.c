/* embed.c -- libgrokx in a few lines: print each conversation's title and
 * message count. Build: cc embed.c $(pkg-config --cflags --libs libgrokx) */
#include <grokx.h>
#include <stdio.h>

static int on_conversation(void *self, const grokx_conversation *c)
{
    (void)self;
    printf("%s\t%zu messages\n", c->title.len ? c->title.ptr : "(untitled)", c->message_count);
    return 0;
}

int main(int argc, char **argv)
{
    grokx_writer_vtable vt = {GROKX_ABI_VERSION, NULL, on_conversation, NULL, NULL, NULL, NULL};
    grokx_writer *w = grokx_writer_new(&vt, NULL);
    grokx_parser *p = grokx_parser_new(NULL, w);
    int rc = argc > 1 ? grokx_parse_path(p, argv[1]) : GROKX_E_INVALID;
    if (rc)
        fprintf(stderr, "embed: %s\n", grokx_parser_error(p)->text);
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc ? 1 : 0;
}
