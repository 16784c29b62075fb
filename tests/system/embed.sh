#!/bin/sh
# The embedding example builds against the INSTALLED library with
# pkg-config, and runs (the promise made in README and grokx.h).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
if make -s install PREFIX="$T/prefix" >"$T/log" 2>&1; then pass=$((pass+1)); else fail=$((fail+1)); cat "$T/log" >&2; fi
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig"
if ${CC:-cc} ${LDFLAGS:-} -o "$T/embed" examples/embed.c $(pkg-config --cflags --libs libgrokx) 2>"$T/log"; then
    pass=$((pass+1))
else
    fail=$((fail+1)); cat "$T/log" >&2
fi
want=$(printf 'Hello Grok\t2 messages\n  human: 16 bytes\n  assistant: 14 bytes')
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/embed" tests/parse/golden/01-minimal/input.json)
if [ "$out" = "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "embed printed: $out" >&2; fi
# the export ZIP as downloaded works through the same program
python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "ttl/30d/export_data/u/prod-grok-backend.json")' tests/parse/golden/01-minimal/input.json "$T/export.zip"
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/embed" "$T/export.zip")
if [ "$out" = "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "embed on a ZIP printed: $out" >&2; fi
# searching: the second example, on an index the installed grokx writes
if ${CC:-cc} ${LDFLAGS:-} -o "$T/search" examples/search.c $(pkg-config --cflags --libs libgrokx) 2>"$T/log" &&
    LD_LIBRARY_PATH="$T/prefix/lib" "$T/prefix/bin/grokx" convert -q -f index -o "$T/i.gxi" tests/parse/golden/01-minimal/input.json; then
    pass=$((pass+1))
else
    fail=$((fail+1)); cat "$T/log" >&2
fi
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/search" "$T/i.gxi" what 2>&1)
case "$out" in "Hello Grok	"*) pass=$((pass+1)) ;; *) fail=$((fail+1)); echo "search printed: $out" >&2 ;; esac
# An older program keeps working when the library's structs grow: built
# against a grokx.h whose grokx_message and grokx_step are SHORTER (as 0.1's
# would be, were fields appended later), it walks the current library's
# arrays with the accessors and reads every id, text, step and result
# right, while its own [i] would land elsewhere (grokx.h, ARRAYS).
mkdir -p "$T/old"
sed -e '/^    long parent;$/,/^    size_t file_index;/d' \
    -e '/^    grokx_strlist xpost_ids; \/\* "x_posts_ids" (sic) \*\/$/d' \
    "$T/prefix/include/grokx.h" >"$T/old/grokx.h"
cat >"$T/old.c" <<'OLDC'
#include <grokx.h>
#include <stdio.h>

static int on_conversation(void *self, const grokx_conversation *c)
{
    const grokx_message *m;
    const grokx_step *s;
    const grokx_search_result *r;
    const grokx_str *tag;
    size_t i, j, k;
    (void)self;
    for (i = 0; (m = grokx_conversation_message(c, i)); i++) {
        printf("%s %s: %s\n", m->id.ptr, m->sender.ptr, m->text.ptr);
        for (j = 0; (s = grokx_message_step(m, j)); j++) {
            printf("  step %zu:", j);
            for (k = 0; (tag = grokx_strlist_item(&s->tag_names, k)); k++)
                printf(" %s", tag->ptr);
            for (k = 0; (r = grokx_step_web_result(s, k)); k++)
                printf(" <%s>", r->url.ptr);
            printf("\n");
        }
        if (j != m->step_count)
            printf("  steps: %zu walked of %zu\n", j, m->step_count);
    }
    if (i != c->message_count)
        printf("messages: %zu walked of %zu\n", i, c->message_count);
    /* where indexing with this header's size would read */
    if (c->message_count > 1)
        printf("own [1] %s\n", (const void *)&c->messages[1] == (const void *)grokx_conversation_message(c, 1)
                                   ? "right" : "elsewhere");
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
    grokx_parser_free(p);
    grokx_writer_free(w);
    return rc ? 1 : 0;
}
OLDC
want=$(printf '%s\n' 'r1 human: Latest yajl release?' \
    'r2 assistant: Searching the web...The latest tagged release is 2.1.0.' \
    '  step 0: header summary tool_usage_card raw_function_result image_generation_card <https://github.com/lloyd/yajl/releases>' \
    '  step 1: header' 'own [1] elsewhere')
if ! cmp -s "$T/old/grokx.h" "$T/prefix/include/grokx.h" &&
    ${CC:-cc} ${LDFLAGS:-} -I"$T/old" -o "$T/old-prog" "$T/old.c" $(pkg-config --cflags --libs libgrokx) 2>"$T/log"; then
    pass=$((pass+1))
else
    fail=$((fail+1)); echo "embed: the shorter grokx.h was not made or does not build" >&2; cat "$T/log" >&2
fi
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/old-prog" tests/parse/golden/27-steps-tool-usage/input.json 2>&1)
if [ "$out" = "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); printf 'old program printed:\n%s\nwanted:\n%s\n' "$out" "$want" >&2; fi
# every function grokx.h declares is exported by the shared library, in
# the version node of libgrokx.map (the array accessors and the int-form
# constructors included)
declared=$(sed -n 's/^GROKX_API .*[ *]\(grokx_[a-z0-9_]*\)(.*/\1/p' "$T/prefix/include/grokx.h" | sort -u)
exported=$(nm -D --defined-only "$T/prefix/lib/libgrokx.so.0" | sed -n 's/.* T \(grokx_[a-z0-9_]*\)@@LIBGROKX_0$/\1/p' | sort -u)
missing=$(printf '%s\n' "$declared" | grep -vxF "$exported")
if [ -n "$declared" ] && [ -z "$missing" ] && printf '%s\n' "$declared" | grep -qx grokx_conversation_message; then
    pass=$((pass+1))
else
    fail=$((fail+1)); echo "embed: declared in grokx.h, not exported: $missing" >&2
fi
for f in bin/grokx include/grokx.h lib/libgrokx.a lib/libgrokx.so.0 share/man/man1/grokx.1 share/man/man3/libgrokx.3; do
    if [ -e "$T/prefix/$f" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "not installed: $f" >&2; fi
done
make -s uninstall PREFIX="$T/prefix" >/dev/null 2>&1
left=$(find "$T/prefix" -type f | wc -l)
if [ "$left" = 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "uninstall left $left files" >&2; fi
echo "embed: $pass passed, $fail failed"
[ $fail = 0 ]
