#!/bin/sh
# The layer rule (tests/system/layers.py) holds on the tree, and the checker
# refuses each kind of break made on purpose in a copy of it: an upward
# include, a stage's private header used from another, a file flat in
# libgrokx/, an unknown folder, an upward call through a hand-written
# prototype (seen in the objects), a tool using a private header, yajl
# included outside parse/json.c.
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if python3 tests/system/layers.py --objects "$B/lib" >"$T/out" 2>&1; then ok; else bad "the tree breaks its layers: $(cat "$T/out")"; fi

fresh() { rm -rf "$T/root" && mkdir -p "$T/root" && cp -r libgrokx tools "$T/root/"; }
# refused NAME PATTERN: the checker on the copy exits 1 naming the break
refused() {
    if python3 tests/system/layers.py --root "$T/root" ${OBJ:+--objects "$OBJ"} >"$T/out" 2>&1; then
        bad "$1: accepted"
    elif grep -q "$2" "$T/out"; then ok
    else bad "$1: refused without naming it: $(cat "$T/out")"; fi
}

fresh; sed -i '1i #include "formats/formats.h"' "$T/root/libgrokx/base/alloc.c"
refused "upward include" 'base/alloc.c:1: includes "formats/formats.h": base/ may not use formats/'
fresh; sed -i '1i #include "input/backend.h"' "$T/root/libgrokx/out/layout.c"
refused "private header" 'out/layout.c:1: includes "input/backend.h", private to input/'
fresh; echo '#include "grokx.h"' >"$T/root/libgrokx/stray.c"
refused "flat file" 'libgrokx/stray.c: lies flat'
fresh; mkdir "$T/root/libgrokx/misc"
refused "unknown folder" 'libgrokx/misc/: a folder that is no stage'
fresh; sed -i '1i #include "base/base.h"' "$T/root/tools/search.c"
refused "tool on a private header" 'tools/search.c:1: includes "base/base.h"'
fresh; sed -i '1i #include <yajl/yajl_parse.h>' "$T/root/libgrokx/render/steps.c"
refused "yajl outside json.c" 'render/steps.c:1: includes yajl; only libgrokx/parse/json.c does'

# an upward call no include shows: base/ declares formats/' function itself
fresh
mkdir -p "$T/obj/base" "$T/obj/formats"
printf 'int gx_up(void);\nint gx_low(void);\nint gx_low(void) { return gx_up(); }\n' >"$T/low.c"
printf 'int gx_up(void);\nint gx_up(void) { return 1; }\n' >"$T/up.c"
${CC:-cc} -c "$T/low.c" -o "$T/obj/base/low.o" && ${CC:-cc} -c "$T/up.c" -o "$T/obj/formats/up.o" || bad "cannot compile the objects"
OBJ="$T/obj" refused "upward call" 'base/low.c: calls gx_up (libgrokx/formats/up.c): base/ may not use formats/'
# the tool reaching past grokx.h into the archive with a prototype of its own
fresh
mkdir -p "$T/b2/lib/base" "$T/b2/tools"
printf 'int gx_name_component(const char *, int);\nint cli_sneak(void);\nint cli_sneak(void) { return gx_name_component("x", 1); }\n' >"$T/sneak.c"
${CC:-cc} -c "$T/sneak.c" -o "$T/b2/tools/cli.o" || bad "cannot compile the tool's object"
OBJ="$T/b2/lib" refused "tool calling an internal" 'tools/cli.c: calls gx_name_component, a library internal'

# an edit to a stage's private header rebuilds that stage only; to a stage's
# header, that stage and the ones above (make's what-if: nothing is touched)
rebuilt() { env -u MAKEFLAGS -u MAKELEVEL make -n -W "$1" B="$B" "$B/lib/base/alloc.o" $(cd "$B/lib" && ls */*.o | sed "s|^|$B/lib/|") 2>/dev/null |
    grep -o 'libgrokx/[a-z]*/[a-z_0-9]*\.c' | cut -d/ -f2 | sort -u | tr '\n' ' '; }
for h in $(cd libgrokx && ls */*.h | grep -Ev '^([a-z]+)/\1\.h$'); do
    got=$(rebuilt "libgrokx/$h")
    [ "$got" = "${h%%/*} " ] && ok || bad "an edit to libgrokx/$h rebuilds: $got"
done
got=$(rebuilt libgrokx/out/out.h)
[ "$got" = "formats index out " ] && ok || bad "an edit to libgrokx/out/out.h rebuilds: $got"

echo "layers: $pass passed, $fail failed"
[ "$fail" = 0 ]
