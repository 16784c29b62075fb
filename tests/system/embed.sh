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
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/embed" tests/parse/golden/01-minimal/input.json)
if [ "$out" = "$(printf 'Hello Grok\t2 messages')" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "embed printed: $out" >&2; fi
# the export ZIP as downloaded works through the same ten lines
python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "ttl/30d/export_data/u/prod-grok-backend.json")' tests/parse/golden/01-minimal/input.json "$T/export.zip"
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/embed" "$T/export.zip")
if [ "$out" = "$(printf 'Hello Grok\t2 messages')" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "embed on a ZIP printed: $out" >&2; fi
# searching: the second example, on an index the installed grokx writes
if ${CC:-cc} ${LDFLAGS:-} -o "$T/search" examples/search.c $(pkg-config --cflags --libs libgrokx) 2>"$T/log" &&
    LD_LIBRARY_PATH="$T/prefix/lib" "$T/prefix/bin/grokx" convert -q -f index -o "$T/i.gxi" tests/parse/golden/01-minimal/input.json; then
    pass=$((pass+1))
else
    fail=$((fail+1)); cat "$T/log" >&2
fi
out=$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/search" "$T/i.gxi" what 2>&1)
case "$out" in "Hello Grok	"*) pass=$((pass+1)) ;; *) fail=$((fail+1)); echo "search printed: $out" >&2 ;; esac
for f in bin/grokx include/grokx.h lib/libgrokx.a lib/libgrokx.so.0 share/man/man1/grokx.1 share/man/man3/libgrokx.3; do
    if [ -e "$T/prefix/$f" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "not installed: $f" >&2; fi
done
make -s uninstall PREFIX="$T/prefix" >/dev/null 2>&1
left=$(find "$T/prefix" -type f | wc -l)
if [ "$left" = 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "uninstall left $left files" >&2; fi
echo "embed: $pass passed, $fail failed"
[ $fail = 0 ]
