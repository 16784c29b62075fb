/* search.c -- searching a libgrokx index in a few lines: the best
 * conversations for a query, each with its snippet.
 * Build: cc search.c $(pkg-config --cflags --libs libgrokx)
 * Run:   grokx convert -f index -o chats.gxi export.zip && ./search chats.gxi 'query' */
#include <grokx.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    grokx_index *ix = NULL;
    grokx_results *r = NULL;
    grokx_error err;
    size_t i;
    if (argc != 3)
        return fprintf(stderr, "usage: search INDEX QUERY\n"), 2;
    if (grokx_index_open(argv[1], &ix, &err) || grokx_index_search(ix, argv[2], NULL, &r, &err)) {
        fprintf(stderr, "search: %s\n", err.text);
        grokx_index_close(ix);
        return 1;
    }
    for (i = 0; i < grokx_results_count(r); i++) {
        const grokx_hit *h = grokx_results_hit(r, i);
        printf("%.*s\t%.*s\n", (int)h->title.len, h->title.ptr, (int)h->snippet.len, h->snippet.ptr);
    }
    grokx_results_free(r);
    grokx_index_close(ix);
    return 0;
}
